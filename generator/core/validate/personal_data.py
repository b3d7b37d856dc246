"""Finds likely customer personal data in free text: e-mail addresses, phone
numbers and payment-card numbers (Luhn-checked, so order numbers rarely trip it).

Matches are reported masked, so CI logs do not repeat the data they warn about.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# An e-mail address is found from its "@", looking at most 64 characters back (the
# longest local part there is) and 255 ahead (the longest domain): work bounded
# per "@", so linear in the text. (One pattern over the whole text tried every
# start of a long run of local-part characters: "a." * 300000 + "@" ran for minutes.)
_LOCAL_PART = re.compile(r"[A-Za-z0-9._%+-]{1,64}\Z")
_DOMAIN = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_LOCAL_MAX, _DOMAIN_MAX = 64, 255
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)
# A run of digits with single spaces, dots, dashes or brackets between them.
# Each repetition starts with a digit or bracket, or with one separator and
# then one: a run splits into repetitions in only one way. (Written as
# `[\d()]*(?:[ .\-]?[\d()]+)+`, the same runs, it split them in exponentially
# many ways: 22 digits and a letter took 1.4 s, each further digit doubling it.)
_NUMBER_RUN = re.compile(r"(?<![\w.\-/])[+(]?\d(?:[\d()]|[ .\-][\d()])+(?![\w/]|[.\-]\d)")
_DATE_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")
_NOT_DIGIT = re.compile(r"\D")
_US_PHONE = re.compile(r"\(?\d{3}\)?[ .\-]\d{3}[ .\-]\d{4}")
# Every phone or card number holds at least 9 digits in one run of the
# characters _NUMBER_RUN allows. These find such a run far faster than
# _NUMBER_RUN, whose look-behind is tried at every position of the text; the
# [0-9] one (the same on ASCII text) skips ahead to digits faster still.
_NINE_DIGITS = re.compile(r"\d[\d() .+\-]{7,}\d")
_NINE_ASCII_DIGITS = re.compile(r"[0-9][0-9() .+\-]{7,}[0-9]")


@dataclass(frozen=True, slots=True)
class Finding:
    what: str  # "an e-mail address"
    text: str  # the matched text, for allow patterns
    masked: str  # what may be shown in a report
    offset: int  # position in the scanned text


def find_personal_data(text: str, allow: tuple[re.Pattern[str], ...] = ()) -> Iterator[Finding]:
    for finding in _scan(text):
        if not any(pattern.search(finding.text) for pattern in allow):
            yield finding


def _scan(text: str) -> Iterator[Finding]:
    yield from _emails(text)
    if not (_NINE_ASCII_DIGITS if text.isascii() else _NINE_DIGITS).search(text):
        return
    if "://" in text:  # digits in URLs (dashboard ids, dates) are not phone numbers
        text = _URL.sub(lambda m: " " * len(m.group()), text)
    for match in _NUMBER_RUN.finditer(text):
        candidate = match.group().rstrip(".-")
        if len(candidate) < 9:  # fewer than 9 characters cannot hold 9 digits
            continue
        digits = _NOT_DIGIT.sub("", candidate)
        if 13 <= len(digits) <= 19 and _luhn_valid(digits):
            yield Finding("a payment-card number", candidate, f"card ending {digits[-4:]}",
                          match.start())
        elif _looks_like_phone(candidate, digits):
            yield Finding("a phone number", candidate, f"number ending {digits[-2:]}",
                          match.start())


def _emails(text: str) -> Iterator[Finding]:
    at, searched_to = text.find("@"), 0
    while at >= 0:
        local = _LOCAL_PART.search(text, max(searched_to, at - _LOCAL_MAX), at)
        domain = _DOMAIN.match(text, at + 1, at + 1 + _DOMAIN_MAX) if local else None
        if local and domain:
            address = text[local.start():domain.end()]
            yield Finding("an e-mail address", address,
                          f"{address[0]}…@{domain.group()}", local.start())
            searched_to = domain.end()
        at = text.find("@", max(at + 1, searched_to))


def _looks_like_phone(candidate: str, digits: str) -> bool:
    if not 9 <= len(digits) <= 15 or _DATE_LIKE.fullmatch(candidate):
        return False
    if candidate.startswith("+"):
        return len(digits) >= 8
    if _US_PHONE.fullmatch(candidate):
        return True
    # National formats start with a trunk 0: 020 7946 0958, 0151-496-0000, 07700900123.
    return digits.startswith("0") and 10 <= len(digits) <= 11


def _luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0 and len(set(digits)) > 1
