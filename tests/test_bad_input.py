"""Bad input through the real CLI: `path:line: message` on stderr, exit 2, no traceback, and not
one output file changed.

Each case starts from a site that is extracted, translated and built, breaks one file, and runs
the commands that read it. Some inputs look bad but are accepted on purpose; their tests say why.
"""

from __future__ import annotations

import codecs
import json
import marshal
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from pipeline import page_cache
from pipeline.config import Settings
from pipeline.html import decode_page
from pipeline.project import template_path
from pipeline.segments import segment_page
from tests.reliability import (
    OTHER,
    PAGE,
    assert_bad_input,
    assert_clean,
    digest,
    invoke,
    japanese,
    outputs,
    site_with_catalogs,
    translate,
)

FIXTURES = Path(__file__).parent / "fixtures" / "bad"
CATALOG = "locales/ja/LC_MESSAGES/index.po"
PAGE_PATH = "source_html/index.html"
TEMPLATE = str(template_path(Settings(), "index.html"))


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A site whose catalogs are fully translated and whose pages are built."""
    catalogs = site_with_catalogs(tmp_path, monkeypatch)
    for catalog in catalogs:
        translate(catalog, japanese)
    assert_clean(invoke("build", "--jobs", "1"), 0)
    assert (tmp_path / "site/ja/index.html").exists()
    return tmp_path


def lines_of(path: Path) -> int:
    return path.read_bytes().count(b"\n")


# --- catalogs ----------------------------------------------------------------------------------


def _append(catalog: Path, text: bytes, *, at: int) -> int:
    """Append to the catalog; the error is on the `at`-th appended line (1 = first)."""
    line = lines_of(catalog) + at
    catalog.write_bytes(catalog.read_bytes() + text)
    return line


def _replace(old: bytes, new: bytes) -> Callable[[Path], int]:
    """Replace the first `old`; the error is on the header entry's `msgid ""` line."""

    def apply(catalog: Path) -> int:
        data = catalog.read_bytes()
        assert old in data
        catalog.write_bytes(data.replace(old, new, 1))
        return data[: data.index(b'msgid ""')].count(b"\n") + 1

    return apply


def _syntax_error(catalog: Path) -> int:
    return _append(catalog, b'\nmsgid "Unfinished"\nmsgstr "no closing quote\n', at=3)


def _unknown_keyword(catalog: Path) -> int:
    return _append(catalog, b'\nmsgid_typo "x"\nmsgstr "y"\n', at=2)


def _duplicate(catalog: Path) -> int:
    return _append(catalog, b'\nmsgid "Walk a little every day."\nmsgstr "again"\n', at=2)


def _invalid_utf8(catalog: Path) -> int:
    return _append(catalog, b'\nmsgid "Extra"\nmsgstr "\xff\xfe broken"\n', at=3)


def _escape(escape: bytes) -> Callable[[Path], int]:
    """A msgstr with the escape `escape` in it; the error is on the msgstr line."""

    def apply(catalog: Path) -> int:
        return _append(catalog, b'\nmsgid "Extra"\nmsgstr "x' + escape + b'y"\n', at=3)

    return apply


def _binary(catalog: Path) -> None:
    catalog.write_bytes(b"\x00\x01\x02ELF" + bytes(range(256)) * 4)


def _old_mac_line_ends(catalog: Path) -> int:
    catalog.write_bytes(catalog.read_bytes().replace(b"\n", b"\r"))
    return 1


