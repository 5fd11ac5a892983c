"""The commands' data paths: read files, run the stages in order, write results atomically.

Stages (segments, extract, catalog, status, checks, build) are pure; this module is the edge
that knows where files live. `cli.py` only parses options, calls one function here and prints.
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import hashlib
import itertools
import json
import os
import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from pipeline import files, page_cache, records
from pipeline.catalog import MessageKey, merge, translation_memory
from pipeline.config import Settings
from pipeline.extract import template_for_page, template_text
from pipeline.html import decode_page
from pipeline.model import (
    Catalog,
    Message,
    PipelineError,
    Translations,
    translations_and_lines,
)
from pipeline.pofile import parse_po, render_po, rendered_entries
from pipeline.segments import PageSegments, collector_paused, segment_page
from pipeline.shard import Shard
from pipeline.workers import in_order

if TYPE_CHECKING:
    from pipeline.checks import Glossary, Problem
    from pipeline.site import SiteMap
    from pipeline.status import CatalogStatus

#: `<locales>/templates/<page>.pot`, as the command-line contract says.
TEMPLATES_DIR = "templates"
#: The default `--shard`: every page.
WHOLE_SITE = Shard()


@dataclass(frozen=True, slots=True)
class FileChange:
    """A file a command looked at, and whether it wrote it."""

    path: Path
    changed: bool


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a command wrote, and the inputs it had to leave alone (each named by file and line).

    One bad page or catalog does not stop the others: its own outputs stay as they were.
    """

    #: How many files the command looked at.
    looked_at: int
    #: The files it wrote (with `write=False`: would write), as strings: a site has thousands.
    changed: tuple[str, ...]
    errors: tuple[PipelineError, ...]

    @staticmethod
    def of(results: Iterable[FileChange | PipelineError]) -> Outcome:
        looked_at = 0
        changed: list[str] = []
        errors: list[PipelineError] = []
        for result in results:
            if isinstance(result, PipelineError):
                errors.append(result)
                continue
            looked_at += 1
            if result.changed:
                changed.append(str(result.path))
        return Outcome(looked_at, tuple(changed), tuple(errors))


def template_path(settings: Settings, page: str) -> Path:
    return files.inside(settings.locales, f"{TEMPLATES_DIR}/{files.page_stem(page)}.pot")


def catalog_path(settings: Settings, locale: str, page: str) -> Path:
    return files.inside(settings.locales, _catalog_name(locale, page))


def _catalog_name(locale: str, page: str) -> str:
    return f"{_catalog_directory(locale)}{files.page_stem(page)}.po"


def _catalog_directory(locale: str) -> str:
    """Where a locale's catalogs are, under the locales directory (with its final slash)."""
    return f"{locale}/LC_MESSAGES/"


def load_page(settings: Settings, page: str, *, remember: bool = True) -> PageSegments:
    """A page's segments, from the page cache when it has them; `remember` adds them to it."""
    path = files.inside(settings.source, page)
    data = files.read_bytes(path, limit=files.MAX_PAGE_BYTES)
    if not data.strip():
        # Most likely an interrupted copy; extracting it would make every translation obsolete.
        raise PipelineError(str(path), None, "empty page: no HTML to translate")
    source = decode_page(data, path=str(path), default_encoding=settings.default_encoding)
    cached = page_cache.load(settings.cache, page, source, settings.default_encoding)
    if cached is not None:
        return cached
    segmented = segment_page(source)
    if remember:
        page_cache.store(settings.cache, page, segmented, settings.default_encoding)
    return segmented


def page_template(settings: Settings, page: str, segmented: PageSegments) -> Catalog:
    return template_for_page(
        segmented, page_path=page, project=settings.project, source_locale=settings.source_locale
    )


def read_catalog(path: Path) -> Catalog | None:
    """The catalog at `path`, or None when there is none yet."""
    if not path.exists():
        return None
    return _parse_catalog(files.read_bytes(path), path)


def extract(
    settings: Settings, *, write: bool = True, jobs: int = 1, shard: Shard = WHOLE_SITE
) -> Outcome:
    """One template per page (of the shard); returns each template and whether it changed."""
    pages = shard.select(files.find_pages(settings.source))
    return Outcome.of(_parallel(_extract_page, (settings, write), pages, jobs))


def _extract_page(context: tuple[Settings, bool], page: str) -> FileChange:
    settings, write = context
    segmented = load_page(settings, page, remember=False)
    text = template_text(
        segmented, page_path=page, project=settings.project, source_locale=settings.source_locale
    )
    data = text.encode("utf-8")
    change = _put(template_path(settings, page), data, write, durable=False)
    if write:
        page_cache.store(settings.cache, page, segmented, settings.default_encoding, template=data)
    return change


