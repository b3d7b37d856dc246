"""The check cache is data, checked before it is believed.

- A `.portal-cache/` git tracks (committed in a pull request) is neither read
  nor written, with one notice on stderr: its author could forge results, and
  in the pickle days could run code in CI. Nothing anywhere unpickles it.
- Flipped bytes, a truncated file or valid JSON of the wrong shape in any cache
  file cost a re-check, never a wrong result or a traceback, and the cache
  works again on the next run.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import hashlib
import json
import os
import pickle
import random
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import TODAY, PortalFactory, run_portal
from test_history import git
from test_rules import INSIGHT, base

from generator.check import cache, cache_codec
from generator.check.cache import CACHE_DIR
from generator.check.pipeline import Checker, check_portal
from generator.core.config import load_config
from generator.core.model import BodyLink, Insight, InsightKind, LineMap
from generator.core.problems import Problem, Severity

GIT = shutil.which("git")
NOTICE = "notice: .portal-cache/ is tracked by git"


@pytest.fixture(autouse=True)
def _fresh_notices(monkeypatch) -> None:
    """Each test sees the notice again (it is printed once a process)."""
    monkeypatch.setattr(cache, "_notified", set())


class Payload:
    """Unpickling this creates `marker`: the proof that a pickle was loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return open, (str(self.marker), "w")


def frame(value: object) -> bytes:
    """A cache frame as anyone can write one: the checksum catches accidents, not forgers."""
    body = json.dumps(value, separators=(",", ":")).encode()
    return hashlib.sha256(body).hexdigest().encode() + b" " + body + b"\n"


def bodies(path: Path) -> list[bytes]:
    return [line[65:] for line in path.read_bytes().split(b"\n")[:-1]]


def forge_clean(root: Path, rel: str, text: str) -> None:
    """Make the main cache file say that `rel` holding `text` was checked and is clean."""
    main = root / CACHE_DIR / cache.CACHE_FILE
    header, records, corpus = main.read_bytes().split(b"\n")[:3]
    columns = json.loads(records[65:])
    columns["digests"][columns["paths"].index(rel)] = cache.content_hash(text.encode())
    main.write_bytes(header + b"\n" + frame(columns) + corpus + b"\n")


def broken() -> str:
    return base(INSIGHT).replace("kind: pain", "kind: pian")  # same size: bad-value


def rules(result) -> list[str]:
    return [problem.rule for problem in result.problems]


# --- (a) a cache committed in a pull request -----------------------------------------


def test_no_cache_module_can_unpickle() -> None:
    """The modules that read `.portal-cache/` import neither pickle nor marshal."""
    package = Path(cache.__file__).parent
    # (parallel.py pickles only between the processes it forks, never to disk.)
    for name in ("cache.py", "cache_codec.py", "file_pass.py", "pipeline.py"):
        tree = ast.parse((package / name).read_text(encoding="utf-8"))
        imported = {alias.name for node in ast.walk(tree)
                    if isinstance(node, ast.Import | ast.ImportFrom)
                    for alias in node.names} | {node.module for node in ast.walk(tree)
                                                if isinstance(node, ast.ImportFrom)}
        assert not imported & {"pickle", "_pickle", "marshal", "shelve", "dill"}, name


def test_a_forged_cache_is_believed_when_git_does_not_track_it(make_portal: PortalFactory
                                                                ) -> None:
    """The control for the test below: the forgery works on a local, untracked cache
    (that is the cache doing its job), so ignoring a tracked one is what stops it."""
    root = make_portal()
    assert run_portal("check", str(root), "--today", TODAY.isoformat()).returncode == 0
    (root / INSIGHT).write_text(broken(), encoding="utf-8")
    forge_clean(root, INSIGHT, broken())
    result = run_portal("check", str(root), "--today", TODAY.isoformat())
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.skipif(GIT is None, reason="needs git")
def test_a_committed_cache_is_ignored_with_a_notice_and_no_pickle_runs(
        make_portal: PortalFactory, tmp_path: Path) -> None:
    root = make_portal()
    marker = tmp_path / "pwned"
    check_portal(root, TODAY)  # a genuine cache, then forged to hide the broken insight
    (root / INSIGHT).write_text(broken(), encoding="utf-8")
    forge_clean(root, INSIGHT, broken())
    folder = root / CACHE_DIR
    for name in ("check.pickle", "check.journal"):  # what older versions unpickled
        (folder / name).write_bytes(pickle.dumps(Payload(marker)))
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "add", "-f", CACHE_DIR)  # as a pull request would
    git(root, "commit", "-q", "-m", "broken insight, clean cache")
    before = {path.name: path.read_bytes() for path in folder.iterdir()}

    text = run_portal("check", str(root), "--today", TODAY.isoformat())
    report = run_portal("check", str(root), "--today", TODAY.isoformat(), "--format", "json")

    assert not marker.exists()
    assert text.returncode == report.returncode == 1
    assert "bad-value" in text.stdout and "Traceback" not in text.stderr + report.stderr
    assert [line for line in text.stderr.splitlines() if line] == [
        f"{NOTICE}, so the check cache was ignored (a cache committed in a pull request "
        "could forge check results); remove it from git with "
        "`git rm -r --cached .portal-cache` in the portal root"]
    assert report.stderr == text.stderr
    assert [p["rule"] for p in json.loads(report.stdout)["problems"]] == ["bad-value"]
    # Neither read nor written: the committed files are as they were.
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before


