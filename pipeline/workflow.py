"""The commands' data paths: read files, run the stages in order, write results atomically.

Stages (segments, extract, catalog, status, checks, build) are pure; this module is the edge
that knows where files live. `cli.py` only parses options, calls one function here and prints.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from pipeline import files, page_cache
from pipeline.build import assemble, translate_page
from pipeline.catalog import MessageKey, merge, translation_memory
from pipeline.config import Settings
from pipeline.extract import template_for_page
from pipeline.html import decode_page
from pipeline.model import Catalog, Message, PipelineError
from pipeline.pofile import parse_po, render_po
from pipeline.pseudo import pseudo_catalog
from pipeline.segments import PageSegments, collector_paused, segment_page
from pipeline.shard import Shard
from pipeline.site import SiteMap, site_edits
from pipeline.status import CatalogStatus, catalog_status

if TYPE_CHECKING:
    from concurrent.futures import Future

    from pipeline.checks import Glossary, Problem

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

    changes: tuple[FileChange, ...]
    errors: tuple[PipelineError, ...]

    @staticmethod
    def of(results: Iterable[FileChange | PipelineError]) -> Outcome:
        changes, errors = _split(results)
        return Outcome(tuple(changes), tuple(errors))


def template_path(settings: Settings, page: str) -> Path:
    return files.inside(settings.locales, f"{TEMPLATES_DIR}/{files.page_stem(page)}.pot")


def catalog_path(settings: Settings, locale: str, page: str) -> Path:
    return files.inside(settings.locales, _catalog_name(locale, page))


def _catalog_name(locale: str, page: str) -> str:
    return f"{locale}/LC_MESSAGES/{files.page_stem(page)}.po"


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


def page_template(settings: Settings, page: str, *, remember: bool = True) -> Catalog:
    return template_for_page(
        load_page(settings, page, remember=remember),
        page_path=page,
        project=settings.project,
        source_locale=settings.source_locale,
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
    template = page_template(settings, page, remember=write)
    return _put(template_path(settings, page), render_po(template), write, durable=False)


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
    results: list[FileChange | PipelineError] = []
    for locale in locales:
        paths = [catalog_path(settings, locale, page) for page in all_pages]
        memory_sources, _ = _split(_parallel(_translated_only, None, paths, jobs))
        memory = translation_memory(memory_sources)  # a bad catalog is reported by its page
        context = _UpdateContext(settings, locale, memory, revision, write)
        results.extend(_parallel(_update_page, context, pages, jobs))
    return Outcome.of(results)


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
    template = read_catalog(path)
    if template is None:
        raise PipelineError(str(path), None, "template missing: run `extract` first")
    if not template.header:  # every template `extract` writes has one
        raise PipelineError(str(path), None, "template empty or cut short: run `extract` again")
    target = catalog_path(settings, locale, page)
    catalog = merge(
        template,
        read_catalog(target),
        locale=locale,
        memory=context.memory,
        revision_date=context.revision,
    )
    if locale in settings.pseudo_locales:
        catalog = pseudo_catalog(catalog, locale=locale)
    return _put(target, render_po(catalog), context.write, durable=True)


def _put(path: Path, text: str, write: bool, *, durable: bool) -> FileChange:
    """Write `text` if it differs (or, without `write`, only tell whether it would)."""
    data = text.encode("utf-8")
    if write:
        return FileChange(path, files.atomic_write(path, data, durable=durable))
    return FileChange(path, not path.exists() or path.read_bytes() != data)


_Context = TypeVar("_Context")
_Job = TypeVar("_Job")
_Result = TypeVar("_Result")


def _parallel(
    work: Callable[[_Context, _Job], _Result], context: _Context, jobs_in: list[_Job], jobs: int
) -> Iterator[_Result | PipelineError]:
    """`work(context, job)` over the jobs in order: in this process, or in `jobs` workers.

    The context (settings, the site map, the site memory) goes to each worker once, not with
    every job, so what is sent grows with the pages, not with their square. The results come
    back in the order of the jobs, whatever the number of workers, so the bytes written never
    depend on `--jobs`. A job's bad input comes back as its error.
    """
    guarded = _Guarded(work, context)
    if jobs <= 1 or len(jobs_in) < 2:
        yield from map(guarded, jobs_in)
        return
    from concurrent.futures import ProcessPoolExecutor  # ~10 ms of imports: only when used

    # Small chunks, so one big page at the end does not leave the other workers idle; a few
    # per worker in flight, not all of them: results wait here until their turn, so the memory
    # held stays the same whatever the number of pages.
    size = max(1, min(64, len(jobs_in) // (jobs * 32)))
    window = jobs * 8
    in_flight: deque[Future[list[Any]]] = deque()
    with ProcessPoolExecutor(
        max_workers=jobs, initializer=_receive_work, initargs=(guarded,)
    ) as pool:
        for start in range(0, len(jobs_in), size):
            in_flight.append(pool.submit(_run_received_work, jobs_in[start : start + size]))
            if len(in_flight) >= window:
                yield from in_flight.popleft().result()
        while in_flight:
            yield from in_flight.popleft().result()


@dataclass(frozen=True, slots=True)
class _Guarded(Generic[_Context, _Job, _Result]):
    """A job function and its context; bad input's error is returned, not raised (picklable)."""

    work: Callable[[_Context, _Job], _Result]
    context: _Context

    def __call__(self, job: _Job) -> _Result | PipelineError:
        try:
            with collector_paused():  # a page's objects hold no cycles: reference counts free them
                return self.work(self.context, job)
        except PipelineError as error:
            return error