def update(
    settings: Settings,
    locales: tuple[str, ...],
    *,
    write: bool = True,
    jobs: int = 1,
    shard: Shard = WHOLE_SITE,
) -> Outcome:
    """Merge every template (of the shard) into each locale's catalog, creating what is missing.

    The site memory comes from every catalog of the locale as it was before this update, shard
    or not; then each page is merged and written on its own, so no more than a page is held.
    """
    all_pages = files.find_pages(settings.source)
    pages = shard.select(all_pages)
    revision = _revision_date()

    def results() -> Iterator[FileChange | PipelineError]:
        for locale in locales:
            # Only catalogs that are there (none at a first run: then no workers to start).
            paths = [catalog_path(settings, locale, page) for page in all_pages]
            there = [path for path in paths if path.exists()]
            memory_sources, _ = _split(_parallel(_translated_only, None, there, jobs))
            memory = translation_memory(memory_sources)  # a bad catalog is reported by its page
            context = _UpdateContext(settings, locale, memory, revision, write)
            yield from _parallel(_update_page, context, pages, jobs)

    return Outcome.of(results())


@dataclass(frozen=True, slots=True)
class _UpdateContext:
    """What every page of a locale's update needs (sent once to each worker process)."""

    settings: Settings
    locale: str
    memory: Mapping[MessageKey, str]
    revision: str
    write: bool


def _translated_only(_: None, path: Path) -> Catalog:
    """The finished translations of a catalog (all the site memory needs), or none."""
    catalog = read_catalog(path)
    if catalog is None:
        return Catalog()
    return Catalog(
        messages=tuple(
            Message(m.msgid, m.msgstr, m.msgctxt)
            for m in catalog.messages
            if m.translated and m.msgid_plural is None
        )
    )


def _update_page(context: _UpdateContext, page: str) -> FileChange:
    settings, locale = context.settings, context.locale
    path = template_path(settings, page)
    if not path.exists():
        raise PipelineError(str(path), None, "template missing: run `extract` first")
    data = files.read_bytes(path)
    target = catalog_path(settings, locale, page)
    previous = read_catalog(target)
    # Entries the catalog keeps as the template has them are copied from the template's text,
    # when `extract` noted that this code wrote it.
    rendered_here = page_cache.rendered_here(settings.cache, page, data)
    first = previous is None and rendered_here and locale not in settings.pseudo_locales
    # A first catalog with no site memory to look up takes only the header from the parse: the
    # entries are copied as text. `rendered_here` vouches for the rest (these are the bytes
    # render_po wrote, header first), so the entries need no reading to be known sound.
    header_only = first and not context.memory
    template = _parse_catalog(data.partition(b"\n\n")[0] + b"\n" if header_only else data, path)
    if not template.header:  # every template `extract` writes has one
        raise PipelineError(str(path), None, "template empty or cut short: run `extract` again")
    if first and not any(m.key in context.memory for m in template.messages):
        text = _first_catalog_text(template, data.decode("utf-8-sig"), locale, context.revision)
        return _put(target, text.encode("utf-8"), context.write, durable=True)
    catalog = merge(
        template, previous, locale=locale, memory=context.memory, revision_date=context.revision
    )
    if locale in settings.pseudo_locales:
        from pipeline.pseudo import pseudo_catalog

        catalog = pseudo_catalog(catalog, locale=locale)
    known = rendered_entries(template, data.decode("utf-8-sig")) if rendered_here else None
    text = render_po(catalog, known=known)
    return _put(target, text.encode("utf-8"), context.write, durable=True)


def _first_catalog_text(template: Catalog, template_text: str, locale: str, revision: str) -> str:
    """`render_po(merge(template, None, ...))` for a page's first catalog in a locale whose
    site memory holds none of its texts, from the template's text (`render_po(template)`, as
    `extract` wrote it): merging into nothing keeps every entry as the template has it, so
    only the header is made anew (a third of `update`'s time on a first run)."""
    header = merge(
        replace(template, messages=()), None, locale=locale, memory={}, revision_date=revision
    )
    _, blank_line, entries = template_text.partition("\n\n")
    return f"{render_po(header)}\n{entries}" if blank_line else render_po(header)


def _put(path: Path, data: bytes, write: bool, *, durable: bool) -> FileChange:
    """Write `data` if it differs (or, without `write`, only tell whether it would)."""
    if write:
        return FileChange(path, files.atomic_write(path, data, durable=durable))
    return FileChange(path, not path.exists() or path.read_bytes() != data)


_Context = TypeVar("_Context")
_Job = TypeVar("_Job")
_Result = TypeVar("_Result")


def _parallel(
    work: Callable[[_Context, _Job], _Result],
    context: _Context,
    jobs_in: Iterable[_Job],
    jobs: int,
    *,
    count: int | None = None,
) -> Iterator[_Result | PipelineError]:
    """`work(context, job)` over the jobs in order: in this process, or in `jobs` workers.

    The workers are forked (`pipeline.workers`): they hold the context (settings, the site
    map, the site memory) from the start, and only jobs and results are sent. The jobs are taken
    as the workers need them and the results come back in the order of the jobs, whatever the
    number of workers, so the bytes written never depend on `--jobs`. `count` is how many jobs
    there are at most, when `jobs_in` is not a list. A job's bad input comes back as its error.
    """
    guarded = _Guarded(work, context)
    pending = iter(jobs_in)
    first = list(itertools.islice(pending, 2))  # one job or none: no workers to start
    if jobs <= 1 or len(first) < 2:
        yield from map(guarded, itertools.chain(first, pending))
        return
    total = count if count is not None else len(jobs_in) if isinstance(jobs_in, Sized) else 0
    workers = min(jobs, total) if total else jobs
    yield from in_order(guarded, itertools.chain(first, pending), workers, total=total)


