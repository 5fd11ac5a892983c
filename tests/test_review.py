"""The review copy (`build --review DIR`): every message of every page marked with its state and
its catalog line, and the site itself the same to the byte.

The project is a copy of the repository's pages and catalogs in which four entries of the
article are planted in the states a reviewer looks for: one fuzzy, one untranslated, one that a
check fails and one whose markup the build refuses. What the pages should say is read from the
catalogs with polib, and the pages with BeautifulSoup over html5lib, not through the pipeline.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import html5lib  # type: ignore[import-untyped]  # no stubs: only its parse errors are read
import polib
import pytest
from bs4 import BeautifulSoup, Tag
from click.testing import CliRunner, Result

from cli import main
from pipeline.build import translate_page
from pipeline.html import decode_page
from pipeline.segments import segment_page

REPO = Path(__file__).resolve().parent.parent
ARTICLE = "articles/spinal-stenosis-leg-numbness.html"
INDEX = "index.html"
ARTICLE_PO = "locales/ja/LC_MESSAGES/articles/spinal-stenosis-leg-numbness.po"
INDEX_PO = "locales/ja/LC_MESSAGES/index.po"
#: The planted entries of the article's catalog.
FUZZY = "These are low-risk, minimally invasive procedures."
FUZZY_BEFORE = "These are low-risk, minimally invasive day procedures."
UNTRANSLATED = (
    "For patients with spinal canal stenosis, we offer the Florence and Q-Florence methods."
)
FAILING = (
    "A device is inserted percutaneously (through the skin) under local anesthesia and "
    "sedation to widen the narrowed spinal canal."
)
REFUSED = "👉 <1>Learn more about the Florence method</1>"
#: A text new to the home page, like one of the article's, whose translation `update` offers.
SUGGESTED = "Numbness spreading to one or both legs"
SUGGESTED_FROM = "Numbness spreading to both legs"
PLACEHOLDER_RE = re.compile(r"</?\d+/?>")
LETTER_RE = re.compile(r"[^\W\d_]")


def entry(po: polib.POFile, msgid: str) -> polib.POEntry:
    found = po.find(msgid)
    assert found is not None and not found.obsolete, f"no entry for {msgid!r}"
    return found


def planted_project(root: Path) -> Path:
    """The repository's pages and catalogs under `root`, with the four planted entries."""
    for part in ("source_html", "locales"):
        shutil.copytree(REPO / part, root / part)
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    po = polib.pofile(str(root / ARTICLE_PO))
    fuzzy = entry(po, FUZZY)
    fuzzy.flags.append("fuzzy")
    fuzzy.previous_msgid = FUZZY_BEFORE
    entry(po, UNTRANSLATED).msgstr = ""
    failing = entry(po, FAILING)
    assert failing.msgstr.endswith("。")
    failing.msgstr = failing.msgstr.removesuffix("。")  # the punctuation check: 。 is kept
    refused = entry(po, REFUSED)
    refused.msgstr = refused.msgstr.replace("</1>", "")  # a placeholder lost
    po.save()
    return root


def build(root: Path, *args: str) -> Result:
    return command(root, "build", "--jobs", "1", *args)


def command(root: Path, *args: str) -> Result:
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.chdir(root)
        return CliRunner().invoke(main, list(args))


def suggested_project(root: Path) -> Path:
    """The planted project whose home page gained `SUGGESTED`, then `extract` and `update`,
    and its review copy built."""
    planted_project(root)
    home = root / "source_html" / INDEX
    text = home.read_text(encoding="utf-8")
    anchor = "\n\n    <section"
    home.write_text(text.replace(anchor, f"\n    <p>{SUGGESTED}</p>{anchor}", 1), encoding="utf-8")
    for args in (["extract"], ["update"], ["build", "--jobs", "1", "--review", "review"]):
        result = command(root, *args)
        assert result.exit_code == 0, result.output
    return root


