"""The review copy: the localized site with every message marked by its state and catalog line.

`build --review DIR` writes it into a directory of its own, never into the site: every page in
every locale built (held-back ones too: they need a look most), each text segment wrapped in a
`<span class="i18n-review">` that carries its message's state, its `path:line` in the catalog,
its English and the problems `check` finds in it. What a span cannot hold (the title, the meta
descriptions, alt and aria-label values) is listed in a `<template>` in the head, which the
script shows in a bar at the foot of the page. A stylesheet and a script at the root of DIR mark
the states and show a message's details on hover and focus; `DIR/index.html` lists every page
with its progress. Static files only, so CI can publish the directory as a pull request's
preview.

A fuzzy entry shows its translation, marked: whether that text still says what the new English
says is the reviewer's question, and it takes both in view (the English, the English the
translation was made for, and `update`'s note of where it came from are in the details). The
site never shows it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from pipeline import files
from pipeline.build import Edit, assemble, escape_attribute, escape_text, refusal, translate_page
from pipeline.checks import FUZZY_CHECK, Problem, ProjectChecks
from pipeline.config import Settings
from pipeline.locale_codes import language_tag
from pipeline.model import Catalog, Message, PipelineError
from pipeline.project import catalog_name, load_page, page_template, read_catalog
from pipeline.segments import PageSegments, Segment
from pipeline.site import SiteMap, site_edits
from pipeline.status import CATCH_UP, CatalogStatus, behind, catalog_status, summarize
from pipeline.triage import is_note
from pipeline.workers import parallel, split_errors

State = Literal["translated", "fuzzy", "untranslated", "failing"]
#: Each state's name and what it means for the page: the index's legend and the script's
#: details both say it in these words.
STATES: dict[State, tuple[str, str]] = {
    "translated": ("translated", "the translation, as the site shows it"),
    "fuzzy": (
        "fuzzy",
        "the translation shown waits for review; the site shows the English until a translator "
        "clears the fuzzy flag",
    ),
    "untranslated": ("untranslated", "no translation yet; the English shows, on the site too"),
    "failing": ("check failing", "a check found a problem, listed in the details"),
}
#: The files at the root of the review copy, beside the locales' directories.
STYLESHEET = "review.css"
SCRIPT = "review.js"
INDEX = "index.html"
#: The `<template>` in each page's head listing the texts that are not page text.
HIDDEN_ID = "i18n-review-hidden"


@dataclass(frozen=True, slots=True)
class Mark:
    """What a reviewer is told about one message where the page holds it."""

    state: State
    #: `locales/ja/LC_MESSAGES/index.po:40`; the catalog alone when it lacks the message.
    ref: str
    #: The msgid, placeholders as the catalog writes them.
    source: str
    #: What the page shows: the translation, or the source where there is none to splice.
    shown: str
    #: Whether `shown` is the source text (then it is marked as in the source language).
    shows_source: bool
    #: A fuzzy entry's `#| msgid`: the English its translation was made for.
    previous: str | None
    #: `update`'s notes on the entry: what changed in its English, where a suggestion came from.
    notes: tuple[str, ...]
    #: A translation the page does not show: the build refuses its markup.
    unshown: str | None
    #: `severity: [check] message` of each problem, and why the page keeps the English (but
    #: for a fuzzy entry's, which the site does not show anyway).
    problems: tuple[str, ...]


def _translation(message: Message) -> str:
    """The text a review shows for an entry: a finished or fuzzy singular msgstr, else ""."""
    return message.msgstr if message.msgid_plural is None else ""


def _mark(
    segment: Segment, message: Message | None, *, catalog: str, problems: tuple[str, ...]
) -> Mark:
    """The state of a segment's message and what to say about it; `problems` are the check's
    findings for its entry."""
    if message is None:
        return Mark(
            "untranslated",
            catalog,
            segment.msgid,
            segment.msgid,
            True,
            None,
            (),
            None,
            (f"not in the catalog yet: {CATCH_UP}",),
        )
    msgstr = _translation(message)
    refused = refusal(segment, msgstr) if msgstr and msgstr != segment.msgid else None
    fuzzy = message.fuzzy and bool(msgstr)
    if refused is not None and not fuzzy:  # a fuzzy one's English shows on the site anyway
        problems = (*problems, f"the page keeps the English: {refused}")
    state: State
    if fuzzy:
        state = "fuzzy"
    elif not message.translated:
        state = "untranslated"
    else:
        state = "failing" if problems else "translated"
    shows_source = not msgstr or refused is not None
    return Mark(
        state,
        f"{catalog}:{message.line}",
        segment.msgid,
        segment.msgid if shows_source else msgstr,
        shows_source,
        message.previous_msgid if message.fuzzy else None,
        tuple(comment for comment in message.translator_comments if is_note(comment)),
        msgstr if refused is not None else None,
        problems,
    )


def _start_tag(tag: str, mark: Mark, source_tag: str) -> str:
    """`<span class="i18n-review" data-state=… data-ref=… data-source=…>` (or an `li`)."""
    attributes = [
        ("class", "i18n-review"),
        ("data-state", mark.state),
        ("data-ref", mark.ref),
        ("data-source", mark.source),
    ]
    if mark.previous:
        attributes.append(("data-previous", mark.previous))
    if mark.notes:
        attributes.append(("data-notes", "\n".join(mark.notes)))
    if mark.unshown:
        attributes.append(("data-translation", mark.unshown))
    if mark.problems:
        attributes.append(("data-problems", "\n".join(mark.problems)))
    if mark.shows_source:
        attributes.append(("lang", source_tag))
    written = "".join(f' {name}="{escape_attribute(value, chr(34))}"' for name, value in attributes)
    return f"<{tag}{written}>"


def review_page(
    segments: PageSegments,
    *,
    page: str,
    locale: str,
    site: SiteMap,
    catalog: Catalog | None,
    catalog_ref: str,
    problems: Mapping[int, tuple[str, ...]],
) -> tuple[bytes, list[tuple[Segment, Mark]]]:
    """The page in `locale` as the site would build it, fuzzy translations in, every message
    marked; and each segment's mark. `problems` are the check's findings by entry line."""
    entries = {} if catalog is None else {m.key: m for m in catalog.active}
    marks = []
    for segment in segments.segments:
        message = entries.get((segment.msgctxt, segment.msgid))
        found = () if message is None else problems.get(message.line, ())
        marks.append((segment, _mark(segment, message, catalog=catalog_ref, problems=found)))
    by_start = {segment.start: mark for segment, mark in marks}
    source_tag = language_tag(site.source_locale)
    newline = segments.page.newline
    hidden = "".join(
        _start_tag("li", mark, source_tag)
        + f'<span class="i18n-review-where">{escape_text(segment.comments[0], newline)}</span> '
        + escape_text(mark.shown, newline)
        + "</li>"
        for segment, mark in marks
        if segment.kind != "text"
    )
    up = "../" * (page.count("/") + 1)
    head = (
        '<meta name="robots" content="noindex">'
        f'<link rel="stylesheet" href="{up}{STYLESHEET}">'
        f'<script src="{up}{SCRIPT}" defer></script>'
        f'<template id="{HIDDEN_ID}">{hidden}</template>{newline}'
    )
    anchor = segments.head_tag or segments.html_tag
    at = (
        segments.head_end
        if segments.head_end is not None
        else anchor.end
        if anchor is not None
        else len(segments.page.text)
    )
    head_edit = Edit(at, at, (head,))
    shown = {key: _translation(m) for key, m in entries.items() if _translation(m)}
    built = translate_page(
        segments,
        shown,
        site_edits=(*site_edits(segments, path=page, locale=locale, site=site), head_edit),
        marker=lambda segment: (_start_tag("span", by_start[segment.start], source_tag), "</span>"),
    )
    return built.data, marks


# --- the whole copy ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PageReview:
    """One page in one locale, for the index."""

    status: CatalogStatus
    #: The catalog as the project names it (`locales/ja/LC_MESSAGES/index.po`).
    catalog: str
    #: How many of the page's messages a check fails.
    failing: int


@dataclass(frozen=True, slots=True)
class ReviewReport:
    #: The files written (those already as they should be are not).
    written: tuple[str, ...]
    pages: tuple[PageReview, ...]
    #: Pages and catalogs that could not be read: those pages have no review.
    errors: tuple[PipelineError, ...]


@dataclass(frozen=True, slots=True)
class _Context:
    """What every page's review needs (sent once to each worker process)."""

    settings: Settings
    locales: tuple[str, ...]
    site: SiteMap
    directory: Path
    #: What `check` checks each locale's entries against.
    checks: ProjectChecks


