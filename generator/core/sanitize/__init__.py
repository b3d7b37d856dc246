"""Raw HTML in a Markdown body: what reaches the portal, and what is removed.

The researcher's Markdown is left as it is; only the raw HTML in it is cleaned,
tag by tag, with nh3 (the Python binding of the Rust sanitiser ammonia):

- an element outside ALLOWED_TAGS loses its tags; script, style, frames and
  the like (CONTENT_DROPPED) lose their content too;
- an allowed element keeps only the attributes in ALLOWED_ATTRIBUTES — never
  an event handler (`on…`), `style` or `id` — and no URL whose scheme could
  run code (`javascript:`, `vbscript:`, `data:`);
- HTML comments are dropped: they never showed on a page, and a comment is no
  safe place for notes in a published site; `<!…>` and `<?…>` show as text;
- a Markdown link or image whose URL could run code keeps its text but loses
  the URL (it points to `#`); an attribute list (`{: … }`, attr_list sets any
  attribute) loses event handlers, `style` and such URLs.

Code is left alone: fenced code blocks (as Python-Markdown finds them) and
code spans, except inside a raw HTML block, where Markdown does not apply and
backticks are just characters. `clean_body` returns the cleaned Markdown and
a `Removal` for every thing removed, with its line: the `html-removed` warning
and the rendered page come from the same call, so the warning lists exactly
what the page lacks. What is not recognised as a tag but starts like one is
escaped (`&lt;`), so it shows as text and no browser reads a tag into it.

Reading Markdown by regular expressions cannot match Python-Markdown in every
corner; the MkDocs plugin therefore checks each entry page's HTML once more
after conversion (`dangerous_html`) and removes, with a warning, anything left.

One module per part: body (the passes over a body), tags (raw HTML and the
allow-lists), links (Markdown links and attribute lists), urls (schemes),
regions (code and raw HTML blocks), converted (the check after conversion) and
svg (images published as files).
"""

from .body import Removal, clean_body, is_plain, shown_body
from .converted import dangerous_html, nesting_depth
from .svg import svg_risk
from .tags import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, CONTENT_DROPPED
from .urls import url_scheme

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "CONTENT_DROPPED",
    "Removal",
    "clean_body",
    "dangerous_html",
    "is_plain",
    "nesting_depth",
    "shown_body",
    "svg_risk",
    "url_scheme",
]
