"""`build`: the localized site, rebuilt incrementally, in four named phases.

1. **plan**: the pages of the shard, where the records are, and one digest of every input;
   when the stamp says nothing changed since the last build, stop there (`freshness`);
2. **publication decisions**: every catalog's words (recorded with its SHA-256, counted again
   only when it changed) decide which pages each locale publishes;
3. **build pages**: each page whose digest or outputs differ from the manifest's record is
   rebuilt, in every locale it is published in, by the worker processes;
4. **record**: the manifest and page records, copied assets, held-back pages removed, the stamp.

What is recorded is read and written a line at a time (`records`), so the build holds no more
per page than the site map.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import files, freshness, records
from pipeline.config import Settings
from pipeline.freshness import BUILD_VERSION, CATALOG_RECORDS, COUNTING
from pipeline.model import PipelineError, Translations, translations_and_lines
from pipeline.project import catalog_name, load_page, parse_catalog
from pipeline.shard import WHOLE_SITE, Shard
from pipeline.workers import parallel_pairs

if TYPE_CHECKING:
    from pipeline.site import SiteMap

#: `<output>/.pipeline-build.jsonl`, or `.pipeline-build-K-of-N.jsonl` for `--shard K/N`: each
#: page's digest and its outputs' sizes.
MANIFEST_STEM = ".pipeline-build"
#: In the cache directory: each page's SHA-256 and file signature (`pages-K-of-N.jsonl` for a
#: shard).
PAGE_RECORDS_STEM = "pages"


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
    pages are published comes from every catalog, shard or not.
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
    with freshness.record_directory(settings.cache) as record_directory:
        plan = _plan(settings, locales, all_pages, assets, record_directory, min_percent, shard)
        if plan.inputs is not None:
            stamp = freshness.unchanged_build(
                plan.stamp_path, plan.inputs, settings.output, plan.watched
            )
            if stamp is not None:
                held = tuple(HeldBack(*row) for row in stamp.held)
                return BuildReport(0, stamp.outputs, (), held, ())
        with contextlib.suppress(OSError):
            files.remove(plan.stamp_path)  # this build decides anew; a failed one leaves no stamp
        publication = _publish(settings, locales, all_pages, min_percent, jobs, plan)
        if publication.errors:  # which pages are published depends on every catalog
            return BuildReport(0, 0, (), (), (), tuple(publication.errors))
        site = _site_map(settings, all_pages, publication)
        built = _build_pages(settings, locales, site, plan, jobs, progress, on_written)
        return _record(settings, locales, assets, plan, publication, built)


# --- 1. plan -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Plan:
    """Where this build's records are and what it reads."""

    #: The pages of the shard.
    pages: list[str]
    shard: Shard
    #: When the build started (ns): records of files changed after it are not trusted.
    started: int
    record_directory: Path
    manifest_path: Path
    pages_path: Path
    stamp_path: Path
    #: Files whose signature the stamp holds, besides the names: the manifest, which a build
    #: that wrote pages changed, and the copied assets, which a build would copy again.
    watched: list[Path]
    #: One digest of everything the build reads, or None when it cannot be trusted.
    inputs: str | None


def _plan(
    settings: Settings,
    locales: tuple[str, ...],
    all_pages: list[str],
    assets: list[str],
    record_directory: Path,
    min_percent: float,
    shard: Shard,
) -> _Plan:
    started = time.time_ns()
    manifest_path = settings.output / f"{MANIFEST_STEM}{shard.suffix}.jsonl"
    watched = [manifest_path] + [
        settings.output / locale / asset
        for asset in shard.select(assets)
        for locale in (settings.source_locale, *locales)
    ]
    return _Plan(
        pages=shard.select(all_pages),
        shard=shard,
        started=started,
        record_directory=record_directory,
        manifest_path=manifest_path,
        pages_path=record_directory / f"{PAGE_RECORDS_STEM}{shard.suffix}.jsonl",
        stamp_path=record_directory / f"{freshness.STAMP_STEM}{shard.suffix}.json",
        watched=watched,
        inputs=freshness.input_digest(
            settings, locales, all_pages, assets, min_percent, shard, started
        ),
    )


# --- 2. publication decisions ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Publication:
    """Which pages each locale publishes, from every catalog's words."""

    published: dict[str, frozenset[str]]
    held: list[HeldBack]
    errors: list[PipelineError]


