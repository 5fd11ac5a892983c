"""Where GNU gettext breaks a catalog string into lines, so `render_po` writes what msgcat does.

gettext 0.21 fills lines up to 79 columns with libunistring 1.0's line breaking (UAX #14) and
column widths: a Japanese sentence breaks between characters by kinsoku rules, an English one
at spaces. The tables come from the library itself (`pipeline/wrap_table.py`, written by
`tools/make_wrap_table.py`); the loops below are its algorithm, and a fast path for the usual
one-column text that looks only near each line's end.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Sequence

from pipeline import wrap_table

# ---------------------------------------------------------------------------------------------
# Unicode data for wrapping: libunistring 1.0's line-break classes (UAX #14, Unicode 14, with
# ambiguous/unknown/complex resolved to AL, CB to ID and CJ to NS as libunistring does) and its
# `uc_width` column widths, as runs in pipeline/wrap_table.py. tools/make_wrap_table.py writes
# that file by probing the library itself; tests/test_pofile.py checks it writes the same.

#: Class names in table order; the first six get special treatment in `_possible_breaks`.
_CLASSES = wrap_table.CLASSES
_BK, _CR, _SP, _ZW, _CM, _ZWJ = range(6)
_AL, _HL, _HY, _BA = (_CLASSES.index(name) for name in ("AL", "HL", "HY", "BA"))

#: Pair table for classes OP..EM (row: class before, column: class after): D = break allowed,
#: I = only after spaces, P = never. Rows and columns follow `_CLASSES[6:]`.
_PAIRS = (
    "PPPPPPPPPPPPPPPPPPPPPPPPPPPPPP",  # OP
    "PPPPPPPPPPPPPPPPPPPPPPPPPPPPPP",  # OPW
    "DDPPIIPPPPIIDDDDIIIDDPDDDDDDDD",  # CL
    "DDPPIIIPPPIIIIIDIIIDDPDDDDDDDD",  # CP
    "PPPPIIIPPPIIIIIIIIIIIPIIIIIIII",  # QU
    "IIPPIIIPPPIIIIIIIIIIIPIIIIIIII",  # GL
    "DDPPIIIPPPDDDDDDIIIDDPDDDDDDDD",  # NS
    "DDPPIIIPPPDDDDDDIIIDDPDDDDDDDD",  # EX
    "DDPPIIIPPPDDIDIDIIIDDPDDDDDDDD",  # SY
    "DDPPIIIPPPDDIDDDIIIDDPDDDDDDDD",  # IS
    "IIPPIIIPPPDDIIIIIIIDDPIIIIIDII",  # PR
    "IIPPIIIPPPDDIIIDIIIDDPDDDDDDDD",  # PO
    "IDPPIIIPPPIIIIIDIIIDDPDDDDDDDD",  # NU
    "IDPPIIIPPPIIIIIDIIIDDPDDDDDDDD",  # AL
    "IDPPIIIPPPIIIIIDIIIDDPDDDDDDDD",  # HL
    "DDPPIIIPPPDIDDDDIIIDDPDDDDDDDD",  # ID
    "DDPPIIIPPPDDDDDDIIIDDPDDDDDDDD",  # IN
    "DDPPIDIPPPDDIDDDIIIDDPDDDDDDDD",  # HY
    "DDPPIDIPPPDDDDDDIIIDDPDDDDDDDD",  # BA
    "IIPPIIIPPPIIIIIIIIIIIPIIIIIIII",  # BB
    "DDPPIIIPPPDDDDDDIIIDPPDDDDDDDD",  # B2
    "IIPPIIIPPPIIIIIIIIIIIPIIIIIIII",  # WJ
    "DDPPIIIPPPDIDDDDIIIDDPDDDIIDDD",  # H2
    "DDPPIIIPPPDIDDDDIIIDDPDDDDIDDD",  # H3
    "DDPPIIIPPPDIDDDDIIIDDPIIIIDDDD",  # JL
    "DDPPIIIPPPDIDDDDIIIDDPDDDIIDDD",  # JV
    "DDPPIIIPPPDIDDDDIIIDDPDDDDIDDD",  # JT
    "DDPPIIIPPPDDDDDDIIIDDPDDDDDIDD",  # RI
    "DDPPIIIPPPDIDDDDIIIDDPDDDDDDDI",  # EB
    "DDPPIIIPPPDIDDDDIIIDDPDDDDDDDD",  # EM
)

#: First code point of each run, and its class index * 3 + width (as `_char_props` reads it).
_RUN_FIELDS = wrap_table.RUNS.split()  # first code point (hex), class, width; run after run
_CLASS_INDEX = {name: index for index, name in enumerate(_CLASSES)}
_RUN_STARTS = tuple(int(code, 16) for code in _RUN_FIELDS[0::3])
_RUN_PROPS = tuple(
    _CLASS_INDEX[name] * 3 + int(width)
    for name, width in zip(_RUN_FIELDS[1::3], _RUN_FIELDS[2::3], strict=True)
)
del _RUN_FIELDS
#: (class, width) for ASCII, the common case, without a bisect.
_ASCII_PROPS = tuple(
    divmod(_RUN_PROPS[bisect.bisect_right(_RUN_STARTS, code) - 1], 3) for code in range(128)
)
_D, _I = ord("D"), ord("I")
_PAIR_ROWS = tuple(row.encode("ascii") for row in _PAIRS)


@functools.cache
def _char_props(char: str) -> tuple[int, int]:
    """Line-break class and display width (East Asian wide = 2, combining = 0) of a character."""
    code = ord(char)
    if code < 128:
        return _ASCII_PROPS[code]
    return divmod(_RUN_PROPS[bisect.bisect_right(_RUN_STARTS, code) - 1], 3)


#: libunistring's UC_BREAK_* values; CR before LF is a mandatory break of its own kind.
_NO_BREAK, _BREAK, _MANDATORY, _CR_BEFORE_LF = 1, 2, 3, 5


def _possible_breaks(text: str, classes: Sequence[int]) -> list[int]:
    """Break opportunity before each character, as libunistring 1.0's u32_possible_linebreaks."""
    result = [_NO_BREAK] * len(classes)
    last = _BK  # class of the last character that is neither a space nor attached to another
    after_space = after_zwj = hebrew_hyphen = False
    previous = _BK  # class of the character just before, whatever it is
    for index, prop in enumerate(classes):
        was_hebrew_hyphen = hebrew_hyphen
        hebrew_hyphen = previous == _HL and prop in (_HY, _BA)  # UAX #14 LB21a
        previous = prop
        if prop in (_BK, _CR):
            crlf = prop == _CR and text[index + 1 : index + 2] == "\n"
            result[index] = _CR_BEFORE_LF if crlf else _MANDATORY
            last, after_space, after_zwj = _BK, False, False
            continue
        if prop == _SP:
            after_space = True
            continue
        was_after_zwj, after_zwj = after_zwj, prop == _ZWJ
        if prop == _ZW:
            last, after_space = _ZW, False
            continue
        if prop in (_CM, _ZWJ):
            if after_space and last != _BK:
                result[index] = _BREAK
                last, after_space = _AL, False
                continue
            if last not in (_BK, _ZW):
                continue  # attached to the character before: takes on its class
            prop = _AL
        if last == _BK or ((was_after_zwj or was_hebrew_hyphen) and not after_space):
            pass
        elif last == _ZW:
            result[index] = _BREAK
        else:
            rule = _PAIR_ROWS[last - 6][prop - 6]
            if rule == _D or (rule == _I and after_space):
                result[index] = _BREAK
        last, after_space = prop, False
    return result


