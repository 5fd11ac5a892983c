"""What the build publishes is what the pages hold, whatever state the catalogs are in, and a
build says every time what is wrong: through the real CLI, on the small site.

- the threshold is measured on the page as it is now, not on the catalog (a page edited since
  `update`, a header-only or empty catalog);
- one unreadable catalog holds back its own page and no other;
- an unchanged page's problems are reported by every build, not only the one that built it;
- a deleted page leaves no outputs and no template, and its catalogs stay, listed as orphaned;
- the build's records are in the cache, none in the deployed tree.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.reliability import assert_clean, invoke, japanese, site_with_catalogs, translate

CATALOG = "locales/ja/LC_MESSAGES/index.po"
ENGLISH_PARAGRAPHS = "".join(
    f"<p>Our clinic opens at nine on weekday number {n}, and patients may call ahead.</p>\n"
    for n in range(12)
)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The small site, translated in full and built."""
    for catalog in site_with_catalogs(tmp_path, monkeypatch):
        translate(catalog, japanese)
    assert_clean(invoke("build", "--jobs", "1"), 0)
    assert (tmp_path / "site/ja/index.html").exists()
    return tmp_path


def settle(root: Path) -> None:
    """Date every input 3 s back, so the build's records trust them (git's racy-clean rule)."""
    then = time.time() - 3
    for path in [*root.glob("source_html/**/*"), *root.glob("locales/**/*")]:
        os.utime(path, (then, then))


def add_english(root: Path) -> None:
    page = root / "source_html/index.html"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("</body>", ENGLISH_PARAGRAPHS + "</body>"), encoding="utf-8")


def status_row(page: str) -> dict[str, Any]:
    result = invoke("status", "--format", "json")
    assert_clean(result, 0)
    rows = json.loads(result.stdout)["catalogs"]
    (row,) = [r for r in rows if r["source"] == page]
    assert isinstance(row, dict)
    return row


def test_english_added_since_update_holds_the_page_back(site: Path) -> None:
    """Build alone, after the English grew: the catalog is still "100 %" of itself, but the
    page would be mostly English under /ja/."""
    add_english(site)
    result = invoke("build", "--jobs", "1")
    assert_clean(result, 0)
    assert "held back ja/index.html" in result.output
    assert not (site / "site/ja/index.html").exists()
    assert "1 catalog is behind its page" in result.stderr
    assert "`python cli.py extract`, then `python cli.py update`" in result.stderr
    assert (site / "site/ja/other.html").exists()
    # Status tells the same: the page's words, most of them untranslated, and stale.
    row = status_row("index.html")
    assert row["stale"] is True
    assert isinstance(row["percent"], float) and row["percent"] < 80
    assert row["words_translated"] < row["words_total"]
    # The same build again says it again (from its records, not only when it counts).
    settle(site)
    for _ in range(2):
        again = invoke("build", "--jobs", "1")
        assert "held back ja/index.html" in again.output
        assert "1 catalog is behind its page" in again.stderr


def test_translating_the_new_text_publishes_the_page_again(site: Path) -> None:
    add_english(site)
    assert_clean(invoke("build", "--jobs", "1"), 0)
    assert not (site / "site/ja/index.html").exists()
    for command in ("extract", "update"):
        assert_clean(invoke(command), 0)
    translate(site / CATALOG, japanese)
    result = invoke("build", "--jobs", "1")
    assert_clean(result, 0)
    assert "behind" not in result.stderr
    assert "訳" in (site / "site/ja/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "catalog_text",
    [
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: ja\\n"\n',
        "",
    ],
    ids=["header only", "empty"],
)
def test_a_header_only_or_empty_catalog_publishes_nothing(site: Path, catalog_text: str) -> None:
    (site / CATALOG).write_text(catalog_text, encoding="utf-8")
    result = invoke("build", "--jobs", "1")
    assert_clean(result, 0)
    assert "held back ja/index.html: 0.0 % < 80 %" in result.output
    assert not (site / "site/ja/index.html").exists()
    row = status_row("index.html")
    assert row["percent"] == 0.0 and row["words_total"] > 0 and row["stale"] is True
    plain = invoke("check")  # no threshold asked: still not "all checks passed"
    assert plain.exit_code == 1
    assert f"{CATALOG}:1: warning: [stale] behind its page source_html/index.html" in plain.output
    checked = invoke("check", "--min-percent", "80")
    assert checked.exit_code == 1
    assert "0.0 % of words translated, below 80 %" in checked.output


def test_translations_the_build_cannot_splice_count_as_untranslated(site: Path) -> None:
    """A msgstr that lost its placeholders is not spliced: the page keeps the English, so it
    does not count towards publishing the page (nor in status)."""
    before = status_row("index.html")
    assert before["translated"] == before["total"]
    translate(site / CATALOG, lambda m: re.sub(r"</?[0-9]+/?>", "", japanese(m)))
    row = status_row("index.html")
    assert row["total"] == before["total"] and row["stale"] is False
    result = invoke("build", "--jobs", "1", "--min-percent", "100")
    assert "held back ja/index.html" in result.output
    assert row["translated"] < row["total"] and row["percent"] < 100
    assert row["words_translated"] < row["words_total"]


