"""The built site in a real headless Chromium: what a visitor actually sees.

The site is built by the real CLI (`cli.py build`) from the repository's pages and catalogs into
a temporary directory, served over HTTP on 127.0.0.1 and opened in Debian's Chromium. The
expected Japanese text is read from the catalogs with polib, not from the pipeline, so the test
does not share a bug with the code it checks.
"""

from __future__ import annotations

import functools
import os
import re
import threading
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import polib
import pytest
from click.testing import CliRunner
from playwright.sync_api import Browser, Page, Request, Response

from cli import main
from tests.browser import CHROMIUM_MARKS

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "tests" / "artifacts"
SCREENSHOTS = REPO / "docs" / "screenshots"
CATALOGS = REPO / "locales" / "ja" / "LC_MESSAGES"
ASSETS = REPO / "source_html" / "assets"
ARTICLE = "articles/spinal-stenosis-leg-numbness.html"
INDEX = "index.html"

pytestmark = CHROMIUM_MARKS

#: `<1>`, `</1>`, `<2/>`: the inline-markup placeholders of the catalogs.
PLACEHOLDER_RE = re.compile(r"</?\d+/?>")
#: What may remain of a placeholder or a pseudo-translation bracket in a built page.
LEAK_RE = re.compile(r"</?\d+/?>|&lt;/?\d+/?&gt;|[⟦⟧]")
#: Elements whose attributes carry translated text (read out or shown outside the body).
TEXT_ATTRIBUTES_JS = """() => [document.title,
    ...[...document.querySelectorAll('img[alt]')].map(e => e.alt),
    ...[...document.querySelectorAll('[aria-label]')].map(e => e.ariaLabel),
    ...[...document.querySelectorAll(
        'meta[name="description"], meta[property="og:title"], '
        + 'meta[property="og:description"], meta[property="og:site_name"]')].map(e => e.content),
].join('\\n')"""
#: Latin text that belongs on a Japanese page: addresses, the switcher's "English" (lang="en")
#: and the Q of Qフローレンス法.
URL_RE = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+")
ALLOWED_LATIN_RE = re.compile(r"\bEnglish\b|\bQ(?=フ)")
WORD = r"[A-Za-z]+(?:['’][A-Za-z]+)*"
#: Two or more ASCII words on one line, joined by spaces or ASCII punctuation: left-over English.
ENGLISH_RUN_RE = re.compile(rf"{WORD}(?:[ \t\u00a0,.;:!?&/()\-]+{WORD})+")


def english_runs(text: str) -> list[str]:
    """Runs of two or more English words left once URLs and allowed names are removed."""
    text = ALLOWED_LATIN_RE.sub(" ", URL_RE.sub(" ", text))
    return ENGLISH_RUN_RE.findall(text)


def as_text(msgstr: str) -> str:
    """A msgstr as the page shows it: placeholders gone, whitespace ignored."""
    return squeeze(PLACEHOLDER_RE.sub("", msgstr))


def squeeze(text: str) -> str:
    return "".join(text.split())


# ---------------------------------------------------------------------------------------------
# Fixtures: the built site, a server for it, the catalogs and a browser.


