"""The command line as people meet it: mistyped locale codes, running from a subdirectory,
locks, where output goes, Ctrl-C, set-up. Driven through the real CLI (click's runner, or a
process where the terminal or the interpreter matters)."""

from __future__ import annotations

import json
import os
import re
import selectors
import signal
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import IO

import pytest

from pipeline import files
from tests.reliability import (
    CLI,
    EPOCH,
    REPO,
    assert_bad_input,
    assert_clean,
    digest,
    invoke,
    japanese,
    run_cli,
    site_with_catalogs,
    translate,
    write_site,
)

PYPROJECT = """[tool.pipeline]
target_locales = ["ja", "fr"]
min_percent = 0
base_url = "https://clinic.example/"
"""


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The small site with its ja catalogs, worked on from its root (no pyproject.toml)."""
    site_with_catalogs(tmp_path, monkeypatch)
    return tmp_path


# --- 11. locale codes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "meant"), [("jp", "ja"), ("english", "en"), ("japanese", "ja"), ("JA", "ja")]
)
@pytest.mark.parametrize("command", ["update", "build", "status", "check"])
def test_a_mistyped_locale_code_is_refused_with_the_code_meant(
    site: Path, command: str, code: str, meant: str
) -> None:
    before = digest(site)
    result = invoke(command, "--locale", code)
    assert_bad_input(result, "--locale", None, f"unknown locale code {code!r}")
    assert f"did you mean {meant!r}?" in result.stderr
    assert digest(site) == before  # nothing created: no locales/jp/, no site/jp/


def test_a_mistyped_locale_code_in_the_settings_is_refused(site: Path) -> None:
    (site / "pyproject.toml").write_text('[tool.pipeline]\ntarget_locales = ["jp"]\n')
    before = digest(site)
    result = invoke("update")
    assert_bad_input(result, "pyproject.toml", None, "unknown locale code 'jp'")
    assert "did you mean 'ja'?" in result.stderr
    assert digest(site) == before


def test_a_locale_babel_knows_and_a_pseudo_locale_are_accepted(site: Path) -> None:
    """`ja_JP` is a locale of its own to Babel, so it is accepted; being named as typed, its
    catalogs are apart from `ja`'s, which a note says."""
    result = invoke("update", "--locale", "ja_JP")
    assert_clean(result, 0)
    assert "note: ja_JP is not in target_locales: its catalogs are locales/ja_JP/" in result.stderr
    assert (site / "locales/ja_JP/LC_MESSAGES/index.po").is_file()
    assert "note" not in invoke("update", "--locale", "ja").stderr
    assert_clean(invoke("update", "--locale", "qps"), 0)  # pseudo_locales, by default
    assert (site / "locales/qps/LC_MESSAGES/index.po").is_file()


def test_a_locale_given_twice_is_checked_once(site: Path) -> None:
    """Not twice: each of its catalogs is reported once (here as incomplete)."""
    once = invoke("check", "--min-percent", "100", "--locale", "ja")
    twice = invoke("check", "--min-percent", "100", "--locale", "ja", "--locale", "ja")
    assert (twice.exit_code, twice.stdout, twice.stderr) == (
        once.exit_code,
        once.stdout,
        once.stderr,
    )
    assert (once.stdout + once.stderr).count("locales/ja/LC_MESSAGES/index.po") == 1


def test_a_build_for_some_locales_keeps_the_others_alternates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    write_site(tmp_path)
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    for command in ("extract", "update"):
        assert_clean(invoke(command), 0)
    for catalog in (tmp_path / "locales").glob("*/LC_MESSAGES/*.po"):
        translate(catalog, japanese)
    assert_clean(invoke("build"), 0)
    assert 'hreflang="fr"' in (tmp_path / "site/en/index.html").read_text(encoding="utf-8")
    ja = tmp_path / "locales/ja/LC_MESSAGES/index.po"
    translate(ja, lambda m: "新" + japanese(m))  # the ja pages are built again
    assert_clean(invoke("build", "--locale", "ja"), 0)
    for built in ("site/en/index.html", "site/ja/index.html"):
        page = (tmp_path / built).read_text(encoding="utf-8")
        assert 'hreflang="fr" href="https://clinic.example/fr/index.html"' in page, built
    assert "新" in (tmp_path / "site/ja/index.html").read_text(encoding="utf-8")
    assert (tmp_path / "site/fr/index.html").is_file()  # not built, and not removed either


