"""What plain YAML scalars become: their tag, resolved as PyYAML's SafeLoader
resolves it but faster, the constructor that builds dates, numbers and yes/no,
a value YAML recognised but could not build, and how a value reads in a message.

Shared by both ways front matter is read (libyaml's nodes, and the simple
subset read line by line), so that both give the same values.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

try:  # libyaml is bundled with PyYAML wheels; fall back to pure Python if missing
    BaseSafeLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    BaseSafeLoader = yaml.SafeLoader

STR_TAG = "tag:yaml.org,2002:str"
_NUMERIC_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                 "tag:yaml.org,2002:timestamp"}
# For each first character some implicit resolver (YAML 1.1, as SafeLoader has
# them) starts with: the longest plain scalar that could resolve to something
# other than text. Numbers and dates can be any length; the other resolvers
# (bool, null, merge, '=', '!', '&', '*') match single words of at most 5
# characters, 6 with the trailing newline a regex '$' allows.
MAY_RESOLVE = {
    first: sys.maxsize if any(tag in _NUMERIC_TAGS for tag, _ in resolvers) else 6
    for first, resolvers in BaseSafeLoader.yaml_implicit_resolvers.items()
}
# Tags of plain scalars that needed the regexes; the same words and dates recur
# from file to file. Bounded, so hostile input cannot grow it without end.
_RESOLVED: dict[str, str] = {}
RESOLVED_LIMIT = 20_000


class _Resolver(yaml.resolver.BaseResolver):
    yaml_implicit_resolvers = BaseSafeLoader.yaml_implicit_resolvers  # the same table


_REGEXES = _Resolver()


def plain_tag(value: str) -> str:
    """The tag SafeLoader resolves a plain (unquoted, untagged) scalar to.

    PyYAML tries regexes by the scalar's first character. Text that cannot
    match any of them is resolved without one; every other scalar goes to the
    regexes (or to their remembered answer), so dates, numbers and yes/no
    resolve exactly as in SafeLoader.
    """
    longest = MAY_RESOLVE.get(value[:1])
    if longest is None or len(value) > longest:
        return STR_TAG
    tag = _RESOLVED.get(value)
    if tag is None:
        tag = _REGEXES.resolve(yaml.ScalarNode, value, (True, False))
        if len(_RESOLVED) < RESOLVED_LIMIT:
            _RESOLVED[value] = tag
    return tag


SCALARS = SafeConstructor()  # builds dates, numbers and yes/no from their text


class InvalidScalar(str):
    """A scalar YAML recognised (as a date) but could not construct."""


def describe_type(value: Any) -> str:
    """How a value reads in a message: 'a list', 'a number (42)', ..."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"a yes/no value ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, InvalidScalar):
        return f"'{value}'"
    if isinstance(value, dt.datetime):
        return "a date and time"
    if isinstance(value, dt.date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