#: In a worker process: the job function `_parallel` sent when it started the worker.
_received_work: _Guarded[Any, Any, Any] | None = None


def _receive_work(guarded: _Guarded[Any, Any, Any]) -> None:
    global _received_work
    _received_work = guarded


def _run_received_work(jobs: list[Any]) -> list[Any]:
    assert _received_work is not None, "a worker runs jobs only after _receive_work"
    return [_received_work(job) for job in jobs]


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

BUILD_VERSION = "3"
#: `<output>/.pipeline-build.json`, or `.pipeline-build-K-of-N.json` for `--shard K/N`.
MANIFEST_STEM = ".pipeline-build"
#: Words counted per catalog, by the catalog's SHA-256 (the same in every shard's output).
STATUS_CACHE_NAME = ".pipeline-status.json"


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
    #: Paths written (as strings: a big site writes tens of thousands).
    written: tuple[str, ...]
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
    #: (path, size of the file there or -1) of each output, the source locale's first; the
    #: paths were checked by the parent's output tree.
    outputs: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class _PageResult:
    page: str
    #: (path, size, whether it was written) of each output, the source locale's first: the
    #: worker writes them, so page bytes never travel back to the parent.
    outputs: tuple[tuple[str, int, bool], ...]
    problems: tuple[Located, ...]


