"""Placeholders: tokenizing keeps the text; structure_problems catches every broken structure."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pipeline.model import PLACEHOLDER_RE
from pipeline.placeholders import Tag, strip_placeholders, structure_problems, tokenize


def test_tokenize_splits_literals_and_tags() -> None:
    assert tokenize("See <1>the <2/>list</1>.") == (
        "See ",
        Tag("open", 1),
        "the ",
        Tag("void", 2),
        "list",
        Tag("close", 1),
        ".",
    )


def test_tokenize_only_counts_given_numbers() -> None:
    assert tokenize("<1>a</1> <3> b", frozenset({1})) == (
        Tag("open", 1),
        "a",
        Tag("close", 1),
        " <3> b",
    )


@pytest.mark.parametrize("text", ["</1/>", "<01>", "<１>", "a < 1 > b", "<x>", ""])
def test_look_alikes_stay_text(text: str) -> None:
    assert all(isinstance(token, str) for token in tokenize(text))


def test_tag_renders_as_written() -> None:
    assert [str(Tag("open", 3)), str(Tag("close", 3)), str(Tag("void", 4))] == [
        "<3>",
        "</3>",
        "<4/>",
    ]


def test_strip_placeholders() -> None:
    assert strip_placeholders("<1>セルゲル法</1>について<2/>") == "セルゲル法について"


@pytest.mark.parametrize(
    ("msgid", "msgstr"),
    [
        ("Read <1>more</1>", "<1>もっと</1>読む"),
        ("<1>Call</1> us<2/> at <3>home</3>", "<3>自宅</3><2/>に<1>電話</1>"),  # reordered
        ("<1>a <2>b</2></1>", "<1><2>ビー</2>エー</1>"),
        ("<1>a</1><2>b</2>", "<2>b</2><1>a</1>"),
        ("no placeholders", "プレースホルダーなし"),
        ("a <3 b", "a <3 b"),
    ],
)
def test_valid_structures(msgid: str, msgstr: str) -> None:
    assert structure_problems(msgid, msgstr) == ()


@pytest.mark.parametrize(
    ("msgid", "msgstr", "expected"),
    [
        ("Read <1>more</1>", "もっと読む", ["<1>…</1> is missing"]),
        ("Read <1>more</1>", "<1>もっと読む", ["</1> is missing"]),
        ("Line<1/>break", "改行", ["<1/> is missing"]),
        (
            "Read <1>more</1>",
            "<1>もっと</1><2/>読む",
            ["<2/> is not in the source text (invented placeholder); remove it"],
        ),
        (
            "Read <1>more</1>",
            "<1>もっと</1><1>読む</1>",
            [
                "<1> appears 2 times; the source has it once",
                "</1> appears 2 times; the source has it once",
            ],
        ),
        ("a<1/>b", "a<1/>b<1/>", ["<1/> appears 2 times; the source has it once"]),
        (
            "Read <1>more</1>",
            "</1>もっと<1>読む",
            ["</1> comes before <1>; open the placeholder before closing it"],
        ),
        (
            "<1>a</1> <2>b</2>",
            "<1>a<2>b</1></2>",
            ["</1> closes while <2> (opened inside it) is still open; close </2> first"],
        ),
        (
            "Read <1>more</1>",
            "<1/>もっと読む",
            ["<1/> is written for the paired placeholder <1>…</1>; wrap the text in <1>…</1>"],
        ),
        (
            "Line<1/>break",
            "改<1>行</1>",
            ["<1>, </1> is written for the void placeholder <1/>; use <1/> instead"],
        ),
    ],
)
def test_broken_structures(msgid: str, msgstr: str, expected: list[str]) -> None:
    assert list(structure_problems(msgid, msgstr)) == expected


_TEXT = st.text(max_size=6).filter(lambda text: PLACEHOLDER_RE.search(text) is None)
_OPS = st.lists(st.tuples(st.sampled_from(["open", "close", "void"]), _TEXT), max_size=12)


def _well_nested(ops: list[tuple[str, str]]) -> list[str | Tag]:
    """Random text with placeholders numbered in order of appearance, every pair closed."""
    tokens: list[str | Tag] = []
    stack: list[int] = []
    count = 0
    for op, text in ops:
        tokens.append(text)
        if op == "close":
            if stack:
                tokens.append(Tag("close", stack.pop()))
            continue
        count += 1
        tokens.append(Tag("open", count) if op == "open" else Tag("void", count))
        if op == "open":
            stack.append(count)
    tokens.extend(Tag("close", number) for number in reversed(stack))
    return tokens


def _join(tokens: list[str | Tag]) -> str:
    return "".join(map(str, tokens))


@given(st.text(alphabet="<>/0123a ", max_size=30))
def test_tokenize_round_trips(text: str) -> None:
    assert "".join(map(str, tokenize(text))) == text


@given(_OPS)
def test_identity_translation_has_no_problems(ops: list[tuple[str, str]]) -> None:
    msgid = _join(_well_nested(ops))
    assert structure_problems(msgid, msgid) == ()


@given(_OPS, st.data(), st.booleans())
def test_any_single_deletion_or_duplication_is_reported(
    ops: list[tuple[str, str]], data: st.DataObject, delete: bool
) -> None:
    tokens = _well_nested(ops)
    positions = [index for index, token in enumerate(tokens) if isinstance(token, Tag)]
    assume(positions)
    index = data.draw(st.sampled_from(positions))
    broken = (
        tokens[:index] + tokens[index + 1 :] if delete else tokens[: index + 1] + tokens[index:]
    )
    assert structure_problems(_join(tokens), _join(broken))