def test_a_catalog_in_another_charset_is_refused_with_the_fix(site: Path) -> None:
    catalog = site / CATALOG
    text = catalog.read_text(encoding="utf-8")
    catalog.write_text(text.replace("charset=UTF-8", "charset=CP1252"), encoding="utf-8")
    for command in ("build", "status", "update"):
        result = invoke(command)
        assert_clean(result, 2)
        assert f"{CATALOG}:" in result.stderr
        assert "declares charset CP1252" in result.stderr
        assert f"msgconv --to-code=UTF-8 -o {CATALOG} {CATALOG}" in result.stderr
    assert (site / "site/ja/other.html").exists()


def test_problems_of_an_unchanged_page_are_reported_by_every_build(site: Path) -> None:
    catalog = site / CATALOG
    lines = catalog.read_text(encoding="utf-8").splitlines(keepends=True)
    (at,) = [n for n, line in enumerate(lines) if line.startswith("msgstr") and "</1>" in line]
    lines[at] = lines[at].replace("</1>", "")  # the translation lost a tag
    catalog.write_text("".join(lines), encoding="utf-8")
    settle(site)
    reports = []
    for _ in range(3):  # built, then unchanged (records), then unchanged (the stamp)
        result = invoke("build", "--jobs", "1", "--min-percent", "0")
        assert_clean(result, 0)
        reports.append([line for line in result.stderr.splitlines() if "not built" in line])
    assert reports[0] and reports[0][0].startswith(f"{CATALOG}:")
    assert reports[1] == reports[0] and reports[2] == reports[0]


def test_a_deleted_page_leaves_nothing_behind_but_its_catalogs(site: Path) -> None:
    (site / "source_html/sub").mkdir()
    (site / "source_html/sub/extra.html").write_text(
        "<html><body><p>Extra page.</p></body></html>\n", encoding="utf-8"
    )
    for command in ("extract", "update"):
        assert_clean(invoke(command), 0)
    translate(site / "locales/ja/LC_MESSAGES/sub/extra.po", japanese)
    assert_clean(invoke("build", "--jobs", "1"), 0)
    assert (site / "site/ja/sub/extra.html").exists()

    (site / "source_html/sub/extra.html").unlink()
    checked = invoke("extract", "--check")
    assert checked.exit_code == 1
    assert "would remove locales/templates/sub/extra.pot (its page is gone)" in checked.stdout
    extracted = invoke("extract")
    assert_clean(extracted, 0)
    assert not (site / "locales/templates/sub").exists()
    assert_clean(invoke("update"), 0)
    built = invoke("build", "--jobs", "1")
    assert_clean(built, 0)
    for locale in ("en", "ja"):
        assert f"removed site/{locale}/sub/extra.html (no longer in the source)" in built.output
        assert not (site / f"site/{locale}/sub").exists()
    # The translations stay, for the site memory and for whoever decides.
    assert (site / "locales/ja/LC_MESSAGES/sub/extra.po").exists()
    status = invoke("status")
    assert "orphaned locales/ja/LC_MESSAGES/sub/extra.po" in status.stderr
    listed = json.loads(invoke("status", "--format", "json").stdout)
    assert listed["orphaned"] == ["ja/LC_MESSAGES/sub/extra.po"]


def test_a_deleted_asset_is_removed_from_every_locale(site: Path) -> None:
    (site / "source_html/style.css").write_text("p { color: black }\n", encoding="utf-8")
    assert_clean(invoke("build", "--jobs", "1"), 0)
    assert (site / "site/ja/style.css").exists()
    (site / "source_html/style.css").unlink()
    assert_clean(invoke("build", "--jobs", "1"), 0)
    assert not (site / "site/en/style.css").exists()
    assert not (site / "site/ja/style.css").exists()


def test_build_records_live_in_the_cache_not_the_deployed_site(site: Path) -> None:
    hidden = [p for p in (site / "site").rglob(".*")]
    assert hidden == []
    assert (site / ".pipeline-cache/manifest.jsonl").is_file()


def test_records_made_for_another_output_are_not_trusted(site: Path) -> None:
    """The manifest names the output directory it describes: after a build into another
    directory, the first one's pages are not taken as current."""
    page = site / "source_html/other.html"
    page.write_text(page.read_text(encoding="utf-8").replace("Stretch", "Bend"), "utf-8")
    assert_clean(invoke("build", "--jobs", "1", "--output", "elsewhere"), 0)
    assert "Bend" in (site / "elsewhere/en/other.html").read_text(encoding="utf-8")
    assert "Stretch" in (site / "site/en/other.html").read_text(encoding="utf-8")
    assert_clean(invoke("build", "--jobs", "1"), 0)
    assert "Bend" in (site / "site/en/other.html").read_text(encoding="utf-8")


