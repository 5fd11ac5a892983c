"""Pages → templates: one `.pot` catalog per page, entries in document order."""

from __future__ import annotations

from dataclasses import replace

from pipeline.model import Catalog, Message
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
    entries: dict[tuple[str | None, str], Message] = {}
    for segment in page.segments:
        message = _message(segment, page_path)
        known = entries.get(message.key)
        if known is None:
            entries[message.key] = message
            continue
        entries[message.key] = replace(
            known,
            references=_unique(known.references + message.references),
            extracted_comments=_unique(known.extracted_comments + message.extracted_comments),
        )
    header = (
        ("Project-Id-Version", project),
        *TEMPLATE_HEADER[1:],
        ("X-Source-Language", source_locale),
    )
    return Catalog(
        header=header,
        header_comments=(f"Translations of {page_path}.",),
        header_flags=("fuzzy",),
        messages=tuple(entries.values()),
    )


def _message(segment: Segment, page_path: str) -> Message:
    return Message(
        msgid=segment.msgid,
        msgctxt=segment.msgctxt,
        references=(f"{page_path}:{segment.line}",),
        extracted_comments=segment.comments,
    )


def _unique(items: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