def _parallel_pairs(
    work: Callable[[_Context, _Job], _Result],
    context: _Context,
    jobs_in: Iterable[_Job],
    jobs: int,
    *,
    count: int,
) -> Iterator[tuple[_Job, _Result | PipelineError]]:
    """`_parallel`, each result with its job; only the jobs in flight are held."""
    taken: deque[_Job] = deque()

    def remembered() -> Iterator[_Job]:
        for job in jobs_in:
            taken.append(job)
            yield job

    for result in _parallel(work, context, remembered(), jobs, count=count):
        yield taken.popleft(), result


@dataclass(frozen=True, slots=True)
class _Guarded(Generic[_Context, _Job, _Result]):
    """A job function and its context; bad input's error is returned, not raised."""

    work: Callable[[_Context, _Job], _Result]
    context: _Context

    def __call__(self, job: _Job) -> _Result | PipelineError:
        try:
            with collector_paused():  # a page's objects hold no cycles: reference counts free them
                return self.work(self.context, job)
        except PipelineError as error:
            return error


def _split(results: Iterable[_Result | PipelineError]) -> tuple[list[_Result], list[PipelineError]]:
    done: list[_Result] = []
    errors: list[PipelineError] = []
    for result in results:
        if isinstance(result, PipelineError):
            errors.append(result)
        else:
            done.append(result)
    return done, errors


def _revision_date() -> str:
    """Now, or SOURCE_DATE_EPOCH for reproducible builds, in gettext's header format."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    stamp = time.gmtime(int(epoch)) if epoch and epoch.isdigit() else time.gmtime()
    return time.strftime("%Y-%m-%d %H:%M+0000", stamp)


def catalogs_of(
    settings: Settings, locales: tuple[str, ...], pages: list[str] | None = None
) -> Iterator[tuple[str, str, Path]]:
    """(locale, page, catalog path) for every page (or the pages given) and locale."""
    if pages is None:
        pages = files.find_pages(settings.source)
    for locale in locales:
        tree = files.Tree(settings.locales)
        yield from ((locale, page, tree.path(_catalog_name(locale, page))) for page in pages)


# --- build -----------------------------------------------------------------------------------

BUILD_VERSION = "4"
#: `<output>/.pipeline-build.jsonl`, or `.pipeline-build-K-of-N.jsonl` for `--shard K/N`: each
#: page's digest and its outputs' sizes.
MANIFEST_STEM = ".pipeline-build"
#: In the cache directory: each catalog's path, SHA-256, file signature and words.
CATALOG_RECORDS = "catalogs.jsonl"
#: In the cache directory: each page's SHA-256 and file signature (`pages-K-of-N.jsonl` for a
#: shard).
PAGE_RECORDS_STEM = "pages"
#: A file changed less than this before the run that recorded its digest started is read again
#: (git's racy-clean rule): a later change could keep its time, if it fell in the same tick of
#: the file system's clock. A time in whole seconds may come from a file system that keeps
#: seconds (two for FAT); any other from one whose clock ticks every few milliseconds.
_COARSE_TICK_NS = 2_000_000_000
_FINE_TICK_NS = 20_000_000
#: The code that counts a catalog's words: recorded counts made by other code are not used.
_COUNTING = page_cache.code_digest("status.py", "model.py", "pofile.py").hex()


@dataclass(frozen=True, slots=True)
class HeldBack:
    locale: str
    page: str
    percent: float
    reason: str


@dataclass(frozen=True, slots=True)
class Located:
    """A problem at a place: `path:line: message`."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class BuildReport:
    #: How many outputs were written.
    written: int
    #: How many outputs were already as they should be.
    unchanged: int
    removed: tuple[Path, ...]
    held_back: tuple[HeldBack, ...]
    problems: tuple[Located, ...]
    #: Pages and catalogs that could not be read: their outputs were left as they were.
    errors: tuple[PipelineError, ...] = ()


@dataclass(frozen=True, slots=True)
class _PageJob:
    """One page to build in every locale it is published in (picklable for worker processes)."""

    page: str
    #: (locale, catalog path, its SHA-256) for each published translation.
    catalogs: tuple[tuple[str, str, str], ...]
    #: (path, size of the file there: -1 for none, None when not looked at) of each output,
    #: the source locale's first; the paths were checked by the parent's output tree.
    outputs: tuple[tuple[str, int | None], ...]
    #: What the manifest records once the page is built; what it recorded before (kept if the
    #: build fails).
    digest: str
    recorded: list[Any] | None


@dataclass(frozen=True, slots=True)
class _PageResult:
    page: str
    #: (path, size, whether it was written) of each output, the source locale's first: the
    #: worker writes them, so page bytes never travel back to the parent.
    outputs: tuple[tuple[str, int, bool], ...]
    problems: tuple[Located, ...]


@dataclass(frozen=True, slots=True)
class _Publication:
    """Which pages each locale publishes, from every catalog's words."""

    published: dict[str, frozenset[str]]
    held: list[HeldBack]
    errors: list[PipelineError]


