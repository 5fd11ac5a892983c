"""Build: splicing into source bytes, the identity and pseudo laws, escaping, placeholders."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.build import translate_page
from pipeline.html import SourcePage
from tests.laws import build_with, pseudo_law_violations, segments_of

NASTY = sorted((Path(__file__).parent / "nasty").glob("*.html"))
SOURCE = sorted((Path(__file__).parent.parent / "source_html").rglob("*.html"))


@pytest.mark.parametrize("path", NASTY + SOURCE, ids=lambda p: p.name)
def test_identity_law_on_pages(path: Path) -> None:
    data = path.read_bytes()
    assert build_with(data, "identity") == data


@pytest.mark.parametrize("path", NASTY + SOURCE, ids=lambda p: p.name)
def test_pseudo_law_on_pages(path: Path) -> None:
    data = path.read_bytes()
    assert pseudo_law_violations(data, build_with(data, "pseudo")) == []


def test_pseudo_keeps_encoding_and_line_endings() -> None:
    data = (Path(__file__).parent / "nasty" / "crlf-upper.html").read_bytes()
    built = build_with(data, "pseudo")
    assert built.count(b"\r\n") == data.count(b"\r\n")
    assert b"\n" not in built.replace(b"\r\n", b"")


def test_characters_the_encoding_cannot_hold_become_references() -> None:
    latin = "<meta charset=iso-8859-1><p>Hello</p>".encode("cp1252")
    page = segments_of(latin)
    assert translate_page(page, {(None, "Hello"): "こんにちは"}).data == (
        b"<meta charset=iso-8859-1><p>&#12371;&#12435;&#12395;&#12385;&#12399;</p>"
    )
    sjis = "<meta charset=shift_jis><p>Hello</p>".encode("cp932")
    built = translate_page(segments_of(sjis), {(None, "Hello"): "⟦髙橋①⟧"}).data
    assert built == "<meta charset=shift_jis><p>&#10214;髙橋①&#10215;</p>".encode("cp932")


@pytest.mark.parametrize(
    ("msgstr", "expected"),
    [
        ("<2/> と <1>リンク</1>", '<p><img src="i.png"> と <a href="x.html">リンク</a></p>'),
        (
            "<script>alert(1)</script><1>a</1><2/>",
            '<p>&lt;script&gt;alert(1)&lt;/script&gt;<a href="x.html">a</a><img src="i.png"></p>',
        ),
        ('<1 onclick="x">a</1><2/>', None),  # mangled placeholder: source kept
        ("<1>a</1>", None),  # dropped <2/>
        ("<1>a</1><2/><2/>", None),  # duplicated
        ("<1>a<2/>", None),  # unclosed
        ("</1>a<1><2/>", None),  # closed before opened
        (
            '&lt;b&gt; & "q"<1>x</1><2/>',
            '<p>&amp;lt;b&amp;gt; &amp; "q"<a href="x.html">x</a><img src="i.png"></p>',
        ),
        (
            "<1>javascript:alert(1)</1><2/>",
            '<p><a href="x.html">javascript:alert(1)</a><img src="i.png"></p>',
        ),
        ("<3>x</3><1>a</1><2/>", None),  # invented
    ],
)
def test_translations_are_text(msgstr: str, expected: str | None) -> None:
    source = b'<p><a href="x.html">Link</a> and B<img src="i.png"></p>'
    page = segments_of(source)
    assert page.segments[0].msgid == "<1>Link</1> and B<2/>"
    result = translate_page(page, {(None, "<1>Link</1> and B<2/>"): msgstr})
    if expected is None:
        assert result.data == source
        assert result.problems and result.problems[0].line == 1
    else:
        assert result.data.decode() == expected
        assert not result.problems
        soup = BeautifulSoup(result.data, "html.parser")
        assert sorted(t.name for t in soup.find_all(True)) == ["a", "img", "p"]


@pytest.mark.parametrize(
    ("source", "msgstr", "expected"),
    [
        ('<img alt="Old">', 'x" onerror="alert(1)', '<img alt="x&quot; onerror=&quot;alert(1)">'),
        ("<img alt='Old'>", "it's", "<img alt='it&#39;s'>"),
        ("<img alt=Old>", "two words", "<img alt=two&#32;words>"),
        ('<img alt="Old">', "<b>&</b>", '<img alt="&lt;b&gt;&amp;&lt;/b&gt;">'),
    ],
)
def test_attribute_values_are_escaped(source: str, msgstr: str, expected: str) -> None:
    page = segments_of(source.encode())
    assert translate_page(page, {(None, "Old"): msgstr}).data.decode() == expected


# --- generated pages -------------------------------------------------------------------------

_words = st.sampled_from(
    ["spine", "Nerve", "pain", "&amp;", "&lt;", "&nbsp;", "caf&eacute;", "腰痛", "a", "x=1",
     "Q-Florence", "—", "2025", "&#169;", "¶", "'", '"', ">", "&#x1F449;", "<1>", "\u00a0"]
)  # fmt: skip
_space = st.sampled_from([" ", "  ", "\n", "\r\n", "\t", ""])
_text = st.lists(st.tuples(_words, _space), min_size=1, max_size=6).map(
    lambda parts: "".join(w + s for w, s in parts)
)
_attribute = st.sampled_from(
    ['', ' class="c"', " class=c", ' title="Tip &amp; trick"', " TITLE='quoted \"in\"'",
     ' href="/x.html"', ' translate="no"', ' class="notranslate"', " data-x"]
)  # fmt: skip
_inline_name = st.sampled_from(["a", "b", "em", "span", "strong", "code", "kbd", "A", "I"])
_block_name = st.sampled_from(["p", "div", "li", "h2", "td", "blockquote", "P", "section"])


def _inline(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(_inline_name, _attribute, children, st.booleans()).map(
            lambda t: f"<{t[0]}{t[1]}>{t[2]}" + (f"</{t[0]}>" if t[3] else "")
        ),
        st.sampled_from(
            [
                "<br>",
                "<br/>",
                '<img src="a.png" alt="An image">',
                "<!-- note -->",
                "<wbr>",
                "</span>",
            ]
        ),
    )


_inline_content = st.recursive(
    _text,
    lambda inner: st.lists(st.one_of(_text, _inline(inner)), max_size=4).map("".join),
    max_leaves=8,
)
_block = st.tuples(_block_name, _attribute, _inline_content, st.booleans()).map(
    lambda t: f"<{t[0]}{t[1]}>{t[2]}" + (f"</{t[0]}>" if t[3] else "")
)
_extras = st.sampled_from(
    ["<script>var s = '<p>no</p>';</script>", "<pre> keep  me </pre>", "<!DOCTYPE html>",
     "<title>Page &amp; title</title>", '<meta name="description" content="About">',
     '<time datetime="2025-10-24">October 24, 2025</time>', "<svg><text>no</text></svg>"]
)  # fmt: skip
pages = st.lists(st.one_of(_block, _extras, _text), min_size=1, max_size=8).map("\n".join)


@settings(max_examples=150, deadline=None)
@given(pages)
def test_identity_law_on_generated_pages(html: str) -> None:
    data = html.encode("utf-8")
    assert build_with(data, "identity") == data


@settings(max_examples=150, deadline=None)
@given(pages)
def test_pseudo_law_on_generated_pages(html: str) -> None:
    data = html.encode("utf-8")
    assert pseudo_law_violations(data, build_with(data, "pseudo")) == []


HREF_PIECES = st.sampled_from(
    ["a", "/", ":", "//", "#", "?", ".", "..", " ", "\t", "\n", "\x01", "\x1f", "\xa0", "é",
     "http", "mailto", "x.html", "index.html", "C:", "%2F", "\\"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(HREF_PIECES, max_size=8).map("".join))
def test_links_taken_as_relative_are_relative_for_urlsplit(href: str) -> None:
    """The build skips links it can tell are relative without `urlsplit` (when a locale
    publishes every page); `urlsplit` must agree that they have no scheme, host or root."""
    from urllib.parse import urlsplit

    from pipeline.html import tokenize
    from pipeline.site import _surely_relative

    quoted = href.replace('"', "")
    (token, *_) = tokenize(f'<a href="{quoted}">')
    assert token.kind == "start"
    if _surely_relative(token.attribute("href")):
        parts = urlsplit(quoted.strip())
        assert not parts.scheme and not parts.netloc and not parts.path.startswith("/")


@settings(max_examples=150, deadline=None)
@given(pages, st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "shift_jis"]), st.booleans())
def test_pages_put_together_as_text_or_bytes_are_the_same(
    html: str, encoding: str, undecodable: bool
) -> None:
    """`assemble` joins text and encodes it once where the page's text encodes back to its
    bytes; the byte-offset path (every other page) gives the same bytes."""
    meta = f"<meta charset={encoding.removesuffix('-sig')}>"
    data = (meta + html).encode(encoding, "xmlcharrefreplace") + (b"\xff" if undecodable else b"")
    page = segments_of(data)
    table = {(s.msgctxt, s.msgid): "⟦" + s.msgid + "⟧é腰" for s in page.segments}
    fast = translate_page(page, table).data
    with mock.patch.object(SourcePage, "encodes_back", lambda _: False):
        assert translate_page(page, table).data == fast


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_a_page_with_text_beyond_ascii_and_a_script_takes_an_ascii_translation(
    encoding: str,
) -> None:
    """The case the C splice once stopped on with SystemError: a title beyond ASCII, a
    script after it, the title translated into plain ASCII."""
    html = f"<meta charset={encoding}><title>Café hours</title><p>Open</p><script>x<y</script>"
    page = segments_of(html.encode(encoding))
    built = translate_page(page, {(None, "Café hours"): "Opening hours", (None, "Open"): "Ja"})
    assert built.data == html.replace("Café hours", "Opening hours").replace(
        "<p>Open", "<p>Ja"
    ).encode(encoding)
