"""An attacker's pull request (issue 12): no script from any title, no code from
templates or mkdocs.yml, no forged build placeholders, no hidden characters.

Each test builds a real portal into tmp_path through the CLI, as CI would, and
reads what the build wrote (or what the browser ran).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import lxml.html
import pytest
from conftest import TODAY, run_portal, write_portal

pytest_plugins = ["browser_support"]

TITLE = 'Checkout <img src=x onerror=alert(1)> </title><script>alert(2)</script> &amp; co'
NAME = "Shopper <svg onload=alert(3)>"
JOURNEY = "Order <iframe src=javascript:alert(4)>"
SITE_NAME = "Basket<script>alert(5)</script>"

HOSTILE = {
    "insights/fees-surprise.md": f"""\
        ---
        title: "{TITLE}"
        summary: Shoppers abandon when the fee first appears at checkout.
        kind: pain
        personas: [shopper]
        journey: order
        stages: [checkout]
        severity: high
        confidence: medium
        evidence:
          - source: support-ticket
            count: 12
        created: 2026-09-20
        authors: [dana]
        decision:
          status: new
        ---
        Body text.
        """,
}


def _hostile_portal(root: Path, search: str = "pagefind") -> Path:
    portal = write_portal(root, HOSTILE, mkdocs_yml=f'site_name: "{SITE_NAME}"\n'
                          "theme: material\nplugins:\n  - search\n  - insight-portal:\n"
                          f"      search: {search}\n")
    for rel, old, new in (("personas/shopper.md", "name: Shopper", f'name: "{NAME}"'),
                          ("journeys/order.md", "title: Order", f'title: "{JOURNEY}"')):
        path = portal / rel
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return portal


@pytest.fixture(scope="module", params=["pagefind", "material"])
def hostile_site(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
                 ) -> Path:
    """The hostile portal built with each search backend: Pagefind's search page and
    Material's index both meet the titles."""
    root = _hostile_portal(tmp_path_factory.mktemp("titles") / "portal", request.param)
    site = root.parent / "site"
    result = run_portal("build", str(root), "--site-dir", str(site), "--today",
                        TODAY.isoformat())
    assert result.returncode == 0, result.stdout + result.stderr
    return site