def build(
    settings: Settings,
    locales: tuple[str, ...],
    *,
    min_percent: float,
    jobs: int,
    progress: Callable[[int, int], None] | None = None,
    shard: Shard = WHOLE_SITE,
    on_written: Callable[[str], None] | None = None,
) -> BuildReport:
    """Write `<output>/<locale>/<page>` for the source locale and every published translation.

    Incremental: a page whose digest (its bytes, its catalogs' bytes, the site map) is the one
    in the manifest, and whose outputs are there with the sizes recorded, is not rebuilt. Which
    pages are published comes from every catalog, shard or not; a catalog's words are recorded
    with its SHA-256 and file signature, so an unchanged catalog is not read again. What is
    recorded is read and written a line at a time (`records`): the build holds no more per
    page than the site map.
    """
    if settings.output.resolve().is_relative_to(settings.source.resolve()):
        raise PipelineError(
            str(settings.output),
            None,
            f"the output is inside the source directory {settings.source}: the next run would "
            "read the built pages as English ones; build somewhere else (--output)",
        )
    all_pages, assets = files.find_pages_and_assets(settings.source)
    locales = tuple(dict.fromkeys(locales))  # `-l ja -l ja` builds ja once
    with _record_directory(settings.cache) as record_directory:
        return _build(
            settings,
            locales,
            all_pages,
            assets,
            record_directory,
            min_percent,
            jobs,
            progress,
            shard,
            on_written,
        )


def _build(
    settings: Settings,
    locales: tuple[str, ...],
    all_pages: list[str],
    assets: list[str],
    record_directory: Path,
    min_percent: float,
    jobs: int,
    progress: Callable[[int, int], None] | None,
    shard: Shard,
    on_written: Callable[[str], None] | None,
) -> BuildReport:
    """`build`, with its records in `record_directory`: first which pages each locale
    publishes, then every page that changed, the manifest written last."""
    pages = shard.select(all_pages)
    output_tree = files.Tree(settings.output)
    catalog_tree = files.Tree(settings.locales)
    started = time.time_ns()
    manifest_path = settings.output / f"{MANIFEST_STEM}{shard.suffix}.jsonl"
    stamp_path = record_directory / f"{STAMP_STEM}{shard.suffix}.json"
    # Files whose signature the stamp holds, besides the names: the manifest, which a build
    # that wrote pages changed, and the copied assets, which a build would copy again.
    watched = [manifest_path] + [
        settings.output / locale / asset
        for asset in shard.select(assets)
        for locale in (settings.source_locale, *locales)
    ]
    inputs = _input_digest(settings, locales, all_pages, assets, min_percent, shard, started)
    if inputs is not None:
        unchanged_build = _unchanged_build(stamp_path, inputs, settings.output, watched)
        if unchanged_build is not None:
            return unchanged_build
    with contextlib.suppress(OSError):
        files.remove(stamp_path)  # this build decides anew; a failed one leaves no stamp
    publication = _publish(
        settings, locales, all_pages, min_percent, jobs, started, record_directory
    )
    if publication.errors:  # which pages are published depends on every catalog: write nothing
        return BuildReport(0, 0, (), (), (), tuple(publication.errors))
    held = [h for h in publication.held if shard.holds(h.page)]
    published = {settings.source_locale: frozenset(all_pages)}
    published.update((loc, p) for loc, p in publication.published.items() if p)
    from pipeline.site import SiteMap

    site = SiteMap(settings.source_locale, published, settings.base_url, settings.date_format)
    site_digest = _site_digest(settings, site)
    ordered = sorted(locales)
    written = unchanged = 0
    problems: list[Located] = []
    errors: list[PipelineError] = []
    pages_path = record_directory / f"{PAGE_RECORDS_STEM}{shard.suffix}.jsonl"
    with (
        records.Reader(manifest_path) as old_manifest,
        records.Reader(pages_path) as old_pages,
        records.Reader(record_directory / CATALOG_RECORDS) as catalog_records,
        records.Spool(record_directory) as kept,
        records.Spool(record_directory) as rebuilt,
        records.Spool(record_directory) as page_records,
    ):
        pages_recorded = _recording_started(old_pages)
        pages_read = 0
        settled = _settled(old_manifest.header)

        def todo() -> Iterator[_PageJob]:
            """The pages to build; each page that is up to date is recorded as it is."""
            nonlocal unchanged, pages_read
            for page in pages:
                translations: dict[str, tuple[str, str]] = {}
                for locale in ordered:
                    record = catalog_records.get([page, locale])
                    if page not in published.get(locale, ()):
                        continue
                    expected = catalog_tree.joined(_catalog_name(locale, page))
                    if record is None or not _catalog_record_fits(record) or record[0] != expected:
                        raise PipelineError(
                            str(record_directory / CATALOG_RECORDS),
                            None,
                            "changed by another run during the build: build again",
                        )
                    translations[locale] = (record[0], record[1])
                relatives = [f"{loc}/{page}" for loc in (settings.source_locale, *translations)]
                outputs: list[tuple[str, int | None]]
                if settled:  # their presence is enough: one listing per directory
                    present = [output_tree.listed(relative) for relative in relatives]
                    outputs = [(name, None if there else -1) for name, there in present]
                else:
                    # Their sizes too: a page emptied by a power cut does not pass for built.
                    checked = [output_tree.status(relative) for relative in relatives]
                    outputs = [(name, _size(status)) for name, status in checked]
                path = os.path.join(settings.source, page)  # a page `find_pages` found
                status = _stat(path)
                signature = files.signature(status)
                sha = _recorded_sha(old_pages.get(page), signature, status, pages_recorded)
                if sha is None:
                    sha = _sha256(files.read_bytes(path))
                    pages_read += 1
                    page_records.add(page, sha, signature)
                else:
                    page_records.keep(old_pages.line)
                digest = _digest(sha, site_digest, [translations.get(loc) for loc in locales])
                recorded = old_manifest.get(page)
                if (
                    recorded
                    and recorded[0] == digest
                    and len(recorded) == len(outputs) + 1
                    and all(
                        size != -1 if settled else size == recorded_size
                        for (_, size), recorded_size in zip(outputs, recorded[1:], strict=True)
                    )
                ):
                    kept.keep(old_manifest.line)
                    unchanged += len(outputs)
                    if progress:
                        progress(1, len(pages))
                    continue
                catalogs = tuple((loc, *translations[loc]) for loc in translations)
                yield _PageJob(page, catalogs, tuple(outputs), digest, recorded)

        results = _parallel_pairs(_build_page, (settings, site), todo(), jobs, count=len(pages))
        kept_after_failure = 0
        for job, result in results:
            if progress:
                progress(1, len(pages))
            if isinstance(result, PipelineError):
                errors.append(result)
                # As it was: the new digest is not recorded, so the page is built again.
                if job.recorded:
                    rebuilt.add(job.page, *job.recorded)
                    kept_after_failure += 1
                continue
            for name, _, was_written in result.outputs:
                if was_written:
                    written += 1
                    if on_written:
                        on_written(name)
                else:
                    unchanged += 1
            rebuilt.add(job.page, job.digest, *(size for _, size, _ in result.outputs))
            problems.extend(result.problems)
        # Only pages built anew change the manifest: a page that failed keeps its old record.
        # Once after a restart, it also records that every output was checked since.
        if (
            rebuilt.count > kept_after_failure
            or old_manifest.stale
            or not manifest_path.exists()
            or (not settled and not errors and _booted_at_ns() is not None)
        ):
            records.merge(manifest_path, {"written": time.time_ns()}, kept, rebuilt)
        if pages_read or old_pages.stale:
            with contextlib.suppress(PipelineError):  # a cache: a failure only costs speed
                records.merge(pages_path, {"started": started}, page_records)
    for asset in shard.select(assets):
        data = files.read_bytes(files.inside(settings.source, asset))
        for locale in (settings.source_locale, *locales):
            files.atomic_write(output_tree.path(f"{locale}/{asset}"), data, durable=False)
    removed = [path for h in held if files.remove(path := output_tree.path(f"{h.locale}/{h.page}"))]
    # What builds before BUILD_VERSION 4 kept.
    for legacy in (
        settings.output / f"{MANIFEST_STEM}{shard.suffix}.json",
        settings.output / ".pipeline-status.json",
        settings.cache / "digests.json",
    ):
        with contextlib.suppress(OSError):
            files.remove(legacy)
    report = (tuple(removed), tuple(held), tuple(problems), tuple(errors))
    if inputs is not None and not errors:
        _write_stamp(stamp_path, inputs, settings.output, watched, written + unchanged, held)
    return BuildReport(written, unchanged, *report)


