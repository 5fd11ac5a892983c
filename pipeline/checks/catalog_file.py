"""The checks that read a catalog's file itself, not its messages: a byte order mark, and what
GNU `msgfmt --check` says (when gettext is installed)."""

from __future__ import annotations

import codecs
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Literal

from pipeline.checks.core import Problem

_MSGFMT_LINE_RE = re.compile(r"^(?P<file>.*?):(?P<line>\d+): (?P<message>.*)$")


def bom_problems(path: Path) -> list[Problem]:
    """A byte order mark: we read past it, GNU gettext does not (msgfmt calls it a syntax error)."""
    with open(path, "rb") as handle:
        if handle.read(len(codecs.BOM_UTF8)) != codecs.BOM_UTF8:
            return []
    message = "starts with a byte order mark, which GNU gettext rejects: run `update` to drop it"
    return [Problem(str(path), 1, "", "gettext", "error", message)]


def gettext_problems(path: Path) -> list[Problem]:
    """What `msgfmt --check` says of a catalog, when GNU gettext is installed."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        return []
    result = subprocess.run(
        [msgfmt, "--check-format", "--check-header", "-o", os.devnull, str(path)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
    )
    if result.returncode == 0 and not result.stderr.strip():
        return []
    problems = []
    for line in result.stderr.splitlines():
        match = _MSGFMT_LINE_RE.match(line)
        if match is None:
            continue
        severity: Literal["error", "warning"] = "error" if result.returncode else "warning"
        problems.append(
            Problem(
                str(path),
                int(match.group("line")),
                "",
                "gettext",
                severity,
                "msgfmt: " + match.group("message"),
            )
        )
    if result.returncode and not problems:
        problems.append(
            Problem(
                str(path),
                0,
                "",
                "gettext",
                "error",
                "msgfmt rejects the catalog: " + result.stderr.strip(),
            )
        )
    return problems
