"""The real workflow once: the English article changes, the translator catches up, all is clean."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli import main
from pipeline.pofile import parse_po, render_po

REPO = Path(__file__).parent.parent
ARTICLE = "articles/spinal-stenosis-leg-numbness"

EDITED_OLD = "These are low-risk, minimally invasive procedures."
EDITED_NEW = "These are low-risk, minimally invasive day procedures."
REMOVED = (
    "As the stenosis progresses, the distance a person can walk before needing to rest shortens."
)
ADDED = "Most patients go home on the day of the procedure."
FIXES = {
    EDITED_NEW: "いずれも低リスクで、日帰りで受けられる低侵襲の治療です。",
    ADDED: "ほとんどの患者さんは、治療当日にご帰宅いただけます。",
}


def run(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@pytest.fixture
def clinic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for part in ("source_html", "locales", "pyproject.toml"):
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, tmp_path / part)
        else:
            shutil.copy(source, tmp_path / part)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def rows(result: Result) -> dict[str, dict[str, Any]]:
    return {row["catalog"]: row for row in json.loads(result.output)["catalogs"]}


def test_english_changes_translator_catches_up(clinic: Path) -> None:
    catalog_name = f"ja/LC_MESSAGES/{ARTICLE}.po"
    before = rows(run("status", "--format", "json"))[catalog_name]
    assert before["translated"] == before["total"] and not before["stale"]
    assert run("check").exit_code == 0

    page = clinic / "source_html" / f"{ARTICLE}.html"
    html = page.read_text(encoding="utf-8")
    assert EDITED_OLD in html and REMOVED in html
    html = html.replace(EDITED_OLD, EDITED_NEW)
    html = html.replace(f"<p>{REMOVED}</p>", f"<p>{ADDED}</p>")
    page.write_text(html, encoding="utf-8")

    stale = rows(run("status", "--format", "json"))[catalog_name]
    assert stale["stale"] is True
    assert run("extract").exit_code == 0
    assert run("update").exit_code == 0
    after = rows(run("status", "--format", "json"))[catalog_name]
    assert (after["fuzzy"], after["untranslated"]) == (1, 1)
    assert after["obsolete"] >= 1 and after["stale"] is False

    po_path = clinic / "locales" / catalog_name
    catalog = parse_po(po_path.read_text(encoding="utf-8"), path=str(po_path))
    fuzzy = [m for m in catalog.active if m.fuzzy]
    assert [m.msgid for m in fuzzy] == [EDITED_NEW]
    assert fuzzy[0].previous_msgid == EDITED_OLD
    removed = next(m for m in catalog.obsolete if m.msgid == REMOVED)
    assert removed.msgstr  # the translation is kept for when the sentence returns
    checked = run("check", "--format", "json")
    assert checked.exit_code == 1
    assert {p["check"] for p in json.loads(checked.output)["problems"]} == {"fuzzy"}

    fixed = tuple(
        replace(m, msgstr=FIXES[m.msgid], flags=(), previous_msgid=None)
        if m.msgid in FIXES and not m.obsolete
        else m
        for m in catalog.messages
    )
    po_path.write_text(render_po(replace(catalog, messages=fixed)), encoding="utf-8")

    done = rows(run("status", "--format", "json"))[catalog_name]
    assert done["translated"] == done["total"] and done["fuzzy"] == 0
    assert run("check").exit_code == 0
    built = run("build", "--jobs", "1")
    assert built.exit_code == 0 and "0 held back; problems: 0" in built.output
    ja = (clinic / "site" / "ja" / f"{ARTICLE}.html").read_text(encoding="utf-8")
    assert FIXES[EDITED_NEW] in ja and FIXES[ADDED] in ja


def test_update_copies_template_entries_only_from_templates_extract_wrote(clinic: Path) -> None:
    """`update` copies unchanged entries from the template's text when `extract` noted that it
    wrote that text; a template edited afterwards is rendered entry by entry, as without it."""
    assert run("extract").exit_code == 0
    pot = clinic / "locales" / "templates" / f"{ARTICLE}.pot"
    po = clinic / "locales" / "fr" / "LC_MESSAGES" / f"{ARTICLE}.po"
    assert run("update", "--locale", "fr").exit_code == 0
    copied = po.read_bytes()
    po.unlink()
    shutil.rmtree(clinic / ".pipeline-cache")
    assert run("update", "--locale", "fr").exit_code == 0
    assert po.read_bytes() == copied  # the same catalog, every entry rendered

    # A template edited by hand after `extract`: a wrapped msgid joined on one line. The
    # catalog must have gettext's layout, not a copy of the edited one.
    wrapped = (
        'msgid ""\n"Spinal stenosis is a condition where the spinal canal, the pathway for the "\n'
        '"nerves within the spine, becomes narrowed."\n'
    )
    text = pot.read_text(encoding="utf-8")
    assert wrapped in text
    joined = 'msgid "' + wrapped.split('"\n"', 1)[1].replace('"\n"', "")
    pot.write_text(text.replace(wrapped, joined), encoding="utf-8")
    po.unlink()
    assert run("update", "--locale", "fr").exit_code == 0
    assert po.read_bytes() == copied
