"""Numbered placeholders in msgids: `<1>text</1>` for a paired inline element, `<2/>` a void one.

Shared by the checks (which report what a translator broke) and the build (which splices the
original elements back), so both read placeholders the same way. A translation may reorder the
placeholders, but each must appear exactly once, as the same kind, with pairs properly nested.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from pipeline.model import PLACEHOLDER_RE

Kind = Literal["open", "close", "void"]
#: The most digits a placeholder number has: `int()` refuses longer strings where
#: sys.set_int_max_str_digits is at its lowest (PYTHONINTMAXSTRDIGITS=640).
MAX_DIGITS = 640


@dataclass(frozen=True, slots=True)
class Tag:
    """One placeholder; `str(tag)` gives it back as written in a msgid."""

    kind: Kind
    number: int

    def __str__(self) -> str:
        if self.kind == "open":
            return f"<{self.number}>"
        if self.kind == "close":
            return f"</{self.number}>"
        return f"<{self.number}/>"


@functools.lru_cache(maxsize=4096)
def _tag(slash_before: str, digits: str, slash_after: str) -> Tag | None:
    """The placeholder a regex match spells, or None for look-alikes such as `</1/>` or `<01>`.

    Only the spelling `str(Tag)` produces counts, so joining the tokens gives the text back.
    Remembered: a Tag is immutable, and a site spells the same few thousand again and again.
    A number of more than `MAX_DIGITS` digits is no element's: it stays text, rather than
    stopping the check or the build with int()'s ValueError.
    """
    if (
        (slash_before and slash_after)
        or not digits.isascii()
        or len(digits) > MAX_DIGITS
        or str(int(digits)) != digits
    ):
        return None
    if slash_before:
        return Tag("close", int(digits))
    return Tag("void" if slash_after else "open", int(digits))


def tokenize(text: str, numbers: frozenset[int] | None = None) -> tuple[str | Tag, ...]:
    """Split text into literal strings and Tags; `"".join(map(str, tokens)) == text`.

    With `numbers`, only those placeholder numbers count (the ones the msgid has), so a literal
    `<3>` in running text stays text instead of becoming an element.

    >>> tokenize("See <1>the <2/>list</1>.")
    ('See ', Tag(kind='open', number=1), 'the ', Tag(kind='void', number=2), 'list', \
Tag(kind='close', number=1), '.')
    """
    if "<" not in text:  # no placeholder at all: most translations of plain text
        return (text,) if text else ()
    tokens: list[str | Tag] = []
    position = 0
    for match in PLACEHOLDER_RE.finditer(text):
        tag = _tag(*match.groups())
        if tag is None or (numbers is not None and tag.number not in numbers):
            continue  # stays part of the surrounding literal
        if match.start() > position:
            tokens.append(text[position : match.start()])
        tokens.append(tag)
        position = match.end()
    if position < len(text):
        tokens.append(text[position:])
    return tuple(tokens)


def strip_placeholders(text: str) -> str:
    """The literal text alone, for checks that look at words, numbers and punctuation."""
    return "".join(token for token in tokenize(text) if isinstance(token, str))


def _counts(tokens: tuple[str | Tag, ...]) -> dict[int, Counter[Kind]]:
    counts: dict[int, Counter[Kind]] = {}
    for token in tokens:
        if isinstance(token, Tag):
            counts.setdefault(token.number, Counter())[token.kind] += 1
    return counts


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def _written(number: int, target: Counter[Kind], *kinds: Kind) -> str:
    return ", ".join(str(Tag(kind, number)) for kind in kinds if target[kind])


def _count_problems(number: int, source: Counter[Kind], target: Counter[Kind]) -> Iterator[str]:
    """Missing, invented, duplicated or wrong-kind placeholders of one number."""
    pair = f"<{number}>…</{number}>"
    void = f"<{number}/>"
    if not source:
        written = _written(number, target, "open", "close", "void")
        yield f"{written} is not in the source text (invented placeholder); remove it"
        return
    paired = bool(source["open"] or source["close"])
    if paired and target["void"] and not source["void"]:
        yield f"{void} is written for the paired placeholder {pair}; wrap the text in {pair}"
        return
    if not paired and (target["open"] or target["close"]):
        written = _written(number, target, "open", "close")
        yield f"{written} is written for the void placeholder {void}; use {void} instead"
        return
    if paired and not target["open"] and not target["close"]:
        yield f"{pair} is missing"
        return
    for kind in ("open", "close", "void"):
        tag = Tag(kind, number)
        if target[kind] < source[kind]:
            yield f"{tag} is missing"
        elif target[kind] > source[kind]:
            yield (
                f"{tag} appears {_times(target[kind])}; the source has it {_times(source[kind])}"
            )


def _nesting_problems(tokens: tuple[str | Tag, ...], numbers: frozenset[int]) -> Iterator[str]:
    """Closing before opening and overlapping pairs, among pairs whose counts are already right."""
    open_stack: list[int] = []
    opened: set[int] = set()
    for token in tokens:
        if not isinstance(token, Tag) or token.number not in numbers or token.kind == "void":
            continue
        number = token.number
        if token.kind == "open":
            open_stack.append(number)
            opened.add(number)
        elif number not in opened:
            yield f"</{number}> comes before <{number}>; open the placeholder before closing it"
        elif open_stack[-1] != number:
            inner = open_stack[-1]
            yield (
                f"</{number}> closes while <{inner}> (opened inside it) is still open; "
                f"close </{inner}> first"
            )
            open_stack.remove(number)
        else:
            open_stack.pop()


def splice_problem(msgid: str, msgstr: str) -> str | None:
    """Why the build cannot splice `msgstr` into the text of `msgid` (None: it can). Markup in
    the msgid's own order is the msgid's (well-formed) structure: nothing more to check. What
    the build leaves out, `status` and the threshold count as untranslated."""
    if PLACEHOLDER_RE.findall(msgstr) == PLACEHOLDER_RE.findall(msgid):
        return None
    return "; ".join(structure_problems(msgid, msgstr)) or None


def structure_problems(msgid: str, msgstr: str) -> tuple[str, ...]:
    """What is wrong with msgstr's placeholders relative to msgid's; an empty tuple means OK.

    >>> structure_problems("<1>Read</1> more<2/>", "<2/>もっと<1>読む</1>")
    ()
    >>> structure_problems("<1>Read</1> more", "<1>読む")
    ('</1> is missing',)
    """
    source = _counts(tokenize(msgid))
    target_tokens = tokenize(msgstr)
    target = _counts(target_tokens)
    problems: list[str] = []
    for number in sorted(source.keys() | target.keys()):
        problems.extend(
            _count_problems(number, source.get(number, Counter()), target.get(number, Counter()))
        )
    well_counted = frozenset(
        number
        for number, counts in target.items()
        if number in source and counts == source[number] == Counter(open=1, close=1)
    )
    problems.extend(_nesting_problems(target_tokens, well_counted))
    return tuple(problems)