@dataclass(frozen=True, slots=True)
class _Reviewed:
    pages: tuple[PageReview, ...]
    written: tuple[str, ...]


def check_directory(settings: Settings, directory: Path) -> None:
    """The review copy goes into a directory of its own: never into the site, which stays free
    of it, nor into or around the pages and catalogs it reads."""
    files.refuse_overlap(
        directory,
        "--review: the review copy",
        (settings.output, "the site"),
        (settings.source, "the source directory"),
        (settings.locales, "the catalogs"),
        advice="write it into a directory of its own",
    )


def write_review(
    settings: Settings,
    locales: tuple[str, ...],
    directory: Path,
    *,
    jobs: int,
    held_back: Mapping[tuple[str, str], str],
) -> ReviewReport:
    """Write the review copy of every page in the source locale and `locales` into `directory`,
    with its stylesheet, script and index. `held_back` is the build's (locale, page) → reason,
    which the index shows."""
    check_directory(settings, directory)
    pages, assets = files.find_pages_and_assets(settings.source)
    everywhere = frozenset(pages)  # held-back pages are reviewed and linked too
    site = SiteMap(
        settings.source_locale,
        {locale: everywhere for locale in (settings.source_locale, *locales)},
        settings.base_url,
        settings.date_format,
        frozenset(assets),
    )
    context = _Context(
        settings,
        locales,
        site,
        directory,
        ProjectChecks.load(
            settings.locales,
            locales,
            source_locale=settings.source_locale,
            grades=settings.severity,
        ),
    )
    reviewed, errors = split_errors(parallel(_review_page, context, pages, jobs))
    written = [name for result in reviewed for name in result.written]
    tree = files.Tree(directory)
    for asset in assets:
        data = files.read_bytes(files.inside(settings.source, asset))
        for locale in (settings.source_locale, *locales):
            path = tree.path(f"{locale}/{asset}")
            if files.atomic_write(path, data, durable=False):
                written.append(str(path))
    rows = tuple(row for result in reviewed for row in result.pages)
    index = render_index(rows, source_locale=settings.source_locale, held_back=held_back)
    for name, text in ((STYLESHEET, _STYLESHEET), (SCRIPT, _script()), (INDEX, index)):
        if files.atomic_write(tree.path(name), text.encode(), durable=False):
            written.append(str(tree.path(name)))
    return ReviewReport(tuple(written), rows, tuple(errors))


