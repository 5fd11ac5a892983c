"""pipeline.wrap: catalog strings broken into lines where GNU gettext breaks them."""

from __future__ import annotations

import ctypes
import ctypes.util

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.wrap import _CLASSES, _NO_BREAK, _WORD, _char_props, _possible_breaks, wrap_po_string


def test_wrap_po_string_short_and_long() -> None:
    assert wrap_po_string("msgid", "Hello") == ['msgid "Hello"']
    assert wrap_po_string("msgid", "") == ['msgid ""']
    assert wrap_po_string("msgid", "a\nb\n") == ['msgid ""', '"a\\n"', '"b\\n"']
    long = "word " * 20
    lines = wrap_po_string("msgstr", long)
    assert lines[0] == 'msgstr ""'
    assert all(len(line) <= 79 for line in lines)
    assert "".join(line.strip('"') for line in lines[1:]) == long


def test_japanese_is_measured_in_columns_and_breaks_by_kinsoku() -> None:
    text = "腰部脊柱管狭窄症は、腰の部分で脊柱管が狭くなり、神経が圧迫されることで、"
    text += "脚に痛みが出ます。"
    lines = wrap_po_string("msgstr", text)
    assert lines[1] == (
        '"腰部脊柱管狭窄症は、腰の部分で脊柱管が狭くなり、神経が圧迫されることで、脚に"'
    )
    assert lines[2] == '"痛みが出ます。"'  # never a line that starts with 。


def _libunistring() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("unistring")
    return ctypes.CDLL(name) if name else None


@pytest.mark.gettext
@pytest.mark.skipif(_libunistring() is None, reason="libunistring not installed")
@given(st.text(st.characters(exclude_categories=["Cs"]), max_size=30))
@settings(max_examples=400, deadline=None)
def test_line_breaks_and_widths_match_libunistring(text: str) -> None:
    """The embedded Unicode tables reproduce the library gettext itself wraps with."""
    lib = _libunistring()
    assert lib is not None
    codes = (ctypes.c_uint32 * len(text))(*map(ord, text))
    expected = ctypes.create_string_buffer(len(text))
    lib.u32_possible_linebreaks_v2(codes, ctypes.c_size_t(len(text)), b"UTF-8", expected)
    assert _possible_breaks(text, [_char_props(c)[0] for c in text]) == list(expected.raw)
    lib.uc_width.restype = ctypes.c_int
    widths = [max(lib.uc_width(ctypes.c_uint32(ord(c)), b"UTF-8"), 0) for c in text]
    assert [_char_props(c)[1] for c in text] == widths


@pytest.mark.gettext
def test_wrap_table_is_what_its_generator_probes_from_libunistring() -> None:
    """pipeline/wrap_table.py holds, for every code point, the class and width that
    tools/make_wrap_table.py probes from the installed libunistring (the one msgcat links).
    Fails, never skips, where the library is missing or another version."""
    import difflib

    from tools import make_wrap_table

    try:
        lib = make_wrap_table.load_libunistring()
    except RuntimeError as error:
        pytest.fail(f"cannot check pipeline/wrap_table.py: {error}")
    expected = make_wrap_table.generate(lib).splitlines()
    committed = make_wrap_table.OUTPUT.read_text(encoding="utf-8").splitlines()
    changed = list(difflib.unified_diff(committed, expected, lineterm="", n=0))[:30]
    assert not changed, "\n".join(
        ["pipeline/wrap_table.py is not what tools/make_wrap_table.py writes; run it:", *changed]
    )


def test_word_characters_never_break_between_each_other() -> None:
    """The shortcut in `_simple_cuts`: letters and digits it skips are AL or NU, one column."""
    assert {(_CLASSES[_char_props(c)[0]], _char_props(c)[1]) for c in _WORD} == {
        ("AL", 1),
        ("NU", 1),
    }
    for text in ("naïve café", "Ωmega", "ÀÉÎÕÜ-àéîõü/řž", "x" * 200 + " ą" * 50):
        breaks = _possible_breaks(text, [_char_props(c)[0] for c in text])
        for index in range(1, len(text)):
            if text[index] in _WORD and text[index - 1] in _WORD:
                assert breaks[index] == _NO_BREAK, (text, index)
