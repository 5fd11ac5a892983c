"""Catalog + page → localized page: translations spliced into the page's own bytes.

A page is rebuilt as its source bytes with a few edits: translated segments and attribute values,
plus the site edits (lang, alternates, switcher, links, dates) from `pipeline.site`. Every byte
outside an edit is copied, so quoting, entities, comments, case and line endings stay as written.
A translation is text: it is escaped for where it goes, and markup can only come from the page's
own tags through the placeholders, so no msgstr can put live markup into a page.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from pipeline.model import PipelineError
from pipeline.placeholders import Tag, splice_problem, tokenize
from pipeline.segments import PageSegments, Segment

MessageKey = tuple[str | None, str]


class Span(NamedTuple):
    """Source text to copy as it is (by byte, not re-encoded).

    A named tuple rather than a frozen dataclass, as `pipeline.html.Token` is: a page's build
    makes one for every tag its translations keep, and a named tuple is four times cheaper.
    """

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the source between start and end (equal for an insertion) with pieces."""

    start: int
    end: int
    pieces: tuple[str | Span, ...]


@dataclass(frozen=True, slots=True)
class BuildProblem:
    """A translation the build could not use; the source text stays in its place."""

    line: int
    msgctxt: str | None
    msgid: str
    message: str


@dataclass(frozen=True, slots=True)
class TranslatedPage:
    data: bytes
    problems: tuple[BuildProblem, ...]


#: What a review copy writes around the text of a text segment, (before, after), whether the
#: page shows its translation or its source (`pipeline.review`); the site itself has none.
Marker = Callable[[Segment], tuple[str, str]]


def translate_page(
    page: PageSegments,
    translations: dict[MessageKey, str],
    *,
    site_edits: tuple[Edit, ...] = (),
    marker: Marker | None = None,
) -> TranslatedPage:
    """The page with every usable translation and the given site edits applied."""
    edits, problems = _translated_edits(
        page.segments, translations, page.page.newline, site_edits, marker
    )
    return TranslatedPage(assemble(page, edits), tuple(problems))


def refusal(segment: Segment, msgstr: str) -> str | None:
    """Why the build keeps the source text in place of this translation (None: it splices
    it). An attribute value has no markup to lose."""
    return None if segment.kind == "attribute" else splice_problem(segment.msgid, msgstr)


def _translated_edits(
    segments: tuple[Segment, ...],
    translations: dict[MessageKey, str],
    newline: str,
    site_edits: tuple[Edit, ...],
    marker: Marker | None,
) -> tuple[list[Edit], list[BuildProblem]]:
    """The edits that splice the translations in, and the problems of those left out."""
    problems: list[BuildProblem] = []
    leaves: list[Edit] = list(site_edits)
    segment_edits: list[tuple[Segment, str]] = []
    #: Around the text segments left as they are, when marked: kept apart from the leaves, which
    #: a translated segment takes in when they fall inside it.
    marks: list[Edit] = []
    for segment in segments:
        msgstr = translations.get((segment.msgctxt, segment.msgid))
        if msgstr and msgstr != segment.msgid:
            trouble = refusal(segment, msgstr)
            if trouble is None:
                if segment.kind == "attribute":
                    leaves.append(_attribute_edit(segment, msgstr, newline))
                else:
                    segment_edits.append((segment, msgstr))
                continue
            problems.append(BuildProblem(segment.line, segment.msgctxt, segment.msgid, trouble))
        if marker is not None and segment.kind == "text":
            before, after = marker(segment)
            marks += [
                Edit(segment.start, segment.start, (before,)),
                Edit(segment.end, segment.end, (after,)),
            ]
    leaves.sort(key=lambda e: (e.start, e.end))
    starts = [e.start for e in leaves]
    edits: list[Edit] = []
    consumed: set[int] = set()
    for segment, msgstr in segment_edits:
        # Only the leaves starting inside the segment (found by bisection: a page with
        # thousands of segments and attributes must not cost segments × leaves).
        first = bisect.bisect_left(starts, segment.start)
        last = bisect.bisect_right(starts, segment.end)
        inner = [i for i in range(first, last) if leaves[i].end <= segment.end]
        consumed.update(inner)
        edit = _segment_edit(segment, msgstr, newline, [leaves[i] for i in inner])
        if marker is not None and segment.kind == "text":
            before, after = marker(segment)
            edit = Edit(edit.start, edit.end, (before, *edit.pieces, after))
        edits.append(edit)
    edits.extend(e for i, e in enumerate(leaves) if i not in consumed)
    edits.extend(marks)
    return edits, problems


