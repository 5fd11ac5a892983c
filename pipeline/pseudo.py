"""Pseudo-translation: every entry of a pseudo-locale (`qps`) filled from its own msgid.

A pseudo-translated page shows the layout what real translations will do to it before any
exist: text still in English stands out (no brackets, no accents), text clipped by a fixed-width
box loses its closing `⟧`, and the ~30 % padding stands in for languages that run longer than
English. Placeholders (`<1>…</1>`, `<2/>`, `{name}`, `%s`, URLs) are kept byte for byte, so the
build splices the markup back exactly as it does for a real translation.

This never touches a real locale: `update` calls it only for `Settings.pseudo_locales`.

>>> pseudo_text("Call <1>us</1> at 9:00.")
'⟦Çåļļ <1>ûš</1> åţ 9:00. ····⟧'
>>> restore(pseudo_text("Call <1>us</1> at 9:00."))
'⟦Call <1>us</1> at 9:00.⟧'
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import replace

from pipeline.model import FUZZY, Catalog, Message
from pipeline.triage import without_notes

OPEN, CLOSE = "⟦", "⟧"
#: How much longer than the English a pseudo-translation is.
EXPANSION = 0.3
#: The padding's character; a space every few keeps long padding breakable like words.
PAD, PAD_GROUP = "·", 5
#: One accented letter for every ASCII letter, each a single code point (so it is invertible).
ACCENTS = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "åƀçðéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇÐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
        strict=True,
    )
)
_ACCENT_TABLE = str.maketrans(ACCENTS)
_PLAIN_TABLE = str.maketrans({accented: plain for plain, accented in ACCENTS.items()})
#: Never accented: gettext placeholders of our HTML, Python/printf formats, URLs and e-mail.
_PROTECTED = (
    r"</?\d+/?>"
    r"|%(?:\([^)\s]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]"
    r"|\{[^{}\s]*\}"
    r"|(?:https?://|mailto:|www\.)\S+"
)
_PROTECTED_RE = re.compile(_PROTECTED)
#: An e-mail address. Tried at every character of a long word, its first part would scan the
#: rest of the word each time (quadratic: hours for a word of a few megabytes), so it is tried
#: only where a word starts or where the last protected text ended (`_protected`).
_EMAIL_RE = re.compile(r"[\w.+-]++@[\w-]+(?:\.[\w-]+)+")
_EMAIL_AT_WORD_START_RE = re.compile(r"(?<![\w.+-])" + _EMAIL_RE.pattern)
_PADDING_RE = re.compile(f" {PAD}[{PAD} ]*(?={CLOSE})")
_BRACKETED_RE = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")


def pseudo_text(text: str) -> str:
    """`text` accented, padded ~30 % and wrapped in ⟦ ⟧; placeholders left as they are."""
    if not text:
        return text
    parts: list[str] = []
    visible = 0
    position = 0
    for match in _protected(text):
        plain = text[position : match.start()]
        parts.extend((plain.translate(_ACCENT_TABLE), match.group()))
        visible += len(plain)
        position = match.end()
    plain = text[position:]
    parts.append(plain.translate(_ACCENT_TABLE))
    visible += len(plain)
    return OPEN + "".join(parts) + _padding(math.ceil(visible * EXPANSION)) + CLOSE


def _protected(text: str) -> Iterator[re.Match[str]]:
    """What `re.finditer` of placeholders, formats, URLs or an address gives (the first of them
    where two start at one place), in linear time: an address starts where its word does, or
    where the protected text before it ended, since its first part runs to the `@`."""
    if "@" not in text:
        yield from _PROTECTED_RE.finditer(text)
        return
    position = 0
    other = _PROTECTED_RE.search(text)
    email = _EMAIL_AT_WORD_START_RE.search(text)
    while True:
        if other is not None and other.start() < position:
            other = _PROTECTED_RE.search(text, position)
        if email is not None and email.start() < position:
            email = _EMAIL_AT_WORD_START_RE.search(text, position)
        resumed = _EMAIL_RE.match(text, position) if position else None
        found = [m for m in (other, resumed, email) if m is not None]
        if not found:
            return
        first = min(found, key=lambda m: m.start())  # min keeps the first of a tie: `other`
        yield first
        position = first.end()


def _padding(length: int) -> str:
    """` ···· ··`: `length` characters, a space first and every PAD_GROUP characters."""
    if length < 2:
        return ""
    chars = [" " if i % PAD_GROUP == 0 else PAD for i in range(length)]
    chars[-1] = PAD
    return "".join(chars)


def restore(text: str) -> str:
    """Undo the accents and padding inside every ⟦ ⟧ of `text` (the brackets stay).

    For tests: restoring a pseudo page gives the page the pseudo law is stated for.
    """

    def plain(match: re.Match[str]) -> str:
        return _PADDING_RE.sub("", match.group()).translate(_PLAIN_TABLE)

    return _BRACKETED_RE.sub(plain, text)


def pseudo_message(message: Message) -> Message:
    """The entry with a pseudo-translation: not fuzzy, no previous msgid, and so no notes of
    `update` about its English (they would say what a pseudo-translation need not know)."""
    flags = tuple(f for f in message.flags if f != FUZZY)
    message = replace(message, translator_comments=without_notes(message.translator_comments))
    if message.msgid_plural is not None:
        count = max(len(message.msgstr_plural), 2)
        forms = (pseudo_text(message.msgid),) + (pseudo_text(message.msgid_plural),) * (count - 1)
        return replace(
            message, msgstr_plural=forms, flags=flags, previous_msgid=None, previous_msgctxt=None
        )
    return replace(
        message,
        msgstr=pseudo_text(message.msgid),
        flags=flags,
        previous_msgid=None,
        previous_msgctxt=None,
    )


def pseudo_catalog(catalog: Catalog, *, locale: str) -> Catalog:
    """Every active entry pseudo-translated; obsolete entries dropped (nothing to keep)."""
    note = f"Pseudo-translation ({locale}), regenerated by `update`: edits are overwritten."
    kept = tuple(c for c in catalog.header_comments if not c.startswith("Pseudo-translation"))
    return replace(
        catalog,
        header_comments=(note, *kept),
        messages=tuple(pseudo_message(m) for m in catalog.active),
    )