def test_a_renamed_page_gets_its_translations_back_from_its_old_catalog(site: Path) -> None:
    (site / "source_html/other.html").rename(site / "source_html/renamed.html")
    for command in ("extract", "update"):
        assert_clean(invoke(command), 0)
    row = status_row("renamed.html")
    assert row["translated"] == row["total"] and row["percent"] == 100.0
    assert (site / "locales/ja/LC_MESSAGES/other.po").exists()  # kept, orphaned
    built = invoke("build", "--jobs", "1")
    assert "removed site/ja/other.html (no longer in the source)" in built.output
    assert (site / "site/ja/renamed.html").exists()


def test_the_stale_warning_can_be_graded_in_the_settings(site: Path) -> None:
    add_english(site)
    assert "[stale]" in invoke("check").output
    pyproject = site / "pyproject.toml"
    pyproject.write_text('[tool.pipeline]\n[tool.pipeline.severity]\nstale = "off"\n', "utf-8")
    assert "[stale]" not in invoke("check").output
    pyproject.write_text('[tool.pipeline]\n[tool.pipeline.severity]\nstale = "error"\n', "utf-8")
    assert "error: [stale]" in invoke("check", "--fail-on", "error").output


def test_the_build_removes_only_files_it_wrote(site: Path) -> None:
    """A web root with files of its own: the build adds its pages and takes away only what it
    wrote itself."""
    webroot = site / "www"
    foreign = [webroot / "en/google123.html", webroot / "ja/treatments/index.html"]
    for path in foreign:
        path.parent.mkdir(parents=True)
        path.write_text("not ours\n", encoding="utf-8")
    assert_clean(invoke("build", "--jobs", "1", "--output", "www"), 0)
    (site / "source_html/other.html").unlink()
    built = invoke("build", "--jobs", "1", "--output", "www")
    assert_clean(built, 0)
    assert not (webroot / "en/other.html").exists() and not (webroot / "ja/other.html").exists()
    assert all(path.read_text(encoding="utf-8") == "not ours\n" for path in foreign)


@pytest.mark.parametrize("output", ["locales", ".", "locales/ja", "source_html/.."])
def test_an_output_that_holds_or_is_held_by_the_inputs_is_refused(site: Path, output: str) -> None:
    before = {p: p.read_bytes() for p in (site / "locales").rglob("*") if p.is_file()}
    result = invoke("build", "--output", output)
    assert_clean(result, 2)
    assert "build somewhere else (--output)" in result.stderr
    assert {p: p.read_bytes() for p in (site / "locales").rglob("*") if p.is_file()} == before


def test_a_locale_no_longer_built_is_removed_from_the_site(site: Path) -> None:
    assert_clean(invoke("update", "--locale", "qps"), 0)
    assert_clean(invoke("build", "--jobs", "1", "--locale", "qps"), 0)
    assert (site / "site/qps/index.html").exists()
    assert (site / "site/ja/index.html").exists()  # ja is configured: left as it was
    built = invoke("build", "--jobs", "1")
    assert "removed site/qps/index.html (qps is no longer built)" in built.output
    assert not (site / "site/qps").exists()
    assert (site / "site/ja/index.html").exists()


def test_a_catalog_behind_only_by_removed_text_says_so(site: Path) -> None:
    page = site / "source_html/index.html"
    text = page.read_text(encoding="utf-8")
    assert "<p>Walk a little every day.</p>" in text
    page.write_text(text.replace("<p>Walk a little every day.</p>", ""), encoding="utf-8")
    checked = invoke("check")
    assert "[stale] behind its page source_html/index.html (1 no longer on the page)" in (
        checked.output
    )
    assert "missing" not in checked.output
    built = invoke("build", "--jobs", "1")
    assert "1 catalog is behind its page (text a catalog lacks" in built.stderr
    assert (site / "site/ja/index.html").exists()  # every word of the page is translated


def test_check_names_an_unreadable_page_once_and_checks_the_others(site: Path) -> None:
    (site / "source_html/index.html").write_bytes(b"")
    checked = invoke("check", "--locale", "ja", "--locale", "qps", "--format", "json")
    assert checked.exit_code == 2
    report = json.loads(checked.stdout)
    named = [p for p in report["problems"] if p["file"] == "source_html/index.html"]
    assert len(named) == 1 and named[0]["check"] == "page"
    assert not [p for p in report["problems"] if p["file"].endswith("/index.po")]


def test_a_held_back_page_is_removed_saying_so(site: Path) -> None:
    (site / CATALOG).write_text("", encoding="utf-8")
    built = invoke("build", "--jobs", "1")
    assert "held back ja/index.html: 0.0 % < 80 %" in built.stderr
    assert "removed site/ja/index.html (held back)" in built.stderr
