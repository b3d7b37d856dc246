"""The Jinja2 side of the site: the template environment (the package's
templates, a portal's overrides contained and sandboxed), its filters, and the
links pages make to each other.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import traceback
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from ..core.model import RECORD_CLASSES, DecisionStatus, Kind
from ..core.routes import page_path, slug, team_page
from ..core.sanitize import shown_body
from .analysis import HeatScale
from .charts import format_value, sparkline
from .facets import STATUS_LABELS, method_plural
from .sandbox import ClosedSandbox
from .teams import Desk, Team


def template_failure(error: Exception, page: str | None = None) -> str:
    """Which template failed, where and why, in one line."""
    where, line = page or "?", getattr(error, "lineno", None)
    name = getattr(error, "filename", None) or getattr(error, "name", None)
    if name and line:
        where = str(name)
    else:
        # Jinja rewrites tracebacks to show template lines: the innermost
        # template frame is where it failed.
        for frame in traceback.extract_tb(error.__traceback__):
            if not frame.filename.endswith(".py"):
                where, line = frame.filename, frame.lineno
    message = str(error).splitlines()[0] if str(error) else type(error).__name__
    return f"template {where}{f', line {line}' if line else ''} could not render" \
           f"{f' page {page!r}' if page else ''}: {message}"


class Linker:
    """Relative URLs from one page to another, as MkDocs will lay them out."""

    def __init__(self, page_src: str, directory_urls: bool = True) -> None:
        self.directory_urls = directory_urls
        self.page_url = self.url_of(page_src)
        base = self.page_url if self.page_url.endswith("/") \
            else posixpath.dirname(self.page_url)
        self._base = [part for part in base.split("/") if part]

    def url_of(self, src_uri: str) -> str:
        if not src_uri.endswith(".md"):
            return src_uri
        stem = src_uri[:-3]
        if not self.directory_urls:
            return f"{stem}.html"
        if stem == "index" or stem.endswith("/index"):
            return stem[: -len("index")]
        return f"{stem}/"

    def to(self, src_uri: str, anchor: str = "") -> str:
        # posixpath.relpath would do, but it calls os.getcwd() each time and
        # pages make tens of thousands of links.
        target = self.url_of(src_uri)
        parts = [part for part in target.split("/") if part]
        common = 0
        for mine, theirs in zip(self._base, parts, strict=False):  # up to the shorter
            if mine != theirs:
                break
            common += 1
        relative = "/".join([".."] * (len(self._base) - common) + parts[common:])
        if not relative:
            relative = "./"
        elif target == "" or target.endswith("/"):  # a folder URL keeps its slash
            relative += "/"
        return relative + (f"#{anchor}" if anchor else "")

    def insight(self, id: str) -> str:
        return self.to(page_path(Kind.INSIGHT, id))

    def persona(self, id: str) -> str:
        return self.to(page_path(Kind.PERSONA, id))

    def journey(self, id: str, stage: str | None = None) -> str:
        return self.to(page_path(Kind.JOURNEY, id), f"stage-{stage}" if stage else "")

    def team(self, slug: str, anchor: str = "") -> str:
        return self.to(team_page(slug), anchor)

    def index(self, **filters: str) -> str:
        query = "&".join(f"{key}={value}" for key, value in filters.items())
        return self.to("insights/index.md", query)


def strip_unsafe_html(body: str) -> str:
    """The body with what `html-removed` warns about removed: raw HTML is cleaned
    tag by tag with nh3, Markdown is left as it is (see generator/core/sanitize/)."""
    return shown_body(body)


class TemplateFailure(Exception):
    """A template override could not render: one line naming it, for the user."""


class _ContainedLoader(jinja2.FileSystemLoader):
    """The portal's template overrides, never a file from outside the repository:
    an override that is a symbolic link out of it would publish that file."""

    def __init__(self, folder: Path, root: Path) -> None:
        super().__init__(str(folder))
        self.root = os.path.realpath(root)

    def get_source(self, environment: jinja2.Environment, template: str
                   ) -> tuple[str, str, Any]:
        source, filename, uptodate = super().get_source(environment, template)
        real = os.path.realpath(filename)
        if not real.startswith(self.root + os.sep):
            raise TemplateFailure(f"the template override '{template}' is a link to '{real}', "
                                  "outside the portal; it was not read")
        return source, filename, uptodate


def _overrides(template_dir: Path | None, root: Path | None) -> Path | None:
    """The folder of template overrides, if the portal has one inside itself."""
    if template_dir is None or not template_dir.is_dir():
        return None
    real = os.path.realpath(template_dir)
    top = os.path.realpath(root if root is not None else template_dir.parent)
    if real != top and not real.startswith(top + os.sep):
        raise TemplateFailure(f"the templates folder '{template_dir}' is outside the portal "
                              f"('{real}'); template overrides must live inside it")
    return template_dir


# Whose methods a template from the repository may call: the link helper, and the
# portal's records and team desks, whose methods only read (stage(), readings()...).
_TRUSTED = (Linker, *RECORD_CLASSES.values(), Desk, Team, HeatScale)


def environment(template_dir: Path | None, root: Path | None = None) -> jinja2.Environment:
    overrides = _overrides(template_dir, root)
    loaders: list[jinja2.BaseLoader] = []
    if overrides is not None:
        loaders.append(_ContainedLoader(overrides, root or overrides.parent))
    loaders.append(jinja2.PackageLoader("generator.site", "templates"))
    # Overrides come from the repository, which a pull request may change: with
    # any of them, every template renders in Jinja's sandbox, which refuses
    # Python's internals (`cycler.__init__.__globals__.os`). Our own templates
    # alone render outside it: the sandbox makes rendering about a third slower.
    settings: dict[str, Any] = {
        "loader": jinja2.ChoiceLoader(loaders), "autoescape": True, "trim_blocks": True,
        "lstrip_blocks": True, "undefined": jinja2.StrictUndefined,
        "keep_trailing_newline": True}
    env = ClosedSandbox(**settings, trusted=_TRUSTED, functions=("generator.",)) \
        if overrides is not None and any(overrides.iterdir()) \
        else jinja2.Environment(**settings)
    env.filters["status_label"] = lambda status: STATUS_LABELS.get(status, "No decision")
    env.filters["iso"] = lambda date: date.isoformat() if date else ""
    env.filters["percent"] = lambda share: "–" if share is None else f"{round(share * 100)}%"
    env.filters["safe_body"] = lambda body: Markup(strip_unsafe_html(body))
    env.filters["yaml_string"] = lambda text: Markup(json.dumps(str(text), ensure_ascii=False))
    env.filters["metric"] = format_value
    env.globals["sparkline"] = metric_sparkline
    env.globals["days_text"] = days_text
    env.filters["method_plural"] = method_plural
    env.filters["count"] = lambda number: f"{number:,}"
    env.filters["md_escape"] = markdown_escape
    env.filters["label"] = lambda word: str(word).replace("-", " ").capitalize()
    env.filters["slug"] = lambda text: slug(str(text))
    env.globals.update(STATUSES=list(DecisionStatus), STATUS_LABELS=STATUS_LABELS)
    return env


# Python-Markdown's backslash escapes (< > & are HTML-escaped by autoescape).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!])")


def markdown_escape(text: Any) -> str:
    """Text placed in a Markdown heading or line shows as written, not as markup."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def metric_sparkline(metric: Any) -> Markup:
    """A stage metric's readings drawn small (charts.sparkline); empty with fewer than two."""
    points = metric.readings()
    if len(points) < 2:
        return Markup("")
    better = metric.better.value if metric.better else "higher"
    return sparkline(points, target=metric.target, better=better, label=metric.name or "",
                     unit=metric.unit)


def days_text(value: float | None) -> str:
    """A number of days for people: "1 day", "12.5 days", "–" for none."""
    if value is None:
        return "–"
    return f"{value:g} day{'' if value == 1 else 's'}"
