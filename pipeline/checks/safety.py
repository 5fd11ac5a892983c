"""Markup check: a translation is plain text plus the msgid's placeholders, nothing more.

Anything that could turn into markup, script or invisible reordering once the page is built is an
error, however harmless it looks: translators never need it, and an attacker with translator
access would. A pattern is only reported when the msgstr has it more often than the msgid, so a
page that really talks about `<br>` or contains a zero-width space can still be translated.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from pipeline.checks.core import Context
from pipeline.placeholders import Tag, tokenize

#: (what it is, how to find it), checked in this order.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("HTML markup", re.compile(r"</?[A-Za-z][A-Za-z0-9-]*|<[!?]")),
    ("an event handler attribute", re.compile(r"(?<![A-Za-z])on[a-z]{2,}\s*=", re.IGNORECASE)),
    ("a script URL", re.compile(r"(?:java|vb)script\s*:", re.IGNORECASE)),
    ("a data URL", re.compile(r"data\s*:\s*[a-z]+/[a-z0-9.+-]+", re.IGNORECASE)),
    ("a CSS expression", re.compile(r"\bexpression\s*\(", re.IGNORECASE)),
    (
        "a character reference (write the character itself)",
        re.compile(r"&#x?[0-9a-f]+;?|&[a-z][a-z0-9]*;|&(?:lt|gt|amp|quot)(?![a-z])", re.I | re.A),
    ),
    ("a bidirectional control character", re.compile("[\u202a-\u202e\u2066-\u2069]")),
    ("a zero-width character", re.compile("[\u200b-\u200d\u2060\ufeff]")),
)


def _literal(text: str, numbers: frozenset[int]) -> str:
    """The text without the placeholders the msgid allows; anything else stays to be judged."""
    return "".join(token for token in tokenize(text, numbers) if isinstance(token, str))


def _show(found: str) -> str:
    if len(found) == 1 and not found.isprintable():
        return f"U+{ord(found):04X} {unicodedata.name(found, 'control')}"
    return repr(found)


def check_markup(msgid: str, msgstr: str, context: Context) -> Iterator[str]:
    numbers = frozenset(token.number for token in tokenize(msgid) if isinstance(token, Tag))
    source, target = _literal(msgid, numbers), _literal(msgstr, numbers)
    for what, pattern in _PATTERNS:
        found = pattern.findall(target)
        if len(found) > len(pattern.findall(source)):
            yield f"the translation contains {what}: {_show(found[0])}"