def _publish(
    settings: Settings,
    locales: tuple[str, ...],
    all_pages: list[str],
    min_percent: float,
    jobs: int,
    plan: _Plan,
) -> _Publication:
    """Each catalog's words (recorded, or counted in parallel and recorded), and what they
    publish: a locale's page is published when its catalog reaches `min_percent`.

    One piece because it is one pass over the catalog records, in page order: the generator
    judges each catalog its record vouches for and hands the others to the workers, whose
    counts the loop below records and judges as they come back, with the records open.
    """
    ordered = sorted(locales)
    catalog_tree = files.Tree(settings.locales)
    published: dict[str, set[str]] = {locale: set() for locale in locales}
    held: list[HeldBack] = []
    errors: list[PipelineError] = []
    record_path = plan.record_directory / CATALOG_RECORDS

    def judge(locale: str, page: str, translated: int, total: int, percent: float) -> None:
        if not _reaches(translated, total, min_percent):
            held.append(HeldBack(locale, page, percent, f"{percent:.1f} % < {min_percent:g} %"))
        else:
            published[locale].add(page)

    with (
        records.Reader(record_path) as old,
        records.Spool(plan.record_directory) as kept,
        records.Spool(plan.record_directory) as counted,
    ):
        trust = freshness.recording_started(old) if old.header.get("counting") == COUNTING else 0
        verified = 0  # records whose file was read again and found the same

        def unknown() -> Iterator[tuple[str, str, str, str]]:
            """(catalog path, page, locale, file signature) of each catalog to read; the
            others are judged and recorded as they are."""
            nonlocal verified
            for page in all_pages:
                for locale in ordered:
                    name, status = catalog_tree.status(catalog_name(locale, page))
                    record = old.get([page, locale])
                    if status is None:
                        held.append(HeldBack(locale, page, 0.0, f"no catalog {name}"))
                        continue
                    signature = files.signature(status)
                    if record is not None and not (
                        freshness.catalog_record_fits(record) and record[0] == name and trust
                    ):
                        record = None  # another layout, tree or way of counting
                    if record is not None and freshness.recorded_sha(
                        record[1:], signature, status, trust
                    ):
                        kept.keep(old.line)
                        judge(locale, page, *record[3:6])
                    elif record is not None and freshness.sha256_or_none(name) == record[1]:
                        # The bytes recorded (only the signature moved, or the record was made
                        # in the instant the file changed): hashed here, not parsed again.
                        kept.add([page, locale], name, record[1], signature, *record[3:6])
                        judge(locale, page, *record[3:6])
                        verified += 1
                    else:
                        yield name, page, locale, signature

        count = len(all_pages) * len(locales)
        for job, words in parallel_pairs(_catalog_words, None, unknown(), jobs, count=count):
            if isinstance(words, PipelineError):
                errors.append(words)
                continue
            name, page, locale, signature = job
            counted.add([page, locale], name, words[0], signature, *words[1:])
            judge(locale, page, *words[1:])
        if not errors and (counted.count or verified or old.stale or not record_path.exists()):
            # Not only a cache: the pages are built from these records (a failure is an error).
            records.merge(
                record_path, {"started": plan.started, "counting": COUNTING}, kept, counted
            )
    rank = {locale: index for index, locale in enumerate(locales)}
    held.sort(key=lambda h: (rank[h.locale], h.page))
    return _Publication({k: frozenset(v) for k, v in published.items()}, held, errors)


def _catalog_words(_: None, job: tuple[str, str, str, str]) -> list[Any]:
    """[SHA-256, words translated, words in all, percent] of a catalog, for the records."""
    from pipeline.status import word_progress

    path = Path(job[0])
    data = files.read_bytes(path)
    catalog = parse_catalog(data, path)
    return [freshness.sha256(data), *word_progress(catalog)]


def _reaches(translated: int, total: int, min_percent: float) -> bool:
    """Whether a catalog with these words translated is published at `min_percent`."""
    return translated * 100 >= min_percent * total


def _site_map(settings: Settings, all_pages: list[str], publication: _Publication) -> SiteMap:
    """Which pages each locale has, and what the site stage needs to link them."""
    from pipeline.site import SiteMap

    published = {settings.source_locale: frozenset(all_pages)}
    published.update((loc, p) for loc, p in publication.published.items() if p)
    return SiteMap(settings.source_locale, published, settings.base_url, settings.date_format)


# --- 3. build pages ----------------------------------------------------------------------------


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


