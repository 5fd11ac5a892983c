"""File-system edges: finding pages, safe paths, atomic writes and the tree lock."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import itertools
import os
import stat
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
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
    return sorted(_walk(source))


def require_pages(source: Path) -> None:
    """Refuse a source directory that is missing or holds no page, before anything is locked or
    written: an empty one would pass as a site with nothing to translate. Stops at the first
    page, so it costs a listing of the top directory or so."""
    if not any(name.lower().endswith(PAGE_SUFFIXES) for name in _walk(source)):
        raise PipelineError(str(source), None, "no pages (.html, .htm) in the source directory")


def _walk(source: Path) -> Iterator[str]:
    """The files of `_source_files`, in the order they are found."""
    if not source.is_dir():
        raise PipelineError(str(source), None, "source directory not found")
    root = source.resolve()
    directories = [""]
    while directories:
        directory = directories.pop()
        try:
            entries = list(os.scandir(os.path.join(source, directory)))
        except OSError:
            continue  # as os.walk does: a directory that cannot be listed is passed over
        for entry in entries:
            if entry.name.startswith("."):
                continue
            relative = f"{directory}{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                directories.append(f"{relative}/")  # linked directories are not followed
            elif entry.is_symlink():
                target = Path(entry.path)
                if target.is_file() and target.resolve().is_relative_to(root):
                    yield relative
            elif entry.is_file(follow_symlinks=False):
                yield relative


def find_pages(source: Path) -> list[str]:
    """Relative paths (POSIX) of the pages under `source`, sorted."""
    return find_pages_and_assets(source)[0]


def find_pages_and_assets(source: Path) -> tuple[list[str], list[str]]:
    """The pages (as `find_pages`) and everything beside them (stylesheets, images, copied as
    they are into each locale), from one walk of the tree."""
    pages: list[str] = []
    assets: list[str] = []
    for name in _source_files(source):
        (pages if name.lower().endswith(PAGE_SUFFIXES) else assets).append(name)
    stems: dict[str, str] = {}
    for page in pages:
        stem = page_stem(page)
        if stem in stems:
            raise PipelineError(page, None, f"same catalog name as {stems[stem]}")
        stems[stem] = page
    return pages, assets


def page_stem(page: str) -> str:
    """`articles/x.html` → `articles/x`: the name of the page's template and catalogs."""
    for suffix in PAGE_SUFFIXES:
        if page.lower().endswith(suffix):
            return page[: -len(suffix)]
    return page


def inside(root: Path, relative: str) -> Path:
    """`root/relative`, refusing anything that would land outside `root`."""
    return Tree(root).path(relative)


def refuse_overlap(target: Path, role: str, *others: tuple[Path, str], advice: str) -> None:
    """Refuse `target`, a directory a command writes into (`role` names it: "the output"), when
    it is, is inside or holds one of `others` (each a directory and what it is): the command
    would read what it writes, or write and remove among what it reads. The message ends with
    `advice`: why that matters, and where to write instead."""
    mine = target.resolve()
    for other, what in others:
        theirs = other.resolve()
        if mine == theirs:
            relation = "is"
        elif mine.is_relative_to(theirs):
            relation = "is inside"
        elif theirs.is_relative_to(mine):
            relation = "holds"
        else:
            continue
        raise PipelineError(str(target), None, f"{role} {relation} {what} ({other}): {advice}")