def build(
    settings: Settings,
    locales: tuple[str, ...],
    *,
    min_percent: float,
    jobs: int,
    progress: Callable[[int, int], None] | None = None,
    shard: Shard = WHOLE_SITE,
) -> BuildReport:
    """Write `<output>/<locale>/<page>` for the source locale and every published translation.

    Incremental: a page whose digest (its bytes, its catalogs' bytes, the site map) is the one
    in the manifest, and whose outputs exist, is not rebuilt. Which pages are published comes
    from every catalog, shard or not; the words counted per catalog are kept in the status
    cache, keyed by the catalog's SHA-256, so an unchanged catalog is not parsed again.
    """
    all_pages, assets = files.find_pages_and_assets(settings.source)
    pages = shard.select(all_pages)
    output = settings.output
    output_tree = files.Tree(output)
    manifest_path = output / f"{MANIFEST_STEM}{shard.suffix}.json"
    manifest = _read_manifest(manifest_path)
    cache_path = output / STATUS_CACHE_NAME
    cache = _read_status_cache(cache_path)
    new_cache: dict[str, list[Any]] = {}
    digests = files.FileDigests(settings.cache)
    published_sets: dict[str, set[str]] = {locale: set() for locale in locales}
    held: list[HeldBack] = []
    errors: list[PipelineError] = []
    catalog_digests: dict[tuple[str, str], tuple[str, str]] = {}
    # (locale, page, catalog name, its path, whether it exists), in (locale, page) order
    catalogs: list[tuple[str, str, str, str, bool]] = []
    catalog_tree = files.Tree(settings.locales)
    for locale in locales:
        for page in all_pages:
            name = _catalog_name(locale, page)
            catalog_file, status = catalog_tree.status(name)
            catalogs.append((locale, page, name, catalog_file, status is not None))
            words = cache.get(name)
            if status is None or words is None:
                continue
            if words[0] == digests.sha256(catalog_file, status):
                new_cache[name] = words
    cached_catalogs = len(cache)
    del cache
    # Words of the catalogs the status cache does not know (yet), counted in parallel.
    unknown = [
        (file, name) for _, _, name, file, exists in catalogs if exists and name not in new_cache
    ]
    counted_catalogs = len(unknown)
    counts = _parallel(_catalog_words, settings.cache, unknown, jobs)
    for (_, name), counted in zip(unknown, counts, strict=True):
        if isinstance(counted, PipelineError):
            errors.append(counted)
        else:
            new_cache[name] = counted
    for locale, page, name, catalog_file, exists in catalogs:
        if not exists:
            if shard.holds(page):
                held.append(HeldBack(locale, page, 0.0, f"no catalog {catalog_file}"))
            continue
        if name not in new_cache:
            continue  # unreadable: reported above
        sha, translated, total, percent = new_cache[name]
        if translated * 100 < min_percent * total:
            if shard.holds(page):
                held.append(HeldBack(locale, page, percent, f"{percent:.1f} % < {min_percent:g} %"))
            continue
        catalog_digests[(locale, page)] = (catalog_file, sha)
        published_sets[locale].add(page)
    del catalogs, unknown  # a big site's lists: only what the pages need is kept below
    if errors:  # which pages are published depends on every catalog: write nothing
        return BuildReport((), 0, (), (), (), tuple(errors))
    published = {settings.source_locale: frozenset(all_pages)}
    published.update((loc, frozenset(p)) for loc, p in published_sets.items() if p)
    site = SiteMap(settings.source_locale, published, settings.base_url, settings.date_format)
    site_digest = _site_digest(settings, site)
    todo: list[_PageJob] = []
    unchanged = 0
    new_manifest: dict[str, list[Any]] = {}
    for page in pages:
        targets = sorted(loc for loc in locales if (loc, page) in catalog_digests)
        outputs = [
            (name, _size(status))
            for name, status in (
                output_tree.status(f"{loc}/{page}") for loc in (settings.source_locale, *targets)
            )
        ]
        sizes = [size for _, size in outputs]
        page_sha = digests.sha256(os.path.join(settings.source, page))  # a page `find_pages` found
        digest = _digest(
            page_sha, site_digest, [catalog_digests.get((loc, page)) for loc in locales]
        )
        # The outputs' sizes too: a page emptied by a power cut (built pages are not flushed to
        # disk one by one) does not pass for built.
        recorded = manifest.get(page)
        if recorded and recorded[0] == digest and recorded[1:] == sizes:
            new_manifest[page] = recorded
            unchanged += len(sizes)
            continue
        new_manifest[page] = [digest]
        translations = tuple((loc, *catalog_digests[(loc, page)]) for loc in targets)
        todo.append(_PageJob(page, translations, tuple(outputs)))
    written: list[str] = []
    problems: list[Located] = []
    results = _run_jobs((settings, site), todo, jobs, progress)
    for job, result in zip(todo, results, strict=True):
        if isinstance(result, PipelineError):
            errors.append(result)
            # As it was: the new digest is not recorded, so the page is built again next time.
            if job.page in manifest:
                new_manifest[job.page] = manifest[job.page]
            else:
                del new_manifest[job.page]
            continue
        for output_name, size, was_written in result.outputs:
            if was_written:
                written.append(output_name)
            else:
                unchanged += 1
            new_manifest[result.page].append(size)
        problems.extend(result.problems)
    for asset in shard.select(assets):
        data = files.read_bytes(files.inside(settings.source, asset))
        for locale in (settings.source_locale, *locales):
            files.atomic_write(output_tree.path(f"{locale}/{asset}"), data, durable=False)
    removed = [path for h in held if files.remove(path := output_tree.path(f"{h.locale}/{h.page}"))]
    digests.save()
    # Every catalog's words came from the status cache and none is gone: nothing new to record.
    catalogs_changed = bool(counted_catalogs) or len(new_cache) != cached_catalogs
    if catalogs_changed:
        page_cache.prune_translations(settings.cache, {words[0] for words in new_cache.values()})
    # Compact JSON: json's C encoder writes it; with `indent` a slow Python one would.
    for path, content, changed in (
        (manifest_path, new_manifest, new_manifest != manifest),
        (cache_path, new_cache, catalogs_changed),
    ):
        if changed or not path.exists():
            files.atomic_write(path, json.dumps(content, sort_keys=True).encode(), durable=False)
    return BuildReport(
        tuple(written),
        unchanged,
        tuple(removed),
        tuple(held),
        tuple(problems),
        tuple(errors),
    )


