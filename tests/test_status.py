"""Status counts, their agreement with `msgfmt --statistics`, and the four renderings."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.model import Catalog, Message
from pipeline.pofile import parse_po
from pipeline.status import (
    CatalogStatus,
    catalog_status,
    render_dashboard,
    render_json,
    render_markdown,
    render_table,
    summarize,
)
from tests.browser import launch_chromium, needs_chromium

ARTIFACTS = Path(__file__).parent / "artifacts"

MIXED = Catalog(
    messages=(
        Message("Lumbar spinal stenosis", "腰部脊柱管狭窄症"),
        Message("Book an <1>appointment</1> today", "本日<1>ご予約</1>ください", flags=("fuzzy",)),
        Message("Numbness in the legs", "", flags=("fuzzy",)),
        Message("Walking becomes painful", ""),
        Message("one day", msgid_plural="{n} days", msgstr_plural=("{n} 日",)),
        Message("one visit", msgid_plural="{n} visits", msgstr_plural=("",), flags=("fuzzy",)),
        Message("Old text", "古い", obsolete=True),
        Message("Old fuzzy", "古い", flags=("fuzzy",), obsolete=True),
    )
)


def template_of(catalog: Catalog) -> Catalog:
    """The template of a page whose messages are the catalog's (an up-to-date catalog)."""
    return Catalog(messages=tuple(Message(m.msgid, msgctxt=m.msgctxt) for m in catalog.active))


def status_of(
    catalog: Catalog, *, locale: str = "ja", name: str = "stenosis", stale: bool = False
) -> CatalogStatus:
    return catalog_status(
        catalog,
        template=template_of(catalog),
        locale=locale,
        catalog_path=f"{locale}/LC_MESSAGES/{name}.po",
        source_path=f"{name}.html",
        stale=stale,
        page_url=f"{locale}/{name}.html",
    )


def test_counts_each_state_once() -> None:
    s = status_of(MIXED)
    assert (s.total, s.translated, s.fuzzy, s.untranslated, s.obsolete) == (6, 2, 1, 3, 2)
    assert s.fuzzy_messages == ("Book an <1>appointment</1> today",)
    # Words: 3 + 4 + 4 + 3 + 2 + 2 in all, 3 + 2 translated.
    assert (s.words_total, s.words_translated) == (18, 5)
    # 腰部脊柱管狭窄症 (8) + 日 (1); placeholders and spaces do not count.
    assert s.chars_translated == 8 + len("{n}日")
    assert s.percent == 27.7


@pytest.mark.parametrize(
    ("done", "total", "percent"),
    [(0, 0, 100.0), (0, 5, 0.0), (1, 3, 33.3), (2, 3, 66.6), (1999, 2000, 99.9), (7, 7, 100.0)],
)
def test_percent_is_words_rounded_down(done: int, total: int, percent: float) -> None:
    """Rounded down: 1999 of 2000 words is not 100.0, and 79.96 never passes an 80 threshold."""
    words = ("w " * total).split()
    catalog = Catalog(
        messages=tuple(Message(f"{w}{i}", "訳" if i < done else "") for i, w in enumerate(words))
    )
    assert status_of(catalog).percent == percent


def test_summarize_adds_up_and_weighs_by_words() -> None:
    big = status_of(Catalog(messages=(Message("one two three four five six seven eight nine"),)))
    small = status_of(Catalog(messages=(Message("Access", "アクセス"),)), name="access", stale=True)
    en_gb = status_of(Catalog(messages=(Message("Color", "Colour"),)), locale="en_GB")
    summary = summarize([small, en_gb, big])
    assert list(summary) == ["en_GB", "ja"]
    ja = summary["ja"]
    assert (ja.catalogs, ja.total, ja.translated, ja.untranslated) == (2, 2, 1, 1)
    assert (ja.stale, ja.stale_catalogs) == (True, 1)
    assert (ja.words_total, ja.words_translated, ja.chars_translated) == (10, 1, 4)
    assert ja.percent == 10.0  # not the 50.0 an average of the two pages' percents would give


