"""The builder seam (issue 15): `portal generate --out DIR` writes a project that
Zensical — which reads mkdocs.yml but runs no MkDocs plugin — builds as it is.

The sample portal (the repository itself) is generated and built with
`zensical build --strict` once; the tests read the built HTML: every entry page
with its title, every link of an entry page leading to a page (and heading)
that exists, the portal's CSS, JavaScript and noindex on each page. Then what
the written configuration and pages may hold: nothing of our plugin, nothing
that would run code in Zensical, texts escaped as the plugin escapes them, and
only what the portal itself publishes from docs/. Tests that build need
Zensical (in the `test` extra) and skip, saying so, without it.
"""

from __future__ import annotations

import os
import posixpath
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import pytest
import yaml
from conftest import BASE_FILES, REPO, TODAY, PortalFactory, run_portal

from generator.check.pipeline import check_portal

SAMPLE_DAY = "2026-11-30"
BUILD_TIMEOUT = 300  # seconds: the sample builds in under one
NOINDEX = '<meta name="robots" content="noindex, nofollow">'
NO_ZENSICAL = ("zensical is not installed (it is in the test extra: "
               "pip install -c constraints.txt -e '.[test]')")


def generate(root: Path, out: Path, day: str = TODAY.isoformat()
             ) -> subprocess.CompletedProcess[str]:
    return run_portal("generate", str(root), "--today", day, "--out", str(out))


def zensical_build(project: Path) -> subprocess.CompletedProcess[str]:
    """`zensical build --strict` in the project, as a user runs it there."""
    pytest.importorskip("zensical", reason=NO_ZENSICAL)
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("GITHUB_ACTIONS", "SOURCE_DATE_EPOCH")}
    return subprocess.run([sys.executable, "-m", "zensical", "build", "--strict"], cwd=project,
                          capture_output=True, text=True, env=environment,
                          timeout=BUILD_TIMEOUT)


