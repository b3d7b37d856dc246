"""The benchmark harness (benchmarks/): the synthetic corpus is deterministic and
contract-valid, and the benchmark script runs end to end. Nothing here is timed."""

from __future__ import annotations

import importlib.util
import json
import math
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import REPO, run_portal

BENCHMARKS = REPO / "benchmarks"
_spec = importlib.util.spec_from_file_location("benchmark_corpus", BENCHMARKS / "corpus.py")
assert _spec and _spec.loader
corpus = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = corpus  # dataclasses look their module up while it loads
_spec.loader.exec_module(corpus)

STATUSES = ("new", "under-review", "accepted", "in-progress", "done", "declined", "superseded")
KINDS = ("pain", "delight", "need", "behaviour")


def _front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text[4:text.index("\n---", 3)])


def _files(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes()
            for path in sorted(root.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bench") / "portal"
    corpus.generate(root, 200, seed=1)
    return root


def test_the_corpus_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    first = _files(corpus.generate(tmp_path / "a", 60, seed=7).root)
    again = _files(corpus.generate(tmp_path / "b", 60, seed=7).root)
    other = _files(corpus.generate(tmp_path / "c", 60, seed=8).root)
    assert first == again
    assert first != other
    assert sum(name.startswith("insights/") for name in first) == 60


def test_the_command_line_writes_a_corpus(tmp_path: Path) -> None:
    completed = subprocess.run([sys.executable, str(BENCHMARKS / "corpus.py"),
                                str(tmp_path / "out"), "--insights", "12", "--seed", "3"],
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert len(list((tmp_path / "out" / "insights").glob("*.md"))) == 12
    assert (tmp_path / "out" / "docs").is_dir()


def test_a_200_insight_corpus_passes_portal_check(portal: Path) -> None:
    completed = run_portal("check", str(portal), "--today", "2026-11-24", "--format", "json")
    report = json.loads(completed.stdout)
    errors = [problem for problem in report["problems"] if problem["severity"] == "error"]
    assert report["errors"] == 0, errors[:5]
    assert completed.returncode == 0
    # Only reminders (facts about the organisation), never warnings about mistakes.
    rules = {problem["rule"] for problem in report["problems"]}
    assert rules <= {"decision-overdue", "review-date-passed", "persona-review-overdue"}


def test_the_corpus_has_realistic_proportions(portal: Path) -> None:
    insights = {path.stem: _front_matter(path) for path in (portal / "insights").glob("*.md")}
    statuses = Counter(entry["decision"]["status"] for entry in insights.values())
    kinds = Counter(entry["kind"] for entry in insights.values())
    assert set(statuses) == set(STATUSES)
    assert set(kinds) == set(KINDS)
    for status, weight in corpus.STATUSES.items():  # within a point of the intended share
        assert abs(statuses[status] / 200 - weight / sum(corpus.STATUSES.values())) < 0.01

    superseded = {target for entry in insights.values() for target in entry.get("supersedes", [])}
    assert superseded == {key for key, entry in insights.items()
                          if entry["decision"]["status"] == "superseded"}
    assert any(entry.get("related") for entry in insights.values())
    for entry in insights.values():
        assert 1 <= len(entry["personas"]) <= 3
        assert 1 <= len(entry["evidence"]) <= 3
        assert set(entry.get("tags", [])) <= set(corpus.TAGS)
        assert len(entry) >= 11  # 13 on average, plus the fields inside evidence, decision
        assert str(entry["created"]) <= "2026-11-20"
        if entry["decision"]["status"] == "done":
            assert entry["decision"]["outcome"]
    assert len(list((portal / "personas").glob("*.md"))) == corpus.persona_count(200) == 3
    journeys = [_front_matter(path) for path in (portal / "journeys").glob("*.md")]
    assert len(journeys) == corpus.journey_count(200) == 2
    assert all(len(journey["stages"]) == 6 and all(stage["metrics"] for stage in
                                                   journey["stages"]) for journey in journeys)
    body = (portal / "insights" / f"{next(iter(insights))}.md").read_text(encoding="utf-8")
    words = len(body.split("\n---\n", 1)[1].split())
    assert 200 <= words <= 320
    assert "@" not in body


def test_the_benchmark_runs_end_to_end(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--sizes", "50", "--skip-serve",
         "--skip-search", "--work", str(tmp_path / "work"),
         "--json", str(tmp_path / "results.json")],
        capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    output = completed.stdout
    assert "cores" in output.splitlines()[0]
    for column in ("insights", "floor s", "check cold s", "check/floor", "check warm s",
                   "build s", "bare s", "build/bare", "build/build(1k)", "serve reload s",
                   "build peak MB", "site MB", "search index MB"):
        assert f" {column} |" in output, column
    lines = output.splitlines()
    header = next(line for line in lines if line.startswith("| insights"))
    row = next(line for line in lines
               if line.startswith("|") and line.split("|")[1].strip() == "50")
    assert row.count("|") == header.count("|")
    results = json.loads((tmp_path / "results.json").read_text())["results"][0]
    assert results["insights"] == 50 and results["check_errors"] == 0
    assert results["build_s"] > 0 and results["bare_s"] > 0
    assert results["search_index_mb"] > 0 and results["site_mb"] > results["search_index_mb"]
    assert results["serve_reload_s"] is None


# --- the realistic vocabulary and the word picker (issue 19) --------------------------

_search_spec = importlib.util.spec_from_file_location("benchmark_search",
                                                      BENCHMARKS / "search.py")
assert _search_spec and _search_spec.loader
search = importlib.util.module_from_spec(_search_spec)
sys.modules[_search_spec.name] = search
_search_spec.loader.exec_module(search)


def _prose(path: Path) -> str:
    """An insight's title, summary, evidence quotes and body, links as their text."""
    text = path.read_text(encoding="utf-8")
    front = _front_matter(path)
    quotes = [item.get("quote", "") for item in front["evidence"]]
    body = re.sub(r"\]\([^)]*\)", "]", text.split("\n---\n", 1)[1])
    return " ".join([front["title"], front["summary"], *quotes, body])


def _slope(counts: list[int], first: int, last: int) -> float:
    """Least-squares slope of log(count) against log(rank), ranks first..last."""
    xs = [math.log(rank) for rank in range(first, last + 1)]
    ys = [math.log(counts[rank - 1]) for rank in range(first, last + 1)]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return (sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
            / sum((x - mx) ** 2 for x in xs))


@pytest.fixture(scope="module")
def realistic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("realistic") / "portal"
    corpus.generate(root, 300, seed=1, vocabulary="realistic")
    return root


def test_the_synthetic_vocabulary_is_still_the_default(tmp_path: Path) -> None:
    plain = _files(corpus.generate(tmp_path / "a", 20, seed=2).root)
    named = _files(corpus.generate(tmp_path / "b", 20, seed=2, vocabulary="synthetic").root)
    realistic = _files(corpus.generate(tmp_path / "c", 20, seed=2, vocabulary="realistic").root)
    assert plain == named != realistic
    with pytest.raises(ValueError):
        corpus.generate(tmp_path / "d", 5, vocabulary="english")


def test_the_realistic_corpus_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    first = _files(corpus.generate(tmp_path / "a", 30, seed=4, vocabulary="realistic").root)
    again = _files(corpus.generate(tmp_path / "b", 30, seed=4, vocabulary="realistic").root)
    other = _files(corpus.generate(tmp_path / "c", 30, seed=5, vocabulary="realistic").root)
    assert first == again != other
    assert corpus.realistic_vocabulary(4).words == corpus.realistic_vocabulary(4).words
    assert corpus.realistic_vocabulary(4).words != corpus.realistic_vocabulary(5).words


def test_the_realistic_vocabulary_has_thousands_of_words(realistic: Path) -> None:
    vocabulary = corpus.realistic_vocabulary(1)
    assert 4_800 <= len(vocabulary.distinct()) <= 5_200
    bodies = Counter()
    for path in (realistic / "insights").glob("*.md"):
        body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        bodies.update(re.findall(r"[a-z]+", body.lower()))
    assert len(bodies) >= 4_000  # the synthetic text has ~150
    for path in (realistic / "insights").glob("*.md"):  # sentences, not word soup
        body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        for paragraph in body.split("\n\n"):
            if paragraph and not paragraph.startswith("#"):
                assert paragraph[0].isupper() and paragraph.rstrip().endswith(".")
        words = len(body.split())
        assert 200 <= words <= 320


def test_realistic_word_frequencies_fall_with_rank_as_zipf_says(realistic: Path) -> None:
    vocabulary = corpus.realistic_vocabulary(1)
    content = {word for role in ("N", "V", "A", "R") for word in vocabulary.words[role]}
    counts = Counter()
    for path in (realistic / "insights").glob("*.md"):  # nouns, verbs, adjectives, adverbs
        counts.update(word for word in re.findall(r"[a-z]+", _prose(path).lower())
                      if word in content)
    ranked = [count for _, count in counts.most_common()]
    assert -1.2 <= _slope(ranked, 10, 2000) <= -0.8  # Zipf: frequency ~ 1 / rank
    # The vocabulary's own order is the order of frequency: its first nouns are common,
    # its last ones rare.
    nouns = vocabulary.words["N"]
    first = sum(counts[word] for word in nouns[:50]) / 50
    middle = sum(counts[word] for word in nouns[500:550]) / 50
    last = sum(counts[word] for word in nouns[-50:]) / 50
    assert first > 5 * middle > 25 * last


def test_a_realistic_corpus_passes_portal_check(realistic: Path) -> None:
    completed = run_portal("check", str(realistic), "--today", "2026-11-24", "--format", "json")
    report = json.loads(completed.stdout)
    errors = [problem for problem in report["problems"] if problem["severity"] == "error"]
    assert report["errors"] == 0, errors[:5]
    assert completed.returncode == 0
    rules = {problem["rule"] for problem in report["problems"]}
    assert rules <= {"decision-overdue", "review-date-passed", "persona-review-overdue",
                     "possible-duplicate"}


def _article(title: str, prose: str, template: str = "", cards: str = "") -> str:
    return (f'<html><body><nav>Insights Decisions</nav><article class="md-content__inner">'
            f'<h1 id="t">{title}<a class="headerlink" href="#t">&para;</a></h1>'
            f'<p class="ip-card-meta"><span class="ip-badge">Accepted</span></p>'
            f'<h2 id="decision">Decision</h2><dl><dt>Status</dt><dd>{template}</dd></dl>'
            f'<h2 id="what-we-saw">What we saw</h2><p>{prose}</p>'
            f'<div class="ip-cards"><article class="ip-card" data-pagefind-ignore>'
            f'<p>{cards}</p></article></div></article></body></html>')


def test_the_picker_counts_prose_words_and_leaves_template_words_out(tmp_path: Path) -> None:
    site = tmp_path / "site"
    for number in range(20):
        prose = ["Parents carry the kettle."]
        prose += ["The carton leaks."] * (number < 10)  # 50% of the pages
        prose += ["Drivers prefer the voucher."] * (number < 4)  # 20%, a prefix of...
        prose += ["Their preference is odd."] * (number < 6)  # ...this word: neither counts
        prose += ["The hamper was late."] * (number < 2)  # 10%
        prose += ["Because of the decision."] * (number < 4)  # 20%, but a template word
        page = site / "insights" / f"insight-{number}" / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(_article(f"Finding {number}", " ".join(prose),
                                 template="waiting" if number < 4 else "done",
                                 cards="Crumpets everywhere" * (number < 10)),
                        encoding="utf-8")
    (site / "insights" / "index.html").write_text(_article("All", "Carton"), encoding="utf-8")
    counted = search.read_insight_pages(site)
    assert counted.total == 20
    assert counted.pages["carton"] == 10 and "crumpets" not in counted.pages  # cards skipped
    assert {"decision", "status", "accepted", "waiting"} <= counted.ui
    pool = search.candidates(counted)
    assert {"carton", "hamper", "kettle", "parents", "leaks"} <= set(pool)
    for left_out in ("decision", "status", "waiting", "prefer", "preference", "because",
                     "the", "odd", "insights", "crumpets"):
        assert left_out not in pool, left_out
    picks = search.pick_words(counted, (0.5, 0.1, 0.2))
    assert [(pick.word, pick.pages) for pick in picks[:2]] == [("carton", 10), ("hamper", 2)]
    assert picks[2].word != "carton" and picks[2].word in pool  # one word, one fraction


def test_the_picker_finds_words_near_each_fraction_in_a_built_portal(tmp_path: Path) -> None:
    root = tmp_path / "portal"
    corpus.generate(root, 150, seed=2, vocabulary="realistic")
    search.use_search(root / "mkdocs.yml", "material")
    completed = run_portal("build", str(root), "--today", "2026-11-24",
                           "--site-dir", str(tmp_path / "site"))
    assert completed.returncode == 0, completed.stderr[-2000:]
    counted = search.read_insight_pages(tmp_path / "site")
    assert counted.total == 150
    vocabulary = corpus.realistic_vocabulary(2).distinct()
    prose = {path.stem: set(re.findall(r"[a-z]+", _prose(path).lower()))
             for path in (root / "insights").glob("*.md")}
    for pick in search.pick_words(counted, (0.02, 0.07, 0.18, 0.5)):
        assert abs(pick.actual - pick.fraction) <= 0.02 + 0.1 * pick.fraction, pick
        assert pick.word in vocabulary, pick
        # Counted from the HTML, checked against the Markdown the pages were built from.
        assert pick.pages == sum(pick.word in words for words in prose.values()), pick