# --- agreement with msgfmt ----------------------------------------------------------------------

HEADER = """msgid ""
msgstr ""
"Project-Id-Version: clinic\\n"
"Language: ja\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"
"""

PO_FIXTURES = {
    "empty": "",
    "all-translated": """
#: stenosis.html:12
msgid "Lumbar spinal stenosis"
msgstr "腰部脊柱管狭窄症"

msgctxt "button"
msgid "Book"
msgstr "予約"
""",
    "fuzzy-and-empty-fuzzy": """
#, fuzzy
#| msgid "Book an appointment"
msgid "Book an <1>appointment</1> today"
msgstr "本日<1>ご予約</1>ください"

#, fuzzy
msgid "Numbness in the legs"
msgstr ""

msgid "Walking becomes painful"
msgstr ""
""",
    "obsolete": """
msgid "Access"
msgstr "アクセス"

#~ msgid "Old text"
#~ msgstr "古い"

#, fuzzy
#~ msgid "Old fuzzy"
#~ msgstr "古い"

#~ msgid "Old untranslated"
#~ msgstr ""
""",
    "plural": """
msgid "one day"
msgid_plural "{n} days"
msgstr[0] "{n}日"

msgid "one visit"
msgid_plural "{n} visits"
msgstr[0] ""

#, fuzzy
msgid "one week"
msgid_plural "{n} weeks"
msgstr[0] "{n}週間"

#, fuzzy
msgid "one month"
msgid_plural "{n} months"
msgstr[0] ""
""",
    "multiline": """
#. <p>
msgid ""
"Symptoms include pain in the lower back and numbness that gets worse "
"when walking."
msgstr ""
"症状には腰の痛みや、歩くと悪化するしびれがあります。"
""",
}

_STAT_RE = re.compile(r"(\d+) (translated|fuzzy|untranslated)")


def msgfmt_statistics(path: Path) -> dict[str, int]:
    """Parse `N translated messages, M fuzzy translations, K untranslated messages.`"""
    result = subprocess.run(
        ["msgfmt", "--statistics", "-o", os.devnull, str(path)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "LC_ALL": "C"},
    )
    counts = {"translated": 0, "fuzzy": 0, "untranslated": 0}
    counts.update({kind: int(n) for n, kind in _STAT_RE.findall(result.stderr)})
    return counts


@pytest.mark.gettext
@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
@pytest.mark.parametrize("name", sorted(PO_FIXTURES))
def test_counts_agree_with_msgfmt(name: str, tmp_path: Path) -> None:
    text = HEADER + PO_FIXTURES[name]
    path = tmp_path / f"{name}.po"
    path.write_text(text, encoding="utf-8")
    s = status_of(parse_po(text, path=str(path)))
    assert {"translated": s.translated, "fuzzy": s.fuzzy, "untranslated": s.untranslated} == (
        msgfmt_statistics(path)
    )


@pytest.mark.gettext
@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
def test_partial_plural_is_the_known_difference(tmp_path: Path) -> None:
    """msgfmt looks at msgstr[0] only; we want every form, as the build does (module docstring)."""
    text = HEADER.replace("nplurals=1; plural=0;", "nplurals=2; plural=(n != 1);") + (
        '\nmsgid "one day"\nmsgid_plural "{n} days"\nmsgstr[0] "1 day"\nmsgstr[1] ""\n'
    )
    path = tmp_path / "partial.po"
    path.write_text(text, encoding="utf-8")
    s = status_of(parse_po(text, path=str(path)))
    assert msgfmt_statistics(path)["translated"] == 1
    assert (s.translated, s.untranslated) == (0, 1)


# --- renderings ---------------------------------------------------------------------------------