def _review_page(context: _Context, page: str) -> _Reviewed:
    """The page in the source locale and in each locale reviewed, written; its index rows."""
    settings = context.settings
    segments = load_page(settings, page)
    template = page_template(settings, page, segments)
    source_edits = site_edits(segments, path=page, locale=settings.source_locale, site=context.site)
    outputs = [(settings.source_locale, assemble(segments, list(source_edits)))]
    rows = []
    for locale in context.locales:
        name = catalog_name(locale, page)
        path = files.inside(settings.locales, name)
        catalog = read_catalog(path)
        shown = path.as_posix()
        by_line: dict[int, tuple[str, ...]] = {}
        for problem in _problems(catalog, context, locale, shown):
            described = f"{problem.severity}: [{problem.check}] {problem.message}"
            by_line[problem.line] = (*by_line.get(problem.line, ()), described)
        data, marks = review_page(
            segments,
            page=page,
            locale=locale,
            site=context.site,
            catalog=catalog,
            catalog_ref=shown,
            problems=by_line,
        )
        outputs.append((locale, data))
        status = catalog_status(
            catalog,
            template=template,
            locale=locale,
            catalog_path=name,
            source_path=page,
            stale=behind(template, catalog),
        )
        failing = {(s.msgctxt, s.msgid) for s, mark in marks if mark.state == "failing"}
        rows.append(PageReview(status, shown, len(failing)))
    tree = files.Tree(context.directory)
    written = tuple(
        str(path)
        for locale, data in outputs
        if files.atomic_write(path := tree.path(f"{locale}/{page}"), data, durable=False)
    )
    return _Reviewed(tuple(rows), written)