def _tree(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


@pytest.mark.parametrize(("page", "text"), [
    ("insights/fees-surprise/index.html", TITLE),
    ("personas/shopper/index.html", NAME),
    ("journeys/order/index.html", JOURNEY),
])
def test_a_title_with_markup_shows_as_text_in_title_header_and_heading(
        hostile_site: Path, page: str, text: str) -> None:
    tree = _tree(hostile_site / page)
    assert tree.findtext(".//title") == f"{text} - {SITE_NAME}"
    header = tree.xpath('string(//div[@class="md-header__topic"][@data-md-component])')
    assert " ".join(header.split()) == " ".join(text.split())
    assert " ".join(tree.xpath("string(//h1)").split()) == " ".join(text.split())
    # Nothing the values wrote became an element.
    assert not tree.xpath("//img[@onerror]|//svg[@onload]|//iframe|"
                          "//script[contains(., 'alert(')]")


def test_no_page_feed_or_search_index_carries_the_markup_unescaped(hostile_site: Path) -> None:
    """The JSON data files (insight index, exports) hold the text as data: the
    pages' script shows it as text, which the Chromium test below pins."""
    raw = ("<img src=x onerror", "<script>alert", "<svg onload", "<iframe src=javascript")
    assert (hostile_site / "search" / "search_index.json").is_file() or \
        (hostile_site / "pagefind" / "pagefind.js").is_file()
    for path in hostile_site.rglob("*"):
        if path.suffix in (".html", ".xml") or path.name == "search_index.json":
            text = path.read_text(encoding="utf-8", errors="replace")
            for payload in raw:
                assert payload not in text, (path, payload)


def test_titles_with_markup_run_nothing_in_chromium(hostile_site: Path, chromium) -> None:
    from browser_support import serve

    dialogs: list[str] = []
    with serve(hostile_site) as url:
        context = chromium.new_context()
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        try:
            for path in ("", "insights/fees-surprise/", "personas/shopper/", "journeys/order/",
                         "insights/", "whats-new/"):
                page.goto(url + path, wait_until="load")
                page.wait_for_timeout(200)
            if (hostile_site / "pagefind").is_dir():  # the search page shows it as a result
                page.goto(url + "search/?q=checkout", wait_until="load")
                link = page.locator(".ip-search-results .ip-card-title a").first
                link.wait_for()
                assert " ".join(link.inner_text().split()) == " ".join(TITLE.split())
                assert page.locator(".ip-search-results img, .ip-search-results script, "
                                    ".ip-search-results svg[onload]").count() == 0
            page.goto(url + "insights/fees-surprise/", wait_until="load")
            assert page.title() == f"{TITLE} - {SITE_NAME}"
            assert " ".join(page.locator("h1").first.inner_text().split()) == \
                " ".join(TITLE.split())
        finally:
            context.close()
    assert dialogs == []


# --- templates ---------------------------------------------------------------------------

ESCAPE = '{{ cycler.__init__.__globals__.os.popen("touch %s").read() }}'


def test_a_template_override_cannot_run_code_and_fails_in_one_line(make_portal, tmp_path
                                                                   ) -> None:
    marker = tmp_path / "ran"
    root = make_portal({"templates/tags.md.j2": ESCAPE % marker})
    site = tmp_path / "site"
    result = run_portal("build", str(root), "--site-dir", str(site), "--today",
                        TODAY.isoformat())
    assert result.returncode == 1
    assert not marker.exists()
    assert "Traceback" not in result.stderr
    assert "tags.md.j2, line 1" in result.stderr and "unsafe" in result.stderr
    assert not site.exists()
    generated = run_portal("generate", str(root), "--out", str(tmp_path / "out"),
                           "--today", TODAY.isoformat())
    assert generated.returncode == 1 and "Traceback" not in generated.stderr
    assert not marker.exists()


def test_a_template_override_still_renders_in_the_sandbox(make_portal, tmp_path) -> None:
    root = make_portal({"templates/tags.md.j2": "---\ntitle: Tags\n---\n\n# Our own tags\n\n"
                        "{% for tag, count in tags %}- {{ tag }} ({{ count }})\n{% endfor %}"})
    site = tmp_path / "site"
    result = run_portal("build", str(root), "--site-dir", str(site), "--today",
                        TODAY.isoformat())
    assert result.returncode == 0, result.stderr
    assert "fees (1)" in (site / "tags" / "index.html").read_text(encoding="utf-8")


def test_an_override_linking_out_of_the_repository_is_not_read(make_portal, tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE", encoding="utf-8")
    root = make_portal()
    (root / "templates").mkdir()
    (root / "templates" / "tags.md.j2").symlink_to(secret)
    site = tmp_path / "site"
    result = run_portal("build", str(root), "--site-dir", str(site), "--today",
                        TODAY.isoformat())
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "outside the portal" in result.stderr
    assert not site.exists()


def test_a_theme_custom_dir_template_renders_in_the_sandbox(make_portal, tmp_path) -> None:
    marker = tmp_path / "ran"
    yml = "site_name: T\ntheme:\n  name: material\n  custom_dir: overrides\n" \
          "plugins:\n  - insight-portal\n"
    root = make_portal({"overrides/main.html": '{% extends "base.html" %}{% block content %}'
                        + ESCAPE % marker + "{{ super() }}{% endblock %}"}, mkdocs_yml=yml)
    site = tmp_path / "site"
    result = run_portal("build", str(root), "--site-dir", str(site), "--today",
                        TODAY.isoformat())
    assert result.returncode == 1 and not marker.exists()
    assert "Traceback" not in result.stderr and "main.html" in result.stderr
    (root / "overrides" / "main.html").write_text(
        '{% extends "base.html" %}{% block content %}<p id="ours">ours</p>{{ super() }}'
        "{% endblock %}", encoding="utf-8")
    result = run_portal("build", str(root), "--site-dir", str(site), "--today",
                        TODAY.isoformat())
    assert result.returncode == 0, result.stderr
    assert 'id="ours"' in (site / "index.html").read_text(encoding="utf-8")


# --- mkdocs.yml ----------------------------------------------------------------------------

@pytest.mark.parametrize("setting", [
    "foo: !!python/object/apply:os.system ['touch {marker}']",
    "foo: !!python/object/new:os.system ['touch {marker}']",
    "foo: !!python/name:os.system",
    "hooks: [hooks.py]",
    "INHERIT: {outside}",
    "docs_dir: {outside_dir}",
    "site_dir: {outside_dir}",
])
def test_mkdocs_yml_that_would_run_code_or_leave_the_portal_is_refused(
        make_portal, tmp_path: Path, setting: str) -> None:
    marker, outside_dir = tmp_path / "ran", tmp_path / "elsewhere"
    outside_dir.mkdir()
    outside = tmp_path / "base.yml"
    outside.write_text("site_name: X\n", encoding="utf-8")
    line = setting.format(marker=marker, outside=outside, outside_dir=outside_dir)
    root = make_portal({"hooks.py": f"open({str(marker)!r}, 'w').close()\n"},
                       mkdocs_yml=f"site_name: T\n{line}\nplugins:\n  - insight-portal\n")
    check = run_portal("check", str(root), "--today", TODAY.isoformat(), "--format", "json")
    assert check.returncode == 1
    assert '"rule": "unsafe-config"' in check.stdout and '"line": 2' in check.stdout
    for command in (["build", str(root)], ["generate", str(root), "--out", str(tmp_path / "o")]):
        result = run_portal(*command, "--today", TODAY.isoformat())
        assert result.returncode == 1, result.stderr
        assert "mkdocs.yml:2: error:" in result.stderr and "Traceback" not in result.stderr
    assert not marker.exists()
    assert list(outside_dir.iterdir()) == []


def test_a_function_named_for_zensical_to_call_is_refused(make_portal, tmp_path) -> None:
    """Zensical calls `{object: module.function, kwds: ...}` in an extension's options:
    only the functions !!python/name: may name are allowed there."""
    marker = tmp_path / "ran"
    yml = ("site_name: T\nmarkdown_extensions:\n  - toc:\n      slugify:\n"
           "        object: os.system\n"
           f"        kwds: {{command: 'touch {marker}'}}\n"
           "  - pymdownx.superfences:\n      custom_fences:\n        - name: mermaid\n"
           "          class: mermaid\n          format:\n"
           "            object: pymdownx.superfences.fence_code_format\n"
           "plugins:\n  - insight-portal\n")
    root = make_portal(mkdocs_yml=yml)
    result = run_portal("check", str(root), "--today", TODAY.isoformat())
    assert result.returncode == 1
    [line] = [line for line in result.stdout.splitlines() if "unsafe-config" in line]
    assert line.startswith("mkdocs.yml:3: error:") and "'os.system'" in line
    assert not marker.exists()


def test_material_functions_named_in_mkdocs_yml_stay_allowed(make_portal, tmp_path) -> None:
    yml = ("site_name: T\nmarkdown_extensions:\n  - pymdownx.emoji:\n"
           "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
           "      emoji_generator: !!python/name:material.extensions.emoji.to_svg\n"
           "plugins:\n  - insight-portal\n")
    root = make_portal(mkdocs_yml=yml)
    result = run_portal("check", str(root), "--today", TODAY.isoformat())
    assert "unsafe-config" not in result.stdout


def test_a_repository_folder_cannot_stand_in_for_a_module_mkdocs_imports(
        make_portal, tmp_path) -> None:
    marker = tmp_path / "ran"
    root = make_portal()
    (root / "mkdocs").mkdir()  # `python -m mkdocs` run in the portal would find this first
    for name in ("__init__.py", "__main__.py"):
        (root / "mkdocs" / name).write_text(f"open({str(marker)!r}, 'w').close()\n",
                                            encoding="utf-8")
    result = run_portal("build", ".", "--site-dir", str(tmp_path / "site"), "--today",
                        TODAY.isoformat(), cwd=root)
    assert result.returncode == 0, result.stderr
    assert not marker.exists()


# --- placeholders and hidden characters ------------------------------------------------------

@pytest.mark.parametrize(("front", "body"), [
    ('title: "Mark \\x1eip-body\\x1e here"', "Body."),
    ('title: "Stash \\ue000ip-stash:1\\ue000"', "Body."),
    ("title: Plain", "Text \ue000ip-stash:0\ue000 here."),
    ('title: "A C1 control \\x9b in it"', "Body."),
])
def test_control_and_private_use_characters_are_check_errors_with_a_line(
        make_portal, front: str, body: str) -> None:
    text = HOSTILE["insights/fees-surprise.md"].replace(f'title: "{TITLE}"', front).replace(
        "Body text.", body)
    root = make_portal({"insights/fees-surprise.md": text})
    result = run_portal("check", str(root), "--today", TODAY.isoformat())
    assert result.returncode == 1
    line = 2 if body == "Body." else textwrap.dedent(text).splitlines().index(body) + 1
    assert f"insights/fees-surprise.md:{line}: error:" in result.stdout
    assert "[hidden-character]" in result.stdout and "Traceback" not in result.stderr


def test_a_forged_placeholder_is_never_filled_with_the_pages_own_html(tmp_path) -> None:
    """The preview renders pages even with errors: a body naming a placeholder
    still shows as written, and the page's own blocks stay where they belong."""
    from generator.site.html_stash import restore_blocks, stash_blocks

    forged = "Text \ue000ip-stash:0\ue000 and <!--ip-stash:0--><p>x</p><!--/ip-stash-->"
    markdown, blocks, _ = stash_blocks('<div class="ip-panel">decision</div>\n\nBODY\n', [])
    assert blocks == ('<div class="ip-panel">decision</div>',)
    html = restore_blocks(f"<p>{forged}</p>\n" + markdown.replace("BODY", ""), blocks)
    assert html.count("decision") == 1
    assert forged in html


@pytest.fixture
def serve_url(tmp_path: Path) -> Iterator[Callable[[Path], str]]:
    processes: list[subprocess.Popen] = []

    def start(root: Path) -> str:
        from test_serve import _free_port, _get, _wait_for
        port = _free_port()
        environment = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", str(root), "--dev-addr",
             f"127.0.0.1:{port}", "--today", TODAY.isoformat()],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment))
        url = f"http://127.0.0.1:{port}/"

        def up() -> bool:
            try:
                return bool(_get(url))
            except OSError:
                return False
        assert _wait_for(up)
        return url
    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=30)