def msgid_line(po_path: Path, msgid: str) -> int:
    """The line of the entry's `msgid` keyword, found in the file as written."""
    po = polib.pofile(str(po_path))
    start = entry(po, msgid).linenum
    assert start is not None
    lines = po_path.read_text(encoding="utf-8").splitlines()
    return next(n for n in range(start, len(lines) + 1) if lines[n - 1].startswith("msgid "))


def as_text(msgstr: str) -> str:
    return PLACEHOLDER_RE.sub("", msgstr)


def read(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_bytes(), "html5lib")


def spans(page: BeautifulSoup) -> dict[str, Tag]:
    """The marked texts of a page, by their English."""
    return {str(span["data-source"]): span for span in page.select("span.i18n-review")}


def listed(page: BeautifulSoup) -> list[Tag]:
    """The texts listed in the head's template (which CSS selectors do not look into)."""
    template = page.find("template", id="i18n-review-hidden")
    assert isinstance(template, Tag)
    return template.find_all("li", class_="i18n-review")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = planted_project(tmp_path_factory.mktemp("review"))
    result = build(root, "--review", "review")
    assert result.exit_code == 0, result.output
    assert "review: 2 pages reviewed in ja" in result.output
    return root


def test_the_site_is_the_same_with_or_without_a_review(project: Path, tmp_path: Path) -> None:
    plain = planted_project(tmp_path)
    result = build(plain)
    assert result.exit_code == 0, result.output
    built = sorted(p.relative_to(project / "site") for p in (project / "site").rglob("*"))
    assert built == sorted(p.relative_to(plain / "site") for p in (plain / "site").rglob("*"))
    for name in built:
        if (plain / "site" / name).is_file():
            data = (project / "site" / name).read_bytes()
            assert data == (plain / "site" / name).read_bytes(), name
            assert b"i18n-review" not in data, name


def test_a_marker_adds_only_what_it_writes(project: Path) -> None:
    """The build's hook for the review: with nothing to write around each text segment, a page
    is the site's to the byte (translated, untranslated and refused segments, and the attribute
    values inside them, alike)."""
    for name, po_name in ((INDEX, INDEX_PO), (ARTICLE, ARTICLE_PO)):
        path = project / "source_html" / name
        page = segment_page(decode_page(path.read_bytes(), path=str(path)))
        po = polib.pofile(str(project / po_name))
        table: dict[tuple[str | None, str], str] = {
            (e.msgctxt or None, e.msgid): e.msgstr for e in po.translated_entries()
        }
        built = translate_page(page, table)
        assert bool(built.problems) == (name == ARTICLE)  # the refused translation
        assert translate_page(page, table, marker=lambda _: ("", "")) == built
        marked = translate_page(page, table, marker=lambda _: ("[", "]")).data
        assert marked.count(b"[") - built.data.count(b"[") == sum(
            segment.kind == "text" for segment in page.segments
        )


def test_every_text_of_a_reviewed_page_is_inside_a_mark(project: Path) -> None:
    for name in (INDEX, ARTICLE):
        page = read(project / "review" / "ja" / name)
        assert spans(page), name
        for unmarked in page.select(
            "span.i18n-review, template, script, [data-i18n-switcher], time, #i18n-review-bar"
        ):
            unmarked.decompose()
        body = page.body
        assert body is not None
        assert LETTER_RE.findall(body.get_text()) == [], name


def test_each_mark_names_its_catalog_line_and_english(project: Path) -> None:
    for name, po_name in ((INDEX, INDEX_PO), (ARTICLE, ARTICLE_PO)):
        page = read(project / "review" / "ja" / name)
        marks = page.select("span.i18n-review") + listed(page)
        for mark in marks:
            path, _, line = str(mark["data-ref"]).rpartition(":")
            assert path == po_name
            assert int(line) == msgid_line(project / po_name, str(mark["data-source"]))
            assert mark["data-state"] in ("translated", "fuzzy", "untranslated", "failing")
            assert (mark["data-state"] == "failing") == mark.has_attr("data-problems")