def output(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout + result.stderr


def config_of(project: Path) -> dict:
    # The safe loader: it fails on any tag that would build a Python object.
    return yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("zensical") / "project"
    result = generate(REPO, out, SAMPLE_DAY)
    assert result.returncode == 0, output(result)
    return out


@pytest.fixture(scope="module")
def site(project: Path) -> Path:
    result = zensical_build(project)
    assert result.returncode == 0, output(result)
    return project / "site"


def page(site: Path, rel: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((site / rel).read_bytes())


def heading(tree: lxml.html.HtmlElement) -> str:
    """The page's title as its article's first heading shows it (no permalink)."""
    h1 = tree.xpath("//article//h1")[0]
    return "".join(h1.xpath("./text()")).strip()


def entry_pages() -> list[tuple[str, str]]:
    """(page in the site, title) of every insight, persona and journey of the sample."""
    catalog = check_portal(REPO, TODAY).catalog
    return ([(f"insights/{i.id}/index.html", i.title) for i in catalog.insights.values()]
            + [(f"personas/{p.id}/index.html", p.name) for p in catalog.personas.values()]
            + [(f"journeys/{j.id}/index.html", j.title) for j in catalog.journeys.values()])


# --- the sample, built by Zensical ------------------------------------------------------


def test_zensical_builds_the_sample_with_home_insight_persona_and_journey_pages(
        site: Path) -> None:
    home = page(site, "index.html")
    assert home.findtext(".//title") == "Home - Basketful Insight Portal"
    assert heading(home) == "What our customers tell us, and what we did about it"
    assert home.xpath("//article//a[contains(@class, 'ip-stat')]"), "the status counts"
    insight = page(site, "insights/card-verification-loop-in-app/index.html")
    assert heading(insight) == "Bank verification sends app shoppers back to an empty checkout"
    assert insight.xpath("//article//h2[@id='decision']")
    persona = page(site, "personas/busy-parent/index.html")
    assert heading(persona) == "Busy parent"
    journey = page(site, "journeys/online-grocery-order/index.html")
    assert heading(journey) == "Online grocery order"
    assert journey.xpath("//article//*[@id='stage-checkout']"), "the stage the insights link to"
    # The index and decision log read the data the portal's JavaScript filters.
    for rel in ("insights/index.html", "decisions/index.html"):
        app = page(site, rel).xpath("//div[@class='ip-app']")[0]
        assert (site / posixpath.dirname(rel) / app.get("data-src")).resolve().is_file(), rel


@pytest.mark.parametrize(("rel", "title"), entry_pages())
def test_every_entry_page_is_built_with_its_title(site: Path, rel: str, title: str) -> None:
    tree = page(site, rel)
    assert heading(tree) == title
    assert tree.findtext(".//title") == f"{title} - Basketful Insight Portal"


def test_every_link_of_an_entry_page_leads_to_a_page_and_heading_that_exist(
        site: Path) -> None:
    """The template's links are written for MkDocs' layout; Zensical reads them from
    the source file's folder, so a link left as it is lands one folder too high."""
    checked = 0
    for rel, _ in entry_pages():
        base = posixpath.dirname(rel) + "/"
        for href in page(site, rel).xpath("//article//a/@href"):
            url = urlsplit(href)
            if url.scheme or href.startswith(("#", "/")):
                continue
            target = posixpath.normpath(posixpath.join(base, url.path))
            path = site / target / "index.html" if url.path.endswith("/") else site / target
            assert path.is_file(), f"{rel}: {href} leads to nothing"
            if url.fragment.startswith("stage-"):
                assert page(site, str(path.relative_to(site))).xpath(
                    f"//*[@id='{url.fragment}']"), f"{rel}: {href}: no such heading"
            checked += 1
    assert checked > 100


def test_pages_carry_the_portals_styles_script_and_noindex(site: Path) -> None:
    for rel in ("index.html", "insights/index.html", "insights/want-cash-on-delivery/index.html",
                "404.html"):
        html = (site / rel).read_text(encoding="utf-8")
        assert NOINDEX in html, rel
        assert "insight-portal.css" in html and "insight-portal.js" in html, rel
        assert "fonts.googleapis" not in html, rel
    for rel in ("assets/insight-portal.css", "assets/insight-index.json", "robots.txt",
                "feed.xml", "export/insights.csv", "export/journeys.json"):
        assert (site / rel).is_file(), rel
    # An old id (aliases) still forwards to the entry's page.
    assert "delivery-fee-revealed-too-late/" in (
        site / "insights/surprise-delivery-fee/index.html").read_text(encoding="utf-8")


# --- what the written project holds ---------------------------------------------------


def test_written_config_has_no_plugin_of_ours_and_its_folders_inside(project: Path) -> None:
    config = config_of(project)
    plugins = [name for item in config["plugins"]
               for name in (item if isinstance(item, dict) else {item: None})]
    assert "insight-portal" not in plugins
    assert "insight-portal:" not in (project / "mkdocs.yml").read_text(encoding="utf-8")
    assert "hooks" not in config and "INHERIT" not in config
    assert (config["docs_dir"], config["site_dir"]) == ("docs", "site")
    for folder in (config["docs_dir"], config["site_dir"], config["theme"]["custom_dir"]):
        assert (project / folder).resolve().is_relative_to(project.resolve()), folder
    assert (project / "docs/index.md").is_file() and (project / "docs/insights").is_dir()
    # What the plugin adds at build time, written in.
    assert "assets/insight-portal.css" in config["extra_css"]
    assert "assets/insight-portal.js" in config["extra_javascript"]
    assert config["nav"][0] == {"Home": "index.md"}
    assert config["theme"]["font"] is False
    assert {"attr_list", "admonition"} <= {name for name in config["markdown_extensions"]
                                          if isinstance(name, str)}


HOSTILE_YML = """\
site_name: 'Ours <img src=x onerror=alert(1)>'
markdown_extensions:
  - toc:
      permalink: true
      slugify:
        object: os.system
        kwds: {command: "touch %(marker)s"}
  - pymdownx.superfences:
      custom_fences:
        - name: run
          class: run
          format: {object: os.system, kwds: {command: "touch %(marker)s"}}
        - name: mermaid
          class: mermaid
          format: !!python/name:pymdownx.superfences.fence_code_format
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
      emoji_generator: !!python/name:material.extensions.emoji.to_svg
plugins:
  - search
  - insight-portal
"""


def test_a_function_named_for_zensical_stops_generate(make_portal: PortalFactory,
                                                     tmp_path: Path) -> None:
    """Zensical calls `{object, kwds}` in slug and fence options: config_guard
    refuses a name outside its allow-list (as for !!python/name:), so nothing is
    written and nothing runs, whichever builder comes next."""
    marker = tmp_path / "ran"
    root = make_portal(mkdocs_yml=HOSTILE_YML % {"marker": marker})
    out = tmp_path / "project"
    result = generate(root, out)
    assert result.returncode == 1, output(result)
    assert "mkdocs.yml:3: error:" in result.stderr and "mkdocs.yml:8: error:" in result.stderr
    assert not out.exists() and not marker.exists()


def test_only_allowed_functions_reach_zensical(make_portal: PortalFactory,
                                               tmp_path: Path) -> None:
    """Allowed names pass, as plain names Zensical imports; toc's slugify, which
    Zensical would call, is left out of the project (the default slugify)."""
    allowed = HOSTILE_YML.replace(
        "object: os.system\n        kwds: {command: \"touch %(marker)s\"}",
        "object: markdown.extensions.toc.slugify_unicode")
    allowed = allowed.replace(
        "        - name: run\n          class: run\n"
        "          format: {object: os.system, kwds: {command: \"touch %(marker)s\"}}\n", "")
    assert "os.system" not in allowed
    root = make_portal(mkdocs_yml=allowed)
    out = tmp_path / "project"
    result = generate(root, out)
    assert result.returncode == 0, output(result)
    extensions = {name: options for item in config_of(out)["markdown_extensions"]
                  for name, options in (item if isinstance(item, dict) else {item: {}}).items()}
    assert extensions["toc"] == {"permalink": True}
    assert extensions["pymdownx.superfences"]["custom_fences"] == [
        {"name": "mermaid", "class": "mermaid",
         "format": "pymdownx.superfences.fence_code_format"}]
    assert extensions["pymdownx.emoji"] == {
        "emoji_index": "material.extensions.emoji.twemoji",
        "emoji_generator": "material.extensions.emoji.to_svg"}
    assert config_of(out)["site_name"] == "Ours &lt;img src=x onerror=alert(1)&gt;"
    built = zensical_build(out)
    assert built.returncode == 0, output(built)


def test_front_matter_and_hand_written_pages_are_escaped_and_cleaned(
        make_portal: PortalFactory, tmp_path: Path) -> None:
    """The theme prints titles as they are; the plugin escapes them, and cleans
    hand-written pages as it cleans bodies: the project is written that way."""
    title = "Fees <img src=x onerror=alert(1)> at checkout"
    insight = BASE_FILES["insights/fees-surprise.md"].replace(
        "title: Delivery fee surprises shoppers at checkout", f"title: '{title}'")
    root = make_portal({
        "insights/fees-surprise.md": insight,
        "docs/guide.md": f"---\ntitle: '{title}'\nhide: navigation\n---\n\n# Guide\n\n"
                         "<script>alert(2)</script>\n\nPlain text stays.\n",
    })
    out = tmp_path / "project"
    result = generate(root, out)
    assert result.returncode == 0, output(result)
    escaped = "title: Fees &lt;img src=x onerror=alert(1)&gt; at checkout"
    assert escaped in (out / "docs/insights/fees-surprise.md").read_text(encoding="utf-8")
    guide = (out / "docs/guide.md").read_text(encoding="utf-8")
    assert escaped in guide
    assert "hide" not in guide  # not a list: the theme could not use it (page-meta)
    assert "<script" not in guide and "Plain text stays." in guide
    built = zensical_build(out)
    assert built.returncode == 0, output(built)
    for rel in ("guide/index.html", "insights/fees-surprise/index.html"):
        tree = page(out / "site", rel)
        assert not tree.xpath("//img[@onerror]|//script[contains(., 'alert(')]"), rel
        assert title in tree.findtext(".//title"), rel  # shown as text, not run


def test_only_what_the_portal_publishes_is_copied_from_docs(make_portal: PortalFactory,
                                                            tmp_path: Path) -> None:
    root = make_portal({"docs/guide.md": "# Guide\n", "docs/img/logo.png": b"\x89PNG\r\n",
                        "docs/.draft.md": "# Hidden\n", "docs/templates/x.md": "# Not a page\n",
                        "notes/shared.md": "# Shared\n"})
    (root / "docs/shared.md").symlink_to(root / "notes/shared.md")  # inside the repository
    out = tmp_path / "project"
    result = generate(root, out)
    assert result.returncode == 0, output(result)
    docs = out / "docs"
    assert (docs / "guide.md").read_text(encoding="utf-8") == "# Guide\n"
    assert (docs / "img/logo.png").read_bytes() == b"\x89PNG\r\n"
    assert (docs / "shared.md").is_file() and not (docs / "shared.md").is_symlink()
    assert not (docs / ".draft.md").exists() and not (docs / "templates").exists()
    assert (docs / "insights/fees-surprise.md").is_file()


def test_generate_refuses_a_folder_that_is_not_its_own(make_portal: PortalFactory,
                                                       tmp_path: Path) -> None:
    root = make_portal()
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "todo.txt").write_text("mine", encoding="utf-8")
    for out in (root, root / "insights", foreign):
        result = generate(root, out)
        assert result.returncode == 2, output(result)
        assert "--out" in result.stderr and "Traceback" not in result.stderr
    assert (root / "mkdocs.yml").read_text(encoding="utf-8") == config
    assert list(foreign.iterdir()) == [foreign / "todo.txt"]
    assert not (root / "docs").exists() and not (root / "insights/docs").exists()


def test_generate_again_replaces_the_last_project(make_portal: PortalFactory,
                                                  tmp_path: Path) -> None:
    root = make_portal()
    out = tmp_path / "project"
    assert generate(root, out).returncode == 0
    stale = out / "docs/insights/renamed-since.md"
    stale.write_text("# Gone from the portal\n", encoding="utf-8")
    (out / "site").mkdir()  # Zensical's output stays
    result = generate(root, out)
    assert result.returncode == 0, output(result)
    assert not stale.exists()
    assert (out / "docs/insights/fees-surprise.md").is_file() and (out / "site").is_dir()
    assert not list(out.glob(".docs-writing-*"))