def test_the_preview_escapes_titles_too(tmp_path: Path, serve_url) -> None:
    from test_serve import _get

    url = serve_url(_hostile_portal(tmp_path / "portal"))
    tree = lxml.html.fromstring(_get(url + "insights/fees-surprise/"))
    assert tree.findtext(".//title") == f"{TITLE} - {SITE_NAME}"
    assert not tree.xpath("//img[@onerror]|//script[contains(., 'alert(')]")


# --- what a red-team review found after the first round -------------------------------------

@pytest.mark.parametrize(("yml", "extra_files"), [
    # INHERIT or custom_dir chosen through !ENV: a value the screen never saw.
    ("INHERIT: !ENV [NO_SUCH_VARIABLE, base.yml]\nsite_name: T\n",
     {"base.yml": "extra:\n  x: !!python/object/apply:os.system ['touch {marker}']\n"}),
    ("site_name: T\ntheme:\n  name: material\n  custom_dir: !ENV [NO_SUCH_VARIABLE, /etc]\n", {}),
    ("site_name: !ENV [SECRET_TOKEN, x]\n", {}),
    # A merge key builds `hooks:` out of sight.
    ("site_name: T\n<<: {{hooks: [hooks.py]}}\n", {}),
    # An inherited file is screened too.
    ("INHERIT: base.yml\nsite_name: T\n",
     {"base.yml": "hooks: [hooks.py]\n"}),
    # What the screen cannot read, MkDocs does not read either.
    ("%YAML 1.3\n---\nsite_name: !!python/object/apply:os.system ['touch {marker}']\n", {}),
    # Script addresses in links the theme draws.
    ("site_name: T\nrepo_url: 'javascript:alert(1)'\n", {}),
    ("site_name: T\nextra:\n  social:\n    - icon: x\n      link: 'jav&#x61;script:alert(1)'\n",
     {}),
    ("site_name: T\nnav:\n  - Evil: ' JavaScript:alert(1)'\n", {}),
    # An include extension spelled module:Class.
    ("site_name: T\nmarkdown_extensions:\n  - pymdownx.snippets:SnippetExtension:\n"
     "      base_path: [/etc]\n", {}),
    # Markdown calls `module:Class` with the options: any function runs.
    ("site_name: T\nmarkdown_extensions:\n  - os:system:\n      command: touch {marker}\n",
     {}),
    # A plugin that builds nested mkdocs.yml files the screen never sees.
    ("site_name: T\nplugins:\n  - material/projects\n",
     {"projects/sub/mkdocs.yml": "site_name: sub\nhooks: [hook.py]\n"}),
    # An allowed module's import is no allowed function (shutil.rmtree).
    ("site_name: T\nmarkdown_extensions:\n  - toc:\n      slugify: "
     "!!python/name:material.plugins.blog.plugin.rmtree\n", {}),
    # An allowed plugin's file option pointing elsewhere (tags writes its export there).
    ("site_name: T\nplugins:\n  - tags:\n      export_file: ../../../victim.json\n", {}),
    # Folders named in an inherited file are read relative to the main mkdocs.yml.
    ("INHERIT: cfg/base.yml\nsite_name: T\n",
     {"cfg/base.yml": "theme:\n  name: material\n  custom_dir: ../outside\n"}),
])
def test_mkdocs_yml_tricks_are_refused_before_anything_runs(
        make_portal, tmp_path: Path, yml: str, extra_files: dict[str, str]) -> None:
    marker = tmp_path / "ran"
    files = {name: text.format(marker=marker) for name, text in extra_files.items()}
    files["hooks.py"] = f"open({str(marker)!r}, 'w').close()\n"
    yml = yml.format(marker=marker)
    root = make_portal(files, mkdocs_yml=yml + ("" if "plugins:" in yml else "plugins:\n")
                       + "  - insight-portal\n")
    environment = {"SECRET_TOKEN": "s3cr3t-value"}
    check = run_portal("check", str(root), "--today", TODAY.isoformat(), env=environment)
    assert check.returncode == 1 and "[unsafe-config]" in check.stdout, check.stdout
    site = tmp_path / "site"
    built = run_portal("build", str(root), "--site-dir", str(site), "--today",
                       TODAY.isoformat(), env=environment)
    assert built.returncode == 1 and "Traceback" not in built.stderr
    assert "[unsafe-config]" in built.stderr
    assert not marker.exists() and not site.exists()


