"""How the build knows a file is unchanged without reading it, and a build with nothing to do.

A file's signature (device, inode, size, time) recorded with its digest vouches for the bytes,
under git's racy-clean rule: a file changed less than a clock tick before the recording run
started is read again. Outputs are not flushed one by one, so only a restart (a power cut) can
leave one emptied: until the machine restarts, an output that is there is the one written.
The stamp is one digest of everything a finished build read and one of what it left: when both
still hold, the next build reports the same and does nothing.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import files, page_cache, records
from pipeline.config import Settings
from pipeline.model import PipelineError
from pipeline.project import catalog_directory
from pipeline.shard import Shard

#: The layout of the build's records.
BUILD_VERSION = "5"
#: In the cache directory: each catalog's path, SHA-256 and file signature, the SHA-256 of the
#: page it was counted against, and the page's words it translates.
CATALOG_RECORDS = "catalogs.jsonl"
#: A file changed less than this before the run that recorded its digest started is read again
#: (git's racy-clean rule): a later change could keep its time, if it fell in the same tick of
#: the file system's clock. A time in whole seconds may come from a file system that keeps
#: seconds (two for FAT); any other from one whose clock ticks every few milliseconds.
_COARSE_TICK_NS = 2_000_000_000
_FINE_TICK_NS = 20_000_000
#: The code that reads a catalog, makes the page's template and counts its words: recorded
#: counts made by other code are not used.
COUNTING = page_cache.code_digest(
    *page_cache.SEGMENTING_MODULES,
    *("extract.py", "project.py", "pofile.py", "wrap.py", "status.py", "publication.py"),
).hex()


#: The code that makes a page's outputs from its bytes and catalogs: a page built by other code
#: is built again, so a change to a rule reaches every page.
BUILDING_MODULES = (
    *page_cache.SEGMENTING_MODULES,
    *("build.py", "site.py", "locale_codes.py", "project.py", "pofile.py", "wrap.py"),
    *("wrap_table.py", "config.py", "extract.py", "files.py", "page_cache.py", "incremental.py"),
)
BUILDING = page_cache.code_digest(*BUILDING_MODULES).hex()


@contextlib.contextmanager
def record_directory(cache: Path) -> Iterator[Path]:
    """Where the build keeps its records: the cache directory, or, when that cannot be written,
    a temporary directory for this run only (then the next build reads everything again)."""
    try:
        files.make_cache_directory(cache, cache)
        descriptor, probe = files.create_temporary(cache / CATALOG_RECORDS)
        os.close(descriptor)
        os.unlink(probe)
        writable = True
    except (OSError, PipelineError):  # PipelineError: its .gitignore could not be written
        writable = False
    if writable:
        yield cache
        return
    import tempfile

    with tempfile.TemporaryDirectory(prefix="pipeline-records-") as directory:
        yield Path(directory)


def catalog_record_fits(fields: list[Any] | None) -> bool:
    """Whether `fields` are a catalog's [path, sha, signature, page sha, words translated,
    words in all, percent, whether it is behind its page]."""
    return (
        fields is not None
        and len(fields) == 8
        and all(isinstance(field, str) for field in fields[:4])
        and all(isinstance(field, int) for field in fields[4:6])
        and isinstance(fields[6], (int, float))
        and isinstance(fields[7], bool)
    )


def settled(manifest_header: dict[str, Any]) -> bool:
    """Whether the outputs the manifest records were all written since this machine started.
    Built pages are not flushed to disk one by one, so only a power cut (then a restart) can
    leave one emptied: with no restart since, an output that is there is the one written."""
    written = manifest_header.get("written")
    booted = booted_at_ns()
    return isinstance(written, int) and booted is not None and written > booted


@functools.cache
def booted_at_ns() -> int | None:
    """When this machine started (Linux's /proc/stat), or None where that is not known."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            for line in stat:
                if line.startswith("btime "):
                    return int(line.split()[1]) * 1_000_000_000
    except (OSError, ValueError, IndexError):
        pass
    return None


def recording_started(reader: records.Reader) -> int:
    """When the run that wrote the records started (0: unknown, nothing is trusted)."""
    started = reader.header.get("started")
    return started if isinstance(started, int) else 0


def recorded_sha(
    fields: list[Any] | None, signature: str, status: os.stat_result, recording_started: int
) -> str | None:
    """The SHA-256 in `fields` ([sha, signature, …]), if the file is still what was hashed:
    its signature is the one recorded, and it was changed a tick before the recording run."""
    mtime = status.st_mtime_ns
    tick = _COARSE_TICK_NS if mtime % 1_000_000_000 == 0 else _FINE_TICK_NS
    if (
        fields
        and len(fields) >= 2
        and fields[1] == signature
        and isinstance(fields[0], str)
        and mtime < recording_started - tick
    ):
        return fields[0]
    return None


def stat(path: str) -> os.stat_result:
    try:
        return os.stat(path)
    except OSError as error:
        raise PipelineError(path, None, f"cannot read: {error.strerror}") from None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_or_none(path: str) -> str | None:
    """The file's SHA-256, or None when it cannot be read (its reader will say why)."""
    try:
        return sha256(files.read_bytes(path))
    except PipelineError:
        return None


# --- the build stamp -------------------------------------------------------------------------

#: `<cache>/stamp<shard>.json`: what a finished build read and left, as two digests.
STAMP_STEM = "stamp"


def input_digest(
    settings: Settings,
    locales: tuple[str, ...],
    counted: tuple[str, ...],
    all_pages: list[str],
    assets: list[str],
    min_percent: float,
    shard: Shard,
    started: int,
) -> str | None:
    """One digest of everything a build of `locales` reads: its settings, and the file
    signature of every page, asset and catalog of the `counted` locales (as the records hold
    them). None when a file is a link, or was changed too close to now for its signature to
    be trusted (git's rule, as `recorded_sha`)."""
    described = [
        BUILD_VERSION,
        BUILDING,
        COUNTING,
        [str(settings.source), str(settings.locales), str(settings.output), list(locales)],
        list(counted),
        [min_percent, settings.base_url, settings.date_format, settings.source_locale],
        [settings.default_encoding, shard.suffix],
    ]
    hasher = hashlib.sha256(json.dumps(described).encode())
    # The paths as os.path.join makes them, a prefix joined once (a no-op build of a big site
    # spends a third of its work making them).
    source = os.path.join(settings.source, "")
    paths = [source + name for name in (*all_pages, *assets)]
    stems = [files.page_stem(page) for page in all_pages]
    for locale in sorted(counted):
        catalogs = os.path.join(settings.locales, catalog_directory(locale))
        paths += [f"{catalogs}{stem}.po" for stem in stems]
    lines, newest, link = files.signatures(paths)
    if link or newest >= started - _COARSE_TICK_NS:
        return None
    hasher.update(lines)
    return hasher.hexdigest()


def output_digest(output: Path, watched: list[Path]) -> str:
    """The names of everything under the output directory: a build's outputs are there (an
    output emptied by a power cut is caught by `settled`, as in a build); and the signature
    of each `watched` file."""
    hasher = hashlib.sha256()
    for path in watched:
        try:
            hasher.update(f"{files.signature(os.lstat(path))}\n".encode())
        except OSError:
            hasher.update(b"-\n")
    for directory, subdirectories, names in os.walk(output):
        subdirectories.sort()
        listed = chr(0).join(sorted(names))
        hasher.update(f"{directory}\0{listed}\n".encode(errors="surrogateescape"))
    return hasher.hexdigest()


@dataclass(frozen=True, slots=True)
class Stamp:
    """What a finished build left and said: how many outputs, the pages it held back (as
    [locale, page, percent, reason] rows), its problems (as [path, line, message] rows) and
    how many catalogs were behind their pages; a build that does nothing says it again."""

    outputs: int
    held: tuple[tuple[str, str, float, str], ...]
    problems: tuple[tuple[str, int, str], ...]
    behind: int


def unchanged_build(
    stamp_path: Path, inputs: str, output: Path, watched: list[Path]
) -> Stamp | None:
    """The stamp of the last build, when nothing it read or left has changed since and the
    machine has not restarted since the manifest (`watched[0]`) was written; else None, and
    the build runs."""
    try:
        stamp = json.loads(files.read_file(stamp_path))
        held = tuple((str(lc), str(pg), float(pc), str(why)) for lc, pg, pc, why in stamp["held"])
        problems = tuple((str(path), int(line), str(why)) for path, line, why in stamp["problems"])
        behind = int(stamp["behind"])
        outputs = int(stamp["unchanged"])
        matches = stamp["inputs"] == inputs and stamp["outputs"] == output_digest(output, watched)
    except (OSError, ValueError, TypeError, KeyError, PipelineError):
        return None
    with records.Reader(watched[0]) as manifest:
        current = settled(manifest.header)
    return Stamp(outputs, held, problems, behind) if matches and current else None


def write_stamp(
    stamp_path: Path,
    inputs: str,
    output: Path,
    watched: list[Path],
    stamp: Stamp,
) -> None:
    """Note what this build read and left (a failure only costs the next build's speed)."""
    described = {
        "inputs": inputs,
        "outputs": output_digest(output, watched),
        "unchanged": stamp.outputs,
        "held": [list(row) for row in stamp.held],
        "problems": [list(row) for row in stamp.problems],
        "behind": stamp.behind,
    }
    with contextlib.suppress(OSError, PipelineError):
        files.atomic_write(stamp_path, json.dumps(described).encode(), durable=False)
