"""What makes pages one bilingual site: lang, hreflang alternates, switcher, links and dates.

Each function returns build `Edit`s for one page in one locale; nothing here touches bytes.
The output tree mirrors the source tree under one directory per locale (`en/`, `ja/`), so a
relative link between pages already points at the same locale; it is rewritten only when the
target is not published in that locale. Root-relative and absolute links to our own pages get
the locale's prefix.
"""

from __future__ import annotations

import datetime as dt
import functools
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from pipeline.build import Edit, escape_attribute, escape_text
from pipeline.html import Attribute
from pipeline.segments import PageSegments


@dataclass(frozen=True, slots=True)
class SiteMap:
    """Which page is published in which locale, and how the site is addressed."""

    source_locale: str
    #: locale → pages (source-relative paths) published in it; the source locale has them all.
    published: Mapping[str, frozenset[str]]
    #: Absolute URL of the output root ("" for root-relative alternates).
    base_url: str
    date_format: str

    def locales_of(self, page: str) -> tuple[str, ...]:
        """The locales a page is published in, the source locale first."""
        others = sorted(
            locale
            for locale, pages in self.published.items()
            if page in pages and locale != self.source_locale
        )
        return (self.source_locale, *others)

    def url(self, locale: str, page: str) -> str:
        return f"{self.base_url.rstrip('/')}/{locale}/{page}"

    def is_page(self, page: str) -> bool:
        return page in self.published[self.source_locale]


def site_edits(page: PageSegments, *, path: str, locale: str, site: SiteMap) -> tuple[Edit, ...]:
    """All site edits for `path` (a source-relative page) in `locale`."""
    edits = [*_lang_edits(page, locale), *_link_edits(page, path=path, locale=locale, site=site)]
    alternates = _alternates_edit(page, path=path, site=site)
    if alternates is not None:
        edits.append(alternates)
    edits.extend(_switcher_edits(page, path=path, locale=locale, site=site))
    if locale != site.source_locale:
        edits.extend(_date_edits(page, locale=locale, date_format=site.date_format))
    return tuple(edits)


def _lang_edits(page: PageSegments, locale: str) -> list[Edit]:
    tag = page.html_tag
    if tag is None:
        return []
    edits = []
    has_lang = False
    for attribute in tag.attributes:
        if attribute.name in ("lang", "xml:lang") and attribute.value is not None:
            has_lang = has_lang or attribute.name == "lang"
            value = escape_attribute(locale, attribute.quote)
            edits.append(Edit(attribute.value_start, attribute.value_end, (value,)))
    if not has_lang:
        end = tag.end - 2 if page.page.text[tag.end - 2 : tag.end] == "/>" else tag.end - 1
        edits.append(Edit(end, end, (f' lang="{locale}"',)))
    return edits


def _alternates_edit(page: PageSegments, *, path: str, site: SiteMap) -> Edit | None:
    """`<link rel="alternate" hreflang>` for every published version and x-default.

    They go just before `</head>`, on lines of their own indented like the line above, so the
    `<meta charset>` stays within the first 1024 bytes; without `</head>`, after `<head>`.
    """
    links = [_alternate_link(loc, site.url(loc, path)) for loc in site.locales_of(path)]
    links.append(_alternate_link("x-default", site.url(site.source_locale, path)))
    text, newline = page.page.text, page.page.newline
    head_end = page.head_end
    if head_end is not None:
        line_start = max(text.rfind("\n", 0, head_end), text.rfind("\r", 0, head_end))
        if line_start >= 0 and not text[line_start + 1 : head_end].strip():
            indent = _indent_of_line_before(text, line_start)
            block = "".join(f"{indent}{link}{newline}" for link in links)
            return Edit(line_start + 1, line_start + 1, (block,))
        return Edit(head_end, head_end, ("".join(links),))
    anchor = page.head_tag or page.html_tag
    if anchor is None:
        return None
    return Edit(anchor.end, anchor.end, ("".join(links),))


def _indent_of_line_before(text: str, line_end: int) -> str:
    """The leading white space of the last non-blank line ending at `line_end`."""
    position = line_end
    while position > 0:
        start = max(text.rfind("\n", 0, position), text.rfind("\r", 0, position)) + 1
        line = text[start:position].rstrip("\r\n")
        if line.strip():
            return line[: len(line) - len(line.lstrip(" \t"))]
        position = start - 1
    return ""


def _alternate_link(hreflang: str, url: str) -> str:
    return f'<link rel="alternate" hreflang="{hreflang}" href="{escape_attribute(url, chr(34))}">'


def _switcher_edits(page: PageSegments, *, path: str, locale: str, site: SiteMap) -> list[Edit]:
    """Fill each `data-i18n-switcher` element with links to the page's other versions."""
    if not page.switchers:
        return []
    items = []
    for other in site.locales_of(path):
        name = escape_text(_native_name(other), "\n")
        if other == locale:
            items.append(f'<strong aria-current="page" lang="{other}">{name}</strong>')
        else:
            href = escape_attribute(_relative(path, locale, other, path), '"')
            items.append(f'<a href="{href}" hreflang="{other}" lang="{other}">{name}</a>')
    content = " | ".join(items)
    return [Edit(start, end, (content,)) for start, end in page.switchers]