#: (name, how to break the catalog (returns the line to blame, or None), message fragment)
CATALOG_CASES: list[tuple[str, Callable[[Path], int | None], str]] = [
    ("syntax error", _syntax_error, "end-of-line within string"),
    ("unknown keyword", _unknown_keyword, "unknown keyword 'msgid_typo'"),
    (
        "header line without a colon",
        _replace(b'"Language: ja\\n"', b'"Language ja\\n"'),
        "is not 'Name: value'",
    ),
    (
        "unknown charset",
        _replace(b"charset=UTF-8", b"charset=KLINGON-8"),
        "invalid charset 'KLINGON-8'",
    ),
    (
        "malformed plural expression",
        _replace(b"plural=0;", b"plural=((n;"),
        "invalid plural expression '((n'",
    ),
    (
        "non-numeric nplurals",
        _replace(b"nplurals=1;", b"nplurals=many;"),
        "invalid Plural-Forms",
    ),
    ("zero nplurals", _replace(b"nplurals=1;", b"nplurals=0;"), "invalid Plural-Forms"),
    (
        "code in the plural expression",
        _replace(b"plural=0;", b'plural=__import__(\\"os\\").system(\\"x\\");'),
        "invalid plural expression",
    ),
    ("duplicate msgid", _duplicate, "duplicate message definition"),
    ("invalid UTF-8", _invalid_utf8, "invalid UTF-8"),
    # msgfmt reads \x… and \0… as one byte and keeps its low 8 bits: it accepts these silently
    # and publishes a NUL that cuts the translation short. No character was meant: refused.
    ("escape past U+10FFFF", _escape(b"\\x110000"), "beyond U+10FFFF"),
    ("escape of twenty hex digits", _escape(b"\\x" + b"F" * 20), "beyond U+10FFFF"),
    ("escape of a million hex digits", _escape(b"\\x1" + b"0" * 1_000_000), "beyond U+10FFFF"),
    ("escape of a lone surrogate", _escape(b"\\xD800"), "U+D800 is a surrogate"),
    ("escape of a low surrogate", _escape(b"\\xdfff"), "U+DFFF is a surrogate"),
    ("escape of NUL", _escape(b"\\0"), "a NUL character, where gettext ends the message"),
    ("binary file named .po", _binary, "binary file: not a gettext catalog"),
    ("old Mac line ends (CR only)", _old_mac_line_ends, "carriage return without a line feed"),
]


@pytest.mark.parametrize(
    ("name", "breaker", "fragment"), CATALOG_CASES, ids=[c[0] for c in CATALOG_CASES]
)
def test_broken_catalog_is_refused_by_every_command(
    site: Path, name: str, breaker: Callable[[Path], int | None], fragment: str
) -> None:
    catalog = site / CATALOG
    line = breaker(catalog)
    before = outputs(site)
    started = time.monotonic()
    for command in (["update"], ["status"]):
        assert_bad_input(invoke(*command), CATALOG, line, fragment)
    checked = invoke("check")  # check lists the catalog as unreadable, among its problems
    assert_clean(checked, 2)
    assert (f"{CATALOG}:{line}: " if line else f"{CATALOG}:0: ") in checked.stdout
    assert fragment in checked.stdout
    assert outputs(site) == before
    # The build builds every other page, holds back the one whose catalog it cannot read
    # (the threshold rule: none of it is known to be translated), and exits 2 at the end.
    (site / "source_html/other.html").write_bytes(
        (site / "source_html/other.html").read_bytes().replace(b"</body>", b"<!-- ed --></body>")
    )
    for jobs in ("1", "2"):
        assert_bad_input(invoke("build", "--jobs", jobs), CATALOG, line, fragment)
        assert not (site / "site/ja/index.html").exists()
        assert b"<!-- ed -->" in (site / "site/en/other.html").read_bytes()
        assert b"<!-- ed -->" in (site / "site/ja/other.html").read_bytes()
        assert (site / "site/en/index.html").exists()
    assert time.monotonic() - started < 20