@dataclass(slots=True)
class _PagesBuilt:
    """What the build-pages phase did, counted as the results come in."""

    written: int = 0
    unchanged: int = 0
    problems: list[Located] = field(default_factory=list)
    errors: list[PipelineError] = field(default_factory=list)
    #: Pages that failed and keep their old manifest record.
    kept_after_failure: int = 0

    def take(
        self,
        job: _PageJob,
        result: _PageResult | PipelineError,
        rebuilt: records.Spool,
        on_written: Callable[[str], None] | None,
    ) -> None:
        """Count one page's outputs and record its new digest; a page that failed keeps its
        old record, so it is built again next time."""
        if isinstance(result, PipelineError):
            self.errors.append(result)
            if job.recorded:
                rebuilt.add(job.page, *job.recorded)
                self.kept_after_failure += 1
            return
        for name, _, was_written in result.outputs:
            if was_written:
                self.written += 1
                if on_written:
                    on_written(name)
            else:
                self.unchanged += 1
        rebuilt.add(job.page, job.digest, *(size for _, size, _ in result.outputs))
        self.problems.extend(result.problems)


def _build_pages(
    settings: Settings,
    locales: tuple[str, ...],
    site: SiteMap,
    plan: _Plan,
    jobs: int,
    progress: Callable[[int, int], None] | None,
    on_written: Callable[[str], None] | None,
) -> _PagesBuilt:
    """Rebuild every page of the plan whose outputs are not current, in the workers; the
    manifest and the page records are merged as the phase ends, with their readers open."""
    built = _PagesBuilt()
    total = len(plan.pages)
    with (
        records.Reader(plan.manifest_path) as old_manifest,
        records.Reader(plan.pages_path) as old_pages,
        records.Reader(plan.record_directory / CATALOG_RECORDS) as catalog_records,
        records.Spool(plan.record_directory) as kept,
        records.Spool(plan.record_directory) as rebuilt,
        records.Spool(plan.record_directory) as page_records,
    ):
        triage = _Triage(
            settings,
            locales,
            site,
            plan,
            old_manifest=old_manifest,
            old_pages=old_pages,
            catalog_records=catalog_records,
            kept=kept,
            page_records=page_records,
        )

        def todo() -> Iterator[_PageJob]:
            for page in plan.pages:
                job = triage.job(page)
                if job is not None:
                    yield job
                elif progress:
                    progress(1, total)

        results = parallel_pairs(_build_page, (settings, site), todo(), jobs, count=total)
        for job, result in results:
            if progress:
                progress(1, total)
            built.take(job, result, rebuilt, on_written)
        built.unchanged += triage.unchanged
        # Only pages built anew change the manifest: a page that failed keeps its old record.
        # Once after a restart, it also records that every output was checked since.
        if (
            rebuilt.count > built.kept_after_failure
            or old_manifest.stale
            or not plan.manifest_path.exists()
            or (not triage.settled and not built.errors and freshness.booted_at_ns() is not None)
        ):
            records.merge(plan.manifest_path, {"written": time.time_ns()}, kept, rebuilt)
        if triage.pages_read or old_pages.stale:
            with contextlib.suppress(PipelineError):  # a cache: a failure only costs speed
                records.merge(plan.pages_path, {"started": plan.started}, page_records)
    return built


