"""Write pipeline/wrap_table.py: libunistring's line-break class and column width of every
code point, the data `pipeline.wrap` wraps catalog lines with.

Why: `render_po` must wrap long strings exactly as GNU msgcat does, and msgcat (gettext 0.21)
wraps with libunistring 1.0 (`u8_width_linebreaks`). Its tables are not the plain Unicode
Character Database: libunistring resolves some classes (AI, SA and XX to AL, CB to ID, CJ to
NS), keeps CR apart from BK, treats East Asian wide opening punctuation apart from other OP
(UAX #14 LB30) and has its own `uc_width`. So the table is taken from the library itself, the
one `ldd $(which msgcat)` names (Debian 12: libunistring.so.2, version 1.0), not from
UnicodeData files.

How: the library has no call that returns a code point's class, so each class is recognised
by behaviour. Every code point X is put into the same set of short probe lines
(`_probe_templates`): for each class K, `K X`, `K SP X`, `X K` and `X SP K` with a known
character of class K, plus `X HY AL` and `X BA AL` (Hebrew letters differ from AL only there,
UAX #14 LB21a). All of them, each ended by a line feed (a mandatory break, which resets the
algorithm), go to `u32_possible_linebreaks_v2` as one long buffer per batch of code points;
the break opportunities it reports over a code point's probes are its signature. A code point
gets class K when its signature is exactly that of `REPRESENTATIVES[K]` (or of one of
`ALIASES`: LINE FEED is a BK that differs only right after CR); the generator fails
if two representatives share a signature (the probes would not tell their classes apart) or
a code point matches none (the library knows behaviour this model of 36 classes does not).
Widths are `uc_width(X, "UTF-8")`, negative (control characters) counting as 0 as in pipeline.wrap.
Consecutive code points alike in both form one run, one line of the output.

Usage:
    .venv/bin/python tools/make_wrap_table.py           # rewrite pipeline/wrap_table.py
    .venv/bin/python tools/make_wrap_table.py --check   # exit 1 if it is not what we'd write

tests/test_wrap.py runs `generate()` and compares it with the committed file.
"""

from __future__ import annotations

import argparse
import array
import ctypes
import ctypes.util
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

#: The libunistring release msgcat (gettext 0.21 on Debian 12) wraps with.
SOURCE_VERSION = (1, 0)
OUTPUT = Path(__file__).resolve().parent.parent / "pipeline" / "wrap_table.py"
LAST_CODE_POINT = 0x10FFFF

#: Class names in table order: pipeline/wrap.py gives the first six special treatment and
#: its pair table follows the rest. Written into the output as `CLASSES`.
CLASSES = (
    "BK",
    "CR",
    "SP",
    "ZW",
    "CM",
    "ZWJ",
    "OP",
    "OPW",
    "CL",
    "CP",
    "QU",
    "GL",
    "NS",
    "EX",
    "SY",
    "IS",
    "PR",
    "PO",
    "NU",
    "AL",
    "HL",
    "ID",
    "IN",
    "HY",
    "BA",
    "BB",
    "B2",
    "WJ",
    "H2",
    "H3",
    "JL",
    "JV",
    "JT",
    "RI",
    "EB",
    "EM",
)

