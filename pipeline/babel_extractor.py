"""A Babel extractor for HTML pages, with the pipeline's own extraction rules.

Registered as the `clinic_html` entry point of `babel.extractors`, so a site that already runs
`pybabel extract -F mapping.cfg` can pull its HTML strings with the rules of `rules.py`:

    [clinic_html: **.html]
    encoding = windows-1252    # optional: for pages that declare no charset and are not UTF-8

Each segment becomes one message at its source line, with the extracted comments `extract`
writes (element role, placeholder legend, `<!-- i18n: … -->` notes). A segment with a
`data-i18n-context` is reported through `pgettext` as `(context, msgid)`, as Babel expects.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from pipeline.html import decode_page
from pipeline.segments import segment_page

#: What Babel's `extract` hands back: (line, keyword, message or messages, comments).
Extracted = tuple[int, str | None, str | tuple[str, str], list[str]]


def extract(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    """Yield every translatable segment of the page in `fileobj`, in document order.

    `comment_tags` is not used: HTML carries its notes as `<!-- i18n: … -->`, which are always
    passed on. A message with a context needs the `pgettext` keyword (one of Babel's defaults);
    without it the context is dropped rather than the message.
    """
    name = getattr(fileobj, "name", None)
    path = name if isinstance(name, str) else "<html>"
    encoding = options.get("encoding")
    page = decode_page(
        fileobj.read(),
        path=path,
        default_encoding=encoding if isinstance(encoding, str) and encoding else None,
    )
    for segment in segment_page(page).segments:
        comments = list(segment.comments)
        if segment.msgctxt is not None and "pgettext" in keywords:
            yield segment.line, "pgettext", (segment.msgctxt, segment.msgid), comments
        else:
            yield segment.line, None, segment.msgid, comments
