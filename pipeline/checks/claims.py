"""Claims check: what Japan's medical advertising guideline (医療広告ガイドライン) queries.

A clinic's website is advertising under the Medical Care Act (since June 2018), and the
ministry's guideline prohibits, among others, false, comparative, exaggerated and guaranteed-
outcome claims and patient testimonials. `<locales>/<code>/claims.csv` lists the expressions to
query in one language, each with the guideline's category, the reason and a compliant wording.
The source language's list is matched against the source pages: a list for the clinic, which
alone may change what its pages claim. The target language's list is matched against
translations, and each claim found there is either

- a faithful rendering, when the msgid makes the same claim: no translation problem (the
  translator renders the clinic's claims and must not soften them), listed for the clinic
  beside its pages' claims (`find_renderings`); or
- the translation's own addition, when the msgid makes no such claim: the check `claims`, a
  warning, which `ignore-claims:` overrules for one entry.

The same claim. The lists pair their rows by the `reason` column: a row of the target list and
a row of the source list with the same reason, word for word, query the same claim (根本的 and
"fundamental treatment"; リスク*低 and "low risk"; 回復*早 and "quick recovery"; 和らぎます and
"alleviate * pain"). Each reason states one claim, more narrowly than its category: the
category 誇大広告 holds "specialize", "quick recovery" and "miracle" alike, and a translation
that adds 画期的 to a sentence that only claims a quick recovery adds a claim of its own.

Matching. An expression with kana or kanji matches anywhere in the text (完治 in 完治する);
any other matches whole words, in any case, with spaces or hyphens between the words (low risk,
low-risk) and simple inflections of each word of three letters or more, from its base form
(guarantee: guarantees, guaranteed, guaranteeing; permanent: permanently; story: stories; a word
written with a final -s is taken back to its base: relieves is relieve, so relieved matches).
In an expression, `*` is a short gap of the same sentence: up to three words, or up to three
Japanese characters (安心*安全: 安心・安全, 安心安全, 安心かつ安全). Text and expressions are
compared in NFKC (Ｎｏ．１ is No.1), without the placeholders of a msgid.

Exceptions. The optional column `except` holds expressions, separated by `|` and matched in the
same way, that the listed expression's match does not count inside: 必ず except 必ずしも,
guarantee except `not guarantee|cannot guarantee|no guarantee`. An exception must contain a
match of its expression (else it could never apply, and is refused as a mistake).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from pipeline import files
from pipeline.checks.core import Claim, ClaimMatcher, Context, PageClaim
from pipeline.model import PipelineError
from pipeline.placeholders import strip_placeholders
from pipeline.segments import PageSegments

#: The columns of a claims list, named in its first row (other columns are allowed, unread).
COLUMNS = ("expression", "category", "reason", "suggestion")
#: The optional column of exceptions, and what separates them in a cell.
EXCEPT = "except"
EXCEPT_SEPARATOR = "|"
#: An expression with any of these (hiragana, katakana, kanji) matches as a substring.
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
#: What separates two words of an English expression in the text.
_BETWEEN_WORDS = r"[\s\-\u2010\u2011]+"
#: Letters and digits that would continue a word: a match must not start or end beside them.
_WORD_CHARACTER = "A-Za-z0-9\u00c0-\u024f"
#: `*` in a Japanese expression: up to three characters that do not end a sentence, as few
#: as will do (リスク*低 is リスクが低, not リスクが低い低 in リスクが低い低侵襲治療).
_JAPANESE_GAP = r"[^。.!?\n]{0,3}?"
#: `*` in an English expression: up to three words, with the spaces around them.
_WORDS_GAP = rf"{_BETWEEN_WORDS}(?:[^\s.!?。]+{_BETWEEN_WORDS}){{0,3}}?"


def parse_claims_csv(text: str, *, path: str) -> tuple[Claim, ...]:
    """A claims list: a header row naming COLUMNS (any order) and optionally EXCEPT, then one
    expression a row.

    Every cell of COLUMNS is required: a row the clinic reads must say why and what to write
    instead. An expression listed twice, a `*` at an end of an expression or exception, and an
    exception without a match of its expression are refused.
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((line, row))
            line = reader.line_num + 1
    except csv.Error as error:
        raise PipelineError(path, line, f"bad CSV: {error}") from error  # where the row starts
    if not rows:
        return ()
    header_line, header = rows[0]
    names = [cell.strip().lower() for cell in header]
    missing = [name for name in COLUMNS if name not in names]
    if missing:
        raise PipelineError(
            path,
            header_line,
            "the first row must name the columns " + ", ".join(COLUMNS) + f" (missing: "
            f"{', '.join(missing)})",
        )
    columns = [names.index(name) for name in COLUMNS]
    excepts = names.index(EXCEPT) if EXCEPT in names else None
    claims: list[Claim] = []
    first: dict[str, int] = {}
    for line, row in rows[1:]:
        if len(row) <= max(columns):
            raise PipelineError(path, line, f"a row needs the columns {', '.join(COLUMNS)}")
        cells = [" ".join(row[column].split()) for column in columns]
        for name, cell in zip(COLUMNS, cells, strict=True):
            if not cell:
                raise PipelineError(path, line, f"empty {name}")
        cell = row[excepts] if excepts is not None and excepts < len(row) else ""
        exceptions = tuple(
            " ".join(part.split()) for part in cell.split(EXCEPT_SEPARATOR) if part.strip()
        )
        expression, category, reason, suggestion = cells
        claim = Claim(expression, category, reason, suggestion, exceptions)
        _refuse_bad_gap(claim.expression, path, line)
        for exception in exceptions:
            _refuse_bad_gap(exception, path, line)
            _refuse_idle_exception(claim.expression, exception, path, line)
        key = _normalize(claim.expression).casefold()
        if key in first:
            raise PipelineError(
                path, line, f"{claim.expression!r} is listed twice (first on line {first[key]})"
            )
        first[key] = line
        claims.append(claim)
    return tuple(claims)