#: One character of each class (UAX #14's own examples where it has them); OPW is a fullwidth
#: opening parenthesis. Each must probe as its own class, which `probe_classes` checks.
REPRESENTATIVES = {
    "BK": 0x000B,  # LINE TABULATION
    "CR": 0x000D,  # CARRIAGE RETURN
    "SP": 0x0020,  # SPACE
    "ZW": 0x200B,  # ZERO WIDTH SPACE
    "CM": 0x0301,  # COMBINING ACUTE ACCENT
    "ZWJ": 0x200D,  # ZERO WIDTH JOINER
    "OP": 0x0028,  # LEFT PARENTHESIS
    "OPW": 0xFF08,  # FULLWIDTH LEFT PARENTHESIS
    "CL": 0x007D,  # RIGHT CURLY BRACKET
    "CP": 0x0029,  # RIGHT PARENTHESIS
    "QU": 0x0022,  # QUOTATION MARK
    "GL": 0x00A0,  # NO-BREAK SPACE
    "NS": 0x3005,  # IDEOGRAPHIC ITERATION MARK
    "EX": 0x0021,  # EXCLAMATION MARK
    "SY": 0x002F,  # SOLIDUS
    "IS": 0x002C,  # COMMA
    "PR": 0x0024,  # DOLLAR SIGN
    "PO": 0x0025,  # PERCENT SIGN
    "NU": 0x0030,  # DIGIT ZERO
    "AL": 0x0061,  # LATIN SMALL LETTER A
    "HL": 0x05D0,  # HEBREW LETTER ALEF
    "ID": 0x4E00,  # CJK UNIFIED IDEOGRAPH-4E00
    "IN": 0x2024,  # ONE DOT LEADER
    "HY": 0x002D,  # HYPHEN-MINUS
    "BA": 0x0009,  # CHARACTER TABULATION
    "BB": 0x00B4,  # ACUTE ACCENT
    "B2": 0x2014,  # EM DASH
    "WJ": 0x2060,  # WORD JOINER
    "H2": 0xAC00,  # HANGUL SYLLABLE GA
    "H3": 0xAC01,  # HANGUL SYLLABLE GAG
    "JL": 0x1100,  # HANGUL CHOSEONG KIYEOK
    "JV": 0x1160,  # HANGUL JUNGSEONG FILLER
    "JT": 0x11A8,  # HANGUL JONGSEONG KIYEOK
    "RI": 0x1F1E6,  # REGIONAL INDICATOR SYMBOL LETTER A
    "EB": 0x261D,  # WHITE UP POINTING INDEX
    "EM": 0x1F3FB,  # EMOJI MODIFIER FITZPATRICK TYPE-1-2
}
#: Characters of a class that behave unlike its representative in some probe, because pipeline.wrap
#: tells them apart by the character rather than the class: LINE FEED is BK, but after CR the
#: pair is one break (UC_BREAK_CR_BEFORE_LF), which `_possible_breaks` checks by looking at it.
ALIASES = {0x000A: "BK"}

_LINE_FEED = 0x000A
#: Placeholder for the probed code point in a probe template.
_PROBED = -1
#: Code points probed in one library call: ~512 code units each make an 8 MB buffer, small
#: enough to stay in cache while the probed code points are written in (fastest measured).
_BATCH = 1 << 12

Run = tuple[int, str, int]


def load_libunistring() -> ctypes.CDLL:
    """The libunistring the dynamic linker finds, as msgcat would; fails if absent or not
    `SOURCE_VERSION` (the committed table would then describe another library)."""
    name = ctypes.util.find_library("unistring")
    if name is None:
        raise RuntimeError(
            "libunistring not found: install GNU gettext (Debian: apt-get install gettext), "
            "which links it and is what the line-wrapping tables reproduce"
        )
    lib = ctypes.CDLL(name)
    found = library_version(lib)
    if found != SOURCE_VERSION:
        raise RuntimeError(
            f"{name} is libunistring {_dotted(found)}, but the wrapping tables reproduce "
            f"libunistring {_dotted(SOURCE_VERSION)} (what gettext 0.21 uses); "
            "change SOURCE_VERSION only when msgcat itself moves to that version"
        )
    lib.u32_possible_linebreaks_v2.restype = None
    lib.u32_possible_linebreaks_v2.argtypes = [
        ctypes.POINTER(ctypes.c_uint32),
        ctypes.c_size_t,
        ctypes.c_char_p,
        ctypes.c_char_p,
    ]
    lib.uc_width.restype = ctypes.c_int
    lib.uc_width.argtypes = [ctypes.c_uint32, ctypes.c_char_p]
    return lib


def library_version(lib: ctypes.CDLL) -> tuple[int, int]:
    """(major, minor) from the library's `_libunistring_version`, 0xMMmmss (1.0 is 0x010000)."""
    value = ctypes.c_int.in_dll(lib, "_libunistring_version").value
    return value >> 16, (value >> 8) & 0xFF


def _dotted(version: tuple[int, int]) -> str:
    return ".".join(map(str, version))


def _probe_templates() -> list[list[int]]:
    """The probe lines, `_PROBED` standing for the code point probed (see the docstring)."""
    templates: list[list[int]] = []
    space = REPRESENTATIVES["SP"]
    for name in CLASSES:
        known = REPRESENTATIVES[name]
        templates += [
            [known, _PROBED],
            [known, space, _PROBED],
            [_PROBED, known],
            [_PROBED, space, known],
        ]
    letter = REPRESENTATIVES["AL"]
    templates += [[_PROBED, REPRESENTATIVES[name], letter] for name in ("HY", "BA")]
    return templates


