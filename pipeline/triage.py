"""What `update` tells a translator when the English of an entry changed, and where old work fits.

A *cosmetic* change (white space that joins or splits no word, typographic quotes, dashes or
ellipsis, letter case) cannot change a translation: the translation carries over, done. Any
other change (a digit, a unit, a URL, a placeholder, a word) needs a translator: the entry turns
fuzzy. Either way the entry gets a note saying what changed; new text with no translation on
the site gets the closest one as a fuzzy suggestion, with a note naming where it came from.

The notes are translator comments (`# `), not extracted comments (`#.`): `msgmerge` takes every
`#.` line from the template, so a note there would not survive `msgmerge --previous`, and the
catalogs must come back from GNU gettext's tools unchanged. Each note has a shape of its own
(`source changed …: "…"`, `suggested from … (N % similar): "…"`), by which `update` tells its
notes from a translator's and rewrites only its own, where they are.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from pipeline.model import CJK_CHARACTER, PLACEHOLDER_RE

# --- cosmetic changes ----------------------------------------------------------------------------

_QUOTES = str.maketrans(dict.fromkeys("‘’‚‛", "'") | dict.fromkeys("“”„‟", '"'))
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−", "-"))
_SPACE_RE = re.compile(r"\s+")
_CJK_PAIR_RE = re.compile(CJK_CHARACTER + "{2}")


def _without_spaces(text: str) -> str:
    """White space removed where it parts no words, else a run of it made one space: between
    two letters or digits it does (`may be` is not `maybe`, `10 mg` not `10mg`, `1 000` not
    `1000`), but between two CJK characters, which Japanese writes without spaces; next to
    punctuation or a placeholder, or at either end, it does not (`! ?` is `!?` to a translator)."""

    def gap(match: re.Match[str]) -> str:
        start, end = match.span()
        if start == 0 or end == len(text):
            return ""
        pair = text[start - 1] + text[end]
        parts = pair.isalnum() and not _CJK_PAIR_RE.fullmatch(pair)
        return " " if parts else ""

    return _SPACE_RE.sub(gap, text)


#: The cosmetic kinds of change, each a step of the normal form; its name is what a note says.
_STEPS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("whitespace", _without_spaces),
    ("quotes", lambda text: text.translate(_QUOTES)),
    ("dashes", lambda text: text.translate(_DASHES)),
    ("ellipsis", lambda text: text.replace("…", "...")),
    ("case", str.casefold),
)


def cosmetic_form(text: str, *, but: str = "") -> str:
    """The text as no cosmetic change can alter it (with every step but `but`)."""
    for kind, step in _STEPS:
        if kind != but:
            text = step(text)
    return text


def cosmetic_change(old: str, new: str) -> tuple[str, ...] | None:
    """The kinds of a cosmetic change from `old` to `new` (`("quotes", "case")`), or None when
    the change is more than cosmetic. Placeholders and addresses must be exactly the same:
    `<1>` for `<2/>`, or a URL whose case changed, is a different page."""
    if cosmetic_form(old) != cosmetic_form(new):
        return None
    if PLACEHOLDER_RE.findall(old) != PLACEHOLDER_RE.findall(new):
        return None
    from pipeline.checks.urls import addresses  # what the urls check calls an address

    if addresses(old) != addresses(new):
        return None
    return tuple(
        kind for kind, _ in _STEPS if cosmetic_form(old, but=kind) != cosmetic_form(new, but=kind)
    )


# --- the word diff -------------------------------------------------------------------------------

#: A placeholder, a word (with inner apostrophes: "don't"), or any other visible character.
_TOKEN_RE = re.compile(r"</?\d+/?>|[^\W_]+(?:['’][^\W_]+)*|\S")


def word_diff(old: str, new: str) -> str:
    """`new` with the words `old` had instead marked wdiff's way: `[-removed-]{+added+}`.

    A run of white space reads as one space. The marks hold every difference, spaces included,
    so the diff reads back to either text: without its `[-…-]` and with its `{+…+}` unwrapped it
    is `new`, the other way round `old`; a space only one text has is marked with its word
    (`is {+fully +}repaired`). As wdiff's, the marks are not escaped: a text with brackets or
    hyphens of its own can read two ways (`03[---]{+—+}1234`), and its English tells which.
    """
    old, new = " ".join(old.split()), " ".join(new.split())
    before, after = list(_TOKEN_RE.finditer(old)), list(_TOKEN_RE.finditer(new))
    matcher = difflib.SequenceMatcher(
        None, [token[0] for token in before], [token[0] for token in after], autojunk=False
    )
    parts: list[str] = []
    was = now = 0  # where the text not yet written starts, in `old` and in `new`
    for i, j, size in matcher.get_matching_blocks():
        for same_before, same_after in zip(before[i : i + size], after[j : j + size], strict=True):
            parts += [_marked(old[was : same_before.start()], new[now : same_after.start()])]
            parts += [same_after[0]]
            was, now = same_before.end(), same_after.end()
    return "".join(parts) + _marked(old[was:], new[now:])


def _marked(removed: str, added: str) -> str:
    """What stands between two words both texts have: as it is, if the same in both, else
    marked, with a space that both have before or after it outside the marks."""
    if removed == added:
        return added
    lead = " " if removed.startswith(" ") and added.startswith(" ") else ""
    removed, added = removed.removeprefix(lead), added.removeprefix(lead)
    trail = " " if removed.endswith(" ") and added.endswith(" ") else ""
    removed, added = removed.removesuffix(trail), added.removesuffix(trail)
    marks = (f"[-{removed}-]" if removed else "") + (f"{{+{added}+}}" if added else "")
    return lead + marks + trail


# --- the notes -----------------------------------------------------------------------------------

_COSMETIC_NOTE_RE = re.compile(r'source changed \(cosmetic: [a-z, ]+\): was ".*"', re.DOTALL)
#: The notes of a fuzzy entry: they last as long as it is fuzzy.
_REVIEW_NOTE_RE = re.compile(
    r'(?:source changed|suggested from .+ \(\d+ % similar\)): ".*"', re.DOTALL
)
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def _quoted(text: str) -> str:
    """Text on one comment line: control characters escaped, and a closing quote last, since
    gettext joins a line that ends with a backslash to the next, comments included."""
    return '"' + _CONTROL_RE.sub(lambda m: repr(m[0])[1:-1], text) + '"'


def cosmetic_note(was: str, kinds: Sequence[str]) -> str:
    return f"source changed (cosmetic: {', '.join(kinds)}): was {_quoted(was)}"


def review_notes(previous: str | None, msgid: str) -> tuple[str, ...]:
    """The note of a fuzzy entry whose English changed from `previous` (its `#|` msgid)."""
    if previous is None or previous == msgid:
        return ()
    return (f"source changed: {_quoted(word_diff(previous, msgid))}",)


def suggestion_note(catalog: str, ratio: float, source: str, msgid: str) -> str:
    """Where a suggestion came from, how close (rounded down: 74.9 % never reads 75 %), and
    how its English differs from this entry's."""
    diff = _quoted(word_diff(source, msgid))
    return f"suggested from {catalog} ({int(ratio * 100)} % similar): {diff}"