def escape_text(text: str, newline: str) -> str:
    """Text for an element's content (also for title, whose content decodes entities)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _newlines(text.replace("\x00", "\ufffd"), newline)


def escape_attribute(text: str, quote: str) -> str:
    """A value for an attribute written with `quote` ("" keeps an unquoted value unquoted)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\x00", "\ufffd")
    if quote == "'":
        return text.replace("'", "&#39;")
    text = text.replace('"', "&quot;")
    if quote:
        return text
    text = _UNQUOTED_SPECIAL_RE.sub(lambda m: f"&#{ord(m.group(0))};", text)
    return text or '""'


#: Characters that would end or break an unquoted attribute value.
_UNQUOTED_SPECIAL_RE = re.compile(r"[\t\n\f\r '=`]")


def _newlines(text: str, newline: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", newline)


def _attribute_edit(segment: Segment, msgstr: str, newline: str) -> Edit:
    value = escape_attribute(_newlines(msgstr, newline), segment.quote)
    return Edit(segment.start, segment.end, (value,))


def _segment_edit(segment: Segment, msgstr: str, newline: str, leaves: list[Edit]) -> Edit:
    numbers = frozenset(p.number for p in segment.placeholders)
    by_number = {p.number: p for p in segment.placeholders}
    pieces: list[str | Span] = []
    for part in tokenize(msgstr, numbers):
        if isinstance(part, str):
            pieces.append(escape_text(part, newline))
            continue
        placeholder = by_number[part.number]
        start, end = _tag_span(
            part,
            placeholder.open_start,
            placeholder.open_end,
            placeholder.close_start,
            placeholder.close_end,
        )
        if start < end:
            pieces.extend(_copy(start, end, leaves))
    return Edit(segment.start, segment.end, tuple(pieces))


def _tag_span(
    tag: Tag, open_start: int, open_end: int, close_start: int, close_end: int
) -> tuple[int, int]:
    if tag.kind == "close":
        return (close_start, close_end) if close_start >= 0 else (0, 0)
    return open_start, open_end


def _copy(start: int, end: int, leaves: list[Edit]) -> list[str | Span]:
    """Source text from start to end, with the edits that fall inside it applied."""
    pieces: list[str | Span] = []
    position = start
    for edit in leaves:
        if edit.start < start or edit.end > end:
            continue
        if edit.start > position:
            pieces.append(Span(position, edit.start))
        pieces.extend(edit.pieces)
        position = edit.end
    if end > position:
        pieces.append(Span(position, end))
    return pieces


def assemble(page: PageSegments, edits: list[Edit]) -> bytes:
    """Source bytes with the edits applied: copied spans stay byte for byte."""
    source = page.page
    edits = sorted(edits, key=lambda e: (e.start, e.end))
    previous_end = 0
    for edit in edits:
        if edit.start < previous_end:
            raise PipelineError(source.path, source.line_of(edit.start), "overlapping edits")
        previous_end = edit.end
    if source.encodes_back():  # the same bytes, put together as text and encoded once
        text = _assembled_text(source.text, edits)
        return source.data[: source.prefix] + text.encode(source.encoding, "xmlcharrefreplace")
    offsets: set[int] = {0, len(source.text)}
    for edit in edits:
        offsets.update((edit.start, edit.end))
        for piece in edit.pieces:
            if isinstance(piece, Span):
                offsets.update((piece.start, piece.end))
    ordered = sorted(offsets)
    byte_at = dict(zip(ordered, source.byte_offsets(ordered), strict=True))
    data = source.data
    out: list[bytes] = [data[: source.prefix]]
    position = 0
    for edit in edits:
        out.append(data[byte_at[position] : byte_at[edit.start]])
        for piece in edit.pieces:
            if isinstance(piece, Span):
                out.append(data[byte_at[piece.start] : byte_at[piece.end]])
            else:
                out.append(source.encode(piece))
        position = edit.end
    out.append(data[byte_at[position] :])
    return b"".join(out)


def _assembled_text(text: str, edits: list[Edit]) -> str:
    """The page's text with the edits applied."""
    out: list[str] = []
    position = 0
    for edit in edits:
        out.append(text[position : edit.start])
        for piece in edit.pieces:
            out.append(text[piece.start : piece.end] if isinstance(piece, Span) else piece)
        position = edit.end
    out.append(text[position:])
    return "".join(out)
