"""The command-line contract, driven through click's runner in a temporary site."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli import main
from pipeline.pofile import parse_po, render_po

REPO = Path(__file__).parent.parent
GOLDEN = Path(__file__).parent / "golden"
UPDATE_GOLDEN = os.environ.get("UPDATE_GOLDEN") == "1"

PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Back pain</title></head>
<body>
<nav data-i18n-switcher></nav>
<h1>Back pain</h1>
<p>Published <time datetime="2025-10-24">October 24, 2025</time>.</p>
<p>Rest helps. See <a href="other.html">the other page</a>.</p>
<p>Walk a little every day.</p>
</body>
</html>
"""
OTHER = """<!DOCTYPE html>
<html lang="en"><head><title>Other</title></head>
<body><p>Back to <a href="/index.html">the start</a>.</p><p>Walk a little every day.</p></body>
</html>
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    source = tmp_path / "source_html"
    source.mkdir()
    (source / "index.html").write_text(PAGE, encoding="utf-8")
    (source / "other.html").write_text(OTHER, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1761264000")
    return tmp_path


def translate(path: Path, table: dict[str, str]) -> None:
    catalog = parse_po(path.read_text(encoding="utf-8"), path=str(path))
    from dataclasses import replace

    messages = tuple(
        replace(m, msgstr=table.get(m.msgid, m.msgstr), flags=()) for m in catalog.messages
    )
    path.write_text(render_po(replace(catalog, messages=messages)), encoding="utf-8")


JA = {
    "Back pain": "腰痛",
    "Published <1/>.": "<1/>公開。",
    "Rest helps. See <1>the other page</1>.": "安静が役立ちます。<1>別のページ</1>をご覧ください。",
    "Walk a little every day.": "毎日少し歩きましょう。",
}


def test_extract_writes_one_template_per_page_and_is_idempotent(site: Path) -> None:
    result = run("extract")
    assert result.exit_code == 0, result.output
    pot = site / "locales/templates/index.pot"
    assert pot.exists() and (site / "locales/templates/other.pot").exists()
    text = pot.read_text(encoding="utf-8")
    assert (
        "#. <title> page title\n#. <h1> main heading\n#: index.html:3 index.html:6\n"
        'msgid "Back pain"\n'
    ) in text
    stamp = pot.stat().st_mtime_ns
    again = run("extract")
    assert again.exit_code == 0 and "0 changed" in again.output
    assert pot.stat().st_mtime_ns == stamp


def test_update_creates_valid_catalogs_and_reuses_site_memory(site: Path) -> None:
    run("extract")
    assert run("update").exit_code == 0
    index = site / "locales/ja/LC_MESSAGES/index.po"
    translate(index, JA)
    assert run("update").exit_code == 0
    other = parse_po((site / "locales/ja/LC_MESSAGES/other.po").read_text(), path="other.po")
    shared = {m.msgid: m for m in other.messages}["Walk a little every day."]
    assert shared.msgstr == "毎日少し歩きましょう。" and not shared.fuzzy
    if shutil.which("msgfmt"):
        for po in (site / "locales").rglob("*.po"):
            checked = subprocess.run(
                ["msgfmt", "--check-format", "--check-header", "-o", os.devnull, str(po)],
                capture_output=True,
                text=True,
                check=False,
            )
            assert checked.returncode == 0 and not checked.stderr, checked.stderr


def test_update_after_english_changes(site: Path) -> None:
    run("extract")
    run("update")
    index = site / "locales/ja/LC_MESSAGES/index.po"
    translate(index, JA)
    page = (site / "source_html/index.html").read_text()
    page = page.replace("Rest helps.", "Rest often helps.").replace(
        "<p>Walk a little every day.</p>", "<p>Swim if you can.</p>"
    )
    (site / "source_html/index.html").write_text(page)
    assert run("extract", "--check").exit_code == 1
    run("extract")
    assert run("update", "--check").exit_code == 1
    run("update")
    text = index.read_text(encoding="utf-8")
    assert '#, fuzzy\n#| msgid "Rest helps. See <1>the other page</1>."\n' in text
    assert '#~ msgid "Walk a little every day."\n#~ msgstr "毎日少し歩きましょう。"' in text
    assert 'msgid "Swim if you can."\nmsgstr ""' in text
    assert run("update", "--check").exit_code == 0


def test_build_threshold_hreflang_switcher_dates_and_links(site: Path) -> None:
    run("extract")
    run("update")
    translate(site / "locales/ja/LC_MESSAGES/index.po", JA)
    result = run("build", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "held back ja/other.html" in result.output
    ja = (site / "site/ja/index.html").read_text(encoding="utf-8")
    assert '<html lang="ja">' in ja
    assert '<link rel="alternate" hreflang="ja" href="/ja/index.html">' in ja
    assert '<link rel="alternate" hreflang="x-default" href="/en/index.html">' in ja
    assert '<time datetime="2025-10-24">2025年10月24日</time>' in ja
    assert '<a href="../en/other.html">別のページ</a>' in ja  # other.html is not published in ja
    assert '<a href="../en/index.html" hreflang="en" lang="en">English</a>' in ja
    en = (site / "site/en/index.html").read_text(encoding="utf-8")
    assert '<link rel="alternate" hreflang="ja" href="/ja/index.html">' in en
    assert "October 24, 2025" in en and '<a href="other.html">' in en
    en_other = (site / "site/en/other.html").read_text(encoding="utf-8")
    assert '<a href="/en/index.html">' in en_other
    assert not (site / "site/ja/other.html").exists()


def test_build_is_incremental_and_removes_pages_below_threshold(site: Path) -> None:
    run("extract")
    run("update")
    translate(site / "locales/ja/LC_MESSAGES/index.po", JA)
    run("build", "--jobs", "1")
    again = run("build", "--jobs", "1")
    assert "pages: 0 written, 3 unchanged" in again.output
    translate(site / "locales/ja/LC_MESSAGES/index.po", {"Walk a little every day.": ""})
    held = run("build", "--jobs", "1", "--min-percent", "90")
    assert held.exit_code == 0
    assert "held back ja/index.html: 64.2 % < 90 %" in held.output
    assert not (site / "site/ja/index.html").exists()


def test_build_reports_broken_placeholders_and_keeps_english(site: Path) -> None:
    run("extract")
    run("update")
    broken = dict(JA)
    broken["Rest helps. See <1>the other page</1>."] = (
        "安静が役立ちます。別のページをご覧ください。"
    )
    translate(site / "locales/ja/LC_MESSAGES/index.po", broken)
    result = CliRunner().invoke(main, ["build", "--jobs", "1", "--min-percent", "0"])
    assert result.exit_code == 0
    assert "locales/ja/LC_MESSAGES/index.po:" in result.output
    assert "<1>…</1> is missing" in result.output
    assert "Rest helps. See" in (site / "site/ja/index.html").read_text(encoding="utf-8")


def test_status_json_and_check_formats(site: Path) -> None:
    run("extract")
    run("update")
    translate(site / "locales/ja/LC_MESSAGES/index.po", JA)
    status = json.loads(run("status", "--format", "json").output)
    row = next(r for r in status["catalogs"] if r["catalog"] == "ja/LC_MESSAGES/index.po")
    assert row["source"] == "index.html" and row["translated"] == 4 and row["percent"] == 100.0
    assert status["locales"]["ja"]["total"] == 7
    checked = run("check", "--format", "json", "--min-percent", "100")
    assert checked.exit_code == 1
    report = json.loads(checked.output)
    assert report["passed"] is False
    assert {p["check"] for p in report["problems"]} == {"completeness"}
    github = run("check", "--format", "github", "--locale", "ja", "--min-percent", "100")
    assert github.output.startswith("::error file=locales/ja/LC_MESSAGES/other.po,line=1,")


def test_bad_input_is_named_with_its_line_and_exits_2(site: Path) -> None:
    run("extract")
    run("update")
    index = site / "locales/ja/LC_MESSAGES/index.po"
    before = index.read_bytes()
    index.write_bytes(before + b'\nmsgid "unterminated\n')
    result = CliRunner().invoke(main, ["update"])
    assert result.exit_code == 2
    assert f"{Path('locales/ja/LC_MESSAGES/index.po')}:" in result.output
    assert "Traceback" not in result.output
    missing = CliRunner().invoke(main, ["extract", "--source", "nowhere"])
    assert missing.exit_code == 2 and "nowhere: source directory not found" in missing.output
    bad_locale = CliRunner().invoke(main, ["update", "--locale", "../x"])
    assert bad_locale.exit_code == 2


def test_golden_templates_of_the_clinic_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    result = run("extract", "--locales", str(tmp_path), "--check")
    assert result.exit_code in (0, 1)
    run("extract", "--locales", str(tmp_path))
    for pot in sorted(tmp_path.rglob("*.pot")):
        golden = GOLDEN / pot.relative_to(tmp_path)
        if UPDATE_GOLDEN:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_bytes(pot.read_bytes())
        assert pot.read_bytes() == golden.read_bytes(), f"{golden} differs (UPDATE_GOLDEN=1)"


def test_golden_pages_of_the_clinic_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = run("build", "--output", str(tmp_path), "--jobs", "1")
    assert result.exit_code == 0 and "0 held back" in result.output, result.output
    # Two pages in two locales, the language chooser and the sitemap at the root.
    pages = sorted([*tmp_path.rglob("*.html"), tmp_path / "sitemap.xml"])
    assert len(pages) == 6
    for page in pages:
        golden = GOLDEN / "site" / page.relative_to(tmp_path)
        if UPDATE_GOLDEN:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_bytes(page.read_bytes())
        assert page.read_bytes() == golden.read_bytes(), f"{golden} differs (UPDATE_GOLDEN=1)"


def test_one_bad_page_does_not_stop_the_others(site: Path) -> None:
    (site / "source_html/broken.html").write_bytes(b"\x00\x01binary")
    result = CliRunner().invoke(main, ["extract"])
    assert result.exit_code == 2
    assert "source_html/broken.html: binary file" in result.output
    assert (site / "locales/templates/index.pot").exists()
    assert not (site / "locales/templates/broken.pot").exists()
    updated = CliRunner().invoke(main, ["update"])
    assert updated.exit_code == 2
    assert "locales/templates/broken.pot: template missing" in updated.output
    assert (site / "locales/ja/LC_MESSAGES/index.po").exists()
