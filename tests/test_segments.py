"""Extraction rules: what becomes a message, and how its msgid reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.html import decode_page
from pipeline.segments import segment_page


def msgids(html: str | bytes) -> list[str]:
    data = html.encode("utf-8") if isinstance(html, str) else html
    return [s.msgid for s in segment_page(decode_page(data, path="t.html")).segments]


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>Hello   world\n  again</p>", ["Hello world again"]),
        ("<h2>Title</h2><p>Body</p>", ["Title", "Body"]),
        ("<p>Read <a href='x.html' class=c>more</a> now</p>", ["Read <1>more</1> now"]),
        ("<li><a href='x.html'>Whole link</a></li>", ["Whole link"]),
        ("<p><strong><em>Both wrap</em></strong></p>", ["Both wrap"]),
        ("<p>Line<br>break<br/></p>", ["Line<1/>break"]),
        ("<p>Tom &amp; Jerry &lt;3 &nbsp;x</p>", ["Tom & Jerry <3 \u00a0x"]),
        ("<div>Bare text<p>inner</p>tail</div>", ["Bare text", "inner", "tail"]),
        ("<p>One<p>Two<ul><li>A<li>B</ul>", ["One", "Two", "A", "B"]),
        ("<P CLASS=x>Upper <B>case</B></P>", ["Upper <1>case</1>"]),
        ("<p>Run <code>make test</code> now</p>", ["Run <1/> now"]),
        ("<pre>not this</pre><code>nor this</code>", []),
        ("<script>var a = 'text';</script><style>p{}</style><template><p>x</p></template>", []),
        ("<p translate='no'>No</p><div class='a notranslate'>No</div>", []),
        ("<div translate=no><p translate=yes>Yes</p><p>No</p></div>", ["Yes"]),
        ("<p>Brand <span translate=no>Cellgel</span> works</p>", ["Brand <1/> works"]),
        ("<p>12 345 ¶ — 2025</p><p>👉</p>", []),
        ("<svg><text>Not me</text></svg><math><mi>x</mi></math>", []),
        (
            "<p>Written <time datetime='2025-10-24'>October 24, 2025</time> here</p>",
            ["Written <1/> here"],
        ),
        ("<p><time datetime='2025-10-24'>October 24, 2025</time></p>", []),
        ("<p>a <!-- c --> b</p>", ["a <1/> b"]),
        ("<p>literal &lt;1&gt; and <b>bold</b></p>", ["literal <1> and <2>bold</2>"]),
        ("<p>unclosed <b>bold</p><p>next</p>", ["unclosed <1>bold</1>", "next"]),
        ("<table><tr><td>Cell<td>Two</table>", ["Cell", "Two"]),
        ("<select><option>First<option>Second</select>", ["First", "Second"]),
        ("<button>Send</button><label>Name <input name=n></label>", ["Send", "Name <1/>"]),
        ("<dl><dt>Term<dd>Definition</dl>", ["Term", "Definition"]),
        ("<figure><figcaption>Caption</figcaption></figure>", ["Caption"]),
        ("<a href=x><div>Card title</div><p>Card text</p></a>", ["Card title", "Card text"]),
    ],
)
def test_text_segments(html: str, expected: list[str]) -> None:
    assert msgids(html) == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<img src="a.png" alt="A spine">', ["A spine"]),
        (
            '<abbr title="Magnetic resonance imaging">MRI</abbr>',
            ["Magnetic resonance imaging", "MRI"],
        ),
        ('<input placeholder="Your name" value="x">', ["Your name"]),
        ('<input type=submit value="Send">', ["Send"]),
        ('<button aria-label="Close menu">×</button>', ["Close menu"]),
        ('<meta name="description" content="About us">', ["About us"]),
        (
            '<meta property="og:title" content="T"><meta property="og:description" content="D">',
            ["T", "D"],
        ),
        ('<meta name="viewport" content="width=device-width">', []),
        ('<link rel=alternate title="Feed" href=x>', []),
        ("<title>A &amp; B</title>", ["A & B"]),
        ('<img alt="No" translate="no"><img alt="123">', []),
    ],
)
def test_attribute_and_title_segments(html: str, expected: list[str]) -> None:
    assert msgids(html) == expected


def test_no_attribute_text_in_any_msgid() -> None:
    html = '<p class="lead" id="x">See <a href="https://e.x/p?a=1" title="t">here</a></p>'
    for msgid in msgids(html):
        assert "href" not in msgid and "lead" not in msgid and "e.x" not in msgid


def test_comments_roles_and_notes() -> None:
    html = (
        "<h2>Head</h2>\n<!-- i18n: Keep it short. -->\n<button>Go <b>now</b></button>"
        '<p data-i18n-context="menu">Home</p><p>Home</p>'
    )
    segments = segment_page(decode_page(html.encode(), path="t.html")).segments
    assert segments[0].comments == ("<h2> heading",)
    assert segments[1].comments == (
        "<button> button",
        "placeholders: <1>…</1> = b (bold)",
        "Keep it short.",
    )
    assert [s.msgctxt for s in segments[2:]] == ["menu", None]
    assert [s.line for s in segments] == [1, 3, 3, 3]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("<meta charset=shift_jis><p>髙橋①です</p>".encode("cp932"), ["髙橋①です"]),
        (
            (
                '<meta http-equiv="Content-Type" content="text/html; charset=EUC-JP"><p>日本語</p>'
            ).encode("euc_jp"),
            ["日本語"],
        ),
        ("\ufeff<p>BOM page</p>".encode(), ["BOM page"]),
        (
            "<meta charset=iso-8859-1><p>Caf\u00e9 \u201cquoted\u201d</p>".encode("cp1252"),
            ["Caf\u00e9 \u201cquoted\u201d"],
        ),
        (b"<p>CRLF\r\nline</p>\r\n", ["CRLF line"]),
        ("<p>utf-16</p>".encode("utf-16"), ["utf-16"]),
    ],
)
def test_encodings(data: bytes, expected: list[str]) -> None:
    assert msgids(data) == expected


def test_segmenting_and_templating_make_no_reference_cycles() -> None:
    """The workers pause the cyclic collector for each page: reference counts must free all."""
    import gc

    from pipeline.extract import template_for_page
    from pipeline.pofile import render_po

    paths = [*Path("tests/nasty").glob("*.html"), *Path("source_html").rglob("*.html")]
    gc.collect()
    gc.disable()
    try:
        for path in paths:
            page = decode_page(path.read_bytes(), path=str(path), default_encoding="cp1252")
            segmented = segment_page(page)
            render_po(template_for_page(segmented, page_path="p", project="x", source_locale="en"))
            del page, segmented
        assert gc.collect() == 0
    finally:
        gc.enable()


_code_piece = st.sampled_from(
    ["x = 1", " &lt; ", "a < b", '<span class="n">name</span>', "<span>", "</span>",
     "<span class='k'>def</span>", '<span title="a>b">t</span>', "<SPAN>u</SPAN>",
     '<a href="/x.html">link</a>', "<b>bold</b>", "</b>", "<!-- i18n: note -->", "\n",
     "<pre>inner</pre>", "</pre>", "</code>", "</div>", "<p>para", "Prose with words.",
     "</code ", '</code x="', "</pre\n>"]
)  # fmt: skip
_code_element = st.tuples(
    st.sampled_from(["pre", "code", "kbd", "samp", "var", "PRE", "Code"]),
    st.lists(_code_piece, max_size=6).map("".join),
    st.booleans(),
).map(lambda t: f"<{t[0]}>{t[1]}" + (f"</{t[0]}>" if t[2] else ""))
_code_pages = st.lists(
    st.one_of(
        _code_element,
        _code_element.map(lambda code: f"<p>Run {code} to start.</p>"),
        _code_element.map(lambda code: f"<span><b>{code}</b> tail</span>"),
        st.sampled_from(["<div>", "</div>", "<p>Text.</p>", "<span>", "</span>", "<b>"]),
    ),
    max_size=8,
).map(lambda parts: "<!DOCTYPE html><html><head><title>T</title></head><body>" + "".join(parts))


@settings(max_examples=300, deadline=None)
@given(_code_pages)
def test_plain_code_read_as_one_token_segments_the_same(html: str) -> None:
    """Highlighted code is one token (`html._CODE_ELEMENTS`) only where that changes nothing."""
    from pipeline import html as html_module

    page = decode_page(html.encode("utf-8"), path="p.html")
    fast = segment_page(page)
    skipped = html_module._CODE_ELEMENTS
    html_module._CODE_ELEMENTS = frozenset()
    try:
        assert segment_page(page) == fast
    finally:
        html_module._CODE_ELEMENTS = skipped


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab\r\n", max_size=40))
def test_lines_start_after_every_line_break(text: str) -> None:
    """Line numbers in every message come from these offsets: after each \\r\\n, \\r or \\n."""
    page = decode_page(text.encode("utf-8"), path="p.html")
    ends = [
        i for i, c in enumerate(text) if c == "\n" or (c == "\r" and text[i + 1 : i + 2] != "\n")
    ]
    expected = [0] + [end + 1 for end in ends]
    assert list(page.line_starts) == expected


def test_a_heading_after_a_paragraph_in_a_heading_closes_that_heading() -> None:
    """WHATWG: a heading start tag closes an open `<p>` first, then the current node if that
    is now a heading; so the second heading is not inside the untranslated first one."""
    html = '<h2 translate="no">spine\n<p>spine\n<h2>Back pain'
    assert msgids(html) == ["Back pain"]
    assert msgids("<h1>One<p>Two<h3>Three") == ["One", "Two", "Three"]


@pytest.mark.parametrize(
    ("html", "inside"),
    [
        ("<p>İstanbul</p><script>var x;</script><p>Next.</p>", "var x;"),
        ("<SCRIPT>a < b</ScRiPt ><p>Next.</p>", "a < b"),
        ("<style>p{}</styles></style><p>Next.</p>", "p{}</styles>"),
        ("<title>x</ſcript></title><p>Next.</p>", "x</ſcript>"),
    ],
)
def test_raw_text_ends_at_its_end_tag_in_ascii_case(html: str, inside: str) -> None:
    """A raw text element ends at `</name` in any ASCII case; text before it that Unicode
    lower-cases to more characters (İ) does not move the end."""
    from pipeline.html import tokenize

    tokens = tokenize(html)
    raw = [html[t.start : t.end] for t in tokens if t.kind == "rawtext"]
    assert raw == [inside]
    messages = [s.msgid for s in segment_page(decode_page(html.encode(), path="p.html")).segments]
    assert messages[-1] == "Next."


@pytest.mark.parametrize(
    "shape",
    [
        "<!-- c --><p>x</p>",  # comments ended by -->, never by --!>
        "<!-- c --!><p>x</p>",  # and the other way round
        "<!-- i18n: a note --><p>Text</p>",  # a note for each paragraph
    ],
)
def test_comment_and_note_bombs_segment_in_linear_time(shape: str) -> None:
    """Sixteen times the page costs about sixteen times the time (quadratic: 256 times); a
    ratio of two sizes, so a busy machine slows both alike."""
    from tests.reliability import best_seconds

    def cost(repeats: int) -> float:
        page = decode_page(("<title>t</title>" + shape * repeats).encode(), path="p.html")
        return best_seconds(lambda: segment_page(page))

    assert cost(16_000) / cost(1_000) < 80
