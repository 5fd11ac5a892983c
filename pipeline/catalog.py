"""Templates → catalogs: a msgmerge-style merge that never loses a translator's work.

For each template entry, in order of preference: the same entry in the old catalog (translation,
flags and translator comments kept), the same entry among the old obsolete ones (revived), the
same text translated in another catalog of the locale (site memory, which brings the translator's
comments and `ignore-` flags along: a reason to overrule a check holds wherever the text is), a
similar old entry (fuzzy, with `#|` previous msgid). Every old entry the template no longer has
becomes obsolete, including the ones lent to a fuzzy match, so text that comes back finds its
translation again.
"""

from __future__ import annotations

import difflib
import functools
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from pipeline.model import FUZZY, IGNORE, Catalog, Message

#: msgmerge's similarity threshold for a fuzzy match.
FUZZY_THRESHOLD = 0.6
MessageKey = tuple[str | None, str]


@dataclass(frozen=True, slots=True)
class Remembered:
    """A finished translation in the site memory, with what its translator noted beside it."""

    msgstr: str
    translator_comments: tuple[str, ...] = ()
    #: Its `ignore-<check>` flags; other flags describe the source text, which the template has.
    ignore_flags: tuple[str, ...] = ()

    @staticmethod
    def of(message: Message) -> Remembered:
        return Remembered(
            message.msgstr,
            message.translator_comments,
            tuple(flag for flag in message.flags if flag.startswith(IGNORE)),
        )

    @property
    def noted(self) -> bool:
        return bool(self.translator_comments or self.ignore_flags)


def merge(
    template: Catalog,
    previous: Catalog | None,
    *,
    locale: str,
    memory: Mapping[MessageKey, Remembered],
    revision_date: str,
) -> Catalog:
    """The catalog for `locale` after `template` changed (`previous` is None for a new one)."""
    old_messages = previous.messages if previous else ()
    active = {m.key: m for m in old_messages if not m.obsolete}
    obsolete = {m.key: m for m in old_messages if m.obsolete}
    template_keys = {m.key for m in template.messages}
    candidates = [
        m for m in old_messages if m.key not in template_keys and (m.msgstr or m.msgstr_plural)
    ]
    merged = tuple(
        _merge_one(entry, active.get(entry.key) or obsolete.get(entry.key), memory, candidates)
        for entry in template.messages
    )
    gone = tuple(
        # As msgmerge does: the source's comments and references go with the source text.
        replace(m, obsolete=True, references=(), extracted_comments=(), line=0)
        for m in old_messages
        if m.key not in template_keys
    )
    return Catalog(
        header=_header(template, previous, locale=locale, revision_date=revision_date),
        header_comments=previous.header_comments
        if previous and previous.header_comments
        else _header_comments(template, locale),
        header_flags=tuple(f for f in previous.header_flags if f != FUZZY) if previous else (),
        messages=merged + gone,
    )


def _merge_one(
    entry: Message,
    old: Message | None,
    memory: Mapping[MessageKey, Remembered],
    candidates: list[Message],
) -> Message:
    remembered = memory.get(entry.key)
    if old is not None and not (old.msgstr or old.msgstr_plural) and remembered:
        old = _reuse(old, remembered)
    if old is not None:
        return replace(
            old,
            references=entry.references,
            extracted_comments=entry.extracted_comments,
            obsolete=False,
            previous_msgid=old.previous_msgid if old.fuzzy else None,
            previous_msgctxt=old.previous_msgctxt if old.fuzzy else None,
            line=0,
        )
    if remembered:
        return _reuse(entry, remembered)
    similar = _most_similar(entry.msgid, candidates)
    if similar is None:
        return entry
    return replace(
        entry,
        msgstr=similar.msgstr,
        flags=_with_fuzzy(similar.flags),
        translator_comments=similar.translator_comments,
        previous_msgid=similar.previous_msgid
        if similar.fuzzy and similar.previous_msgid
        else similar.msgid,
        previous_msgctxt=similar.msgctxt,
    )


