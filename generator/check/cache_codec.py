"""Data-only encoding of the check cache's records: JSON, read back into a
closed table of our own types.

The cache used to be pickled, and unpickling runs whatever code the bytes name:
a `.portal-cache/` committed in a pull request ran in CI. JSON gives back only
lists, strings, numbers, booleans and null. A record is written as the list of
its dataclass fields' values and read back by those fields' declared types
(`dataclasses.fields` and the annotations in model.py and problems.py), so a new
field of a type handled in `_decoder` needs no change here. No name read from a
file ever picks a class or a function: the entry kinds come from
`ENTRY_TYPES`, everything else from the annotations.

Reading checks every value against its declared type and raises `Corrupt` on
anything else, so a hand-made file can at worst make the cache say something
wrong (which is why cache.py refuses a cache git tracks), never hand the checks
a value of a type they do not expect.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import json
import operator
import types
import typing
from collections.abc import Callable, Sequence
from typing import Any

from ..core.model import Entry, Insight, Journey, LineMap, Persona
from ..core.problems import RULES, Problem


class Corrupt(ValueError):
    """Cache bytes that are not what this version writes: start afresh."""


# What decoding bad bytes can raise; each means Corrupt.
DECODE_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError,
                 RecursionError, MemoryError)

# The one place a stored name chooses a type: an entry's kind.
ENTRY_TYPES: dict[str, type[Entry]] = {"insight": Insight, "persona": Persona,
                                       "journey": Journey}
_ENTRY_TAGS = {cls: tag for tag, cls in ENTRY_TYPES.items()}
# Checks a record must pass beyond its field types (a problem's rule is looked up later).
_RECORD_CHECKS: dict[type, Callable[[Any], bool]] = {Problem: lambda problem: problem.rule in RULES}

_NONE = type(None)
# A decoder: either the exact types a value may have and is kept as it is, or a
# function that turns the JSON value into ours (raising on anything else).
Decoder = frozenset | Callable[[Any], Any]
_PLAIN: dict[object, frozenset] = {str: frozenset({str}), int: frozenset({int}),
                                   float: frozenset({int, float}), bool: frozenset({bool}),
                                   _NONE: frozenset({_NONE})}
_LINE_KEYS = frozenset({str, int})
_INTS = frozenset({int})


class _Dates(dict[Any, dt.date | None]):
    """Dates read so far, by their text: most entries share a few hundred dates.
    Holds None too when the date is optional."""

    def __init__(self, optional: bool) -> None:
        super().__init__({None: None} if optional else {})
        self.optional = optional

    def __missing__(self, text: object) -> dt.date:
        if type(text) is not str:
            raise Corrupt("a date is not text")
        if len(self) > 50_000:  # bounded, whatever a file holds
            self.clear()
            if self.optional:
                self[None] = None
        day = self[text] = dt.date.fromisoformat(text)
        return day


def _bad(what: str) -> Corrupt:
    return Corrupt(f"not a stored {what}")


def _optional(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def optional(value: Any) -> Any:
        return None if value is None else convert(value)
    return optional


class _PlainList(frozenset):
    """A list whose items have these exact types, kept as it is (decoded inline
    by `_record`: a function call per field is a good part of decoding)."""


def _sequence(item: Decoder, make: type) -> Decoder:
    if isinstance(item, frozenset):
        if make is list:
            return _PlainList(item)

        def plain(value: Any) -> Any:
            if type(value) is not list or not item.issuperset(map(type, value)):
                raise _bad("list")
            return make(value)
        return plain

    def converted(value: Any) -> Any:
        if type(value) is not list:
            raise _bad("list")
        return make(map(item, value))  # type: ignore[arg-type]
    return converted


def _fixed_tuple(items: list[Decoder]) -> Callable[[Any], tuple]:
    converts = [_callable(item) for item in items]
    if len(converts) == 2:  # (key path, date) pairs: many of them
        first, second = converts

        def pair(value: Any) -> tuple:
            if type(value) is not list or len(value) != 2:
                raise _bad("tuple")
            return first(value[0]), second(value[1])
        return pair

    def fixed(value: Any) -> tuple:
        if type(value) is not list or len(value) != len(converts):
            raise _bad("tuple")
        return tuple([convert(part) for convert, part in zip(converts, value, strict=True)])
    return fixed


def _callable(decoder: Decoder) -> Callable[[Any], Any]:
    if isinstance(decoder, _PlainList):
        def plain_list(value: Any) -> Any:
            if type(value) is not list or not decoder.issuperset(map(type, value)):
                raise _bad("list")
            return value
        return plain_list
    if not isinstance(decoder, frozenset):
        return decoder

    def plain(value: Any) -> Any:
        if type(value) not in decoder:
            raise _bad("value")
        return value
    return plain


def _line_map(value: Any) -> LineMap:
    """A LineMap from its flat form, checked so that looking a line up cannot fail."""
    if type(value) is not list or len(value) != 1:
        if type(value) is list and len(value) == 2 and value[0] == []:
            return LineMap({_key_path(path): line for path, line in _pairs(value[1])})
        raise _bad("line map")
    flat = value[0]
    if type(flat) is not list or len(flat) % 3:
        raise _bad("line map")
    parents, lines = flat[0::3], flat[2::3]
    if not (_INTS.issuperset(map(type, parents)) and _INTS.issuperset(map(type, lines))
            and _LINE_KEYS.issuperset(map(type, flat[1::3]))):
        raise _bad("line map")
    # Each triple's parent numbers an earlier triple from 1 (0: the top).
    if parents and (min(parents) < 0
                    or not all(map(operator.le, parents, range(len(parents))))):
        raise _bad("line map")
    return LineMap(flat=tuple(flat))


def _key_path(value: Any) -> tuple:
    if type(value) is not list or not _LINE_KEYS.issuperset(map(type, value)):
        raise _bad("key path")
    return tuple(value)


def _pairs(value: Any) -> list[tuple[Any, int]]:
    if type(value) is not list:
        raise _bad("line map")
    pairs = []
    for pair in value:
        if type(pair) is not list or len(pair) != 2 or type(pair[1]) is not int:
            raise _bad("line map")
        pairs.append((pair[0], pair[1]))
    return pairs


_RECORDS: dict[type, Callable[[Any], Any]] = {}
_ENCODERS: dict[type, Callable[[Any], Any]] = {}


def _record(cls: type) -> Callable[[Any], Any]:
    """A record from the list of its fields' values, each checked by its annotation."""
    found = _RECORDS.get(cls)
    if found is not None:
        return found
    fields = dataclasses.fields(cls)
    if not all(field.init for field in fields):
        raise TypeError(f"the check cache cannot store {cls.__name__}: a field is not in "
                        "__init__; teach cache_codec.py how")
    hints = typing.get_type_hints(cls)
    plain: list[tuple[int, frozenset]] = []
    lists: list[tuple[int, frozenset]] = []
    converted: list[tuple[int, Callable[[Any], Any]]] = []
    for index, field in enumerate(fields):
        decoder = _decoder(hints[field.name])
        if isinstance(decoder, _PlainList):
            lists.append((index, decoder))
        elif isinstance(decoder, frozenset):
            plain.append((index, decoder))
        else:
            converted.append((index, decoder))
    count, check, name = len(fields), _RECORD_CHECKS.get(cls), cls.__name__

    def decode(value: Any) -> Any:
        if type(value) is not list or len(value) != count:
            raise _bad(name)
        for index, allowed in plain:
            if type(value[index]) not in allowed:
                raise _bad(name)
        for index, items in lists:
            found = value[index]
            if type(found) is not list or not items.issuperset(map(type, found)):
                raise _bad(name)
        for index, convert in converted:
            value[index] = convert(value[index])  # our own freshly parsed list
        record = cls(*value)
        if check is not None and not check(record):
            raise _bad(name)
        return record

    names = [field.name for field in fields]
    getter = operator.attrgetter(*names)
    _ENCODERS[cls] = getter if len(names) > 1 else lambda record: (getter(record),)
    _RECORDS[cls] = decode
    return decode


