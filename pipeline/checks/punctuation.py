"""Whitespace and punctuation checks: what surrounds a segment is part of the page layout.

Leading and trailing whitespace separate a segment from its neighbours in the built page, so the
msgstr keeps whatever the msgid has. A msgid ending in `. ? ! :` is a sentence, question or
label; the msgstr should end the same way, in full-width form for Japanese (。？！：), and a
Japanese msgstr never ends with an ASCII `.`. Closing quotes and brackets are looked past, and a
trailing abbreviation such as "M.D." is not taken for a full stop.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.checks.core import Context
from pipeline.placeholders import strip_placeholders

#: Source ending → endings accepted in the translation. A Japanese question commonly ends in
#: か。 and an exclamation is often softened to 。, so those are accepted too.
_ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("...", ("…", "...", "。")),
    ("…", ("…", "...", "。")),
    (".", (".", "。")),
    ("?", ("?", "？", "か。")),
    ("!", ("!", "！", "。")),
    (":", (":", "：")),
)
_CLOSERS = "\"'”’)）」』]】"
#: Two initials at the end ("M.D."): what `(?:\b[A-Za-z]\.){2,}$` finds, without its quadratic
#: retries from every initial of a long "a.a.a.…x".
_ABBREVIATION_RE = re.compile(r"(?<!\w)[A-Za-z]\.[A-Za-z]\.$")
_JAPANESE_RE = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


def check_whitespace(msgid: str, msgstr: str, context: Context) -> Iterator[str]:
    for side, source_edge, target_edge in (
        ("starts", msgid[:1], msgstr[:1]),
        ("ends", msgid[-1:], msgstr[-1:]),
    ):
        source, target = source_edge.isspace(), target_edge.isspace()
        if source != target:
            has = "has" if source else "does not have"
            yield f"the source {has} whitespace where it {side}; the translation should match"


def _ending(text: str) -> str:
    return strip_placeholders(text).rstrip().rstrip(_CLOSERS).rstrip()


def check_punctuation(msgid: str, msgstr: str, context: Context) -> Iterator[str]:
    source, target = _ending(msgid), _ending(msgstr)
    japanese = context.japanese and _JAPANESE_RE.search(target) is not None
    if japanese and target.endswith(".") and not target.endswith("..."):
        yield "a Japanese sentence ends with 。, not an ASCII '.'"
        return
    if _ABBREVIATION_RE.search(source):
        return
    for mark, accepted in _ENDINGS:
        if source.endswith(mark):
            if not target.endswith(accepted):
                shown = [end for end in accepted if not end.isascii()] if japanese else accepted
                endings = " or ".join(shown)
                yield f"the source ends with {mark!r}; end the translation with {endings}"
            return
