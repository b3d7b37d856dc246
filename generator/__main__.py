"""`python -m generator` runs the `portal` command."""

from .cli import main

main()