def _problems(
    catalog: Catalog | None, context: _Context, locale: str, path: str
) -> tuple[Problem, ...]:
    """The check's findings for the catalog's entries, but `fuzzy`: a state of its own here."""
    if catalog is None:
        return ()
    found = context.checks.catalog(catalog, path=path, locale=locale)
    return tuple(problem for problem in found if problem.check != FUZZY_CHECK)


# --- the index ---------------------------------------------------------------------------------


def _esc(text: str) -> str:
    return escape_attribute(text, '"')


def render_index(
    rows: Sequence[PageReview], *, source_locale: str, held_back: Mapping[tuple[str, str], str]
) -> str:
    """Every page in every locale reviewed, with its progress, linked; deterministic."""
    legend = "".join(  # marked as on the pages
        f'<li><span class="i18n-review" data-state="{state}">{name}</span> {meaning}'
        + (" (outlined only under the pointer and with the focus)" if state == "translated" else "")
        + "</li>"
        for state, (name, meaning) in STATES.items()
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="robots" content="noindex">',
        "<title>Translation review</title>",
        f'<link rel="stylesheet" href="{STYLESHEET}"></head>',
        '<body class="i18n-review-index"><h1>Translation review</h1>',
        "<p>Every page as it reads in each language, pages the site holds back included. On a "
        "page, hover over a text or focus it (Tab) to see its English, its state and its line "
        "in the catalog; the bar at the foot of the page counts the states, goes to the next "
        "one of each, and lists the texts that are not page text (title, descriptions, alt "
        "texts). The site itself has none of these marks.</p>",
        f'<ul class="i18n-review-legend">{legend}</ul>',
    ]
    ordered = sorted(rows, key=lambda r: (r.status.locale, r.status.source))
    for locale, summary in summarize(r.status for r in ordered).items():
        parts += [
            f'<section data-locale="{_esc(locale)}"><h2>{_esc(locale)}</h2>',
            f"<p>{summary.percent:.1f} % of words translated ({summary.words_translated} of "
            f"{summary.words_total}); messages: {summary.translated} of {summary.total} "
            f"translated, {summary.fuzzy} fuzzy, {summary.untranslated} untranslated.</p>",
            "<table><thead><tr><th>Page</th><th>Words translated</th><th>Translated</th>"
            "<th>Fuzzy</th><th>Untranslated</th><th>Check failing</th><th>On the site</th>"
            "</tr></thead><tbody>",
            *(
                _index_row(row, source_locale, held_back)
                for row in ordered
                if row.status.locale == locale
            ),
            "</tbody></table></section>",
        ]
    if not rows:
        parts.append("<p>No pages.</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _index_row(
    row: PageReview, source_locale: str, held_back: Mapping[tuple[str, str], str]
) -> str:
    s = row.status
    held = held_back.get((s.locale, s.source))
    published = f'<span class="held">held back: {_esc(held)}</span>' if held else "published"
    behind_page = ' <span class="held">catalog behind its page</span>' if s.stale else ""
    return (
        f'<tr data-locale="{_esc(s.locale)}" data-page="{_esc(s.source)}">'
        f'<td><a href="{_esc(quote(f"{s.locale}/{s.source}"))}">{_esc(s.source)}</a> '
        f'(<a href="{_esc(quote(f"{source_locale}/{s.source}"))}">{_esc(source_locale)}</a>)'
        f"{behind_page}<br><code>{_esc(row.catalog)}</code></td>"
        f'<td><progress max="100" value="{s.percent:.1f}">{s.percent:.1f} %</progress> '
        f"{s.percent:.1f} %</td>"
        f"<td>{s.translated}/{s.total}</td><td>{s.fuzzy}</td><td>{s.untranslated}</td>"
        f"<td>{row.failing}</td><td>{published}</td></tr>"
    )