@pytest.mark.skipif(GIT is None, reason="needs git")
def test_portal_build_ignores_a_committed_cache_too(make_portal: PortalFactory,
                                                   tmp_path: Path) -> None:
    root = make_portal()
    marker = tmp_path / "pwned"
    folder = root / CACHE_DIR
    folder.mkdir()
    (folder / "check.pickle").write_bytes(pickle.dumps(Payload(marker)))
    (folder / cache.CACHE_FILE).write_bytes(pickle.dumps(Payload(marker)))
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "add", "-f", CACHE_DIR)
    git(root, "commit", "-q", "-m", "a cache")
    result = run_portal("build", str(root), "--today", TODAY.isoformat(),
                        "--site-dir", str(tmp_path / "site"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert not marker.exists()
    assert result.stderr.count(NOTICE) == 1 and "Traceback" not in result.stderr


def test_an_old_pickled_cache_is_never_loaded_and_goes(make_portal: PortalFactory,
                                                       tmp_path: Path) -> None:
    root = make_portal()
    marker = tmp_path / "pwned"
    folder = root / CACHE_DIR
    folder.mkdir()
    for name in ("check.pickle", "check.journal", cache.CACHE_FILE, cache.JOURNAL_FILE):
        (folder / name).write_bytes(pickle.dumps(Payload(marker)))
    result = run_portal("check", str(root), "--today", TODAY.isoformat())
    assert (result.returncode, result.stderr) == (0, "")
    assert not marker.exists()
    assert not (folder / "check.pickle").exists() and not (folder / "check.journal").exists()
    assert check_portal(root, TODAY).cached_files == 3


def test_a_symlinked_cache_folder_is_not_followed(make_portal: PortalFactory, tmp_path: Path,
                                                  capsys) -> None:
    root = make_portal()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / CACHE_DIR).symlink_to(elsewhere)
    assert check_portal(root, TODAY).cached_files == 0
    assert check_portal(root, TODAY).cached_files == 0
    assert list(elsewhere.iterdir()) == []
    notices = capsys.readouterr().err.splitlines()
    assert len(notices) == 1 and notices[0].startswith(
        "notice: .portal-cache is a symbolic link, so the check cache was ignored")


def test_git_failing_inside_a_repository_is_not_taken_for_untracked(
        make_portal: PortalFactory, monkeypatch, capsys) -> None:
    root = make_portal()
    check_portal(root, TODAY)
    (root / ".git").mkdir()  # a repository git refuses to read (say, another user's)
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(
        a, 128, b"", b"fatal: detected dubious ownership in repository at '/x'\n"))
    assert check_portal(root, TODAY).cached_files == 0
    assert capsys.readouterr().err == (
        "notice: git could not tell whether .portal-cache/ is tracked (fatal: detected "
        "dubious ownership in repository at '/x'), so the check cache was ignored\n")


def test_without_git_the_cache_is_used(make_portal: PortalFactory, monkeypatch,
                                       capsys) -> None:
    root = make_portal()
    check_portal(root, TODAY)
    (root / ".git").mkdir()

    def no_git(*args, **kwargs):
        raise FileNotFoundError("git")

    monkeypatch.setattr(subprocess, "run", no_git)
    assert check_portal(root, TODAY).cached_files == 3
    assert capsys.readouterr().err == ""


# --- (b) flipped bytes and truncation ------------------------------------------------------


