"""How far each catalog's translation has come, and the renderers that report it.

`catalog_status` turns one parsed catalog into a `CatalogStatus` row; `summarize` adds rows up
per locale. The renderers (terminal table, Markdown for a pull-request comment, JSON for scripts,
a self-contained HTML dashboard) are pure functions from rows to text: the CLI reads the files,
decides staleness and writes the output.

Everything is counted on the page as it is now (its template, made from the page) and its
catalog, as the build will publish it, so `status`, `check --min-percent` and the build's
threshold agree:

- *total* is every message of the page (the header is not an entry in `Catalog`);
- *translated* is a message the catalog translates (`Message.translated`: a msgstr and no fuzzy
  flag) with markup the build can splice (`placeholders.splice_problem`): what the build leaves
  in English is not translated;
- *fuzzy* is a message whose entry is fuzzy with text to review. msgfmt counts a fuzzy entry
  whose msgstr (for a plural entry, `msgstr[0]`) is empty as untranslated, and so do we;
- *untranslated* is the rest, the page's new text a stale catalog lacks included;
- *obsolete* (`#~`) entries are counted apart, as msgfmt ignores them.

For a catalog up to date with its page (after `extract` and `update`) these are the counts of
`msgfmt --statistics`, but for two cases: a translation whose markup the build refuses, which
msgfmt counts as translated, and a plural entry with `msgstr[0]` filled and another form empty,
which msgfmt counts as translated and `Message.translated` does not. HTML extraction never makes
plural entries, and Japanese has one form.

`percent` is in source words, not messages, because the build's `min_percent` threshold is in
words: a page is as readable as the share of its text that is translated, and a one-word button
label should not weigh as much as a paragraph.
"""

from __future__ import annotations

import html
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.model import PLACEHOLDER_RE, Catalog, Message, count_words
from pipeline.placeholders import splice_problem

if TYPE_CHECKING:
    from rich.text import Text


@dataclass(frozen=True, slots=True)
class CatalogStatus:
    """Progress of one catalog (one page in one locale)."""

    locale: str
    #: The .po path relative to the locales directory.
    catalog: str
    #: The page path relative to the source directory.
    source: str
    total: int
    translated: int
    fuzzy: int
    untranslated: int
    obsolete: int
    words_total: int
    words_translated: int
    #: Characters of the translated msgstrs, placeholders and whitespace left out.
    chars_translated: int
    #: Share of source words translated, rounded down to 0.1 (100.0 for a page with no words).
    percent: float
    #: The catalog is older than its template (the page changed since the last update).
    stale: bool
    #: msgids of the fuzzy entries, in catalog order: what a reviewer has to look at.
    fuzzy_messages: tuple[str, ...] = ()
    #: Link to the built page, relative to wherever the dashboard is written.
    page_url: str | None = None


@dataclass(frozen=True, slots=True)
class LocaleStatus:
    """Progress of every catalog of one locale, added up."""

    locale: str
    catalogs: int
    total: int
    translated: int
    fuzzy: int
    untranslated: int
    obsolete: int
    words_total: int
    words_translated: int
    chars_translated: int
    #: Recomputed from the summed words, so big pages weigh more than small ones.
    percent: float
    #: How many of the locale's catalogs are stale.
    stale_catalogs: int

    @property
    def stale(self) -> bool:
        """Whether any catalog is stale: `stale` means the same for a catalog and a locale."""
        return self.stale_catalogs > 0


