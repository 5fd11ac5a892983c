"""What makes pages one bilingual site: lang, hreflang alternates, switcher, links and dates;
and the files at the root of the output that serve the whole site (a language chooser, a
sitemap).

The page functions return build `Edit`s for one page in one locale; nothing here touches bytes
or files. The output tree mirrors the source tree under one directory per locale (`en/`, `ja/`),
so a relative link between pages already points at the same locale; it is rewritten only when
the target is not published in that locale. Root-relative and absolute links to our own pages
get the locale's prefix. Paths and URLs hold the locale code as written (`pt_BR/`); `lang`,
`hreflang` and the sitemap hold its BCP 47 tag (`pt-BR`, `locale_codes.language_tag`).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from pipeline.build import Edit, escape_attribute, escape_text
from pipeline.html import Attribute
from pipeline.locale_codes import language_tag
from pipeline.segments import PageSegments


@dataclass(frozen=True, slots=True)
class SiteMap:
    """Which page is published in which locale, what else the site holds, and how it is
    addressed."""

    source_locale: str
    #: locale → pages (source-relative paths) published in it; the source locale has them all.
    published: Mapping[str, frozenset[str]]
    #: Absolute URL of the output root ("" for root-relative alternates).
    base_url: str
    date_format: str
    #: The files beside the pages (source-relative paths), copied into every locale.
    assets: frozenset[str]

    def locales_of(self, page: str) -> tuple[str, ...]:
        """The locales a page is published in, the source locale first."""
        others = sorted(
            locale
            for locale, pages in self.published.items()
            if page in pages and locale != self.source_locale
        )
        return (self.source_locale, *others)

    def url(self, locale: str, page: str) -> str:
        """The page's address in the locale (%-escaped, as sitemaps and hreflang require)."""
        return f"{self.base_url.rstrip('/')}/{quote(f'{locale}/{page}')}"

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
            value = escape_attribute(language_tag(locale), attribute.quote)
            edits.append(Edit(attribute.value_start, attribute.value_end, (value,)))
    if not has_lang:
        end = tag.end - 2 if page.page.text[tag.end - 2 : tag.end] == "/>" else tag.end - 1
        edits.append(Edit(end, end, (f' lang="{language_tag(locale)}"',)))
    return edits


def _alternates_edit(page: PageSegments, *, path: str, site: SiteMap) -> Edit | None:
    """`<link rel="alternate" hreflang>` for every published version and x-default.

    They go just before `</head>`, on lines of their own indented like the line above, so the
    `<meta charset>` stays within the first 1024 bytes; without `</head>`, after `<head>`.
    """
    links = [_alternate_link(hreflang, url) for hreflang, url in _alternates(path, site)]
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


def _alternates(path: str, site: SiteMap) -> list[tuple[str, str]]:
    """(hreflang, URL) of every published version of a page, and x-default: the source's."""
    versions = [(language_tag(locale), site.url(locale, path)) for locale in site.locales_of(path)]
    return [*versions, ("x-default", site.url(site.source_locale, path))]


def _alternate_link(hreflang: str, url: str) -> str:
    return f'<link rel="alternate" hreflang="{hreflang}" href="{escape_attribute(url, chr(34))}">'


def _switcher_edits(page: PageSegments, *, path: str, locale: str, site: SiteMap) -> list[Edit]:
    """Fill each `data-i18n-switcher` element with links to the page's other versions."""
    if not page.switchers:
        return []
    items = []
    for other in site.locales_of(path):
        name, tag = escape_text(_native_name(other), "\n"), language_tag(other)
        if other == locale:
            items.append(f'<strong aria-current="page" lang="{tag}">{name}</strong>')
        else:
            href = escape_attribute(_relative(path, locale, other, path), '"')
            items.append(f'<a href="{href}" hreflang="{tag}" lang="{tag}">{name}</a>')
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
    relative = posixpath.relpath(f"{to_locale}/{to_page}", start)
    return f"{relative}/" if to_page == "" or to_page.endswith("/") else relative  # a directory


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
        inside = _inside(_directory(path), parts.path)
        target = None if inside is None else _page_at(inside, site)
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


def _directory(path: str) -> str:
    """The directory of a page, as a URL writes it (what `_inside` resolves links from)."""
    return quote(posixpath.dirname(path))


def _inside(directory: str, link_path: str) -> str | None:
    """The path (as a URL writes it, from the source root) that a relative link's path names
    from a page in `directory`, ending in `/` for a directory; None when it climbs out of the
    tree."""
    joined = posixpath.normpath(posixpath.join(directory, link_path))
    if joined == ".." or joined.startswith("../"):
        return None
    if joined == ".":
        return ""
    return f"{joined}/" if posixpath.basename(link_path) in ("", ".", "..") else joined


def _page_at(link_path: str, site: SiteMap) -> tuple[str, str] | None:
    """(the page, the path to write) when a link path (%-escaped, from the source root) names
    one of our pages."""
    name = unquote(link_path)
    if name == "" or name.endswith("/"):
        for index in ("index.html", "index.htm"):
            if site.is_page(name + index):
                return name + index, link_path
        return None
    return (name, link_path) if site.is_page(name) else None


# --- broken links ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BrokenLink:
    """A link or resource of a page that names nothing the site has."""

    line: int
    url: str