def sample() -> list[CatalogStatus]:
    """Deliberately out of order, with a second locale and a path that needs escaping."""
    return [
        status_of(MIXED, stale=True),
        status_of(Catalog(messages=(Message("Color", "Colour"),)), locale="en_GB", name="a|b"),
        status_of(Catalog(messages=(Message("Access", "アクセス"),)), name="access"),
    ]


CATALOG_KEYS = [
    "locale",
    "catalog",
    "source",
    "total",
    "translated",
    "fuzzy",
    "untranslated",
    "obsolete",
    "words_total",
    "words_translated",
    "percent",
    "stale",
]


def test_json_has_exactly_the_documented_shape() -> None:
    document = json.loads(render_json(sample()))
    assert list(document) == ["catalogs", "locales", "orphaned"]
    assert document["orphaned"] == []
    assert all(list(row) == CATALOG_KEYS for row in document["catalogs"])
    assert [(r["locale"], r["catalog"]) for r in document["catalogs"]] == [
        ("en_GB", "en_GB/LC_MESSAGES/a|b.po"),
        ("ja", "ja/LC_MESSAGES/access.po"),
        ("ja", "ja/LC_MESSAGES/stenosis.po"),
    ]
    assert document["catalogs"][2] == {
        "locale": "ja",
        "catalog": "ja/LC_MESSAGES/stenosis.po",
        "source": "stenosis.html",
        "total": 6,
        "translated": 2,
        "fuzzy": 1,
        "untranslated": 3,
        "obsolete": 2,
        "words_total": 18,
        "words_translated": 5,
        "percent": 27.7,
        "stale": True,
    }
    assert list(document["locales"]) == ["en_GB", "ja"]
    assert list(document["locales"]["ja"]) == [*CATALOG_KEYS[3:], "stale_catalogs"]
    # `stale` means the same for a locale as for a catalog; the count has a name of its own.
    assert document["locales"]["ja"]["stale"] is True
    assert document["locales"]["ja"]["stale_catalogs"] == 1
    assert document["locales"]["en_GB"]["stale"] is False
    assert document["locales"]["ja"]["percent"] == 31.5  # (5 + 1) of (18 + 1) words


def test_json_of_nothing() -> None:
    assert json.loads(render_json([])) == {"catalogs": [], "locales": {}, "orphaned": []}


def test_markdown_is_one_table_and_a_line_per_locale() -> None:
    text = render_markdown(sample())
    table, summary = text.rstrip("\n").split("\n\n")
    rows = table.splitlines()
    assert rows[1] == "|:---|:---|:---|---:|---:|---:|---:|---:|---:|:---:|"
    # Every row has as many cells as the header; the `|` in a path is escaped.
    cells = [len(re.split(r"(?<!\\)\|", row)) for row in rows]
    assert len(rows) == 5 and len(set(cells)) == 1
    assert "`en_GB/LC_MESSAGES/a\\|b.po`" in rows[2]
    assert rows[4].startswith("| ja | `ja/LC_MESSAGES/stenosis.po` | `stenosis.html` | 2/6 |")
    assert rows[4].endswith("| 27.7 | stale |")
    assert summary.splitlines() == [
        "**en_GB**: 100.0% of words translated (1 of 1, 6 characters); messages: 1 of 1 "
        "translated, 0 fuzzy, 0 untranslated, 0 obsolete; catalogs: 1.",
        "**ja**: 31.5% of words translated (6 of 19, 16 characters); messages: 3 of 7 "
        "translated, 1 fuzzy, 3 untranslated, 2 obsolete; catalogs: 2, 1 stale.",
    ]


def test_table_without_color_is_plain_and_aligned() -> None:
    text = render_table(sample(), color=False)
    assert "\x1b" not in text
    lines = text.splitlines()
    assert lines[0].split() == [
        "Locale",
        "Catalog",
        "Total",
        "Done",
        "Fuzzy",
        "Todo",
        "Obsolete",
        "Words",
        "Chars",
        "%",
        "Stale",
    ]
    rows = [line for line in lines if "LC_MESSAGES" in line or "(all)" in line]
    assert len(rows) == 5
    # Right-aligned numbers: every row's percent ends in the same column as the header's `%`.
    end = lines[0].index("%") + 1
    assert all(re.match(r"\d+\.\d", row[end - 5 : end].strip()) for row in rows)
    assert "stale" in rows[2] and "1 stale" in rows[4]


