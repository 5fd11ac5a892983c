"""The claims check: what the medical advertising guideline queries, in translations (a warning
the project grades) and, for the clinic, in the English pages (a list that fails nothing).

Matching is tested on the functions; everything else through the real CLI on a small project
that uses the lists the repository ships (`locales/en/claims.csv`, `locales/ja/claims.csv`).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli import main
from pipeline.checks import Claim
from pipeline.checks.claims import compile_claims, find_claims, parse_claims_csv
from pipeline.pofile import parse_po, render_po

REPO = Path(__file__).parent.parent
ARTICLE = "source_html/articles/spinal-stenosis-leg-numbness.html"

PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Treatments</title></head>
<body>
<p>Our new treatment is guaranteed to work.</p>
<p>
  The procedure is quick and
  painless.
</p>
<p>Rest at home after the procedure.</p>
</body>
</html>
"""
GUARANTEED = "Our new treatment is guaranteed to work."
PAINLESS = "The procedure is quick and painless."
REST = "Rest at home after the procedure."
#: Faithful translations of the two claims, and a claim the translator added (安心・安全).
JA = {
    "Treatments": "治療",
    GUARANTEED: "当院の新しい治療は必ず効果があります。",
    PAINLESS: "短時間で痛くない治療です。",
    REST: "治療後は自宅で安心・安全にお過ごしいただけます。",
}
CATALOG = "locales/ja/LC_MESSAGES/index.po"
FAITHFUL = "keep the translation faithful, changing the claim is the clinic's decision"
HEADING = "for the clinic: claims in the English pages (the clinic decides; they fail no check)"


