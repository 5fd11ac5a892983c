"""The segmenter: which parts of a page become messages, and where they sit in the source.

A segment is a maximal run of inline content (text and inline elements) inside a block element,
or the value of a translatable attribute. Inline elements become numbered placeholders, so a
msgid never holds attribute text and translators may move the markup. Each segment records the
source spans it came from; the build stage splices translations back into exactly those spans.

The rules it applies (which elements and attributes are translatable) are data in
`pipeline/rules.py`; the tree it walks comes from `pipeline/tree.py`.
"""

from __future__ import annotations

import bisect
import functools
import gc
import itertools
import operator
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from html import unescape
from typing import Literal

from pipeline.html import (
    HTML_SPACE,
    Attribute,
    SourcePage,
    Token,
    clean_text,
    normalize_space,
    tokenize,
)
from pipeline.model import PLACEHOLDER_RE
from pipeline.placeholders import MAX_DIGITS
from pipeline.rules import (
    BUTTON_INPUT_TYPES,
    CONTEXT_ATTRIBUTE,
    EDGE_ELEMENTS,
    ELEMENT_ROLES,
    INLINE_ELEMENTS,
    INLINE_OPAQUE_ELEMENTS,
    INLINE_ROLES,
    INLINE_VOID_ELEMENTS,
    LINK_ELEMENTS,
    NO_TITLE_ELEMENTS,
    NOTE_PREFIX,
    OPAQUE_ELEMENTS,
    RESOURCE_ATTRIBUTES,
    SWITCHER_ATTRIBUTE,
    TRANSLATABLE_ATTRIBUTES,
    TRANSLATABLE_META,
    VOID_ELEMENTS,
)
from pipeline.tree import Element, build_tree, unclosed_code

#: A letter in any script: a text with none (numbers, punctuation) is not worth a message.
_LETTER_RE = re.compile(r"[^\W\d_]")


# --- the segments ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Placeholder:
    """Markup inside a segment, shown to translators as `<N>…</N>` or `<N/>`."""

    number: int
    kind: Literal["pair", "void"]
    #: Element name, or #comment / #end / #other for non-element markup.
    element: str
    #: Source span of the start tag (pair) or of the whole markup (void).
    open_start: int
    open_end: int
    #: Source span of the end tag; (-1, -1) when the page leaves it implied.
    close_start: int = -1
    close_end: int = -1


@dataclass(frozen=True, slots=True)
class Segment:
    """One message: where it is in the page and how its text reads in the catalog."""

    kind: Literal["text", "rcdata", "attribute"]
    #: Span in the page's text that a translation replaces (an attribute's raw value).
    start: int
    end: int
    line: int
    msgid: str
    msgctxt: str | None
    #: What the translator is told: the element, placeholders, notes from the author.
    comments: tuple[str, ...]
    placeholders: tuple[Placeholder, ...] = ()
    #: For attributes: the quote around the value ("" when unquoted).
    quote: str = ""


@dataclass(frozen=True, slots=True)
class DateText:
    """The text of a `<time datetime>` element, which the build localizes."""

    start: int
    end: int
    datetime: str


@dataclass(frozen=True, slots=True)
class PageSegments:
    page: SourcePage
    segments: tuple[Segment, ...]
    dates: tuple[DateText, ...]
    #: What the site stage edits: the href of each link (`<a>`, `<area>`), where `</head>`
    #: starts, the `<html>` and `<head>` start tags.
    hrefs: tuple[Attribute, ...] = field(default=(), repr=False)
    head_end: int | None = None
    html_tag: Token | None = None
    head_tag: Token | None = None
    #: Content spans of the elements marked to hold a language switcher.
    switchers: tuple[tuple[int, int], ...] = ()
    #: The other attributes naming a file the page loads or links (`RESOURCE_ATTRIBUTES`: img
    #: src, link href…), which the build checks but never edits.
    resources: tuple[Attribute, ...] = field(default=(), repr=False)