def _width_breaks(
    widths: Sequence[int], breaks: Sequence[int], width: int, start_column: int
) -> list[bool]:
    """Where to break so lines fit `width`, as libunistring's u8_width_linebreaks."""
    chosen = [False] * len(widths)
    last_break: int | None = None
    last_column = start_column
    piece_width = 0
    for index, kind in enumerate(breaks):
        if kind != _NO_BREAK and last_break is not None and last_column + piece_width > width:
            chosen[last_break] = True
            last_column = 0
        if kind in (_MANDATORY, _CR_BEFORE_LF):
            last_break, last_column, piece_width = None, 0, 0
            continue
        if kind == _BREAK:
            last_break = index
            last_column += piece_width
            piece_width = 0
        piece_width += widths[index]
    if last_break is not None and last_column + piece_width > width:
        chosen[last_break] = True
    return chosen


# ---------------------------------------------------------------------------------------------
# Quoting and filling

#: gettext's escape sequences: character -> the letter after the backslash.
ESCAPES = {"\a": "a", "\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t", "\v": "v"}
ESCAPES.update({"\\": "\\", '"': '"'})
_RAREESCAPES = "\a\b\f\r\t\v"
_RARE_ESCAPE_TABLE = str.maketrans({char: "\\" + ESCAPES[char] for char in _RAREESCAPES})
_RARE_ESCAPE_RE = re.compile(f"[{_RAREESCAPES}]")
_PORTION_RE = re.compile(r"[^\n]*\n|[^\n]+")
#: The line width GNU gettext's tools (and Poedit) write catalogs at.
WIDTH = 79
_NO_WRAP_WIDTH = 1 << 62
#: Printable ASCII that needs no escape: one column a character, so its length is its width.
_PLAIN_RE = re.compile(r"[ !#-\[\]-~]*")


