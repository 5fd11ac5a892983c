"""Glossary check, and reading the glossary files Weblate imports and exports (CSV and TBX).

For each term whose source occurs in the msgid (any case, whole words, simple English plurals:
"Method" matches "methods"), the msgstr must contain one of the agreed targets. It is a warning:
grammar sometimes forces another form, and `#, ignore-glossary` says so for one entry.
Parsing only turns text into a Glossary; reading the file is the caller's job.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable, Iterator
from pathlib import Path
from xml.parsers import expat

from pipeline import files
from pipeline.checks.core import Context, Glossary, GlossaryTerm, TermMatcher
from pipeline.locale_codes import language_of
from pipeline.model import PipelineError
from pipeline.placeholders import strip_placeholders

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: TBX administrative statuses of terms that must not be used, so are not required either.
_UNUSABLE = ("forbidden", "obsolete", "deprecated", "superseded")


def parse_glossary_csv(text: str, *, path: str) -> Glossary:
    """Weblate's CSV glossary: a `source,target[,explanation,…]` header, or two bare columns.

    Rows with an empty target are untranslated terms and are skipped.
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as error:
        raise PipelineError(path, reader.line_num, f"bad CSV: {error}") from error
    if not rows:
        return Glossary()
    header = [cell.strip().lower() for cell in rows[0][1]]
    if "source" in header and "target" in header:
        columns = (header.index("source"), header.index("target"))
        explanation = header.index("explanation") if "explanation" in header else None
        rows = rows[1:]
    else:
        columns, explanation = (0, 1), None
    terms: list[GlossaryTerm] = []
    for line, row in rows:
        if len(row) <= max(columns):
            raise PipelineError(path, line, "a glossary row needs a source and a target column")
        source, target = (row[column].strip() for column in columns)
        if not source:
            raise PipelineError(path, line, "empty source term")
        note = (
            " ".join(row[explanation].split())
            if explanation is not None and explanation < len(row)
            else ""
        )
        if target:
            terms.append(GlossaryTerm(source, target, note))
    return Glossary(tuple(terms))


def _refuse_internal_subset(text: str, path: str) -> None:
    """Reject a DOCTYPE with declarations, the door to entity expansion attacks; TBX needs none.

    External DTDs are never fetched by expat or ElementTree, so a plain `<!DOCTYPE martif
    SYSTEM "TBXcoreStructV02.dtd">` as written by Weblate and the Translate Toolkit is fine.
    """
    parser = expat.ParserCreate()

    def start_doctype(
        name: str, system_id: str | None, public_id: str | None, has_subset: int
    ) -> None:
        if has_subset:
            raise PipelineError(
                path, parser.CurrentLineNumber, "DTD declarations are not allowed in a glossary"
            )

    parser.StartDoctypeDeclHandler = start_doctype
    try:
        parser.Parse(text, True)
    except expat.ExpatError as error:
        raise PipelineError(
            path, error.lineno, f"not well-formed XML: {expat.ErrorString(error.code)}"
        ) from error


def _local(element: ElementTree.Element) -> str:
    return element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""


def _descendants(element: ElementTree.Element, *names: str) -> Iterator[ElementTree.Element]:
    return (child for child in element.iter() if _local(child) in names)


def _usable_terms(lang_set: ElementTree.Element) -> Iterator[str]:
    for holder in _descendants(lang_set, "tig", "ntig", "termSec"):
        status = " ".join(
            (note.text or "").lower()
            for note in _descendants(holder, "termNote")
            if note.get("type") == "administrativeStatus"
        )
        if any(word in status for word in _UNUSABLE):
            continue
        for term in _descendants(holder, "term"):
            if "".join(term.itertext()).strip():
                yield " ".join("".join(term.itertext()).split())


