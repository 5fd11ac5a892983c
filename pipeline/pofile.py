"""Read and write gettext catalogs (.po/.pot) as `model.Catalog` values, without file I/O.

`render_po` writes exactly what GNU `msgcat` (gettext 0.21, libunistring 1.0) writes, so a catalog
that translators pass through gettext tools, Poedit or msgmerge comes back without churn.
`parse_po` keeps everything the model holds and names the line of every error gettext rejects:
one reader for every layout gettext and Poedit write, a line at a time. Where lines break is
`pipeline.wrap`'s business.
"""

from __future__ import annotations

import codecs
import functools
import re
import sys
from collections.abc import Iterator, Mapping, Sequence

from pipeline.model import FUZZY, Catalog, Message, PipelineError
from pipeline.wrap import ESCAPES, WIDTH, wrap_po_string

__all__ = ["WIDTH", "parse_po", "render_po"]

# ---------------------------------------------------------------------------------------------
# Writing

_FORMATS = (
    "c",
    "objc",
    "python",
    "python-brace",
    "java",
    "java-printf",
    "csharp",
    "javascript",
    "scheme",
    "lisp",
    "elisp",
    "librep",
    "ruby",
    "sh",
    "awk",
    "lua",
    "object-pascal",
    "smalltalk",
    "qt",
    "qt-plural",
    "kde",
    "kde-kuit",
    "boost",
    "tcl",
    "perl",
    "perl-brace",
    "php",
    "gcc-internal",
    "gfc-internal",
    "ycp",
)
_FORMAT_RE = re.compile(r"(no-|possible-)?([a-z-]+)-format")
_RANGE_RE = re.compile(r"range: (\d+)\.\.(\d+)")


def _flag_line(flags: Sequence[str], *, translated: bool) -> str | None:
    """The `#,` line in gettext's order: fuzzy, formats, range, no-wrap; then other flags.

    gettext drops fuzzy on an untranslated entry, merges `possible-x-format` into `x-format`,
    and lets the last of contradicting flags win. It drops unknown flags too; we keep them.
    """
    fuzzy = False
    formats: dict[str, str] = {}
    value_range: str | None = None
    others: list[str] = []
    for flag in flags:
        format_match = _FORMAT_RE.fullmatch(flag)
        range_match = _RANGE_RE.fullmatch(flag)
        if flag == FUZZY:
            fuzzy = True
        elif format_match and format_match[2] in _FORMATS:
            prefix = "no-" if format_match[1] == "no-" else ""
            formats[format_match[2]] = f"{prefix}{format_match[2]}-format"
        elif range_match and int(range_match[1]) <= int(range_match[2]):
            value_range = flag
        elif flag not in ("wrap", "no-wrap") and flag not in others:
            others.append(flag)
    ordered = ([FUZZY] if fuzzy and translated else []) + [
        formats[name] for name in _FORMATS if name in formats
    ]
    ordered += ([value_range] if value_range else []) + (["no-wrap"] if _no_wrap(flags) else [])
    return "#, " + ", ".join(ordered + others) if ordered or others else None


def _flags_and_wrap(flags: Sequence[str], translated: bool) -> tuple[str | None, bool]:
    """The `#,` line of an entry with flags, and whether its strings are wrapped."""
    return _flag_line(flags, translated=translated), not _no_wrap(flags)


def _no_wrap(flags: Sequence[str]) -> bool:
    """Whether the last of `wrap`/`no-wrap` is `no-wrap`."""
    wrap_flags = [flag for flag in flags if flag in ("wrap", "no-wrap")]
    return bool(wrap_flags) and wrap_flags[-1] == "no-wrap"


def _reference_lines(references: Sequence[str], width: int) -> Iterator[str]:
    """`#:` lines filled up to `width`, with gettext's normalisation and without repeats."""
    line, column = "#:", 2
    seen: set[str] = set()
    for reference in references:
        path, colon, number = reference.rpartition(":")
        if colon and number.isascii() and number.isdigit():
            reference = f"{path}:{number.lstrip('0') or '0'}"  # int() refuses 4 301 digits
        if reference in seen:
            continue
        seen.add(reference)
        while reference.startswith("./"):
            reference = reference[2:]
        if column > 2 and column + len(reference) + 1 > width:
            yield line
            line, column = "#:", 2
        line += " " + reference
        column += len(reference) + 1
    yield line


