"""Decode a page as a browser would and cut it into tokens that remember where they came from.

The build stage splices translations into the page's own bytes, so every token carries its offsets
in the decoded text, and `SourcePage.byte_offsets` maps those back to byte positions. Nothing here
re-serializes markup: a token is only a span plus what we need to know about it.
"""

from __future__ import annotations

import bisect
import codecs
import collections
import functools
import itertools
import operator
import re
from dataclasses import dataclass
from html import unescape
from typing import Literal, NamedTuple

from pipeline.model import PipelineError

#: Encoding Standard labels whose Python codec differs from the label's plain meaning.
_ENCODING_LABELS = {
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "utf-16": "utf-8",  # a <meta> cannot declare UTF-16: the bytes were readable as ASCII
    "utf-16le": "utf-8",
    "utf-16be": "utf-8",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "windows-1252": "cp1252",
    "x-cp1252": "cp1252",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "csshiftjis": "cp932",
    "ms932": "cp932",
    "euc-jp": "euc_jp",
    "x-euc-jp": "euc_jp",
    "iso-2022-jp": "iso2022_jp_ext",
    "gb2312": "gbk",
    "gbk": "gbk",
    "x-gbk": "gbk",
    "gb18030": "gb18030",
    "big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "iso-8859-9": "cp1254",
    "latin5": "cp1254",
    "tis-620": "cp874",
    "iso-8859-11": "cp874",
}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_RE = re.compile(rb"<meta\b[^>]*>", re.IGNORECASE)
_CHARSET_RE = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_NEWLINE_RE = re.compile(r"\r\n|\r|\n")
_SURROGATE_RE = re.compile("[\udc80-\udcff\x00]")
#: What `surrogateescape` decodes an undecodable byte to.
_UNDECODED_RE = re.compile("[\udc80-\udcff]")

#: Characters an HTML tokenizer treats as white space.
HTML_SPACE = " \t\n\f\r"
_SPACE_RUN_RE = re.compile(r"[ \t\n\f\r]+")


def normalize_space(text: str) -> str:
    """Collapse runs of HTML white space to one space and trim (a no-break space is not one)."""
    return _SPACE_RUN_RE.sub(" ", text).strip(HTML_SPACE)


def declared_encoding(data: bytes) -> str | None:
    """The Python codec for a BOM or a `<meta>` charset in the first 1024 bytes, if any."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec
    for meta in _META_RE.finditer(data[:1024]):
        found = _CHARSET_RE.search(meta.group(0))
        if found:
            return python_codec(found.group(1).decode("ascii").lower())
    return None


def python_codec(label: str) -> str:
    label = label.strip().lower()
    codec = _ENCODING_LABELS.get(label, label)
    try:
        return codecs.lookup(codec).name
    except LookupError:
        return "unknown:" + label


@dataclass(frozen=True, slots=True)
class SourcePage:
    """A page's bytes and their decoded text, with what is needed to write bytes back."""

    path: str
    data: bytes
    encoding: str
    #: Bytes before the text (a byte order mark).
    prefix: int
    text: str
    newline: str
    #: Whether some bytes did not decode, so the text holds them as lone surrogates
    #: (surrogateescape), which only the page's own bytes can write back.
    undecodable: bool

    @property
    def line_starts(self) -> tuple[int, ...]:
        """The offset of each line's start, worked out when first asked: a page the cache
        holds is built without them."""
        return _line_starts(self.text)

    def line_of(self, offset: int) -> int:
        """1-based line number of a text offset."""
        return bisect.bisect_right(self.line_starts, offset)

    def encode(self, text: str) -> bytes:
        """New text in the page's encoding; what it cannot hold becomes a character reference."""
        return text.encode(self.encoding, "xmlcharrefreplace")

    def encodes_back(self) -> bool:
        """Whether any slice of the text encodes to the very bytes it was decoded from: a codec
        that keeps no state between characters, and no undecodable byte in the page. Text put
        together from such slices and new text can then be encoded at once."""
        return (self.encoding == "utf-8" or self.encoding in _SINGLE_BYTE) and not self.undecodable

    def byte_offsets(self, offsets: list[int]) -> list[int]:
        """Byte positions of sorted text offsets (one encode of the text between them)."""
        result: list[int] = []
        position = self.prefix
        previous = 0
        single_byte = self.encoding in _SINGLE_BYTE
        for offset in offsets:
            if single_byte:
                position = self.prefix + offset
            else:
                piece = self.text[previous:offset]
                position += len(piece.encode(self.encoding, "surrogateescape"))
            result.append(position)
            previous = offset
        return result


