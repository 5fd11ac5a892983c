"""Same-as-source check: a msgstr equal to its msgid is usually text nobody translated.

Not reported when there is nothing to translate (only numbers, symbols, URLs or e-mail addresses)
or when the whole msgid is a glossary term whose agreed target is itself (a name like "MRI").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.checks.core import Context
from pipeline.checks.glossary import is_proper_name
from pipeline.checks.urls import addresses
from pipeline.placeholders import strip_placeholders

_LETTER_RE = re.compile(r"[^\W\d_]")


def check_same_as_source(msgid: str, msgstr: str, context: Context) -> Iterator[str]:
    if msgstr != msgid:
        return
    text = strip_placeholders(msgid)
    for address in addresses(text):
        text = text.replace(address, " ")
    if not _LETTER_RE.search(text) or is_proper_name(text, context.glossary.terms):
        return
    yield "left untranslated: translate it, or list the name in the glossary with itself as target"