def _comment_lines(marker: str, comments: Sequence[str]) -> Iterator[str]:
    for comment in comments:
        yield f"{marker} {comment}" if comment else marker


def _first_msgstr(message: Message) -> str:
    """gettext judges an entry translated by its first msgstr alone."""
    if message.msgid_plural is None:
        return message.msgstr
    return message.msgstr_plural[0] if message.msgstr_plural else ""


def _entry_lines(message: Message, width: int) -> Iterator[str]:
    """One entry in gettext's order: comments, references, flags, previous, then the strings."""
    yield from _comment_lines("#", message.translator_comments)
    yield from _comment_lines("#.", message.extracted_comments)
    if message.references:
        yield from _reference_lines(message.references, width)
    flags, wrap = None, True
    if message.flags:
        flags, wrap = _flags_and_wrap(message.flags, bool(_first_msgstr(message)))
    if flags:
        yield flags
    obsolete = "#~ " if message.obsolete else ""
    previous = "#~| " if message.obsolete else "#| "
    if message.previous_msgctxt is not None:
        yield from wrap_po_string(
            "msgctxt", message.previous_msgctxt, prefix=previous, width=width, wrap=wrap
        )
    if message.previous_msgid is not None:
        yield from wrap_po_string(
            "msgid", message.previous_msgid, prefix=previous, width=width, wrap=wrap
        )
    if message.msgctxt is not None:
        yield from wrap_po_string(
            "msgctxt", message.msgctxt, prefix=obsolete, width=width, wrap=wrap
        )
    yield from wrap_po_string("msgid", message.msgid, prefix=obsolete, width=width, wrap=wrap)
    if message.msgid_plural is None:
        yield from wrap_po_string("msgstr", message.msgstr, prefix=obsolete, width=width, wrap=wrap)
        return
    yield from wrap_po_string(
        "msgid_plural", message.msgid_plural or "", prefix=obsolete, width=width, wrap=wrap
    )
    for index, msgstr in enumerate(message.msgstr_plural or ("",)):
        yield from wrap_po_string(
            f"msgstr[{index}]", msgstr, prefix=obsolete, width=width, wrap=wrap
        )


def entry_text(message: Message, width: int = WIDTH) -> str:
    """One entry's lines, each with its newline."""
    return "".join(line + "\n" for line in _entry_lines(message, width))


def render_po(
    catalog: Catalog, *, width: int = WIDTH, known: Mapping[Message, str] | None = None
) -> str:
    """The catalog as GNU msgcat writes it: header first, obsolete entries last.

    Byte-identical to `msgcat` output for the same catalog, so re-rendering what gettext tools
    wrote changes nothing. `known` holds entries this function wrote before, at this width,
    for messages equal to these (`rendered_entries`): they are copied, not wrapped again.
    """
    known = known or {}

    def entry(message: Message) -> str:
        text = known.get(message)
        return entry_text(message, width) if text is None else text

    entries: list[str] = []
    if catalog.header or catalog.header_comments or catalog.header_flags:
        header = Message(
            msgid="",
            msgstr="".join(f"{name}: {value}\n" for name, value in catalog.header),
            flags=catalog.header_flags,
            translator_comments=catalog.header_comments,
        )
        entries.append(entry(header))
    entries.extend(entry(m) for m in catalog.messages if not m.obsolete)
    # msgcat drops obsolete entries without a translation: there is nothing to keep.
    entries.extend(entry(m) for m in catalog.messages if m.obsolete and _first_msgstr(m))
    return "\n".join(entries)


def rendered_entries(catalog: Catalog, text: str) -> dict[Message, str]:
    """Each message of `catalog` with its entry in `text`, which must be `render_po(catalog)`
    (the caller knows it is): entries hold no blank line, and one blank line parts them."""
    blocks = text.split("\n\n")
    entries = [block + "\n" for block in blocks[:-1]] + blocks[-1:]
    has_header = bool(catalog.header or catalog.header_comments or catalog.header_flags)
    messages = list(catalog.messages)
    if any(m.obsolete for m in messages) or len(entries) != has_header + len(messages):
        return {}  # not the layout `render_po` gives such a catalog: nothing to copy
    return dict(zip(messages, entries[has_header:], strict=True))


