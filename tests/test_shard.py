"""Sharding and worker processes: the split, and that neither changes a single output byte."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli import main
from pipeline.model import PipelineError
from pipeline.pofile import parse_po, render_po
from pipeline.shard import Shard, parse_shard

PAGES = 12


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def page(number: int) -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Page {number}</title></head>
<body>
<nav data-i18n-switcher></nav>
<header><a href="/index.html">Home</a> <a href="page-{(number + 1) % PAGES}.html">Next</a></header>
<h1>Topic number {number}</h1>
<p>This paragraph is about topic {number}, with <em>emphasis</em> and a <a href="#x">link</a>.</p>
<p>Shared footer text that every page repeats.</p>
<img src="a.png" alt="Picture {number}">
</body></html>
"""


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    source = tmp_path / "source_html"
    (source / "sub").mkdir(parents=True)
    (source / "index.html").write_text(page(0), encoding="utf-8")
    for number in range(1, PAGES):
        folder = source / "sub" if number % 4 == 0 else source
        (folder / f"page-{number}.html").write_text(page(number), encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pipeline]\ntarget_locales = ["ja"]\nmin_percent = 50\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1761264000")
    return tmp_path


def pseudo_translate(locales: Path, *, skip: str = "page-3") -> None:
    """Translate every catalog but one (which stays below the threshold and is held back)."""
    for path in sorted(locales.glob("ja/LC_MESSAGES/**/*.po")):
        if path.stem == skip:
            continue
        catalog = parse_po(path.read_text(encoding="utf-8"), path=str(path))
        messages = tuple(replace(m, msgstr=f"[{m.msgid}]", flags=()) for m in catalog.messages)
        path.write_text(render_po(replace(catalog, messages=messages)), encoding="utf-8")


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root, except the per-shard build manifests."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_the_shards_split_the_pages_and_cover_them_all() -> None:
    pages = [f"dir{n % 7}/page-{n}.html" for n in range(500)]
    shards = [Shard(k, 4).select(pages) for k in range(1, 5)]
    assert sorted(p for shard in shards for p in shard) == sorted(pages)
    assert all(60 < len(shard) < 190 for shard in shards)  # roughly even
    # A page's shard depends on its path alone: adding pages moves no other page.
    assert Shard(2, 4).select(pages[:100]) == [p for p in shards[1] if p in pages[:100]]
    assert Shard().select(pages) == pages


@pytest.mark.parametrize("text", ["0/3", "4/3", "1", "a/b", "1/0", "-1/2", ""])
def test_a_bad_shard_is_refused(text: str) -> None:
    with pytest.raises(PipelineError, match="shard"):
        parse_shard(text)


def test_a_bad_shard_option_exits_2(site: Path) -> None:
    result = CliRunner().invoke(main, ["extract", "--shard", "3/2"])
    assert result.exit_code == 2
    assert "--shard" in result.output


def test_jobs_do_not_change_a_byte(site: Path) -> None:
    results = {}
    for jobs in ("1", "2"):
        for name in ("locales", "site"):
            shutil.rmtree(site / name, ignore_errors=True)
        assert run("extract", "--jobs", jobs).exit_code == 0
        assert run("update", "--jobs", jobs).exit_code == 0
        pseudo_translate(site / "locales")
        assert run("build", "--jobs", jobs, "-q").exit_code == 0
        results[jobs] = (tree(site / "locales"), tree(site / "site"))
    assert len(results["1"][1]) >= 2 * PAGES - 1
    assert results["1"] == results["2"]


def test_shards_built_into_one_output_equal_a_full_build(site: Path) -> None:
    assert run("extract").exit_code == 0
    assert run("update").exit_code == 0
    pseudo_translate(site / "locales")
    assert run("build", "--output", "full", "-q").exit_code == 0
    for k in (1, 2, 3):
        assert run("build", "--output", "sharded", "--shard", f"{k}/3", "-q").exit_code == 0
    full, sharded = tree(site / "full"), tree(site / "sharded")
    assert "ja/page-3.html" not in full  # held back: below the threshold
    assert "ja/page-5.html" in full
    assert sharded == full
    cache = site / ".pipeline-cache"
    manifests = sorted(p.name for p in cache.glob("manifest-*"))
    assert manifests == [f"manifest-{k}-of-3.jsonl" for k in (1, 2, 3)]
    # Together the shard manifests name every page once.
    named = [page for path in cache.glob("manifest-*") for page in pages(path)]
    assert sorted(named) == pages(cache / "manifest.jsonl")


def pages(manifest: Path) -> list[str]:
    """The pages a build manifest names: a header line, then one `[page, digest, sizes…]` each."""
    lines = manifest.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)[0] for line in lines[1:]]


def test_sharded_extract_and_update_equal_whole_ones(site: Path) -> None:
    assert run("extract").exit_code == 0
    assert run("update").exit_code == 0
    whole = tree(site / "locales")
    shutil.rmtree(site / "locales")
    for k in (1, 2):
        assert run("extract", "--shard", f"{k}/2").exit_code == 0
    for k in (1, 2):
        assert run("update", "--shard", f"{k}/2").exit_code == 0
    assert tree(site / "locales") == whole


def test_a_rebuild_with_nothing_changed_writes_nothing(site: Path) -> None:
    assert run("extract").exit_code == 0
    assert run("update").exit_code == 0
    pseudo_translate(site / "locales")
    assert run("build", "-v").exit_code == 0
    again = run("build", "-v")
    assert "wrote" not in again.output
    assert "0 written" in again.output


def test_a_one_page_edit_rebuilds_that_page_only(site: Path) -> None:
    assert run("extract").exit_code == 0
    assert run("update").exit_code == 0
    pseudo_translate(site / "locales")
    assert run("build").exit_code == 0
    edited = site / "source_html/page-5.html"
    edited.write_text(edited.read_text().replace("emphasis", "strong emphasis"), encoding="utf-8")
    result = run("build", "-v")
    written = sorted(line.split()[-1] for line in result.output.splitlines() if "wrote" in line)
    assert written == ["site/en/page-5.html", "site/ja/page-5.html"]