def parse_glossary_tbx(
    text: str, *, path: str, source_language: str = "en", target_language: str = "ja"
) -> Glossary:
    """TBX 2 (`martif`, `termEntry`/`langSet`/`tig`, TBX-Basic `ntig`) or TBX 3 (`conceptEntry`/
    `langSec`/`termSec`): every usable source term paired with every usable target term.

    Weblate keeps a term's explanation in `<descrip>`; forbidden or obsolete terms are skipped.
    """
    _refuse_internal_subset(text, path)
    root = ElementTree.fromstring(text)
    terms: list[GlossaryTerm] = []
    for entry in _descendants(root, "termEntry", "conceptEntry"):
        by_language: dict[str, list[str]] = {}
        for lang_set in _descendants(entry, "langSet", "langSec"):
            language = language_of(lang_set.get(_XML_LANG, ""))
            by_language.setdefault(language, []).extend(_usable_terms(lang_set))
        explanation = next(
            (" ".join("".join(d.itertext()).split()) for d in _descendants(entry, "descrip")), ""
        )
        terms.extend(
            GlossaryTerm(source, target, explanation)
            for source in by_language.get(language_of(source_language), ())
            for target in by_language.get(language_of(target_language), ())
        )
    return Glossary(tuple(terms))


def _term_pattern(source: str) -> re.Pattern[str]:
    """Whole words, any case, spaces or hyphens between words, and a plural of the last word."""
    *words, last = re.split(r"[\s\-‐]+", source.strip())
    if re.search(r"[^aeiou]y$", last, re.IGNORECASE):
        last_pattern = re.escape(last[:-1]) + "(?:y|ies)"
    else:
        last_pattern = re.escape(last) + "(?:e?s)?"
    body = r"[\s\-‐]+".join([*map(re.escape, words), last_pattern])
    return re.compile(rf"(?<![^\W_]){body}(?![^\W_])", re.IGNORECASE)


def compile_glossary(glossary: Glossary) -> tuple[TermMatcher, ...]:
    """One matcher per distinct source term, holding every target accepted for it."""
    grouped: dict[str, list[GlossaryTerm]] = {}
    for term in glossary.terms:
        grouped.setdefault(term.source.casefold(), []).append(term)
    return tuple(
        TermMatcher(_term_pattern(terms[0].source), terms[0].source, tuple(terms))
        for terms in grouped.values()
    )


def _fold(text: str) -> str:
    """Compare targets ignoring width (ｾﾙｹﾞﾙ = セルゲル) and case."""
    return unicodedata.normalize("NFKC", text).casefold()


def is_proper_name(text: str, terms: Iterable[GlossaryTerm]) -> bool:
    """The text is a glossary term that stays as it is in translation (a name, a brand)."""
    folded = _fold(text.strip())
    return any(_fold(t.source) == folded and _fold(t.target) == folded for t in terms)


def check_glossary(msgid: str, msgstr: str, context: Context) -> Iterator[str]:
    source = strip_placeholders(msgid)
    target = _fold(strip_placeholders(msgstr))
    for matcher in context.matchers:
        if not matcher.pattern.search(source):
            continue
        if any(_fold(term.target) in target for term in matcher.targets):
            continue
        wanted = " or ".join(dict.fromkeys(term.target for term in matcher.targets))
        notes = "; ".join(dict.fromkeys(t.explanation for t in matcher.targets if t.explanation))
        yield f"translate {matcher.source!r} as {wanted}" + (f" ({notes})" if notes else "")


def load_glossary(locales: Path, locale: str, *, source_locale: str) -> Glossary:
    """`<locales>/<locale>/glossary.tbx` or `glossary.csv` (Weblate's formats), if present."""
    for name, parse in (("glossary.tbx", "tbx"), ("glossary.csv", "csv")):
        path = files.inside(locales, f"{locale}/{name}")
        if not path.exists():
            continue
        text = files.read_bytes(path).decode("utf-8-sig", "replace")
        if parse == "tbx":
            return parse_glossary_tbx(
                text,
                path=str(path),
                source_language=source_locale,
                target_language=locale,
            )
        return parse_glossary_csv(text, path=str(path))
    return Glossary()