@dataclass(frozen=True, slots=True)
class Site:
    root: Path
    url: str  # http://127.0.0.1:PORT/
    base_url: str  # the configured public base URL used in hreflang alternates

    def page_url(self, locale: str, page: str) -> str:
        return f"{self.url}{locale}/{page}"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("site")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.chdir(REPO)
        result = CliRunner().invoke(main, ["build", "--output", str(output), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    for locale in ("en", "ja"):
        for page in (INDEX, ARTICLE):
            assert (output / locale / page).is_file(), f"{locale}/{page} not built"
    # Stylesheet and pictures are copied beside the pages of each locale, as the pages link them.
    for source in sorted(p for p in ASSETS.rglob("*") if p.is_file()):
        for locale in ("en", "ja"):
            copy = output / locale / "assets" / source.relative_to(ASSETS)
            assert copy.is_file() and copy.read_bytes() == source.read_bytes(), copy
    return output


@pytest.fixture(scope="module")
def site(built: Path) -> Iterator[Site]:
    handler = functools.partial(QuietHandler, directory=str(built))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with (REPO / "pyproject.toml").open("rb") as file:
        base_url = tomllib.load(file)["tool"]["pipeline"]["base_url"]
    try:
        yield Site(built, f"http://127.0.0.1:{server.server_address[1]}/", base_url)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def catalogs() -> dict[str, polib.POFile]:
    return {
        INDEX: polib.pofile(str(CATALOGS / "index.po")),
        ARTICLE: polib.pofile(str(CATALOGS / "articles" / "spinal-stenosis-leg-numbness.po")),
    }


def msgstr(catalog: polib.POFile, msgid: str) -> str:
    entry = catalog.find(msgid)
    assert entry is not None and not entry.obsolete, f"no entry for {msgid!r}"
    assert entry.msgstr and "fuzzy" not in entry.flags, f"{msgid!r} is not translated"
    return entry.msgstr


def open_page(page: Page, site: Site, locale: str, name: str) -> None:
    """Load a built page; every request it makes to the local site (CSS, images) must succeed."""
    failures: list[str] = []

    def on_response(response: Response) -> None:
        if response.url.startswith(site.url) and response.status >= 400:
            failures.append(f"{response.status} {response.url}")

    def on_failed(request: Request) -> None:
        failures.append(f"{request.failure} {request.url}")

    page.on("response", on_response)
    page.on("requestfailed", on_failed)
    try:
        response = page.goto(site.page_url(locale, name))
        page.wait_for_load_state("load")
    finally:
        page.remove_listener("response", on_response)
        page.remove_listener("requestfailed", on_failed)
    assert response is not None and response.ok
    assert failures == [], f"{locale}/{name}: requests to the local site failed"


def body_text(page: Page) -> str:
    return page.locator("body").inner_text()


# ---------------------------------------------------------------------------------------------
# Language, titles and the translated text as built.


@pytest.mark.parametrize("locale", ["en", "ja"])
@pytest.mark.parametrize("name", [ARTICLE, INDEX])
def test_html_lang_is_the_page_locale(page: Page, site: Site, locale: str, name: str) -> None:
    open_page(page, site, locale, name)
    assert page.locator("html").get_attribute("lang") == locale


def test_japanese_article_shows_the_catalog_translations(
    page: Page, site: Site, catalogs: dict[str, polib.POFile]
) -> None:
    po = catalogs[ARTICLE]
    open_page(page, site, "ja", ARTICLE)
    assert page.title() == msgstr(po, "Spinal Stenosis and Leg Numbness | Aozora Spine Clinic")
    assert page.locator("h1").inner_text() == msgstr(po, "Spinal Stenosis and Leg Numbness")
    lead = page.locator("article > p").all_inner_texts()
    assert lead == [
        msgstr(
            po,
            "Spinal stenosis is a condition where the spinal canal, the pathway for the nerves "
            "within the spine, becomes narrowed.",
        ),
        msgstr(
            po, "This article explains the relationship between spinal stenosis and leg numbness."
        ),
    ]
    first = page.locator("article > section").first
    assert first.locator("h2").inner_text() == msgstr(po, "What is Spinal Stenosis?")
    assert first.locator("p").inner_text() == msgstr(
        po,
        "Spinal stenosis is a condition where the spinal canal (the nerve pathway) narrows, "
        "leading to compression of the spinal nerves. When the instability of the lumbar "
        "vertebrae is the cause, pain often worsens with body movement.",
    )
    assert first.locator("img").get_attribute("alt") == msgstr(
        po,
        "Illustration of the lumbar spine with a narrowed spinal canal pressing on the nerves",
    )
    symptoms = page.locator("section", has=page.locator("ul > li")).first
    assert symptoms.locator("h2").inner_text() == msgstr(po, "When Should You See a Doctor?")
    assert symptoms.locator("li").all_inner_texts() == [
        msgstr(po, "Shortened walking distance"),
        msgstr(po, "Numbness spreading to both legs"),
        msgstr(po, "Weakness in the legs"),
    ]
    claudication = msgstr(
        po,
        "One of the most characteristic symptoms of spinal canal stenosis is "
        "<1>intermittent claudication</1>.",
    )
    emphasized = re.search(r"<1>(.*?)</1>", claudication)
    assert emphasized is not None
    strong = page.locator("strong", has_text=emphasized.group(1)).first
    assert strong.inner_text() == emphasized.group(1)
    assert strong.locator("xpath=..").inner_text() == PLACEHOLDER_RE.sub("", claudication)


def test_japanese_index_shows_the_catalog_translations(
    page: Page, site: Site, catalogs: dict[str, polib.POFile]
) -> None:
    po = catalogs[INDEX]
    open_page(page, site, "ja", INDEX)
    assert page.title() == msgstr(
        po, "Aozora Spine Clinic | Minimally Invasive Spine Treatment in Tokyo"
    )
    assert page.locator("h1").inner_text() == msgstr(po, "Welcome to Aozora Spine Clinic")
    latest = page.locator("#latest-articles")
    assert latest.locator("h2").inner_text() == msgstr(po, "Latest articles")
    assert latest.locator("li a").inner_text() == msgstr(po, "Spinal Stenosis and Leg Numbness")


@pytest.mark.parametrize("name", [ARTICLE, INDEX])
def test_every_japanese_translation_is_on_the_page(
    page: Page, site: Site, catalogs: dict[str, polib.POFile], name: str
) -> None:
    open_page(page, site, "ja", name)
    text = squeeze(body_text(page) + page.evaluate(TEXT_ATTRIBUTES_JS))
    missing = [
        entry.msgid
        for entry in catalogs[name].translated_entries()
        if not entry.obsolete and as_text(entry.msgstr) not in text
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("locale", "expected"), [("en", "October 24, 2025"), ("ja", "2025年10月24日")]
)
def test_article_date(page: Page, site: Site, locale: str, expected: str) -> None:
    open_page(page, site, locale, ARTICLE)
    time = page.locator('time[datetime="2025-10-24"]')
    assert time.inner_text() == expected


# ---------------------------------------------------------------------------------------------
# Rendering: real glyphs, no markup or English left over.


def platform_fonts(page: Page, selector: str) -> dict[str, int]:
    """Family → glyph count of the fonts Chromium used for the text children of `selector`."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node, f"no {selector} on the page"
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    finally:
        cdp.detach()
    return {font["familyName"]: font["glyphCount"] for font in fonts}


@pytest.mark.parametrize("name", [ARTICLE, INDEX])
@pytest.mark.parametrize("selector", ["h1", "main p:not(.article-date)", "strong"])
def test_japanese_renders_with_a_japanese_cjk_font(
    page: Page, site: Site, name: str, selector: str
) -> None:
    open_page(page, site, "ja", name)
    fonts = platform_fonts(page, selector)
    assert fonts, f"no font was used for {selector}"
    # Every glyph comes from Noto CJK (no fallback to a font without the characters: no tofu),
    # and from its Japanese variant, chosen because of lang="ja" (SC/TC shapes differ).
    assert all(family.startswith("Noto Sans CJK JP") for family in fonts), fonts
    text = page.locator(selector).first.evaluate(
        "e => [...e.childNodes].filter(n => n.nodeType === 3).map(n => n.data).join('')"
    )
    assert sum(fonts.values()) >= len(squeeze(text))


@pytest.mark.parametrize("locale", ["en", "ja"])
@pytest.mark.parametrize("name", [ARTICLE, INDEX])
def test_no_placeholder_marks_leak(page: Page, site: Site, locale: str, name: str) -> None:
    open_page(page, site, locale, name)
    assert LEAK_RE.findall(body_text(page)) == []
    assert LEAK_RE.findall(page.title()) == []
    assert LEAK_RE.findall(page.evaluate(TEXT_ATTRIBUTES_JS)) == []


@pytest.mark.parametrize("name", [ARTICLE, INDEX])
def test_no_english_left_in_the_japanese_page(page: Page, site: Site, name: str) -> None:
    open_page(page, site, "en", name)
    assert english_runs(body_text(page)), "the detector finds nothing even on the English page"
    open_page(page, site, "ja", name)
    assert english_runs(body_text(page)) == []
    assert english_runs(page.evaluate(TEXT_ATTRIBUTES_JS)) == []


def test_article_illustration_loads(page: Page, site: Site) -> None:
    for locale in ("en", "ja"):
        open_page(page, site, locale, ARTICLE)
        image = page.locator("article figure img")
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")


#: For each block of text in `main`, the phrases of `words` that a line break splits, and the
#: lines (trimmed) that hold nothing but `す。`: read from where each character is drawn.
LINE_BREAKS_JS = """(words) => {
  const split = [], alone = [];
  let seen = 0;
  for (const block of document.querySelectorAll('main :is(p, li, h1, h2, h3)')) {
    const chars = [];
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.data.length; i++) {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const rects = range.getClientRects();
        if (rects.length) chars.push([node.data[i], rects[0].top]);
      }
    }
    const text = chars.map(c => c[0]).join('');
    for (const word of words) {
      for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
        seen++;
        const tops = chars.slice(at, at + word.length).map(c => c[1]);
        if (Math.max(...tops) - Math.min(...tops) > 4) split.push(word + ' in ' + text.trim());
      }
    }
    let line = '', top = null;
    for (const [char, charTop] of [...chars, ['', Infinity]]) {
      if (top !== null && Math.abs(charTop - top) > 4) {
        if (line.trim() === 'す。') alone.push(text.trim());
        line = '';
      }
      top = charTop;
      line += char;
    }
  }
  return {seen, split, alone};
}"""


def test_japanese_lines_break_between_phrases(page: Page, site: Site) -> None:
    """word-break: auto-phrase keeps 下肢 and 脊柱管 whole and leaves no 「す。」 alone on a
    line, at every width of the article's column; line-break: strict stays for kinsoku."""
    open_page(page, site, "ja", ARTICLE)
    style = page.locator("main p").first.evaluate(
        "p => [getComputedStyle(p).wordBreak, getComputedStyle(p).lineBreak]"
    )
    assert style == ["auto-phrase", "strict"]
    assert page.locator("h2").first.evaluate("h => getComputedStyle(h).textWrapStyle") == "balance"
    for width in range(700, 901, 20):  # the column narrows below 748 px (44rem)
        page.set_viewport_size({"width": width, "height": 900})
        lines = page.evaluate(LINE_BREAKS_JS, ["下肢", "脊柱管"])
        assert lines["seen"] > 10, width
        assert (width, lines["split"], lines["alone"]) == (width, [], [])