@functools.cache  # Babel's locale look-up is slow, and every page asks the same question
def _native_name(locale: str) -> str:
    from babel.core import Locale, UnknownLocaleError  # Babel's imports: only when asked

    try:
        name = Locale.parse(locale.replace("-", "_")).get_display_name(locale.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return locale
    return str(name[:1].upper() + name[1:]) if name else locale


def _relative(from_page: str, from_locale: str, to_locale: str, to_page: str) -> str:
    """Relative URL from one output page to another (`<locale>/<page>` under the output root)."""
    start = posixpath.dirname(f"{from_locale}/{from_page}")
    return posixpath.relpath(f"{to_locale}/{to_page}", start)


def _link_edits(page: PageSegments, *, path: str, locale: str, site: SiteMap) -> list[Edit]:
    # Where the locale publishes every page, the mirrored tree already holds each page a
    # relative link names: only links with a scheme or a leading slash can change.
    everything = len(site.published.get(locale, ())) == len(site.published[site.source_locale])
    edits = []
    for href in _maybe_absolute(page.hrefs) if everything else page.hrefs:
        edit = _link_edit(href, path=path, locale=locale, site=site)
        if edit is not None:
            edits.append(edit)
    return edits


def _maybe_absolute(hrefs: tuple[Attribute, ...]) -> tuple[Attribute, ...]:
    """The hrefs whose value is not surely relative (documentation pages hold hundreds of
    links, nearly all relative)."""
    return tuple(href for href in hrefs if not _surely_relative(href.value))


def _surely_relative(href: str | None) -> bool:
    """Whether an href is relative for `urlsplit` without asking it: no `:` (so no scheme),
    no leading slash, control character or space (which it strips), no tab or line break
    (which it removes)."""
    if href is None:
        return True  # no link at all
    value = href.strip()
    return not (
        value[:1] <= " "
        or value[0] == "/"
        or ":" in value
        or "\t" in value  # three plain searches: a third of a regular expression's time
        or "\n" in value
        or "\r" in value
    )


def _link_edit(href: Attribute, *, path: str, locale: str, site: SiteMap) -> Edit | None:
    if href.value is None:
        return None
    value = href.value.strip()
    parts = urlsplit(value)
    published = site.published.get(locale, frozenset())
    base = urlsplit(site.base_url) if site.base_url else None
    if parts.scheme or parts.netloc:  # absolute: ours only under the base URL
        if base is None or (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
            return None
        prefix = base.path.rstrip("/") + "/"
        if not parts.path.startswith(prefix):
            return None
        target = _page_at(parts.path[len(prefix) :], site)
        if target is None:
            return None
        chosen = locale if target[0] in published else site.source_locale
        new = urlunsplit(parts._replace(path=f"{prefix}{chosen}/{target[1]}"))
    elif parts.path.startswith("/"):
        target = _page_at(parts.path[1:], site)
        if target is None:
            return None
        chosen = locale if target[0] in published else site.source_locale
        new = urlunsplit(parts._replace(path=f"/{chosen}/{target[1]}"))
    elif parts.path:
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(path), parts.path))
        if joined.startswith("../") or joined == "..":
            return None
        target = _page_at(joined + ("/" if parts.path.endswith("/") else ""), site)
        if target is None or target[0] in published:
            return None  # the mirrored tree already points at this locale's page
        new = urlunsplit(
            parts._replace(path=_relative(path, locale, site.source_locale, target[1]))
        )
    else:
        return None
    if new == value:
        return None
    return Edit(href.value_start, href.value_end, (escape_attribute(new, href.quote),))


def _page_at(link_path: str, site: SiteMap) -> tuple[str, str] | None:
    """(the page, the path to write) when a link path names one of our pages."""
    if link_path == "" or link_path.endswith("/"):
        for index in ("index.html", "index.htm"):
            if site.is_page(link_path + index):
                return link_path + index, link_path
        return None
    return (link_path, link_path) if site.is_page(link_path) else None


def _date_edits(page: PageSegments, *, locale: str, date_format: str) -> list[Edit]:
    edits = []
    for date_text in page.dates:
        value = _parse_date(date_text.datetime)
        if value is None:
            continue
        shown = _format_date(value, date_format, locale)
        if shown is None:
            continue
        edits.append(Edit(date_text.start, date_text.end, (escape_text(shown, "\n"),)))
    return edits


@functools.lru_cache(maxsize=1024)
def _format_date(value: dt.date, date_format: str, locale: str) -> str | None:
    """Babel's date for the locale (None for a locale or format it does not know),
    remembered: Babel's look-ups are slow, and pages of a site repeat their dates."""
    from babel.core import UnknownLocaleError
    from babel.dates import format_date

    try:
        return str(format_date(value, format=date_format, locale=locale.replace("-", "_")))
    except (UnknownLocaleError, ValueError):
        return None


def _parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None