# --- the build stamp: a build with nothing to do, seen at once -------------------------------

#: `<cache>/stamp<shard>.json`: what a finished build read and left, as two digests.
STAMP_STEM = "stamp"


def _input_digest(
    settings: Settings,
    locales: tuple[str, ...],
    all_pages: list[str],
    assets: list[str],
    min_percent: float,
    shard: Shard,
    started: int,
) -> str | None:
    """One digest of everything a build reads: its settings, and the file signature of every
    page, catalog and asset (as the records hold them). None when a file is a link, or was
    changed too close to now for its signature to be trusted (git's rule, as `_recorded_sha`)."""
    described = [
        BUILD_VERSION,
        _COUNTING,
        [str(settings.source), str(settings.locales), str(settings.output), list(locales)],
        [min_percent, settings.base_url, settings.date_format, settings.source_locale],
        [settings.default_encoding, shard.suffix],
    ]
    hasher = hashlib.sha256(json.dumps(described).encode())
    # The paths as os.path.join makes them, a prefix joined once (a no-op build of a big site
    # spends a third of its work making them).
    source = os.path.join(settings.source, "")
    paths = [source + name for name in (*all_pages, *assets)]
    stems = [files.page_stem(page) for page in all_pages]
    for locale in sorted(locales):
        catalogs = os.path.join(settings.locales, _catalog_directory(locale))
        paths += [f"{catalogs}{stem}.po" for stem in stems]
    lines, newest, link = files.signatures(paths)
    if link or newest >= started - _COARSE_TICK_NS:
        return None
    hasher.update(lines)
    return hasher.hexdigest()