def test_the_planted_states_show_what_a_reviewer_needs(project: Path) -> None:
    po = polib.pofile(str(project / ARTICLE_PO))
    marks = spans(read(project / "review" / "ja" / ARTICLE))
    site = read(project / "site" / "ja" / ARTICLE).get_text()

    fuzzy = marks[FUZZY]
    assert fuzzy["data-state"] == "fuzzy"
    assert fuzzy.get_text() == entry(po, FUZZY).msgstr  # the translation to review, marked
    assert fuzzy["data-previous"] == FUZZY_BEFORE
    assert not fuzzy.has_attr("lang")
    assert FUZZY in site and entry(po, FUZZY).msgstr not in site  # the site: English

    untranslated = marks[UNTRANSLATED]
    assert untranslated["data-state"] == "untranslated"
    assert (untranslated.get_text(), untranslated["lang"]) == (UNTRANSLATED, "en")

    failing = marks[FAILING]
    assert failing["data-state"] == "failing"
    assert failing.get_text() == entry(po, FAILING).msgstr
    assert "[punctuation]" in failing["data-problems"]

    refused = marks[REFUSED]
    assert refused["data-state"] == "failing"
    assert (refused.get_text(), refused["lang"]) == (as_text(REFUSED), "en")
    assert refused["data-translation"] == entry(po, REFUSED).msgstr
    assert "</1> is missing" in refused["data-problems"]
    assert "the page keeps the English" in refused["data-problems"]


def test_a_suggestion_shows_update_s_note_of_where_it_came_from(tmp_path: Path) -> None:
    root = suggested_project(tmp_path)
    note = (
        "suggested from articles/spinal-stenosis-leg-numbness.po (89 % similar): "
        '"Numbness spreading to {+one or +}both legs"'
    )
    assert note in entry(polib.pofile(str(root / INDEX_PO)), SUGGESTED).tcomment.splitlines()
    suggested = spans(read(root / "review" / "ja" / INDEX))[SUGGESTED]
    assert suggested["data-state"] == "fuzzy"
    assert (suggested["data-previous"], suggested["data-notes"]) == (SUGGESTED_FROM, note)
    assert not spans(read(root / "review" / "ja" / ARTICLE))[SUGGESTED_FROM].has_attr("data-notes")


def test_a_fuzzy_entry_whose_markup_is_refused_is_fuzzy_only(tmp_path: Path) -> None:
    """Its page keeps the English as the site does any fuzzy entry's: not a problem besides."""
    root = planted_project(tmp_path)
    po = polib.pofile(str(root / ARTICLE_PO))
    entry(po, REFUSED).flags.append("fuzzy")
    po.save()
    result = build(root, "--review", "review")
    assert result.exit_code == 0, result.output
    refused = spans(read(root / "review" / "ja" / ARTICLE))[REFUSED]
    assert refused["data-state"] == "fuzzy"
    assert (refused.get_text(), refused["lang"]) == (as_text(REFUSED), "en")
    assert refused["data-translation"] == entry(po, REFUSED).msgstr
    assert "the page keeps the English" not in str(refused.get("data-problems", ""))


def test_texts_that_are_not_page_text_are_listed_in_the_head(project: Path) -> None:
    raw = (project / "review" / "ja" / ARTICLE).read_text(encoding="utf-8")
    head = raw[: raw.index("</head>")]
    for needed in (
        '<meta name="robots" content="noindex">',
        '<link rel="stylesheet" href="../../review.css">',
        '<script src="../../review.js" defer></script>',
        '<template id="i18n-review-hidden">',
    ):
        assert needed in head
    page = read(project / "review" / "ja" / ARTICLE)
    site = read(project / "site" / "ja" / ARTICLE)
    assert page.title is not None and site.title is not None
    assert page.title.decode_contents() == site.title.decode_contents()  # no markup in a title
    where = {str(item.span.get_text()) if item.span else "": item for item in listed(page)}
    assert {"<title> page title", "<meta description> content", "<img alt>"} <= set(where)
    title = where["<title> page title"]
    assert page.title.get_text() in title.get_text()
    assert title["data-source"] == "Spinal Stenosis and Leg Numbness | Aozora Spine Clinic"


