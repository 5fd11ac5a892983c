"""The claims check: what the medical advertising guideline queries. For the clinic, lists that
fail nothing: the claims of the English pages, and their faithful renderings in the translations.
A claim a translation makes on its own (its msgid makes no claim of the same reason) is a
warning the project grades.

Matching is tested on the functions; everything else through the real CLI on a small project
that uses the lists the repository ships (`locales/en/claims.csv`, `locales/ja/claims.csv`).
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli import main
from pipeline.checks import Claim, Glossary
from pipeline.checks.claims import (
    check_claims,
    compile_claims,
    find_claims,
    find_renderings,
    parse_claims_csv,
)
from pipeline.checks.core import ClaimMatcher, Context
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
ADDED = (
    "the source makes no such claim: the translation adds it, remove it (or overrule with "
    "`ignore-claims:` and the reason)"
)
HEADING = "for the clinic: claims in the English pages (the clinic decides; they fail no check)"
RENDERED = (
    "for the clinic: the same claims in the translations (faithful to the English; the clinic "
    "decides; they fail no check)"
)


def run(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def translate(
    project: Path, comments: dict[str, str] | None = None, *, texts: dict[str, str] = JA
) -> None:
    """Translate the page as `texts` says, with translator comments for some entries."""
    path = project / CATALOG
    catalog = parse_po(path.read_text(encoding="utf-8"), path=str(path))
    messages = tuple(
        replace(
            m,
            msgstr=texts[m.msgid],
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


def test_faithful_claims_are_for_the_clinic_and_added_ones_warn(project: Path) -> None:
    checked = run("check")
    assert checked.exit_code == 1  # the claim the translator added, --fail-on warning
    where = f"{CATALOG}:{{}}: "
    assert checked.stdout.splitlines() == [
        # The English says nothing of the kind: the translator added the claim.
        where.format(entry_line(project, REST))
        + "warning: [claims] "
        + shipped("ja", "安心*安全").describe("安心・安全")
        + f"; {ADDED} (msgid: {json.dumps(REST)})",
        "",
        HEADING,
        "source_html/index.html:5: [claims] " + shipped("en", "guarantee").describe("guaranteed"),
        # The paragraph starts on line 6; the word is on line 8.
        "source_html/index.html:8: [claims] " + shipped("en", "painless").describe("painless"),
        "",
        RENDERED,
        # Faithful renderings of the English claims: no problem, the clinic's to decide.
        where.format(entry_line(project, GUARANTEED))
        + "[claims] "
        + shipped("ja", "必ず").describe("必ず", renders=("guaranteed",)),
        where.format(entry_line(project, PAINLESS))
        + "[claims] "
        + shipped("ja", "痛くない").describe("痛くない", renders=("painless",)),
    ]
    assert checked.stderr == (
        "1 problem; 2 claims in the English pages and 2 in the translations, for the clinic\n"
    )
    passed = run("check", "--fail-on", "error")
    assert passed.exit_code == 0
    assert passed.stderr == (
        "1 problem, none failing with --fail-on error; 2 claims in the English pages and 2 in "
        "the translations, for the clinic\n"
    )


def test_a_faithful_translation_passes_check(project: Path) -> None:
    """The translator renders the clinic's claims as the English makes them: nothing to fix,
    nothing to overrule, and the run passes; the clinic sees both languages."""
    translate(project, texts={**JA, REST: "治療後は自宅でお過ごしください。"})
    checked = run("check")
    assert checked.exit_code == 0
    assert checked.stdout.startswith(HEADING + "\n")
    assert "warning" not in checked.stdout and RENDERED in checked.stdout
    assert checked.stderr == (
        "all checks passed; 2 claims in the English pages and 2 in the translations, "
        "for the clinic\n"
    )


def test_another_claim_of_the_same_category_is_the_translations_own(project: Path) -> None:
    """完治 is a guaranteed outcome (絶対的表現) like "guaranteed", but a claim of its own (the
    condition gone for good): the lists pair rows by reason, not by category."""
    translate(project, texts={**JA, GUARANTEED: "当院の新しい治療で必ず完治します。"})
    checked = run("check", "--format", "json", "--fail-on", "never")
    report = json.loads(checked.output)
    own = {(p["line"], p["message"].split('"')[1]) for p in report["problems"]}
    assert own == {
        (entry_line(project, GUARANTEED), "完治"),
        (entry_line(project, REST), "安心・安全"),
    }
    rendered = {(c["line"], c["text"], tuple(c["source"])) for c in report["rendered_claims"]}
    assert rendered == {
        (entry_line(project, GUARANTEED), "必ず", ("guaranteed",)),
        (entry_line(project, PAINLESS), "痛くない", ("painless",)),
    }


def test_ignore_claims_overrules_one_entry(project: Path) -> None:
    reason = "ignore-claims: reassurance the clinic asked for in Japanese (docs/clinic-review.md)"
    translate(project, {REST: reason})
    checked = run("check")
    assert checked.exit_code == 0
    assert '"安心・安全"' not in checked.stdout and "warning" not in checked.stdout
    # A faithful rendering is no problem to overrule: the comment hides no claim from the clinic.
    translate(project, dict.fromkeys(JA, reason))
    checked = run("check")
    assert checked.exit_code == 0
    assert f"{CATALOG}:{entry_line(project, GUARANTEED)}: [claims] " in checked.stdout
    assert 'source_html/index.html:5: [claims] "guaranteed"' in checked.stdout


def test_json_lists_both_languages_for_the_clinic(project: Path) -> None:
    report = json.loads(run("check", "--format", "json").output)
    assert report["passed"] is False
    assert [p["check"] for p in report["problems"]] == ["claims"]
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
    must = shipped("ja", "必ず")
    assert report["rendered_claims"][0] == {
        "file": CATALOG,
        "line": entry_line(project, GUARANTEED),
        "msgid": GUARANTEED,
        "text": "必ず",
        "source": ["guaranteed"],
        "category": must.category,
        "reason": must.reason,
        "suggestion": must.suggestion,
    }
    assert [c["text"] for c in report["rendered_claims"]] == ["必ず", "痛くない"]


def test_github_annotates_added_claims_as_warnings_and_the_clinics_as_notices(
    project: Path,
) -> None:
    github = run("check", "--format", "github", "--fail-on", "error")
    assert github.exit_code == 0
    lines = github.stdout.splitlines()
    assert lines[0].startswith(
        f"::warning file={CATALOG},line={entry_line(project, REST)},title=claims::"
        '"安心・安全": 安全性の過度な強調 (safety overstated): '
    )
    notice = "notice file={},line={},title=claims (for the clinic)"
    assert [line.split("::")[1] for line in lines[1:]] == [
        notice.format("source_html/index.html", 5),
        notice.format("source_html/index.html", 8),
        notice.format(CATALOG, entry_line(project, GUARANTEED)),
        notice.format(CATALOG, entry_line(project, PAINLESS)),
    ]
    assert lines[1].endswith("::" + shipped("en", "guarantee").describe("guaranteed"))
    assert lines[3].endswith("::" + shipped("ja", "必ず").describe("必ず", renders=("guaranteed",)))


def test_severity_grades_added_claims_and_off_drops_the_clinic_lists_too(project: Path) -> None:
    with_severity(project, 'claims = "error"')
    graded = run("check", "--fail-on", "error")
    assert graded.exit_code == 1
    assert graded.stdout.count(": error: [claims] ") == 1
    assert HEADING in graded.stdout and RENDERED in graded.stdout  # lists, not errors
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
        (
            "en",
            "expression,except,category,reason,suggestion\nguarantee,not guarantee|*,a,b,c\n",
            "locales/en/claims.csv:2: '*': `*` must stand between two parts of the expression",
        ),
        (
            "ja",
            "expression,except,category,reason,suggestion\n必ず,必ずしも,a,b,c\n絶対,絶対安静|安静,a,b,c\n",
            "locales/ja/claims.csv:3: except '安静': holds no match of '絶対', so it could never "
            "apply",
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
    """What a review of the clinic's pages found (docs/clinic-review.md), found by the check:
    in the English pages, and rendered faithfully in the Japanese, which therefore passes."""
    for part in ("source_html", "locales"):
        shutil.copytree(REPO / part, tmp_path / part)
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    monkeypatch.chdir(tmp_path)
    report = json.loads(run("check", "--format", "json").output)
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
    rendered = {(c["text"], c["source"][0]) for c in report["rendered_claims"]}
    assert rendered >= {
        ("根本的", "fundamental treatment"),
        ("専門とする", "specialize"),
        ("手遅れ", "Too Late"),
        ("修復", "repairs the damaged"),
        ("和らぎます", "alleviates the pain"),
        ("報告が少な", "few reported complications"),
    }
    assert report["problems"] == [] and report["passed"] is True
    checked = run("check")  # as the translator runs it
    assert checked.exit_code == 0
    assert re.fullmatch(
        r"all checks passed; \d+ claims in the English pages and \d+ in the translations, "
        r"for the clinic\n",
        checked.stderr,
    )


def test_the_clinic_review_quotes_the_catalogs_at_their_lines() -> None:
    """docs/clinic-review.md quotes the Japanese of each claim with its catalog line: both must
    be those of the catalogs as they stand (placeholders aside, as the pages show them)."""
    from pipeline.placeholders import strip_placeholders

    review = (REPO / "docs/clinic-review.md").read_text(encoding="utf-8")
    quotes = re.findall(r"^- \*\*Japanese\*\* \(`([^`:]+):(\d+)`\): (.+)$", review, re.M)
    assert len(quotes) == 11
    for name, line, quote in quotes:
        path = REPO / "locales/ja/LC_MESSAGES" / name
        catalog = parse_po(path.read_text(encoding="utf-8"), path=str(path))
        entry = next((m for m in catalog.active if m.line == int(line)), None)
        assert entry is not None, f"{name}:{line}: no entry"
        assert quote in strip_placeholders(entry.msgstr), f"{name}:{line}"


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
        # A word the list writes with the -s of a third person is taken back to its base.
        ("relieves * pain", "It relieved the pain.", "relieved the pain"),
        ("relieves * pain", "It will relieve back pain.", "relieve back pain"),
        ("relieves * pain", "Relieving the pain", "Relieving the pain"),
        ("alleviates * pain", "It alleviated the pain.", "alleviated the pain"),
        ("repairs", "It repaired the disc.", "repaired"),
        ("stories", "A patient story", "story"),
        ("fixes", "It fixed the tear.", "fixed"),
        ("fixes", "It will fix the tear.", "fix"),
        ("painless", "A pain procedure", None),
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


def test_an_exception_holding_the_match_keeps_it_from_counting() -> None:
    claim = Claim("guarantee", "c", "r", "s", ("not guarantee", "no guarantee"))
    matchers = compile_claims((claim,))
    assert [t for t, _ in find_claims("Results are not guaranteed.", matchers)] == []
    assert [t for t, _ in find_claims("There is no guarantee.", matchers)] == []
    # Only the match inside the exception is left out.
    text = "Results are not guaranteed. Satisfaction guaranteed!"
    assert [t for t, _ in find_claims(text, matchers)] == ["guaranteed"]


def shipped_matchers(code: str) -> tuple[ClaimMatcher, ...]:
    path = REPO / f"locales/{code}/claims.csv"
    return compile_claims(parse_claims_csv(path.read_text(encoding="utf-8"), path=str(path)))


#: What the shipped lists query (the match) and leave alone (None): the claims, and the hedged,
#: compliant or unrelated wordings that hold the same words.
SHIPPED = [
    ("ja", "必ず効果があります。", "必ず"),
    ("ja", "必ずしも効果があるとは限りません。", None),
    ("ja", "効果を保証します。", "保証"),
    ("ja", "効果を保証するものではありません。", None),
    ("ja", "効果は保証できません。", None),
    ("ja", "効果の保証はできません。", None),
    ("ja", "絶対に効きます。", "絶対"),
    ("ja", "術後は絶対安静です。", None),
    ("ja", "最高の治療を提供します。", "最高"),
    ("ja", "最高血圧が高い方はお知らせください。", None),
    ("ja", "他院で手術を受けた方もご相談ください。", None),
    ("ja", "他院と比べて短時間で終わります。", "他院と比べ"),
    ("ja", "他院より優れた治療です。", "他院より"),
    ("ja", "解説動画を再生します。", None),
    ("ja", "椎間板を再生させる治療です。", "椎間板を再生"),  # once for the phrase
    ("ja", "軟骨が再生します。", "軟骨が再生"),
    ("ja", "再生医療を行っています。", "再生医療"),
    ("ja", "安全性が高い治療です。", "安全性が高"),
    ("ja", "安全性を高めるための取り組み", None),
    ("ja", "安全な治療です。", "安全な治療"),
    ("ja", "安全な治療のために、持病をお知らせください。", None),
    ("ja", "痛みが少ない治療です。", "痛みが少な"),
    ("ja", "痛みが少なくなることが期待できます。", None),
    ("ja", "再発が少ない治療法です。", "再発が少な"),
    ("ja", "再発が少なくなるよう、経過を確認します。", None),
    ("en", "Results are guaranteed.", "guaranteed"),
    ("en", "Results are not guaranteed.", None),
    ("en", "We cannot guarantee results.", None),
    ("en", "Results cannot be guaranteed.", None),
    ("en", "There is no guarantee of a result.", None),
    ("en", "The treatment does not guarantee relief.", None),
    ("en", "A treatment with few complications.", "few complications"),
    ("en", "Few patients have complications.", "Few patients have complications"),
    ("en", "A few complications may occur.", None),
    ("en", "Only a few complications were reported.", "Only a few complications"),
    ("en", "A low-risk treatment.", "low-risk"),
    ("en", "Treatments with low risk.", "low risk"),
    ("en", "There is a low risk of infection.", None),
    ("en", "The best clinic in Tokyo.", "The best"),
    ("en", "The best time to see a doctor is early.", None),
    ("en", "The best way to prepare is to rest.", None),
    ("en", "No.1 spine clinic", "No.1"),
    ("en", "No. 1 in Japan", "No. 1"),
    ("en", "#1 in Tokyo", "#1"),
    ("en", "Reception is in Building No. 1.", None),
    ("en", "Reception is in Building No.1.", None),
    ("en", "Step #1: book a consultation.", None),
    ("en", "Room No.12", None),
    ("en", "The widening alleviates the pain.", "alleviates the pain"),
    ("en", "The widening alleviated the pain.", "alleviated the pain"),
    ("en", "It relieves back pain.", "relieves back pain"),
    ("en", "It relieved the pain.", "relieved the pain"),
    ("en", "It will relieve the pain.", "relieve the pain"),
    ("en", "Widening the spinal canal can relieve the pain.", None),
    ("en", "The treatment aims to alleviate the pain.", None),
    ("en", "A safe treatment for back pain.", "safe treatment"),
    ("en", "We take every step to ensure a safe treatment.", None),
]


@pytest.mark.parametrize(("code", "text", "match"), SHIPPED)
def test_what_the_shipped_lists_query_and_leave_alone(
    code: str, text: str, match: str | None
) -> None:
    assert [t for t, _ in find_claims(text, shipped_matchers(code))] == (
        [] if match is None else [match]
    )


def renderings(msgid: str, msgstr: str) -> list[tuple[str, tuple[str, ...]]]:
    context = Context(
        japanese=True,
        glossary=Glossary(),
        matchers=(),
        majority_style=None,
        claims=shipped_matchers("ja"),
        source_claims=shipped_matchers("en"),
    )
    return [(text, renders) for text, _, renders in find_renderings(msgid, msgstr, context)]


@pytest.mark.parametrize(
    ("msgid", "msgstr", "rendered"),
    [
        (
            "which allows for fundamental treatment",
            "根本的な治療が可能になります",
            ("根本的", "fundamental treatment"),
        ),
        ("low-risk treatment", "リスクの低い治療", ("リスクの低", "low-risk")),
        ("with low risk", "リスクが低く", ("リスクが低", "low risk")),
        ("with minimal risk", "リスクが少なく", ("リスクが少な", "minimal risk")),
        ("and quick recovery", "回復が早い", ("回復が早", "quick recovery")),
        ("and quick recovery", "回復の早い", ("回復の早", "quick recovery")),
        ("We specialize in", "を専門とするクリニックです", ("専門とする", "specialize")),
        ("Is it Already Too Late! ?", "もう手遅れ！？", ("手遅れ", "Too Late")),
        ("alleviates the pain", "痛みが和らぎます", ("和らぎます", "alleviates the pain")),
        ("repairs the damaged disc", "傷んだ椎間板を修復する", ("修復", "repairs the damaged")),
        (
            "few reported complications",
            "合併症の報告が少ない",
            ("報告が少な", "few reported complications"),
        ),
        ("Results guaranteed.", "必ず効果があります。", ("必ず", "guaranteed")),
    ],
)
def test_a_translation_renders_the_claim_its_msgid_makes(
    msgid: str, msgstr: str, rendered: tuple[str, str]
) -> None:
    text, source = rendered
    assert renderings(msgid, msgstr) == [(text, (source,))]


@pytest.mark.parametrize(
    ("msgid", "msgstr", "added"),
    [
        ("A treatment with quick recovery.", "回復が早い画期的な治療です。", "画期的"),
        ("A low-risk treatment.", "リスクが低く、痛くない治療です。", "痛くない"),
        ("Results guaranteed.", "必ず完治します。", "完治"),  # the same category, not claim
        ("A minimally invasive treatment.", "リスクの低い治療です。", "リスクの低"),
        ("Results are not guaranteed.", "効果を保証します。", "保証"),  # the English excepts it
    ],
)
def test_a_claim_the_msgid_does_not_make_is_the_translations_own(
    msgid: str, msgstr: str, added: str
) -> None:
    assert (added, ()) in renderings(msgid, msgstr)
    context = Context(True, Glossary(), (), None, shipped_matchers("ja"), shipped_matchers("en"))
    assert [m for m in check_claims(msgid, msgstr, context) if m.startswith(f'"{added}"')]


def test_the_shipped_lists_pair_every_japanese_claim_with_an_english_one() -> None:
    """A translation's claim is faithful when its msgid makes the claim of the same reason:
    a Japanese row without an English row of its reason would warn on every rendering."""
    english = {m.claim.reason for m in shipped_matchers("en")}
    unpaired = {m.claim.expression for m in shipped_matchers("ja") if m.claim.reason not in english}
    assert unpaired == set()