def _reuse(message: Message, remembered: Remembered) -> Message:
    """`message` translated from the site memory: done, with the remembered notes it lacks."""
    return replace(
        message,
        msgstr=remembered.msgstr,
        flags=_added(tuple(f for f in message.flags if f != FUZZY), remembered.ignore_flags),
        translator_comments=_added(message.translator_comments, remembered.translator_comments),
    )


def _added(lines: tuple[str, ...], more: tuple[str, ...]) -> tuple[str, ...]:
    return lines + tuple(line for line in more if line not in lines)


def _with_fuzzy(flags: tuple[str, ...]) -> tuple[str, ...]:
    return flags if FUZZY in flags else (FUZZY, *flags)


def _most_similar(msgid: str, candidates: list[Message]) -> Message | None:
    """The candidate closest to `msgid` at or above the threshold (first one on ties)."""
    if not candidates:
        return None
    best: Message | None = None
    best_ratio = FUZZY_THRESHOLD
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(msgid)
    for candidate in candidates:
        matcher.set_seq1(candidate.msgid)
        if matcher.real_quick_ratio() < best_ratio or matcher.quick_ratio() < best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio or (best is None and ratio >= best_ratio):
            best, best_ratio = candidate, ratio
    return best


def translation_memory(catalogs: Iterable[Catalog]) -> dict[MessageKey, Remembered]:
    """Finished translations across a locale's catalogs; the most used one wins a conflict.

    It comes with the notes most often written beside it, where any were: a reason given on
    one page (`# ignore-punctuation: …`) is worth more than its absence on another.
    """
    counts: dict[MessageKey, Counter[Remembered]] = {}
    for catalog in catalogs:
        for message in catalog.messages:
            if message.translated and message.msgid_plural is None:
                counts.setdefault(message.key, Counter())[Remembered.of(message)] += 1
    return {key: _most_used(counter) for key, counter in counts.items()}


def _most_used(counter: Counter[Remembered]) -> Remembered:
    texts: Counter[str] = Counter()
    for remembered, count in counter.items():
        texts[remembered.msgstr] += count
    msgstr = texts.most_common(1)[0][0]
    return max(
        (remembered for remembered in counter if remembered.msgstr == msgstr),
        key=lambda remembered: (remembered.noted, counter[remembered]),
    )


@functools.cache  # Babel's locale look-up is slow, and every catalog asks the same question
def plural_forms(locale: str) -> str:
    """The Plural-Forms header Babel knows for a locale (English's rule for one it doesn't)."""
    from babel.core import UnknownLocaleError  # Babel's imports: only for a catalog's header
    from babel.messages.plurals import get_plural

    try:
        return str(get_plural(locale.replace("-", "_")).plural_forms)
    except (UnknownLocaleError, ValueError):
        return "nplurals=2; plural=(n != 1);"


@functools.cache
def language_name(locale: str) -> str:
    from babel.core import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(locale.replace("-", "_")).english_name)
    except (UnknownLocaleError, ValueError):
        return locale


def _header(
    template: Catalog, previous: Catalog | None, *, locale: str, revision_date: str
) -> tuple[tuple[str, str], ...]:
    """Fields a translator's tool set (team, translator, revision date) are kept as they are."""
    fields: dict[str, str] = {
        "Project-Id-Version": template.header_value("Project-Id-Version") or "PACKAGE VERSION",
        "Report-Msgid-Bugs-To": template.header_value("Report-Msgid-Bugs-To") or "",
        "PO-Revision-Date": revision_date,
        "Last-Translator": "",
        "Language-Team": language_name(locale),
    }
    if previous is not None:
        for name, value in previous.header:
            if name not in ("Project-Id-Version", "Report-Msgid-Bugs-To"):
                fields[name] = value
    fields.update(
        {
            "Language": locale,
            "MIME-Version": "1.0",
            "Content-Type": "text/plain; charset=UTF-8",
            "Content-Transfer-Encoding": "8bit",
            "Plural-Forms": plural_forms(locale),
            "X-Source-Language": template.header_value("X-Source-Language") or "en",
        }
    )
    return tuple(fields.items())


def _header_comments(template: Catalog, locale: str) -> tuple[str, ...]:
    page = template.header_comments[0] if template.header_comments else ""
    return (f"{language_name(locale)} translation. {page}".strip(),)
