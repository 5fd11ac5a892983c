"""Helpers for the reliability and security tests: a small site on disk, the real CLI, digests.

Every test here works in its own temporary tree with no pyproject.toml, so the pipeline runs on
its defaults (source_html/, locales/, site/, target locale ja) whatever the repository says.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli import main
from pipeline.model import Message
from pipeline.pofile import parse_po, render_po

REPO = Path(__file__).parent.parent
CLI = REPO / "cli.py"
EPOCH = "1761264000"

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Back pain and what helps</title>
<meta name="description" content="Simple advice for everyday back pain.">
</head>
<body>
<h1 title="Main heading">Back pain</h1>
<p>Rest helps. Read <a href="other.html">the other page</a> for more.</p>
<p><img src="spine.png" alt="A healthy spine"> <img src=x.png alt=Unquoted>
<img src='y.png' alt='Single quoted'></p>
<p>Walk a little every day.</p>
</body>
</html>
"""
OTHER = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Other page</title></head>
<body><p>Back to <a href="index.html">the start</a>.</p><p>Stretch gently.</p></body>
</html>
"""


def invoke(*args: str) -> Result:
    """Run the CLI in this process (the current directory is the tree)."""
    return CliRunner().invoke(main, list(args))


def run_cli(tree: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a real process in `tree`."""
    return subprocess.run(
        [sys.executable, str(CLI), *args],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
        check=False,
    )


def assert_clean(result: Result, *codes: int) -> None:
    """Exit code is one of `codes` and nothing escaped as a traceback."""
    assert result.exit_code in codes, (result.exit_code, result.stdout, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.stderr + result.stdout


def assert_bad_input(result: Result, path: str, line: int | None, fragment: str) -> None:
    """Exit 2 with `path:line: message` (or `path: message`) on stderr, and no traceback."""
    assert_clean(result, 2)
    where = f"{path}:{line}: " if line else f"{path}: "
    assert where in result.stderr, (where, result.stderr)
    assert fragment in result.stderr, (fragment, result.stderr)


def write_site(root: Path, pages: dict[str, str | bytes] | None = None) -> None:
    source = root / "source_html"
    source.mkdir(parents=True, exist_ok=True)
    for name, content in (pages or {"index.html": PAGE, "other.html": OTHER}).items():
        path = source / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)


def site_with_catalogs(root: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Lay out the small site in `root`, work there, extract and update: its ja catalogs."""
    monkeypatch.chdir(root)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    write_site(root)
    for command in ("extract", "update"):
        assert_clean(invoke(command), 0)
    return sorted((root / "locales/ja/LC_MESSAGES").glob("*.po"))


def translate(path: Path, translation: Callable[[Message], str]) -> None:
    """Give every active entry of the catalog at `path` the msgstr `translation(entry)`."""
    catalog = parse_po(path.read_text(encoding="utf-8"), path=str(path))
    messages = tuple(
        m if m.obsolete else replace(m, msgstr=translation(m), flags=()) for m in catalog.messages
    )
    path.write_text(render_po(replace(catalog, messages=messages)), encoding="utf-8")


def japanese(message: Message) -> str:
    """A stand-in translation that keeps the msgid's placeholders."""
    from pipeline.placeholders import Tag, tokenize

    parts = [str(t) if isinstance(t, Tag) else "訳" for t in tokenize(message.msgid)]
    ending = {".": "。", "?": "？", "!": "！", ":": "："}.get(message.msgid[-1:], "")
    return ("".join(parts) or "訳") + ending


def digest(*roots: Path) -> dict[str, str]:
    """SHA-256 of every file under the roots (links are reported, not followed)."""
    found: dict[str, str] = {}
    for root in roots:
        if not root.exists():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_symlink():
                found[str(path)] = "link:" + os.readlink(path)
            elif path.is_file():
                found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def outputs(root: Path) -> dict[str, str]:
    """Digests of everything the pipeline writes: templates, catalogs and the built site."""
    return digest(root / "locales", root / "site")


def best_seconds(work: Callable[[], object]) -> float:
    """The best of three runs of `work`: for tests that compare two sizes of one input (a
    ratio on the same machine in the same second, never a time limit)."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best
