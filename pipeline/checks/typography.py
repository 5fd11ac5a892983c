"""Japanese typography and politeness checks (JTF style guide basics); silent for other locales.

Typography: 、。 rather than `,` `.` between Japanese characters, no half-width katakana
(U+FF61–FF9F, which includes ｡｢｣､), no ASCII space between two Japanese characters.

Politeness: patient material keeps one style. Sentences ending in です/ます/ください/でしょう…
are polite; sentences ending in だ/である/ない followed by 。 are plain. Plain endings only count
with the 。, so headings and list items ("痛みがない") never do. When a catalog has both, the
style with fewer sentences is flagged, entry by entry (a tie counts as polite, the JTF default).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType

from pipeline.checks.core import Context, Style
from pipeline.placeholders import strip_placeholders

_J = "\u3005\u3007\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3001-\u303f\uff01-\uff60"
_HALF_WIDTH_PUNCTUATION_RE = re.compile(rf"(?<=[{_J}])[,.](?= ?[{_J}])")
_HALF_WIDTH_KANA_RE = re.compile("[\uff61-\uff9f]+")
_SPACE_RE = re.compile(rf"(?<=[{_J}]) +(?=[{_J}])")

_SENTENCE_RE = re.compile(r"[^。！？!?\n]+[。！？!?]*")
_CLOSERS = "\"'”’)）」』 \u3000"
_POLITE_RE = re.compile(r"(?:です|ます|ました|ません|でした|ましょう|ください|でしょう)[かねよ]?$")
_PLAIN_RE = re.compile(r"(?:だ|である|だった|であった|ない|なかった|だろう)$")
_NAMES: Mapping[Style, str] = MappingProxyType({"polite": "です・ます", "plain": "だ・である"})


def check_typography(msgid: str, msgstr: str, context: Context) -> Iterator[str]:
    if not context.japanese:
        return
    text = strip_placeholders(msgstr)
    for match in _HALF_WIDTH_PUNCTUATION_RE.finditer(text):
        wanted = "、" if match.group() == "," else "。"
        yield f"half-width {match.group()!r} between Japanese characters; use {wanted}"
    for match in _HALF_WIDTH_KANA_RE.finditer(text):
        yield f"half-width katakana {match.group()!r}; use full-width characters"
    for match in _SPACE_RE.finditer(text):
        around = text[match.start() - 1 : match.end() + 1]
        yield f"space between Japanese characters in {around!r}; remove it"


def sentence_styles(msgstr: str) -> tuple[Style, ...]:
    """The politeness style of each sentence that shows one, in order."""
    styles: list[Style] = []
    for sentence in _SENTENCE_RE.findall(strip_placeholders(msgstr)):
        body = sentence.rstrip(_CLOSERS)
        terminated = body.endswith("。")
        body = body.rstrip("。！？!?").rstrip(_CLOSERS)
        if _POLITE_RE.search(body):
            styles.append("polite")
        elif terminated and _PLAIN_RE.search(body):
            styles.append("plain")
    return tuple(styles)


def majority_style(msgstrs: Iterable[str]) -> Style | None:
    """The catalog's style when both occur (the one to keep), None when there is nothing to flag."""
    counts = Counter(style for msgstr in msgstrs for style in sentence_styles(msgstr))
    if not counts["polite"] or not counts["plain"]:
        return None
    return "plain" if counts["plain"] > counts["polite"] else "polite"


def check_politeness(msgid: str, msgstr: str, context: Context) -> Iterator[str]:
    majority = context.majority_style
    if not context.japanese or majority is None:
        return
    minority: Style = "plain" if majority == "polite" else "polite"
    if minority in sentence_styles(msgstr):
        yield (
            f"{_NAMES[minority]} style in a catalog written in {_NAMES[majority]} style; "
            "keep one style"
        )
