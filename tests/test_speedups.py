"""The C extension (pipeline/_speedups.c) against the Python code it speeds up.

`tokenize(text)` uses the extension for text and simple tags and the Python code for the rest;
`tokenize(text, accelerated=False)` is the Python code alone. `_build_tree(tokens)` grows the
tree in C, calling the Python steps for the rare cases; `accelerated=False` is the Python loop
(and so for `_mark_inline`, and for `segment_page`, whose walk over the tree is in C too).
Each pair must give the same result on every input: generated markup dense in the shapes where
a regular expression backtracks (unclosed quotes, `=` without a value, code elements holding
spans, case folds only Unicode knows) or where browsers close elements for you (lists, tables,
paragraphs, headings, links, foreign content), and every page the tests carry.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from pipeline import html, segments
from pipeline.html import Attribute, Token, decode_page, tokenize
from pipeline.model import Catalog, Message, PipelineError
from pipeline.pofile import entry_text, parse_po
from pipeline.segments import _build_tree, _Element, _mark_inline, segment_page

ROOT = Path(__file__).parent.parent

PIECES = [
    "<", ">", "/", "=", '"', "'", " ", "\n", "\t", "\r", "\f", "`", "!", "?", "-", "&amp;",
    "a", "B", "x1", "span", "SPAN", "code", "pre", "kbd", "samp", "var", "title", "script",
    "style", "textarea", "plaintext", "class", "href", "<span", "</span>", "<span class=\"n\">",
    "<code>", "</code>", "</CODE >", "<pre>", "</pre>", "<!--", "-->", "<!DOCTYPE html>",
    "\u212a", "\u017f", "\u0130", "é", "腰", "🙂", "\udcff",
]  # fmt: skip
MARKUP = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)
TAG_NAMES = st.sampled_from(["p", "a", "code", "pre", "kbd", "span", "x-y", "Ａ", "k\u212abd"])
VALUES = st.sampled_from(['"v"', "'v'", "v", '"a>b"', "'<'", '"', "", "v/", '"&lt;"', "`"])


@st.composite
def tags(draw: st.DrawFn) -> str:
    """A start tag of nearly the simple shape, often followed by content and an end tag."""
    name = draw(TAG_NAMES)
    attributes = "".join(
        draw(st.sampled_from([" ", "\n", "  ", "/"]))
        + draw(st.sampled_from(["id", "class", "data-x", "A", "=", "é"]))
        + (draw(st.sampled_from(["=", " =", "= "])) + draw(VALUES) if draw(st.booleans()) else "")
        for _ in range(draw(st.integers(0, 3)))
    )
    close = draw(st.sampled_from([">", "/>", " >", " / >", ""]))
    body = draw(MARKUP)
    end = draw(st.sampled_from([f"</{name}>", f"</{name.upper()} >", "", f"</{name}"]))
    return f"<{name}{attributes}{close}{body}{end}"


DOCUMENTS = st.lists(st.one_of(MARKUP, tags()), max_size=8).map("".join)


def assert_same_tokens(text: str) -> None:
    accelerated = tokenize(text)
    reference = tokenize(text, accelerated=False)
    assert accelerated == reference
    assert [type(t) for t in accelerated] == [Token] * len(accelerated)
    for token in accelerated:
        assert all(type(a) is Attribute for a in token.attributes)


def test_the_extension_is_built() -> None:
    """`make setup` compiles it (gcc and the Python headers come with the base image)."""
    from pipeline import _speedups

    assert html._scan is _speedups.scan
    assert vars(segments)["_speedups"] is _speedups


def described(tail: _Element | Token | None) -> object:
    """A tail by what it is (elements compare by identity)."""
    if isinstance(tail, _Element):
        return ("element", tail.name, tail.start, tail.end, len(tail.children))
    return tail


def same_trees(left: _Element, right: _Element) -> bool:
    pending: list[tuple[_Element | Token, _Element | Token]] = [(left, right)]
    while pending:
        one, other = pending.pop()
        if not (isinstance(one, _Element) and isinstance(other, _Element)):
            if one != other or type(one) is not type(other):
                return False
            continue
        fields = ("name", "start", "end", "flag", "inline_only")
        if [getattr(one, f) for f in fields] != [getattr(other, f) for f in fields]:
            return False
        if described(one.tail) != described(other.tail):
            return False
        if len(one.children) != len(other.children):
            return False
        pending.extend(zip(one.children, other.children, strict=True))
    return True


def assert_same_tree(text: str) -> None:
    """The same tree, and the same `inline_only` and `tail` marks on it."""
    tokens = tokenize(text)
    fast, reference = _build_tree(tokens), _build_tree(tokens, accelerated=False)
    assert same_trees(fast, reference)
    for one, other in zip(fast.children, reference.children, strict=True):
        if isinstance(one, _Element) and isinstance(other, _Element):
            assert _mark_inline(one) == _mark_inline(other, accelerated=False)
    assert same_trees(fast, reference)


NESTING = st.sampled_from(
    ["<p>", "</p>", "<div>", "</div>", "<li>", "</li>", "<ul>", "</ul>", "<ol>", "<dl>", "<dt>",
     "<dd>", "<table>", "</table>", "<tr>", "<td>", "</td>", "<th>", "<tbody>", "<thead>",
     "<caption>", "<select>", "<option>", "<optgroup>", "<h1>", "<h2>", "</h1>", "</h3>", "<a>",
     "</a>", "<b>", "</b>", "<i>", "<nobr>", "<button>", "<rt>", "<rp>", "<ruby>", "<svg>",
     "</svg>", "<math>", "<path/>", "<br>", "<img>", "<html>", "<head>", "<body>", "</body>",
     "<template>", "</template>", "<span translate=no>", "<em class='x notranslate'>",
     "<q translate>", "<p class=notranslatex>", "<b class='notranslate'>", "<i class=xnotranslate>",
     "<s class='a\u3000notranslate'>", "<u class='notranslate\x1cb'>", "<b class>",
     "<i class=a class=notranslate>", "<b class='notranslate notranslate' translate=yes>",
     "<code>", "</code>", "<pre>", "<title>x",
     "</title>", "text", " ", "<!-- c -->", "</x>", "<P>", "</LI>", "<Ｐ>"]
)  # fmt: skip
NESTED = st.lists(NESTING, max_size=50).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.one_of(NESTED, DOCUMENTS))
def test_same_tree_as_python(text: str) -> None:
    assert_same_tree(text)


@settings(max_examples=400, deadline=None)
@given(DOCUMENTS)
def test_same_tokens_as_python(text: str) -> None:
    assert_same_tokens(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "<",
        "a<",
        "<a",
        "<a b='c",
        '<a b="c>',
        "<a b=>",
        "<a b = c>",
        "<a b=c/>",
        "<a/b>",
        "<code><span class=p>x</span></code>",
        "<code><span class='a<b'>x</span></code>",
        "<code>x</\u212aode>",
        "<kbd>x</\u212abd>",
        "<samp>x</\u017famp>",
        "<CODE>x</code\n>",
        "<pre><span>x</span><b>y</b></pre>",
        "<title>a<b></title>",
        "<script>if (a<b) {}</script >",
        "<plaintext><p>",
        "</>",
        "</ a>",
        "</a b>",
        "<!-- x --><?php x ?><![CDATA[x]]>",
        "<ＡＢ c=d>",
        "<p class=a class=b CLASS=c>",
    ],
)
def test_same_tokens_on_shapes(text: str) -> None:
    assert_same_tokens(text)
    assert_same_tree(text)


def test_same_tokens_on_every_page_of_the_tests() -> None:
    root = Path(__file__).parent.parent
    pages = [*root.glob("tests/**/*.html"), *root.glob("source_html/**/*.html")]
    assert len(pages) > 10
    for path in pages:
        data = path.read_bytes()
        try:
            text = decode_page(data, path=str(path)).text
        except Exception:
            text = data.decode("utf-8", "surrogateescape")
        assert_same_tokens(text)
        assert_same_tree(text)
        assert_same_segments(data)


def assert_same_segments(data: bytes) -> None:
    """The same segments, dates, links and landmarks from the C walk and the Python one."""
    try:
        page = decode_page(data, path="page.html")
    except Exception:
        return  # not a page (binary, empty): nothing to segment
    fast, reference = segment_page(page), segment_page(page, accelerated=False)
    assert fast == reference
    for one, other in zip(fast.segments, reference.segments, strict=True):
        assert [type(p) for p in one.placeholders] == [type(p) for p in other.placeholders]


#: Markup where segmenting decides things: inline and block elements, attributes translated or
#: not, contexts, switchers, dates, opaque and unclosed code, titles, placeholders spelled in
#: the text itself, character references, white space and what a catalog cannot hold.
SEGMENTING = st.sampled_from(
    ["<p>", "</p>", "<div>", "</div>", "<li>", "<ul>", "<h2>", "</h2>", "<a href='x'>", "</a>",
     "<a title='Go there'>", "<b>", "</b>", "<em>", "</em>", "<span>", "</span>", "<br>",
     "<wbr>", "<img alt='A cat'>", '<img alt="Two cats">', "<img src=x>",
     "<input type=submit value='Send it'>",
     "<input value=v>", "<abbr title='HyperText'>", "<code>", "</code>", "<kbd>", "<pre>",
     "</pre>", "<script>x<y</script>", "<style>p{}</style>", "<template>t</template>",
     "<title>", "</title>", "<title>A &amp; B</title>", "<time datetime='2024-05-01'>",
     "<time>", "</time>", "<time datetime=''>", "<span translate=no>", "<p translate=yes>",
     "<em class='notranslate'>", "<div data-i18n-context=' menu '>", "<b data-i18n-context>",
     "<nav data-i18n-switcher>", "<span data-i18n-switcher>", "</nav>", "<html lang=en>",
     "<head>", "</head>", "<meta name=description content='About us'>", "<option label=L>",
     "<!-- i18n: a note -->", "<!-- c -->", "</x>", "<?pi?>", "<svg><text>s</text></svg>",
     "<button title=t>", "<textarea placeholder='Type'>", "Back pain", "text", " ", "\n ",
     "\t", "&lt;1&gt;", "<1>", "</2>", "<3/>", "&#60;4/&#62;", "<١>", "</١>", "<１/>",
     "&#x3c;१>", "&eacute;", "&#233;", "&amp;",
     "12", "\x00", "\udcff", "腰部", "\u00a0", "x_y", "²"]
)  # fmt: skip
SEGMENTED = st.lists(SEGMENTING, max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.one_of(SEGMENTED, NESTED, DOCUMENTS))
def test_same_segments_as_python(text: str) -> None:
    assert_same_segments(text.encode("utf-8", "surrogateescape"))


#: Text `_simple_cuts` takes: one-column characters of many line-break classes, Latin words,
#: escapes, hyphens, slashes, quotes and the characters just past the Latin ranges.
SIMPLE_TEXT = st.lists(
    st.sampled_from(
        [
            "word",
            "Wörter",
            "ą",
            "ɏ",
            "ɐ",
            "À",
            "×",
            "12",
            "3.5",
            " ",
            "  ",
            "-",
            "/",
            "—",
            "–",
            "(",
            ")",
            "[",
            "]",
            "{",
            "}",
            '"',
            "\\",
            "'",
            "«",
            "»",
            "!",
            "?",
            ",",
            ".",
            ";",
            ":",
            "%",
            "$",
            "€",
            "#",
            "@",
            "&",
            "*",
            "+",
            "=",
            "<1>",
            "</1>",
            "<2/>",
            "|",
            "~",
            "\n",
            "\t",
            "Ω",
            "a" * 30,
            "http://example.org/a-b?c=d",
            "e.g.",
        ]
    ),
    max_size=80,
).map("".join)


@settings(max_examples=600, deadline=None)
@given(SIMPLE_TEXT, st.integers(1, 90), st.integers(0, 20))
def test_same_line_cuts_as_python(portion: str, page: int, start: int) -> None:
    from pipeline.pofile import _escape, _is_simple, _simple_cuts

    escaped = _escape(portion)
    if not all(_is_simple(c) for c in escaped):
        return  # `_cuts` takes the general path for these
    assert _simple_cuts(portion, escaped, page, start) == _simple_cuts(
        portion, escaped, page, start, accelerated=False
    )


#: Catalog text: SIMPLE_TEXT's pieces and what takes the general path (wide, combining and
#: control characters, zero width space, Hebrew before a hyphen), and plain text that fits.
ENTRY_TEXT = st.one_of(
    SIMPLE_TEXT,
    st.lists(
        st.sampled_from(
            [
                "腰部脊柱管狭窄症",
                "、",
                "。",
                "e\u0301",
                "\x01",
                "\x7f",
                "\u200b",
                "א-",
                "\r",
                "\v",
                "\a",
                "\b",
                "\f",
                "\x00",
                "😀",
                "ｱ",
                " ",
                "\n",
                "word ",
                '"',
                "\\",
            ]
        ),
        max_size=40,
    ).map("".join),
    st.text(max_size=30),
)
REFERENCES = st.lists(
    st.sampled_from(
        [
            "a.html:12",
            "a.html:012",
            "a.html:12",
            "./b/c.html:3",
            "././d.html:0",
            "e.html:000",
            "f.html",
            "g.html:",
            "h:i.html:7",
            "j.html:٣",
            "k.html:²",
            "ü.html:5",
            "x" * 90 + ":1",
        ]
    ),
    max_size=6,
).map(tuple)
FLAGS = st.lists(
    st.sampled_from(
        [
            "fuzzy",
            "no-wrap",
            "wrap",
            "python-format",
            "no-c-format",
            "possible-c-format",
            "range: 1..3",
            "custom",
        ]
    ),
    max_size=4,
).map(tuple)
OPTIONAL_TEXT = st.one_of(st.none(), ENTRY_TEXT)


@st.composite
def messages(draw: st.DrawFn) -> Message:
    plural = draw(st.booleans())
    return Message(
        msgid=draw(ENTRY_TEXT),
        msgstr="" if plural else draw(ENTRY_TEXT),
        msgctxt=draw(OPTIONAL_TEXT),
        flags=draw(FLAGS),
        references=draw(REFERENCES),
        extracted_comments=tuple(
            draw(st.lists(st.sampled_from(["", "h2", "i18n: note"]), max_size=2))
        ),
        translator_comments=tuple(
            draw(st.lists(st.sampled_from(["", "checked", "ß ok"]), max_size=2))
        ),
        previous_msgctxt=draw(OPTIONAL_TEXT),
        previous_msgid=draw(OPTIONAL_TEXT),
        msgid_plural=draw(ENTRY_TEXT) if plural else None,
        msgstr_plural=tuple(draw(st.lists(ENTRY_TEXT, max_size=3))) if plural else (),
        obsolete=draw(st.booleans()),
    )


@settings(max_examples=800, deadline=None)
@given(messages(), st.sampled_from([79, 79, 40, 12, 3, 200]))
@example(Message(msgid="word word \n"), 18)  # the final \n is never cut from its line
def test_same_entries_as_python(message: Message, width: int) -> None:
    assert entry_text(message, width) == entry_text(message, width, accelerated=False)


def test_same_entries_on_every_catalog_of_the_tests() -> None:
    paths = [*(ROOT / "locales").rglob("*.po*"), *(ROOT / "tests").rglob("*.po*")]
    checked = 0
    for path in paths:
        try:
            catalog = parse_po(path.read_text(encoding="utf-8"), path=str(path))
        except (PipelineError, UnicodeDecodeError):
            continue  # the tests' broken catalogs
        for message in catalog.messages:
            assert entry_text(message) == entry_text(message, accelerated=False), path
            checked += 1
    assert checked > 200


#: Lines of catalogs: the canonical layout's and near misses (double spaces, unknown escapes,
#: plurals, a comment ending in a backslash, unterminated strings, strings side by side).
PO_LINE_LIST = [
    'msgid "a"',
    'msgstr "b"',
    'msgctxt "c"',
    '"cont"',
    'msgid ""',
    'msgstr ""',
    '"\\n"',
    '"esc \\t \\" \\\\ \\? \\\' \\a"',
    '"bad \\x41"',
    '"unterminated',
    '"a" "b"',
    'msgid  "two spaces"',
    'msgid "trailing" ',
    'msgid_plural "p"',
    'msgstr[0] "x"',
    '#~ msgid "x"',
    '#~ msgstr "y"',
    '#~ msgctxt "c"',
    '#~ "z"',
    '#| msgid "p"',
    '#| msgctxt "q"',
    '#| "r"',
    '#|msgid "p"',
    '#~| msgid "s"',
    '#~| msgctxt "s"',
    '#~| "t"',
    "#. note",
    "#.  two",
    "#.",
    "#",
    "# tr",
    "# ",
    "#: a.html:1 b.html:2",
    "#:\u3000a.html:3\u2003b.html:4",
    "#, fuzzy, python-format",
    "#, ,fuzzy\u00a0,",
    "#,",
    "#: trailing\\",
    "#x other",
    "# é",
    "",
    "腰",
]
PO_LINES = st.sampled_from(PO_LINE_LIST)
PO_TEXTS = st.lists(PO_LINES, max_size=30).map("\n".join) | st.lists(PO_LINES, max_size=30).map(
    lambda lines: "".join(line + "\n" for line in lines)
)


COMMENT_LINES = st.sampled_from([line for line in PO_LINE_LIST if line.startswith("#")])
STRING_LINES = st.sampled_from(
    ['"a"', '""', '"\\n"', '"esc \\t \\" \\\\"', '"腰部"', '"bad \\x41"', '"open', '"a" "b"']
)


@st.composite
def po_entries(draw: st.DrawFn) -> str:
    """An entry as the canonical layout has it, its lines drawn from near misses too."""
    prefix = draw(st.sampled_from(["", "#~ "]))
    lines = draw(st.lists(COMMENT_LINES, max_size=4))
    for keyword in ("msgctxt", "msgid", "msgstr"):
        if keyword == "msgctxt" and draw(st.booleans()):
            continue
        lines.append(f"{prefix}{keyword} {draw(STRING_LINES)}")
        lines += [prefix + line for line in draw(st.lists(STRING_LINES, max_size=2))]
    return "\n".join(lines) + "\n" * draw(st.integers(0, 2))


def _same_reading(text: str) -> None:
    from pipeline.pofile import _read_canonical

    fast, reference = _read_canonical(text), _read_canonical(text, accelerated=False)
    assert fast == reference
    if fast is not None and reference is not None:
        assert [m.line for m in fast] == [m.line for m in reference]


@settings(max_examples=1500, deadline=None)
@given(PO_TEXTS | st.lists(po_entries(), max_size=5).map("".join))
def test_same_canonical_reading_as_python(text: str) -> None:
    _same_reading(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(messages(), max_size=6), st.sampled_from([79, 20]))
def test_same_reading_of_written_catalogs(written: list[Message], width: int) -> None:
    text = "".join(entry_text(message, width) + "\n" for message in written)
    _same_reading(text)


def test_same_reading_of_every_catalog_of_the_tests() -> None:
    from pipeline.pofile import _read_canonical

    read = 0
    for path in [*(ROOT / "locales").rglob("*.po*"), *(ROOT / "tests").rglob("*.po*")]:
        text = path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
        _same_reading(text)
        read += _read_canonical(text) is not None
    assert read >= 8


WORDY_TEXT = st.lists(
    st.sampled_from(
        [
            "word",
            "a",
            "12",
            "腰部",
            "ア",
            "ｱ",
            "ﾟ",
            "ー",
            "한국",
            "é",
            "ß",
            "'",
            "’",
            ".",
            "-",
            "_",
            " ",
            "<1>",
            "</1>",
            "<2/>",
            "</3/>",
            "<١>",
            "<12",
            "<x>",
            "<",
            ">",
            "/",
            "..",
            "Ⅻ",
            "²",
            "\u0301",
            "😀",
            "\u3000",
        ]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=1500, deadline=None)
@given(WORDY_TEXT | st.text(max_size=30))
def test_same_word_counts_as_python(text: str) -> None:
    from pipeline.model import count_words

    assert count_words(text) == count_words(text, accelerated=False)


# --- splicing translations in (build) ----------------------------------------------------------

#: What a translator may add to a msgid's text: markup characters to escape, every line break,
#: NUL, placeholders of the msgid's numbers and look-alikes that are not (`<01>`, `</1/>`,
#: other scripts' digits, numbers the msgid lacks), and characters of every width.
TRANSLATED_BITS = st.sampled_from(
    ["", " ", "\r\n", "\r", "\n", "&", "<", ">", "\x00", "<1>", "</1>", "<2/>", "<01>", "</1/>",
     "<١>", "<99>", "</2>", "<3>", "é", "腰", "😀", "\u00a0", "&amp;", "<<1>>", "<", "'",
     '"', "=", "`", "\t", "\f"]
)  # fmt: skip


@st.composite
def built_pages(draw: st.DrawFn) -> tuple[segments.PageSegments, dict[tuple[str | None, str], str]]:
    """A page (its line breaks \\n, \\r\\n or \\r) and translations of some of its segments:
    the msgid kept, changed a little, its placeholders moved, or other text around them."""
    text = draw(st.one_of(SEGMENTED, SEGMENTED, NESTED, DOCUMENTS))
    text = text.replace("\n", draw(st.sampled_from(["\n", "\r\n", "\r"])))
    try:
        page = segment_page(decode_page(text.encode("utf-8", "surrogateescape"), path="p.html"))
    except PipelineError:
        assume(False)
        raise
    translations = {}
    for segment in page.segments:
        choice = draw(st.integers(0, 4))
        if choice == 0:
            continue
        pieces = tokenize_placeholders(segment.msgid)
        if choice == 2:
            pieces.reverse()
        if choice >= 3:
            at = draw(st.integers(0, len(pieces)))
            pieces[at:at] = draw(st.lists(TRANSLATED_BITS, max_size=4))
        translations[(segment.msgctxt, segment.msgid)] = "".join(pieces).upper()
    return page, translations


def tokenize_placeholders(text: str) -> list[str]:
    from pipeline.placeholders import tokenize as placeholder_tokens

    return [str(token) for token in placeholder_tokens(text)]


def assert_same_build(
    page: segments.PageSegments, translations: dict[tuple[str | None, str], str]
) -> None:
    from pipeline.build import translate_page

    fast = translate_page(page, translations)
    reference = translate_page(page, translations, accelerated=False)
    assert fast == reference


@settings(max_examples=500, deadline=None)
@given(built_pages())
def test_same_built_pages_as_python(built: tuple[segments.PageSegments, dict[Any, str]]) -> None:
    assert_same_build(*built)


def test_same_built_pages_on_every_page_of_the_tests() -> None:
    pages = [*ROOT.glob("tests/**/*.html"), *ROOT.glob("source_html/**/*.html")]
    for path in pages:
        try:
            page = segment_page(decode_page(path.read_bytes(), path=str(path)))
        except PipelineError:
            continue
        for change in (str.upper, lambda s: f"&<\r\n{s}\x00😀", lambda s: s[::-1]):
            translations = {(s.msgctxt, s.msgid): change(s.msgid) for s in page.segments}
            assert_same_build(page, translations)


PLACEHOLDERISH = st.lists(
    st.sampled_from(["<", ">", "/", "1", "0", "12", "١", "x", " ", "<1>", "</1>", "<2/>"]),
    max_size=12,
).map("".join)


@settings(max_examples=1500, deadline=None)
@given(PLACEHOLDERISH, PLACEHOLDERISH)
@example("<1>a</1>", "<1>b</1>")
@example("<1>", "<01>")
def test_same_placeholder_order_as_the_regular_expression(text: str, other: str) -> None:
    from pipeline import _speedups as fast
    from pipeline.model import PLACEHOLDER_RE

    for one, two in ((text, other), (text, text), (other + text, other + text)):
        expected = PLACEHOLDER_RE.findall(one) == PLACEHOLDER_RE.findall(two)
        assert fast.same_placeholders(one, two) is expected


def test_segment_edits_are_the_python_ones_piece_for_piece() -> None:
    """The same pieces, each of the same type (a Span is a tuple: equal is not enough)."""
    from pipeline import _speedups as fast
    from pipeline.build import Span, _segment_edit

    path = ROOT / "source_html/index.html"
    page = segment_page(decode_page(path.read_bytes(), path=str(path)))
    compared = 0
    for segment in page.segments:
        if segment.kind == "attribute":
            continue
        msgstr = "".join(reversed(tokenize_placeholders(segment.msgid))) + " &\r\n"
        one = fast.segment_edit(segment, msgstr, page.page.newline, [])
        other = _segment_edit(segment, msgstr, page.page.newline, [])
        assert one == other
        assert [type(p) for p in one.pieces] == [type(p) for p in other.pieces]
        compared += any(isinstance(p, Span) for p in one.pieces)
    assert compared > 3


# --- templates (extract) -----------------------------------------------------------------------


def assert_same_template(data: bytes, page_path: str) -> None:
    from pipeline.extract import template_text

    try:
        page = segment_page(decode_page(data, path="page.html"))
    except PipelineError:
        return
    fast, reference = (
        template_text(
            page, page_path=page_path, project="Clinic", source_locale="en", accelerated=a
        )
        for a in (True, False)
    )
    assert fast == reference


#: Texts repeated on a page (one entry, every reference, each comment once), in contexts.
REPEATED = st.lists(
    st.sampled_from(
        ["<p>Back pain</p>", "<p>Back pain</p>\n", "<p data-i18n-context=menu>Back pain</p>",
         "<!-- i18n: a note -->", "<p>Back <a href=x>pain</a></p>", "<img alt='Back pain'>",
         "<li>Home</li>", "<li>Home</li>", "<p>\u00e9\u3000腰部 " + "word " * 30 + "</p>"]
    ),
    max_size=30,
).map("".join)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(REPEATED, SEGMENTED, NESTED, DOCUMENTS),
    st.sampled_from(["index.html", "a b/c:d.html", "ページ/記事.html", "x" * 90 + ".html"]),
)
def test_same_templates_as_python(text: str, page_path: str) -> None:
    assert_same_template(text.encode("utf-8", "surrogateescape"), page_path)


def test_same_templates_on_every_page_of_the_tests() -> None:
    for path in [*ROOT.glob("tests/**/*.html"), *ROOT.glob("source_html/**/*.html")]:
        assert_same_template(path.read_bytes(), path.relative_to(ROOT).as_posix())


# --- links the build may rewrite ----------------------------------------------------------------

HREF_VALUES = st.lists(
    st.sampled_from(
        ["a", "/", ":", "//", "#", ".", " ", "\t", "\n", "\r", "\x01", "\x1c", "\x85", "\xa0",
         "\u3000", "é", "腰", "🙂", "http", "x.html", "C:"]
    ),
    max_size=6,
).map("".join)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), HREF_VALUES), max_size=6))
def test_same_links_kept_for_rewriting_as_python(values: list[str | None]) -> None:
    """`site._maybe_absolute` in C keeps exactly the hrefs the Python filter keeps (white space
    as str.strip has it, controls, `:`, a leading slash)."""
    from pipeline import _speedups
    from pipeline.site import _maybe_absolute

    assert hasattr(_speedups, "maybe_absolute")  # else both sides would be the Python filter
    hrefs = tuple(Attribute("href", v, 9, 9 + len(v or ""), '"') for v in values)
    assert _maybe_absolute(hrefs) == _maybe_absolute(hrefs, accelerated=False)


# --- a catalog's words, counted from its text ------------------------------------------------

HEADERS = st.sampled_from(
    [
        "",
        'msgid ""\nmsgstr ""\n"Language: ja\\n"\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n',
        '# ja\n#, fuzzy\nmsgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n',
        'msgid ""\nmsgstr "not a field"\n\n',
        '#: a.html:1\nmsgid ""\nmsgstr ""\n\n',
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=NOPE\\n"\n',
        'msgid ""\n""\nmsgstr ""\n\n',
        '#~ msgid ""\n#~ msgstr "x"\n\n',
        'msgctxt "c"\nmsgid ""\nmsgstr "x"\n\n',
    ]
)


def _progress_or_error(count: Any, text: str) -> Any:
    try:
        return count(text)
    except PipelineError as error:
        return ("error", error.line, error.message)


def _reference_progress(text: str) -> Any:
    """`word_progress(parse_po(text))` with pofile's C reader switched off (it shares its
    entry reading with the C count, so it could not stand as the reference)."""
    from unittest import mock

    from pipeline import pofile
    from pipeline.status import word_progress

    with mock.patch.object(pofile, "_speedups", None):
        return _progress_or_error(
            lambda t: word_progress(pofile.parse_po(t, path="a.po"), accelerated=False), text
        )


@settings(max_examples=1500, deadline=None)
@given(
    HEADERS,
    PO_TEXTS | st.lists(po_entries(), max_size=5).map("".join),
    st.sampled_from(["", "\ufeff"]),
    st.sampled_from(["\n", "\r\n"]),
)
def test_same_words_counted_from_the_text_as_from_the_catalog(
    header: str, body: str, bom: str, newline: str
) -> None:
    """The build's first pass counts each catalog's words from its text, in C: the same sums
    as parsing it and counting its messages, and the same error where it is not a catalog
    (a header that is not first, duplicates, fuzzy or empty translations, obsolete entries)."""
    from pipeline.status import text_word_progress

    text = bom + (header + body).replace("\n", newline)
    fast = _progress_or_error(lambda t: text_word_progress(t, path="a.po"), text)
    assert fast == _reference_progress(text)


CATALOG_TEXT = ENTRY_TEXT.filter(lambda text: "\0" not in text)  # a NUL: no catalog at all
OPTIONAL_CATALOG_TEXT = st.one_of(st.none(), CATALOG_TEXT)


@st.composite
def counted_messages(draw: st.DrawFn) -> Message:
    """Singular messages as a catalog holds them: translated or not, fuzzy, obsolete, with a
    previous text, comments and references (the shapes the C count reads itself)."""
    previous = draw(OPTIONAL_CATALOG_TEXT)
    return Message(
        msgid=draw(CATALOG_TEXT.filter(bool)),
        msgstr=draw(st.one_of(st.just(""), CATALOG_TEXT)),
        msgctxt=draw(OPTIONAL_CATALOG_TEXT),
        flags=draw(FLAGS),
        references=draw(REFERENCES),
        extracted_comments=tuple(
            draw(st.lists(st.sampled_from(["", "h2", "i18n: x"]), max_size=2))
        ),
        translator_comments=tuple(draw(st.lists(st.sampled_from(["", "ok", "ß"]), max_size=2))),
        previous_msgctxt=draw(OPTIONAL_CATALOG_TEXT) if previous is not None else None,
        previous_msgid=previous,
        obsolete=draw(st.booleans()),
    )


@settings(max_examples=400, deadline=None)
@given(HEADERS, st.lists(counted_messages(), max_size=8), st.sampled_from([79, 20]))
def test_same_words_counted_from_written_catalogs(
    header: str, written: list[Message], width: int
) -> None:
    """Catalogs as `render_po` writes them, which the C count reads itself."""
    from pipeline.status import text_word_progress

    text = header + "".join(entry_text(message, width) + "\n" for message in written)
    fast = _progress_or_error(lambda t: text_word_progress(t, path="a.po"), text)
    assert fast == _reference_progress(text)


def _lean_translations(text: str) -> Any:
    """What the build reads of a catalog: in C from the text, else parsed."""
    from pipeline.model import translations_and_lines
    from pipeline.pofile import canonical_translations

    def read(t: str) -> Any:
        lean = canonical_translations(t, path="a.po")
        found = lean if lean is not None else translations_and_lines(parse_po(t, path="a.po"))
        return [list(found[0].items()), list(found[1].items())]  # in the file's order

    return _progress_or_error(read, text)


def _reference_translations(text: str) -> Any:
    from unittest import mock

    from pipeline import pofile
    from pipeline.model import translations_and_lines

    def read(t: str) -> Any:
        found = translations_and_lines(pofile.parse_po(t, path="a.po"), accelerated=False)
        return [list(found[0].items()), list(found[1].items())]

    with mock.patch.object(pofile, "_speedups", None):
        return _progress_or_error(read, text)


@settings(max_examples=1000, deadline=None)
@given(HEADERS, PO_TEXTS | st.lists(po_entries(), max_size=5).map("".join))
def test_same_translations_read_from_the_text_as_from_the_catalog(header: str, body: str) -> None:
    """The build reads each catalog's translations and lines from its text, in C: the same
    as parsing it, in the same order, with the same errors."""
    assert _lean_translations(header + body) == _reference_translations(header + body)


@settings(max_examples=400, deadline=None)
@given(
    HEADERS,
    st.lists(counted_messages(), max_size=8),
    st.sampled_from([79, 20]),
    st.sampled_from(["", "\n", "\n\n"]),
)
def test_same_translations_read_from_written_catalogs(
    header: str, written: list[Message], width: int, before: str
) -> None:
    """Catalogs as `render_po` writes them (lines counted after leading blank lines too)."""
    text = before + header + "".join(entry_text(message, width) + "\n" for message in written)
    assert _lean_translations(text) == _reference_translations(text)


def test_same_words_counted_from_the_text_on_every_catalog_of_the_tests() -> None:
    from pipeline.pofile import canonical_word_counts
    from pipeline.status import text_word_progress

    counted = 0
    for path in [*(ROOT / "locales").rglob("*.po*"), *(ROOT / "tests").rglob("*.po*")]:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        fast = _progress_or_error(lambda t: text_word_progress(t, path="a.po"), text)
        assert fast == _reference_progress(text), path
        assert _lean_translations(text) == _reference_translations(text), path
        with contextlib.suppress(PipelineError):
            counted += canonical_word_counts(text, path="a.po") is not None
    assert counted > 5  # the C count served


# --- file signatures (the no-op build) --------------------------------------------------------


def test_same_file_signatures_as_python(tmp_path: Path) -> None:
    """Files, a missing one, names of any script or not valid UTF-8, and a symbolic link,
    after which both stop."""
    from pipeline.files import signatures

    names = ["a.html", "ページ.html", "sp ace.po", "x\udcff.html", "dir/nested.html"]
    for name in names:
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(name.encode("utf-8", "surrogateescape"))
    paths = [str(tmp_path / name) for name in [*names, "missing.po"]]
    fast, reference = signatures(paths), signatures(paths, accelerated=False)
    assert fast == reference
    lines, newest, link = fast
    assert not link and newest == max((tmp_path / n).stat().st_mtime_ns for n in names)
    assert lines.decode("utf-8", "surrogateescape").splitlines()[-1].endswith("missing.po -")
    (tmp_path / "link.html").symlink_to(tmp_path / "a.html")
    paths.insert(2, str(tmp_path / "link.html"))
    fast, reference = signatures(paths), signatures(paths, accelerated=False)
    assert fast == reference and fast[2] is True
    assert fast[0].count(b"\n") == 2  # the two files before the link


# --- what a build needs of a catalog ----------------------------------------------------------


def assert_same_catalog_sums(catalog: Catalog) -> None:
    from pipeline.model import translations_and_lines
    from pipeline.status import word_progress

    assert word_progress(catalog) == word_progress(catalog, accelerated=False)
    fast = translations_and_lines(catalog)
    reference = translations_and_lines(catalog, accelerated=False)
    assert fast == reference
    assert list(fast[0]) == list(reference[0]) and list(fast[1]) == list(reference[1])


@settings(max_examples=400, deadline=None)
@given(st.lists(messages(), max_size=8))
def test_same_word_progress_and_translations_as_python(written: list[Message]) -> None:
    """Fuzzy, obsolete, plural (with an empty form or none) and repeated keys among them."""
    lined = [replace(m, line=n) for n, m in enumerate(written, 1)]
    assert_same_catalog_sums(Catalog(messages=tuple(lined + lined[:2])))


def test_same_word_progress_and_translations_on_every_catalog_of_the_tests() -> None:
    for path in [*(ROOT / "locales").rglob("*.po*"), *(ROOT / "tests").rglob("*.po*")]:
        try:
            catalog = parse_po(path.read_text(encoding="utf-8"), path=str(path))
        except (PipelineError, UnicodeDecodeError):
            continue
        assert_same_catalog_sums(catalog)


@settings(max_examples=800, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "\r", "\n", "\r\n", "\n\r", "é", "腰", "\u2028"]), max_size=30)
)
def test_same_line_starts_as_python(pieces: list[str]) -> None:
    from pipeline import _speedups
    from pipeline.html import _line_starts, _python_line_starts

    text = "".join(pieces)
    assert _speedups.line_starts(text) == _python_line_starts(text)
    assert _line_starts(text) == _python_line_starts(text)
    assert _line_starts(text) is _line_starts(text)  # kept for the page being worked on
