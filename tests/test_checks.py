"""Checks: each family trips on bad translations and stays quiet on good Japanese ones."""

from __future__ import annotations

import json

import pytest

from pipeline.checks import (
    CHECKS,
    Glossary,
    GlossaryTerm,
    Problem,
    check_catalog,
    format_github,
    format_text,
    parse_glossary_csv,
    parse_glossary_tbx,
    problems_to_json,
)
from pipeline.model import Catalog, Message, PipelineError
from pipeline.pofile import parse_po

GLOSSARY = Glossary(
    (
        GlossaryTerm("Sergel Method", "セルゲル法"),
        GlossaryTerm("lumbar spinal stenosis", "腰部脊柱管狭窄症"),
        GlossaryTerm("spinal canal", "脊柱管"),
        GlossaryTerm("artery", "動脈"),
        GlossaryTerm("MRI", "MRI"),
    )
)


def _check(
    *entries: Message, locale: str = "ja", glossary: Glossary = GLOSSARY
) -> tuple[Problem, ...]:
    catalog = Catalog(messages=entries)
    return check_catalog(catalog, path="locales/ja/page.po", locale=locale, glossary=glossary)


def _names(msgid: str, msgstr: str, *flags: str) -> list[str]:
    return [problem.check for problem in _check(Message(msgid, msgstr, flags=flags, line=7))]


GOOD = [
    (
        "Lumbar spinal stenosis is a condition in which the spinal canal narrows.",
        "腰部脊柱管狭窄症は、脊柱管が狭くなる病気です。",
    ),
    ("Read more about the <1>Sergel Method</1>", "<1>セルゲル法</1>について詳しくはこちら"),
    ("October 24, 2025", "2025年10月24日"),
    ("Oct. 3, 2025", "2025年10月3日"),
    ("<1>Call</1> us at <2/>03-1234-5678.", "<2/>03-1234-5678まで<1>お電話</1>ください。"),
    ("Visit https://example.jp/access.", "https://example.jp/accessをご覧ください。"),
    ("Write to info@example.jp.", "info@example.jpまでご連絡ください。"),
    ("The incision is only 5 mm.", "切開はわずか5mmです。"),
    ("The incision is only 5 mm.", "切開はわずか５ミリです。"),
    ("Recovery takes two weeks.", "回復には2週間かかります。"),
    ("Over 1,000 patients", "1000人以上の患者さん"),
    ("What is lumbar spinal stenosis?", "腰部脊柱管狭窄症とは何ですか？"),
    ("Is surgery needed?", "手術は必要ですか。"),
    ("Symptoms:", "症状："),
    ("Numbness in the legs", "脚のしびれ"),  # a heading: no ending to check
    ("MRI", "MRI"),  # a name kept as is, listed in the glossary
    ("2025", "2025"),  # nothing to translate
    ("https://example.jp/", "https://example.jp/"),
    ("Arteries and the spinal canal", "動脈と脊柱管"),  # plural matches the glossary term
    ("Dr. Tanaka, M.D.", "田中医師"),  # an abbreviation, not a full stop
    ("Use the <br> element.", "<br>要素を使います。"),  # markup the source has too
]


@pytest.mark.parametrize(("msgid", "msgstr"), GOOD)
def test_good_translations_pass(msgid: str, msgstr: str) -> None:
    assert _check(Message(msgid, msgstr, line=3)) == ()


