"""Where a project's files live, and how each is read.

`<locales>/templates/<page>.pot` and `<locales>/<locale>/LC_MESSAGES/<page>.po`, as the
command-line contract says; a page's segments come from the page cache when it has them.
Every command reads its pages and catalogs through here, so a bad file is named the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from pipeline import files, page_cache
from pipeline.config import Settings
from pipeline.extract import template_for_page
from pipeline.html import decode_page
from pipeline.model import Catalog, PipelineError
from pipeline.pofile import charset_refusal, parse_po
from pipeline.segments import PageSegments, segment_page

#: `<locales>/templates/<page>.pot`, as the command-line contract says.
TEMPLATES_DIR = "templates"


def template_path(settings: Settings, page: str) -> Path:
    return files.inside(settings.locales, f"{TEMPLATES_DIR}/{files.page_stem(page)}.pot")


def catalog_path(settings: Settings, locale: str, page: str) -> Path:
    return files.inside(settings.locales, catalog_name(locale, page))


def catalog_name(locale: str, page: str) -> str:
    return f"{catalog_directory(locale)}{files.page_stem(page)}.po"


def catalog_directory(locale: str) -> str:
    """Where a locale's catalogs are, under the locales directory (with its final slash)."""
    return f"{locale}/LC_MESSAGES/"


def catalogs_of(settings: Settings, locales: tuple[str, ...]) -> Iterator[tuple[str, str, Path]]:
    """(locale, page, catalog path) for every page and locale."""
    pages = files.find_pages(settings.source)
    for locale in locales:
        tree = files.Tree(settings.locales)
        yield from ((locale, page, tree.path(catalog_name(locale, page))) for page in pages)


def load_page(settings: Settings, page: str, *, remember: bool = True) -> PageSegments:
    """A page's segments, from the page cache when it has them; `remember` adds them to it."""
    path = files.inside(settings.source, page)
    data = files.read_bytes(path, limit=files.MAX_PAGE_BYTES)
    if not data.strip():
        # Most likely an interrupted copy; extracting it would make every translation obsolete.
        raise PipelineError(str(path), None, "empty page: no HTML to translate")
    source = decode_page(data, path=str(path), default_encoding=settings.default_encoding)
    cached = page_cache.load(settings.cache, page, source, settings.default_encoding)
    if cached is not None:
        return cached
    segmented = segment_page(source)
    if remember:
        page_cache.store(settings.cache, page, segmented, settings.default_encoding)
    return segmented


def page_template(settings: Settings, page: str, segmented: PageSegments) -> Catalog:
    return template_for_page(
        segmented, page_path=page, project=settings.project, source_locale=settings.source_locale
    )


def read_catalog(path: Path) -> Catalog | None:
    """The catalog at `path`, or None when there is none yet."""
    if not path.exists():
        return None
    return parse_catalog(files.read_bytes(path), path)


def parse_catalog(data: bytes, path: Path) -> Catalog:
    """A catalog from its bytes, with `read_catalog`'s checks."""
    return parse_po(_catalog_text(data, path), path=str(path))


def _catalog_text(data: bytes, path: Path) -> str:
    if b"\x00" in data:
        raise PipelineError(str(path), None, "binary file: not a gettext catalog")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # Not UTF-8: a catalog in another charset is named as such, with its fix.
        declared = _DECLARED_CHARSET.search(data)
        if declared:
            line = data[: declared.start()].count(b"\n") + 1
            refused = charset_refusal(declared[1].decode("latin-1"), str(path), line)
            if refused is not None:
                raise refused from None
        line = data[: error.start].count(b"\n") + 1
        raise PipelineError(str(path), line, "invalid UTF-8") from None


#: The header's `Content-Type: …; charset=…`, found in bytes that are not UTF-8.
_DECLARED_CHARSET = re.compile(rb"Content-Type:[^\n\"]*?charset=([^\s\"\\;]+)", re.IGNORECASE)
