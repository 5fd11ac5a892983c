"""URLs check: links and addresses written in the text must reach the reader unchanged.

Every URL and e-mail address in the msgid must appear in the msgstr, and the msgstr must not add
ones the source lacks (a changed or invented address is how a page gets hijacked). Only ASCII
characters count as part of an address, since Japanese text runs straight on after one
(`https://example.jp/accessをご覧ください`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.checks.core import Context

_URL_RE = re.compile(r"(?:https?://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&*+,;=%()]+", re.IGNORECASE)
#: A whole run of the characters an address's local part may hold, then the rest of an address
#: if one follows. Matching the run whole (possessively) keeps this linear: a plain
#: `[…]+@…` is tried again from every character of a long word without an `@`, which is
#: quadratic (minutes for a 300 KB word). Leftmost-first, it finds what that pattern finds.
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]++(@[A-Za-z0-9-]++(?:\.[A-Za-z0-9-]++)++)?")
#: Sentence punctuation that ends a sentence rather than the address before it.
_TRAILING = ".,;:!?)"


def addresses(text: str) -> tuple[str, ...]:
    """URLs and e-mail addresses in text, in order, without the punctuation that follows them."""
    urls = (match.rstrip(_TRAILING) for match in _URL_RE.findall(text))
    without_urls = _URL_RE.sub(" ", text)
    emails = (match[0].rstrip(".") for match in _EMAIL_RE.finditer(without_urls) if match[1])
    return (*urls, *emails)


def check_urls(msgid: str, msgstr: str, context: Context) -> Iterator[str]:
    source, target = addresses(msgid), addresses(msgstr)
    for address in dict.fromkeys(source):
        if address not in target:
            yield f"{address} from the source is missing or changed in the translation"
    for address in dict.fromkeys(target):
        if address not in source:
            yield f"{address} is not in the source"
