"""Quality checks on a translated catalog: every problem of every entry, collected, never raised.

Checks, by name (the name appears in reports and in silencing flags):

========================  ========  ==========================================================
placeholders              error     each msgid placeholder exactly once, same kind, nested
markup                    error     no tags, scripts, handlers, script/data URLs, CSS
                                    expressions, character references, bidi or zero-width
                                    characters beyond what the msgid has
numbers                   warning   digits and measurement units kept (dates may be reworded)
urls                      warning   URLs and e-mail addresses kept, none added
whitespace                warning   leading/trailing whitespace as in the msgid
punctuation               warning   final . ? ! : kept (。？！： in Japanese)
glossary                  warning   agreed translations of glossary terms used
typography                warning   ja: 、。 not , . ; no half-width katakana; no stray spaces
politeness                warning   ja: one style (です・ます or だ・である) per catalog
same-as-source            warning   msgstr not just a copy of the msgid
claims                    warning   no expression of `<locales>/<locale>/claims.csv` (what the
                                    medical advertising guideline queries, module `claims`)
                                    that the msgid does not make: the translation's own claims
fuzzy                     warning   the entry needs review
========================  ========  ==========================================================

`check` adds problems about whole catalogs: *stale* (warning, gradable as the checks above:
the page has text the catalog lacks, which the build counts as untranslated; `extract` and
`update` are due) and, which no setting grades, *gettext* (error: msgfmt or our reader refuses
it), *missing* (error: no catalog for a page), *origin* (error: the header names another page)
and, with `--min-percent`, *completeness* (error). Apart from the problems, it lists for the
clinic the claims of the source pages (the source language's `claims.csv`) and the same claims
rendered faithfully in the translations (`rendered_claims`): they are the clinic's to decide,
so they never fail a run; `claims = "off"` drops them with the check.

Errors are what would break or endanger the built page. Warnings are about quality and rest
on heuristics, so a reviewer may overrule them (see silencing below). A project may grade any
of these checks otherwise, for all its entries, in `[tool.pipeline.severity]` of pyproject.toml
(`fuzzy = "off"`, `glossary = "error"`); `check --fail-on` says which severity fails the run.

Silencing: an entry with the flag `ignore-<check>` (Weblate's convention), for example
`#, ignore-glossary`, skips that one check for that entry only. GNU gettext's tools (msgcat,
msgmerge) drop flags they do not know, so the same works as a translator comment that starts with
the flag and gives the reason, `# ignore-glossary: the brand name stays in English`, which every
tool keeps.

Only entries that have a translation are checked. A fuzzy entry gets the `fuzzy` warning and
nothing else: gettext does not publish it, and its msgstr was written for an older msgid, so
other findings would be noise until a translator confirms it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import get_args

from pipeline.checks.claims import check_claims, compile_claims, find_renderings, load_claims
from pipeline.checks.core import (
    CheckFunction,
    Claim,
    ClaimMatcher,
    Context,
    Glossary,
    GlossaryTerm,
    Grade,
    PageClaim,
    Problem,
    RenderedClaim,
    Severity,
)
from pipeline.checks.glossary import (
    check_glossary,
    compile_glossary,
    load_glossary,
    parse_glossary_csv,
    parse_glossary_tbx,
)
from pipeline.checks.numbers import check_numbers
from pipeline.checks.placeholders import check_placeholders
from pipeline.checks.punctuation import check_punctuation, check_whitespace
from pipeline.checks.report import (
    format_github,
    format_notices,
    format_rendered_claims,
    format_source_claims,
    format_text,
    problems_to_json,
)
from pipeline.checks.safety import check_markup
from pipeline.checks.state import check_same_as_source
from pipeline.checks.typography import check_politeness, check_typography, majority_style
from pipeline.checks.urls import check_urls
from pipeline.locale_codes import language_of
from pipeline.model import IGNORE, Catalog, Message, PipelineError

__all__ = [
    "CHECKS",
    "CLAIMS_CHECK",
    "STALE_CHECK",
    "Claim",
    "Glossary",
    "GlossaryTerm",
    "PageClaim",
    "Problem",
    "ProjectChecks",
    "RenderedClaim",
    "check_catalog",
    "format_github",
    "format_notices",
    "format_rendered_claims",
    "format_source_claims",
    "format_text",
    "parse_glossary_csv",
    "parse_glossary_tbx",
    "parse_grades",
    "problems_to_json",
    "rendered_claims",
]

#: The per-entry check of claims, and the name under which `check` lists the claims of the
#: source pages, for the clinic.
CLAIMS_CHECK = "claims"
#: Every per-entry check: (name, severity, function), in report order.
CHECKS: tuple[tuple[str, Severity, CheckFunction], ...] = (
    ("placeholders", "error", check_placeholders),
    ("markup", "error", check_markup),
    ("numbers", "warning", check_numbers),
    ("urls", "warning", check_urls),
    ("whitespace", "warning", check_whitespace),
    ("punctuation", "warning", check_punctuation),
    ("glossary", "warning", check_glossary),
    ("typography", "warning", check_typography),
    ("politeness", "warning", check_politeness),
    ("same-as-source", "warning", check_same_as_source),
    (CLAIMS_CHECK, "warning", check_claims),
)
FUZZY_CHECK = "fuzzy"
#: A catalog behind its page (checked by `workflow.check`, which has the page).
STALE_CHECK = "stale"
_NO_GRADES: Mapping[str, Grade] = MappingProxyType({})


def parse_grades(table: object, *, where: str) -> tuple[tuple[str, Grade], ...]:
    """`[tool.pipeline.severity]` (check name -> "error", "warning" or "off"), checked here,
    where the names are, so a misspelt check is named instead of silently never matching."""
    if not isinstance(table, dict):
        raise TypeError("[tool.pipeline.severity] is not a table")
    names = (*(name for name, _, _ in CHECKS), FUZZY_CHECK, STALE_CHECK)
    grades = get_args(Grade)
    for name, grade in table.items():
        if name not in names:
            raise PipelineError(
                where,
                None,
                f"[tool.pipeline.severity] {name}: no such check (the checks: {', '.join(names)})",
            )
        if grade not in grades:
            raise PipelineError(
                where,
                None,
                f"[tool.pipeline.severity] {name} = {grade!r}: must be "
                + ", ".join(f'"{g}"' for g in grades[:-1])
                + f' or "{grades[-1]}"',
            )
    return tuple(sorted(table.items()))


def _graded(grades: Mapping[str, Grade], name: str, default: Severity) -> Severity | None:
    """A check's severity in this project, or None when the project turned it off."""
    grade = grades.get(name, default)
    return None if grade == "off" else grade