# ---------------------------------------------------------------------------------------------
# Reading

_KEYWORD_RE = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?(?=[\s\"]|$)")
_STRING_RE = re.compile(r'"((?:[^"\\]|\\.)*)"[ \t\f\v]*')
_UNESCAPE_RE = re.compile(r"\\(?:([0-7]{1,3})|x([0-9A-Fa-f]*)|(.))", re.DOTALL)
_SIMPLE_UNESCAPES = {name: char for char, name in ESCAPES.items()} | {"'": "'", "?": "?"}
_CHARSET_RE = re.compile(r"charset=([^\s;]+)")


def _unescape(text: str, path: str, line: int) -> str:
    def replace(match: re.Match[str]) -> str:
        octal, hexa, other = match.groups()
        if octal is not None:
            return _escaped_character(int(octal, 8), match[0], path, line)
        if hexa:
            significant = hexa.lstrip("0")  # any number of digits, as gettext reads them
            code = int(significant or "0", 16) if len(significant) <= 6 else sys.maxunicode + 1
            return _escaped_character(code, match[0], path, line)
        if other in _SIMPLE_UNESCAPES:
            return _SIMPLE_UNESCAPES[other]
        raise PipelineError(path, line, f"invalid control sequence {match[0]!r}")

    return _UNESCAPE_RE.sub(replace, text) if "\\" in text else text


def _escaped_character(code: int, escape: str, path: str, line: int) -> str:
    """The character an octal or `\\x` escape names, or an error for a value that is none.

    GNU gettext reads such an escape as one byte and keeps its low 8 bits, so `msgfmt --check`
    accepts `\\0`, `\\x110000` and `\\xD800` alike and quietly publishes a NUL byte, which cuts
    the translation short. NUL (refused as a raw character too), a value past U+10FFFF or a
    surrogate (D800-DFFF, half of a UTF-16 pair) is no character of a message: refused when
    read, so every command stops on the same `path:line` instead of a ValueError, an
    OverflowError, a catalog `update` cannot write, or a page that says `&#55296;`.
    """
    if code > sys.maxunicode:
        problem = "beyond U+10FFFF, the last Unicode character"
    elif 0xD800 <= code <= 0xDFFF:
        problem = f"U+{code:04X} is a surrogate (half of a UTF-16 pair), not a character"
    elif code == 0:
        problem = "a NUL character, where gettext ends the message"
    else:
        return chr(code)
    shown = escape if len(escape) <= 24 else escape[:20] + "..."
    raise PipelineError(path, line, f"invalid control sequence {shown!r}: {problem}")


def _strings(rest: str, path: str, line: int) -> list[str]:
    """The quoted strings that make up the rest of a line (gettext allows several)."""
    inner = rest[1:-1]
    if len(rest) >= 2 and rest[0] == rest[-1] == '"' and '"' not in inner and "\\" not in inner:
        return [inner]  # most lines: one string, nothing escaped (a third of reading)
    parts: list[str] = []
    position = 0
    while position < len(rest):
        match = _STRING_RE.match(rest, position)
        if match is None:
            if rest[position] == '"':
                raise PipelineError(path, line, "end-of-line within string")
            raise PipelineError(path, line, f"syntax error near {rest[position:]!r}")
        parts.append(_unescape(match[1], path, line))
        position = match.end()
    return parts


class _Entry:
    """An entry while it is being read: comments first, then keywords in grammar order."""

    __slots__ = (
        "extracted",
        "flags",
        "line",
        "obsolete",
        "plural",
        "previous",
        "previous_line",
        "references",
        "state",
        "strings",
        "target",
        "translator",
    )

    def __init__(self) -> None:
        self.translator: list[str] = []
        self.extracted: list[str] = []
        self.references: list[str] = []
        self.flags: list[str] = []
        self.previous: dict[str, list[str]] = {}
        self.previous_line = 0
        self.strings: dict[str, list[str]] = {}
        self.plural: list[list[str]] = []
        self.line = 0  # line of the first keyword, where gettext locates the entry
        self.obsolete = False
        self.state = ""  # the last keyword read
        self.target: list[str] | None = None  # where continuation strings go

    def message(self) -> Message:
        def joined(parts: list[str] | None) -> str | None:
            return None if parts is None else "".join(parts)

        return Message(
            msgid="".join(self.strings["msgid"]),
            msgstr="".join(self.strings.get("msgstr", ())),
            msgctxt=joined(self.strings.get("msgctxt")),
            flags=tuple(self.flags),
            references=tuple(self.references),
            extracted_comments=tuple(self.extracted),
            translator_comments=tuple(self.translator),
            previous_msgctxt=joined(self.previous.get("msgctxt")),
            previous_msgid=joined(self.previous.get("msgid")),
            msgid_plural=joined(self.strings.get("msgid_plural")),
            msgstr_plural=tuple("".join(parts) for parts in self.plural),
            obsolete=self.obsolete,
            line=self.line,
        )


#: Which keyword may follow which ("" = start of an entry); the rest is a syntax error.
_NEXT_KEYWORDS = {
    "": ("msgctxt", "msgid"),
    "msgctxt": ("msgid",),
    "msgid": ("msgid_plural", "msgstr"),
    "msgid_plural": ("msgstr[]",),
    "msgstr": (),
    "msgstr[]": ("msgstr[]",),
}
_MISSING = {"msgctxt": "msgid", "msgid": "msgstr", "msgid_plural": "msgstr[0]"}


class _Reader:
    """The line-by-line state machine behind `parse_po`."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.entry = _Entry()
        self.messages: list[Message] = []
        self.seen: dict[tuple[bool, str | None, str], int] = {}

    def error(self, line: int, message: str) -> PipelineError:
        return PipelineError(self.path, line, message)

    def words(self, words: list[str], line: int, what: str) -> list[str]:
        """References or flags, which the writer lays out anew: one that ends in a backslash
        could end a line there, and gettext joins the next line to such a one."""
        if any(word.endswith("\\") for word in words):
            raise self.error(line, f"{what} ends in a backslash")
        return words

    def finish(self) -> None:
        """Close the entry being read, if it has keywords; it must be complete."""
        entry = self.entry
        if entry.state in _MISSING:
            raise self.error(entry.line, f"missing '{_MISSING[entry.state]}' section")
        if not entry.state:
            return
        if entry.previous and "msgid" not in entry.previous:
            raise self.error(entry.previous_line, "'#| msgctxt' without '#| msgid'")
        message = entry.message()
        key = (message.obsolete, message.msgctxt, message.msgid)
        if key in self.seen:
            raise self.error(
                message.line,
                f"duplicate message definition (first defined at line {self.seen[key]})",
            )
        self.seen[key] = message.line
        self.messages.append(message)
        self.entry = _Entry()

    def comment(self, text: str, line: int) -> None:
        if self.entry.state:
            self.finish()
        entry = self.entry
        kind = text[1:2]
        if kind == ".":
            entry.extracted.append(text[3:] if text[2:3] == " " else text[2:])
        elif kind == ":":
            entry.references.extend(self.words(text[2:].split(), line, "a reference"))
        elif kind == ",":
            flags = [flag.strip() for flag in text[2:].split(",") if flag.strip()]
            entry.flags.extend(self.words(flags, line, "a flag"))
        else:
            entry.translator.append(text[2:] if kind == " " else text[1:])

    def previous(self, text: str, line: int, *, obsolete: bool) -> None:
        """A `#|` line: the previous msgctxt/msgid of a fuzzy entry, or its continuation."""
        if self.entry.state:
            self.finish()
        entry = self.entry
        match = _KEYWORD_RE.match(text)
        if match and match[1] in ("msgctxt", "msgid", "msgid_plural") and match[2] is None:
            parts = _strings(text[match.end() :].strip(), self.path, line)
            if not parts:
                raise self.error(line, f"'{match[1]}' without a string")
            entry.previous[match[1]] = parts
            entry.previous_line = entry.previous_line or line
            entry.target = parts
        elif text.startswith('"') and entry.target is not None and entry.previous:
            entry.target.extend(_strings(text, self.path, line))
        else:
            raise self.error(line, "syntax error in '#|' comment")
        if obsolete:
            entry.obsolete = True

    def keyword(self, text: str, line: int, *, obsolete: bool) -> None:
        match = _KEYWORD_RE.match(text)
        if match is None:
            if text.startswith('"'):
                self.continuation(text, line, obsolete=obsolete)
                return
            raise self.error(line, f"syntax error: unknown keyword {text.split()[0]!r}")
        entry = self.entry
        name, index = match[1], match[2]
        if entry.state in ("msgstr", "msgstr[]") and name in ("msgctxt", "msgid"):
            self.finish()
            entry = self.entry
        if entry.state and obsolete != entry.obsolete:
            raise self.error(line, "inconsistent use of #~")
        if index is not None and name != "msgstr":
            raise self.error(line, f"syntax error: unexpected index after '{name}'")
        state = "msgstr[]" if index is not None else name
        if state not in _NEXT_KEYWORDS[entry.state]:
            if entry.state in ("msgid", "msgid_plural") and name in ("msgctxt", "msgid"):
                raise self.error(entry.line, f"missing '{_MISSING[entry.state]}' section")
            if state == "msgstr[]" and entry.state == "msgid":
                raise self.error(entry.line, "missing 'msgid_plural' section")
            raise self.error(line, f"syntax error: unexpected '{match[0]}'")
        if state == "msgstr[]" and int(index) != len(entry.plural):
            problem = "has wrong index" if entry.plural else "has nonzero index"
            raise self.error(line, f"{'plural' if entry.plural else 'first plural'} form {problem}")
        parts = _strings(text[match.end() :].strip(), self.path, line)
        if not parts:
            raise self.error(line, f"'{match[0]}' without a string")
        if not entry.state:
            entry.line = line
            entry.obsolete = obsolete
        if state == "msgstr[]":
            entry.plural.append(parts)
        else:
            entry.strings[name] = parts
        entry.state = state
        entry.target = parts

    def continuation(self, text: str, line: int, *, obsolete: bool) -> None:
        entry = self.entry
        if not entry.state or entry.target is None:
            raise self.error(line, "syntax error: string without a keyword")
        if obsolete != entry.obsolete:
            raise self.error(line, "inconsistent use of #~")
        entry.target.extend(_strings(text, self.path, line))

    def line(self, text: str, line: int) -> None:
        if text[0] != "#":
            if text[0] == '"':
                self.continuation(text, line, obsolete=False)
            else:
                self.keyword(text, line, obsolete=False)
        elif text.startswith("#~"):
            body = text[2:].strip()
            if body.startswith("|"):
                self.previous(body[1:].strip(), line, obsolete=True)
            elif body:
                self.keyword(body, line, obsolete=True)
        elif text.startswith("#|"):
            self.previous(text[2:].strip(), line, obsolete=False)
        else:
            self.comment(text, line)

    def end(self, last_line: int) -> None:
        self.finish()
        if self.entry.previous:
            raise self.error(last_line, "syntax error: '#|' comment without an entry")


def _header(message: Message, path: str) -> Catalog:
    """The header entry's fields, comments and flags as a catalog without messages."""
    if message.extracted_comments or message.references or message.previous_msgid is not None:
        raise PipelineError(path, message.line, "the header entry can only have '# ' comments")
    fields: list[tuple[str, str]] = []
    for text in message.msgstr.split("\n"):
        if not text:
            continue
        name, colon, value = text.partition(":")
        if not colon:
            raise PipelineError(path, message.line, f"header line {text!r} is not 'Name: value'")
        fields.append((name, value[1:] if value.startswith(" ") else value))
    catalog = Catalog(
        header=tuple(fields),
        header_comments=message.translator_comments,
        header_flags=message.flags,
    )
    content_type = catalog.header_value("Content-Type") or ""
    charset = _CHARSET_RE.search(content_type)
    if charset and charset[1] != "CHARSET":
        refused = charset_refusal(charset[1], path, message.line)
        if refused is not None:
            raise refused
    plural_forms = catalog.header_value("Plural-Forms")
    if plural_forms is not None:
        _check_plural_forms(plural_forms, path, message.line)
    return catalog


_LONE_CR_RE = re.compile(r"\r(?!\n)")
_PLURAL_FORMS_RE = re.compile(r"\s*nplurals\s*=\s*(\d+)\s*;\s*plural\s*=\s*([^;]*?)\s*;?\s*")


def charset_refusal(charset: str, path: str, line: int | None) -> PipelineError | None:
    """Why a catalog declaring `charset` is not read, or None for UTF-8 (and ASCII, its
    subset). msgfmt reads other charsets, but the pipeline writes catalogs back in UTF-8:
    reading one would mean rewriting a translator's file in another encoding."""
    try:
        name = codecs.lookup(charset).name
    except LookupError:
        return PipelineError(path, line, f"invalid charset {charset!r} in header")
    if name in ("utf-8", "ascii"):
        return None
    return PipelineError(
        path,
        line,
        f"declares charset {charset}, and catalogs are read as UTF-8: convert it with "
        f"`msgconv --to-code=UTF-8 -o {path} {path}`",
    )


def _check_plural_forms(value: str, path: str, line: int) -> None:
    """Reject what msgfmt rejects: a Plural-Forms header that is not `nplurals=N; plural=EXPR;`
    with N ≥ 1 and EXPR a C expression in n. A template's `INTEGER`/`EXPRESSION` is allowed."""
    if "INTEGER" in value or "EXPRESSION" in value:
        return
    match = _PLURAL_FORMS_RE.fullmatch(value)
    if match is None or int(match[1]) < 1:
        raise PipelineError(
            path, line, f"invalid Plural-Forms {value!r}: expected 'nplurals=N; plural=EXPR;'"
        )
    if not _valid_plural_expression(match[2]):
        raise PipelineError(path, line, f"invalid plural expression {match[2]!r} in Plural-Forms")


@functools.cache  # every catalog of a locale has the same expression
def _valid_plural_expression(expression: str) -> bool:
    import gettext

    try:
        gettext.c2py(expression)
    except (ValueError, RecursionError):
        return False
    return True


def parse_po(text: str, *, path: str) -> Catalog:
    """Read .po/.pot text; `path` only names the file in errors.

    Raises PipelineError with the line gettext would blame (the entry's first keyword for
    entry-level problems, the offending line for syntax errors).

    >>> parse_po('msgid "a"\\nmsgstr "b"\\n', path="x.po").messages[0].msgstr
    'b'
    """
    text = _checked_text(text, path)
    messages = _read_lines(text, path)
    for index, message in enumerate(messages):
        if message.msgid == "" and message.msgctxt is None and not message.obsolete:
            header = _header(message, path)
            rest = tuple(messages[:index] + messages[index + 1 :])
            return Catalog(
                header=header.header,
                header_comments=header.header_comments,
                header_flags=header.header_flags,
                messages=rest,
            )
    return Catalog(messages=tuple(messages))


def _checked_text(text: str, path: str) -> str:
    """The text without a BOM and with \\n line ends, once it is known to hold no NUL and
    no lone carriage return."""
    if "\0" in text:
        raise PipelineError(path, text.count("\n", 0, text.index("\0")) + 1, "NUL character")
    lone_cr = _LONE_CR_RE.search(text)
    if lone_cr is not None:  # else a file with old Mac line ends would read as one comment line
        where = text.count("\n", 0, lone_cr.start()) + 1
        raise PipelineError(path, where, "carriage return without a line feed (old Mac line ends?)")
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def _read_lines(text: str, path: str) -> list[Message]:
    """The messages of any .po text gettext accepts, line by line; errors name their line."""
    reader = _Reader(path)
    lines = text.split("\n")
    joined: list[str] = []  # gettext joins a line that ends with a backslash to the next
    start = 0
    last = len(lines)
    for number, line in enumerate(lines, 1):
        if line[-1:] == "\\" and number < last:
            joined.append(line[:-1])
            start = start or number
            continue
        if joined:
            line = "".join(joined) + line
            joined = []
        stripped = line.lstrip()  # a comment keeps its trailing spaces
        if stripped:
            reader.line(stripped, start or number)
        start = 0
    reader.end(len(lines))
    return reader.messages