# --- the stylesheet and the script ------------------------------------------------------------

_STYLESHEET = """\
/* The review copy's marks (pipeline/review.py); the published site has none of this. */
.i18n-review[data-state] {
  border-radius: 2px;
  outline-offset: 1px;
  -webkit-box-decoration-break: clone;
  box-decoration-break: clone;
}
.i18n-review[data-state="untranslated"] { background: #ffe1dc; outline: 2px dashed #c62828; }
.i18n-review[data-state="fuzzy"] { background: #fff0b3; outline: 2px dotted #9a5b00; }
.i18n-review[data-state="failing"] { background: #f5e1fa; outline: 3px double #8e24aa; }
.i18n-review[data-state]:is(:hover, :focus, :focus-within) { outline-color: #1f6fb2; }
.i18n-review[data-state="translated"]:is(:hover, :focus, :focus-within) {
  outline: 2px solid #1f6fb2;
}

/* A badge before each marked text and each key of the legend: the state without colour. */
.i18n-review:not([data-state="translated"])::before,
.i18n-review-key::before {
  display: inline-block;
  margin-right: 0.3em;
  padding: 0 0.35em;
  border-radius: 3px;
  color: #fff;
  font: 700 11px/1.5 system-ui, sans-serif;
  letter-spacing: 0;
  vertical-align: 0.1em;
}
.i18n-review-key[data-state="translated"]::before { content: "\\2713"; background: #2e7d32; }
[data-state="untranslated"]:is(.i18n-review, .i18n-review-key)::before {
  content: "\\D7";
  background: #c62828;
}
[data-state="fuzzy"]:is(.i18n-review, .i18n-review-key)::before {
  content: "?";
  background: #9a5b00;
}
[data-state="failing"]:is(.i18n-review, .i18n-review-key)::before {
  content: "!";
  background: #8e24aa;
}

/* The bar at the foot of each page: counts, the next of each state, the texts not on the page. */
#i18n-review-bar {
  position: sticky;
  bottom: 0;
  z-index: 2147483646;
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: 0.4rem 0.8rem;
  margin: 0;
  padding: 0.5rem max(1rem, calc((100% - 64rem) / 2));
  background: #1d2330;
  color: #fff;
  font: 14px/1.5 system-ui, sans-serif;
  letter-spacing: normal;
  text-align: left;
}
#i18n-review-bar a { color: #9ed0ff; }
.i18n-review-title { margin-right: 0.4rem; font-weight: 700; }
.i18n-review-state { font-weight: 700; }
#i18n-review-bar button {
  padding: 0.1rem 0.7rem;
  border: 0;
  border-radius: 1rem;
  background: #fff;
  color: #1d2330;
  font: inherit;
  cursor: pointer;
}
#i18n-review-bar button:disabled { opacity: 0.6; cursor: default; }
#i18n-review-bar details { flex-basis: 100%; }
#i18n-review-bar summary { cursor: pointer; }
#i18n-review-bar ul {
  max-height: 40vh;
  overflow: auto;
  margin: 0.4rem 0 0;
  padding: 0.5rem;
  border-radius: 4px;
  background: #fff;
  color: #1d2330;
  list-style: none;
}
#i18n-review-bar li { margin: 0.3rem 0.2rem; padding: 0.1rem 0.3rem; }
.i18n-review-where { margin-right: 0.5em; color: #566; font: 12px ui-monospace, monospace; }

/* The details of the text under the pointer or with the focus. */
#i18n-review-tip {
  position: absolute;
  z-index: 2147483647;
  /* The pointer goes through: the text under the details can be hovered in turn. */
  pointer-events: none;
  box-sizing: border-box;
  max-width: min(36rem, calc(100vw - 12px));
  padding: 0.6rem 0.8rem;
  border: 1px solid #8a94a6;
  border-radius: 6px;
  background: #fff;
  box-shadow: 0 6px 24px rgba(0, 0, 0, 0.18);
  color: #1d2330;
  font: 14px/1.45 system-ui, sans-serif;
  letter-spacing: normal;
  text-align: left;
  overflow-wrap: anywhere;
}
#i18n-review-tip[hidden] { display: none; }
#i18n-review-tip p { margin: 0 0 0.4rem; }
#i18n-review-tip dl {
  display: grid;
  grid-template-columns: auto 1fr;
  gap: 0.15rem 0.7rem;
  margin: 0;
}
#i18n-review-tip dt { color: #566; font-weight: 600; }
#i18n-review-tip dd { margin: 0; }
#i18n-review-tip dd.i18n-review-ref { font: 13px ui-monospace, monospace; }
#i18n-review-tip ul { margin: 0; padding-left: 1.1rem; }

/* The index of the review copy. */
.i18n-review-index {
  max-width: 72rem;
  margin: 2rem auto;
  padding: 0 1rem;
  color: #1d2330;
  font: 15px/1.5 system-ui, sans-serif;
}
.i18n-review-index table { width: 100%; border-collapse: collapse; }
.i18n-review-index th,
.i18n-review-index td {
  padding: 0.35rem 0.6rem;
  border-bottom: 1px solid #eceef2;
  text-align: right;
}
.i18n-review-index :is(th, td):first-child { text-align: left; }
.i18n-review-index th { white-space: nowrap; }
.i18n-review-index td:nth-child(2) { white-space: nowrap; }
.i18n-review-index code { color: #566; font-size: 0.8rem; }
.i18n-review-index progress { width: 8rem; vertical-align: middle; }
.i18n-review-index .held { color: #9b1c1c; }
.i18n-review-legend { display: grid; gap: 0.4rem; padding: 0; list-style: none; }
.i18n-review-legend .i18n-review { margin-right: 0.4em; }
.i18n-review-legend [data-state="translated"] { outline: 2px solid #1f6fb2; }
"""