def _decoder(hint: Any, optional: bool = False) -> Decoder:
    """How to read a value annotated `hint` (None too when `optional`)."""
    plain = _PLAIN.get(hint)
    if plain is not None:
        return plain | {_NONE} if optional else plain
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        others = [arg for arg in args if arg is not _NONE]
        if len(others) == 1:
            return _decoder(others[0], optional=True)
        alternatives = [_decoder(arg) for arg in args]  # plain types only, as `str | int`
        if all(isinstance(alternative, frozenset) for alternative in alternatives):
            return frozenset().union(*alternatives, {_NONE} if optional else ())
    elif origin is list and len(args) == 1:
        return _maybe(_sequence(_decoder(args[0]), list), optional)
    elif origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return _maybe(_sequence(_decoder(args[0]), tuple), optional)
    elif origin is tuple and args:
        return _maybe(_fixed_tuple([_decoder(arg) for arg in args]), optional)
    elif isinstance(hint, type) and issubclass(hint, enum.Enum):
        members: dict[Any, Any] = {member.value: member for member in hint}
        if not issubclass(hint, str):  # a str enum is written as its text by json itself
            _ENCODERS[hint] = operator.attrgetter("value")
        if optional:
            members[None] = None
        return members.__getitem__
    elif hint is dt.date:
        return _Dates(optional).__getitem__
    elif hint is LineMap:
        return _maybe(_line_map, optional)
    elif isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _maybe(_record(hint), optional)
    raise TypeError(f"the check cache cannot store {hint!r}: teach cache_codec.py its type")