def test_escapes_of_characters_up_to_u10ffff_are_read(site: Path) -> None:
    """The edges of what a `\\x` escape may name: U+10FFFF, either side of the surrogates, and
    leading zeros. (msgfmt keeps only the low byte of an escape past \\xFF; we read the
    character it names, as we always did, and refuse only what names none.)"""
    catalog = site / CATALOG
    data = catalog.read_bytes()
    entry = b'msgid "Walk a little every day."\nmsgstr "'
    assert data.count(entry) == 1
    escapes = rb"\x10FFFF\xD7FF\xe000\x0000000041\x3042"
    catalog.write_bytes(data.replace(entry, entry + escapes))
    for command in (["status"], ["check"], ["build", "--jobs", "1"]):
        assert_clean(invoke(*command), 0, 1)
    built = (site / "site/ja/index.html").read_text(encoding="utf-8")
    assert "\U0010ffff\ud7ff\ue000Aあ訳。" in built
    assert_clean(invoke("update"), 0)
    assert "\U0010ffff\ud7ff\ue000Aあ訳。" in catalog.read_text(encoding="utf-8")


def test_mixed_line_endings_are_read_and_normalized(site: Path) -> None:
    """CRLF and LF mixed is what an editor on Windows leaves: gettext reads it, and so do we."""
    catalog = site / CATALOG
    data = catalog.read_bytes()
    lines = data.split(b"\n")
    mixed = b"".join(line + (b"\r\n" if i % 2 else b"\n") for i, line in enumerate(lines[:-1]))
    catalog.write_bytes(mixed)
    assert_clean(invoke("check"), 0, 1)
    assert_clean(invoke("build", "--jobs", "1"), 0)
    assert_clean(invoke("update"), 0)
    assert catalog.read_bytes() == data  # the same catalog, written back with LF only


def test_byte_order_mark_is_read_flagged_by_check_and_dropped_by_update(site: Path) -> None:
    """A BOM is unambiguous, so reading goes on; GNU gettext rejects it, so check says so."""
    catalog = site / CATALOG
    data = catalog.read_bytes()
    catalog.write_bytes(codecs.BOM_UTF8 + data)
    checked = invoke("check")
    assert_clean(checked, 1)
    assert f"{CATALOG}:1: " in checked.stdout
    assert "byte order mark" in checked.stdout
    assert "syntax error" not in checked.stdout  # not msgfmt's misleading report
    built = (site / "site/ja/index.html").read_bytes()
    assert_clean(invoke("build", "--jobs", "1"), 0)
    assert (site / "site/ja/index.html").read_bytes() == built  # the same translations
    assert_clean(invoke("update"), 0)
    assert catalog.read_bytes() == data


def test_unusual_but_wellformed_plural_forms_are_accepted(site: Path) -> None:
    """nplurals=2 for Japanese is odd, not wrong (msgfmt accepts it); update sets Babel's rule."""
    catalog = site / CATALOG
    data = catalog.read_bytes()
    catalog.write_bytes(data.replace(b"nplurals=1; plural=0;", b"nplurals=2; plural=(n != 1);"))
    assert_clean(invoke("check"), 0)
    assert_clean(invoke("update"), 0)
    assert catalog.read_bytes() == data


def test_catalog_of_another_page_is_an_error_in_check(site: Path) -> None:
    """Detected by its `#:` references: none names the page the catalog is for."""
    catalog = site / CATALOG
    other = site / "locales/ja/LC_MESSAGES/other.po"
    catalog.write_bytes(other.read_bytes())
    checked = invoke("check", "--format", "json")
    assert_clean(checked, 1)
    assert '"check": "origin"' in checked.stdout
    assert "belongs to another page" in checked.stdout
    # update keeps every translation of the stray catalog (as obsolete entries), loses none
    assert_clean(invoke("update"), 0)
    text = catalog.read_text(encoding="utf-8")
    assert '#~ msgid "Stretch gently."' in text