#: Extracted-comment roles of entries that are titles, not sentences: a Japanese heading drops
#: the question mark of "What is X?" (「Xとは」), so their final punctuation is not compared.
HEADING_ROLES = ("heading", "page title", "og:title")


def _ignored(message: Message, check: str) -> bool:
    if check == "punctuation" and any(
        role in comment for comment in message.extracted_comments for role in HEADING_ROLES
    ):
        return True
    marker = IGNORE + check
    return marker in message.flags or any(
        comment.startswith((marker + ":", marker + " ")) or comment == marker
        for comment in message.translator_comments
    )


def _pairs(message: Message) -> tuple[tuple[str, str], ...]:
    """(source, translation) pairs to check; a plural entry's forms all render msgid_plural."""
    if message.msgid_plural is None:
        return ((message.msgid, message.msgstr),)
    return tuple((message.msgid_plural, form) for form in message.msgstr_plural if form)


def _has_translation(message: Message) -> bool:
    return any(msgstr for _, msgstr in _pairs(message))


def check_catalog(
    catalog: Catalog,
    *,
    path: str,
    locale: str,
    glossary: Glossary,
    grades: Mapping[str, Grade] = _NO_GRADES,
    claims: tuple[Claim, ...] = (),
    source_claims: tuple[Claim, ...] = (),
) -> tuple[Problem, ...]:
    """All problems of all non-obsolete entries, in entry order, then check order; `grades`
    (from `[tool.pipeline.severity]`) overrides the severities of CHECKS and fuzzy. `claims`
    is the translation language's claims list; `source_claims`, the source's, says which
    claims a translation renders faithfully (no problem: see `rendered_claims`)."""
    context = _locale_context(locale, glossary, claims, compile_claims(source_claims))
    return _problems(catalog, path=path, context=context, grades=grades)


def _locale_context(
    locale: str,
    glossary: Glossary,
    claims: tuple[Claim, ...],
    source_claims: tuple[ClaimMatcher, ...],
) -> Context:
    """What checking a locale's catalogs needs beside each catalog, its lists compiled; each
    catalog adds its majority style (see `_problems`)."""
    return Context(
        japanese=language_of(locale) == "ja",
        glossary=glossary,
        matchers=compile_glossary(glossary),
        majority_style=None,
        claims=compile_claims(claims),
        source_claims=source_claims,
    )