_SINGLE_BYTE = frozenset(
    codecs.lookup(name).name
    for name in ("cp1252", "cp1254", "cp874", "latin-1", "ascii", "cp1250", "cp1251", "koi8-r")
) | frozenset(f"iso8859-{n}" for n in range(2, 17) if n != 12)


def decode_page(data: bytes, *, path: str, default_encoding: str | None = None) -> SourcePage:
    """Decode per BOM, then `<meta charset>`, then UTF-8; refuse to guess a legacy encoding."""
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise PipelineError(path, None, "binary file: not an HTML page (contains NUL bytes)")
    encoding = declared_encoding(data)
    if encoding is not None and encoding.startswith("unknown:"):
        raise PipelineError(
            path, _line_of_bytes(data, b"charset"), f"unknown charset {encoding[8:]!r}"
        )
    prefix = 0
    for bom, codec in _BOMS:
        if data.startswith(bom):
            prefix = len(bom)
            encoding = codec
    body = data[prefix:]
    try:  # the usual page: its bytes all decode (one pass over them, not three)
        text = body.decode(encoding or "utf-8")
        encoding = encoding or "utf-8"
        undecodable = False
    except UnicodeDecodeError as error:
        if encoding is None:
            if default_encoding is None:
                line = body[: error.start].count(b"\n") + 1
                raise PipelineError(
                    path,
                    line,
                    'not valid UTF-8 and no charset is declared: add <meta charset="..."> '
                    "naming the page's encoding",
                ) from None
            encoding = python_codec(default_encoding)
        if encoding.startswith(_WIDE):  # no byte of a unit stands alone to be kept as it is
            raise _undecodable(path, body, prefix, encoding) from None
        try:
            text = body.decode(encoding, "surrogateescape")
        except UnicodeDecodeError:
            raise _undecodable(path, body, prefix, encoding) from None
        undecodable = bool(_UNDECODED_RE.search(text))
    # UTF-8 maps bytes to text one-to-one; a legacy codec may not (and then cannot write back).
    try:
        mapped = encoding == "utf-8" or len(text.encode(encoding, "surrogateescape")) == len(body)
    except UnicodeEncodeError:
        mapped = False
    if not mapped:
        raise PipelineError(path, None, f"cannot map the page's bytes in {encoding} one-to-one")
    first_break = _NEWLINE_RE.search(text)
    newline = first_break.group(0) if first_break else "\n"
    return SourcePage(path, data, encoding, prefix, text, newline, undecodable)


#: Codecs whose units are several bytes: an undecodable unit cannot be kept byte for byte.
_WIDE = ("utf-16", "utf-32")


def _undecodable(path: str, body: bytes, prefix: int, encoding: str) -> PipelineError:
    """The error for a page whose undecodable bytes cannot be kept as they are: in UTF-16 an
    odd last byte or a lone surrogate, in a 7-bit codec a broken escape (surrogateescape keeps
    single bytes from 0x80 only). A browser would show U+FFFD there, but then the page could
    not be written back from its own bytes: it is refused, at the line of the first bad unit."""
    try:
        body.decode(encoding)
        start, reason = 0, "undecodable"  # not reached: the strict decoding failed before
    except UnicodeDecodeError as error:
        start, reason = error.start, error.reason
    before = body[:start].decode(encoding, "replace")
    return PipelineError(
        path,
        len(_NEWLINE_RE.findall(before)) + 1,
        f"not valid {encoding} ({reason} at byte {prefix + start}): a truncated or damaged page?",
    )