BAD = [
    ("Read <1>more</1>", "もっと読む", "placeholders", "error"),
    ("Read <1>more</1>", "<1>もっと</1><2/>読む", "placeholders", "error"),
    ("Hello", "こんにちは<script>alert()</script>", "markup", "error"),
    ("Hello", "<b>こんにちは</b>", "markup", "error"),
    ("Hello", "こんにちは onclick=steal()", "markup", "error"),
    ("Hello", "javascript:void(0)", "markup", "error"),
    ("Hello", "data:text/html;base64,AAAA", "markup", "error"),
    ("Hello", "width:expression(alert())", "markup", "error"),
    ("Hello", "&lt;script&gt;こんにちは", "markup", "error"),
    ("Hello", "&#x3c;こんにちは", "markup", "error"),
    ("Hello", "こんにちは\u202e", "markup", "error"),
    ("Hello", "こん\u200bにちは", "markup", "error"),
    ("Take 10 mg.", "20mgを服用します。", "numbers", "warning"),
    ("Take 10 mg.", "10を服用します。", "numbers", "warning"),
    ("Open 5 days", "7日間営業", "numbers", "warning"),
    ("October 24, 2025", "2025年11月24日", "numbers", "warning"),
    ("See https://example.jp/a", "https://example.jp/bを参照", "urls", "warning"),
    ("Contact us", "info@evil.example までご連絡", "urls", "warning"),
    (" Hello", "こんにちは", "whitespace", "warning"),
    ("Hello", "こんにちは ", "whitespace", "warning"),
    ("It hurts.", "痛みます", "punctuation", "warning"),
    ("It hurts.", "痛みます.", "punctuation", "warning"),
    ("Does it hurt?", "痛みますか", "punctuation", "warning"),
    ("Causes:", "原因", "punctuation", "warning"),
    ("About the Sergel method", "手術法について", "glossary", "warning"),
    ("Pain, numbness", "痛み,しびれ", "typography", "warning"),
    ("Pain. Numbness", "痛み.しびれ", "typography", "warning"),
    ("Test", "ﾃｽﾄ", "typography", "warning"),
    ("Back pain", "腰 痛", "typography", "warning"),
    ("Back pain", "Back pain", "same-as-source", "warning"),
]


@pytest.mark.parametrize(("msgid", "msgstr", "check", "severity"), BAD)
def test_bad_translations_are_caught(msgid: str, msgstr: str, check: str, severity: str) -> None:
    problems = _check(Message(msgid, msgstr, line=12))
    assert (check, severity) in [(problem.check, problem.severity) for problem in problems]
    found = next(problem for problem in problems if problem.check == check)
    assert (found.file, found.line, found.msgid) == ("locales/ja/page.po", 12, msgid)


def test_every_check_is_exercised() -> None:
    # claims needs a claims list: tests/test_claims.py plants claims in both languages.
    names = {check for *_, check, _ in BAD} | {"politeness", "fuzzy", "claims"}
    assert names == {name for name, _, _ in CHECKS} | {"fuzzy"}


def test_markup_from_the_source_counts_once() -> None:
    assert _names("Use <br>.", "<br>と<br>を使います。") == ["markup"]


def test_all_problems_are_collected() -> None:
    problems = _check(
        Message("Read <1>more</1> at https://example.jp.", "もっと読む", line=3),
        Message("Back pain", "Back pain", line=9),
    )
    assert [(p.line, p.check) for p in problems] == [
        (3, "placeholders"),
        (3, "urls"),
        (3, "punctuation"),
        (9, "same-as-source"),
    ]


def test_ignore_flag_silences_one_check_for_one_entry() -> None:
    msgid, msgstr = "About the Sergel method 2", "手術法について"
    assert _names(msgid, msgstr) == ["numbers", "glossary"]
    assert _names(msgid, msgstr, "ignore-glossary") == ["numbers"]
    assert _names(msgid, msgstr, "ignore-glossary", "ignore-numbers") == []


def test_fuzzy_entry_only_warns_fuzzy() -> None:
    problems = _check(Message("Read <1>more</1>", "古い訳", flags=("fuzzy",), line=4))
    assert [(p.check, p.severity, p.line) for p in problems] == [("fuzzy", "warning", 4)]
    assert _names("Read <1>more</1>", "古い訳", "fuzzy", "ignore-fuzzy") == []


def test_untranslated_and_obsolete_entries_are_skipped() -> None:
    assert _check(Message("Back pain", ""), Message("Back pain", "Back pain", obsolete=True)) == ()


def test_plural_forms_are_checked_against_msgid_plural() -> None:
    entry = Message("<1>one</1> day", msgid_plural="<1>%d</1> days", msgstr_plural=("%d日",))
    assert [p.check for p in _check(entry)] == ["placeholders"]


def test_japanese_checks_are_silent_for_other_locales() -> None:
    problems = _check(Message("Pain, numbness", "痛み,しびれ ﾃｽﾄ"), locale="zh_CN")
    assert problems == ()


