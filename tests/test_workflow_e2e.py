"""The real workflow once: the English article changes, the translator catches up, all is clean."""

from __future__ import annotations

import json
import re
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
    EDITED_NEW: "いずれも低侵襲で、リスクの低い日帰り治療です。",
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


def checks_reported() -> set[str]:
    """The checks that `check` reports. Not `claims`: the clinic's catalogs render its pages'
    claims faithfully, which is no translation problem (tests/test_claims.py), so a clean
    repository passes plain `check`, as the translator runs it."""
    report = json.loads(run("check", "--format", "json").output)
    return {p["check"] for p in report["problems"]}


def test_english_changes_translator_catches_up(clinic: Path) -> None:
    catalog_name = f"ja/LC_MESSAGES/{ARTICLE}.po"
    before = rows(run("status", "--format", "json"))[catalog_name]
    assert before["translated"] == before["total"] and not before["stale"]
    assert checks_reported() == set() and run("check").exit_code == 0

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
    assert run("check", "--fail-on", "error").exit_code == 0
    assert checks_reported() == {"fuzzy"}

    fixed = tuple(
        replace(m, msgstr=FIXES[m.msgid], flags=(), previous_msgid=None)
        if m.msgid in FIXES and not m.obsolete
        else m
        for m in catalog.messages
    )
    po_path.write_text(render_po(replace(catalog, messages=fixed)), encoding="utf-8")

    done = rows(run("status", "--format", "json"))[catalog_name]
    assert done["translated"] == done["total"] and done["fuzzy"] == 0
    assert checks_reported() == set() and run("check").exit_code == 0
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


@pytest.fixture
def edited(clinic: Path) -> Path:
    """The clinic after an English-only change: one sentence edited, templates and catalogs
    updated, the translator not yet at work (so one fuzzy entry)."""
    page = clinic / "source_html" / f"{ARTICLE}.html"
    page.write_text(page.read_text(encoding="utf-8").replace(EDITED_OLD, EDITED_NEW), "utf-8")
    assert run("extract").exit_code == 0
    assert run("update").exit_code == 0
    return clinic


def test_english_only_change_fails_on_warnings_and_passes_on_errors(edited: Path) -> None:
    assert run("check").exit_code == 1  # --fail-on warning, the default
    passed = run("check", "--fail-on", "error")
    assert passed.exit_code == 0, passed.output
    assert f"{ARTICLE}.po:" in passed.output and "warning: [fuzzy]" in passed.output
    assert re.search(
        r"\n1 problem, none failing with --fail-on error; \d+ claims in the English pages and "
        r"\d+ in the translations, for the clinic\n$",
        passed.output,
    )
    # What the shipped workflow runs: the warning is still annotated on the pull request.
    github = run("check", "--format", "github", "--fail-on", "error", "--min-percent", "80")
    assert github.exit_code == 0
    assert github.output.startswith(f"::warning file=locales/ja/LC_MESSAGES/{ARTICLE}.po,line=")
    assert "title=fuzzy::marked fuzzy" in github.output
    report = json.loads(run("check", "--format", "json", "--fail-on", "never").output)
    assert report["passed"] is True and checks_reported() == {"fuzzy"}
    assert json.loads(run("check", "--format", "json").output)["passed"] is False


def test_min_percent_failure_names_the_catalog_without_a_msgid(edited: Path) -> None:
    below = run("check", "--min-percent", "99")
    assert below.exit_code == 1
    where = re.escape(f"locales/ja/LC_MESSAGES/{ARTICLE}.po:1: error: [completeness] ")
    shown = re.search(
        f"^{where}9[0-8]\\.\\d % of words translated, below 99 %$", below.output, re.M
    )
    assert shown, below.output
    assert 'msgid: ""' not in below.output


def with_severity(project: Path, table: str) -> None:
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(f"{text}\n[tool.pipeline.severity]\n{table}\n", encoding="utf-8")


def test_severity_setting_grades_a_check_for_the_whole_project(edited: Path) -> None:
    with_severity(edited, 'fuzzy = "error"\nsame-as-source = "off"')
    failed = run("check", "--format", "github", "--fail-on", "error")
    assert failed.exit_code == 1
    error = re.search(
        f"^::error file=locales/ja/LC_MESSAGES/{ARTICLE}.po,line=.*$", failed.output, re.M
    )
    assert error and "title=fuzzy::" in error[0]


def test_severity_off_drops_the_check(edited: Path) -> None:
    with_severity(edited, 'fuzzy = "off"\nclaims = "off"')
    quiet = run("check")
    assert quiet.exit_code == 0 and quiet.output == "all checks passed\n"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            'fuzy = "off"',
            "pyproject.toml: [tool.pipeline.severity] fuzy: no such check (the checks: "
            "placeholders, markup, numbers, urls, whitespace, punctuation, glossary, "
            "typography, politeness, same-as-source, claims, fuzzy, stale)",
        ),
        (
            'fuzzy = "info"',
            "pyproject.toml: [tool.pipeline.severity] fuzzy = 'info': must be "
            '"error", "warning" or "off"',
        ),
        ("fuzzy = 0", "pyproject.toml: [tool.pipeline.severity] fuzzy = 0: must be"),
    ],
)
def test_bad_severity_setting_is_named_and_exits_2(clinic: Path, table: str, message: str) -> None:
    with_severity(clinic, table)
    for command in ("check", "build", "status"):
        result = run(command)
        assert result.exit_code == 2, (command, result.output)
        assert result.output.startswith(message), result.output
        assert "Traceback" not in result.output


def test_severity_table_of_the_wrong_type(clinic: Path) -> None:
    pyproject = clinic / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(
        text.replace("[tool.pipeline]\n", '[tool.pipeline]\nseverity = "off"\n'), "utf-8"
    )
    result = run("check")
    assert result.exit_code == 2
    assert result.output == "pyproject.toml: [tool.pipeline] severity has the wrong type\n"


ACCESS = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Access</title></head>
<body>
<p class="copyright"><small>&copy; 2025 Aozora Spine Clinic. All rights reserved.</small></p>
</body>
</html>
"""


def test_a_new_page_reuses_the_translators_reason_with_the_translation(clinic: Path) -> None:
    """The copyright line's translation drops "All rights reserved.", and its translator says
    why (`# ignore-punctuation: …`): on a new page, the reason comes with the translation."""
    (clinic / "source_html" / "access.html").write_text(ACCESS, encoding="utf-8")
    assert run("extract").exit_code == 0
    assert run("update").exit_code == 0
    po = clinic / "locales" / "ja" / "LC_MESSAGES" / "access.po"
    entry = {m.msgid: m for m in parse_po(po.read_text(encoding="utf-8"), path=str(po)).messages}[
        "© 2025 Aozora Spine Clinic. All rights reserved."
    ]
    assert entry.msgstr and not entry.fuzzy
    assert any(c.startswith("ignore-punctuation: ") for c in entry.translator_comments)
    checked = run("check", "--fail-on", "error")
    assert checked.exit_code == 0, checked.output
    assert "punctuation" not in checked.output and checks_reported() == set()