def broken_links(page: PageSegments, *, path: str, site: SiteMap) -> tuple[BrokenLink, ...]:
    """The links and resources of page `path` (`<a href>`, `<img src>`, `<link href>`…) that
    name no page or asset, in the order they come.

    One answer for every locale: each has the same assets, and a link to a page a locale does
    not publish points at the source locale's (`_link_edit`), so a link is broken everywhere or
    nowhere. Only relative links are ours to check: root-relative and absolute ones that name
    none of our pages lead to the rest of the clinic's site (`_link_edit` leaves them alone),
    and so do relative ones that climb out of the tree.
    """
    directory = _directory(path)
    #: Link path → whether it names something: pages link the same few paths over and over.
    known: dict[str, bool] = {}
    found = []
    for attribute in sorted((*page.hrefs, *page.resources), key=lambda a: a.value_start):
        assert attribute.value is not None  # the segmenter keeps only attributes with a value
        values = _srcset_urls(attribute.value) if attribute.name == "srcset" else [attribute.value]
        for value in values:
            link_path = _relative_path(value.strip())
            if link_path is None:
                continue
            if link_path not in known:
                inside = _inside(directory, link_path)
                known[link_path] = inside is None or _names_something(inside, site)
            if not known[link_path]:
                found.append(BrokenLink(page.page.line_of(attribute.value_start), value.strip()))
    return tuple(found)


def _relative_path(value: str) -> str | None:
    """The path of a relative link; None for any other link, and for one to the page itself
    (`#top`, `?q=`)."""
    if _surely_relative(value):  # most links: no need to ask `urlsplit`
        return value.partition("#")[0].partition("?")[0] or None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path.startswith("/"):
        return None
    return parts.path or None


def _names_something(inside: str, site: SiteMap) -> bool:
    """Whether a path from the source root (as `_inside` gives it) names a page or asset."""
    return _page_at(inside, site) is not None or unquote(inside) in site.assets


#: One image candidate of a `srcset`: separators, then the URL (no white space in it).
_CANDIDATE_RE = re.compile(r"[\s,]*(\S*)")


def _srcset_urls(srcset: str) -> list[str]:
    """The URLs of a `srcset` (HTML's rule): each candidate is a URL and an optional descriptor
    (`2x`, `640w`) up to the next comma; a URL may hold commas, and those it ends with end it."""
    urls: list[str] = []
    position = 0
    while (match := _CANDIDATE_RE.match(srcset, position)) and match[1]:
        url, position = match[1], match.end()
        if url.endswith(","):
            url = url.rstrip(",")
        else:  # skip the descriptor
            comma = srcset.find(",", position)
            position = len(srcset) if comma < 0 else comma
        urls.append(url)
    return urls


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


# --- the files at the root of the output -------------------------------------------------------

#: The script of the language chooser: the first of the visitor's languages that a version of
#: the home page has (the same tag, else the same language: `pt-BR` takes `pt`), else x-default.
#: `homes` is keyed by BCP 47 tags, as `navigator.languages` writes them.
_CHOOSER_SCRIPT = """(function () {
  var homes = %s, fallback = %s;
  var wanted = navigator.languages || [navigator.language || ""];
  function primary(tag) { return tag.split("-")[0]; }
  for (var i = 0; i < wanted.length; i++) {
    var tag = String(wanted[i]).toLowerCase();
    for (var pass = 0; pass < 2; pass++) {
      for (var key in homes) {
        var have = key.toLowerCase();
        if (pass === 0 ? have === tag : primary(have) === primary(tag)) {
          location.replace(homes[key]);
          return;
        }
      }
    }
  }
  location.replace(fallback);
})();"""


def root_index(site: SiteMap) -> bytes | None:
    """`<output>/index.html`, the address people type: it sends visitors to the home page in
    their browser's language, or in the source locale (x-default); None without a home page.

    Without script it is a list of the home page's versions, each in its own language. For
    search engines it stands in for the x-default home page, where its script sends a crawler
    that asks for no language of ours: its canonical URL and its alternates are that page's.
    """
    home = _page_at("", site)
    if home is None:
        return None
    page = home[0]
    locales = site.locales_of(page)
    homes = {locale: f"{locale}/{quote(page)}" for locale in locales}  # no quote or `<` in them
    tags = {locale: language_tag(locale) for locale in locales}
    tagged = {tags[locale]: url for locale, url in homes.items()}
    script = _CHOOSER_SCRIPT % (json.dumps(tagged), json.dumps(homes[site.source_locale]))
    names = {locale: escape_text(_native_name(locale), "\n") for locale in locales}
    canonical = escape_attribute(site.url(site.source_locale, page), '"')
    lines = [
        "<!DOCTYPE html>",
        f'<html lang="{tags[site.source_locale]}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{' · '.join(names.values())}</title>",
        f'<link rel="canonical" href="{canonical}">',
        *(_alternate_link(hreflang, url) for hreflang, url in _alternates(page, site)),
        f"<script>\n{script}\n</script>",
        "</head>",
        "<body>",
        "<ul>",
        *(
            f'<li><a href="{href}" hreflang="{tags[locale]}" lang="{tags[locale]}">'
            f"{names[locale]}</a></li>"
            for locale, href in homes.items()
        ),
        "</ul>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(lines).encode()


def sitemap(site: SiteMap) -> bytes | None:
    """`<output>/sitemap.xml`: a `<url>` for every published version of every page, with the
    alternates its `<link rel="alternate">` lines name (Google's hreflang sitemap); None
    without a base URL, since a sitemap holds absolute URLs only."""
    if not site.base_url:
        return None
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        ' xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    for page in sorted(site.published[site.source_locale]):
        alternates = [
            f'    <xhtml:link rel="alternate" hreflang="{hreflang}" '
            f'href="{escape_attribute(url, chr(34))}"/>'
            for hreflang, url in _alternates(page, site)
        ]
        for locale in site.locales_of(page):
            loc = escape_text(site.url(locale, page), "\n")
            lines += ["  <url>", f"    <loc>{loc}</loc>", *alternates, "  </url>"]
    lines += ["</urlset>", ""]
    return "\n".join(lines).encode()
