"""Reading content files: finding them, splitting front matter, parsing YAML with lines.

python-frontmatter is not used: it returns plain values without positions, and
every problem we report needs the line of the offending key. So the loader is
ours, in one module per job:

- discovery: finding the content files (and docs/ pages) and reading their
  bytes, never through a link that leads out, never from a pipe;
- front_matter: a file's bytes to its front matter and body, with their lines;
- yaml_lines: YAML to plain values with the line of every key and list item
  (libyaml's nodes, walked once);
- simple_yaml: the same for the simple subset most files use, read line by
  line at a fraction of the cost;
- scalars: what plain scalars become, shared by the two YAML readers;
- limits: the bounds on hostile input.

Callers import from here; the modules are the loader's own business.
"""

from .discovery import (
    IGNORED_NAMES,
    DocsFile,
    SourceFile,
    discover,
    discover_docs,
    in_repository,
    read_source,
    unreadable,
)
from .front_matter import Document, parse, split_front_matter
from .limits import MAX_DEPTH, MAX_FILE_BYTES, MAX_FRONT_MATTER_CHARS, MAX_NODES
from .scalars import InvalidScalar, describe_type
from .yaml_lines import parse_yaml

__all__ = [
    "IGNORED_NAMES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_FRONT_MATTER_CHARS",
    "MAX_NODES",
    "DocsFile",
    "Document",
    "InvalidScalar",
    "SourceFile",
    "describe_type",
    "discover",
    "discover_docs",
    "in_repository",
    "parse",
    "parse_yaml",
    "read_source",
    "unreadable",
    "split_front_matter",
]
