"""The build's two laws, as functions the tests (and outside checks) can run on any page."""

from __future__ import annotations

import re
from html import unescape

from bs4 import BeautifulSoup
from bs4.element import NavigableString, PreformattedString, Tag

from pipeline.build import translate_page
from pipeline.html import decode_page
from pipeline.segments import PageSegments, segment_page

OPEN, CLOSE = "⟦", "⟧"
_TAG_RE = re.compile(r"\s*(<[^>]*>)\s*")
_SPACE_RE = re.compile(r"\s+")
_LETTER_RE = re.compile(r"[^\W\d_]")
#: Elements whose text the extraction leaves alone.
EXCLUDED = frozenset(
    {"script", "style", "template", "pre", "code", "kbd", "samp", "var", "svg", "math",
     "textarea", "noembed", "noframes", "iframe", "object", "canvas", "xmp", "plaintext",
     "noscript"}
)  # fmt: skip


def segments_of(data: bytes) -> PageSegments:
    return segment_page(decode_page(data, path="page.html"))


def build_with(data: bytes, translate: str) -> bytes:
    """Build a page with msgstr = f(msgid): "identity" or "pseudo" (⟦msgid⟧)."""
    page = segments_of(data)
    table = {
        (s.msgctxt, s.msgid): s.msgid if translate == "identity" else OPEN + s.msgid + CLOSE
        for s in page.segments
    }
    return translate_page(page, table).data


def flatten(text: str) -> str:
    """Decode entities, delete ⟦ ⟧, collapse white space, drop white space next to tags.

    Entities first: a page whose encoding cannot hold ⟦ carries it as `&#10214;`.
    """
    text = unescape(text).replace(OPEN, "").replace(CLOSE, "")
    text = _TAG_RE.sub(r"\1", text)
    return _SPACE_RE.sub(" ", text).strip()


def pseudo_law_violations(source: bytes, built: bytes) -> list[str]:
    """Empty when the pseudo-translated page is the source plus brackets around all its text."""
    page = segments_of(source)
    problems = []
    source_text = page.page.text
    built_text = built[page.page.prefix :].decode(page.page.encoding, "surrogateescape")
    if flatten(built_text) != flatten(source_text):
        problems.append("flattened text differs")
    soup = BeautifulSoup(built_text, "html5lib")  # the tree a browser builds
    depth = 0
    for node in soup.descendants:
        if not isinstance(node, NavigableString) or isinstance(node, PreformattedString):
            continue
        excluded = _excluded(node)
        for char in str(node):
            if char == OPEN:
                depth += 1
            elif char == CLOSE:
                depth -= 1
            elif depth <= 0 and not excluded and _LETTER_RE.match(char):
                problems.append(f"letter {char!r} outside brackets in {str(node)[:40]!r}")
                break
    return problems


def _excluded(node: NavigableString) -> bool:
    for parent in node.parents:
        if not isinstance(parent, Tag):
            continue
        if parent.name in EXCLUDED or parent.has_attr("data-i18n-switcher"):
            return True
        if parent.name == "time" and parent.has_attr("datetime"):
            return True
        translate = parent.get("translate")
        if isinstance(translate, str):
            return translate.strip().lower() == "no"
        classes = parent.get("class")
        if classes is not None and "notranslate" in classes:
            return True
    return False