@pytest.mark.parametrize("output_format", ["table", "json", "markdown"])
def test_status_reports_the_readable_catalogs_and_names_the_unreadable_one(
    site: Path, output_format: str
) -> None:
    line = _syntax_error(site / CATALOG)
    result = invoke("status", "--format", output_format, "--html", "status.html")
    assert_bad_input(result, CATALOG, line, "end-of-line within string")
    assert result.stderr.count(CATALOG) == 1
    if output_format == "json":
        rows = json.loads(result.stdout)["catalogs"]
        assert [row["catalog"] for row in rows] == ["ja/LC_MESSAGES/other.po"]
    assert "ja/LC_MESSAGES/other.po" in result.stdout
    assert "ja/LC_MESSAGES/index.po" not in result.stdout
    dashboard = (site / "status.html").read_text(encoding="utf-8")
    assert "ja/LC_MESSAGES/other.po" in dashboard and "ja/LC_MESSAGES/index.po" not in dashboard


# --- pages -------------------------------------------------------------------------------------


def _fixture(name: str) -> Callable[[Path], None]:
    def apply(page: Path) -> None:
        page.write_bytes((FIXTURES / name).read_bytes())

    return apply


def _bytes(data: bytes) -> Callable[[Path], None]:
    def apply(page: Path) -> None:
        page.write_bytes(data)

    return apply