def is_note(comment: str) -> bool:
    """Whether a translator comment is one of `update`'s notes."""
    return bool(_COSMETIC_NOTE_RE.fullmatch(comment) or _REVIEW_NOTE_RE.fullmatch(comment))


def without_notes(comments: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(comment for comment in comments if not is_note(comment))


def with_notes(comments: tuple[str, ...], notes: Sequence[str]) -> tuple[str, ...]:
    """`comments` with `update`'s notes replaced by `notes`: where the first of them was (last,
    if none was), so that a translator's comments keep their places around them."""
    at = next((i for i, comment in enumerate(comments) if is_note(comment)), len(comments))
    kept = without_notes(comments)  # the comments before the first note are all kept
    return (*kept[:at], *notes, *kept[at:])


def kept_notes(
    comments: tuple[str, ...], *, fuzzy: bool, previous: str | None, msgid: str
) -> tuple[str, ...]:
    """An entry's comments when its English did not change in this update, each in its place:
    a cosmetic note stays (until the English changes again, or the translator deletes it);
    review notes last as long as the entry is fuzzy, and a fuzzy entry with a `#|` msgid
    always has one (added last)."""
    if not fuzzy:
        return tuple(comment for comment in comments if not _REVIEW_NOTE_RE.fullmatch(comment))
    if any(_REVIEW_NOTE_RE.fullmatch(comment) for comment in comments):
        return comments
    return comments + review_notes(previous, msgid)


# --- near matches --------------------------------------------------------------------------------

_Item = TypeVar("_Item")


@dataclass(frozen=True, slots=True)
class _Table:
    """The texts sorted by length, each with its characters as a bit set: one bit per
    (character, occurrence), so `(a & b).bit_count()` is what difflib's `quick_ratio` counts."""

    texts: tuple[str, ...]
    lengths: tuple[int, ...]
    bags: tuple[int, ...]
    #: Where each text was given (the first given wins a tie).
    order: tuple[int, ...]
    #: Each character's first bit and its number of bits (its most occurrences in a text).
    layout: dict[str, tuple[int, int]]


def _bag(layout: dict[str, tuple[int, int]], counts: Counter[str]) -> int:
    bag = 0
    for char, count in counts.items():
        start, most = layout.get(char, (0, 0))
        bag |= ((1 << min(count, most)) - 1) << start
    return bag


@dataclass(frozen=True)
class NearIndex(Generic[_Item]):
    """Texts to find the closest of, as msgmerge does: difflib's ratio, at or above a threshold.

    Thousands of texts are compared with each new one, so each is first held to three upper
    bounds of its ratio, each dearer and closer than the last: its length, the characters it
    shares (a bit set each, compared in one `&`), and the longest common subsequence (a
    bit-parallel count, tens of microseconds), before `ratio()` itself (about a millisecond).
    The table is built on the first search: most updates change no text and search nothing.
    """

    entries: tuple[tuple[str, _Item], ...] = ()

    @functools.cached_property
    def _table(self) -> _Table:
        order = tuple(sorted(range(len(self.entries)), key=lambda i: len(self.entries[i][0])))
        texts = tuple(self.entries[i][0] for i in order)
        counts = [Counter(text) for text in texts]
        most: dict[str, int] = {}
        for count in counts:
            for char, times in count.items():
                most[char] = max(most.get(char, 0), times)
        layout: dict[str, tuple[int, int]] = {}
        start = 0
        for char, times in most.items():
            layout[char] = (start, times)
            start += times
        bags = tuple(_bag(layout, count) for count in counts)
        return _Table(texts, tuple(map(len, texts)), bags, order, layout)

    def closest(self, text: str, threshold: float) -> tuple[_Item, float] | None:
        """The item whose text is most similar to `text`, with its ratio, if it is at least
        `threshold` (on a tie, the first given)."""
        if not self.entries:
            return None
        table = self._table
        size = len(text)
        # 2·min(a, b) / (a + b) ≥ threshold bounds the other length (difflib's real_quick_ratio).
        low = bisect.bisect_left(table.lengths, size * threshold / (2 - threshold) - 1)
        high = bisect.bisect_right(table.lengths, size * (2 - threshold) / threshold + 1)
        bag = _bag(table.layout, Counter(text))
        positions: dict[str, int] = {}
        for index, char in enumerate(text):
            positions[char] = positions.get(char, 0) | 1 << index
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(text)
        best, found = threshold, -1
        for index in range(low, high):
            total = size + table.lengths[index]
            if total and (  # two empty texts are the same (ratio 1.0)
                2.0 * min(size, table.lengths[index]) / total < best
                or 2.0 * (bag & table.bags[index]).bit_count() / total < best
                or 2.0 * _common_subsequence(positions, size, table.texts[index]) / total < best
            ):
                continue
            matcher.set_seq1(table.texts[index])
            ratio = matcher.ratio()
            if ratio > best or (
                ratio == best and (found < 0 or table.order[index] < table.order[found])
            ):
                best, found = ratio, index
        if found < 0:
            return None
        return self.entries[table.order[found]][1], best


def _common_subsequence(positions: dict[str, int], size: int, other: str) -> int:
    """The length of the longest common subsequence of a text (its characters' `positions`, a
    bit mask each, and its `size`) and `other`: Crochemore et al.'s bit-parallel count. difflib
    matches a common subsequence, so this bounds its ratio, at a fraction of its cost."""
    full = (1 << size) - 1
    row = full
    for char in other:
        matches = row & positions.get(char, 0)
        row = (row + matches) | (row - matches)
    return size - (row & full).bit_count()
