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
    # References and comments of repeated texts, gathered first: merging them one repetition at
    # a time would copy ever longer tuples (quadratic on a page that repeats a text thousands
    # of times).
    references: dict[tuple[str | None, str], dict[str, None]] = {}
    comments: dict[tuple[str | None, str], dict[str, None]] = {}
    for segment in page.segments:
        message = _message(segment, page_path)
        if message.key not in entries:
            entries[message.key] = message
            references[message.key] = {}
            comments[message.key] = {}
        references[message.key].update(dict.fromkeys(message.references))
        comments[message.key].update(dict.fromkeys(message.extracted_comments))
    for key, message in entries.items():
        entries[key] = replace(
            message, references=tuple(references[key]), extracted_comments=tuple(comments[key])
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