#: The script of every reviewed page; `STATES` goes in as JSON. It only reads the marks'
#: attributes and writes text (`textContent`), never markup.
_SCRIPT = """\
/* The review copy's details on hover and focus (pipeline/review.py). */
(function () {
  "use strict";
  var STATES = %s;
  var FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";
  var MARK = ".i18n-review[data-state]";
  var script = document.currentScript;
  var tip, current = null, positions = {};

  function element(name, attributes, text) {
    var node = document.createElement(name);
    for (var key in attributes) node.setAttribute(key, attributes[key]);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* What takes the focus for a mark: itself, or the link or button around or inside it (a
     link holds no other focusable element). */
  function focusTarget(mark) {
    if (mark.hasAttribute("tabindex")) return mark;
    return (mark.parentElement && mark.parentElement.closest(FOCUSABLE)) ||
      mark.querySelector(FOCUSABLE);
  }

  function markOf(node) {
    if (!node || node.nodeType !== 1) return null;
    return node.closest(MARK) || (node.matches(FOCUSABLE) ? node.querySelector(MARK) : null);
  }

  function describe(anchor, on) {
    var ids = (anchor.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && id !== tip.id;
    });
    if (on) ids.push(tip.id);
    if (ids.length) anchor.setAttribute("aria-describedby", ids.join(" "));
    else anchor.removeAttribute("aria-describedby");
  }

  function show(mark, anchor, pointerY) {
    var state = mark.getAttribute("data-state");
    var about = STATES[state] || [state, ""];
    var list = element("dl", {});
    function row(label, value, attributes) {
      if (!value) return;
      list.append(element("dt", {}, label), element("dd", attributes || {}, value));
    }
    /* An attribute of one item a line, as a list. */
    function lines(label, value) {
      if (!value) return;
      var items = element("ul", {});
      value.split("\\n").forEach(function (line) { items.append(element("li", {}, line)); });
      var cell = element("dd", {});
      cell.append(items);
      list.append(element("dt", {}, label), cell);
    }
    tip.textContent = "";
    var heading = element("p", {});
    heading.append(
      element("span", {"class": "i18n-review-key i18n-review-state", "data-state": state},
              about[0]),
      ": " + about[1] + "."
    );
    tip.append(heading, list);
    row("Catalog", mark.getAttribute("data-ref"), {"class": "i18n-review-ref"});
    row("English", mark.getAttribute("data-source"));
    row("Translated from", mark.getAttribute("data-previous"));
    lines("Notes", mark.getAttribute("data-notes"));
    var lang = document.documentElement.lang;
    row("Translation", mark.getAttribute("data-translation"), {lang: lang});
    lines("Problems", mark.getAttribute("data-problems"));
    if (current && current !== anchor) describe(current, false);
    current = anchor;
    describe(anchor, true);
    tip.hidden = false;
    place(anchor, pointerY);
  }

  /* Below the line under the pointer (or below the whole text), above when there is no room. */
  function place(anchor, pointerY) {
    var box = anchor.getBoundingClientRect();
    Array.prototype.forEach.call(anchor.getClientRects(), function (line) {
      if (pointerY !== undefined && line.top <= pointerY && pointerY <= line.bottom) box = line;
    });
    var width = tip.offsetWidth, height = tip.offsetHeight;
    var top = box.bottom + 6;
    if (top + height > window.innerHeight && box.top - height - 6 >= 0) top = box.top - height - 6;
    var left = Math.max(6, Math.min(box.left, document.documentElement.clientWidth - width - 6));
    tip.style.top = top + window.scrollY + "px";
    tip.style.left = left + window.scrollX + "px";
  }

  function hide() {
    if (!current) return;
    describe(current, false);
    current = null;
    tip.hidden = true;
  }

  function jump(state) {
    var marks = Array.prototype.filter.call(
      document.querySelectorAll(MARK + '[data-state="' + state + '"]'), focusTarget);
    if (!marks.length) return;
    positions[state] = ((positions[state] === undefined ? -1 : positions[state]) + 1) %%
      marks.length;
    var mark = marks[positions[state]], details = mark.closest("details");
    if (details) details.open = true;
    var target = focusTarget(mark);
    target.scrollIntoView({block: "center"});
    target.focus({preventScroll: true});
  }

  function bar() {
    var aside = element("aside", {id: "i18n-review-bar", lang: "en",
                                  "aria-label": "Translation review"});
    var keys = element("span", {});
    var index = script.getAttribute("src").replace(/[^/]*$/, "%s");
    aside.append(element("span", {"class": "i18n-review-title"}, "Review"), keys,
                 element("a", {href: index}, "All pages"));
    var hidden = document.getElementById("%s");
    if (hidden && hidden.content.childElementCount) {
      var details = element("details", {});
      var items = element("ul", {lang: document.documentElement.lang});
      items.append(hidden.content.cloneNode(true));
      details.append(element("summary", {}, "Not page text: title, descriptions, alt texts (" +
                                             items.childElementCount + ")"), items);
      aside.append(details);
    }
    document.body.append(aside);
    Object.keys(STATES).forEach(function (state) {
      var count = document.querySelectorAll(MARK + '[data-state="' + state + '"]').length;
      var key = element("button", {type: "button", "class": "i18n-review-key",
                                   "data-state": state, title: "Go to the next one"},
                        count + " " + STATES[state][0]);
      key.disabled = !count;
      key.addEventListener("click", function () { jump(state); });
      keys.append(key, " ");
    });
  }

  tip = element("div", {id: "i18n-review-tip", role: "tooltip", lang: "en"});
  tip.hidden = true;
  bar();
  document.body.append(tip);
  document.querySelectorAll(MARK).forEach(function (mark) {
    var inside = mark.parentElement && mark.parentElement.closest(FOCUSABLE);
    if (!inside && !mark.querySelector(FOCUSABLE)) mark.tabIndex = 0;
  });
  document.addEventListener("mouseover", function (event) {
    var mark = markOf(event.target);
    if (mark && mark !== current) show(mark, mark, event.clientY);
  });
  document.addEventListener("mouseout", function (event) {
    var to = event.relatedTarget;
    if (current && current.contains(event.target) && !(to && current.contains(to))) hide();
  });
  document.addEventListener("focusin", function (event) {
    var mark = markOf(event.target);
    if (mark) show(mark, event.target);
    else hide();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") hide();
  });
})();
"""


def _script() -> str:
    return _SCRIPT % (json.dumps(STATES), INDEX, HIDDEN_ID)