def _maybe(decoder: Decoder, optional: bool) -> Decoder:
    return _optional(_callable(decoder)) if optional else decoder


def _encode_lines(lines: LineMap) -> list:
    # The flat form is all a LineMap from the loader holds; one built from a
    # dict of paths (never the loader's) keeps its dict.
    if lines.flat or not lines.lines:
        return [lines.flat]
    return [[], [[path, line] for path, line in lines.lines.items()]]


def _default(value: Any) -> Any:
    encode = _ENCODERS.get(type(value))
    if encode is None:
        raise TypeError(f"the check cache has no encoding for {type(value).__name__}")
    return encode(value)


_ENTRIES: dict[str, Callable[[Any], Any]] = {}


def _entries() -> dict[str, Callable[[Any], Any]]:
    """The entry kinds' decoders (and so their encoders), made on first use: a
    re-check that reuses the corpus pass reads problems only."""
    if not _ENTRIES:
        _ENTRIES.update({tag: _record(cls) for tag, cls in ENTRY_TYPES.items()})
    return _ENTRIES


_PROBLEMS = _callable(_sequence(_decoder(Problem), list))
_ENCODERS[dt.date] = dt.date.isoformat
_ENCODERS[LineMap] = _encode_lines
# ASCII only (lone surrogates survive), no spaces, and no check for cycles: records have none.
_ENCODER = json.JSONEncoder(separators=(",", ":"), check_circular=False, default=_default)


def dumps(value: Any) -> bytes:
    """`value` (records, dates, lists, text, numbers) as JSON."""
    return _ENCODER.encode(value).encode("ascii")


# The C scanner behind json.loads, called directly: json.loads first guesses
# the bytes' encoding, a cost 10,000 small results a run notice.
_SCAN = json.JSONDecoder().scan_once


def loads(data: bytes | str) -> Any:
    """The value of JSON `dumps` wrote: ASCII, with nothing around it."""
    try:
        text = data.decode("ascii") if isinstance(data, bytes) else data
        value, end = _SCAN(text, 0)
    except (StopIteration, *DECODE_ERRORS) as error:
        raise Corrupt(f"not JSON: {error!r}") from None
    if end != len(text):
        raise Corrupt("not JSON: more after the value")
    return value


def decode_problems(value: Any) -> list[Problem]:
    """Problems from what `dumps` wrote for a list of them."""
    try:
        return _PROBLEMS(value)
    except DECODE_ERRORS as error:
        raise Corrupt(f"not stored problems: {error}") from None


def encode_problems(problems: list[Problem]) -> bytes:
    return dumps(problems)


FileResult = tuple[Entry | None, list[Problem]]


def encode_result(entry: Entry | None, problems: list[Problem]
                  ) -> tuple[bytes, tuple[str, Sequence[Problem]]]:
    """One file's result as stored, and its summary for the corpus pass: a digest
    of the entry without its body text (what the corpus pass reads of it) and the
    file's own problems. The entry is encoded once, and loses its body text.

    The result is one line of JSON, [kind, entry, problems], then the body as
    UTF-8: JSON would escape and unescape every line break and quote in it.
    """
    if entry is None:
        return b"[null,null," + dumps(problems) + b"]\n", ("-", problems or ())
    _entries()
    body, entry.body = entry.body, ""
    facts = b"\"" + _ENTRY_TAGS[type(entry)].encode() + b"\"," + dumps(entry)
    blob = b"[" + facts + b"," + dumps(problems) + b"]\n" + body.encode()
    return blob, (hashlib.blake2b(facts, digest_size=16).hexdigest(), problems or ())


def decode_result(blob: bytes) -> FileResult:
    """A result `encode_result` stored; Corrupt if the bytes are not one."""
    try:
        head, newline, body = blob.partition(b"\n")
        tag, fields, problems = loads(head)
        if not newline:
            raise _bad("result")
        entry = None if tag is None and fields is None else _entries()[tag](fields)
        if entry is not None:
            entry.body = body.decode()
        elif body:
            raise _bad("result")
        return entry, _PROBLEMS(problems)
    except DECODE_ERRORS as error:
        raise Corrupt(f"not a stored result: {error}") from None


def encode_corpus(problems: list[Problem], probes: dict[str, bool]) -> bytes:
    return dumps([problems, probes])


def decode_corpus(data: bytes) -> tuple[list[Problem], dict[str, bool]]:
    """The corpus pass's problems and the paths it probed, as `encode_corpus` wrote them."""
    try:
        problems, probes = loads(data)
        if type(probes) is not dict or not _PLAIN[bool].issuperset(map(type, probes.values())):
            raise _bad("probes")
        return _PROBLEMS(problems), probes
    except DECODE_ERRORS as error:
        raise Corrupt(f"not a stored corpus pass: {error}") from None