#: The line starts of the last few texts asked about (the pages being worked on), found by
#: identity: a cache keyed by the text would hash the whole page.
_recent_line_starts: collections.deque[tuple[str, tuple[int, ...]]] = collections.deque(maxlen=4)


def _line_starts(text: str) -> tuple[int, ...]:
    """The offset of each line's start; a line ends at \r\n, \r or \n."""
    for known, starts in _recent_line_starts:
        if known is text:
            return starts
    found = _find_line_starts(text)
    _recent_line_starts.append((text, found))
    return found


def _find_line_starts(text: str) -> tuple[int, ...]:
    if text.count("\r") != text.count("\r\n"):  # a lone \r: rare enough for the slow way
        return (0, *(m.end() for m in _NEWLINE_RE.finditer(text)))
    # Each line starts one past the end of the one before: C loops only, no match objects.
    return (0, *itertools.accumulate(map(_PLUS_ONE, map(len, text.split("\n")[:-1]))))


_PLUS_ONE = functools.partial(operator.add, 1)


def _line_of_bytes(data: bytes, needle: bytes) -> int | None:
    found = data.lower().find(needle)
    return None if found < 0 else data[:found].count(b"\n") + 1


def clean_text(text: str) -> str:
    """Text safe for a catalog: undecodable bytes and NULs become U+FFFD."""
    return _SURROGATE_RE.sub("\ufffd", text)


# --- tokens -----------------------------------------------------------------------------------


class Attribute(NamedTuple):
    """An attribute of a start tag.

    Token and Attribute are immutable named tuples rather than frozen dataclasses: a page of
    documentation has thousands of them, and a named tuple is four times cheaper to make.
    """

    name: str
    #: Decoded value; None for an attribute written without `=`.
    value: str | None
    #: Span of the raw value in the text (inside the quotes); (-1, -1) when there is no value.
    value_start: int
    value_end: int
    #: `"`, `'` or "" for an unquoted value.
    quote: str


class Token(NamedTuple):
    """A span of the page: text, a tag, a comment or anything else the tokenizer met."""

    kind: Literal["text", "start", "end", "comment", "rawtext", "other"]
    start: int
    end: int
    #: Lower-case tag name for start/end tags, "" otherwise.
    name: str = ""
    attributes: tuple[Attribute, ...] = ()
    self_closing: bool = False

    def has_attribute(self, name: str) -> bool:
        return name in map(_ATTRIBUTE_NAME, self.attributes)  # no Python loop: C looks

    def attribute(self, name: str) -> str | None:
        for attribute in self.attributes:
            if attribute.name == name:
                return attribute.value
        return None


_ATTRIBUTE_NAME = operator.itemgetter(0)
#: Elements whose content is raw text (no tags inside) or escapable raw text (entities only).
RAWTEXT_ELEMENTS = frozenset({"script", "style", "xmp", "iframe", "noembed", "noframes"})
RCDATA_ELEMENTS = frozenset({"title", "textarea"})