def _huge(page: Path) -> None:
    """50 MB of real markup."""
    paragraph = b"<p>Paragraph with <a href='x.html'>a link</a> and <b>bold</b> words.</p>\n"
    with page.open("wb") as handle:
        handle.write(b"<!DOCTYPE html><html><body>\n")
        handle.write(paragraph * (50_000_000 // len(paragraph)))
        handle.write(b"</body></html>\n")


def _utf16(
    bom: bytes, codec: str, damage: bytes, after: str = "<p>Two.</p>\n"
) -> Callable[[Path], None]:
    """A UTF-16 page with `damage` at the start of its fourth line, then `after`."""
    head = "<!DOCTYPE html>\n<title>Wide</title>\n<p>One.</p>\n".encode(codec)
    return _bytes(bom + head + damage + after.encode(codec))


#: (name, how to break the page, line to blame or None, message fragment)
PAGE_CASES: list[tuple[str, Callable[[Path], None], int | None, str]] = [
    ("empty", _bytes(b""), None, "empty page"),
    ("only white space", _bytes(b" \n\t\r\n"), None, "empty page"),
    ("binary", _fixture("binary.html"), None, "binary file: not an HTML page"),
    (
        "undeclared legacy encoding",
        _fixture("legacy-latin1.html"),
        2,
        "not valid UTF-8 and no charset is declared",
    ),
    ("unknown declared charset", _fixture("unknown-charset.html"), 2, "unknown charset"),
    ("50 MB", _huge, None, "file too large"),
    # A browser shows U+FFFD for a bad UTF-16 unit; the build could not write such a page back
    # from its own bytes, so it is refused at the unit's line.
    (
        "UTF-16 with an odd number of bytes",
        _utf16(codecs.BOM_UTF16_LE, "utf-16-le", b"\n", after=""),
        4,
        "not valid utf-16-le (truncated data at byte 98)",
    ),
    (
        "UTF-16 with a lone high surrogate",
        _utf16(codecs.BOM_UTF16_BE, "utf-16-be", b"\xd8\x00"),
        4,
        "not valid utf-16-be (illegal UTF-16 surrogate at byte 98)",
    ),
    (
        "UTF-16 with a lone low surrogate",
        _utf16(codecs.BOM_UTF16_LE, "utf-16-le", b"\x80\xdc"),
        4,
        "not valid utf-16-le (illegal encoding at byte 98)",
    ),
]


@pytest.mark.parametrize(
    ("name", "breaker", "line", "fragment"), PAGE_CASES, ids=[c[0] for c in PAGE_CASES]
)
def test_broken_page_is_refused_by_every_command(
    site: Path, name: str, breaker: Callable[[Path], None], line: int | None, fragment: str
) -> None:
    breaker(site / PAGE_PATH)
    before = outputs(site)
    started = time.monotonic()
    for command in (["extract"], ["build", "--jobs", "1"], ["build", "--jobs", "2"], ["status"]):
        assert_bad_input(invoke(*command), PAGE_PATH, line, fragment)
    assert outputs(site) == before
    assert time.monotonic() - started < 20


@pytest.mark.parametrize(
    ("name", "breaker", "line", "fragment"),
    [case for case in PAGE_CASES if case[0] in ("empty", "undeclared legacy encoding")],
    ids=["empty", "undecodable"],
)
def test_status_reports_the_readable_pages_and_names_the_unreadable_one(
    site: Path, name: str, breaker: Callable[[Path], None], line: int | None, fragment: str
) -> None:
    breaker(site / PAGE_PATH)
    result = invoke("status", "--format", "json", "--locale", "ja", "--locale", "qps")
    assert_bad_input(result, PAGE_PATH, line, fragment)
    assert result.stderr.count(PAGE_PATH) == 1  # once, not once per locale
    rows = json.loads(result.stdout)["catalogs"]
    assert [row["catalog"] for row in rows] == [
        "ja/LC_MESSAGES/other.po",
        "qps/LC_MESSAGES/other.po",
    ]
    assert rows[0]["percent"] == 100.0


def test_truncated_page_is_built_like_a_browser_would_read_it(site: Path) -> None:
    """A page that stops mid-attribute is still HTML: browsers drop the unfinished tag."""
    (site / PAGE_PATH).write_bytes((FIXTURES / "truncated.html").read_bytes())
    for command in ("extract", "update"):
        assert_clean(invoke(command), 0)
    translate(site / CATALOG, japanese)
    assert_clean(invoke("build", "--jobs", "1", "--min-percent", "0"), 0)
    built = (site / "site/ja/index.html").read_bytes()
    assert built.endswith(b'title="middle of a')  # the unfinished tag is copied, not "fixed"
    soup = BeautifulSoup(built.decode("utf-8"), "html.parser")
    assert soup.find("title") is not None


def test_declared_legacy_encoding_is_read(site: Path) -> None:
    (site / PAGE_PATH).write_bytes((FIXTURES / "declared-sjis.html").read_bytes())
    assert_clean(invoke("extract"), 0)
    template = (site / TEMPLATE).read_text(encoding="utf-8")
    assert 'msgid "Hello 日本 there."' in template


@pytest.mark.parametrize("element", ["div", "span"])  # a block, an inline element
def test_pages_nested_ten_thousand_deep_work(site: Path, element: str) -> None:
    """No RecursionError, and not quadratic: the whole round trip takes seconds."""
    depth = 10_000
    page = (
        "<!DOCTYPE html><html><head><title>Deep</title></head><body>"
        + f"<{element} title='Level'>" * depth
        + "<p>Deep text</p>"
        + f"</{element}>" * depth
        + "<p>Unclosed <b>bold " * depth
        + "</body></html>"
    )
    (site / PAGE_PATH).write_text(page, encoding="utf-8")
    started = time.monotonic()
    for command in ("extract", "update"):
        assert_clean(invoke(command), 0)
    translate(site / CATALOG, japanese)
    assert_clean(invoke("build", "--jobs", "1", "--min-percent", "0"), 0)
    assert_clean(invoke("status"), 0)
    assert time.monotonic() - started < 30
    template = (site / TEMPLATE).read_text(encoding="utf-8")
    assert 'msgid "Title"' not in template
    assert "Deep" in template


def test_dotfiles_and_leftover_temporary_files_are_not_pages(site: Path) -> None:
    """`.name.*` files are what an interrupted atomic write leaves; they are never pages."""
    (site / "source_html/.index.html.x1y2z3").write_text(OTHER, encoding="utf-8")
    (site / "source_html/.hidden").mkdir()
    (site / "source_html/.hidden/page.html").write_text(PAGE, encoding="utf-8")
    (site / "locales/ja/LC_MESSAGES/.index.po.k4l5m6").write_bytes(b"garbage")
    before = outputs(site)
    for command in (["extract"], ["update"], ["build", "--jobs", "1"], ["check"]):
        assert_clean(invoke(*command), 0)
    assert outputs(site) == before
    assert PAGE  # the original page is still the only index


def test_output_inside_the_source_is_refused(site: Path) -> None:
    """Built pages under source_html/ would be read as English pages by the next extract."""
    before = outputs(site)
    result = invoke("build", "--jobs", "1", "--output", "source_html/site")
    assert_bad_input(result, "source_html/site", None, "inside the source directory")
    assert not (site / "source_html/site").exists()
    assert outputs(site) == before


# --- the page cache ----------------------------------------------------------------------------

ENTRY = ".pipeline-cache/segments/index.html.bin"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b"Walk a little", b"Xalk a little"),  # a msgid: the translation would not be found
        (b"Back pain and what", b"Back pain and whaT"),  # the title's msgid
    ],
)
def test_a_cache_entry_damaged_behind_an_intact_key_is_a_miss(
    site: Path, old: bytes, new: bytes
) -> None:
    """The entry's key (the page's digest) is intact and its payload still unmarshals, but one
    byte of it changed: the build must segment the page again, not publish the damage."""
    assert_clean(invoke("build", "--jobs", "1", "--output", "clean"), 0)
    entry = site / ENTRY
    data = entry.read_bytes()
    assert data.count(old) == 1
    entry.write_bytes(data.replace(old, new))
    assert_clean(invoke("build", "--jobs", "1", "--output", "damaged"), 0)
    assert _published(site / "damaged") == _published(site / "clean")
    assert entry.read_bytes().count(old) == 1  # the damaged entry was replaced