class _Triage:
    """Page by page, whether its outputs are current (then its manifest line is kept) or the
    job that rebuilds them. The records are read in page order, one line at a time."""

    def __init__(
        self,
        settings: Settings,
        locales: tuple[str, ...],
        site: SiteMap,
        plan: _Plan,
        *,
        old_manifest: records.Reader,
        old_pages: records.Reader,
        catalog_records: records.Reader,
        kept: records.Spool,
        page_records: records.Spool,
    ) -> None:
        self.settings = settings
        self.locales = locales
        self.ordered = sorted(locales)
        self.published = site.published
        self.site_digest = _site_digest(settings, site)
        self.plan = plan
        self.old_manifest = old_manifest
        self.old_pages = old_pages
        self.catalog_records = catalog_records
        self.kept = kept
        self.page_records = page_records
        self.output_tree = files.Tree(settings.output)
        self.catalog_tree = files.Tree(settings.locales)
        self.pages_recorded = freshness.recording_started(old_pages)
        self.settled = freshness.settled(old_manifest.header)
        #: Outputs found current, and pages whose bytes were read to be hashed.
        self.unchanged = 0
        self.pages_read = 0

    def job(self, page: str) -> _PageJob | None:
        translations = self._catalogs(page)
        outputs = self._outputs(page, translations)
        sha = self._page_sha(page)
        digest = _digest(sha, self.site_digest, [translations.get(loc) for loc in self.locales])
        recorded = self.old_manifest.get(page)
        if self._current(recorded, digest, outputs):
            self.kept.keep(self.old_manifest.line)
            self.unchanged += len(outputs)
            return None
        catalogs = tuple((loc, *translations[loc]) for loc in translations)
        return _PageJob(page, catalogs, tuple(outputs), digest, recorded)

    def _catalogs(self, page: str) -> dict[str, tuple[str, str]]:
        """(catalog path, SHA-256) of the page's catalog in each locale that publishes it, as
        the publication phase recorded them."""
        translations: dict[str, tuple[str, str]] = {}
        for locale in self.ordered:
            record = self.catalog_records.get([page, locale])
            if page not in self.published.get(locale, ()):
                continue
            expected = self.catalog_tree.joined(catalog_name(locale, page))
            if record is None or not freshness.catalog_record_fits(record) or record[0] != expected:
                raise PipelineError(
                    str(self.plan.record_directory / CATALOG_RECORDS),
                    None,
                    "changed by another run during the build: build again",
                )
            translations[locale] = (record[0], record[1])
        return translations

    def _outputs(
        self, page: str, translations: dict[str, tuple[str, str]]
    ) -> list[tuple[str, int | None]]:
        """(path, size or -1 for none) of each output; only whether it is there when no restart
        since the manifest was written could have emptied one (one listing per directory)."""
        relatives = [f"{loc}/{page}" for loc in (self.settings.source_locale, *translations)]
        if self.settled:
            present = [self.output_tree.listed(relative) for relative in relatives]
            return [(name, None if there else -1) for name, there in present]
        checked = [self.output_tree.status(relative) for relative in relatives]
        return [(name, _size(status)) for name, status in checked]

    def _page_sha(self, page: str) -> str:
        """The page's SHA-256: recorded, while its file signature vouches for it, else read."""
        path = os.path.join(self.settings.source, page)  # a page `find_pages` found
        status = freshness.stat(path)
        signature = files.signature(status)
        sha = freshness.recorded_sha(
            self.old_pages.get(page), signature, status, self.pages_recorded
        )
        if sha is None:
            sha = freshness.sha256(files.read_bytes(path))
            self.pages_read += 1
            self.page_records.add(page, sha, signature)
        else:
            self.page_records.keep(self.old_pages.line)
        return sha

    def _current(
        self, recorded: list[Any] | None, digest: str, outputs: list[tuple[str, int | None]]
    ) -> bool:
        """Whether the manifest records this digest and outputs as they are now."""
        return bool(
            recorded
            and recorded[0] == digest
            and len(recorded) == len(outputs) + 1
            and all(
                size != -1 if self.settled else size == recorded_size
                for (_, size), recorded_size in zip(outputs, recorded[1:], strict=True)
            )
        )


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


def _translations(path: str) -> Translations:
    """What building a page needs of its catalog, read again by the worker that builds it:
    reading a catalog costs less than a file that would hand it over from the counting pass."""
    if not os.path.exists(path):
        raise PipelineError(path, None, "catalog disappeared during the build")
    return translations_and_lines(parse_catalog(files.read_bytes(path), Path(path)))


# --- 4. record ---------------------------------------------------------------------------------


def _record(
    settings: Settings,
    locales: tuple[str, ...],
    assets: list[str],
    plan: _Plan,
    publication: _Publication,
    built: _PagesBuilt,
) -> BuildReport:
    """Copy the assets, remove the pages held back, drop what older builds kept, and stamp a
    build that read everything without error."""
    output_tree = files.Tree(settings.output)
    for asset in plan.shard.select(assets):
        data = files.read_bytes(files.inside(settings.source, asset))
        for locale in (settings.source_locale, *locales):
            files.atomic_write(output_tree.path(f"{locale}/{asset}"), data, durable=False)
    held = [h for h in publication.held if plan.shard.holds(h.page)]
    removed = [path for h in held if files.remove(path := output_tree.path(f"{h.locale}/{h.page}"))]
    # What builds before BUILD_VERSION 4 kept.
    for legacy in (
        settings.output / f"{MANIFEST_STEM}{plan.shard.suffix}.json",
        settings.output / ".pipeline-status.json",
        settings.cache / "digests.json",
    ):
        with contextlib.suppress(OSError):
            files.remove(legacy)
    if plan.inputs is not None and not built.errors:
        stamp = freshness.Stamp(
            built.written + built.unchanged,
            tuple((h.locale, h.page, h.percent, h.reason) for h in held),
        )
        freshness.write_stamp(plan.stamp_path, plan.inputs, settings.output, plan.watched, stamp)
    return BuildReport(
        built.written,
        built.unchanged,
        tuple(removed),
        tuple(held),
        tuple(built.problems),
        tuple(built.errors),
    )