class Tree:
    """A directory the pipeline reads or writes, handing out paths that stay inside it.

    One tree checks each of its directories once: a site has thousands of pages in a few
    directories. Keep one only as long as one command runs.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        base = os.path.normpath(root)
        self._base = base
        self._prefix = "" if base == "." else base.rstrip("/") + "/"
        #: Directories (relative) with no symbolic link on their way from the root.
        self._plain_directories: set[str] = set()
        #: The last directories `listed` read: {directory: {name: whether a plain file}}.
        self._listings: OrderedDict[str, dict[str, bool]] = OrderedDict()

    def path(self, relative: str) -> Path:
        """`root/relative`, refusing anything that would land outside `root`."""
        return Path(self.status(relative)[0])

    def name(self, relative: str) -> str:
        """`path` as a string, for the many paths that are only looked at (no Path made)."""
        return self.status(relative)[0]

    def joined(self, relative: str) -> str:
        """The name `status` gives `relative`, without looking at the disk: to compare with a
        name it gave before."""
        return self._prefix + "/".join(self._parts(relative))

    def listed(self, relative: str) -> tuple[str, bool]:
        """`name`, and whether something is there, from one listing of its directory (the last
        few are kept) rather than an lstat per file. A link or anything but a plain file goes
        through `status` and its checks."""
        parts = self._parts(relative)
        directory = "/".join(parts[:-1])
        if parts and self._plain(parts):
            listing = self._listings.get(directory)
            if listing is None:
                listing = self._listings[directory] = _plain_files(self._prefix + directory)
                if len(self._listings) > 16:
                    self._listings.popitem(last=False)
            if listing.get(parts[-1]) or parts[-1] not in listing:  # a plain file, or nothing
                return self._prefix + "/".join(parts), parts[-1] in listing
        name, status = self.status(relative)
        return name, status is not None

    def _parts(self, relative: str) -> list[str]:
        parts = [part for part in relative.split("/") if part not in ("", ".")]
        if relative.startswith("/") or ".." in parts:
            raise PipelineError(relative, None, f"path leaves {self.root}")
        return parts

    def _plain(self, parts: list[str]) -> bool:
        """Whether no directory on the way to `parts` is a symbolic link (checked once each)."""
        directory = "/".join(parts[:-1])
        if directory in self._plain_directories:
            return True
        current = self._base
        for part in parts[:-1]:
            current = os.path.join(current, part)
            if os.path.islink(current):
                return False
        self._plain_directories.add(directory)
        return True

    def status(self, relative: str) -> tuple[str, os.stat_result | None]:
        """`name`, and what `os.stat` says of it (None: nothing there), from the one lstat
        the link check makes anyway."""
        parts = self._parts(relative)
        if not parts:
            return self._base, None
        path = self._prefix + "/".join(parts)
        # Without `..`, only a symbolic link below the root can lead out: look for one first
        # (a few lstat calls), and resolve both paths only when there is one.
        if not self._plain(parts):
            self._refuse_if_outside(path)
            return path, _stat_or_none(path)
        try:
            status = os.lstat(path)
        except OSError:
            return path, None
        if stat.S_ISLNK(status.st_mode):
            self._refuse_if_outside(path)
            return path, _stat_or_none(path)
        return path, status

    def _refuse_if_outside(self, path: str) -> None:
        if not Path(path).resolve().is_relative_to(self.root.resolve()):
            raise PipelineError(str(path), None, f"path leads outside {self.root} (symbolic link)")


def _plain_files(directory: str) -> dict[str, bool]:
    """{name: whether it is a plain file (not a link)} of what is in `directory`, from its
    entries' types (no stat each); {} when it cannot be listed."""
    try:
        with os.scandir(directory or ".") as entries:
            return {entry.name: entry.is_file(follow_symlinks=False) for entry in entries}
    except OSError:
        return {}