def _signatures(lib: ctypes.CDLL, codes: Sequence[int]) -> Iterator[bytes]:
    """Each code point's break opportunities over all the probe lines, one bytes each."""
    block = array.array("I")
    slots: list[int] = []
    for template in _probe_templates():
        for code in template:
            if code == _PROBED:
                slots.append(len(block))
            block.append(0 if code == _PROBED else code)
        block.append(_LINE_FEED)
    stride = len(block)
    for begin in range(0, len(codes), _BATCH):
        batch = array.array("I", codes[begin : begin + _BATCH])
        text = block * len(batch)
        for slot in slots:
            text[slot::stride] = batch
        breaks = ctypes.create_string_buffer(len(text))
        units = (ctypes.c_uint32 * len(text)).from_buffer(text)
        lib.u32_possible_linebreaks_v2(units, len(text), b"UTF-8", breaks)
        raw = breaks.raw
        for start in range(0, len(raw), stride):
            yield raw[start : start + stride]


def probe_classes(lib: ctypes.CDLL) -> list[int]:
    """The class (index into `CLASSES`) of every code point 0..U+10FFFF, by probing."""
    samples = [*((REPRESENTATIVES[name], name) for name in CLASSES), *ALIASES.items()]
    by_signature: dict[bytes, int] = {}
    signatures = _signatures(lib, [code for code, _ in samples])
    for (code, name), signature in zip(samples, signatures, strict=True):
        other = CLASSES[by_signature.setdefault(signature, CLASSES.index(name))]
        if other != name:
            raise RuntimeError(f"the probes do not tell {name} (U+{code:04X}) from {other}")
    classes: list[int] = []
    for code, signature in enumerate(_signatures(lib, range(LAST_CODE_POINT + 1))):
        found = by_signature.get(signature)
        if found is None:
            raise RuntimeError(f"U+{code:04X} behaves like none of the {len(CLASSES)} classes")
        classes.append(found)
    return classes


def probe_widths(lib: ctypes.CDLL) -> list[int]:
    """`uc_width` of every code point 0..U+10FFFF in a UTF-8 locale; negative ones as 0."""
    width = lib.uc_width
    return [max(width(code, b"UTF-8"), 0) for code in range(LAST_CODE_POINT + 1)]


def table_runs(lib: ctypes.CDLL | None = None) -> list[Run]:
    """(first code point, class name, width) of each run of code points alike in both."""
    lib = lib or load_libunistring()
    runs: list[Run] = []
    previous: tuple[int, int] | None = None
    for code, props in enumerate(zip(probe_classes(lib), probe_widths(lib), strict=True)):
        if props != previous:
            runs.append((code, CLASSES[props[0]], props[1]))
            previous = props
    return runs


def render(runs: Sequence[Run], version: tuple[int, int] = SOURCE_VERSION) -> str:
    """The text of pipeline/wrap_table.py (ruff-formatted as written)."""
    source = _dotted(version)
    lines = [
        f"# Generated by tools/make_wrap_table.py from libunistring {source}. Do not edit:",
        "# run `.venv/bin/python tools/make_wrap_table.py` (tests/test_wrap.py checks this).",
        f'"""Line-break classes and column widths of every code point, as libunistring {source}',
        "(the library GNU gettext 0.21 wraps catalog lines with) has them; pipeline/wrap.py",
        'wraps with these."""',
        "",
        "#: Line-break class names; pipeline.wrap treats the first six apart and its pair table",
        "#: follows the rest in this order.",
        "CLASSES = (",
        *(f'    "{name}",' for name in CLASSES),
        ")",
        "",
        "#: Runs of code points alike in class and display width, one a line: the first code",
        "#: point (hex), the class, the width. A run ends where the next begins, the last one at",
        "#: U+10FFFF. Text rather than tuples: without bytecode, 2,800 tuple displays take ~14 ms",
        "#: to compile, a string next to nothing (pipeline.wrap splits it in under a millisecond).",
        'RUNS = """',
        *(f"{first:04X} {name} {width}" for first, name, width in runs),
        '"""',
    ]
    return "\n".join(lines) + "\n"


def generate(lib: ctypes.CDLL | None = None) -> str:
    """What pipeline/wrap_table.py should hold, probed from the installed libunistring."""
    lib = lib or load_libunistring()
    return render(table_runs(lib), library_version(lib))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the committed file differs, write nothing"
    )
    parser.add_argument("--output", type=Path, default=OUTPUT, help="default: %(default)s")
    args = parser.parse_args(argv)
    try:
        text = generate()
    except RuntimeError as error:
        print(f"make_wrap_table: {error}", file=sys.stderr)
        return 2
    output: Path = args.output
    if args.check:
        current = output.read_text(encoding="utf-8") if output.exists() else None
        if current != text:
            print(f"{output} is out of date: run tools/make_wrap_table.py", file=sys.stderr)
            return 1
        return 0
    output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