# --- 12. running from a subdirectory ------------------------------------------------------------


def test_commands_run_from_a_subdirectory_work_on_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As git and ruff: the nearest pyproject.toml with [tool.pipeline] is the project, and
    its settings are relative to it; paths typed as options are relative to where one is."""
    write_site(tmp_path)
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    subdirectory = tmp_path / "source_html"
    done = run_in(subdirectory, "extract")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "locales/templates/index.pot").is_file()
    assert not (subdirectory / "locales").exists()  # nor a lock left there
    monkeypatch.chdir(subdirectory)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert_clean(invoke("update"), 0)
    assert (tmp_path / "locales/fr/LC_MESSAGES/index.po").is_file()
    monkeypatch.chdir(subdirectory)
    assert_clean(invoke("status", "--html", "status.html", "--output", "../site"), 0)
    assert (subdirectory / "status.html").is_file()  # where it was typed, not the root
    monkeypatch.chdir(subdirectory)
    assert_clean(invoke("build", "--output", "../public", "-q"), 0)
    assert (tmp_path / "public/en/index.html").is_file()
    assert not (tmp_path / "site").exists()


def run_in(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI as a process in `directory`, named by its path from there (`python ../cli.py`)."""
    return subprocess.run(
        [sys.executable, os.path.relpath(CLI, directory), *args],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
    )


def test_messages_from_the_root_name_paths_as_before(site: Path) -> None:
    (site / "pyproject.toml").write_text("[tool.pipeline]\n", encoding="utf-8")
    (site / "source_html/index.html").write_text("<p>Changed.</p>", encoding="utf-8")
    result = invoke("extract")
    assert_clean(result, 0)
    assert result.stdout == "wrote locales/templates/index.pot\n"


# --- 13. and 14. locks --------------------------------------------------------------------------


def test_build_does_not_lock_the_catalogs_it_only_reads(site: Path) -> None:
    """The catalog tree's lock file cannot be opened here (a directory in its place: a
    read-only directory would not stop root), as in a read-only checkout: build still works,
    extract and update, which write there, do not."""
    (site / "locales" / files.LOCK_NAME).unlink()
    (site / "locales" / files.LOCK_NAME).mkdir()
    assert_clean(invoke("build", "--jobs", "1"), 0)
    assert (site / "site/en/index.html").is_file()
    assert_bad_input(invoke("update"), f"locales/{files.LOCK_NAME}", None, "cannot lock")


def test_build_with_a_cache_it_cannot_write_works_without_it(site: Path) -> None:
    (site / ".pipeline-cache").rename(site / "cache-moved")
    (site / ".pipeline-cache").write_text("not a directory")
    assert_clean(invoke("build", "--jobs", "1"), 0)
    assert (site / "site/en/index.html").is_file()


def read_line(stream: IO[str] | None, seconds: float) -> str:
    """The next line of a process's stderr, or "" if none comes in time."""
    assert stream is not None
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        ready = selector.select(seconds)
    return stream.readline() if ready else ""


def start(directory: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(CLI), *args],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
    )


def test_a_run_waiting_for_the_lock_says_so_at_once(site: Path) -> None:
    with files.tree_lock(site / "locales"):
        process = start(site, "update")
        line = read_line(process.stderr, 10)
        assert process.poll() is None
    assert process.wait(60) == 0
    assert (
        line
        == f"waiting for another run to finish (locales/{files.LOCK_NAME}, pid {os.getpid()})…\n"
    )
    assert process.stderr is not None
    process.stderr.close()
    assert (site / "locales" / files.LOCK_NAME).read_bytes() == b""  # no pid once released


# --- 15. streams, Ctrl-C, --check, empty source, (status: see test_status.py) ---------------


