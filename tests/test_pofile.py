"""pipeline.pofile: lossless reading, msgcat-identical writing, errors that name the line."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.model import Catalog, Message, PipelineError
from pipeline.pofile import parse_po, render_po, rendered_entries

FIXTURES = Path(__file__).parent / "fixtures" / "po"
HAVE_GETTEXT = shutil.which("msgcat") is not None
needs_gettext = pytest.mark.skipif(not HAVE_GETTEXT, reason="GNU gettext tools not installed")

HEADER = (
    ("Project-Id-Version", "clinic 1.0"),
    ("Report-Msgid-Bugs-To", ""),
    ("POT-Creation-Date", "2025-10-24 09:00+0900"),
    ("PO-Revision-Date", "2025-10-24 10:00+0900"),
    ("Last-Translator", "A Translator <a@example.jp>"),
    ("Language-Team", "Japanese <ja@example.jp>"),
    ("Language", "ja"),
    ("MIME-Version", "1.0"),
    ("Content-Type", "text/plain; charset=UTF-8"),
    ("Content-Transfer-Encoding", "8bit"),
    ("Plural-Forms", "nplurals=2; plural=(n != 1);"),
)

# -- strategies --------------------------------------------------------------------------------

WORD_LINES = (
    "the spinal canal stenosis is a narrowing of nerves <1>text</1> <2/> {name} %s 3.5 mm",
    "10% (see below) e.g., “quoted” — – … https://www.example-spine-clinic.jp/a?x=1&y=2",
    "脊柱管狭窄症は、 「腰部脊柱管狭窄症」 （ようぶ） です。 しびれ ー ぁ ッ ・ ！ ？ 、 。",
    "間欠性跛行 をご覧ください １２３ ＡＢＣ ① ※ 〜 々 ヶ 黄色靱帯 ｶﾀｶﾅ é ß Ω 😀",
)
WORDS = [word for line in WORD_LINES for word in line.split()]
SPECIALS = ["\n", "\t", '"', "\\", " ", "  ", "\u3000", "\u00a0", "\u200b", 'say "hi"', "x\\y"]
JAPANESE = "あいうえおかきくけこぁぃゃゅょっーアイウエオァィャュョッ漢字脊柱管。、「」（）・！？"
ALPHABET = st.sampled_from(
    list("abcdefghij klmnop ABC 0123 .,;:!?-/()[]{}<>%$#&*+='\"\\\n\t\u3000\u00a0\u200b")
    + list(JAPANESE)
)

texts = st.one_of(
    st.lists(st.sampled_from(WORDS + SPECIALS), max_size=40).map(
        lambda words: "".join(w + (" " if i % 3 else "") for i, w in enumerate(words))
    ),
    st.text(ALPHABET, max_size=120),
)
#: gettext reads a backslash at the end of a line as a line continuation, even in a comment.
one_line = texts.map(lambda text: text.replace("\n", " ").rstrip("\\"))
references = st.lists(
    st.builds(
        "{}:{}".format,
        st.sampled_from(["index.html", "pages/conditions/lumbar-spinal-canal-stenosis.html", "a"]),
        st.integers(1, 99999),
    ),
    max_size=12,
    unique=True,
).map(tuple)


@st.composite
def messages(draw: st.DrawFn, *, checkable: bool = False) -> Message:
    """A message already in gettext's canonical form (what msgcat would write back)."""
    msgid = draw(texts.filter(bool))
    plural = draw(st.booleans()) and draw(st.booleans())
    flags: list[str] = []
    if draw(st.booleans()):
        flags.append("fuzzy")
    if not checkable and draw(st.integers(0, 4)) == 0:
        flags.append("no-wrap")
    previous = draw(st.none() | texts) if "fuzzy" in flags else None
    msgstrs = [draw(texts) for _ in range(2 if plural else 1)]
    if checkable:  # msgfmt --check: a translation starts and ends with \n when the msgid does
        msgstrs = [_same_newlines(msgid, msgstr) for msgstr in msgstrs]
    obsolete = not checkable and draw(st.integers(0, 5)) == 0
    if obsolete or "fuzzy" in flags:
        msgstrs[0] = msgstrs[0] or "訳"
    return Message(
        msgid=msgid,
        msgstr="" if plural else msgstrs[0],
        msgctxt=draw(st.none() | st.none() | texts),
        flags=tuple(flags),
        references=draw(references),
        extracted_comments=tuple(draw(st.lists(one_line, max_size=2))),
        translator_comments=tuple(draw(st.lists(one_line, max_size=2))),
        previous_msgctxt=draw(st.none() | texts) if previous is not None else None,
        previous_msgid=previous,
        msgid_plural=(_same_newlines(msgid, draw(texts)) if checkable else draw(texts))
        if plural
        else None,
        msgstr_plural=tuple(msgstrs) if plural else (),
        obsolete=obsolete,
    )