def _stat_or_none(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def read_bytes(path: Path | str, *, limit: int | None = None) -> bytes:
    """The file's bytes; with `limit`, a larger file is refused before it is read."""
    try:
        return read_file(path, limit)
    except OSError as error:
        raise PipelineError(str(path), None, f"cannot read: {error.strerror}") from None


def read_file(path: Path | str, limit: int | None = None) -> bytes:
    """A whole file through the descriptor: `open()` would add a terminal check, two seeks and
    a second fstat to each of the tens of thousands of files a big site reads."""
    descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        size = os.fstat(descriptor).st_size
        if limit is not None and size > limit:
            raise PipelineError(
                str(path), None, f"file too large: {size:,} bytes, the limit is {limit:,}"
            )
        chunks = [os.read(descriptor, size + 1)]  # one more byte: the file may have grown
        while chunks[-1]:
            chunks.append(os.read(descriptor, max(size, 1 << 16)))
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def atomic_write(
    path: Path, data: bytes, *, durable: bool = True, size_there: int | None = None
) -> bool:
    """Write through a temporary file and a rename; skip when the bytes are already there.

    Readers and interrupted runs only ever see the old file or the new one. `durable` also
    flushes the bytes to disk before they replace a file (an fsync: half a millisecond here,
    far more on a slow disk), so the old file's content survives a power cut too: for
    catalogs, which hold a translator's work; not for what the pipeline can write again
    (templates, built pages), nor for a new file, which holds nothing to lose.

    `size_there` is the size of the file already there (-1: none), when the caller knows it: a
    file of another size is not read to be compared.
    """
    if size_there is None or size_there == len(data):
        try:
            if read_file(path) == data:
                return False
        except FileNotFoundError:
            size_there = -1
        except OSError as error:
            raise PipelineError(str(path), None, f"cannot read: {error.strerror}") from None
    with replacing(path) as descriptor:
        mode_there = None if size_there == -1 else _mode_there(path)
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
        if durable and mode_there is not None:
            os.fsync(descriptor)
        if mode_there is not None:  # the replaced file's mode is kept
            os.fchmod(descriptor, mode_there)
    return True


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[int]:
    """The descriptor of a new file beside `path`, renamed onto `path` when the block ends, so
    readers and interrupted runs see the old file or the new one; removed if the block fails.
    An OSError is bad output, naming `path`."""
    try:
        descriptor, temporary = create_temporary(path)
        try:
            try:
                yield descriptor
            finally:
                os.close(descriptor)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except OSError as error:
        raise PipelineError(str(path), None, f"cannot write: {error.strerror}") from None


def _mode_there(path: Path) -> int | None:
    """The permission bits of the file at `path`, or None when there is none."""
    try:
        return os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        return None


_temporary_numbers = itertools.count()


def create_temporary(path: Path) -> tuple[int, str]:
    """A new file beside `path`, to be renamed onto it: hidden, named by this process and a count,
    created exclusively (a name left by a killed run is skipped, never reused), with a new
    file's mode: 0o644, less the umask."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    made_directory = False
    while True:
        temporary = f"{path.parent}/.{path.name}.{os.getpid()}.{next(_temporary_numbers)}.tmp"
        try:
            return os.open(temporary, flags, 0o644), temporary
        except FileExistsError:
            continue
        except FileNotFoundError:
            if made_directory:
                raise
            path.parent.mkdir(parents=True, exist_ok=True)  # the directory is new
            made_directory = True


def remove(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def remove_and_prune(path: Path, root: Path) -> bool:
    """Remove `path`, then the directories between it and `root` that this leaves empty."""
    if not remove(path):
        return False
    for parent in path.parents:
        if parent == root:
            break
        try:
            parent.rmdir()  # only an empty directory goes
        except OSError:
            break
    return True


@contextlib.contextmanager
def tree_lock(
    directory: Path,
    *,
    wait_seconds: float = 30.0,
    waiting: Callable[[str], None] | None = None,
    if_writable: bool = False,
) -> Iterator[None]:
    """One writer at a time per tree: a second run says at once that it waits (to `waiting`),
    waits, then fails with a clear message. The holder's process id is in the lock file
    meanwhile, so the one waiting can name it. With `if_writable`, a tree that cannot be
    written is not locked: no run writes there (a read-only cache, which the build then does
    without)."""
    lock_path = directory / LOCK_NAME
    try:
        directory.mkdir(parents=True, exist_ok=True)
        # O_NOFOLLOW: a planted symbolic link must not make us create or open a file elsewhere.
        descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as error:
        if if_writable:
            yield
            return
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
                if waiting is not None:
                    holder = os.pread(handle.fileno(), 32, 0).strip()
                    pid = f", pid {holder.decode()}" if holder.isdigit() else ""
                    waiting(f"waiting for another run to finish ({lock_path}{pid})…")
                    waiting = None
                if time.monotonic() >= deadline:
                    raise PipelineError(
                        str(lock_path), None, "another pipeline run holds this lock; try again"
                    ) from None
                time.sleep(0.05)
        with contextlib.suppress(OSError):  # the process id only helps the one waiting
            os.ftruncate(handle.fileno(), 0)
            os.pwrite(handle.fileno(), f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(handle.fileno(), 0)
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def make_cache_directory(cache: Path, directory: Path) -> None:
    """`directory` inside the cache directory, which ignores itself in git (as pytest's does);
    made once per process (`atomic_write` makes it again if it goes away meanwhile). Raises
    OSError when the directory cannot be made, PipelineError when its .gitignore cannot be
    written."""
    made = os.path.abspath(directory)  # relative paths name another directory after a chdir
    if made in _made_cache_directories:
        return
    directory.mkdir(parents=True, exist_ok=True)
    ignore = cache / ".gitignore"
    if not ignore.exists():
        atomic_write(ignore, b"# Created by the translation pipeline.\n*\n", durable=False)
    _made_cache_directories.add(made)


_made_cache_directories: set[str] = set()


def signature(status: os.stat_result) -> str:
    """A file's device, inode, size and time: a file whose signature is unchanged is
    unchanged, if it was not changed in the instant it was recorded."""
    return f"{status.st_dev} {status.st_ino} {status.st_size} {status.st_mtime_ns}"


def signatures(paths: list[str]) -> tuple[bytes, int, bool]:
    """`path signature` lines of the files (`path -` for one that cannot be looked at), the
    newest time among them, and whether one is a symbolic link (the lines stop before it):
    what tells a no-op build that nothing changed, with a `stat` a file."""
    lines = []
    newest = 0
    link = False
    for path in paths:
        try:
            status = os.lstat(path)
        except OSError:
            lines.append(f"{path} -\n")
            continue
        if stat.S_ISLNK(status.st_mode):
            link = True
            break
        newest = max(newest, status.st_mtime_ns)
        lines.append(f"{path} {signature(status)}\n")
    return "".join(lines).encode(errors="surrogateescape"), newest, link