# ---------------------------------------------------------------------------------------------
# The bilingual site: alternates, switcher and links.


def alternates(page: Page) -> dict[str, str]:
    links = page.locator('head link[rel="alternate"][hreflang]')
    return {
        str(link.get_attribute("hreflang")): str(link.get_attribute("href")) for link in links.all()
    }


@pytest.mark.parametrize("name", [ARTICLE, INDEX])
def test_hreflang_alternates_both_ways(page: Page, site: Site, name: str) -> None:
    expected = {
        "en": f"{site.base_url}en/{name}",
        "ja": f"{site.base_url}ja/{name}",
        "x-default": f"{site.base_url}en/{name}",
    }
    for locale in ("en", "ja"):
        open_page(page, site, locale, name)
        assert alternates(page) == expected, locale
        assert page.locator('head link[rel="alternate"]').count() == 3


@pytest.mark.parametrize("name", [ARTICLE, INDEX])
def test_language_switcher_goes_there_and_back(page: Page, site: Site, name: str) -> None:
    open_page(page, site, "ja", name)
    switcher = page.locator("[data-i18n-switcher]")
    assert switcher.locator('[aria-current="page"]').inner_text() == "日本語"
    switcher.get_by_role("link", name="English").click()
    page.wait_for_url(site.page_url("en", name))
    assert page.locator("html").get_attribute("lang") == "en"
    assert switcher.locator('[aria-current="page"]').inner_text() == "English"
    switcher.get_by_role("link", name="日本語").click()
    page.wait_for_url(site.page_url("ja", name))
    assert page.locator("html").get_attribute("lang") == "ja"


