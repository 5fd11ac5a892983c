"""File-system edges: finding pages, safe paths, atomic writes and the tree lock."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from pipeline.model import PipelineError

PAGE_SUFFIXES = (".html", ".htm")
LOCK_NAME = ".pipeline.lock"
#: Larger pages are refused (exit 2) rather than parsed: a 50 MB page takes minutes and
#: gigabytes of memory, and no page of a clinic's site comes near this.
MAX_PAGE_BYTES = 16 * 1024 * 1024


def _source_files(source: Path) -> list[str]:
    """Relative paths (POSIX) of the files under `source`, sorted; hidden files and links out of
    the tree are skipped."""
    if not source.is_dir():
        raise PipelineError(str(source), None, "source directory not found")
    root = source.resolve()
    found: list[str] = []
    for directory, dirnames, filenames in os.walk(source):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            path = Path(directory, name)
            # os.walk does not follow linked directories: only a linked file can lead out.
            if name.startswith(".") or (
                path.is_symlink() and not path.resolve().is_relative_to(root)
            ):
                continue
            if path.is_file():
                found.append(path.relative_to(source).as_posix())
    found.sort()
    return found


def find_assets(source: Path) -> list[str]:
    """Everything beside the pages (stylesheets, images): copied as is into each locale."""
    return [f for f in _source_files(source) if not f.lower().endswith(PAGE_SUFFIXES)]


def find_pages(source: Path) -> list[str]:
    """Relative paths (POSIX) of the pages under `source`, sorted."""
    pages = [f for f in _source_files(source) if f.lower().endswith(PAGE_SUFFIXES)]
    stems: dict[str, str] = {}
    for page in pages:
        stem = page_stem(page)
        if stem in stems:
            raise PipelineError(page, None, f"same catalog name as {stems[stem]}")
        stems[stem] = page
    return pages


def page_stem(page: str) -> str:
    """`articles/x.html` → `articles/x`: the name of the page's template and catalogs."""
    for suffix in PAGE_SUFFIXES:
        if page.lower().endswith(suffix):
            return page[: -len(suffix)]
    return page


def inside(root: Path, relative: str) -> Path:
    """`root/relative`, refusing anything that would land outside `root`."""
    candidate = Path(relative)
    if candidate.is_absolute() or ".." in candidate.parts:
        raise PipelineError(relative, None, f"path leaves {root}")
    path = root / candidate
    # Without `..`, only a symbolic link below `root` can lead out: look for one first (a few
    # lstat calls), and resolve both paths only when there is one.
    current = os.fspath(root)
    for part in candidate.parts:
        current = os.path.join(current, part)
        if os.path.islink(current):
            break
    else:
        return path
    resolved_root = root.resolve()
    if not path.resolve().is_relative_to(resolved_root):
        raise PipelineError(str(path), None, f"path leads outside {root} (symbolic link)")
    return path


def read_bytes(path: Path, *, limit: int | None = None) -> bytes:
    """The file's bytes; with `limit`, a larger file is refused before it is read."""
    try:
        if limit is not None and (size := path.stat().st_size) > limit:
            raise PipelineError(
                str(path), None, f"file too large: {size:,} bytes, the limit is {limit:,}"
            )
        return path.read_bytes()
    except OSError as error:
        raise PipelineError(str(path), None, f"cannot read: {error.strerror}") from None


def atomic_write(path: Path, data: bytes) -> bool:
    """Write through a temporary file and a rename; skip when the bytes are already there."""
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    except OSError as error:
        raise PipelineError(str(path), None, f"cannot read: {error.strerror}") from None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            if path.exists():
                os.chmod(temporary, path.stat().st_mode & 0o777)
            else:
                os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except OSError as error:
        raise PipelineError(str(path), None, f"cannot write: {error.strerror}") from None
    return True


def remove(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


@contextlib.contextmanager
def tree_lock(directory: Path, *, wait_seconds: float = 30.0) -> Iterator[None]:
    """One writer at a time per tree: a second run waits, then fails with a clear message."""
    lock_path = directory / LOCK_NAME
    try:
        directory.mkdir(parents=True, exist_ok=True)
        # O_NOFOLLOW: a planted symbolic link must not make us create or open a file elsewhere.
        descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as error:
        raise PipelineError(str(lock_path), None, f"cannot lock: {error.strerror}") from None
    with os.fdopen(descriptor, "r+b") as handle:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise PipelineError(
                        str(lock_path), None, "another pipeline run holds this lock; try again"
                    ) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
