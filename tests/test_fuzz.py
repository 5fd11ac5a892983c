"""Fuzzing every command through the CLI: generated pages and catalogs, in a temporary tree.

Properties: no command crashes (exit code 0, 1 or 2 and no traceback), and `update` never loses
a translation (every msgstr the catalog had is still there afterwards, active or obsolete).

The default profile runs a few examples so CI stays fast; `make fuzz` (HYPOTHESIS_PROFILE=long)
runs the profile's count. Set FUZZ_STATS=1 to print how many examples ran.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.model import Catalog, PipelineError
from pipeline.pofile import parse_po, render_po
from tests.reliability import assert_clean, invoke, write_site

LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"
#: Whole-CLI examples are slow (a dozen commands each): few by default, the profile's when long.
FUZZ = settings() if LONG else settings(max_examples=12, deadline=None)
COUNTS: dict[str, int] = {}

TAGS = [
    "p", "div", "span", "a", "b", "em", "br", "img", "li", "ul", "td", "tr", "table", "h1",
    "title", "script", "style", "code", "pre", "time", "svg", "option", "select", "dl", "dt",
    "q", "html", "head", "body", "meta", "button", "template", "textarea", "nav", "wbr", "sup",
]  # fmt: skip
ATTRIBUTES = [
    "", ' title="Hint text"', " alt='A picture'", " alt=Unquoted", ' translate="no"',
    ' class="notranslate"', ' datetime="2024-01-02"', ' data-i18n-context="menu"',
    " data-i18n-switcher", ' name="description" content="About us"', ' type="submit" value="Go"',
    ' lang="en"', ' href="other.html"', ' href="/index.html"', ' title="&amp; &lt;x&gt;"',
    " title", ' charset="utf-8"', ' title="unterminated',
]  # fmt: skip
TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\x00"),
    max_size=30,
)
WORDS = st.sampled_from(
    ["Hello world.", "Back pain", "腰痛の治療", "&amp;", "&nbsp;", "<1>", "123 mm", " ", "\n",
     "<!-- i18n: a note -->", "<!-- c -->", "</p>", "</b>", "x<y", "&#x41;", "<!DOCTYPE html>",
     "<?php ?>", "]]>", "\r\n", "\t", "Ünïcödé", "🙂", "\u202e"]
)  # fmt: skip


@st.composite
def fragments(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 9))
    if kind < 4:
        return f"<{draw(st.sampled_from(TAGS))}{draw(st.sampled_from(ATTRIBUTES))}>"
    if kind < 6:
        return f"</{draw(st.sampled_from(TAGS))}>"
    if kind < 9:
        return draw(WORDS)
    return draw(TEXT)


@st.composite
def pages(draw: st.DrawFn) -> bytes:
    """Mostly HTML-ish UTF-8; sometimes another encoding or plain bytes."""
    text = "".join(draw(st.lists(fragments(), max_size=40)))
    how = draw(st.integers(0, 19))
    if how == 0:
        return draw(st.binary(max_size=200))
    if how == 1:
        return text.encode("latin-1", "replace")
    if how == 2:
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    return text.encode("utf-8")


def translate_or_damage(draw: st.DataObject, path: Path) -> None:
    """Give some entries generated translations, or damage the file."""
    data = path.read_bytes()
    how = draw.draw(st.integers(0, 9))
    if how == 0:  # flip, drop or insert bytes
        position = draw.draw(st.integers(0, max(0, len(data) - 1)))
        noise = draw.draw(st.binary(max_size=8))
        cut = draw.draw(st.integers(0, 8))
        path.write_bytes(data[:position] + noise + data[position + cut :])
        return
    if how == 1:
        path.write_bytes(draw.draw(st.binary(max_size=300)))
        return
    catalog = parse_po(data.decode("utf-8"), path=str(path))
    messages = []
    for message in catalog.messages:
        if not message.obsolete and draw.draw(st.booleans()):
            msgstr = draw.draw(st.one_of(TEXT, WORDS, st.just(message.msgid + "訳")))
            flags = draw.draw(st.sampled_from([(), ("fuzzy",)]))
            message = replace(message, msgstr=msgstr, flags=flags)
        messages.append(message)
    path.write_text(render_po(replace(catalog, messages=tuple(messages))), encoding="utf-8")


def translations(path: Path) -> set[tuple[str | None, str, str]]:
    """(msgctxt, msgid, msgstr) of every entry with a translation, active or obsolete."""
    try:
        catalog = parse_po(path.read_text(encoding="utf-8"), path=str(path))
    except (PipelineError, UnicodeDecodeError):  # damaged: nothing to keep track of
        return set()
    return found(catalog)


def found(catalog: Catalog) -> set[tuple[str | None, str, str]]:
    return {(m.msgctxt, m.msgid, m.msgstr) for m in catalog.messages if m.msgstr}


def commands(*names: str) -> None:
    for name in names:
        args = [name, "--jobs", "1"] if name in ("build", "extract", "update") else [name]
        assert_clean(invoke(*args), 0, 1, 2)


@FUZZ
@given(
    first=st.lists(pages(), min_size=1, max_size=2),
    second=st.lists(pages(), min_size=1, max_size=2),
    data=st.data(),
)
def test_no_command_crashes_and_update_loses_nothing(
    first: list[bytes], second: list[bytes], data: st.DataObject
) -> None:
    COUNTS["cli"] = COUNTS.get("cli", 0) + 1
    with tempfile.TemporaryDirectory() as directory, contextlib.chdir(directory):
        root = Path(directory)
        write_site(root, {f"page{n}.html": page for n, page in enumerate(first)})
        commands("extract", "update")
        catalogs = sorted((root / "locales/ja/LC_MESSAGES").glob("*.po"))
        for catalog in catalogs:
            translate_or_damage(data, catalog)
        kept = {catalog: translations(catalog) for catalog in catalogs}
        commands("check", "build", "status")
        write_site(root, {f"page{n}.html": page for n, page in enumerate(second)})
        commands("extract")
        updated = invoke("update", "--jobs", "1")
        assert_clean(updated, 0, 2)
        if updated.exit_code == 0:
            for catalog, before in kept.items():
                assert before <= translations(catalog), catalog
        commands("check", "build", "status", "update")


@FUZZ
@given(msgstrs=st.lists(st.one_of(TEXT, WORDS), min_size=1, max_size=6), data=st.data())
def test_generated_translations_build_without_live_markup(
    msgstrs: list[str], data: st.DataObject
) -> None:
    """Any msgstr on a fixed page: the build's output has the page's elements and no more."""
    from bs4 import BeautifulSoup

    COUNTS["build"] = COUNTS.get("build", 0) + 1
    with tempfile.TemporaryDirectory() as directory, contextlib.chdir(directory):
        root = Path(directory)
        write_site(root)
        commands("extract", "update")
        for catalog in sorted((root / "locales/ja/LC_MESSAGES").glob("*.po")):
            parsed = parse_po(catalog.read_text(encoding="utf-8"), path=str(catalog))
            messages = tuple(
                replace(m, msgstr=data.draw(st.sampled_from(msgstrs)) or "x")
                for m in parsed.messages
            )
            catalog.write_text(render_po(replace(parsed, messages=messages)), encoding="utf-8")
        assert_clean(invoke("build", "--jobs", "1", "--min-percent", "0"), 0)
        for name in ("index.html", "other.html"):
            english = BeautifulSoup((root / "site/en" / name).read_bytes(), "html.parser")
            built = BeautifulSoup((root / "site/ja" / name).read_bytes(), "html.parser")
            names = [e.name for e in english.find_all(True)]
            assert [e.name for e in built.find_all(True)] == names


def teardown_module() -> None:
    if os.environ.get("FUZZ_STATS"):
        print(f"\nfuzz examples run: {COUNTS}")