# --- segmentation ------------------------------------------------------------------------------


def _is_inline_element(node: Element) -> bool:
    """Whether an element that holds more than inline content still sits inside a run."""
    return (
        node.name in INLINE_VOID_ELEMENTS
        or node.name in INLINE_OPAQUE_ELEMENTS
        or (node.name in INLINE_ELEMENTS and node.flag is False)
        or (node.name == "time" and _is_opaque(node))
    )


def _is_opaque(element: Element) -> bool:
    if element.flag is False:
        return True
    if element.name in OPAQUE_ELEMENTS:
        return not unclosed_code(element)
    return (
        element.name == "time"
        and element.start is not None
        and bool(element.start.attribute("datetime"))
    )


#: Work the segmenter has yet to do: a block (its attributes, then its content), an inline run
#: (the parent and the run's nodes) or a title's text (the title and its raw text token). Nested
#: blocks go on a list of steps instead of the call stack, so any depth of nesting works. Plain
#: tuples: a page has tens of thousands of steps.
_Step = tuple[
    Literal["block", "run", "rcdata"], "Element", bool, str | None, list["Element | Token"]
]


class _Segmenter:
    """Walks the tree once, emitting segments in document order."""

    def __init__(self, page: SourcePage) -> None:
        self.page = page
        self.text = page.text
        self.segments: list[Segment] = []
        self.dates: list[DateText] = []
        self.html_tag: Token | None = None
        self.head_tag: Token | None = None
        self.switchers: list[tuple[int, int]] = []

    # block level

    def container(self, element: Element, translatable: bool, context: str | None) -> None:
        """Segment an element's content, taking the steps in document order."""
        pending: list[_Step] = []
        self.content(element, translatable, context, pending)
        while pending:
            kind, node, translatable, context, nodes = pending.pop()
            if kind == "run":
                self.run(nodes, node, translatable, context)
            elif kind == "rcdata":
                token = nodes[0]
                assert isinstance(token, Token)
                self.rcdata(token, node, context)
            else:
                self.block(node, translatable, context, pending)

    def content(
        self, element: Element, translatable: bool, context: str | None, pending: list[_Step]
    ) -> None:
        """Push the steps for an element's children: inline runs, nested blocks, a title's text."""
        if element.name in OPAQUE_ELEMENTS:
            return
        steps: list[_Step] = []
        run: list[Element | Token] = []
        for child in element.children:
            if isinstance(child, Element):
                if child.inline_only or _is_inline_element(child):
                    run.append(child)
                    continue
            elif child.kind != "rawtext":
                run.append(child)
                continue
            if run:
                if self._worth_a_run(run):
                    steps.append(("run", element, translatable, context, run))
                run = []
            if isinstance(child, Element):
                steps.append(("block", child, translatable, context, []))
            elif element.name == "title" and translatable:
                steps.append(("rcdata", element, translatable, context, [child]))
        if run and self._worth_a_run(run):
            steps.append(("run", element, translatable, context, run))
        pending.extend(reversed(steps))

    def block(
        self, element: Element, translatable: bool, context: str | None, pending: list[_Step]
    ) -> None:
        """A block's attributes and landmarks now; push the steps for its content."""
        notable = _notable(element.start)
        if notable or element.name in _LANDMARKS:
            self._note_landmarks(element)
        if notable:
            assert element.start is not None
            if element.start.has_attribute(SWITCHER_ATTRIBUTE):
                return  # its content is the build's to write
            context = self._context(element, context)
        flag = element.flag
        translatable = translatable if flag is None else flag
        if notable and translatable:
            self.attributes(element, context)
        self.content(element, translatable, context, pending)

    def _note_landmarks(self, element: Element) -> None:
        assert element.start is not None
        if element.name == "html" and self.html_tag is None:
            self.html_tag = element.start
        elif element.name == "head" and self.head_tag is None:
            self.head_tag = element.start
        if not element.start.attributes:
            return  # a switcher and a date are marked by attributes
        if element.start.has_attribute(SWITCHER_ATTRIBUTE):
            end = element.end.start if element.end else element.start.end
            self.switchers.append((element.start.end, end))
        if element.name == "time":
            value = element.start.attribute("datetime")
            if (
                value
                and element.end is not None
                and not any(isinstance(c, Element) for c in element.children)
            ):
                self.dates.append(DateText(element.start.end, element.end.start, value))

    @staticmethod
    def _context(element: Element, inherited: str | None) -> str | None:
        if element.start is None or not element.start.attributes:
            return inherited
        value = element.start.attribute(CONTEXT_ATTRIBUTE)
        return value.strip() or None if value is not None else inherited

    # inline runs

    def run(
        self,
        nodes: list[Element | Token],
        parent: Element,
        translatable: bool,
        context: str | None,
    ) -> None:
        if not nodes:
            return
        for node in nodes:  # dates, attributes and markers of inline elements
            if isinstance(node, Element):
                self._inline_details(node, translatable, context)
        if not translatable:
            return
        nodes, start, end = self._trim(nodes)
        if not nodes:  # white space between blocks, mostly
            return
        wrappers = [parent]
        while len(nodes) == 1 and isinstance(nodes[0], Element) and nodes[0].inline_only:
            wrapper = nodes[0]
            if wrapper.flag is False:
                return
            context = self._context(wrapper, context)
            wrappers.append(wrapper)
            nodes, start, end = self._trim(wrapper.children)
        if not nodes or not self._has_letters(nodes):
            return
        pieces: list[str] = []
        placeholders: list[Placeholder] = []
        numbers = _free_numbers(_taken_numbers(self.text, start, end))
        self._render(nodes, pieces, placeholders, numbers)
        msgid = clean_text(normalize_space("".join(pieces)))
        self.text_segment(wrappers, context, start, end, msgid, placeholders)

    def text_segment(
        self,
        wrappers: list[Element],
        context: str | None,
        start: int,
        end: int,
        msgid: str,
        placeholders: list[Placeholder],
    ) -> None:
        """The segment of a run: its text with placeholders (white space collapsed, made safe
        for a catalog), told by the elements around it (the block, then each element that
        wraps all of the run)."""
        comments = [" > ".join(map(self._role, wrappers))]
        legend = [_legend(p.number, p.kind, p.element) for p in placeholders]
        if legend:
            comments.append("placeholders: " + ", ".join(legend))
        self.segments.append(
            Segment(
                "text",
                start,
                end,
                self.page.line_of(start),
                msgid,
                context,
                tuple(comments),
                tuple(placeholders),
            )
        )

    def _inline_details(self, element: Element, translatable: bool, context: str | None) -> None:
        pending = [(element, translatable, context)]
        while pending:  # depth first, in document order, without recursion
            node, inherited, node_context = pending.pop()
            flag = node.flag
            node_translatable = inherited if flag is None else flag
            notable = _notable(node.start)
            if notable or node.name in _LANDMARKS:
                self._note_landmarks(node)
            if not node_translatable:
                continue
            if notable:
                node_context = self._context(node, node_context)
                self.attributes(node, node_context)
            if _is_opaque(node):
                continue  # its own attributes are text for people, what it holds is not
            pending.extend(
                (child, node_translatable, node_context)
                for child in reversed(node.children)
                if isinstance(child, Element)
            )

    def _trim(self, nodes: list[Element | Token]) -> tuple[list[Element | Token], int, int]:
        """Drop white space, comments and line breaks at the edges; return the span left."""
        first, last = 0, len(nodes)
        while first < last and self._is_edge(nodes[first]):
            first += 1
        while last > first and self._is_edge(nodes[last - 1]):
            last -= 1
        kept = nodes[first:last]
        if not kept:
            return [], 0, 0
        return kept, self._start_of(kept[0]), self._end_of(kept[-1])

    def _worth_a_run(self, run: list[Element | Token]) -> bool:
        """False for a lone token a run would trim away (the white space between blocks, most
        runs of a page): no step for it."""
        return len(run) > 1 or run[0].__class__ is Element or not self._is_edge(run[0])

    def _is_edge(self, node: Element | Token) -> bool:
        if isinstance(node, Element):
            return node.name in EDGE_ELEMENTS
        if node.kind == "text":
            return not self.text[node.start : node.end].strip(HTML_SPACE)
        return node.kind in ("comment", "other", "end")

    def _start_of(self, node: Element | Token) -> int:
        if isinstance(node, Element):
            return node.extent_start
        if node.kind == "text":
            chunk = self.text[node.start : node.end]
            return node.start + len(chunk) - len(chunk.lstrip(HTML_SPACE))
        return node.start

    def _end_of(self, node: Element | Token) -> int:
        # implied end: trim trailing space inside
        if isinstance(node, Element) and node.tail is not None:
            node = node.tail
        while isinstance(node, Element) and node.end is None and node.children:
            node = node.children[-1]
        if isinstance(node, Element):
            return node.extent_end()
        if node.kind == "text":
            chunk = self.text[node.start : node.end]
            return node.start + len(chunk.rstrip(HTML_SPACE))
        return node.end

    def _has_letters(self, nodes: list[Element | Token]) -> bool:
        pending = list(reversed(nodes))
        while pending:
            node = pending.pop()
            if isinstance(node, Token):
                if node.kind == "text" and _LETTER_RE.search(self._decoded(node)):
                    return True
            elif not _is_opaque(node) and node.name not in VOID_ELEMENTS:
                pending.extend(reversed(node.children))
        return False

    def _decoded(self, token: Token) -> str:
        return unescape(self.text[token.start : token.end])

    def _render(
        self,
        nodes: list[Element | Token],
        pieces: list[str],
        placeholders: list[Placeholder],
        numbers: Iterator[int],
    ) -> None:
        pending: list[Element | Token | str] = list(reversed(nodes))
        while pending:  # a str is a closing placeholder, due once the element's children are out
            node = pending.pop()
            if isinstance(node, str):
                pieces.append(node)
                continue
            if isinstance(node, Token):
                if node.kind == "text":
                    pieces.append(self._decoded(node))
                else:
                    element = _MARKUP_NAMES.get(node.kind, "#other")
                    number = next(numbers)
                    placeholders.append(Placeholder(number, "void", element, node.start, node.end))
                    pieces.append(f"<{number}/>")
                continue
            number = next(numbers)
            assert node.start is not None
            if node.name in VOID_ELEMENTS or _is_opaque(node) or not node.inline_only:
                placeholders.append(
                    Placeholder(number, "void", node.name, node.extent_start, node.extent_end())
                )
                pieces.append(f"<{number}/>")
                continue
            close = node.end
            placeholders.append(
                Placeholder(
                    number,
                    "pair",
                    node.name,
                    node.start.start,
                    node.start.end,
                    close.start if close else -1,
                    close.end if close else -1,
                )
            )
            pieces.append(f"<{number}>")
            pending.append(f"</{number}>")
            pending.extend(reversed(node.children))

    # attributes and escapable raw text

    def attributes(self, element: Element, context: str | None) -> None:
        token = element.start
        assert token is not None
        for attribute in token.attributes:
            if attribute.name not in _MAYBE_TRANSLATABLE:
                continue  # class, href, id…: the most of them, never translated
            if self._attribute_translatable(token, attribute) and attribute.value is not None:
                msgid = normalize_space(attribute.value)
                if not _LETTER_RE.search(msgid):
                    continue
                role = f"<{token.name} {attribute.name}>"
                if token.name == "meta":
                    role = f"<meta {_meta_key(token)}> content"
                raw = self.text[attribute.value_start : attribute.value_end]
                start = attribute.value_start + len(raw) - len(raw.lstrip(HTML_SPACE))
                end = attribute.value_start + len(raw.rstrip(HTML_SPACE))
                self.segments.append(
                    Segment(
                        "attribute",
                        start,
                        end,
                        self.page.line_of(start),
                        clean_text(msgid),
                        context,
                        (role,),
                        quote=attribute.quote,
                    )
                )

    @staticmethod
    def _attribute_translatable(token: Token, attribute: Attribute) -> bool:
        name = attribute.name
        if token.name == "meta":
            return name == "content" and _meta_key(token) in TRANSLATABLE_META
        if token.name == "input" and name == "value":
            return (token.attribute("type") or "").strip().lower() in BUTTON_INPUT_TYPES
        if name == "title" and token.name in NO_TITLE_ELEMENTS:
            return False
        return name in TRANSLATABLE_ATTRIBUTES["*"] or name in TRANSLATABLE_ATTRIBUTES.get(
            token.name, frozenset()
        )

    def rcdata(self, token: Token, element: Element, context: str | None) -> None:
        raw = self.text[token.start : token.end]
        msgid = normalize_space(self._decoded(token))
        if not _LETTER_RE.search(msgid):
            return
        start = token.start + len(raw) - len(raw.lstrip(HTML_SPACE))
        end = token.start + len(raw.rstrip(HTML_SPACE))
        self.segments.append(
            Segment(
                "rcdata",
                start,
                end,
                self.page.line_of(start),
                clean_text(msgid),
                context,
                (self._role(element),),
            )
        )

    @staticmethod
    def _role(element: Element) -> str:
        role = ELEMENT_ROLES.get(element.name)
        return f"<{element.name}> {role}" if role else f"<{element.name}>"


