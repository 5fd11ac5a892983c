"""Numbers check: doses, sizes, dates, phone numbers and prices must survive translation.

Digit runs are compared as multisets after NFKC normalization (so full-width ０-９ count as
digits) with thousands separators removed and leading zeros dropped; order is free, because
"October 24, 2025" becomes "2025年10月24日". A number the msgstr has beyond the msgid's is
accepted when the msgid spells it out: a month name ("October" for 10) or a small number word
("two weeks" → "2週間"). Kanji numerals (二週間) are not read as numbers, so they show up as a
missing digit: the JTF style guide asks for half-width digits anyway.

Measurement units that stay units in Japanese (mm, cm, kg, %, °C…) must still follow their number,
written either as the symbol or in katakana (5 mm → 5mm or 5ミリ). Time words (minutes, weeks) are
translated (分, 週間) and are not checked.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Mapping
from types import MappingProxyType

from pipeline.checks.core import Context
from pipeline.placeholders import strip_placeholders

_NUMBER_RE = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?")

_MONTHS = (
    "Jan(?:uary)?",
    "Feb(?:ruary)?",
    "Mar(?:ch)?",
    "Apr(?:il)?",
    "May",
    "June?",
    "July?",
    "Aug(?:ust)?",
    "Sep(?:t(?:ember)?)?",
    "Oct(?:ober)?",
    "Nov(?:ember)?",
    "Dec(?:ember)?",
)
#: Capitalized only: "may" and "march" are also verbs.
_MONTH_RE = re.compile(r"\b(?:" + "|".join(f"({month})" for month in _MONTHS) + r")\b")

#: Number words a translation may write in digits ("two weeks" → "2週間").
# fmt: off
_NUMBER_WORDS: Mapping[str, int] = MappingProxyType({
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
    "once": 1, "twice": 2, "first": 1, "second": 2, "third": 3,
})
# fmt: on
_NUMBER_WORD_RE = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)

#: Unit symbol → how the same unit may be written in a Japanese translation (after NFKC).
_UNITS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "mm": ("mm", "ミリメートル", "ミリ"),
        "cm": ("cm", "センチメートル", "センチ"),
        "km": ("km", "キロメートル", "キロ"),
        "kg": ("kg", "キログラム", "キロ"),
        "mg": ("mg", "ミリグラム"),
        "ml": ("ml", "ミリリットル"),
        "m": ("m", "メートル"),
        "g": ("g", "グラム"),
        "%": ("%", "パーセント"),
        "°c": ("°c", "度"),
    }
)
_UNIT_RE = re.compile(
    r"([0-9]+(?:\.[0-9]+)?)\s?(" + "|".join(map(re.escape, _UNITS)) + r")(?![a-z])",
    re.IGNORECASE,
)


def _normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", strip_placeholders(text))


def _canonical(number: str) -> str:
    """1,000 and 1000 are the same number; so are 05 and 5 (as in 2025/10/05)."""
    whole, dot, fraction = number.replace(",", "").partition(".")
    return (whole.lstrip("0") or "0") + dot + fraction


def _numbers(text: str) -> Counter[str]:
    return Counter(_canonical(match) for match in _NUMBER_RE.findall(text))


def _spelled_out(text: str) -> Counter[str]:
    """Numbers the source writes in words, which a translation may write in digits."""
    values = Counter(str(match.lastindex) for match in _MONTH_RE.finditer(text))
    values.update(str(_NUMBER_WORDS[word.lower()]) for word in _NUMBER_WORD_RE.findall(text))
    return values


def check_numbers(msgid: str, msgstr: str, context: Context) -> Iterator[str]:
    source, target = _normalize(msgid), _normalize(msgstr)
    source_numbers, target_numbers = _numbers(source), _numbers(target)
    for number in sorted(source_numbers - target_numbers):
        yield f"number {number} from the source is missing from the translation"
    for number in sorted(target_numbers - source_numbers - _spelled_out(source)):
        yield f"number {number} is not in the source"
    yield from _unit_problems(source, target)


def _unit_problems(source: str, target: str) -> Iterator[str]:
    target_folded = target.casefold()
    for number, unit in _UNIT_RE.findall(source):
        accepted = _UNITS[unit.casefold()]
        written = (rf"(?<![0-9.]){re.escape(number)}\s?{re.escape(form)}" for form in accepted)
        if not any(re.search(pattern, target_folded) for pattern in written):
            alternative = number + accepted[1]
            yield f"the unit of {number} {unit} is missing: write {number}{unit} or {alternative}"
