"""The `portal` command: click commands for check, build, serve and generate
(commands.py), new (scaffold/) and schema (json_schema.py), and what they share
(options.py). The top of the package: it may import everything below it.
"""

from .commands import main

__all__ = ["main"]