_TAG_NAME_RE = re.compile(r"[^\t\n\f\r />]*")
_ATTRIBUTE_RE = re.compile(
    r"[\t\n\f\r /]*"
    r"(?:(?P<name>[^\t\n\f\r />][^\t\n\f\r /=>]*)"
    r"(?:[\t\n\f\r ]*=[\t\n\f\r ]*"
    r"(?:\"(?P<dq>[^\"]*)(?P<dqend>\"?)|'(?P<sq>[^']*)(?P<sqend>'?)|(?P<uq>[^\t\n\f\r >]*)))?)?"
)
#: The common, unambiguous shapes of tags, matched in one go: attributes separated by white
#: space, `=` without spaces, values quoted or plainly unquoted. Anything else (and any tag these
#: do not match) goes through the general scanner, which gives the same result on these shapes.
_SIMPLE_ATTRIBUTE = (
    r"[\t\n\f\r ]+[^\t\n\f\r /=>][^\t\n\f\r /=>]*"
    r"(?:=(?:\"[^\"]*\"|'[^']*'|[^\t\n\f\r >\"'=<`]+))?"
)
_SIMPLE_ATTRIBUTE_RE = re.compile(
    r"[\t\n\f\r ]+([^\t\n\f\r /=>][^\t\n\f\r /=>]*)"
    r"(?:=(?:\"([^\"]*)\"|'([^']*)'|([^\t\n\f\r >\"'=<`]+)))?"
)
#: One pass over the page, one match per token: (1) text up to the next markup, (2) a simple
#: start tag with its name (3) and attributes (4), (5) a simple end tag with its name (6), or
#: (7) any other markup, which `_markup` reads. Every position matches, so nothing is skipped.
_NOT_MARKUP = r"<(?![A-Za-z/!?])"
_TOKEN_RE = re.compile(
    rf"((?:[^<]|{_NOT_MARKUP})[^<]*(?:{_NOT_MARKUP}[^<]*)*)"
    r"|(<([A-Za-z][^\t\n\f\r />]*)((?:" + _SIMPLE_ATTRIBUTE + r")*)[\t\n\f\r ]*/?>)"
    r"|(</([A-Za-z][^\t\n\f\r />]*)[\t\n\f\r ]*>)"
    r"|(<)"
)
_SPECIAL = RAWTEXT_ELEMENTS | RCDATA_ELEMENTS | {"plaintext"}
#: Attributes of a simple tag, relative to where they start: name, value, span, quote.
_AttributeTemplate = tuple[tuple[str, str | None, int, int, str], ...]


def tokenize(text: str) -> list[Token]:
    """Tokens of the whole text, following the WHATWG tokenizer closely enough for our spans.

    Built for speed (a page has tens of thousands of tokens): one regex match per token, tuples
    made without the named tuple's Python-level constructor, and the attributes of a tag parsed
    once per distinct attribute text (pages repeat `class="pre"` thousands of times).
    """
    tokens: list[Token] = []
    templates: dict[str, _AttributeTemplate] = {}
    length = len(text)
    position = 0
    while position < length:
        position = _tokens_from(text, position, tokens, templates)
    return tokens


def _tokens_from(
    text: str,
    position: int,
    tokens: list[Token],
    templates: dict[str, _AttributeTemplate],
) -> int:
    """Append tokens from `position` up to the first one that changes how the text after it is
    read (raw text, other markup); return where the next token starts."""
    append = tokens.append
    new = tuple.__new__
    for match in _TOKEN_RE.finditer(text, position):
        kind = match.lastindex
        start, end = match.span()
        if kind == 1:
            append(new(Token, ("text", start, end, "", (), False)))
        elif kind == 5:
            append(new(Token, ("end", start, end, match[6].lower(), (), False)))
        elif kind == 2:
            name = match[3].lower()
            raw = match[4]
            attributes: tuple[Attribute, ...] = ()
            if raw:
                template = templates.get(raw)
                if template is None:
                    template = templates[raw] = _attribute_template(raw)
                base = match.start(4)
                attributes = tuple(
                    [
                        new(Attribute, (n, v, s + base, e + base, q))
                        if v is not None
                        else new(Attribute, (n, None, -1, -1, ""))
                        for n, v, s, e, q in template
                    ]
                )
            append(new(Token, ("start", start, end, name, attributes, text[end - 2] == "/")))
            if name in _CODE_ELEMENTS:
                body_end = _code_body_end(text, end, name)
                if body_end > end:
                    append(new(Token, ("rawtext", end, body_end, name, (), False)))
                    return body_end
            if name in _SPECIAL:
                return _raw_text(text, name, end, tokens)
        else:
            end = _markup(text, start, tokens)
            name = tokens[-1].name if tokens[-1].kind == "start" else ""
            if name in _SPECIAL:
                return _raw_text(text, name, end, tokens)
            return end
    return len(text)