def _flip(count: int, seed: int) -> Callable[[bytes], bytes]:
    def flip(data: bytes) -> bytes:
        rng = random.Random(seed)
        changed = bytearray(data)
        for _ in range(count):
            changed[rng.randrange(len(changed))] ^= rng.randrange(1, 256)
        return bytes(changed)
    return flip


CORRUPTIONS: dict[str, Callable[[bytes], bytes]] = {
    **{f"flip {count} byte(s), seed {seed}": _flip(count, seed)
       for count in (1, 3) for seed in range(6)},
    "truncated to half": lambda data: data[:len(data) // 2],
    "last byte gone": lambda data: data[:-1],
    "emptied": lambda data: b"",
    "garbage appended": lambda data: data + b"\x80\xff{not json\n",
    "a pickle instead": lambda data: pickle.dumps({"key": "value"}),
}


def _portal_with_journal(make_portal: PortalFactory, monkeypatch) -> Path:
    """A portal with an error and a warning, its cache with a main file, a results
    file and a journal."""
    monkeypatch.setattr(cache, "JOURNAL_MAX_SIZE", 10)  # the test portal's cache is tiny
    root = make_portal({INSIGHT: base(INSIGHT).replace("status: accepted",
                                                       "status: under-review")})
    check_portal(root, TODAY)
    path = root / "personas" / "shopper.md"
    path.write_text(path.read_text(encoding="utf-8").replace("surprise fees", "sruprise fees"),
                    encoding="utf-8")
    check_portal(root, TODAY)
    (root / "insights" / "loose.md").write_text(base(INSIGHT).replace("kind: pain", "kind: x"),
                                                encoding="utf-8")
    check_portal(root, TODAY)
    assert (root / CACHE_DIR / cache.JOURNAL_FILE).stat().st_size > 0
    return root


def _cache_file(root: Path, target: str) -> Path:
    if target == "results":
        [path] = (root / CACHE_DIR).glob("check-*.results")
        return path
    return root / CACHE_DIR / (cache.CACHE_FILE if target == "main" else cache.JOURNAL_FILE)


@pytest.mark.parametrize("target", ["main", "journal", "results"])
def test_corrupt_bytes_cost_a_recheck_never_a_wrong_result(make_portal: PortalFactory,
                                                           monkeypatch, target: str) -> None:
    root = _portal_with_journal(make_portal, monkeypatch)
    expected = check_portal(root, TODAY, use_cache=False).problems
    assert {p.rule for p in expected} == {"bad-value", "decision-overdue"}
    folder = root / CACHE_DIR
    saved = {path.name: path.read_bytes() for path in folder.iterdir()}
    for name, corrupt in CORRUPTIONS.items():
        shutil.rmtree(folder)
        folder.mkdir()
        for file_name, data in saved.items():
            (folder / file_name).write_bytes(data)
        path = _cache_file(root, target)
        path.write_bytes(corrupt(path.read_bytes()))
        for need_catalog in (False, True):  # `portal check`, then `portal build`
            result = check_portal(root, TODAY, need_catalog=need_catalog)
            assert result.problems == expected, (name, need_catalog)
        again = check_portal(root, TODAY)
        assert (again.problems, again.cached_files) == (expected, again.files_checked), name


@pytest.mark.parametrize("target", ["main", "journal", "results"])
def test_the_live_check_recovers_from_a_corrupt_cache(make_portal: PortalFactory,
                                                      monkeypatch, target: str) -> None:
    root = _portal_with_journal(make_portal, monkeypatch)
    expected = check_portal(root, TODAY, use_cache=False).problems
    path = _cache_file(root, target)
    path.write_bytes(_flip(2, 7)(path.read_bytes()))
    assert Checker(root, keep=True).run(TODAY).problems == expected


@pytest.mark.parametrize("target", ["main", "journal", "results"])
def test_portal_check_on_a_corrupt_cache_says_what_a_fresh_check_says(
        make_portal: PortalFactory, monkeypatch, target: str) -> None:
    root = _portal_with_journal(make_portal, monkeypatch)
    # A front-matter edit, so that the stored results are read too.
    path = root / "insights" / "loose.md"
    path.write_text(path.read_text(encoding="utf-8").replace("kind: x", "kind: y"),
                    encoding="utf-8")
    command = ("check", str(root), "--today", TODAY.isoformat())
    fresh = run_portal(*command, "--no-cache")
    folder = root / CACHE_DIR
    saved = {item.name: item.read_bytes() for item in folder.iterdir()}
    for corrupt in (_flip(1, 3), _flip(4, 4), CORRUPTIONS["truncated to half"]):
        shutil.rmtree(folder)
        folder.mkdir()
        for name, data in saved.items():
            (folder / name).write_bytes(data)
        cache_file = _cache_file(root, target)
        cache_file.write_bytes(corrupt(cache_file.read_bytes()))
        result = run_portal(*command)
        assert (result.returncode, result.stdout, result.stderr) == \
            (fresh.returncode, fresh.stdout, ""), result.stderr
    assert fresh.returncode == 1 and "Traceback" not in fresh.stderr


# --- (c) valid JSON of the wrong shape -------------------------------------------------------


def _rewrite_main(root: Path, change: Callable[[list], None]) -> None:
    """Decode the main file's three frames, let `change` edit them, write them back
    with checksums that verify."""
    main = root / CACHE_DIR / cache.CACHE_FILE
    frames = [json.loads(body) for body in bodies(main)]
    change(frames)
    main.write_bytes(b"".join(frame(value) for value in frames))


def _set_column(name: str, value: object) -> Callable[[list], None]:
    def change(frames: list) -> None:
        frames[1][name][0] = value
    return change


def _bad_problem(frames: list) -> None:
    # Every file's own problems: a problem of a rule that does not exist.
    frames[1]["problems"][0] = [["x.md", 1, "error", "no-such-rule", "m", "h"]]


def _bad_corpus(frames: list) -> None:
    frames[2] = [[["x.md", "one", "error", "bad-value", "m", "h"]], {"a": "yes"}]


def _bad_result(root: Path) -> None:
    """A results file of valid JSON but the wrong shape, with its checksum updated."""
    [results] = (root / CACHE_DIR).glob("check-*.results")
    data = results.read_bytes()
    start = data.index(b'["insight",')
    lines = data[start:].index(b"]\n")
    data = data[:start] + b'["insight",{"id":5},[]'.ljust(lines) + data[start + lines:]
    results.write_bytes(data)

    def change(frames: list) -> None:
        frames[0]["results_sha256"] = hashlib.sha256(data).hexdigest()
    _rewrite_main(root, change)


def _bad_journal(root: Path) -> None:
    journal = root / CACHE_DIR / cache.JOURNAL_FILE
    key = json.loads(bodies(root / CACHE_DIR / cache.CACHE_FILE)[0])["key"]
    journal.write_bytes(journal.read_bytes()
                        + frame([key, [[INSIGHT, "d", "1", 2, 3, None, None]], [], False, None])
                        + frame([key, [], [7, []], "yes", None])
                        + frame({"not": "a frame"})
                        + frame([key, [], [], True, "corpus key with no corpus after it"]))


SHAPES: dict[str, Callable[[Path], None]] = {
    "header is a list": lambda root: _rewrite_main(root, lambda f: f.__setitem__(0, [1])),
    "records are a string": lambda root: _rewrite_main(root, lambda f: f.__setitem__(1, "x")),
    "a path is a list": lambda root: _rewrite_main(root, _set_column("paths", [1])),
    "a start is text": lambda root: _rewrite_main(root, _set_column("starts", "0")),
    "a column is short": lambda root: _rewrite_main(
        root, lambda f: f[1]["lengths"].pop()),
    "a problem of no rule": lambda root: _rewrite_main(root, _bad_problem),
    "a results file name outside": lambda root: _rewrite_main(
        root, lambda f: f[0].__setitem__("results", "../../../etc/passwd")),
    "the corpus pass": lambda root: _rewrite_main(root, _bad_corpus),
    "a result": _bad_result,
    "the journal": _bad_journal,
}


@pytest.mark.parametrize("shape", SHAPES)
def test_valid_json_of_the_wrong_shape_costs_a_recheck(make_portal: PortalFactory,
                                                       monkeypatch, shape: str) -> None:
    root = _portal_with_journal(make_portal, monkeypatch)
    expected = check_portal(root, TODAY, use_cache=False).problems
    SHAPES[shape](root)
    assert check_portal(root, TODAY, need_catalog=False).problems == expected
    assert check_portal(root, TODAY, need_catalog=True).problems == expected
    again = check_portal(root, TODAY)
    assert (again.problems, again.cached_files) == (expected, again.files_checked)


_ODD_VALUES = (None, 0, -1, 10**30, 1.5, True, "", "x", "2026-13-40", [], [[]], [0, 0, 0],
               {}, {"a": 1})


def _positions(value: object, path: tuple = ()) -> list[tuple]:
    found = [path]
    if isinstance(value, list):
        for index, item in enumerate(value):
            found += _positions(item, (*path, index))
    return found


def _replaced(value: object, path: tuple, new: object) -> object:
    if not path:
        return new
    copy = list(value)  # type: ignore[call-overload]
    copy[path[0]] = _replaced(copy[path[0]], path[1:], new)
    return copy


def test_any_value_of_a_stored_result_replaced_decodes_or_is_refused(
        make_portal: PortalFactory) -> None:
    """Every value in a stored result (journey, insight), swapped for values of
    other types: decoding gives records whose fields have their declared types,
    or raises Corrupt — never another exception."""
    from generator.check.file_pass import check_file
    from generator.core.loader import discover, read_source

    root = make_portal()
    config, _ = load_config(root)
    decoded = 0
    for source in discover(root):
        blob, _ = cache_codec.encode_result(*check_file(source, read_source(source.file),
                                                        config))
        head, _, body = blob.partition(b"\n")
        tree = json.loads(head)
        for position in _positions(tree):
            for value in _ODD_VALUES:
                changed = json.dumps(_replaced(tree, position, value)).encode()
                try:
                    entry, problems = cache_codec.decode_result(changed + b"\n" + body)
                except cache_codec.Corrupt:
                    continue
                decoded += 1
                # What decoded is well typed: it encodes again, and reads back equal.
                again = cache_codec.decode_result(cache_codec.encode_result(entry, problems)[0])
                assert again[1] == problems
    assert decoded > 0


def test_the_codec_round_trips_every_record_of_the_sample() -> None:
    from conftest import REPO

    from generator.check.file_pass import check_file
    from generator.core.loader import discover, read_source

    config, _ = load_config(REPO)
    kinds = set()
    for source in discover(REPO):
        entry, problems = check_file(source, read_source(source.file), config)
        expected_body = entry.body if entry is not None else None
        blob, (facts, own) = cache_codec.encode_result(entry, problems)
        loaded, loaded_problems = cache_codec.decode_result(blob)
        assert loaded_problems == problems == list(own)
        if entry is not None:
            entry.body = expected_body
            kinds.add(type(entry))
        assert loaded == entry
    assert Insight in kinds and len(kinds) == 3
    probes = {"docs/guide.md": True, "docs/gone.md": False}
    problem = Problem("a.md", 3, Severity.WARNING, "unused-persona", "m", "h")
    assert cache_codec.decode_corpus(cache_codec.encode_corpus([problem], probes)) == \
        ([problem], probes)


@dataclasses.dataclass(slots=True)
class _Future:
    """A record with fields of every kind the model uses, as a new one might add."""

    name: str
    lines: LineMap
    day: dt.date | None = None
    kind: InsightKind | None = None
    tags: list[str] = dataclasses.field(default_factory=list)
    path: tuple[str | int, ...] = ()
    dated: list[tuple[tuple[str | int, ...], dt.date]] = dataclasses.field(default_factory=list)
    link: BodyLink | None = None
    score: float | None = None


def test_a_new_record_or_field_needs_no_codec_change() -> None:
    """Decoders come from the fields' annotations (in model.py, a new field of
    such a type is stored and read back as it is)."""
    record = _Future("n", LineMap(flat=(0, "a", 2, 1, 0, 3)), dt.date(2026, 1, 2),
                     InsightKind.PAIN, ["x"], ("a", 0), [(("a", 0), dt.date(2026, 1, 3))],
                     BodyLink("../x.md", 4), 2)
    decode = cache_codec._record(_Future)
    assert decode(json.loads(cache_codec.dumps(record))) == record
    with pytest.raises(cache_codec.Corrupt):
        cache_codec.decode_problems([json.loads(cache_codec.dumps(record))])


# --- (d) the cache still does its job -------------------------------------------------------


def test_the_cache_is_used_and_json_on_disk(make_portal: PortalFactory) -> None:
    root = make_portal()
    first, second = check_portal(root, TODAY), check_portal(root, TODAY)
    assert (first.cached_files, second.cached_files) == (0, 3)
    folder = root / CACHE_DIR
    assert sorted(path.name for path in folder.iterdir() if path.suffix != ".results") == [
        ".gitignore", cache.CACHE_FILE]
    for body in bodies(folder / cache.CACHE_FILE)[:2]:
        json.loads(body)
    assert os.stat(folder / cache.CACHE_FILE).st_size > 0