def test_the_utf16_mkdocs_yml_is_refused(make_portal, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    root = make_portal()
    (root / "mkdocs.yml").write_bytes(
        f"site_name: !!python/object/apply:os.system ['touch {marker}']\n"
        "plugins:\n  - insight-portal\n".encode("utf-16"))
    built = run_portal("build", str(root), "--site-dir", str(tmp_path / "site"))
    assert built.returncode == 1 and "is not UTF-8" in built.stderr
    assert not marker.exists()


def test_theme_templates_cannot_call_mkdocs_objects_methods(make_portal, tmp_path) -> None:
    yml = "site_name: T\ntheme:\n  name: material\n  custom_dir: overrides\n" \
          "plugins:\n  - insight-portal\n"
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE", encoding="utf-8")
    for call in ('config.theme.get_env().from_string("{{ 1 }}").render()',
                 f"page.file.generated(config, 'x.txt', abs_src_path='{secret}')"
                 ".content_string"):
        root = make_portal({"overrides/main.html": '{% extends "base.html" %}'
                            "{% block content %}{{ " + call + " }}{% endblock %}"},
                           mkdocs_yml=yml)
        site = tmp_path / "site"
        built = run_portal("build", str(root), "--site-dir", str(site), "--today",
                           TODAY.isoformat())
        assert built.returncode == 1, built.stderr
        assert "may not be called from a template" in built.stderr
        assert "Traceback" not in built.stderr and not site.exists()


def test_a_snippet_cannot_include_a_linked_file_from_outside(make_portal, tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE", encoding="utf-8")
    yml = ("site_name: T\nmarkdown_extensions:\n  - pymdownx.snippets:\n"
           "      base_path: [insights, personas, journeys]\nplugins:\n  - insight-portal\n")
    root = make_portal({"insights/fees-surprise.md": textwrap.dedent(
        HOSTILE["insights/fees-surprise.md"]).replace(
            "Body text.", '--8<-- "notes.txt"').replace(f'"{TITLE}"', "Fees")},
        mkdocs_yml=yml)
    (root / "insights" / "notes.txt").symlink_to(secret)
    check = run_portal("check", str(root), "--today", TODAY.isoformat())
    assert "insights/notes.txt:1: error:" in check.stdout and "[outside-link]" in check.stdout
    site = tmp_path / "site"
    run_portal("build", str(root), "--site-dir", str(site), "--today", TODAY.isoformat())
    assert not any("TOP-SECRET-VALUE" in path.read_text(errors="replace")
                   for path in site.rglob("*") if path.is_file()) if site.exists() else True


def test_mkdocs_yml_texts_reach_the_theme_escaped(make_portal, tmp_path) -> None:
    yml = ("site_name: T\nrepo_url: https://git.example/x\n"
           "repo_name: 'R<img src=x onerror=alert(1)>'\n"
           "theme:\n  name: material\n  palette:\n    - scheme: default\n      toggle:\n"
           "        icon: material/weather-night\n"
           "        name: '\"><img src=x onerror=alert(2)>'\n"
           "extra:\n  social:\n    - icon: fontawesome/brands/github\n"
           "      link: https://git.example/\n      name: '\"><svg onload=alert(3)>'\n"
           "nav:\n  - 'N<img src=x onerror=alert(4)>': index.md\n"
           "plugins:\n  - insight-portal\n")
    root = make_portal({"docs/index.md": "# Hello\n"}, mkdocs_yml=yml)
    site = tmp_path / "site"
    built = run_portal("build", str(root), "--site-dir", str(site), "--today",
                       TODAY.isoformat())
    assert built.returncode == 0, built.stderr
    tree = _tree(site / "index.html")
    assert not tree.xpath("//img[@onerror]|//svg[@onload]")
    text = (site / "index.html").read_text(encoding="utf-8")
    assert "N&lt;img src=x onerror=alert(4)&gt;" in text


def test_theme_files_linking_out_of_the_portal_are_refused(make_portal, tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE", encoding="utf-8")
    yml = "site_name: T\ntheme:\n  name: material\n  custom_dir: overrides\n" \
          "plugins:\n  - insight-portal\n"
    root = make_portal({"overrides/main.html": '{% extends "base.html" %}'}, mkdocs_yml=yml)
    (root / "overrides" / "leak.txt").symlink_to(secret)
    check = run_portal("check", str(root), "--today", TODAY.isoformat())
    assert "overrides/leak.txt' is a symbolic link" in check.stdout
    site = tmp_path / "site"
    built = run_portal("build", str(root), "--site-dir", str(site))
    assert built.returncode == 1 and not site.exists()


def test_a_plugin_asking_the_theme_for_its_environment_gets_the_sandbox(
        make_portal, tmp_path) -> None:
    """Material's search plugin renders theme partials in on_config, through
    `theme.get_env()`: a custom_dir partial must not run code there either."""
    marker = tmp_path / "ran"
    yml = "site_name: T\ntheme:\n  name: material\n  custom_dir: overrides\n" \
          "plugins:\n  - search\n  - insight-portal\n"
    partial = ("{% if cycler.__init__ is not undefined %}{% set _ = cycler.__init__"
               f".__globals__.os.system('touch {marker}') %}}{{% endif %}}\n"
               '{% import "partials/languages/en.html" as lang %}\n'
               "{% macro t(key) %}{{ lang.t(key) }}{% endmacro %}\n")
    root = make_portal({"overrides/partials/language.html": partial}, mkdocs_yml=yml)
    built = run_portal("build", str(root), "--site-dir", str(tmp_path / "site"), "--today",
                       TODAY.isoformat())
    assert "Traceback" not in built.stderr
    assert not marker.exists()


# --- a third review ----------------------------------------------------------------------------

def test_a_theme_template_cannot_change_the_configuration_it_is_shown(make_portal, tmp_path
                                                                      ) -> None:
    """Appending `os:system` to config.markdown_extensions from a partial Material
    renders in on_config would have Markdown call it: nothing may change in place."""
    marker = tmp_path / "ran"
    yml = "site_name: T\ntheme:\n  name: material\n  custom_dir: overrides\n" \
          "plugins:\n  - search\n  - insight-portal\n"
    partial = ("{{ config.markdown_extensions.append('os:system') or '' }}"
               "{{ config.mdx_configs.update({'os:system': {'command': 'touch "
               f"{marker}'}}}}) or '' }}}}\n"
               '{% import "partials/languages/en.html" as lang %}\n'
               "{% macro t(key) %}{{ lang.t(key) }}{% endmacro %}\n")
    root = make_portal({"overrides/partials/language.html": partial}, mkdocs_yml=yml)
    site = tmp_path / "site"
    built = run_portal("build", str(root), "--site-dir", str(site), "--today",
                       TODAY.isoformat())
    assert not marker.exists()
    assert built.returncode == 1 and not site.exists()


def test_a_heading_id_cannot_break_out_of_the_table_of_contents(make_portal, tmp_path) -> None:
    heading = "## Hello {id='x\" onmouseover=\"alert(1)\" autofocus onfocus=\"alert(2)'}"
    insight = textwrap.dedent(HOSTILE["insights/fees-surprise.md"]).replace(
        "Body text.", heading).replace(f'"{TITLE}"', "Fees")
    root = make_portal({"insights/fees-surprise.md": insight,
                        "docs/page.md": f"# Page\n\n{heading}\n"},
                       mkdocs_yml="site_name: T\ntheme: material\nplugins:\n  - insight-portal\n")
    check = run_portal("check", str(root), "--today", TODAY.isoformat())
    assert "[html-removed]" in check.stdout and "an id that is not" in check.stdout
    site = tmp_path / "site"
    built = run_portal("build", str(root), "--site-dir", str(site), "--today",
                       TODAY.isoformat())
    assert built.returncode == 0, built.stderr
    for page in ("insights/fees-surprise/index.html", "page/index.html"):
        tree = _tree(site / page)
        assert not tree.xpath("//*[@onmouseover or @onfocus]"), page


def test_a_toc_entry_is_escaped_whatever_made_its_id(make_portal, tmp_path) -> None:
    from types import SimpleNamespace

    from generator.mkdocs.plugin import escape_toc_ids
    inner = SimpleNamespace(id='a"b', children=[])
    outer = SimpleNamespace(id="plain", children=[inner])
    escape_toc_ids([outer])
    assert (outer.id, inner.id) == ("plain", "a&quot;b")


def test_tag_names_reach_the_tags_plugin_escaped(make_portal, tmp_path) -> None:
    yml = "site_name: T\ntheme: material\nplugins:\n  - search\n  - tags\n  - insight-portal\n"
    root = make_portal({"docs/tagged.md": '---\ntags: ["<img src=x onerror=alert(1)>"]\n---\n'
                                          "# Tagged\n",
                        "docs/alltags.md": "# Tags\n\n<!-- material/tags -->\n"},
                       mkdocs_yml=yml)
    site = tmp_path / "site"
    built = run_portal("build", str(root), "--site-dir", str(site), "--today",
                       TODAY.isoformat())
    assert built.returncode == 0, built.stderr
    for page in ("tagged/index.html", "alltags/index.html"):
        assert not _tree(site / page).xpath("//img[@onerror]"), page


def test_extension_options_cannot_make_a_plain_body_run_script(make_portal, tmp_path) -> None:
    yml = ("site_name: T\ntheme: material\nmarkdown_extensions:\n  - pymdownx.emoji:\n"
           "      emoji_generator: !!python/name:pymdownx.emoji.to_png\n"
           "      options:\n        image_path: 'https://invalid.example/'\n"
           "        attributes: {onerror: 'alert(1)'}\nplugins:\n  - insight-portal\n")
    insight = textwrap.dedent(HOSTILE["insights/fees-surprise.md"]).replace(
        "Body text.", "Happy :smile: shopper.").replace(f'"{TITLE}"', "Fees")
    root = make_portal({"insights/fees-surprise.md": insight}, mkdocs_yml=yml)
    site = tmp_path / "site"
    built = run_portal("build", str(root), "--site-dir", str(site), "--today",
                       TODAY.isoformat())
    assert built.returncode == 0, built.stderr
    assert "[html-removed]" in built.stderr
    assert not _tree(site / "insights/fees-surprise/index.html").xpath("//*[@onerror]")


def test_extension_folders_may_not_leave_the_portal(make_portal, tmp_path) -> None:
    secret = tmp_path / "secret.svg"
    secret.write_text("<svg>TOP-SECRET-VALUE</svg>", encoding="utf-8")
    for icons, link in (("[/etc]", False), ("[icons]", True)):
        yml = ("site_name: T\nmarkdown_extensions:\n  - pymdownx.emoji:\n"
               "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
               "      emoji_generator: !!python/name:material.extensions.emoji.to_svg\n"
               f"      options:\n        custom_icons: {icons}\n"
               "plugins:\n  - insight-portal\n")
        root = make_portal({"icons/ok.svg": "<svg/>"}, mkdocs_yml=yml)
        if link:
            (root / "icons" / "leak.svg").symlink_to(secret)
        check = run_portal("check", str(root), "--today", TODAY.isoformat())
        assert check.returncode == 1 and "[unsafe-config]" in check.stdout, check.stdout


# --- a fourth review -----------------------------------------------------------------------------

BINARY_TITLE = "PGltZyBzcmM9eCBvbmVycm9yPWFsZXJ0KCJiaW4xIik+"  # <img src=x onerror=alert("bin1")>


def test_front_matter_of_any_type_reaches_the_theme_as_escaped_text(make_portal, tmp_path
                                                                     ) -> None:
    yml = "site_name: T\ntheme: material\nplugins:\n  - insight-portal\n"
    root = make_portal({
        "docs/bin.md": f"---\ntitle: !!binary {BINARY_TITLE}\n"
                       "description: !!set {'\"><img src=x onerror=alert(2)>': null}\n---\n# B\n",
        "docs/key.md": "---\ntitle: {\"<img src=x onerror=alert('key')>\": 1}\n---\n# K\n"},
        mkdocs_yml=yml)
    site = tmp_path / "site"
    built = run_portal("build", str(root), "--site-dir", str(site), "--today",
                       TODAY.isoformat())
    assert built.returncode == 0, built.stderr
    for page in ("bin/index.html", "key/index.html"):
        assert not _tree(site / page).xpath("//img[@onerror]"), page


def test_theme_meta_of_the_wrong_kind_is_a_warning_not_a_traceback(make_portal, tmp_path
                                                                    ) -> None:
    yml = "site_name: T\ntheme: material\nplugins:\n  - insight-portal\n"
    root = make_portal({"docs/hide.md": "---\nhide: 5\n---\n# H\n",
                        "docs/kind.md": "---\ntemplate: 123\n---\n# K\n",
                        "docs/missing.md": "---\ntemplate: nope.html\n---\n# M\n"},
                       mkdocs_yml=yml)
    check = run_portal("check", str(root), "--today", TODAY.isoformat())
    assert "docs/hide.md:2: warning:" in check.stdout and "docs/kind.md:2: warning:" in check.stdout
    site = tmp_path / "site"
    built = run_portal("build", str(root), "--site-dir", str(site), "--today",
                       TODAY.isoformat())
    assert built.returncode == 0 and "Traceback" not in built.stderr, built.stderr
    assert "docs/missing.md:2: warning: 'template'" in built.stderr
    assert (site / "missing" / "index.html").is_file()
    strict = run_portal("build", str(root), "--site-dir", str(site), "--strict", "--today",
                        TODAY.isoformat())
    assert strict.returncode == 1 and "Traceback" not in strict.stderr


def test_an_svg_that_could_run_script_is_refused_and_never_published(make_portal, tmp_path
                                                                      ) -> None:
    root = make_portal({
        "docs/img/evil.svg": '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        "docs/img/link.svg": '<svg><a href="jav&#x61;script:alert(1)"><text>x</text></a></svg>',
        "docs/img/fine.svg": '<svg xmlns="http://www.w3.org/2000/svg"><rect width="1"/></svg>'})
    check = run_portal("check", str(root), "--today", TODAY.isoformat())
    assert check.stdout.count("[active-image]") == 2, check.stdout
    assert "fine.svg" not in check.stdout
    site = tmp_path / "site"
    run_portal("build", str(root), "--site-dir", str(site), "--today", TODAY.isoformat())
    assert not site.exists()  # an error: nothing is published
    from test_serve import _get, preview
    (tmp_path / "serve").mkdir()
    with preview(root, tmp_path / "serve") as served:  # the preview goes on, without them
        assert "rect" in _get(served.url + "img/fine.svg")
        for name in ("evil", "link"):
            with pytest.raises(OSError):
                _get(served.url + f"img/{name}.svg")