def _problems(
    catalog: Catalog, *, path: str, context: Context, grades: Mapping[str, Grade]
) -> tuple[Problem, ...]:
    """`check_catalog` with the locale's context (`_locale_context`), compiled once per run."""
    done = tuple(m for m in catalog.active if not m.fuzzy and _has_translation(m))
    context = replace(
        context,
        majority_style=majority_style(
            msgstr for m in done if not _ignored(m, "politeness") for _, msgstr in _pairs(m)
        ),
    )
    fuzzy = _graded(grades, FUZZY_CHECK, "warning")
    graded = [
        (name, severity, check)
        for name, default, check in CHECKS
        if (severity := _graded(grades, name, default)) is not None
    ]
    problems: list[Problem] = []
    for message in catalog.active:
        if message.fuzzy:
            if fuzzy is not None and not _ignored(message, FUZZY_CHECK):
                problems.append(
                    Problem(
                        path,
                        message.line,
                        message.msgid,
                        FUZZY_CHECK,
                        fuzzy,
                        "marked fuzzy: the translation needs review and is not published",
                    )
                )
            continue
        for name, severity, check in graded:
            if _ignored(message, name):
                continue
            problems.extend(
                Problem(path, message.line, message.msgid, name, severity, text)
                for msgid, msgstr in _pairs(message)
                if msgstr
                for text in check(msgid, msgstr, context)
            )
    return tuple(problems)


def rendered_claims(
    catalog: Catalog,
    *,
    path: str,
    claims: tuple[Claim, ...],
    source_claims: tuple[Claim, ...],
    grades: Mapping[str, Grade] = _NO_GRADES,
) -> tuple[RenderedClaim, ...]:
    """The claims that the catalog's translations render faithfully (their msgid makes the
    same claim), in entry order, for the clinic: no translation problem, so the check `claims`
    leaves them out, and `ignore-claims` (which overrules the translation's own claims) does
    not hide them. Fuzzy entries are not published, so not listed; `claims = "off"` lists none."""
    context = Context(
        japanese=False,
        glossary=Glossary(),
        matchers=(),
        majority_style=None,
        claims=compile_claims(claims),
        source_claims=compile_claims(source_claims),
    )
    return _renderings(catalog, path=path, context=context, grades=grades)


def _renderings(
    catalog: Catalog, *, path: str, context: Context, grades: Mapping[str, Grade]
) -> tuple[RenderedClaim, ...]:
    """`rendered_claims` with the claims lists of `context`, compiled once per run."""
    if (
        _graded(grades, CLAIMS_CHECK, "warning") is None
        or not context.claims
        or not context.source_claims
    ):
        return ()
    return tuple(
        RenderedClaim(path, message.line, message.msgid, text, claim, renders)
        for message in catalog.active
        if not message.fuzzy
        for msgid, msgstr in _pairs(message)
        if msgstr
        for text, claim, renders in find_renderings(msgid, msgstr, context)
        if renders
    )


@dataclass(frozen=True, slots=True)
class ProjectChecks:
    """What checking a project's catalogs needs beside each catalog, loaded and compiled once:
    every locale's glossary and claims list, the source's claims list, the project's grades.
    `check` and the review copy both check through it, so they find the same problems."""

    #: Each locale's glossary and claims lists, and the source's claims list, compiled.
    contexts: Mapping[str, Context]
    #: The source's claims list, compiled: what the clinic is shown in the pages.
    source_claims: tuple[ClaimMatcher, ...]
    grades: Mapping[str, Grade]

    @staticmethod
    def load(
        locales_dir: Path,
        locales: tuple[str, ...],
        *,
        source_locale: str,
        grades: tuple[tuple[str, Grade], ...],
    ) -> ProjectChecks:
        compiled = compile_claims(load_claims(locales_dir, source_locale))
        return ProjectChecks(
            contexts={
                locale: _locale_context(
                    locale,
                    load_glossary(locales_dir, locale, source_locale=source_locale),
                    load_claims(locales_dir, locale),
                    compiled,
                )
                for locale in locales
            },
            source_claims=compiled,
            grades=dict(grades),
        )

    def rendered(self, catalog: Catalog, *, path: str, locale: str) -> tuple[RenderedClaim, ...]:
        """`rendered_claims` with this project's lists and grades."""
        return _renderings(catalog, path=path, context=self.contexts[locale], grades=self.grades)

    def catalog(self, catalog: Catalog, *, path: str, locale: str) -> tuple[Problem, ...]:
        """`check_catalog` with this project's lists and grades."""
        return _problems(catalog, path=path, context=self.contexts[locale], grades=self.grades)