def _output_digest(output: Path, watched: list[Path]) -> str:
    """The names of everything under the output directory: a build's outputs are there (an
    output emptied by a power cut is caught by `_settled`, as in a build); and the signature
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


def _unchanged_build(
    stamp_path: Path, inputs: str, output: Path, watched: list[Path]
) -> BuildReport | None:
    """The report of the build the stamp describes, when nothing it read or left has changed
    since and the machine has not restarted since the manifest (`watched[0]`) was written;
    else None, and the build runs."""
    try:
        stamp = json.loads(files.read_file(stamp_path))
        held = tuple(HeldBack(*fields) for fields in stamp["held"])
        unchanged = int(stamp["unchanged"])
        matches = stamp["inputs"] == inputs and stamp["outputs"] == _output_digest(output, watched)
    except (OSError, ValueError, TypeError, KeyError, PipelineError):
        return None
    with records.Reader(watched[0]) as manifest:
        settled = _settled(manifest.header)
    return BuildReport(0, unchanged, (), held, ()) if matches and settled else None


def _write_stamp(
    stamp_path: Path,
    inputs: str,
    output: Path,
    watched: list[Path],
    outputs: int,
    held: list[HeldBack],
) -> None:
    """Note what this build read and left (a failure only costs the next build's speed)."""
    stamp = {
        "inputs": inputs,
        "outputs": _output_digest(output, watched),
        "unchanged": outputs,
        "held": [[h.locale, h.page, h.percent, h.reason] for h in held],
    }
    with contextlib.suppress(OSError, PipelineError):
        files.atomic_write(stamp_path, json.dumps(stamp).encode(), durable=False)


def _publish(
    settings: Settings,
    locales: tuple[str, ...],
    all_pages: list[str],
    min_percent: float,
    jobs: int,
    started: int,
    record_directory: Path,
) -> _Publication:
    """Each catalog's words (recorded, or counted in parallel and recorded), and what they
    publish: a locale's page is published when its catalog reaches `min_percent`."""
    ordered = sorted(locales)
    catalog_tree = files.Tree(settings.locales)
    published: dict[str, set[str]] = {locale: set() for locale in locales}
    held: list[HeldBack] = []
    errors: list[PipelineError] = []
    record_path = record_directory / CATALOG_RECORDS

    def judge(locale: str, page: str, translated: int, total: int, percent: float) -> None:
        if not _reaches(translated, total, min_percent):
            held.append(HeldBack(locale, page, percent, f"{percent:.1f} % < {min_percent:g} %"))
        else:
            published[locale].add(page)

    with (
        records.Reader(record_path) as old,
        records.Spool(record_directory) as kept,
        records.Spool(record_directory) as counted,
    ):
        trust = _recording_started(old) if old.header.get("counting") == _COUNTING else 0
        verified = 0  # records whose file was read again and found the same

        def unknown() -> Iterator[tuple[str, str, str, str]]:
            """(catalog path, page, locale, file signature) of each catalog to read; the
            others are judged and recorded as they are."""
            nonlocal verified
            for page in all_pages:
                for locale in ordered:
                    name, status = catalog_tree.status(_catalog_name(locale, page))
                    record = old.get([page, locale])
                    if status is None:
                        held.append(HeldBack(locale, page, 0.0, f"no catalog {name}"))
                        continue
                    signature = files.signature(status)
                    if record is not None and not (
                        _catalog_record_fits(record) and record[0] == name and trust
                    ):
                        record = None  # another layout, tree or way of counting
                    if record is not None and _recorded_sha(record[1:], signature, status, trust):
                        kept.keep(old.line)
                        judge(locale, page, *record[3:6])
                    elif record is not None and _sha256_or_none(name) == record[1]:
                        # The bytes recorded (only the signature moved, or the record was made
                        # in the instant the file changed): hashed here, not parsed again.
                        kept.add([page, locale], name, record[1], signature, *record[3:6])
                        judge(locale, page, *record[3:6])
                        verified += 1
                    else:
                        yield name, page, locale, signature

        count = len(all_pages) * len(locales)
        for job, words in _parallel_pairs(_catalog_words, None, unknown(), jobs, count=count):
            if isinstance(words, PipelineError):
                errors.append(words)
                continue
            name, page, locale, signature = job
            counted.add([page, locale], name, words[0], signature, *words[1:])
            judge(locale, page, *words[1:])
        if not errors and (counted.count or verified or old.stale or not record_path.exists()):
            # Not only a cache: the pages are built from these records (a failure is an error).
            records.merge(record_path, {"started": started, "counting": _COUNTING}, kept, counted)
    rank = {locale: index for index, locale in enumerate(locales)}
    held.sort(key=lambda h: (rank[h.locale], h.page))
    return _Publication({k: frozenset(v) for k, v in published.items()}, held, errors)


@contextlib.contextmanager
def _record_directory(cache: Path) -> Iterator[Path]:
    """Where the build keeps its records: the cache directory, or, when that cannot be written,
    a temporary directory for this run only (then the next build reads everything again)."""
    try:
        files.make_cache_directory(cache, cache)
        descriptor, probe = files.create_temporary(cache / CATALOG_RECORDS)
        os.close(descriptor)
        os.unlink(probe)
        writable = True
    except OSError:
        writable = False
    if writable:
        yield cache
        return
    import tempfile

    with tempfile.TemporaryDirectory(prefix="pipeline-records-") as directory:
        yield Path(directory)


def _catalog_record_fits(fields: list[Any] | None) -> bool:
    """Whether `fields` are a catalog's [path, sha, signature, translated, total, percent]."""
    return (
        fields is not None
        and len(fields) == 6
        and all(isinstance(field, str) for field in fields[:3])
        and all(isinstance(field, int) for field in fields[3:5])
        and isinstance(fields[5], (int, float))
    )


def _settled(manifest_header: dict[str, Any]) -> bool:
    """Whether the outputs the manifest records were all written since this machine started.
    Built pages are not flushed to disk one by one, so only a power cut (then a restart) can
    leave one emptied: with no restart since, an output that is there is the one written."""
    written = manifest_header.get("written")
    booted = _booted_at_ns()
    return isinstance(written, int) and booted is not None and written > booted


@functools.cache
def _booted_at_ns() -> int | None:
    """When this machine started (Linux's /proc/stat), or None where that is not known."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            for line in stat:
                if line.startswith("btime "):
                    return int(line.split()[1]) * 1_000_000_000
    except (OSError, ValueError, IndexError):
        pass
    return None


def _recording_started(reader: records.Reader) -> int:
    """When the run that wrote the records started (0: unknown, nothing is trusted)."""
    started = reader.header.get("started")
    return started if isinstance(started, int) else 0


def _recorded_sha(
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


def _stat(path: str) -> os.stat_result:
    try:
        return os.stat(path)
    except OSError as error:
        raise PipelineError(path, None, f"cannot read: {error.strerror}") from None


def _parse_catalog(data: bytes, path: Path) -> Catalog:
    """A catalog from its bytes, with `read_catalog`'s checks."""
    return parse_po(_catalog_text(data, path), path=str(path))


def _catalog_text(data: bytes, path: Path) -> str:
    if b"\x00" in data:
        raise PipelineError(str(path), None, "binary file: not a gettext catalog")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise PipelineError(str(path), line, "invalid UTF-8") from None


def _translations(path: str) -> Translations:
    """What building a page needs of its catalog, read again by the worker that builds it:
    reading a catalog costs less than a file that would hand it over from the counting pass."""
    if not os.path.exists(path):
        raise PipelineError(path, None, "catalog disappeared during the build")
    text = _catalog_text(files.read_bytes(Path(path)), Path(path))
    return translations_and_lines(parse_po(text, path=path))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sha256_or_none(path: str) -> str | None:
    """The file's SHA-256, or None when it cannot be read (its reader will say why)."""
    try:
        return _sha256(files.read_bytes(path))
    except PipelineError:
        return None


def _catalog_words(_: None, job: tuple[str, str, str, str]) -> list[Any]:
    """[SHA-256, words translated, words in all, percent] of a catalog, for the records."""
    from pipeline.status import word_progress

    path = Path(job[0])
    data = files.read_bytes(path)
    catalog = parse_po(_catalog_text(data, path), path=str(path))
    return [_sha256(data), *word_progress(catalog)]


def _reaches(translated: int, total: int, min_percent: float) -> bool:
    """Whether a catalog with these words translated is published at `min_percent`."""
    return translated * 100 >= min_percent * total


def _site_digest(settings: Settings, site: SiteMap) -> bytes:
    """What every page's outputs depend on besides its own files: computed once per build."""
    described = {
        "published": {k: sorted(v) for k, v in sorted(site.published.items())},
        "base_url": site.base_url,
        "date_format": site.date_format,
        "source_locale": site.source_locale,
        "default_encoding": settings.default_encoding,
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).digest()


def _digest(page_sha: str, site_digest: bytes, catalogs: list[tuple[str, str] | None]) -> str:
    """What a page's outputs depend on: its bytes, its catalogs' digests, the site's digest."""
    hasher = hashlib.sha256(BUILD_VERSION.encode())
    hasher.update(page_sha.encode())
    for entry in catalogs:
        hasher.update(b"-" if entry is None else entry[1].encode())
    hasher.update(site_digest)
    return hasher.hexdigest()


def _size(status: os.stat_result | None) -> int:
    """The file's size, or -1 when there is none."""
    return -1 if status is None else status.st_size


def _build_page(context: tuple[Settings, SiteMap], job: _PageJob) -> _PageResult:
    from pipeline.build import assemble, translate_page
    from pipeline.site import site_edits

    (settings, site), page = context, job.page
    segments = load_page(settings, page)
    source_edits = site_edits(segments, path=page, locale=settings.source_locale, site=site)
    built = [assemble(segments, list(source_edits))]
    problems: list[Located] = []
    for locale, path, _ in job.catalogs:
        translations, lines = _translations(path)
        edits = site_edits(segments, path=page, locale=locale, site=site)
        result = translate_page(segments, translations, site_edits=edits)
        built.append(result.data)
        for problem in result.problems:
            problems.append(
                Located(
                    path,
                    lines.get((problem.msgctxt, problem.msgid), 0),
                    f"not built ({page}:{problem.line} keeps the English): {problem.message}",
                )
            )
    outputs = []
    for data, (name, size_there) in zip(built, job.outputs, strict=True):
        written = files.atomic_write(Path(name), data, durable=False, size_there=size_there)
        outputs.append((name, len(data), written))
    return _PageResult(page, tuple(outputs), tuple(problems))


# --- status and check ------------------------------------------------------------------------


def status(
    settings: Settings, locales: tuple[str, ...], *, dashboard: Path | None = None
) -> list[CatalogStatus]:
    """One row per page and locale; a missing catalog counts as all untranslated and stale."""
    from pipeline.status import catalog_status

    rows = []
    templates: dict[str, tuple[Catalog, bool]] = {}
    for locale, page, path in catalogs_of(settings, locales):
        if page not in templates:
            templates[page] = _template_state(settings, page)
        template, template_stale = templates[page]
        catalog = read_catalog(path)
        behind = catalog is None or {m.key for m in catalog.active} != {
            m.key for m in template.messages
        }
        built = files.inside(settings.output, f"{locale}/{page}")
        url = None
        if dashboard is not None and built.exists():
            url = Path(os.path.relpath(built, dashboard.parent)).as_posix()
        rows.append(
            catalog_status(
                catalog if catalog is not None else template,
                locale=locale,
                catalog_path=path.relative_to(settings.locales).as_posix(),
                source_path=page,
                stale=template_stale or behind,
                page_url=url,
            )
        )
    return rows


def _template_state(settings: Settings, page: str) -> tuple[Catalog, bool]:
    """The page's current template, and whether the .pot on disk lags behind the page."""
    fresh = page_template(settings, page, load_page(settings, page, remember=False))
    path = template_path(settings, page)
    stale = not path.exists() or files.read_bytes(path) != render_po(fresh).encode("utf-8")
    return fresh, stale


@dataclass(frozen=True, slots=True)
class CheckReport:
    problems: tuple[Problem, ...]
    #: Catalogs that could not be read at all (exit 2).
    unreadable: bool


def check(
    settings: Settings, locales: tuple[str, ...], *, min_percent: float | None
) -> CheckReport:
    """Every problem of every catalog; unreadable catalogs are problems too."""
    # Imported here: the checks are the `check` command's alone, and every other command
    # starts faster without them (a no-op build is mostly start-up).
    from pipeline.checks import Problem, check_catalog
    from pipeline.checks.origin import check_origin
    from pipeline.status import catalog_status

    problems: list[Problem] = []
    unreadable = False
    glossaries = {locale: _glossary(settings, locale) for locale in locales}
    for locale, page, path in catalogs_of(settings, locales):
        shown = str(path)
        try:
            catalog = read_catalog(path)
        except PipelineError as error:
            unreadable = True
            problems.append(Problem(shown, error.line or 0, "", "gettext", "error", error.message))
            continue
        if catalog is None:
            problems.append(
                Problem(shown, 0, "", "missing", "error", f"no catalog for {page}: run `update`")
            )
            continue
        problems.extend(check_origin(catalog, page=page, path=shown))
        problems.extend(_bom_problems(path) or _gettext_problems(path))
        problems.extend(
            check_catalog(catalog, path=shown, locale=locale, glossary=glossaries[locale])
        )
        if min_percent is not None:
            row = catalog_status(
                catalog, locale=locale, catalog_path="", source_path=page, stale=False
            )
            if row.words_translated * 100 < min_percent * row.words_total:
                problems.append(
                    Problem(
                        shown,
                        1,
                        "",
                        "completeness",
                        "error",
                        f"{row.percent:.1f} % of words translated, below {min_percent:g} %",
                    )
                )
    return CheckReport(tuple(problems), unreadable)


def _glossary(settings: Settings, locale: str) -> Glossary:
    """`<locales>/<locale>/glossary.tbx` or `glossary.csv` (Weblate's formats), if present."""
    from pipeline.checks import Glossary, parse_glossary_csv, parse_glossary_tbx

    for name, parse in (("glossary.tbx", "tbx"), ("glossary.csv", "csv")):
        path = files.inside(settings.locales, f"{locale}/{name}")
        if not path.exists():
            continue
        text = files.read_bytes(path).decode("utf-8-sig", "replace")
        if parse == "tbx":
            return parse_glossary_tbx(
                text,
                path=str(path),
                source_language=settings.source_locale,
                target_language=locale,
            )
        return parse_glossary_csv(text, path=str(path))
    return Glossary()


_MSGFMT_LINE_RE = re.compile(r"^(?P<file>.*?):(?P<line>\d+): (?P<message>.*)$")


def _bom_problems(path: Path) -> list[Problem]:
    """A byte order mark: we read past it, GNU gettext does not (msgfmt calls it a syntax error)."""
    from pipeline.checks import Problem

    with open(path, "rb") as handle:
        if handle.read(len(codecs.BOM_UTF8)) != codecs.BOM_UTF8:
            return []
    message = "starts with a byte order mark, which GNU gettext rejects: run `update` to drop it"
    return [Problem(str(path), 1, "", "gettext", "error", message)]


def _gettext_problems(path: Path) -> list[Problem]:
    """What `msgfmt --check` says of a catalog, when GNU gettext is installed."""
    import shutil
    import subprocess

    from pipeline.checks import Problem

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