def _same_newlines(msgid: str, msgstr: str) -> str:
    body = msgstr.strip("\n") or "訳"
    return ("\n" if msgid.startswith("\n") else "") + body + ("\n" if msgid.endswith("\n") else "")


@st.composite
def catalogs(draw: st.DrawFn, *, checkable: bool = False) -> Catalog:
    found = draw(
        st.lists(messages(checkable=checkable), max_size=8, unique_by=lambda m: (m.obsolete, m.key))
    )
    ordered = [m for m in found if not m.obsolete] + [m for m in found if m.obsolete]
    if not ordered or ordered[0].obsolete:  # msgcat writes nothing for a header-only catalog
        ordered.insert(0, Message(msgid="Home", msgstr="ホーム"))
    return Catalog(
        header=HEADER,
        header_comments=() if checkable else tuple(draw(st.lists(one_line, max_size=3))),
        header_flags=() if checkable else draw(st.sampled_from([(), ("fuzzy",)])),
        messages=tuple(ordered),
    )


def _run_on_file(command: list[str], text: str) -> subprocess.CompletedProcess[str]:
    """Run a gettext tool on `text` saved as a temporary .po file (its last argument)."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "ja.po"
        source.write_text(text, encoding="utf-8")
        return subprocess.run([*command, str(source)], capture_output=True, text=True)


def _msgcat(text: str) -> str:
    done = _run_on_file(["msgcat"], text)
    assert done.returncode == 0, done.stderr
    return done.stdout


# -- rendering ---------------------------------------------------------------------------------


def test_render_puts_obsolete_last_and_orders_flags_like_gettext() -> None:
    catalog = Catalog(
        header=(("Content-Type", "text/plain; charset=UTF-8"),),
        messages=(
            Message(msgid="gone", msgstr="消えた", obsolete=True),
            Message(msgid="a", msgstr="b", flags=("no-wrap", "python-format", "fuzzy", "custom")),
            Message(msgid="untranslated", flags=("fuzzy",)),
            Message(msgid="dropped", obsolete=True),
        ),
    )
    assert render_po(catalog) == (
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#, fuzzy, python-format, no-wrap, custom\nmsgid "a"\nmsgstr "b"\n\n'
        'msgid "untranslated"\nmsgstr ""\n\n'
        '#~ msgid "gone"\n#~ msgstr "消えた"\n'
    )


@pytest.mark.gettext
@needs_gettext
@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir()))
def test_fixture_is_msgcat_output_and_renders_identically(name: str) -> None:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    assert _msgcat(text) == text
    assert render_po(parse_po(text, path=name)) == text


@given(catalogs())
@settings(max_examples=150, deadline=None)
def test_parse_render_parse_is_lossless(catalog: Catalog) -> None:
    assert parse_po(render_po(catalog), path="x.po") == catalog


@given(catalogs(), catalogs(), st.data())
@settings(max_examples=150, deadline=None)
def test_copied_entries_give_the_same_text(
    template: Catalog, other: Catalog, data: st.DataObject
) -> None:
    """`update` copies the entries a catalog keeps from the template's text: the result is
    what rendering every entry gives, whichever messages are kept, changed or new."""
    template = dataclasses.replace(
        template, messages=tuple(m for m in template.messages if not m.obsolete)
    )
    text = render_po(template)
    known = rendered_entries(parse_po(text, path="x.pot"), text)
    assert len(known) == len(set(template.messages))
    kept = [m for m in template.messages if data.draw(st.booleans())]
    changed = [dataclasses.replace(m, msgstr=m.msgstr + "訳") for m in kept[:1]]
    catalog = dataclasses.replace(other, messages=(*kept, *changed, *other.messages))
    assert render_po(catalog, known=known) == render_po(catalog)


def test_entries_are_not_copied_from_another_layout() -> None:
    catalog = parse_po('msgid "a"\nmsgstr ""\n\nmsgid "b"\nmsgstr ""\n', path="x.po")
    assert rendered_entries(catalog, 'msgid "a"\nmsgstr ""\n') == {}


PIECES = ["#", "#~", "#|", "#~|", "#,", "#.", "#:", " ", "\n", "\n\n", '"', "\\", "x", "\r", "\t"]
PIECES += ["msgid ", "msgstr ", "msgctxt ", "msgid_plural ", "msgstr[0] ", "fuzzy", "\\x1", "\\0"]


@given(
    catalogs(),
    st.lists(
        st.tuples(
            st.integers(0, 10**6), st.integers(0, 3), st.lists(st.sampled_from(PIECES), max_size=3)
        ),
        max_size=4,
    ),
)
@settings(max_examples=300, deadline=None)
def test_an_edited_file_reads_or_fails_on_one_of_its_lines(
    catalog: Catalog, edits: list[tuple[int, int, list[str]]]
) -> None:
    """Whatever a hand edit does to a catalog, reading it gives messages that render again, or
    a PipelineError that names a line of the file: never another exception."""
    text = render_po(catalog)
    for where, deleted, inserted in edits:
        at = where % (len(text) + 1)
        text = text[:at] + "".join(inserted) + text[at + deleted :]
    try:
        read = parse_po(text, path="x.po")
    except PipelineError as error:
        assert error.line is None or 1 <= error.line <= text.count("\n") + 1
        return
    rendered = render_po(read)
    assert render_po(parse_po(rendered, path="x.po")) == rendered


@pytest.mark.gettext
@needs_gettext
@given(catalogs())
@settings(max_examples=60, deadline=None)
def test_render_is_byte_identical_to_msgcat(catalog: Catalog) -> None:
    text = render_po(catalog)
    assert _msgcat(text) == text


@pytest.mark.gettext
@needs_gettext
@given(catalogs(checkable=True))
@settings(max_examples=30, deadline=None)
def test_msgfmt_accepts_rendered_catalog(catalog: Catalog) -> None:
    check = ["msgfmt", "--check-format", "--check-header", "-o", "/dev/null"]
    done = _run_on_file(check, render_po(catalog))
    assert done.returncode == 0, done.stderr


# -- parsing -----------------------------------------------------------------------------------


def test_parse_keeps_every_field() -> None:
    text = (FIXTURES / "fuzzy_obsolete.po").read_text(encoding="utf-8")
    catalog = parse_po(text, path="ja.po")
    assert catalog.header_value("language") == "ja"
    first, menu, gone, hours = catalog.messages
    assert first.translator_comments == ("Check the term with the doctor.",)
    assert first.extracted_comments == ("p",)
    assert first.references == ("treatment.html:40",)
    assert first.fuzzy and first.previous_msgid is not None and first.line == 16
    assert (menu.previous_msgctxt, menu.previous_msgid, menu.msgctxt) == ("nav", "Home", "menu")
    assert gone.obsolete and gone.msgstr.startswith("当院")
    assert hours.obsolete and hours.msgctxt == "hours"
    assert hours.previous_msgid == "Old opening hours"


def test_parse_several_references_per_line_and_strings_per_keyword() -> None:
    text = '#: a.html:1 b.html:2\n#: c.html:3\nmsgid "a" "b"\n"c"\nmsgstr ""\n'
    (message,) = parse_po(text, path="x.po").messages
    assert message.references == ("a.html:1", "b.html:2", "c.html:3")
    assert message.msgid == "abc"


def test_parse_accepts_crlf_and_bom() -> None:
    text = '\ufeffmsgid ""\r\nmsgstr "Language: ja\\n"\r\n\r\nmsgid "a"\r\nmsgstr "あ"\r\n'
    catalog = parse_po(text, path="x.po")
    assert catalog.header == (("Language", "ja"),)
    assert catalog.messages[0].msgstr == "あ"
    assert catalog.messages[0].line == 4


def test_parse_joins_lines_after_a_trailing_backslash() -> None:
    text = 'msgid "ab\\\ncd"\nmsgstr ""\n\nmsgid "x"\nmsgstr ""\n'
    first, second = parse_po(text, path="x.po").messages
    assert (first.msgid, first.line, second.line) == ("abcd", 1, 5)


def test_parse_unescapes_like_gettext() -> None:
    text = r'msgid "q\"b\\t\tn\nb\101x\x41"' + '\nmsgstr ""\n'
    assert parse_po(text, path="x.po").messages[0].msgid == 'q"b\\t\tn\nbAxA'


HEAD = 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'  # lines 1-3


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ('msgid\nmsgstr "x"\n', 4, "'msgid' without a string"),
        ('msgid "a"\nmsgstr\n', 5, "'msgstr' without a string"),
        ('msgid "a\nmsgstr "x"\n', 4, "end-of-line within string"),
        ('msgid "\nmsgstr "x"\n', 4, "end-of-line within string"),  # a lone quote
        ('msgid "a"\nmsgstr "x"\n"\n', 6, "end-of-line within string"),
        ('msgid "a\\qb"\nmsgstr "x"\n', 4, "invalid control sequence"),
        ('msgid "a\\x"\nmsgstr "x"\n', 4, "invalid control sequence"),
        ('msgstr "x"\n', 4, "syntax error"),
        ('msgid "a"\n', 4, "missing 'msgstr' section"),
        ('msgid "a"\nmsgid "b"\nmsgstr ""\n', 4, "missing 'msgstr' section"),
        ('msgid "a"\n# c\nmsgstr "x"\n', 4, "missing 'msgstr' section"),
        ('msgctxt "a"\n', 4, "missing 'msgid' section"),
        ('msgctxt "a"\nmsgctxt "b"\nmsgid "a"\nmsgstr ""\n', 5, "syntax error"),
        ('msgid "a"\nmsgid_plural "b"\nmsgstr[1] "x"\n', 6, "first plural form has nonzero index"),
        ('msgid "a"\nmsgid_plural "b"\nmsgstr[0] "x"\nmsgstr[2] "y"\n', 7, "wrong index"),
        ('msgid "a"\nmsgid_plural "b"\nmsgstr "x"\n', 6, "syntax error"),
        ('msgid "a"\nmsgstr[0] "x"\n', 4, "missing 'msgid_plural' section"),
        ('msgid "a"\nmsgid_plural "b"\n', 4, "missing 'msgstr[0]' section"),
        ('msgid "a"\nmsgstr "x"\nfoo\n', 6, "unknown keyword 'foo'"),
        ('msgid "a" x\nmsgstr "x"\n', 4, "syntax error"),
        ('msgid "a"\n#~ msgstr "x"\n', 5, "inconsistent use of #~"),
        ('#| msgid "a"\n', 5, "'#|' comment without an entry"),
        ('#| msgctxt "a"\nmsgid "b"\nmsgstr ""\n', 4, "'#| msgctxt' without '#| msgid'"),
        ('\nmsgid "a"\nmsgstr ""\n\n# x\nmsgid "a"\nmsgstr "b"\n', 9, "first defined at line 5"),
        ('#~ msgid "a"\n#~ msgstr "x"\n#~ msgid "a"\n#~ msgstr "y"\n', 6, "duplicate message"),
        ('msgid "a\0"\nmsgstr ""\n', 4, "NUL character"),
    ],
)
def test_parse_errors_name_the_line(body: str, line: int, message: str) -> None:
    with pytest.raises(PipelineError) as caught:
        parse_po(HEAD + body, path="ja.po")
    assert (caught.value.path, caught.value.line) == ("ja.po", line)
    assert message in caught.value.message


def test_parse_rejects_a_string_before_any_keyword() -> None:
    with pytest.raises(PipelineError, match="string without a keyword") as caught:
        parse_po('# c\n"x"\nmsgid "a"\nmsgstr ""\n', path="ja.po")
    assert caught.value.line == 2


def test_parse_rejects_unknown_charset() -> None:
    text = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=NOPE-9\\n"\n'
    with pytest.raises(PipelineError, match="invalid charset 'NOPE-9'") as caught:
        parse_po(text, path="ja.po")
    assert caught.value.line == 1


def test_same_msgid_in_other_context_or_obsolete_is_no_duplicate() -> None:
    text = 'msgid "a"\nmsgstr ""\n\nmsgctxt "c"\nmsgid "a"\nmsgstr ""\n'
    text += '\n#~ msgid "a"\n#~ msgstr "x"\n'
    assert len(parse_po(text, path="x.po").messages) == 3


def test_messages_are_frozen() -> None:
    (message,) = parse_po('msgid "a"\nmsgstr ""\n', path="x.po").messages
    with pytest.raises(dataclasses.FrozenInstanceError):
        message.msgid = "b"  # type: ignore[misc]


def test_polib_reads_the_repository_catalogs_as_we_do() -> None:
    """An independent reader agrees with ours on every entry of the real catalogs."""
    import polib

    root = Path(__file__).parent.parent / "locales"
    paths = sorted(root.rglob("*.po")) + sorted(root.rglob("*.pot"))
    assert paths
    for path in paths:
        ours = parse_po(path.read_text(encoding="utf-8"), path=str(path))
        theirs = polib.pofile(str(path), wrapwidth=79)
        assert [
            (m.msgctxt, m.msgid, m.msgstr, m.fuzzy, m.obsolete, m.previous_msgid)
            for m in ours.messages
        ] == [
            (e.msgctxt, e.msgid, e.msgstr, e.fuzzy, e.obsolete, e.previous_msgid)
            for e in theirs
            if e.msgid or e.msgctxt is not None
        ], path


def test_a_reference_ending_in_a_backslash_is_refused_at_its_line() -> None:
    """Wrapped on writing, it could end a line, and gettext joins the next line to such a one
    (found by the edit property above: `99999 \\` then `#: …` read back as a reference `#:`)."""
    text = 'msgid ""\nmsgstr ""\n\n#: a.html:1 \\ b.html:2\nmsgid "a"\nmsgstr "b"\n'
    with pytest.raises(PipelineError, match="a reference ends in a backslash") as raised:
        parse_po(text, path="x.po")
    assert raised.value.line == 4
