"""Interrupted and concurrent runs, with real processes.

`update` and `build` are killed (SIGKILL, no chance to clean up) at random moments; every catalog
and page must then hold either its old bytes or its complete new bytes, never a mix. Leftover
temporary files (`.name.*`) may stay, but are never taken for pages and never break a later run.
Two runs at once serialize on the tree lock.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import files
from pipeline.model import PipelineError
from tests.reliability import CLI, EPOCH, digest, japanese, run_cli, translate

PAGES = 120
#: Kills per command; each one is checked, then the run is finished to compare with a clean run.
KILLS = 5


def page(number: int, *, version: int) -> str:
    paragraphs = "\n".join(
        f'<p title="Note {number}-{k}">Paragraph {k} of page {number}: rest, walk and '
        f'<a href="page{(number + 1) % PAGES}.html">read on</a> (v{version}).</p>'
        for k in range(25)
    )
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Page {number}</title></head>\n<body>\n<h1>Page {number}</h1>\n{paragraphs}\n"
        f"</body></html>\n"
    )


def make_tree(root: Path) -> None:
    source = root / "source_html"
    source.mkdir(parents=True)
    for number in range(PAGES):
        (source / f"page{number}.html").write_text(page(number, version=1), encoding="utf-8")
    for command in ("extract", "update"):
        result = run_cli(root, command)
        assert result.returncode == 0, result.stderr


def start(tree: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(CLI), *args],
        cwd=tree,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
        start_new_session=True,  # its own process group: workers are killed with it
    )


def kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert process.stderr is not None
    process.stderr.close()


def visible(found: dict[str, str]) -> dict[str, str]:
    """Digests without temporary files (`.name.XXXX`) an interrupted write may leave, nor the
    lock file, which keeps the process id of a run killed while holding it."""
    return {
        path: sha
        for path, sha in found.items()
        if not Path(path).name.startswith(".")
        or (Path(path).name.startswith(".pipeline") and Path(path).name != files.LOCK_NAME)
    }


def manifests_whole(tree: Path) -> None:
    """Every build manifest there is whole: a header, then complete JSON lines."""
    for manifest in tree.glob(".pipeline-cache/manifest*.jsonl"):
        text = manifest.read_text(encoding="utf-8")
        assert text.endswith("\n"), manifest
        assert all(isinstance(json.loads(line), (dict, list)) for line in text.splitlines())


def assert_old_or_new(now: dict[str, str], old: dict[str, str], new: dict[str, str]) -> int:
    """Every file is whole: its old bytes or its new ones. Returns how many are new."""
    fresh = 0
    for path, sha in now.items():
        assert sha in (old.get(path), new.get(path)), f"{path} is neither old nor new"
        fresh += sha == new.get(path) != old.get(path)
    for path in old.keys() & new.keys():
        assert path in now, f"{path} disappeared"
    return fresh


def kill_at_random(
    tree: Path, reference: Path, args: list[str], watched: str, duration: float
) -> int:
    """Kill `args` KILLS times at random moments, checking the tree each time."""
    rng = random.Random(int(os.environ.get("KILL_SEED", "7")))
    old = visible(digest(tree / watched))
    new = {
        str(tree / Path(p).relative_to(reference)): sha
        for p, sha in visible(digest(reference / watched)).items()
    }
    survived = 0
    for _ in range(KILLS):
        process = start(tree, *args)
        time.sleep(rng.uniform(0.3, 1.05) * duration)  # mostly while it writes
        kill(process)
        assert_old_or_new(visible(digest(tree / watched)), old, new)
        manifests_whole(tree)
        survived += 1
    result = run_cli(tree, *args)  # temporary files left behind must not get in the way
    assert result.returncode == 0, result.stderr
    assert visible(digest(tree / watched)) == new
    return survived


def timed(tree: Path, *args: str) -> float:
    started = time.monotonic()
    result = run_cli(tree, *args)
    assert result.returncode == 0, result.stderr
    return time.monotonic() - started


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    make_tree(root)
    return root


def test_killed_update_leaves_each_catalog_old_or_new(tree: Path, tmp_path: Path) -> None:
    for number in range(PAGES):  # every page changes, so every catalog will be rewritten
        path = tree / f"source_html/page{number}.html"
        path.write_text(page(number, version=2), encoding="utf-8")
    assert run_cli(tree, "extract").returncode == 0
    reference = tmp_path / "reference"
    shutil.copytree(tree, reference)
    duration = timed(reference, "update", "--jobs", "2")
    survived = kill_at_random(tree, reference, ["update", "--jobs", "2"], "locales", duration)
    assert survived == KILLS


def test_killed_build_leaves_each_page_old_or_new(tree: Path, tmp_path: Path) -> None:
    for catalog in (tree / "locales/ja/LC_MESSAGES").glob("*.po"):
        translate(catalog, japanese)
    assert run_cli(tree, "build").returncode == 0
    for catalog in (tree / "locales/ja/LC_MESSAGES").glob("*.po"):
        translate(catalog, lambda m: "新" + japanese(m))  # every translated page changes
    reference = tmp_path / "reference"
    shutil.copytree(tree, reference)
    duration = timed(reference, "build", "--jobs", "2")
    survived = kill_at_random(tree, reference, ["build", "--jobs", "2"], "site", duration)
    assert survived == KILLS


def test_temporary_files_are_never_pages(tree: Path) -> None:
    """What an interrupted atomic write leaves behind is a dotfile, skipped by find_pages."""
    source = tree / "source_html"
    (source / ".page0.html.a1b2c3").write_text("<p>Half a page", encoding="utf-8")
    assert files.find_pages(source) == sorted(f"page{n}.html" for n in range(PAGES))
    result = run_cli(tree, "extract")
    assert result.returncode == 0
    assert not list((tree / "locales/templates").glob(".*.pot"))


def test_two_runs_at_once_serialize_on_the_lock(tree: Path, tmp_path: Path) -> None:
    for number in range(PAGES):
        path = tree / f"source_html/page{number}.html"
        path.write_text(page(number, version=3), encoding="utf-8")
    assert run_cli(tree, "extract").returncode == 0
    reference = tmp_path / "reference"
    shutil.copytree(tree, reference)
    assert run_cli(reference, "update").returncode == 0
    first, second = start(tree, "update"), start(tree, "update")
    assert first.wait(60) == 0 and second.wait(60) == 0
    for process in (first, second):
        kill(process)
    assert visible(digest(tree / "locales")) == {
        str(tree / Path(p).relative_to(reference)): sha
        for p, sha in visible(digest(reference / "locales")).items()
    }


def test_a_run_waits_while_another_holds_the_lock(tree: Path) -> None:
    """`build` locks where it keeps its records, the cache (it only reads the catalogs)."""
    for catalog in (tree / "locales/ja/LC_MESSAGES").glob("*.po"):
        translate(catalog, japanese)
    before = digest(tree / "site")
    with files.tree_lock(tree / ".pipeline-cache"):
        process = start(tree, "build")
        time.sleep(1.5)
        assert process.poll() is None, "build did not wait for the lock"
        assert digest(tree / "site") == before
    assert process.wait(60) == 0
    kill(process)
    assert (tree / "site/ja/page0.html").exists()


def test_the_lock_fails_with_a_clear_message_when_held_too_long(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from pipeline import files\n"
            "with files.tree_lock(Path(sys.argv[1])):\n"
            "    print('held', flush=True); time.sleep(30)",
            str(tmp_path),
        ],
        cwd=Path(__file__).parent.parent,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with (
            pytest.raises(PipelineError, match="another pipeline run holds this lock"),
            files.tree_lock(tmp_path, wait_seconds=0.3),
        ):
            pass
    finally:
        holder.kill()
        holder.wait()
        assert holder.stdout is not None
        holder.stdout.close()


def test_atomic_write_flushes_only_what_replaces_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A catalog that replaces one is on disk before the rename; a new file (nothing to lose)
    and a file the pipeline can write again are not flushed one by one."""
    flushed: list[int] = []
    real_fsync = os.fsync

    def fsync(descriptor: int) -> None:
        flushed.append(descriptor)
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", fsync)
    catalog = tmp_path / "new" / "page.po"
    assert files.atomic_write(catalog, b"first")
    assert flushed == []
    catalog.chmod(0o600)
    assert files.atomic_write(catalog, b"second")
    assert len(flushed) == 1
    assert catalog.read_bytes() == b"second"
    assert catalog.stat().st_mode & 0o777 == 0o600  # the replaced file's mode is kept
    assert not files.atomic_write(catalog, b"second")  # the same bytes: nothing written
    assert files.atomic_write(catalog, b"third", durable=False)
    assert len(flushed) == 1
    assert sorted(p.name for p in catalog.parent.iterdir()) == ["page.po"]