def _percent(done: int, total: int) -> float:
    """Rounded down, so 100.0 means done and no page passes a threshold by rounding."""
    if total == 0:
        return 100.0
    return (done * 1000 // total) / 10


def _needs_review(message: Message) -> bool:
    """Fuzzy with text to review; msgfmt looks only at the first plural form."""
    forms = message.msgstr_plural[:1] if message.msgid_plural is not None else (message.msgstr,)
    return message.fuzzy and any(forms)


def _translated_chars(message: Message) -> int:
    forms = message.msgstr_plural if message.msgid_plural is not None else (message.msgstr,)
    return sum(len("".join(PLACEHOLDER_RE.sub("", form).split())) for form in forms)


def page_progress(template: Catalog, catalog: Catalog | None) -> tuple[int, int, float]:
    """(words translated, words in all, percent) of the page as it is built: the words of the
    page's messages (its template, made from the page now) that the catalog translates. Text
    the catalog does not hold yet (a page edited since `update`, a header-only or empty
    catalog) counts as untranslated, so no page is published on a stale catalog's word."""
    return _words(template, _spliced(catalog))


def _words(template: Catalog, spliced: set[tuple[str | None, str]]) -> tuple[int, int, float]:
    """`page_progress` with the keys of the catalog's spliced translations already known."""
    words = [(count_words(m.msgid), m.key in spliced) for m in template.active]
    total = sum(n for n, _ in words)
    translated = sum(n for n, translated in words if translated)
    return translated, total, _percent(translated, total)


def _spliced(catalog: Catalog | None) -> set[tuple[str | None, str]]:
    """Keys of the catalog's translations the build splices into the page: finished, and with
    markup the page can take (a plural entry is never a page's text, but counts when done)."""
    if catalog is None:
        return set()
    return {
        m.key
        for m in catalog.active
        if m.translated
        and (m.msgid_plural is not None or splice_problem(m.msgid, m.msgstr) is None)
    }


#: What brings a catalog behind its page up to date.
CATCH_UP = "run `python cli.py extract`, then `python cli.py update`"


def differences(template: Catalog, catalog: Catalog | None) -> tuple[int, int]:
    """(messages of the page the catalog lacks, messages of the catalog no longer on the
    page): when either is not 0, `extract` and `update` are due (`CATCH_UP`)."""
    on_page = {m.key for m in template.active}
    in_catalog = set() if catalog is None else {m.key for m in catalog.active}
    return len(on_page - in_catalog), len(in_catalog - on_page)


def behind(template: Catalog, catalog: Catalog | None) -> bool:
    """Whether the catalog's messages are not the page's."""
    return catalog is None or differences(template, catalog) != (0, 0)


def reaches(words_translated: int, words_total: int, min_percent: float) -> bool:
    """Whether a page with these words translated is published at `min_percent` (and passes
    `check --min-percent`): in integers, so no page passes by rounding."""
    return words_translated * 100 >= min_percent * words_total


def catalog_status(
    catalog: Catalog | None,
    *,
    template: Catalog,
    locale: str,
    catalog_path: str,
    source_path: str,
    stale: bool,
    page_url: str | None = None,
) -> CatalogStatus:
    """Count the page's messages (its `template`, made from the page now) and words by the
    state of their entries in the catalog (see the module docstring); with no catalog yet,
    every message is untranslated."""
    entries = {} if catalog is None else {m.key: m for m in catalog.active}
    spliced = _spliced(catalog)
    on_page = [entries[m.key] for m in template.active if m.key in entries]
    done = [m for m in on_page if m.key in spliced]
    review = [m for m in on_page if _needs_review(m)]
    words_translated, words_total, percent = _words(template, spliced)
    total = len(template.active)
    return CatalogStatus(
        locale=locale,
        catalog=catalog_path,
        source=source_path,
        total=total,
        translated=len(done),
        fuzzy=len(review),
        untranslated=total - len(done) - len(review),
        obsolete=0 if catalog is None else len(catalog.obsolete),
        words_total=words_total,
        words_translated=words_translated,
        chars_translated=sum(_translated_chars(m) for m in done),
        percent=percent,
        stale=stale,
        fuzzy_messages=tuple(m.msgid for m in review),
        page_url=page_url,
    )


def _sorted(statuses: Iterable[CatalogStatus]) -> list[CatalogStatus]:
    return sorted(statuses, key=lambda s: (s.locale, s.catalog))


def summarize(statuses: Iterable[CatalogStatus]) -> dict[str, LocaleStatus]:
    """Add the rows up per locale, keyed and ordered by locale."""
    groups: dict[str, list[CatalogStatus]] = {}
    for status in _sorted(statuses):
        groups.setdefault(status.locale, []).append(status)
    summary: dict[str, LocaleStatus] = {}
    for locale, rows in groups.items():
        words_total = sum(s.words_total for s in rows)
        words_translated = sum(s.words_translated for s in rows)
        summary[locale] = LocaleStatus(
            locale=locale,
            catalogs=len(rows),
            total=sum(s.total for s in rows),
            translated=sum(s.translated for s in rows),
            fuzzy=sum(s.fuzzy for s in rows),
            untranslated=sum(s.untranslated for s in rows),
            obsolete=sum(s.obsolete for s in rows),
            words_total=words_total,
            words_translated=words_translated,
            chars_translated=sum(s.chars_translated for s in rows),
            percent=_percent(words_translated, words_total),
            stale_catalogs=sum(s.stale for s in rows),
        )
    return summary


# --- terminal table -----------------------------------------------------------------------------

_COLUMNS = (
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
)


def _percent_style(percent: float) -> str:
    if percent >= 100:
        return "green"
    return "yellow" if percent >= 50 else "red"


def _table_cells(
    row: CatalogStatus | LocaleStatus, name: str, stale: str, *, color: bool
) -> list[Text]:
    """Text objects, not markup strings, so a `[` in a path is printed as it is."""
    from rich.text import Text

    plain = [
        row.locale,
        name,
        str(row.total),
        str(row.translated),
        str(row.fuzzy),
        str(row.untranslated),
        str(row.obsolete),
        f"{row.words_translated}/{row.words_total}",
        str(row.chars_translated),
    ]
    return [
        *(Text(cell) for cell in plain),
        Text(f"{row.percent:.1f}", style=_percent_style(row.percent) if color else ""),
        Text(stale, style="red" if color else ""),
    ]


def render_table(statuses: Sequence[CatalogStatus], *, color: bool) -> str:
    """Aligned columns for a terminal; no escape codes at all when `color` is false (piped).

    rich is imported here, not at the top: only this renderer needs it, and the other commands
    start faster without it.
    """
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(
        box=box.HORIZONTALS,
        show_edge=False,
        pad_edge=False,
        header_style="bold" if color else "",
    )
    for index, column in enumerate(_COLUMNS):
        table.add_column(column, justify="left" if index < 2 else "right", no_wrap=True)
    rows = _sorted(statuses)
    for row in rows:
        cells = _table_cells(row, row.catalog, "stale" if row.stale else "", color=color)
        table.add_row(*cells, end_section=row is rows[-1])
    for summary in summarize(rows).values():
        stale = f"{summary.stale_catalogs} stale" if summary.stale else ""
        cells = _table_cells(summary, "(all)", stale, color=color)
        table.add_row(*cells, style="bold" if color else "")
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=1000,
        force_terminal=color,
        color_system="standard" if color else None,
        highlight=False,
        emoji=False,
    )
    console.print(table)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


