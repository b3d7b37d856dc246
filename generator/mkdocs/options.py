"""The plugin's options as MkDocs reads them, derived from their one declaration
(generator/core/config.py, PortalConfig): `mkdocs build` and `portal check`
accept the same options with the same defaults, and a new option is added there.
"""

from __future__ import annotations

from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c

from ..core.config import OPTIONS, Option


def _config_option(option: Option) -> Any:
    """MkDocs' form of an option; `portal check` reports the finer problems
    (a bad regular expression, a day count below 1) with their line."""
    if option.kind == "days":
        return c.Type(int, default=option.default)
    if option.kind == "names":
        return c.Optional(c.ListOfItems(c.Type(str)))
    if option.kind == "patterns":
        return c.ListOfItems(c.Type(str), default=list(option.default))
    if option.kind == "folder":
        return c.Type(str, default=option.default)
    if option.kind == "choice":
        return c.Choice(option.choices, default=option.default)
    raise AssertionError(f"an option kind MkDocs is not told of: {option.kind}")


# A class, built from the table, because MkDocs collects an option from each
# class attribute that is a config option.
PortalPluginConfig = type("PortalPluginConfig", (base.Config,), {
    "__doc__": "Options under `- insight-portal:` in mkdocs.yml (also read by `portal check`).",
    "__module__": __name__,
    **{option.name: _config_option(option) for option in OPTIONS},
})