def _parse_catalog(data: bytes, path: Path) -> Catalog:
    """A catalog from its bytes, with `read_catalog`'s checks."""
    if b"\x00" in data:
        raise PipelineError(str(path), None, "binary file: not a gettext catalog")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise PipelineError(str(path), line, "invalid UTF-8") from None
    return parse_po(text, path=str(path))


def _translations(cache: Path, path: str, sha: str) -> page_cache.Translations:
    """What building a page needs of its catalog: kept by the run that counted its words, or
    read now (and kept)."""
    kept = page_cache.load_translations(cache, sha)
    if kept is not None:
        return kept
    if not os.path.exists(path):
        raise PipelineError(path, None, "catalog disappeared during the build")
    data = files.read_bytes(Path(path))
    return _translations_of(cache, data, _parse_catalog(data, Path(path)))


def _translations_of(cache: Path, data: bytes, catalog: Catalog) -> page_cache.Translations:
    """{key: msgstr} of the finished translations and {key: line} of every active entry, kept
    in the cache under the SHA-256 of the bytes they were read from."""
    done = {m.key: m.msgstr for m in catalog.active if m.translated and m.msgid_plural is None}
    lines = {m.key: m.line for m in catalog.active}
    page_cache.store_translations(cache, _sha256(data), (done, lines))
    return done, lines


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _catalog_words(cache: Path, job: tuple[str, str]) -> list[Any]:
    """[SHA-256, words translated, words in all, percent] of a catalog, for the status cache;
    its translations go to the cache for the page's build."""
    path = Path(job[0])
    data = files.read_bytes(path)
    catalog = _parse_catalog(data, path)
    row = catalog_status(catalog, locale="", catalog_path="", source_path="", stale=False)
    _translations_of(cache, data, catalog)
    return [_sha256(data), row.words_translated, row.words_total, row.percent]


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


def _read_status_cache(path: Path) -> dict[str, list[Any]]:
    """{catalog name: [sha256, words translated, words total, percent]}, or {} if unusable."""
    return {
        name: entry
        for name, entry in _read_json_object(path).items()
        if isinstance(entry, list) and len(entry) == 4
    }


def _read_manifest(path: Path) -> dict[str, list[Any]]:
    """{page: [digest, size of each output]}, or {} if unusable (then everything is built)."""
    return {
        page: entry
        for page, entry in _read_json_object(path).items()
        if isinstance(entry, list) and entry
    }


def _read_json_object(path: Path) -> dict[str, Any]:
    """The JSON object in a file the build keeps for itself, or {} if unreadable or not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(key): value for key, value in data.items()} if isinstance(data, dict) else {}


def _size(status: os.stat_result | None) -> int:
    """The file's size, or -1 when there is none."""
    return -1 if status is None else status.st_size


def _run_jobs(
    context: tuple[Settings, SiteMap],
    todo: list[_PageJob],
    jobs: int,
    progress: Callable[[int, int], None] | None,
) -> Iterator[_PageResult | PipelineError]:
    for result in _parallel(_build_page, context, todo, jobs):
        yield result
        if progress:
            progress(1, len(todo))


def _build_page(context: tuple[Settings, SiteMap], job: _PageJob) -> _PageResult:
    (settings, site), page = context, job.page
    segments = load_page(settings, page)
    source_edits = site_edits(segments, path=page, locale=settings.source_locale, site=site)
    built = [assemble(segments, list(source_edits))]
    problems: list[Located] = []
    for locale, path, sha in job.catalogs:
        translations, lines = _translations(settings.cache, path, sha)
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
    fresh = page_template(settings, page, remember=False)
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