def wrap_po_string(
    keyword: str, value: str, *, prefix: str = "", width: int = WIDTH, wrap: bool = True
) -> list[str]:
    """The lines gettext writes for `keyword "value"` (write-po.c `wrap`), without newlines.

    `prefix` is "#~ ", "#| " or "#~| " for obsolete and previous entries. The value is split
    after each `\\n`; a value that needs more than one line starts with `keyword ""`.

    >>> wrap_po_string("msgid", "a\\nb")
    ['msgid ""', '"a\\\\n"', '"b"']
    """
    if len(prefix) + len(keyword) + len(value) + 3 <= width and _PLAIN_RE.fullmatch(value):
        return [f'{prefix}{keyword} "{value}"']  # most strings: short, nothing to escape
    portions = _PORTION_RE.findall(value) or [""]
    lines: list[str] = []
    first_line = True
    # Columns count from the first character after the opening quote of a continuation line.
    page = (width if wrap else _NO_WRAP_WIDTH) - len(prefix) - 2
    for number, portion in enumerate(portions):
        escaped = _escape(portion)
        cuts = None
        if first_line and escaped:
            start = len(keyword) + 1
            # `keyword ""` comes first when more portions follow or this one needs a cut.
            if (
                number + 1 < len(portions)
                or start > page
                or (cuts := _cuts(portion, escaped, page, start))
            ):
                lines.append(f'{prefix}{keyword} ""')
                first_line, cuts = False, None
        if cuts is None:
            cuts = _cuts(portion, escaped, page, len(keyword) + 1 if first_line else 0)
        bounds = [0, *cuts, len(escaped)]
        pieces = [escaped[begin:end] for begin, end in itertools.pairwise(bounds)]
        lines.extend(f'{prefix}"{piece}"' for piece in pieces)
        if first_line:
            lines[-len(pieces)] = f'{prefix}{keyword} "{pieces[0]}"'
        first_line = False
    return lines