POLITE = [Message(f"It hurts{'!' * n}.", "痛みがあります。", line=n) for n in range(3)]


def test_minority_politeness_style_is_flagged() -> None:
    plain = Message("It does not hurt.", "痛くない。", line=20)
    problems = _check(*POLITE, plain)
    assert [(p.line, p.check) for p in problems] == [(20, "politeness")]


def test_plain_majority_flags_the_polite_entry() -> None:
    plain = [Message(f"A fact{'!' * n}.", "これは事実である。", line=n) for n in range(3)]
    polite = Message("Please call.", "お電話ください。", line=30)
    assert [(p.line, p.check) for p in _check(*plain, polite)] == [(30, "politeness")]


def test_headings_do_not_count_as_plain_style() -> None:
    heading = Message("No pain", "痛みがない", line=20)
    assert _check(*POLITE, heading) == ()


def test_ignored_entry_does_not_set_the_style() -> None:
    quote = Message("Quote.", "痛くない。", flags=("ignore-politeness",), line=20)
    assert _check(POLITE[0], quote) == ()


def test_same_as_source_allows_glossary_names_only() -> None:
    assert _names("MRI", "MRI") == []
    assert _names("CT", "CT") == ["same-as-source"]


@pytest.mark.parametrize(
    ("msgid", "matches"),
    [
        ("the Sergel method", True),
        ("SERGEL METHODS", True),
        ("Sergel-method", True),
        ("the Sergel methodology", False),
        ("Sergel", False),
    ],
)
def test_glossary_matching(msgid: str, matches: bool) -> None:
    assert ("glossary" in _names(msgid, "手術")) == matches


def test_glossary_accepts_any_listed_target_ignoring_width() -> None:
    glossary = Glossary((GlossaryTerm("numbness", "シビレ"), GlossaryTerm("numbness", "痺れ")))
    problems = _check(
        Message("Numbness", "脚の痺れ"), Message("Numbness", "ｼﾋﾞﾚ"), glossary=glossary
    )
    assert [p.check for p in problems] == ["typography"]


def test_glossary_warning_names_target_and_explanation() -> None:
    glossary = Glossary((GlossaryTerm("artery", "動脈", "not 血管"),))
    (problem,) = _check(Message("Artery", "血管"), glossary=glossary)
    assert problem.message == "translate 'artery' as 動脈 (not 血管)"


PROBLEMS = (
    Problem("a.po", 3, "Hi", "placeholders", "error", "<1> is missing"),
    Problem("dir:x,y.po", 5, 'Say "hi"', "urls", "warning", "100% sure\r\nnext line"),
)


def test_json_shape() -> None:
    document = json.loads(problems_to_json(PROBLEMS, passed=False))
    assert document["passed"] is False
    assert document["problems"][0] == {
        "file": "a.po",
        "line": 3,
        "msgid": "Hi",
        "check": "placeholders",
        "severity": "error",
        "message": "<1> is missing",
    }
    assert json.loads(problems_to_json((), passed=True)) == {
        "passed": True,
        "problems": [],
        "source_claims": [],  # for the clinic, apart: tests/test_claims.py
        "rendered_claims": [],
    }


def test_github_annotations_escape_properties_and_message() -> None:
    assert format_github(PROBLEMS).splitlines() == [
        "::error file=a.po,line=3,title=placeholders::<1> is missing",
        "::warning file=dir%3Ax%2Cy.po,line=5,title=urls::100%25 sure%0D%0Anext line",
    ]


def test_text_format() -> None:
    quoted = Problem("b.po", 5, 'Say "hi"\n', "urls", "warning", "100% sure")
    long = Problem("a.po", 1, "x" * 80, "fuzzy", "warning", "marked fuzzy")
    assert format_text((PROBLEMS[0], quoted, long)).splitlines() == [
        'a.po:3: error: [placeholders] <1> is missing (msgid: "Hi")',
        'b.po:5: warning: [urls] 100% sure (msgid: "Say \\"hi\\"\\n")',
        f'a.po:1: warning: [fuzzy] marked fuzzy (msgid: "{"x" * 59}…")',
    ]