_MARKUP_NAMES = {"comment": "#comment", "end": "#end"}
#: Elements `_note_landmarks` notes without attributes (the others need one to be noted).
_LANDMARKS = frozenset({"html", "head"})
#: Every attribute name `_attribute_translatable` can accept, for any element.
_MAYBE_TRANSLATABLE = frozenset({"content", "value"}).union(*TRANSLATABLE_ATTRIBUTES.values())
#: Attribute names the segmenter acts on: a switcher, a context, a date, translatable text.
_NOTABLE_ATTRIBUTES = _MAYBE_TRANSLATABLE | {SWITCHER_ATTRIBUTE, CONTEXT_ATTRIBUTE, "datetime"}
_ATTRIBUTE_NAME = operator.itemgetter(0)


def _notable(token: Token | None) -> bool:
    """Whether a start tag has an attribute the segmenter acts on. Most tags (class, href, id
    only) have none: one look in C spares them the attribute scans of `_note_landmarks`,
    `_context` and `attributes`, which would find nothing."""
    return (
        token is not None
        and bool(token.attributes)
        and not _NOTABLE_ATTRIBUTES.isdisjoint(map(_ATTRIBUTE_NAME, token.attributes))
    )


def _meta_key(token: Token) -> str:
    key = token.attribute("name") or token.attribute("property") or ""
    return key.strip().lower()


