"""Placeholders check: the build can only splice elements back if every placeholder survives."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.checks.core import Context
from pipeline.placeholders import structure_problems


def check_placeholders(msgid: str, msgstr: str, context: Context) -> Iterator[str]:
    yield from structure_problems(msgid, msgstr)