def test_data_goes_to_stdout_and_summaries_to_stderr(site: Path) -> None:
    translate(site / "locales/ja/LC_MESSAGES/index.po", japanese)
    built = invoke("build", "--jobs", "1", "--min-percent", "0")
    assert_clean(built, 0)
    assert built.stdout == ""
    assert re.search(r"^pages: 4 written, 0 unchanged, 0 held back", built.stderr, re.M)
    verbose = invoke("build", "--jobs", "1", "--min-percent", "50", "-v")
    assert_clean(verbose, 0)
    assert verbose.stdout  # the files written, asked for with -v; all else is a summary
    assert all(line.startswith("wrote site/") for line in verbose.stdout.splitlines())
    assert "held back ja/other.html: 0.0 % < 50 %\n" in verbose.stderr
    assert "removed site/ja/other.html (held back)\n" in verbose.stderr
    assert re.search(r"^pages: \d+ written, \d+ unchanged, 1 held back", verbose.stderr, re.M)
    (site / "source_html/index.html").write_text("<p>Changed.</p>", encoding="utf-8")
    extracted = invoke("extract")
    assert (extracted.stdout, extracted.stderr) == (
        "wrote locales/templates/index.pot\n",
        "2 templates, 1 changed\n",
    )
    status = invoke("status", "--format", "json", "--html", "status.html")
    assert json.loads(status.stdout)["locales"]["ja"]["stale"] is True
    assert status.stderr == "wrote status.html\n"
    checked = invoke("check")
    assert checked.stdout.startswith("locales/ja/LC_MESSAGES/")  # the problems asked for
    assert re.fullmatch(r"\d+ problems?\n", checked.stderr)


def test_ctrl_c_exits_130_saying_interrupted(site: Path) -> None:
    with files.tree_lock(site / "locales"):
        process = start(site, "update")
        read_line(process.stderr, 10)  # waiting for the lock: interrupted there
        process.send_signal(signal.SIGINT)
        assert process.wait(30) == 130
        assert process.stderr is not None
        rest = process.stderr.read()
        process.stderr.close()
    assert rest == "interrupted\n"


def test_check_mode_names_the_command_that_brings_files_up_to_date(site: Path) -> None:
    (site / "source_html/index.html").write_text("<p>Changed.</p>", encoding="utf-8")
    stale = invoke("extract", "--check")
    assert_clean(stale, 1)
    assert stale.stderr.endswith("1 template out of date: run `python cli.py extract`\n")
    assert_clean(invoke("extract"), 0)
    behind = invoke("update", "--check")
    assert_clean(behind, 1)
    assert behind.stderr.endswith("1 catalog out of date: run `python cli.py update`\n")


@pytest.mark.parametrize("command", ["extract", "build"])
def test_an_empty_source_directory_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "source_html/images").mkdir(parents=True)
    (tmp_path / "source_html/images/logo.png").write_bytes(b"\x89PNG")
    assert_bad_input(invoke(command), "source_html", None, "no pages (.html, .htm)")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["source_html"]  # no lock, no cache


def test_a_missing_source_directory_leaves_nothing_behind(tmp_path: Path) -> None:
    """Run where there is no project: the defaults, here; no `locales/` with a lock appears."""
    result = run_cli(tmp_path, "extract")
    assert result.returncode == 2
    assert result.stderr == "source_html: source directory not found\n"
    assert list(tmp_path.iterdir()) == []


# --- 16. set-up ---------------------------------------------------------------------------------


def test_without_its_dependencies_the_cli_says_how_to_set_up(tmp_path: Path) -> None:
    """A Python without click (`-S`: no site-packages) gets one line, not a traceback."""
    result = subprocess.run(
        [sys.executable, "-I", "-S", str(CLI), "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert "no module 'click'" in result.stderr and "make setup" in result.stderr


@pytest.mark.parametrize("installed", [True, False])
def test_version_is_the_package_version(
    site: Path, monkeypatch: pytest.MonkeyPatch, installed: bool
) -> None:
    import importlib.metadata

    def not_installed(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    if not installed:  # a checkout run as it is: the version in its pyproject.toml
        monkeypatch.setattr(importlib.metadata, "version", not_installed)
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    result = invoke("--version")
    assert_clean(result, 0)
    assert result.stdout == f"clinic-i18n-pipeline {version}\n"


def test_make_site_installs_only_the_runtime() -> None:
    """`make site` needs Babel, click and rich; the test and benchmark tools are `make test`'s.
    (A dry run of every step, as if nothing were set up.)"""

    def steps(target: str) -> str:
        done = subprocess.run(
            ["make", "-n", "-B", target], cwd=REPO, capture_output=True, text=True, check=True
        )
        return done.stdout

    site, test = steps("site"), steps("test")
    assert "pip install --quiet -e .\n" in site
    assert "[dev" not in site
    assert "pip install --quiet -e '.[dev,bench]'" in test
    assert "touch .venv/.runtime" in site and "touch .venv/.runtime" in test