def test_parse_glossary_csv_with_header() -> None:
    text = (
        "\ufeffsource,target,explanation\n"
        'Sergel Method,セルゲル法,"the clinic\'s name, kept"\n'
        "sedation,,\n"
        "\n"
        "artery,動脈\n"
    )
    assert parse_glossary_csv(text, path="g.csv").terms == (
        GlossaryTerm("Sergel Method", "セルゲル法", "the clinic's name, kept"),
        GlossaryTerm("artery", "動脈"),
    )


def test_parse_glossary_csv_without_header() -> None:
    glossary = parse_glossary_csv("numbness,しびれ\r\n", path="g.csv")
    assert glossary.terms == (GlossaryTerm("numbness", "しびれ"),)


@pytest.mark.parametrize(
    ("text", "line"), [("source,target\nartery\n", 2), ("source,target\na,b\n,動脈\n", 3)]
)
def test_parse_glossary_csv_errors_name_the_line(text: str, line: int) -> None:
    with pytest.raises(PipelineError) as raised:
        parse_glossary_csv(text, path="g.csv")
    assert (raised.value.path, raised.value.line) == ("g.csv", line)


TBX2 = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE martif SYSTEM "TBXcoreStructV02.dtd">
<martif type="TBX" xml:lang="en">
  <martifHeader><fileDesc><sourceDesc><p>clinic</p></sourceDesc></fileDesc></martifHeader>
  <text><body>
    <termEntry id="t1">
      <descrip type="definition">our treatment</descrip>
      <langSet xml:lang="en"><tig><term>Sergel Method</term></tig></langSet>
      <langSet xml:lang="ja-JP"><tig><term>セルゲル法</term></tig></langSet>
    </termEntry>
    <termEntry id="t2">
      <langSet xml:lang="en"><ntig><termGrp><term>numbness</term></termGrp></ntig></langSet>
      <langSet xml:lang="ja">
        <ntig><termGrp><term>しびれ</term></termGrp></ntig>
        <tig>
          <term>シビレ</term>
          <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote>
        </tig>
      </langSet>
    </termEntry>
    <termEntry id="t3"><langSet xml:lang="en"><tig><term>only English</term></tig></langSet>
    </termEntry>
  </body></text>
</martif>
"""

TBX3 = """<tbx xmlns="urn:iso:std:iso:30042:ed-2" type="TBX-Basic" style="dca" xml:lang="en">
  <text><body>
    <conceptEntry id="c1">
      <langSec xml:lang="en"><termSec><term>artery</term></termSec></langSec>
      <langSec xml:lang="ja"><termSec><term>動脈</term></termSec></langSec>
    </conceptEntry>
  </body></text>
</tbx>
"""


def test_parse_glossary_tbx2() -> None:
    assert parse_glossary_tbx(TBX2, path="g.tbx").terms == (
        GlossaryTerm("Sergel Method", "セルゲル法", "our treatment"),
        GlossaryTerm("numbness", "しびれ"),
    )


def test_parse_glossary_tbx3_with_namespace() -> None:
    assert parse_glossary_tbx(TBX3, path="g.tbx").terms == (GlossaryTerm("artery", "動脈"),)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('<?xml version="1.0"?>\n<martif>\n<text></martif>', 3),
        ('<?xml version="1.0"?>\n<!DOCTYPE m [<!ENTITY a "aaaa">]>\n<m>&a;</m>', 2),
    ],
)
def test_parse_glossary_tbx_refuses_bad_xml(text: str, line: int) -> None:
    with pytest.raises(PipelineError) as raised:
        parse_glossary_tbx(text, path="g.tbx")
    assert (raised.value.path, raised.value.line) == ("g.tbx", line)


PO = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

#: page.html:3
#, ignore-glossary
msgid "About the Sergel method"
msgstr "手術法について"

#, fuzzy
msgid "Read <1>more</1>"
msgstr "古い訳"

msgid "Back pain"
msgstr "Back pain"

#~ msgid "Gone"
#~ msgstr "Gone"
"""


def test_parsed_catalog_reports_file_lines_and_honours_flags() -> None:
    catalog = parse_po(PO, path="page.po")
    problems = check_catalog(catalog, path="page.po", locale="ja", glossary=GLOSSARY)
    assert [(p.line, p.check) for p in problems] == [(11, "fuzzy"), (14, "same-as-source")]