def run(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def translate(project: Path, comments: dict[str, str] | None = None) -> None:
    """Translate the page as JA says, with translator comments for some entries."""
    path = project / CATALOG
    catalog = parse_po(path.read_text(encoding="utf-8"), path=str(path))
    messages = tuple(
        replace(
            m,
            msgstr=JA[m.msgid],
            translator_comments=tuple((comments or {}).get(m.msgid, "").splitlines()),
        )
        for m in catalog.messages
    )
    path.write_text(render_po(replace(catalog, messages=messages)), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A one-page project with the shipped claims lists, extracted, updated and translated."""
    (tmp_path / "source_html").mkdir()
    (tmp_path / "source_html/index.html").write_text(PAGE, encoding="utf-8")
    for code in ("en", "ja"):
        (tmp_path / "locales" / code).mkdir(parents=True)
        shutil.copy(REPO / f"locales/{code}/claims.csv", tmp_path / f"locales/{code}/claims.csv")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pipeline]\nsource = "source_html"\nlocales = "locales"\ntarget_locales = ["ja"]\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    assert run("extract").exit_code == 0
    assert run("update").exit_code == 0
    translate(tmp_path)
    return tmp_path


def shipped(code: str, expression: str) -> Claim:
    path = REPO / f"locales/{code}/claims.csv"
    claims = parse_claims_csv(path.read_text(encoding="utf-8"), path=str(path))
    return next(claim for claim in claims if claim.expression == expression)


def entry_line(project: Path, msgid: str) -> int:
    path = project / CATALOG
    catalog = parse_po(path.read_text(encoding="utf-8"), path=str(path))
    return next(m.line for m in catalog.messages if m.msgid == msgid)


def with_severity(project: Path, table: str) -> None:
    with (project / "pyproject.toml").open("a", encoding="utf-8") as pyproject:
        pyproject.write(f"\n[tool.pipeline.severity]\n{table}\n")


# --- through the CLI ---------------------------------------------------------------------------


def test_claims_in_translations_then_the_english_pages_for_the_clinic(project: Path) -> None:
    checked = run("check")
    assert checked.exit_code == 1  # claims in translations are warnings, --fail-on warning
    must = shipped("ja", "必ず")
    painless = shipped("ja", "痛くない")
    added = shipped("ja", "安心*安全")
    where = f"{CATALOG}:{{}}: warning: [claims] "
    assert checked.stdout.splitlines() == [
        where.format(entry_line(project, GUARANTEED))
        + must.describe("必ず")
        + f'; the source makes this claim too ("guaranteed"): {FAITHFUL}'
        + f" (msgid: {json.dumps(GUARANTEED)})",
        where.format(entry_line(project, PAINLESS))
        + painless.describe("痛くない")
        + f'; the source makes this claim too ("painless"): {FAITHFUL}'
        + f" (msgid: {json.dumps(PAINLESS)})",
        # The English says nothing of the kind: the translator added the claim.
        where.format(entry_line(project, REST))
        + added.describe("安心・安全")
        + f" (msgid: {json.dumps(REST)})",
        "",
        HEADING,
        "source_html/index.html:5: [claims] " + shipped("en", "guarantee").describe("guaranteed"),
        # The paragraph starts on line 6; the word is on line 8.
        "source_html/index.html:8: [claims] " + shipped("en", "painless").describe("painless"),
    ]
    assert checked.stderr == "3 problems; 2 claims in the English pages, for the clinic\n"
    passed = run("check", "--fail-on", "error")
    assert passed.exit_code == 0
    assert passed.stderr == (
        "3 problems, none failing with --fail-on error; 2 claims in the English pages, "
        "for the clinic\n"
    )


def test_ignore_claims_overrules_one_entry(project: Path) -> None:
    reason = "ignore-claims: faithful to the English; the clinic decides (docs/clinic-review.md)"
    translate(project, {GUARANTEED: reason})
    checked = run("check")
    assert checked.exit_code == 1
    assert '"必ず"' not in checked.stdout
    assert '"痛くない"' in checked.stdout and '"安心・安全"' in checked.stdout
    # The English claim stays on the clinic's list: the comment speaks for the translation.
    assert 'source_html/index.html:5: [claims] "guaranteed"' in checked.stdout


def test_english_claims_alone_never_fail_the_check(project: Path) -> None:
    faithful = "ignore-claims: faithful to the English; the clinic decides"
    translate(project, dict.fromkeys(JA, faithful))
    checked = run("check")
    assert checked.exit_code == 0
    assert checked.stdout.startswith(HEADING + "\n")
    assert checked.stderr == "all checks passed; 2 claims in the English pages, for the clinic\n"
    report = json.loads(run("check", "--format", "json").output)
    assert report["passed"] is True and report["problems"] == []
    guarantee = shipped("en", "guarantee")
    assert report["source_claims"][0] == {
        "file": "source_html/index.html",
        "line": 5,
        "text": "guaranteed",
        "category": guarantee.category,
        "reason": guarantee.reason,
        "suggestion": guarantee.suggestion,
    }
    assert [(c["line"], c["text"]) for c in report["source_claims"]] == [
        (5, "guaranteed"),
        (8, "painless"),
    ]


def test_github_annotates_translations_as_warnings_and_pages_as_notices(project: Path) -> None:
    github = run("check", "--format", "github", "--fail-on", "error")
    assert github.exit_code == 0
    lines = github.stdout.splitlines()
    assert lines[0].startswith(
        f"::warning file={CATALOG},line={entry_line(project, GUARANTEED)},title=claims::"
        '"必ず": 絶対的表現 (guaranteed outcome): '
    )
    assert [line.split("::")[1] for line in lines[3:]] == [
        "notice file=source_html/index.html,line=5,title=claims (for the clinic)",
        "notice file=source_html/index.html,line=8,title=claims (for the clinic)",
    ]
    assert lines[3].endswith("::" + shipped("en", "guarantee").describe("guaranteed"))
    assert len(lines) == 5


def test_severity_grades_translations_and_off_drops_the_clinic_list_too(project: Path) -> None:
    with_severity(project, 'claims = "error"')
    graded = run("check", "--fail-on", "error")
    assert graded.exit_code == 1
    assert graded.stdout.count(": error: [claims] ") == 3
    assert HEADING in graded.stdout  # still a list for the clinic, not errors
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(text.replace('claims = "error"', 'claims = "off"'), encoding="utf-8")
    off = run("check")
    assert off.exit_code == 0
    assert off.output == "all checks passed\n"


@pytest.mark.parametrize(
    ("code", "content", "message"),
    [
        (
            "ja",
            "expression,category,reason\n必ず,a,b\n",
            "locales/ja/claims.csv:1: the first row must name the columns expression, "
            "category, reason, suggestion (missing: suggestion)",
        ),
        (
            "ja",
            "expression,category,reason,suggestion\n必ず,a\n",
            "locales/ja/claims.csv:2: a row needs the columns expression, category, reason, "
            "suggestion",
        ),
        (
            "ja",
            'expression,category,reason,suggestion\n必ず,a,"two\nlines",c\n完治,a,b,\n',
            "locales/ja/claims.csv:4: empty suggestion",
        ),
        (
            "ja",
            "expression,category,reason,suggestion\nNo.1,a,b,c\n\nＮＯ．１,a,b,c\n",
            "locales/ja/claims.csv:4: 'ＮＯ．１' is listed twice (first on line 2)",
        ),
        (
            "ja",
            "expression,category,reason,suggestion\n安心*,a,b,c\n",
            "locales/ja/claims.csv:2: '安心*': `*` must stand between two parts of the expression",
        ),
        (
            "ja",
            'expression,category,reason,suggestion\n必ず,a,b,c\n"完治,a,b,c\n',
            "locales/ja/claims.csv:3: bad CSV: unexpected end of data",  # the quote opens
        ),
        (
            "en",
            "expression,category,reason,suggestion\nguarantee, ,b,c\n",
            "locales/en/claims.csv:2: empty category",
        ),
    ],
)
def test_a_bad_claims_list_is_named_at_its_line_and_exits_2(
    project: Path, code: str, content: str, message: str
) -> None:
    (project / f"locales/{code}/claims.csv").write_text(content, encoding="utf-8")
    result = run("check")
    assert result.exit_code == 2
    assert result.output == message + "\n"


def test_a_claims_list_that_is_not_utf8_is_named(project: Path) -> None:
    (project / "locales/ja/claims.csv").write_bytes(
        b"expression,category,reason,suggestion\n\x95K\x82\xb8,a,b,c\n"
    )
    result = run("check")
    assert (result.exit_code, result.output) == (2, "locales/ja/claims.csv:2: invalid UTF-8\n")


def test_the_reviews_findings_are_found_on_the_clinics_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a review of the clinic's pages found (docs/clinic-review.md), found by the check."""
    for part in ("source_html", "locales"):
        shutil.copytree(REPO / part, tmp_path / part)
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    monkeypatch.chdir(tmp_path)
    report = json.loads(run("check", "--format", "json", "--fail-on", "never").output)
    english = {(f"{c['file']}:{c['line']}", c["text"]) for c in report["source_claims"]}
    assert english >= {
        ("source_html/index.html:7", "low-risk"),
        ("source_html/index.html:31", "specialize"),
        ("source_html/index.html:37", "low risk"),
        ("source_html/index.html:37", "quick recovery"),
        (f"{ARTICLE}:81", "low risk"),
        (f"{ARTICLE}:84", "repairs the damaged"),
        (f"{ARTICLE}:87", "fundamental treatment"),
        (f"{ARTICLE}:95", "low-risk"),
        (f"{ARTICLE}:100", "alleviates the pain"),
        (f"{ARTICLE}:103", "few reported complications"),
        (f"{ARTICLE}:114", "Too Late"),
    }
    japanese = {p["message"].split('"')[1] for p in report["problems"] if p["check"] == "claims"}
    assert japanese >= {"根本的", "専門とする", "手遅れ"}
    assert report["passed"] is True  # --fail-on never; CI's --fail-on error passes too


# --- matching ----------------------------------------------------------------------------------


def found(expression: str, text: str) -> list[str]:
    claim = Claim(expression, "category", "reason", "suggestion")
    return [match for match, _ in find_claims(text, compile_claims((claim,)))]


@pytest.mark.parametrize(
    ("expression", "text", "match"),
    [
        ("guarantee", "Results are guaranteed.", "guaranteed"),
        ("guarantee", "We guarantee it.", "guarantee"),
        ("guarantee", "Guarantees apply.", "Guarantees"),
        ("guarantee", "We are guaranteeing it.", "guaranteeing"),
        ("permanent cure", "You will be permanently cured.", "permanently cured"),
        ("permanent cure", "A permanent cure.", "permanent cure"),
        ("patient story", "Patient stories", "Patient stories"),
        ("pain-free", "Pain free within a day", "Pain free"),
        ("pain-free", "pain‐free", "pain‐free"),
        ("low risk", "These are low-risk procedures.", "low-risk"),
        ("the best", "THE BEST clinic", "THE BEST"),
        ("No.1", "満足度Ｎｏ．１のクリニック", "No.1"),
        ("No.1", "Room No.12", None),
        ("specialize", "We specialized early.", "specialized"),
        ("specialize", "Ask a specialist.", None),
        ("cure", "A secure site", None),
        ("no * side effects", "There are no serious side effects.", "no serious side effects"),
        ("no * side effects", "It has no side effects.", "no side effects"),
        ("no * side effects", "No. Side effects are rare.", None),
        ("no * side effects", "no risk at all, and few side effects", None),
        ("before it's too late", "Act before it’s too late!", "before it’s too late"),
        ("100%", "100%安全です", "100%"),
        ("100%", "１００％の成功率", "100%"),
        ("完治", "完治する治療です。", "完治"),
        ("安心*安全", "安心・安全な治療", "安心・安全"),
        ("安心*安全", "安心安全な治療", "安心安全"),
        ("安心*安全", "安心かつ安全な治療", "安心かつ安全"),
        ("安心*安全", "安心です。安全", None),
        ("リスク*低", "リスクが低い低侵襲治療", "リスクが低"),
        ("根本的", "<1>根本的</1>な治療", "根本的"),
        ("ノーリスク", "ﾉｰﾘｽｸ", "ノーリスク"),
    ],
)
def test_matching(expression: str, text: str, match: str | None) -> None:
    assert found(expression, text) == ([] if match is None else [match])


def test_a_phrase_is_reported_once_under_its_longest_expression() -> None:
    claims = tuple(Claim(e, "c", "r", "s") for e in ("絶対", "絶対安全"))
    matchers = compile_claims(claims)
    assert [(text, claim.expression) for text, claim in find_claims("絶対安全です", matchers)] == [
        ("絶対安全", "絶対安全")
    ]
    assert [text for text, _ in find_claims("絶対安全です。絶対に", matchers)] == [
        "絶対安全",
        "絶対",
    ]


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("ja", "根本的な治療"),
        ("ja", "必ず治ります"),
        ("ja", "絶対に"),
        ("ja", "完治する"),
        ("ja", "最先端の医療"),
        ("ja", "日本一"),
        ("ja", "満足度No.1"),
        ("ja", "痛くない治療"),
        ("ja", "安心・安全"),
        ("ja", "安心安全"),
        ("en", "Results guaranteed"),
        ("en", "A painless procedure"),
        ("en", "the best clinic"),
        ("en", "a permanent cure"),
        ("en", "fundamental treatment"),
        ("en", "Patient testimonials"),
    ],
)
def test_the_shipped_lists_query_the_issues_examples(code: str, text: str) -> None:
    path = REPO / f"locales/{code}/claims.csv"
    claims = parse_claims_csv(path.read_text(encoding="utf-8"), path=str(path))
    assert find_claims(text, compile_claims(claims))
