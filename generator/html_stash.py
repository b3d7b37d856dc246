"""Keep the portal's own HTML out of Python-Markdown's way during a build.

Generated pages are mostly HTML (panels, cards, heat maps) around the
researcher's Markdown body. Python-Markdown would re-parse every one of those
raw HTML blocks with its HTML parser only to pass them through unchanged —
measured at about half of the Markdown time of an insight page. So the
renderer swaps each top-level HTML block of *template* output for a short
comment, MkDocs converts the much smaller Markdown, and the plugin puts the
blocks back in `on_page_content`, before any other plugin (search) sees the page.

Bodies are never stashed: the researcher's Markdown, raw HTML included, goes
through Python-Markdown exactly as written. `tests/test_site.py` pins that a
stashed build produces the same pages as an unstashed one.
"""

from __future__ import annotations

import re

# A raw HTML block as the templates write it: an HTML element at the start of
# a line, running to the next blank line. Templates keep blank lines out of
# their HTML blocks, so each match is a whole, balanced block.
_HTML_BLOCK = re.compile(
    r"^<(?:p|div|dl|article|section|table|ul|ol|blockquote|details|nav|figure|form)\b"
    r".*?(?=\n[ \t]*\n|\n?\Z)", re.MULTILINE | re.DOTALL)
_PLACEHOLDER = re.compile(r"<!--ip-stash:(\d+)-->")
BODY_MARK = "\x1eip-body\x1e"  # where the (unstashed) body goes back in


def stash_blocks(markdown: str, bodies: list[str]) -> tuple[str, tuple[str, ...]]:
    """Replace the template's HTML blocks by placeholders; put the bodies (marked
    with BODY_MARK, in order) back in untouched. Returns the Markdown and the blocks."""
    blocks: list[str] = []

    def keep(match: re.Match[str]) -> str:
        blocks.append(match.group())
        return f"<!--ip-stash:{len(blocks) - 1}-->"

    parts = markdown.split(BODY_MARK)
    stashed = [_HTML_BLOCK.sub(keep, part) for part in parts]
    merged = stashed[0]
    for body, part in zip(bodies, stashed[1:], strict=True):
        merged += body + part
    return merged, tuple(blocks)


def restore_blocks(html: str, blocks: tuple[str, ...]) -> str:
    """Put the stashed blocks back into the page's HTML."""
    if not blocks:
        return html

    def block(match: re.Match[str]) -> str:
        index = int(match.group(1))
        return blocks[index] if index < len(blocks) else ""

    return _PLACEHOLDER.sub(block, html)
