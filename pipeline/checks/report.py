"""Renderings of a list of problems: JSON for tools, GitHub annotations for CI, text for people.

Pure functions returning strings (no trailing newline); the CLI prints them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from pipeline.checks.core import Problem

_MSGID_SHOWN = 60


def problems_to_json(problems: Iterable[Problem], *, passed: bool) -> str:
    """`{"passed": bool, "problems": [{file, line, msgid, check, severity, message}, …]}`."""
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
