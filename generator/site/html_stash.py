"""Keep the portal's own HTML out of Python-Markdown's way during a build.

Generated pages are mostly HTML (panels, cards, heat maps) around the
researcher's Markdown body. Python-Markdown would re-parse every one of those
raw HTML blocks with its HTML parser only to pass them through unchanged —
measured at about half of the Markdown time of an insight page. So the
renderer swaps each top-level HTML block of *template* output for a short
placeholder, MkDocs converts the much smaller Markdown, and the plugin puts
the blocks back before the page is written. The placeholder is a paragraph of
one word between private-use characters, not an HTML comment: comments would
send the page through Python-Markdown's HTML parser again (0.3 ms a page).

Material's search plugin reads every page with Python's HTMLParser, whose cost
is per tag: an insight page's badges, fact lists and cards made it 15 times
dearer to index than a plain page (1.3 ms against 0.08 ms). So while search
reads the page, each block is shown as one paragraph of its text
(`search_view`) — every word stays searchable — and `restore_blocks` puts the
real HTML back once search has read it (`on_page_context`). A block marked as
navigation (`data-pagefind-ignore`, as cards linking to other pages are) is left
out of the search view, as Pagefind leaves it out: it would make a page match
every query its neighbours match.

Two rules for templates follow, for the package's and a portal's overrides:
an HTML block starts a line with a block-level element and has no blank line
inside (a blank line ends the stashed block there), and navigation is marked
with `data-pagefind-ignore`. tests/test_site.py holds the package's templates
to the first (a stashed build equals an unstashed one).

Content cannot forge a placeholder: each one carries a nonce drawn when this
module loads (forked workers inherit it), and `portal check` refuses control
and private-use characters in any text anyway (`hidden-character`).

Bodies are never stashed: the researcher's Markdown, raw HTML included, goes
through Python-Markdown exactly as written. `tests/test_site.py` pins that a
stashed build produces the same pages as an unstashed one.
"""

from __future__ import annotations

import re
import secrets

# A raw HTML block as the templates write it: a paragraph (text between blank
# lines) that starts with a block-level element. Templates keep blank lines
# out of their HTML blocks, so each is a whole, balanced block; HTML in the
# middle of a paragraph is inline HTML to Python-Markdown and stays put.
_BLOCK_START = re.compile(
    r"<(?:p|div|dl|article|section|table|ul|ol|blockquote|details|nav|figure|form)[\s>]")
_BLANK_LINE = re.compile(r"(\n[ \t]*\n)")
_MARK = "\ue000"  # private use: no text a template writes has it
_NONCE = secrets.token_hex(8)  # per process: a body cannot guess it
_STASH = f"ip-stash-{_NONCE}:"
# A placeholder as Python-Markdown converts it: a paragraph of its own (or, had a
# body ended without a blank line, the end of the body's last paragraph).
_PLACEHOLDER = re.compile(f"<p>{_MARK}{_STASH}(\\d+){_MARK}</p>|{_MARK}{_STASH}(\\d+){_MARK}")
# A placeholder, or a block's search view between its two comments.
_STASHED = re.compile(f"{_PLACEHOLDER.pattern}|<!--{_STASH}(\\d+)--><p>[^<]*</p><!--/ip-stash-->")
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
# What templates mark as navigation (cards linking to other pages): Pagefind leaves
# it out by this attribute, and so does Material's search view below.
NAVIGATION = "data-pagefind-ignore"
BODY_MARK = f"\x1eip-body-{_NONCE}\x1e"  # where the (unstashed) body goes back in


def placeholder(index: int) -> str:
    """The text standing for the index-th stashed block until it is put back."""
    return f"{_MARK}{_STASH}{index}{_MARK}"


def stash_blocks(markdown: str, bodies: list[str]) -> tuple[str, tuple[str, ...], int]:
    """Replace the template's HTML blocks by placeholders; put the bodies (marked
    with BODY_MARK, in order) back in untouched. Returns the Markdown, the blocks,
    and how many characters follow the last body (where it is, counted from the
    end: the same once MkDocs has taken the front matter off)."""
    blocks: list[str] = []

    def stash(part: str) -> str:
        # Split keeping the blank lines, so the Markdown around blocks is untouched.
        pieces = _BLANK_LINE.split(part)
        for index in range(0, len(pieces), 2):
            piece = pieces[index]
            if _BLOCK_START.match(piece):
                block = piece.rstrip("\n")  # the text's final newline stays Markdown's
                blocks.append(block)
                pieces[index] = placeholder(len(blocks) - 1) + piece[len(block):]
        return "".join(pieces)

    stashed = [stash(part) for part in markdown.split(BODY_MARK)]
    merged = stashed[0]
    for body, part in zip(bodies, stashed[1:], strict=True):
        merged += body + part
    return merged, tuple(blocks), len(stashed[-1])


def search_view(html: str, blocks: tuple[str, ...]) -> str:
    """Each placeholder becomes its block's text in one paragraph, still marked
    so that `restore_blocks` can swap the real block back in."""
    if not blocks:
        return html

    def text(match: re.Match[str]) -> str:
        index = _index(match)
        block = blocks[index] if index < len(blocks) else ""
        words = "" if NAVIGATION in block else _SPACE.sub(" ", _TAG.sub(" ", block)).strip()
        return f"<!--{_STASH}{index}--><p>{words}</p><!--/ip-stash-->" + _ending(match, html)

    return _PLACEHOLDER.sub(text, html)


def restore_blocks(html: str, blocks: tuple[str, ...]) -> str:
    """Put the stashed blocks back into the page's HTML, in place of their
    placeholders or search views."""
    if not blocks:
        return html

    def block(match: re.Match[str]) -> str:
        index = _index(match)
        return (blocks[index] if index < len(blocks) else "") + _ending(match, html)

    return _STASHED.sub(block, html)


def _index(match: re.Match[str]) -> int:
    return int(next(group for group in match.groups() if group is not None))


def _ending(match: re.Match[str], html: str) -> str:
    """Python-Markdown ends a raw HTML block with a blank line, a paragraph
    without: add the newline the block would have had, so the file is byte for
    byte the one an unstashed build writes."""
    return "\n" if match.group().startswith("<p>") and match.end() < len(html) else ""
