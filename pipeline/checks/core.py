"""Types shared by the check families: what a problem is, and what every check gets to see."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]
#: What `[tool.pipeline.severity]` may make of a check: one of the severities, or "off".
Grade = Literal["error", "warning", "off"]
#: `polite` is です・ます調, `plain` is だ・である調.
Style = Literal["polite", "plain"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding, located by catalog file and entry line so CI can annotate the exact spot."""

    file: str
    line: int
    #: The entry's msgid; empty for a problem of the whole file (the header has msgid "").
    msgid: str
    check: str
    severity: Severity
    message: str


@dataclass(frozen=True, slots=True)
class GlossaryTerm:
    """A source term and the translation the clinic has agreed on for it."""

    source: str
    target: str
    #: Why the term is translated this way; shown to the translator with the warning.
    explanation: str = ""


@dataclass(frozen=True, slots=True)
class Glossary:
    terms: tuple[GlossaryTerm, ...] = ()


@dataclass(frozen=True, slots=True)
class TermMatcher:
    """A glossary source term compiled once per run, with every target accepted for it."""

    pattern: re.Pattern[str]
    source: str
    targets: tuple[GlossaryTerm, ...]


@dataclass(frozen=True, slots=True)
class Claim:
    """An expression that Japan's medical advertising guideline (医療広告ガイドライン) queries:
    which of its categories, why, and a wording that says the same within the rules."""

    expression: str
    category: str
    #: Also what pairs the lists of two languages: a row of each with the same reason queries
    #: the same claim (a translation's claim renders its source's, see `claims.find_renderings`).
    reason: str
    suggestion: str
    #: Longer expressions that, when the match is part of one of them, do not count (必ず in
    #: 必ずしも): the `except` column.
    exceptions: tuple[str, ...] = ()

    def describe(self, text: str, *, renders: tuple[str, ...] = ()) -> str:
        """The claim found as `text` (rendering the source's words `renders`, if given), as
        translators and the clinic read it."""
        quoted = json.dumps(text, ensure_ascii=False)
        if renders:
            quoted += " renders " + ", ".join(json.dumps(w, ensure_ascii=False) for w in renders)
        return f"{quoted}: {self.category}: {self.reason} Suggested: {self.suggestion}"


@dataclass(frozen=True, slots=True)
class ClaimMatcher:
    """A listed expression compiled once per run, with its exceptions."""

    pattern: re.Pattern[str]
    claim: Claim
    exceptions: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True, slots=True)
class PageClaim:
    """A claim in a source page, for the clinic: only the clinic may change what it claims."""

    file: str
    line: int
    #: The words of the page that matched (NFKC-normalized, as compared).
    text: str
    claim: Claim


@dataclass(frozen=True, slots=True)
class RenderedClaim:
    """A claim in a translation that renders the same claim of its msgid, for the clinic: the
    translation is faithful, so it is no translation problem; the claim is the clinic's."""

    file: str
    #: The catalog entry's line.
    line: int
    msgid: str
    #: The words of the translation that matched (NFKC-normalized, as compared).
    text: str
    claim: Claim
    #: The words of the msgid that make the claim the translation renders.
    source: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Context:
    """What a check needs beyond the entry itself, computed once per catalog."""

    japanese: bool
    glossary: Glossary
    matchers: tuple[TermMatcher, ...]
    #: The catalog's prevailing politeness style, or None when only one style occurs.
    majority_style: Style | None
    #: The claims lists of the translation's language and of the source's.
    claims: tuple[ClaimMatcher, ...] = ()
    source_claims: tuple[ClaimMatcher, ...] = ()


#: A check family: yields one message per problem in a (msgid, msgstr) pair.
CheckFunction = Callable[[str, str, Context], Iterator[str]]