def _published(root: Path) -> dict[str, str]:
    """Digests of the built site's files by relative path (not the build's own records)."""
    found = digest(root)
    return {
        name: sha
        for name, sha in ((str(Path(p).relative_to(root)), sha) for p, sha in found.items())
        if not name.startswith(".")
    }


def test_every_damaged_byte_of_a_cache_entry_is_a_miss(tmp_path: Path) -> None:
    """Each byte of an entry's payload changed in turn: never a wrong page, at worst a miss."""
    source = decode_page(PAGE.encode(), path="index.html")
    segmented = segment_page(source)
    page_cache.store(tmp_path, "index.html", segmented, None)
    entry = tmp_path / "segments/index.html.bin"
    data = entry.read_bytes()
    payload = len(marshal.dumps(page_cache._pack(segmented)))
    for position in range(len(data) - payload, len(data)):
        for flip in (0x01, 0x80):
            damaged = bytearray(data)
            damaged[position] ^= flip
            entry.write_bytes(damaged)
            loaded = page_cache.load(tmp_path, "index.html", source, None)
            assert loaded is None or loaded == segmented, position
    entry.write_bytes(data)
    assert page_cache.load(tmp_path, "index.html", source, None) == segmented


def test_placeholder_numbers_too_long_for_int_are_text(site: Path) -> None:
    """`<N>` with thousands of digits, in a page or in a msgstr, is no element's number (and
    more than int() converts): it is text to every command, written out escaped."""
    long_number = "1" * 5000
    page = PAGE.replace("Walk a little every day.", f"Walk &lt;{long_number}&gt; a day.")
    (site / PAGE_PATH).write_text(page, encoding="utf-8")
    for command in ("extract", "update"):
        assert_clean(invoke(command), 0)
    translate(site / CATALOG, lambda m: f"訳<{'2' * 5000}>" if "Walk" in m.msgid else japanese(m))
    assert_clean(invoke("check"), 0, 1)
    assert_clean(invoke("build", "--jobs", "1", "--min-percent", "0"), 0)
    assert f"訳&lt;{'2' * 5000}&gt;".encode() in (site / "site/ja/index.html").read_bytes()
