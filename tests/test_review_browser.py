"""The review copy in a real headless Chromium, opened from disk (file://, no server), as a
reviewer opens a pull request's preview: hovering or focusing a text shows its English, its
state and its catalog line; the states are styled apart; the index lists every page.

The project is `tests/test_review.py`'s: the repository's pages and catalogs with a fuzzy, an
untranslated, a check-failing and a refused entry planted in the article.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import polib
import pytest
from playwright.sync_api import Locator, Page

from tests.browser import CHROMIUM_MARKS
from tests.test_review import (
    ARTICLE,
    ARTICLE_PO,
    FAILING,
    FUZZY,
    FUZZY_BEFORE,
    INDEX,
    INDEX_PO,
    REFUSED,
    SUGGESTED,
    SUGGESTED_FROM,
    UNTRANSLATED,
    as_text,
    build,
    entry,
    msgid_line,
    planted_project,
    suggested_project,
)

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "tests" / "artifacts"
SCREENSHOTS = REPO / "docs" / "screenshots"
TIP = "#i18n-review-tip"

pytestmark = CHROMIUM_MARKS


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = planted_project(tmp_path_factory.mktemp("review"))
    result = build(root, "--review", "review")
    assert result.exit_code == 0, result.output
    return root


def open_review(page: Page, project: Path, name: str) -> None:
    """Open a file of the review copy from disk; every file it loads is there, no script
    fails."""
    failures: list[str] = []
    page.on("requestfailed", lambda request: failures.append(request.url))
    page.on("pageerror", lambda error: failures.append(str(error)))
    page.goto((project / "review" / name).as_uri())
    page.wait_for_load_state("load")
    page.evaluate("() => document.fonts.ready.then(() => true)")
    assert failures == []


def marked(page: Page, msgid: str) -> Locator:
    return page.locator(f"span.i18n-review[data-source={json.dumps(msgid, ensure_ascii=False)}]")


def ref(project: Path, msgid: str) -> str:
    return f"{ARTICLE_PO}:{msgid_line(project / ARTICLE_PO, msgid)}"


@pytest.mark.parametrize(
    ("msgid", "state", "details"),
    [
        (FUZZY, "fuzzy", [FUZZY_BEFORE]),
        (UNTRANSLATED, "untranslated", []),
        (FAILING, "check failing", ["[punctuation]"]),
        (REFUSED, "check failing", ["</1> is missing", "the page keeps the English"]),
        ("What is Spinal Stenosis?", "translated", []),
    ],
)
def test_hovering_a_text_shows_its_english_state_and_catalog_line(
    page: Page, project: Path, msgid: str, state: str, details: list[str]
) -> None:
    open_review(page, project, f"ja/{ARTICLE}")
    tip = page.locator(TIP)
    assert tip.is_hidden()
    marked(page, msgid).hover()
    assert tip.is_visible()
    text = tip.inner_text()
    assert text.startswith(f"{state}:")
    english = (
        "t => [...t.querySelectorAll('dd:not([lang]), li')].every(e => e.matches(':lang(en)'))"
    )
    assert tip.evaluate(english)  # the details are in English, the page's translation is not
    for needed in (ref(project, msgid), msgid, *details):
        assert needed in text
    box, anchor = tip.bounding_box(), marked(page, msgid).bounding_box()
    assert box is not None and anchor is not None
    assert box["y"] >= anchor["y"] or box["y"] + box["height"] <= anchor["y"]  # not over it
    page.mouse.move(5, 5)
    assert tip.is_hidden()


def test_a_suggestion_s_details_say_where_it_came_from(
    page: Page, tmp_path_factory: pytest.TempPathFactory
) -> None:
    project = suggested_project(tmp_path_factory.mktemp("suggested"))
    open_review(page, project, f"ja/{INDEX}")
    marked(page, SUGGESTED).hover()
    text = page.locator(TIP).inner_text()
    note = 'suggested from articles/spinal-stenosis-leg-numbness.po (89 % similar): "Numbness'
    for needed in (f"{INDEX_PO}:", SUGGESTED, SUGGESTED_FROM, note):
        assert needed in text


def test_the_details_let_the_pointer_through_to_the_text_under_them(
    page: Page, project: Path
) -> None:
    """They sit over the next text: that text shows its own details when the pointer gets there."""
    open_review(page, project, f"ja/{ARTICLE}")
    marked(page, FUZZY).hover()
    under = page.evaluate(
        """fuzzy => {
          const tip = document.getElementById('i18n-review-tip');
          const box = tip.getBoundingClientRect();
          for (const mark of document.querySelectorAll('span.i18n-review[data-state]')) {
            if (mark.dataset.source === fuzzy) continue;
            for (const line of mark.getClientRects()) {
              const x = (Math.max(line.left, box.left) + Math.min(line.right, box.right)) / 2;
              const y = (Math.max(line.top, box.top) + Math.min(line.bottom, box.bottom)) / 2;
              const beneath = document.elementsFromPoint(x, y).find(e => !tip.contains(e));
              if (x > box.left && x < box.right && y > box.top && y < box.bottom
                  && beneath && beneath.closest('span.i18n-review') === mark) {
                return {x, y, source: mark.dataset.source};
              }
            }
          }
          return null;
        }""",
        FUZZY,
    )
    assert under is not None  # the details cover another text
    page.mouse.move(under["x"], under["y"])
    tip = page.locator(TIP)
    assert tip.is_visible() and under["source"] in tip.inner_text()
    assert FUZZY not in tip.inner_text()


def test_states_are_styled_apart(page: Page, project: Path) -> None:
    open_review(page, project, f"ja/{ARTICLE}")
    page.mouse.move(0, 0)
    looks = {
        msgid: marked(page, msgid).evaluate(
            """e => { const s = getComputedStyle(e), b = getComputedStyle(e, '::before');
                      return [s.backgroundColor, s.outlineStyle, b.content]; }"""
        )
        for msgid in (FUZZY, UNTRANSLATED, FAILING, "What is Spinal Stenosis?")
    }
    assert looks["What is Spinal Stenosis?"] == ["rgba(0, 0, 0, 0)", "none", "none"]
    assert len({tuple(look) for look in looks.values()}) == 4
    for msgid in (FUZZY, UNTRANSLATED, FAILING):
        background, outline, badge = looks[msgid]
        assert background != "rgba(0, 0, 0, 0)" and outline != "none" and badge != "none"
    assert marked(page, REFUSED).evaluate("e => getComputedStyle(e).outlineStyle") == "double"


def test_keyboard_focus_shows_the_details_to_screen_readers_too(page: Page, project: Path) -> None:
    open_review(page, project, f"ja/{ARTICLE}")
    unreachable = page.evaluate(
        """() => [...document.querySelectorAll('.i18n-review[data-state]')].filter(m =>
             !(m.tabIndex === 0 || m.parentElement.closest('a[href], button, summary')
               || m.querySelector('a[href], button'))).length"""
    )
    assert unreachable == 0
    target = marked(page, UNTRANSLATED)
    for _ in range(300):
        page.keyboard.press("Tab")
        if target.evaluate("e => e === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the untranslated text")
    tip = page.locator(TIP)
    assert tip.is_visible() and tip.get_attribute("role") == "tooltip"
    assert target.get_attribute("aria-describedby") == "i18n-review-tip"
    assert ref(project, UNTRANSLATED) in tip.inner_text()
    page.keyboard.press("Escape")
    assert tip.is_hidden() and target.get_attribute("aria-describedby") is None


def test_a_link_that_is_a_marked_text_shows_it_on_focus(page: Page, project: Path) -> None:
    open_review(page, project, f"ja/{ARTICLE}")
    home = page.locator(".site-nav a").first
    assert home.locator("span.i18n-review").count() == 1  # the link's text, marked inside it
    home.focus()
    text = page.locator(TIP).inner_text()
    assert "Home" in text and "translated" in text
    assert home.get_attribute("aria-describedby") == "i18n-review-tip"


def test_the_bar_counts_the_states_and_goes_to_each(page: Page, project: Path) -> None:
    open_review(page, project, f"ja/{ARTICLE}")
    bar = page.locator("#i18n-review-bar")
    assert bar.get_attribute("lang") == "en"
    assert bar.get_by_role("button", name="1 fuzzy").is_enabled()
    bar.get_by_role("button", name="1 untranslated").click()
    focused = marked(page, UNTRANSLATED)
    assert focused.evaluate("e => e === document.activeElement")
    assert focused.is_visible()
    assert page.locator(TIP).inner_text().startswith("untranslated:")
    failing = bar.locator('button[data-state="failing"]').inner_text()
    assert int(failing.split()[0]) >= 2


def test_texts_that_are_not_page_text_are_in_the_bar(page: Page, project: Path) -> None:
    open_review(page, project, f"ja/{ARTICLE}")
    po = polib.pofile(str(project / ARTICLE_PO))
    title = "Spinal Stenosis and Leg Numbness | Aozora Spine Clinic"
    assert page.title() == entry(po, title).msgstr  # the title holds no mark
    page.locator("#i18n-review-bar summary").click()
    item = page.locator("#i18n-review-bar li", has_text="<title> page title")
    assert item.is_visible()
    assert entry(po, title).msgstr in item.inner_text()
    assert item.get_attribute("lang") is None
    assert item.evaluate("e => e.closest('[lang]').lang") == "ja"
    item.focus()
    text = page.locator(TIP).inner_text()
    assert title in text and ref(project, title) in text


def test_the_index_lists_every_page_with_its_progress_and_links_to_it(
    page: Page, project: Path
) -> None:
    open_review(page, project, "index.html")
    rows = page.locator('tr[data-locale="ja"]')
    assert sorted(rows.evaluate_all("rows => rows.map(r => r.dataset.page)")) == [ARTICLE, INDEX]
    article = rows.filter(has=page.locator(f'a[href="ja/{ARTICLE}"]'))
    assert article.locator("progress").evaluate("p => p.value") < 100
    article.get_by_role("link", name=ARTICLE).click()
    page.wait_for_url((project / "review" / "ja" / ARTICLE).as_uri())
    assert marked(page, FUZZY).inner_text() == as_text(
        entry(polib.pofile(str(project / ARTICLE_PO)), FUZZY).msgstr
    )
    page.locator("#i18n-review-bar").get_by_role("link", name="All pages").click()
    page.wait_for_url((project / "review" / "index.html").as_uri())


def test_review_screenshots(page: Page, project: Path) -> None:
    """tests/artifacts/review-*.png; with UPDATE_SCREENSHOTS=1 also docs/screenshots/ for the
    README: the article where the planted entries are, the details of the refused one shown."""
    open_review(page, project, f"ja/{ARTICLE}")
    marked(page, UNTRANSLATED).evaluate("e => e.scrollIntoView({block: 'start'})")
    page.evaluate("() => window.scrollBy(0, -80)")
    marked(page, REFUSED).hover()
    shots = {"review-article.png": page.screenshot()}
    open_review(page, project, "index.html")
    shots["review-index.png"] = page.screenshot()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, png in shots.items():
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        (ARTIFACTS / name).write_bytes(png)
        committed = SCREENSHOTS / name
        if os.environ.get("UPDATE_SCREENSHOTS") == "1" and (
            not committed.exists() or committed.read_bytes() != png
        ):
            committed.write_bytes(png)