@pytest.mark.parametrize(
    ("language", "expected"), [("ja-JP", "ja"), ("ja", "ja"), ("en-GB", "en"), ("fr-FR", "en")]
)
def test_the_site_root_sends_visitors_to_their_language(
    browser: Browser, site: Site, language: str, expected: str
) -> None:
    """`/` is the build's index.html: the home page in the browser's language, else x-default."""
    context = browser.new_context(locale=language)
    try:
        page = context.new_page()
        page.goto(site.url)
        page.wait_for_url(site.page_url(expected, INDEX))
        assert page.locator("html").get_attribute("lang") == expected
    finally:
        context.close()


def test_the_site_root_without_script_lists_each_language(browser: Browser, site: Site) -> None:
    context = browser.new_context(locale="ja-JP", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site.url)
        assert page.url == site.url
        links = page.locator("body a")
        assert links.all_inner_texts() == ["English", "日本語"]
        assert [link.get_attribute("lang") for link in links.all()] == ["en", "ja"]
        links.get_by_text("日本語").click()
        page.wait_for_url(site.page_url("ja", INDEX))
    finally:
        context.close()


def local_links(page: Page, site: Site) -> list[str]:
    hrefs = page.locator("a[href]").evaluate_all("links => links.map(a => a.href)")
    return [href for href in hrefs if href.startswith(site.url)]