@functools.cache
def _legend(number: int, kind: str, element: str) -> str:
    """A placeholder as the comment explains it: `<1>…</1> = a (link)`. Pages repeat the same
    few, so each is made once."""
    shown = f"<{number}>…</{number}>" if kind == "pair" else f"<{number}/>"
    role = INLINE_ROLES.get(element)
    name = element.lstrip("#")
    return f"{shown} = {name} ({role})" if role and role != name else f"{shown} = {name}"


def _taken_numbers(text: str, start: int, end: int) -> set[int]:
    """The numbers the segment's own text already spells as `<N>`: placeholders skip them.
    A longer number than a placeholder's is text to `tokenize`, and too long for int()."""
    found = PLACEHOLDER_RE.finditer(unescape(text[start:end]))
    return {int(m.group(2)) for m in found if len(m.group(2)) <= MAX_DIGITS}


def _free_numbers(taken: set[int]) -> Iterator[int]:
    """Placeholder numbers from 1, skipping the `taken` ones."""
    number = 1
    while True:
        if number not in taken:
            yield number
        number += 1


def segment_page(page: SourcePage) -> PageSegments:
    """All translatable segments of a page, in document order, with i18n notes attached."""
    with collector_paused():
        return _segment_page(page)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run without the cyclic garbage collector, then restore it (segmenting, and each job of
    the worker processes).

    Segmenting a page makes hundreds of thousands of tokens and nodes and no reference cycles
    (a test checks), so reference counting frees all of it; but the collector, triggered by
    allocation counts, would scan the growing token list over and over (40% of the time on
    documentation pages).
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _segment_page(page: SourcePage) -> PageSegments:
    tokens = tokenize(page.text)
    root = build_tree(tokens)
    segmenter = _Segmenter(page)
    segmenter.container(root, True, None)
    segments = sorted(segmenter.segments, key=lambda s: s.start)
    segments = _attach_notes(page, tokens, segments)
    hrefs, resources = _links(tokens)
    return PageSegments(
        page,
        tuple(segments),
        tuple(segmenter.dates),
        hrefs,
        next((t.start for t in tokens if t.kind == "end" and t.name == "head"), None),
        segmenter.html_tag,
        segmenter.head_tag,
        tuple(segmenter.switchers),
        resources,
    )