# --- Markdown -----------------------------------------------------------------------------------


def _md_cell(text: str) -> str:
    """Keep a path from breaking the table or being read as markup."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("`", "\\`")


def _summary_text(summary: LocaleStatus) -> str:
    """The per-locale sentence shared by the Markdown and HTML reports."""
    stale = f", {summary.stale_catalogs} stale" if summary.stale else ""
    return (
        f"{summary.percent:.1f}% of words translated "
        f"({summary.words_translated} of {summary.words_total}, "
        f"{summary.chars_translated} characters); messages: {summary.translated} of "
        f"{summary.total} translated, {summary.fuzzy} fuzzy, {summary.untranslated} untranslated, "
        f"{summary.obsolete} obsolete; catalogs: {summary.catalogs}{stale}."
    )


def render_markdown(statuses: Sequence[CatalogStatus]) -> str:
    """A GitHub-flavoured table per catalog, then one summary line per locale."""
    header = (
        "Locale",
        "Catalog",
        "Page",
        "Translated",
        "Fuzzy",
        "Untranslated",
        "Obsolete",
        "Words",
        "%",
        "Stale",
    )
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join([":---"] * 3 + ["---:"] * 6 + [":---:"]) + "|",
    ]
    rows = _sorted(statuses)
    for s in rows:
        cells = (
            s.locale,
            f"`{_md_cell(s.catalog)}`",
            f"`{_md_cell(s.source)}`",
            f"{s.translated}/{s.total}",
            str(s.fuzzy),
            str(s.untranslated),
            str(s.obsolete),
            f"{s.words_translated}/{s.words_total}",
            f"{s.percent:.1f}",
            "stale" if s.stale else "",
        )
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.extend(
        f"**{_md_cell(summary.locale)}**: {_summary_text(summary)}"
        for summary in summarize(rows).values()
    )
    return "\n".join(lines) + "\n"


# --- JSON ---------------------------------------------------------------------------------------


def _counts(row: CatalogStatus | LocaleStatus) -> dict[str, object]:
    return {
        "total": row.total,
        "translated": row.translated,
        "fuzzy": row.fuzzy,
        "untranslated": row.untranslated,
        "obsolete": row.obsolete,
        "words_total": row.words_total,
        "words_translated": row.words_translated,
        "percent": row.percent,
        "stale": row.stale,
    }


def render_json(statuses: Sequence[CatalogStatus], *, orphaned: Sequence[str] = ()) -> str:
    """The documented shape, rows sorted by locale then catalog. `stale` is a boolean for a
    catalog and a locale alike; a locale also says how many of its catalogs are stale.
    `orphaned` lists the catalogs (relative to the locales directory) whose page is gone."""
    rows = _sorted(statuses)
    document = {
        "catalogs": [
            {"locale": s.locale, "catalog": s.catalog, "source": s.source, **_counts(s)}
            for s in rows
        ],
        "locales": {
            locale: {**_counts(summary), "stale_catalogs": summary.stale_catalogs}
            for locale, summary in summarize(rows).items()
        },
        "orphaned": sorted(orphaned),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --- HTML dashboard -----------------------------------------------------------------------------

_CSS = """
body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;
color:#1d2330;background:#fff}
h1{font-size:1.6rem}h2{margin-top:2.5rem;border-bottom:1px solid #d5d9e0}
.table{overflow-x:auto}
table{border-collapse:collapse;width:100%}
th,td{padding:.35rem .6rem;border-bottom:1px solid #eceef2;text-align:right;vertical-align:middle}
th:nth-child(-n+2),td:nth-child(-n+2){text-align:left}
td.bar{white-space:nowrap}
.pct{display:inline-block;min-width:3.6em;text-align:right}
td.catalog{font-family:ui-monospace,monospace;font-size:.85rem;color:#566;
overflow-wrap:anywhere}
progress{width:9rem;height:.9rem;vertical-align:middle}
.summary progress{width:18rem;height:1.2rem}
.badge{display:inline-block;padding:0 .45rem;border-radius:.6rem;font-size:.75rem;
font-weight:600;margin-left:.4rem}
.stale{background:#fde2e1;color:#9b1c1c}
.fuzzy li{margin:.2rem 0}
.fuzzy h3{font-size:1rem;margin-bottom:.2rem}
"""


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _progress(percent: float, label: str) -> str:
    return (
        f'<progress max="100" value="{percent:.1f}" aria-label="{_esc(label)}">'
        f'{percent:.1f}%</progress> <span class="pct">{percent:.1f}%</span>'
    )


def _article_row(s: CatalogStatus) -> str:
    page = _esc(s.source)
    if s.page_url is not None:
        page = f'<a href="{_esc(s.page_url)}">{page}</a>'
    badge = ' <span class="badge stale">stale</span>' if s.stale else ""
    label = f"{s.source} ({s.locale}) translated"
    return (
        f'<tr data-locale="{_esc(s.locale)}" data-catalog="{_esc(s.catalog)}">'
        f"<td>{page}{badge}</td>"
        f'<td class="catalog">{_esc(s.catalog)}</td>'
        f'<td class="bar">{_progress(s.percent, label)}</td>'
        f"<td>{s.translated}/{s.total}</td><td>{s.fuzzy}</td><td>{s.untranslated}</td>"
        f"<td>{s.obsolete}</td><td>{s.words_translated}/{s.words_total}</td>"
        f"<td>{s.chars_translated}</td></tr>"
    )


def _fuzzy_list(s: CatalogStatus) -> str:
    items = "".join(f"<li>{_esc(msgid)}</li>" for msgid in s.fuzzy_messages)
    return (
        f'<section class="fuzzy" data-locale="{_esc(s.locale)}" data-catalog="{_esc(s.catalog)}">'
        f"<h3>{_esc(s.source)} <small>({_esc(s.catalog)})</small></h3><ul>{items}</ul></section>"
    )


def _locale_section(summary: LocaleStatus, rows: list[CatalogStatus]) -> list[str]:
    locale = _esc(summary.locale)
    parts = [
        f'<section class="locale" data-locale="{locale}">',
        f"<h2>{locale}</h2>",
        '<div class="summary">'
        + _progress(summary.percent, f"{summary.locale} translated")
        + f"<p>{_esc(_summary_text(summary))}</p></div>",
        # Paths wrap, so the table fits a laptop's width; on a phone it scrolls in its box.
        '<div class="table"><table><thead><tr><th>Page</th><th>Catalog</th>'
        "<th>Translated (words)</th>"
        "<th>Messages</th><th>Fuzzy</th><th>Untranslated</th><th>Obsolete</th><th>Words</th>"
        "<th>Characters</th></tr></thead><tbody>",
        *(_article_row(s) for s in rows),
        "</tbody></table></div>",
        "<h3>Needs review (fuzzy)</h3>",
    ]
    fuzzy = [_fuzzy_list(s) for s in rows if s.fuzzy_messages]
    parts.extend(fuzzy or ["<p>Nothing is fuzzy.</p>"])
    parts.append("</section>")
    return parts


def render_dashboard(statuses: Sequence[CatalogStatus], *, title: str) -> str:
    """One self-contained page (inline CSS, no scripts or external resources), deterministic."""
    rows = _sorted(statuses)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(title)}</title>",
        f"<style>{_CSS}</style></head>",
        f"<body><h1>{_esc(title)}</h1>",
        "<p>Percentages are shares of source words translated (fuzzy entries do not count).</p>",
    ]
    for locale, summary in summarize(rows).items():
        parts.extend(_locale_section(summary, [s for s in rows if s.locale == locale]))
    if not rows:
        parts.append("<p>No catalogs.</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