def test_japanese_article_links_stay_in_japanese(
    page: Page, site: Site, catalogs: dict[str, polib.POFile]
) -> None:
    open_page(page, site, "ja", ARTICLE)
    switcher = page.locator("[data-i18n-switcher] a").evaluate_all("a => a.map(e => e.href)")
    to_index = [
        href
        for href in local_links(page, site)
        if urlsplit(href).path.endswith("/index.html") and href not in switcher
    ]
    assert len(to_index) >= 5  # logo, menu and footer: ホーム, コラム
    assert all(urlsplit(href).path == f"/ja/{INDEX}" for href in to_index), to_index
    leaving = [href for href in local_links(page, site) if not href.startswith(site.url + "ja/")]
    assert leaving == switcher
    page.locator(".site-logo a").click()
    page.wait_for_url(site.page_url("ja", INDEX))
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.locator("h1").inner_text() == msgstr(
        catalogs[INDEX], "Welcome to Aozora Spine Clinic"
    )
    articles = msgstr(catalogs[INDEX], "Articles")
    page.locator(".site-nav").get_by_role("link", name=articles).click()
    page.wait_for_url(site.page_url("ja", INDEX) + "#latest-articles")
    page.locator("#latest-articles a").click()
    page.wait_for_url(site.page_url("ja", ARTICLE))
    assert page.locator("html").get_attribute("lang") == "ja"


def test_english_article_links_stay_in_english(page: Page, site: Site) -> None:
    open_page(page, site, "en", ARTICLE)
    switcher = page.locator("[data-i18n-switcher] a").evaluate_all("a => a.map(e => e.href)")
    assert switcher == [urljoin(site.url, f"ja/{ARTICLE}")]
    leaving = [href for href in local_links(page, site) if not href.startswith(site.url + "en/")]
    assert leaving == switcher


# ---------------------------------------------------------------------------------------------
# Screenshots for people: tests/artifacts/ (ignored by git); with UPDATE_SCREENSHOTS=1 the
# article ones also go to docs/screenshots/ for the README.


@pytest.mark.parametrize("locale", ["en", "ja"])
@pytest.mark.parametrize(("name", "stem"), [(ARTICLE, "article"), (INDEX, "index")])
def test_screenshot(page: Page, site: Site, locale: str, name: str, stem: str) -> None:
    open_page(page, site, locale, name)
    page.evaluate("() => document.fonts.ready.then(() => true)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"{locale}-{stem}.png"
    png = page.screenshot(path=str(shot), full_page=True)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    if stem == "article" and os.environ.get("UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        committed = SCREENSHOTS / shot.name
        if not committed.exists() or committed.read_bytes() != png:
            committed.write_bytes(png)
