"""Whether Babel knows a locale code as it is written, a guess at the code meant when not, the
code's BCP 47 language tag, its language (`pt` of `pt_BR`) and that language's English name.

A locale code names a catalog directory and a part of the site, so a mistyped one (`jp`,
`english`) would quietly start a language of its own; it is refused, naming the likely code.
Codes are gettext's (`pt_BR`, `sr@latin`), but HTML and sitemaps want BCP 47 (`pt-BR`,
`sr-Latn`): `language_tag` is the one place that turns the one into the other.
"""

from __future__ import annotations

import difflib
import functools
import importlib.util
import os
import re
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


#: The script subtag of each gettext modifier that names a script (`sr@latin`, `uz@cyrillic`).
_SCRIPT_MODIFIERS = {"latin": "Latn", "cyrillic": "Cyrl", "devanagari": "Deva"}


@functools.cache  # every page of a build asks the same few times
def language_tag(code: str) -> str:
    """The BCP 47 tag that `lang`, `hreflang` and the sitemap need for a locale code: `pt_BR` →
    `pt-BR`, `sr@latin` → `sr-Latn`, `ca_ES_VALENCIA` → `ca-ES-valencia`.

    Only the parts the code writes: Babel's `Locale` would add likely ones (`zh_TW` is `zh-TW`,
    not `zh-Hant-TW`). The pseudo-locale `qps` stays `qps`, a valid tag: BCP 47 keeps `qaa` to
    `qtz` for private use (Windows tags its pseudo-locales `qps-ploc`). A modifier that names
    no script becomes a private-use part (`en@pseudo` → `en-x-pseudo`): dropped, it would give
    another locale's tag. A code Babel cannot parse gets `-` for `_`, and no modifier.
    """
    from babel.core import parse_locale

    try:
        language, territory, script, variant, *modifiers = parse_locale(code.replace("-", "_"))
    except ValueError:
        return code.replace("_", "-").partition("@")[0]
    modifier = (modifiers[0] if modifiers else None) or ""
    private = [] if modifier in _SCRIPT_MODIFIERS else re.findall(r"[A-Za-z0-9]{1,8}", modifier)
    subtags = [
        language,
        script or _SCRIPT_MODIFIERS.get(modifier),
        territory,
        variant and variant.lower(),
        *(["x", *private] if private else []),
    ]
    return "-".join(subtag for subtag in subtags if subtag)


def language_of(code: str) -> str:
    """The language part of a locale code, in lower case: `pt_BR` → `pt`, `sr@latin` → `sr`,
    `ja-JP` → `ja`, `EN` → `en`."""
    return code.replace("-", "_").partition("@")[0].partition("_")[0].lower()


@functools.cache  # every catalog's header names its language
def english_name(code: str) -> str:
    """The language's name in English (`en` → English, `ja` → Japanese), for messages and
    catalog headers that name a language; the code itself when Babel does not know it."""
    from babel.core import Locale, UnknownLocaleError

    try:
        return Locale.parse(code.replace("-", "_")).english_name or code
    except (UnknownLocaleError, ValueError, TypeError):
        return code


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
