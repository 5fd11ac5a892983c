"""Renderings of a list of problems: JSON for tools, GitHub annotations for CI, text for people.

Pure functions returning strings (no trailing newline); the CLI prints them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from pipeline.checks.core import PageClaim, Problem, RenderedClaim

_MSGID_SHOWN = 60


def problems_to_json(
    problems: Iterable[Problem],
    *,
    passed: bool,
    source_claims: Iterable[PageClaim] = (),
    rendered_claims: Iterable[RenderedClaim] = (),
) -> str:
    """`{"passed": bool, "problems": [{file, line, msgid, check, severity, message}, …],
    "source_claims": [{file, line, text, category, reason, suggestion}, …],
    "rendered_claims": [{file, line, msgid, text, source, category, reason, suggestion}, …]}`:
    the claims of the source pages, then the same claims in the translations (`source`: the
    msgid's words that make the claim the translation renders)."""
    document = {
        "passed": passed,
        "problems": [
            {
                "file": problem.file,
                "line": problem.line,
                "msgid": problem.msgid,
                "check": problem.check,
                "severity": problem.severity,
                "message": problem.message,
            }
            for problem in problems
        ],
        "source_claims": [
            {
                "file": found.file,
                "line": found.line,
                "text": found.text,
                "category": found.claim.category,
                "reason": found.claim.reason,
                "suggestion": found.claim.suggestion,
            }
            for found in source_claims
        ],
        "rendered_claims": [
            {
                "file": found.file,
                "line": found.line,
                "msgid": found.msgid,
                "text": found.text,
                "source": list(found.source),
                "category": found.claim.category,
                "reason": found.claim.reason,
                "suggestion": found.claim.suggestion,
            }
            for found in rendered_claims
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(problems: Iterable[Problem]) -> str:
    """One `::error file=…,line=…,title=…::message` workflow command per problem.

    >>> print(format_github([Problem("a,b.po", 3, "Hi", "urls", "warning", "50% off\\nnow")]))
    ::warning file=a%2Cb.po,line=3,title=urls::50%25 off%0Anow
    """
    return "\n".join(
        f"::{problem.severity} file={_escape_property(problem.file)},line={problem.line},"
        f"title={_escape_property(problem.check)}::{_escape_data(problem.message)}"
        for problem in problems
    )


def format_notices(
    source_claims: Iterable[PageClaim], rendered_claims: Iterable[RenderedClaim] = ()
) -> str:
    """The claims of the source pages, then their faithful renderings in the catalogs, as
    `::notice` annotations: shown on the diff, never failing a workflow, since they are the
    clinic's to decide."""
    title = _escape_property("claims (for the clinic)")
    return "\n".join(
        [
            f"::notice file={_escape_property(found.file)},line={found.line},title={title}::"
            + _escape_data(found.claim.describe(found.text))
            for found in source_claims
        ]
        + [
            f"::notice file={_escape_property(found.file)},line={found.line},title={title}::"
            + _escape_data(found.claim.describe(found.text, renders=found.source))
            for found in rendered_claims
        ]
    )


def _shorten(msgid: str) -> str:
    """The msgid as a one-line JSON string, cut to a readable length."""
    shown = msgid if len(msgid) <= _MSGID_SHOWN else msgid[: _MSGID_SHOWN - 1] + "…"
    return json.dumps(shown, ensure_ascii=False)


def format_text(problems: Iterable[Problem]) -> str:
    """`path:line: severity: [check] message (msgid: "…")`, one line per problem; a problem of
    the whole file (completeness, msgfmt) has no msgid to show."""
    return "\n".join(
        f"{problem.file}:{problem.line}: {problem.severity}: [{problem.check}] {problem.message}"
        + (f" (msgid: {_shorten(problem.msgid)})" if problem.msgid else "")
        for problem in problems
    )


def format_source_claims(source_claims: Iterable[PageClaim], *, language: str) -> str:
    """The claims of the source pages under a heading of their own, after the problems:
    `path:line: [claims] "text": category: reason Suggested: wording`."""
    lines = [
        f"{found.file}:{found.line}: [claims] {found.claim.describe(found.text)}"
        for found in source_claims
    ]
    heading = (
        f"for the clinic: claims in the {language} pages (the clinic decides; they fail no check)"
    )
    return "\n".join([heading, *lines]) if lines else ""


def format_rendered_claims(rendered_claims: Iterable[RenderedClaim], *, language: str) -> str:
    """The same claims in the translations, under a heading of their own after the source's:
    `catalog:line: [claims] "text" renders "source words": category: reason Suggested: …`."""
    lines = [
        f"{found.file}:{found.line}: [claims] "
        + found.claim.describe(found.text, renders=found.source)
        for found in rendered_claims
    ]
    heading = (
        "for the clinic: the same claims in the translations (faithful to the "
        f"{language}; the clinic decides; they fail no check)"
    )
    return "\n".join([heading, *lines]) if lines else ""