def test_the_review_markup_adds_no_parse_error(project: Path) -> None:
    """html5lib knows no `<template>` in a head (browsers and the standard do): the rest of what
    the review adds is parsed without error, as the site's pages are."""
    for name in (INDEX, ARTICLE):
        for tree in ("site", "review"):
            data = (project / tree / "ja" / name).read_text(encoding="utf-8")
            data = re.sub(r"<template .*?</template>", "", data, flags=re.DOTALL)
            parser = html5lib.HTMLParser(strict=False)
            parser.parse(data)
            assert parser.errors == [], (tree, name)


def test_the_index_lists_every_page_with_its_progress(project: Path) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.chdir(project)
        status = CliRunner().invoke(main, ["status", "--format", "json"])
        check = CliRunner().invoke(main, ["check", "--format", "json", "--fail-on", "never"])
    rows = {row["source"]: row for row in json.loads(status.stdout)["catalogs"]}
    failing: dict[str, set[int]] = {ARTICLE_PO: set(), INDEX_PO: set()}
    for problem in json.loads(check.stdout)["problems"]:  # the entries' problems, fuzzy apart
        if problem["msgid"] and problem["check"] != "fuzzy":
            failing[problem["file"]].add(problem["line"])
    index = read(project / "review" / "index.html")
    listed = index.select('tr[data-locale="ja"]')
    assert sorted(str(tr["data-page"]) for tr in listed) == sorted(rows) == [ARTICLE, INDEX]
    for tr in listed:
        page = str(tr["data-page"])
        links = [str(a["href"]) for a in tr.select("a")]
        assert links == [f"ja/{page}", f"en/{page}"]
        assert all((project / "review" / link).is_file() for link in links)
        cells = [td.get_text(" ", strip=True) for td in tr.select("td")]
        row = rows[page]
        assert cells[1].endswith(f"{row['percent']:.1f} %")
        assert cells[2:6] == [
            f"{row['translated']}/{row['total']}",
            str(row["fuzzy"]),
            str(row["untranslated"]),
            str(len(failing[ARTICLE_PO if page == ARTICLE else INDEX_PO])),
        ]
        assert cells[6] == "published"


def test_held_back_pages_and_missing_catalogs_are_reviewed(tmp_path: Path) -> None:
    root = planted_project(tmp_path)
    (root / INDEX_PO).unlink()
    result = build(root, "--min-percent", "100", "--review", "review")
    assert result.exit_code == 0, result.output
    assert not (root / "site" / "ja" / ARTICLE).exists()
    assert not (root / "site" / "ja" / INDEX).exists()
    index = read(root / "review" / "index.html")
    held = {str(tr["data-page"]): tr.get_text(" ") for tr in index.select("tr")[1:]}
    assert "held back: 9" in held[ARTICLE] and "< 100 %" in held[ARTICLE]
    assert f"held back: no catalog {INDEX_PO}" in held[INDEX]
    home = read(root / "review" / "ja" / INDEX)
    assert home.html is not None and home.html["lang"] == "ja"
    for mark in home.select("span.i18n-review") + listed(home):
        assert (mark["data-state"], mark["data-ref"]) == ("untranslated", INDEX_PO)
        assert "not in the catalog yet" in mark["data-problems"]


@pytest.mark.parametrize("directory", ["site", "site/review", "source_html/review", "locales", "."])
def test_the_review_goes_into_a_directory_of_its_own(project: Path, directory: str) -> None:
    before = sorted((project / "site").rglob("*"))
    result = build(project, "--review", directory)
    assert result.exit_code == 2
    assert "--review: the review copy " in result.output
    assert "write it into a directory of its own" in result.output
    assert sorted((project / "site").rglob("*")) == before
    assert not (project / directory / "review.js").exists()


def test_a_sharded_build_cannot_review(project: Path) -> None:
    result = build(project, "--shard", "1/2", "--review", "elsewhere")
    assert result.exit_code == 2
    assert "--review reviews the whole site: leave out --shard" in result.output
    assert not (project / "elsewhere").exists()
