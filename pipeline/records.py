"""What a build remembers per page and per catalog, a line at a time.

A build needs, for every page, what the last build recorded (its digest, its outputs' sizes,
the page's and catalogs' SHA-256 with their file signatures), and writes the same for the next
one. Held in dicts, that grows with the site; here each file is JSON lines sorted by key: a
header line, then `[key, *fields]`. A `Reader` is asked for keys in increasing order and only
moves forward, a `Spool` takes records in increasing order, and `merge` joins spools into the
next file. Memory stays the same whatever the number of pages.

A damaged, reordered or foreign file reads as ending where the damage starts: the records after
it are misses, which cost only a rebuild or a re-read.
"""

from __future__ import annotations

import contextlib
import heapq
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from pipeline import files
from pipeline.model import PipelineError

#: The layout of the files; another value reads as no records at all.
FORMAT = 1
#: What a line may not be: JSON nested deeper than any record is (json would recurse).
_DAMAGE = (OSError, UnicodeError, ValueError, RecursionError)


class Reader:
    """The records of a file, looked up in increasing key order (`get`)."""

    def __init__(self, path: Path, *, expect: dict[str, Any] | None = None) -> None:
        """`expect`: header values the records depend on; a file made with others (for another
        output directory, say) reads as no records."""
        self.header: dict[str, Any] = {}
        #: The line of the record `get` returned last, to be kept as it is (`Spool.keep`).
        self.line = ""
        self._passed_over = False
        self._handle: IO[str] | None = None
        self._next: list[Any] | None = None
        self._next_line = ""
        try:
            handle = open(path, encoding="utf-8")  # noqa: SIM115 (closed by close())
        except OSError:
            return  # nothing recorded yet
        try:
            header = json.loads(handle.readline() or "null")
        except _DAMAGE:
            header = None
        if (
            not isinstance(header, dict)
            or header.get("format") != FORMAT
            or any(header.get(name) != value for name, value in (expect or {}).items())
        ):
            handle.close()
            self._passed_over = True  # damaged or foreign: the next file replaces it
            return
        self.header = header
        self._handle = handle
        self._advance()

    @property
    def stale(self) -> bool:
        """Whether a record was passed over without being asked for, is left unread, or the
        file is damaged: then the next file differs even if nothing new is added."""
        return self._passed_over or self._next is not None

    def get(self, key: Any) -> list[Any] | None:
        """The fields recorded under `key`, or None; keys must be asked in increasing order."""
        while self._next is not None and _before(self._next[0], key):
            self._passed_over = True
            self._advance()
        if self._next is None or self._next[0] != key:
            return None
        fields = self._next[1:]
        self.line = self._next_line
        self._advance()
        return fields

    def _advance(self) -> None:
        previous = self._next
        self._next = None
        if self._handle is None:
            return
        try:
            line = self._handle.readline()
        except _DAMAGE:
            line = "damaged"  # undecodable: what is left reads as damage
        record = _line_value(line)
        if not isinstance(record, list) or not record:
            self._passed_over = self._passed_over or bool(line)
            self._stop()
            return
        if previous is not None and not _before(previous[0], record[0]):
            self._passed_over = True  # out of order: what follows is not trusted
            self._stop()
            return
        self._next = record
        self._next_line = line

    def __iter__(self) -> Iterator[list[Any]]:
        """The records not asked for yet, keys included."""
        while self._next is not None:
            record = self._next
            self._advance()
            yield record

    def close(self) -> None:
        self._stop()

    def _stop(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def __enter__(self) -> Reader:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def _line_value(line: str) -> Any:
    """The line's JSON value, or None for a line that is not one (a line cut short, with no
    newline, is damage too: it would run into the next one).

    A big site's records are tens of thousands of lines, and `json.loads` a line was most of a
    no-op build: the decoder's scanner is called directly, and its value taken when it ends
    just before the line's newline (what `json.loads` would read too). Any other line (white
    space around the value, damage) goes to `_loaded`."""
    try:
        value, end = _scan(line, 0)
    except (StopIteration, *_DAMAGE):
        return _loaded(line)
    return value if end == len(line) - 1 and line.endswith("\n") else _loaded(line)


#: The decoder's scanner: (value, where it ends) of the JSON at an index, StopIteration if none.
_scan: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def _loaded(line: str) -> Any:
    """`_line_value` by `json.loads`, the reference."""
    if not line.endswith("\n"):
        return None
    try:
        return json.loads(line)
    except _DAMAGE:
        return None


def _before(first: Any, second: Any) -> bool:
    """Whether key `first` sorts before `second` (keys of another type never do)."""
    try:
        return bool(first < second)
    except TypeError:
        return False


class Spool:
    """Records written in increasing key order to a temporary file in `directory`."""

    def __init__(self, directory: Path) -> None:
        self.count = 0
        try:
            descriptor, self.temporary = files.create_temporary(directory / "records.jsonl")
        except OSError as error:
            raise PipelineError(str(directory), None, f"cannot write: {error.strerror}") from None
        try:
            self._handle = os.fdopen(descriptor, "w", encoding="utf-8")
        except BaseException:
            os.close(descriptor)
            os.unlink(self.temporary)
            raise

    def add(self, key: Any, *fields: Any) -> None:
        # ASCII JSON: any str, even a file name's lone surrogate, is written and read back.
        self._handle.write(json.dumps([key, *fields]) + "\n")
        self.count += 1

    def keep(self, line: str) -> None:
        """Add a record as `Reader.line` read it."""
        self._handle.write(line)
        self.count += 1

    def records(self) -> Iterator[list[Any]]:
        """What was added, in order (the spool is closed for writing)."""
        self._handle.close()
        with open(self.temporary, encoding="utf-8") as handle:
            for line in handle:
                yield json.loads(line)

    def discard(self) -> None:
        self._handle.close()
        with contextlib.suppress(OSError):
            os.unlink(self.temporary)

    def __enter__(self) -> Spool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.discard()


def merge(path: Path, header: dict[str, Any], *spools: Spool) -> None:
    """Replace `path` (through a temporary file and a rename) with the header and the spools'
    records merged in key order."""
    with (
        files.replacing(path) as descriptor,
        os.fdopen(descriptor, "w", encoding="utf-8", closefd=False) as handle,
    ):
        handle.write(json.dumps({**header, "format": FORMAT}) + "\n")
        for record in heapq.merge(*(spool.records() for spool in spools), key=_sort_key):
            handle.write(json.dumps(record) + "\n")


def _sort_key(record: list[Any]) -> Any:
    return record[0]