def test_table_with_color_uses_escape_codes() -> None:
    assert "\x1b[" in render_table(sample(), color=True)


@pytest.mark.parametrize("color", [False, True])
def test_table_prints_brackets_in_paths_as_they_are(color: bool) -> None:
    row = status_of(Catalog(messages=(Message("Access"),)), name="[red]draft[/]")
    assert "ja/LC_MESSAGES/[red]draft[/].po" in render_table([row], color=color)


def test_dashboard_is_self_contained_escaped_and_deterministic() -> None:
    risky = status_of(Catalog(messages=(Message("<script>x</script>", "訳", flags=("fuzzy",)),)))
    page = render_dashboard([*sample(), risky], title="Status & <progress>")
    assert page == render_dashboard([*sample(), risky], title="Status & <progress>")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "<title>Status &amp; &lt;progress&gt;</title>" in page
    assert "<script" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert not re.search(r"(src|href)=\"(https?:)?//|@import|url\(", page)


@needs_chromium
def test_dashboard_in_a_browser(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    dashboard = tmp_path / "status.html"
    dashboard.write_text(render_dashboard(sample(), title="Translation status"), encoding="utf-8")
    requested: list[str] = []
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("request", lambda request: requested.append(request.url))
            page.goto(dashboard.as_uri())
            row = 'tr[data-catalog="ja/LC_MESSAGES/stenosis.po"]'
            assert page.locator(f"{row} progress").evaluate("e => [e.value, e.max]") == [27.7, 100]
            assert page.locator(f"{row} .badge.stale").is_visible()
            link = page.locator(f"{row} a")
            assert link.get_attribute("href") == "ja/stenosis.html"
            assert link.evaluate("a => a.href") == (tmp_path / "ja/stenosis.html").as_uri()
            access = 'tr[data-catalog="ja/LC_MESSAGES/access.po"]'
            assert page.locator(f"{access} progress").evaluate("e => e.value") == 100
            assert page.locator(f"{access} .badge").count() == 0
            summary = page.locator('section.locale[data-locale="ja"] .summary progress')
            assert summary.evaluate("e => e.value") == 31.5
            fuzzy = page.locator('section.fuzzy[data-catalog="ja/LC_MESSAGES/stenosis.po"] li')
            assert fuzzy.all_inner_texts() == ["Book an <1>appointment</1> today"]
            en_gb = page.locator('section.locale[data-locale="en_GB"]')
            assert "Nothing is fuzzy." in en_gb.inner_text()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
        finally:
            browser.close()
    assert requested == [dashboard.as_uri()]


@needs_chromium
@pytest.mark.parametrize("width", [1200, 400])
def test_dashboard_table_fits_its_page_in_a_browser(tmp_path: Path, width: int) -> None:
    """With the clinic's long article paths, every column shows at 1200 px (the paths wrap);
    on a phone the table scrolls in its own box rather than widening the page."""
    from playwright.sync_api import sync_playwright

    long_name = "articles/spinal-stenosis-leg-numbness"
    dashboard = tmp_path / "status.html"
    rows = [*sample(), status_of(MIXED, name=long_name, stale=True)]
    dashboard.write_text(render_dashboard(rows, title="Translation status"), encoding="utf-8")
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(dashboard.as_uri())
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            if width == 1200:
                rights = page.locator('section[data-locale="ja"] tr > *').evaluate_all(
                    "cells => cells.map(c => c.getBoundingClientRect().right)"
                )
                assert max(rights) <= width
        finally:
            browser.close()