def _escape(text: str) -> str:
    """`text` with gettext's escape sequences. `str.translate` looks up every character in a
    dict, so it runs only when a rare control character is there; replace does the rest."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return escaped.translate(_RARE_ESCAPE_TABLE) if _RARE_ESCAPE_RE.search(escaped) else escaped


def _cuts(portion: str, escaped: str, page: int, start: int) -> list[int]:
    """Indices of `escaped` (the portion with escape sequences) where a new line starts."""
    if escaped.isascii():
        if start + len(escaped) <= page:
            return []  # fits: no piece can overflow
        simple = not _ASCII_CONTROL_RE.search(escaped)
    else:
        characters = set(escaped)
        if start + len(escaped) <= page and all(_char_props(c)[1] < 2 for c in characters):
            return []  # fits: no character takes two columns
        simple = all(_is_simple(c) for c in characters)
    if simple:
        return _simple_cuts(portion, escaped, page, start)
    props = [_char_props(char) for char in escaped]
    if start + sum(width for _, width in props) <= page:
        return []
    breaks = _possible_breaks(escaped, [prop for prop, _ in props])
    # An escape sequence is one unit; never break before the final `\n`.
    index = 0
    for char in portion:
        if char in ESCAPES:
            breaks[index + 1] = _NO_BREAK
            index += 2
        else:
            index += 1
    if portion.endswith("\n"):
        breaks[-2] = _NO_BREAK
    chosen = _width_breaks([width for _, width in props], breaks, page, start)
    return [index for index, cut in enumerate(chosen) if cut]


#: Format flags in the order gettext 0.21 writes them (`format_language` in message.c).
# The common case, text of one-column characters whose breaks depend on their neighbours alone,
# without a loop over every character: the greedy fill of `_width_breaks` cuts each line at the
# last break opportunity that fits (or, when none does, at the first one after it), so only the
# places near each line's end are looked at. Latin letters and digits (and × ÷, which UAX #14
# also classes as letters) never break between each other (LB23, LB28): most places are skipped
# without a look-up.
_WORD_RANGES = (("A", "Z"), ("a", "z"), ("0", "9"), ("\u00c0", "\u024f"))
_WORD = frozenset(chr(c) for first, last in _WORD_RANGES for c in range(ord(first), ord(last) + 1))
_ASCII_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


@functools.cache
def _is_simple(char: str) -> bool:
    """Whether `_simple_cuts` can take the character: one column wide, and not white space
    (but the space) or a class `_possible_breaks` treats specially (mandatory breaks, zero width
    space, combining marks and joiners, Hebrew letters before hyphens)."""
    line_class, width = _char_props(char)
    return char == " " or (width == 1 and line_class not in (_BK, _CR, _SP, _ZW, _CM, _ZWJ, _HL))


def _simple_cuts(portion: str, escaped: str, page: int, start: int) -> list[int]:
    """`_cuts` for text of `_is_simple` characters: the same answer, far fewer steps."""
    length = len(escaped)
    # Each escape sequence makes the text one longer: equal lengths, no sequence to keep whole.
    unbreakable = {i + 1 for i in _escape_starts(portion)} if length > len(portion) else set()
    if portion.endswith("\n"):
        unbreakable.add(length - 2)

    def first_opportunity(indices: range) -> int | None:
        """The first index in `indices` where a line may start (as `_possible_breaks` says)."""
        for index in indices:
            char = escaped[index]
            if char == " " or (char in _WORD and escaped[index - 1] in _WORD):
                continue  # the common answers first, without a look-up
            if index in unbreakable:
                continue
            before = index - 1
            while before >= 0 and escaped[before] == " ":
                before -= 1
            if before < 0:
                continue
            rule = _PAIR_ROWS[_char_props(escaped[before])[0] - 6][_char_props(char)[0] - 6]
            if rule == _D or (rule == _I and before < index - 1):
                return index
        return None

    chosen: list[int] = []
    line_start, column = 0, start
    while True:
        limit = line_start + page - column  # the last index a line can end at
        if length <= limit:
            return chosen
        cut = first_opportunity(range(min(limit, length - 1), line_start, -1))
        if cut is None:
            cut = first_opportunity(range(max(limit + 1, line_start + 1), length))
            if cut is None:
                return chosen
        chosen.append(cut)
        line_start, column = cut, 0


_ESCAPED_RE = re.compile("[" + re.escape("".join(ESCAPES)) + "]")


def _escape_starts(portion: str) -> list[int]:
    """Indices in the escaped text where an escape sequence's backslash stands."""
    return [match.start() + shift for shift, match in enumerate(_ESCAPED_RE.finditer(portion))]
