"""Whether Babel knows a locale code as it is written, and a guess at the code meant when not.

A locale code names a catalog directory and a part of the site, so a mistyped one (`jp`,
`english`) would quietly start a language of its own; it is refused, naming the likely code.
"""

from __future__ import annotations

import difflib
import functools
import importlib.util
import os
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel.core import Locale


def unknown_locale(code: str) -> str | None:
    """None when Babel knows `code` as written (`ja`, `ja_JP`, `pt-BR`, `sr@latin`); else
    the message that refuses it, with a guess at the code meant."""
    name = code.replace("-", "_")
    if name in _data_files():
        return None
    from babel.core import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(name)
    except (UnknownLocaleError, ValueError, TypeError):
        guess = _guess(name)
    else:
        # Babel also reads aliases and other spellings (`JA`, `jpn`, `ja_jp`): they would make a
        # second directory for the same language, so the code is refused with Babel's spelling.
        guess = _spelled(name, locale)
        if guess == name:
            return None
    if guess is None:
        return f"unknown locale code {code!r} (a pseudo-locale must be listed in pseudo_locales)"
    return f"unknown locale code {code!r}: did you mean {guess!r}?"


@functools.cache
def _data_files() -> frozenset[str]:
    """The locales Babel has data for, from the names of its files: without importing Babel,
    which would add 6 ms to every command for a check that almost always passes."""
    spec = importlib.util.find_spec("babel")
    names: set[str] = set()
    for directory in (spec.submodule_search_locations or []) if spec else []:
        try:
            listed = os.listdir(os.path.join(directory, "locale-data"))
        except OSError:
            continue
        names.update(n.removesuffix(".dat") for n in listed if n.endswith(".dat"))
    return frozenset(names)


def _spelled(name: str, locale: Locale) -> str:
    """`name` as Babel spells the parts it has (`ja_jp` → `ja_JP`, `jpn` → `ja`), without the
    parts Babel adds (`zh_TW` stays, not `zh_Hant_TW`)."""
    code, at, modifier = name.partition("@")
    parts = [locale.language]
    for part in code.split("_")[1:]:
        if len(part) == 4 and part.isalpha():
            parts.append(locale.script or part)
        elif len(part) == 2 or part.isdigit():
            parts.append(locale.territory or part)
        else:
            parts.append(locale.variant or part)
    return "_".join(parts) + at + modifier


def _guess(name: str) -> str | None:
    """The code probably meant: a country's main language (`jp` → `ja`), a language named in
    English or in itself (`japanese`, `deutsch`), or the nearest code (`jp_JP` → `ja_JP`)."""
    from babel import languages
    from babel.core import Locale

    spoken = languages.get_territory_language_info(name.upper())
    shares = {lang: float(spoken[lang]["population_percent"] or 0) for lang in spoken}
    known = [lang for lang in shares if lang in _data_files()]
    if known:
        return max(known, key=shares.__getitem__)
    names: dict[str, str] = {}
    for lang, english in Locale("en").languages.items():
        if lang in _data_files():
            names.setdefault(_plain(english), lang)
    for lang in list(names.values()):
        native = Locale(lang).languages.get(lang)
        if native:
            names.setdefault(_plain(native), lang)
    match = difflib.get_close_matches(_plain(name), names, n=1, cutoff=0.75)
    if match:
        return names[match[0]]
    # A near code, starting with the same letter: `jp_JP` is `ja_JP`, `qps` is not `ps`.
    codes = {code.lower(): code for code in _data_files() if code[0] == name[0].lower()}
    match = difflib.get_close_matches(name.lower(), codes, n=1, cutoff=0.75)
    return codes[match[0]] if match else None


def _plain(text: str) -> str:
    """Lower case without accents, so `español` and `espanol` are one name."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