#: Elements never translated whose content, in documentation, is mostly highlighted code: text
#: and `<span …>…</span>` pairs (Pygments' output), thousands of tokens a page. When the content
#: is exactly that, up to the element's own end tag, it is one "rawtext" token: the tree would
#: be the same (balanced spans cannot close anything outside), and nobody looks inside.
_CODE_ELEMENTS = frozenset({"pre", "code", "kbd", "samp", "var"})
_NOT_MARKUP_TEXT = r"[^<]*+(?:<(?![A-Za-z/!?])[^<]*+)*+"
_PLAIN_SPAN_START = (
    r"<span(?:[\t\n\f\r ]+[A-Za-z-]+"
    r"""(?:="[^"<>]*"|='[^'<>]*'|=[^\t\n\f\r "'<>=`]+)?)*[\t\n\f\r ]*>"""
)
_CODE_BODY_RE = re.compile(
    rf"{_NOT_MARKUP_TEXT}(?:{_PLAIN_SPAN_START}{_NOT_MARKUP_TEXT}</span[\t\n\f\r ]*>"
    rf"{_NOT_MARKUP_TEXT})*+"
)
#: The element's end tag in its plain shape only (a cut-off or odd end tag is left to the
#: general tokenizer, which may not close the element with it).
_CODE_END_RES = {
    name: re.compile(rf"</{name}[\t\n\f\r ]*>", re.IGNORECASE) for name in _CODE_ELEMENTS
}


def _code_body_end(text: str, start: int, name: str) -> int:
    """Where the plain content of a code element that starts at `start` ends, right before its
    end tag; `start` itself when the content is anything else (then it is tokenized)."""
    body = _CODE_BODY_RE.match(text, start)
    if body is None or not _CODE_END_RES[name].match(text, body.end()):
        return start
    return body.end()


def _attribute_template(raw: str) -> _AttributeTemplate:
    """Attributes in the text of a tag `_TOKEN_RE` matched (the same as `_scan_attributes`)."""
    attributes: list[tuple[str, str | None, int, int, str]] = []
    seen: set[str] = set()
    for match in _SIMPLE_ATTRIBUTE_RE.finditer(raw):
        name = match[1].lower()
        if name in seen:  # a repeated attribute is ignored by browsers
            continue
        seen.add(name)
        double, single, bare = match.group(2, 3, 4)
        if double is not None:
            value, quote, value_start = double, '"', match.start(2)
        elif single is not None:
            value, quote, value_start = single, "'", match.start(3)
        elif bare is not None:
            value, quote, value_start = bare, "", match.start(4)
        else:
            attributes.append((name, None, -1, -1, ""))
            continue
        decoded = unescape(value) if "&" in value else value
        attributes.append((name, decoded, value_start, value_start + len(value), quote))
    return tuple(attributes)


def _markup(text: str, start: int, tokens: list[Token]) -> int:
    """Read markup the simple shapes do not cover; append its token; return where it ends."""
    length = len(text)
    second = text[start + 1]
    if second == "/":
        return _end_tag(text, start, tokens)
    if second.isascii() and second.isalpha():
        token = _start_tag(text, start)
        tokens.append(token)
        return token.end
    if text.startswith("<!--", start):
        end = _comment_end(text, start)
        tokens.append(Token("comment", start, end))
    elif text.startswith("<![CDATA[", start):
        close = text.find("]]>", start)
        end = length if close < 0 else close + 3
        tokens.append(Token("other", start, end))
    else:  # <!DOCTYPE …>, <?…>, other bogus comments run to the next >
        close = text.find(">", start)
        end = length if close < 0 else close + 1
        tokens.append(Token("other", start, end))
    return end