def _links(tokens: list[Token]) -> tuple[tuple[Attribute, ...], tuple[Attribute, ...]]:
    """The href of each link (`LINK_ELEMENTS`), and the other attributes naming a file
    (`RESOURCE_ATTRIBUTES`), that have a value (the tokenizer keeps only the first of each
    name, the one browsers follow)."""
    hrefs: list[Attribute] = []
    resources: list[Attribute] = []
    for token in tokens:
        if token.kind != "start" or not token.attributes:
            continue
        if token.name in LINK_ELEMENTS:
            hrefs.extend(a for a in token.attributes if a.name == "href" and a.value is not None)
        elif token.name in RESOURCE_ATTRIBUTES:
            names = RESOURCE_ATTRIBUTES[token.name]
            resources.extend(a for a in token.attributes if a.name in names and a.value is not None)
    return tuple(hrefs), tuple(resources)


def _attach_notes(page: SourcePage, tokens: list[Token], segments: list[Segment]) -> list[Segment]:
    """An `<!-- i18n: … -->` comment is a note for the first segment that ends after it."""
    # A note's prefix is "i18n:" whatever its case, and only "n" has a case among "18n:" (only
    # I, i, N, n lower-case to i and n): two plain searches, an eighth of a case-blind regular
    # expression's time, tell a page with no note (no page of documentation has one).
    if "18n:" not in page.text and "18N:" not in page.text:
        return segments
    notes: dict[int, list[str]] = {}
    # The first segment (in start order) that ends after a place is the first whose running
    # maximum of ends does: a bisection, not a scan per note (a page may have thousands).
    reach = list(itertools.accumulate((s.end for s in segments), max))
    for token in tokens:
        if token.kind != "comment":
            continue
        body = page.text[token.start + 4 : token.end].removesuffix("-->").removesuffix("--!>")
        body = normalize_space(body)
        if not body.lower().startswith(NOTE_PREFIX):
            continue
        target = bisect.bisect_right(reach, token.start)
        if target < len(segments):
            notes.setdefault(target, []).append(clean_text(body[len(NOTE_PREFIX) :].strip()))
    if not notes:
        return segments
    return [
        replace(s, comments=(*s.comments, *notes[i])) if i in notes else s
        for i, s in enumerate(segments)
    ]