def _refuse_bad_gap(expression: str, path: str, line: int) -> None:
    if any(not part.strip() for part in expression.split("*")):
        raise PipelineError(
            path, line, f"{expression!r}: `*` must stand between two parts of the expression"
        )


def _refuse_idle_exception(expression: str, exception: str, path: str, line: int) -> None:
    """An exception is a longer phrase holding the expression: one whose words (its `*` read as
    no word) hold no match of the expression could never apply, a mistake to name."""
    gap = "" if _JAPANESE.search(exception) else " "
    words = _normalize(gap.join(part.strip() for part in exception.split("*")))
    if not _pattern(expression).search(words):
        raise PipelineError(
            path,
            line,
            f"except {exception!r}: holds no match of {expression!r}, so it could never apply",
        )


def _normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


#: Endings whose -es, in a word the list writes with a final -s, may be the -es of a word
#: without a final e (fixes: fix; reaches: reach); elsewhere -es is an e-word's -s (relieves:
#: relieve; cures: cure).
_SIBILANT = ("sse", "che", "she", "xe", "zze")


def _base(word: str) -> str:
    """An English word as the list writes it, taken back to its base form when it ends in the
    -s of a plural or third person: stories, story; relieves, relieve; repairs, repair (not
    -ss, -us or -is: painless, stenosis)."""
    lower = word.lower()
    if len(word) > 4 and lower.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and lower.endswith("s") and not lower.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _word(word: str) -> str:
    """A word of an English expression with its simple inflections."""
    if len(word) < 3 or not (word.isascii() and word.isalpha()):
        return re.escape(word).replace("'", "['’]")
    base = _base(word)
    if base != word and base.lower().endswith(_SIBILANT):  # fixes: fix, fixes, fixed, fixing
        return re.escape(base[:-1]) + "(?:e(?:s|d)?|ing)?"
    word = base
    if word.endswith("ee"):  # guarantee: guarantees, guaranteed, guaranteeing
        return re.escape(word) + "(?:s|d|ing)?"
    if word.endswith("e"):  # cure: cures, cured, curing; complete: completely
        return re.escape(word[:-1]) + "(?:e(?:s|d|ly)?|ing)"
    if re.search("[^aeiou]y$", word, re.IGNORECASE):  # story: stories; remedy: remedied
        return re.escape(word[:-1]) + "(?:y|ies|ied|ying|ily)"
    return re.escape(word) + "(?:s|es|ed|ing|ly)?"


def _pattern(expression: str) -> re.Pattern[str]:
    parts = [part.strip() for part in _normalize(expression).split("*")]
    if _JAPANESE.search(expression):
        return re.compile(_JAPANESE_GAP.join(map(re.escape, parts)), re.IGNORECASE)
    body = _WORDS_GAP.join(
        _BETWEEN_WORDS.join(_word(word) for word in re.split(_BETWEEN_WORDS, part))
        for part in parts
    )
    edge = f"[{_WORD_CHARACTER}]"
    before = f"(?<!{edge})" if re.match(edge, parts[0]) else ""
    after = f"(?!{edge})" if re.match(edge, parts[-1][-1]) else ""
    return re.compile(before + body + after, re.IGNORECASE)


