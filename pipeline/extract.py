"""Pages → templates: one `.pot` catalog per page, entries in document order."""

from __future__ import annotations

from pipeline.model import Catalog, Message
from pipeline.pofile import render_po
from pipeline.segments import PageSegments, Segment

TEMPLATE_HEADER: tuple[tuple[str, str], ...] = (
    ("Project-Id-Version", "PACKAGE VERSION"),
    ("Report-Msgid-Bugs-To", ""),
    ("MIME-Version", "1.0"),
    ("Content-Type", "text/plain; charset=UTF-8"),
    ("Content-Transfer-Encoding", "8bit"),
)


def template_for_page(
    page: PageSegments,
    *,
    page_path: str,
    project: str,
    source_locale: str,
) -> Catalog:
    """The page's messages; a text used twice is one entry with both references."""
    first: dict[tuple[str | None, str], Segment] = {}
    # References and comments of repeated texts, gathered first: merging them one repetition at
    # a time would copy ever longer tuples (quadratic on a page that repeats a text thousands
    # of times).
    references: dict[tuple[str | None, str], dict[str, None]] = {}
    comments: dict[tuple[str | None, str], dict[str, None]] = {}
    for segment in page.segments:
        key = (segment.msgctxt, segment.msgid)
        if key not in first:
            first[key] = segment
            references[key] = {}
            comments[key] = {}
        references[key][f"{page_path}:{segment.line}"] = None
        comments[key].update(dict.fromkeys(segment.comments))
    messages = tuple(
        Message(
            msgid=segment.msgid,
            msgctxt=segment.msgctxt,
            references=tuple(references[key]),
            extracted_comments=tuple(comments[key]),
        )
        for key, segment in first.items()
    )
    return _template(page_path, project, source_locale, messages)


def template_text(
    page: PageSegments,
    *,
    page_path: str,
    project: str,
    source_locale: str,
) -> str:
    """The page's template as catalog text."""
    return render_po(
        template_for_page(page, page_path=page_path, project=project, source_locale=source_locale)
    )


def _template(
    page_path: str, project: str, source_locale: str, messages: tuple[Message, ...]
) -> Catalog:
    header = (
        ("Project-Id-Version", project),
        *TEMPLATE_HEADER[1:],
        ("X-Source-Language", source_locale),
    )
    return Catalog(
        header=header,
        header_comments=(f"Translations of {page_path}.",),
        header_flags=("fuzzy",),
        messages=messages,
    )