def _raw_text(text: str, name: str, position: int, tokens: list[Token]) -> int:
    """The content of a raw text element up to its end tag (plaintext: to the end of the page)."""
    length = len(text)
    if name == "plaintext":
        if length > position:
            tokens.append(Token("rawtext", position, length, name))
        return length
    close = _find_close(text, name, position)
    if close > position:
        tokens.append(Token("rawtext", position, close, name))
    return close


def _find_close(text: str, name: str, position: int) -> int:
    """Where the element's end tag starts, or the end of the text."""
    found = _end_tag_pattern(name).search(text, position)
    return len(text) if found is None else found.start()


@functools.cache
def _end_tag_pattern(name: str) -> re.Pattern[str]:
    """`</name`, then white space, `/`, `>` or the end: tag names match in ASCII case only
    (a lower-cased copy of the page would also be longer than the page where `İ` is)."""
    return re.compile(rf"</{re.escape(name)}(?=[\t\n\f\r />]|\Z)", re.IGNORECASE | re.ASCII)


def _comment_end(text: str, start: int) -> int:
    if text.startswith("<!-->", start):
        return start + 5
    if text.startswith("<!--->", start):
        return start + 6
    # One search for whichever end comes first: searching for each in turn would scan to the
    # end of the page for the one a page never uses, once per comment.
    close = _COMMENT_CLOSE_RE.search(text, start + 4)
    return len(text) if close is None else close.end()


_COMMENT_CLOSE_RE = re.compile("--!?>")


def _scan_attributes(text: str, position: int) -> tuple[list[Attribute], int, bool] | None:
    """Attributes up to the closing `>`: them, the end, self-closing; None at end of file."""
    attributes: list[Attribute] = []
    seen: set[str] = set()
    length = len(text)
    while True:
        match = _ATTRIBUTE_RE.match(text, position)
        assert match is not None  # the pattern can match the empty string
        name = match.group("name")
        if name is None:
            position = match.end()
            if position >= length:
                return None
            if text[position] == ">":
                return attributes, position + 1, text[position - 1] == "/"
            position += 1  # a lone `/` or `=`: skip it, as the tokenizer does
            continue
        if match.group("dq") is not None:
            if not match.group("dqend"):
                return None
            raw, quote, value_start = match.group("dq"), '"', match.start("dq")
        elif match.group("sq") is not None:
            if not match.group("sqend"):
                return None
            raw, quote, value_start = match.group("sq"), "'", match.start("sq")
        elif match.group("uq") is not None:
            raw, quote, value_start = match.group("uq"), "", match.start("uq")
        else:
            raw, quote, value_start = None, "", -1
        lower = name.lower()
        if lower not in seen:  # a repeated attribute is ignored by browsers
            seen.add(lower)
            value = None if raw is None else unescape(raw)
            end = -1 if raw is None else value_start + len(raw)
            attributes.append(Attribute(lower, value, value_start, end, quote))
        position = match.end()


def _start_tag(text: str, start: int) -> Token:
    name_match = _TAG_NAME_RE.match(text, start + 1)
    assert name_match is not None
    name = name_match.group(0).lower()
    scanned = _scan_attributes(text, name_match.end())
    if scanned is None:
        return Token("other", start, len(text))  # end of file inside a tag: browsers drop it
    attributes, end, self_closing = scanned
    return Token("start", start, end, name, tuple(attributes), self_closing)


def _end_tag(text: str, start: int, tokens: list[Token]) -> int:
    if text.startswith("</>", start):
        tokens.append(Token("other", start, start + 3))
        return start + 3
    second = text[start + 2] if start + 2 < len(text) else ""
    if not (second.isascii() and second.isalpha()):
        close = text.find(">", start)
        end = len(text) if close < 0 else close + 1
        tokens.append(Token("other", start, end))
        return end
    name_match = _TAG_NAME_RE.match(text, start + 2)
    assert name_match is not None
    scanned = _scan_attributes(text, name_match.end())
    if scanned is None:
        tokens.append(Token("other", start, len(text)))
        return len(text)
    end = scanned[1]
    tokens.append(Token("end", start, end, name_match.group(0).lower()))
    return end