def compile_claims(claims: tuple[Claim, ...]) -> tuple[ClaimMatcher, ...]:
    return tuple(
        ClaimMatcher(_pattern(claim.expression), claim, tuple(map(_pattern, claim.exceptions)))
        for claim in claims
    )


def find_claims(text: str, matchers: tuple[ClaimMatcher, ...]) -> tuple[tuple[str, Claim], ...]:
    """(matched text, claim) for each listed expression the text makes, once, in text order.

    A match that is part of a match of one of its exceptions does not count (必ず in 必ずしも).
    A match inside a longer one of another expression (絶対 in 絶対安全 when both are listed),
    or overlapping one of the same claim (the same reason: 再生させ after 椎間板を再生 in
    椎間板を再生させる), is left to the one found first, so one phrase is reported once.
    """
    if not matchers:
        return ()
    folded = _normalize(strip_placeholders(text))
    spans: list[tuple[int, int, int]] = []
    for index, matcher in enumerate(matchers):
        matches = list(matcher.pattern.finditer(folded))
        if not matches:
            continue
        excepted = [m.span() for pattern in matcher.exceptions for m in pattern.finditer(folded)]
        spans.extend(
            (match.start(), -match.end(), index)  # leftmost first, then longest
            for match in matches
            if not any(s <= match.start() and match.end() <= e for s, e in excepted)
        )
    spans.sort()
    kept: list[tuple[int, int, int]] = []
    claimed: set[int] = set()
    for start, negative_end, index in spans:
        end = -negative_end
        reason = matchers[index].claim.reason
        if index in claimed or any(
            (s <= start and end <= e) or (start < e and matchers[i].claim.reason == reason)
            for s, e, i in kept
        ):
            continue
        kept.append((start, end, index))
        claimed.add(index)
    return tuple((folded[start:end], matchers[index].claim) for start, end, index in kept)


def find_renderings(
    msgid: str, msgstr: str, context: Context
) -> tuple[tuple[str, Claim, tuple[str, ...]], ...]:
    """(matched text, claim, the msgid's words that make the same claim) for each claim of the
    translation: the same claim is a row of the source's list with the same reason (see the
    module). No such words: the msgid makes no such claim, and the translation adds it."""
    found = find_claims(msgstr, context.claims)
    if not found:
        return ()
    source: dict[str, list[str]] = {}
    for text, claim in find_claims(msgid, context.source_claims):
        source.setdefault(claim.reason, []).append(text)
    return tuple((text, claim, tuple(source.get(claim.reason, ()))) for text, claim in found)


def check_claims(msgid: str, msgstr: str, context: Context) -> Iterator[str]:
    """The translation's own claims: those its msgid does not make. A faithful rendering of
    the msgid's claim is the clinic's to decide, listed for it (`find_renderings`)."""
    for text, claim, renders in find_renderings(msgid, msgstr, context):
        if not renders:
            yield (
                claim.describe(text) + "; the source makes no such claim: the translation adds "
                "it, remove it (or overrule with `ignore-claims:` and the reason)"
            )


def claims_in_page(
    segmented: PageSegments, *, path: str, matchers: tuple[ClaimMatcher, ...]
) -> Iterator[PageClaim]:
    """The claims of a source page's text (each occurrence of a repeated text), at the line
    of the words that make the claim."""
    page = segmented.page
    for segment in segmented.segments:
        for text, claim in find_claims(segment.msgid, matchers):
            words = r"(?:\s|<[^>]*>)+".join(map(re.escape, text.split()))
            where = re.search(words, page.text[segment.start : segment.end], re.IGNORECASE)
            line = segment.line if where is None else page.line_of(segment.start + where.start())
            yield PageClaim(path, line, text, claim)


def load_claims(locales: Path, code: str) -> tuple[Claim, ...]:
    """`<locales>/<code>/claims.csv`, if present."""
    path = files.inside(locales, f"{code}/claims.csv")
    if not path.exists():
        return ()
    data = files.read_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PipelineError(
            str(path), data[: error.start].count(b"\n") + 1, "invalid UTF-8"
        ) from None
    return parse_claims_csv(text, path=str(path))
