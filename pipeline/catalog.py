"""Templates → catalogs: a msgmerge-style merge that never loses a translator's work.

For each template entry, in order of preference: the same entry in the old catalog (translation,
flags and translator comments kept), the same entry among the old obsolete ones (revived), the
same text translated in another catalog of the locale (site memory, which brings the translator's
comments and `ignore-` flags along: a reason to overrule a check holds wherever the text is).
Where the site has only a fuzzy translation of the text, text new to the catalog gets it as it
was: fuzzy, with its `#|` msgid and its comments, notes included, so renaming a page loses no
work in progress. Other text new to the catalog is triaged (`pipeline.triage`): an old entry
whose English changed only cosmetically keeps its translation, done, with a note of what
changed; otherwise the closest of the old entries (fuzzy, with `#|` previous msgid and a word
diff) and of the site's translations, finished, fuzzy or obsolete (a fuzzy suggestion, with a
note naming its catalog) is offered. Triage is for singular entries only: a plural entry's
forms fit no singular text, nor the reverse. Every old entry the template no longer has becomes
obsolete, including the ones lent to a fuzzy match, so text that comes back finds its
translation again.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from pipeline.locale_codes import english_name
from pipeline.model import FUZZY, IGNORE, Catalog, Message
from pipeline.triage import (
    NearIndex,
    cosmetic_change,
    cosmetic_form,
    cosmetic_note,
    kept_notes,
    review_notes,
    suggestion_note,
    with_notes,
    without_notes,
)

#: msgmerge's similarity threshold for a fuzzy match with the catalog's own earlier text.
FUZZY_THRESHOLD = 0.6
#: How similar a translated text from anywhere on the site must be to be suggested: higher, as
#: it is another sentence, where the catalog's own earlier text is most likely this one edited.
SUGGESTION_THRESHOLD = 0.75
MessageKey = tuple[str | None, str]
#: What a translation in the site memory is, best first: a text's best kind is all it keeps.
Standing = Literal["done", "fuzzy", "obsolete"]
STANDINGS: tuple[Standing, ...] = ("done", "fuzzy", "obsolete")


def lends(message: Message) -> bool:
    """Whether an entry's translation may serve another entry (a page's, or the same text's on
    another page): a singular one, finished, fuzzy or obsolete; a plural's forms fit no
    singular text, nor the reverse."""
    return bool(message.msgstr) and message.msgid_plural is None


@dataclass(frozen=True, slots=True)
class Remembered:
    """A translation in the site memory, with what its translator noted beside it."""

    msgstr: str
    translator_comments: tuple[str, ...] = ()
    #: Its `ignore-<check>` flags; other flags describe the source text, which the template has.
    ignore_flags: tuple[str, ...] = ()
    standing: Standing = "done"
    #: A fuzzy translation's `#|` msgctxt and msgid: the English it was made for.
    previous: MessageKey | None = None
    #: The catalog it was first found in, which a suggestion names (not part of its identity:
    #: the same translation on two pages is one).
    catalog: str = field(default="", compare=False)

    @staticmethod
    def of(message: Message, catalog: str = "") -> Remembered:
        """A finished translation leaves `update`'s notes behind: they tell the history of one
        entry. A fuzzy one takes them along, with its `#|`: they say why it waits for review."""
        fuzzy = message.fuzzy
        return Remembered(
            message.msgstr,
            message.translator_comments if fuzzy else without_notes(message.translator_comments),
            tuple(flag for flag in message.flags if flag.startswith(IGNORE)),
            "obsolete" if message.obsolete else "fuzzy" if fuzzy else "done",
            (message.previous_msgctxt, message.previous_msgid)
            if fuzzy and message.previous_msgid is not None
            else None,
            catalog,
        )

    @property
    def noted(self) -> bool:
        return bool(self.translator_comments or self.ignore_flags)


@dataclass(frozen=True)
class SiteMemory:
    """A locale's translations by key, each text's best (`STANDINGS`): the finished and fuzzy
    ones are looked up by key, and all are searched for near matches."""

    translations: Mapping[MessageKey, Remembered] = field(default_factory=dict)

    @functools.cached_property
    def near(self) -> NearIndex[tuple[MessageKey, Remembered]]:
        """Each translation under the English it was made for (a fuzzy one's `#|`), the
        finished ones first: a tie goes to the first."""
        ranked = sorted(self.translations.items(), key=lambda item: _rank(item[1]))
        sources = tuple((remembered.previous or key, remembered) for key, remembered in ranked)
        return NearIndex(tuple((source[1], (source, remembered)) for source, remembered in sources))


def _rank(remembered: Remembered) -> int:
    return STANDINGS.index(remembered.standing)


def merge(
    template: Catalog,
    previous: Catalog | None,
    *,
    locale: str,
    memory: SiteMemory | None = None,
    revision_date: str,
) -> Catalog:
    """The catalog for `locale` after `template` changed (`previous` is None for a new one),
    with the locale's site `memory` (`translation_memory`; none given, none used)."""
    old_messages = previous.messages if previous else ()
    active = {m.key: m for m in old_messages if not m.obsolete}
    obsolete = {m.key: m for m in old_messages if m.obsolete}
    template_keys = {m.key for m in template.messages}
    candidates = tuple(m for m in old_messages if m.key not in template_keys and lends(m))
    sources = _Sources(
        SiteMemory() if memory is None else memory,
        candidates,
        NearIndex(tuple((m.msgid, m) for m in candidates)),
    )
    merged = tuple(
        _merge_one(entry, active.get(entry.key) or obsolete.get(entry.key), sources)
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


@dataclass(frozen=True)
class _Sources:
    """Where text new to a catalog may find a translation (each looked into only when asked)."""

    memory: SiteMemory
    #: The old catalog's singular translated entries that left the template.
    candidates: tuple[Message, ...]
    similar: NearIndex[Message]

    @functools.cached_property
    def by_form(self) -> dict[MessageKey, Message]:
        """The finished candidates by context and cosmetic form (the first one of each)."""
        forms: dict[MessageKey, Message] = {}
        for message in self.candidates:
            if not message.fuzzy:
                forms.setdefault((message.msgctxt, cosmetic_form(message.msgid)), message)
        return forms


def _merge_one(entry: Message, old: Message | None, sources: _Sources) -> Message:
    old = _remembered(entry, old, sources.memory) or old
    if old is None:
        return _triaged(entry, sources)
    previous = old.previous_msgid if old.fuzzy else None
    return replace(
        old,
        references=entry.references,
        extracted_comments=entry.extracted_comments,
        translator_comments=kept_notes(
            old.translator_comments, fuzzy=old.fuzzy, previous=previous, msgid=entry.msgid
        ),
        obsolete=False,
        previous_msgid=previous,
        previous_msgctxt=old.previous_msgctxt if old.fuzzy else None,
        line=0,
    )


def _remembered(entry: Message, old: Message | None, memory: SiteMemory) -> Message | None:
    """The entry (`old`, or `entry` when the text is new to the catalog) with the site's
    translation of its text, where it has none of its own: a finished one, done; else a fuzzy
    one, as it was. A fuzzy one is offered as a near match is, to new text only: an update
    never comes back to text it left untranslated, so a second one changes nothing. The memory
    has no plural translations, and a singular one fits no plural entry."""
    if entry.msgid_plural is not None or (
        old is not None and (old.msgstr or old.msgid_plural is not None)
    ):
        return None
    remembered = memory.translations.get(entry.key)
    if remembered is None or remembered.standing == "obsolete":
        return None  # an obsolete translation is only a suggestion (`_triaged`)
    if remembered.standing == "fuzzy" and old is not None:
        return None
    return _reuse(old or entry, remembered)


def _triaged(entry: Message, sources: _Sources) -> Message:
    """Text new to the catalog: an old entry's text changed only cosmetically (done, noted),
    else the closest old entry or site text, else untranslated. Singular text only."""
    if entry.msgid_plural is not None or not (sources.candidates or sources.memory.translations):
        return entry  # nothing to find it in (a first update): no normal form to compute
    same = sources.by_form.get((entry.msgctxt, cosmetic_form(entry.msgid)))
    kinds = cosmetic_change(same.msgid, entry.msgid) if same is not None else None
    if same is not None and kinds is not None:
        return replace(
            entry,
            msgstr=same.msgstr,
            flags=same.flags,
            translator_comments=with_notes(
                same.translator_comments, (cosmetic_note(same.msgid, kinds),)
            ),
        )
    own = sources.similar.closest(entry.msgid, FUZZY_THRESHOLD)
    site = sources.memory.near.closest(
        entry.msgid, max(SUGGESTION_THRESHOLD, own[1] if own else 0.0)
    )
    if site is not None and (own is None or site[1] > own[1]):
        return _suggested(entry, *site[0], site[1])
    if own is None:
        return entry
    similar = own[0]
    previous = similar.previous_msgid if similar.fuzzy and similar.previous_msgid else similar.msgid
    return replace(
        entry,
        msgstr=similar.msgstr,
        flags=_with_fuzzy(similar.flags),
        translator_comments=with_notes(
            similar.translator_comments, review_notes(previous, entry.msgid)
        ),
        previous_msgid=previous,
        previous_msgctxt=similar.msgctxt,
    )


def _suggested(entry: Message, source: MessageKey, remembered: Remembered, ratio: float) -> Message:
    """`entry` with the translation of another text, `source`, fuzzy: `#|` shows that text,
    as Poedit's diff."""
    note = suggestion_note(remembered.catalog, ratio, source[1], entry.msgid)
    return replace(
        entry,
        msgstr=remembered.msgstr,
        flags=_with_fuzzy(entry.flags),
        translator_comments=(*entry.translator_comments, note),
        previous_msgctxt=source[0],
        previous_msgid=source[1],
    )


def _reuse(message: Message, remembered: Remembered) -> Message:
    """`message` translated from the site memory, with the remembered notes it lacks: done, or
    fuzzy with the `#|` of a fuzzy translation."""
    flags = _added(tuple(f for f in message.flags if f != FUZZY), remembered.ignore_flags)
    previous = remembered.previous or (None, None)
    return replace(
        message,
        msgstr=remembered.msgstr,
        flags=(FUZZY, *flags) if remembered.standing == "fuzzy" else flags,
        translator_comments=_added(message.translator_comments, remembered.translator_comments),
        previous_msgctxt=previous[0],
        previous_msgid=previous[1],
    )


def _added(lines: tuple[str, ...], more: tuple[str, ...]) -> tuple[str, ...]:
    return lines + tuple(line for line in more if line not in lines)


def _with_fuzzy(flags: tuple[str, ...]) -> tuple[str, ...]:
    return flags if FUZZY in flags else (FUZZY, *flags)


def translation_memory(catalogs: Mapping[str, Catalog]) -> SiteMemory:
    """The translations across a locale's catalogs (by name) of each text: its finished ones,
    else its fuzzy ones, else its obsolete ones; of those, the most used one wins a conflict.

    It comes with the notes most often written beside it, where any were: a reason given on
    one page (`# ignore-punctuation: …`) is worth more than its absence on another.
    """
    counts: dict[MessageKey, Counter[Remembered]] = {}
    for name, catalog in catalogs.items():
        for message in catalog.messages:
            if lends(message):
                counts.setdefault(message.key, Counter())[Remembered.of(message, name)] += 1
    return SiteMemory({key: _most_used(counter) for key, counter in counts.items()})


def _most_used(counter: Counter[Remembered]) -> Remembered:
    best = min(map(_rank, counter))
    kept = {remembered: n for remembered, n in counter.items() if _rank(remembered) == best}
    texts: Counter[str] = Counter()
    for remembered, count in kept.items():
        texts[remembered.msgstr] += count
    msgstr = texts.most_common(1)[0][0]
    return max(
        (remembered for remembered in kept if remembered.msgstr == msgstr),
        key=lambda remembered: (remembered.noted, kept[remembered]),
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


def _header(
    template: Catalog, previous: Catalog | None, *, locale: str, revision_date: str
) -> tuple[tuple[str, str], ...]:
    """Fields a translator's tool set (team, translator, revision date) are kept as they are."""
    fields: dict[str, str] = {
        "Project-Id-Version": template.header_value("Project-Id-Version") or "PACKAGE VERSION",
        "Report-Msgid-Bugs-To": template.header_value("Report-Msgid-Bugs-To") or "",
        "PO-Revision-Date": revision_date,
        "Last-Translator": "",
        "Language-Team": english_name(locale),
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
    return (f"{english_name(locale)} translation. {page}".strip(),)
