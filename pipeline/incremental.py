"""`build`: the localized site, rebuilt incrementally, in five named phases.

1. **plan**: the pages of the shard, where the records are, and one digest of every input;
   when the stamp says nothing changed since the last build, stop there (`freshness`);
2. **page digests**: every page's SHA-256 (recorded with its file signature, read again only
   when it changed);
3. **publication decisions**: each page's words that its catalog translates, counted on the page
   as it is now (recorded with both SHA-256s, counted again only when one changed), decide which
   pages each locale publishes (`publication`). A catalog that cannot be read holds back its
   page alone;
4. **build pages**: each page whose digest or outputs differ from the manifest's record is
   rebuilt, in every locale it is published in, by the worker processes; the manifest keeps its
   problems, so a page that is not rebuilt reports them again;
5. **record**: copied assets, held-back pages and the outputs of deleted pages removed, the
   root files (a language chooser, `index.html`, and `sitemap.xml`), the stamp.

Every record is in the cache directory, none in the deployed site.

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
from pipeline.freshness import BUILDING, CATALOG_RECORDS
from pipeline.model import PipelineError, Translations, translations_and_lines
from pipeline.project import catalog_name, load_page, parse_catalog
from pipeline.publication import HeldBack, Publication, publish
from pipeline.shard import WHOLE_SITE, Shard
from pipeline.workers import parallel_pairs

if TYPE_CHECKING:
    from pipeline.site import SiteMap

#: In the cache directory: each page's digest, its problems and its outputs' sizes
#: (`manifest-K-of-N.jsonl` for a shard), for the output directory its header names.
MANIFEST_STEM = "manifest"
#: In the cache directory: each page's SHA-256 and file signature (`pages-K-of-N.jsonl` for a
#: shard).
PAGE_RECORDS_STEM = "pages"


@dataclass(frozen=True, slots=True)
class Located:
    """A problem at a place: `path:line: message`."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class Removed:
    """An output the build removed, and why."""

    path: Path
    reason: str


@dataclass(frozen=True, slots=True)
class BuildReport:
    #: How many outputs were written.
    written: int
    #: How many outputs were already as they should be.
    unchanged: int
    #: Outputs of pages held back, of pages and assets gone from the source, and of locales no
    #: longer built.
    removed: tuple[Removed, ...]
    held_back: tuple[HeldBack, ...]
    problems: tuple[Located, ...]
    #: Pages and catalogs that could not be read: a page's outputs were left as they were, a
    #: catalog's page was held back in its locale.
    errors: tuple[PipelineError, ...] = ()
    #: How many catalogs (or missing ones) are behind their pages: `extract` and `update` due.
    behind: int = 0


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
    files.refuse_overlap(
        settings.output,
        "the output",
        (settings.source, "the source directory"),
        (settings.locales, "the catalogs"),
        advice="the build would read the pages it built as source pages, or remove its inputs; "
        "build somewhere else (--output)",
    )
    all_pages, assets = files.find_pages_and_assets(settings.source)
    # What every configured locale publishes is counted even when only some are built, so a
    # build for a subset never drops the other locales' alternates and switcher links.
    counted = tuple(dict.fromkeys((*locales, *settings.target_locales)))
    with freshness.record_directory(settings.cache) as record_directory:
        plan = _plan(
            settings, locales, counted, all_pages, assets, record_directory, min_percent, shard
        )
        if plan.inputs is not None:
            stamp = freshness.unchanged_build(
                plan.stamp_path, plan.inputs, settings.output, plan.watched
            )
            if stamp is not None:
                held = tuple(HeldBack(*row) for row in stamp.held)
                problems = tuple(Located(*row) for row in stamp.problems)
                return BuildReport(0, stamp.outputs, (), held, problems, behind=stamp.behind)
        with contextlib.suppress(OSError):
            files.remove(plan.stamp_path)  # this build decides anew; a failed one leaves no stamp
        digests = _page_digests(settings, all_pages, plan)
        publication = publish(
            settings,
            counted,
            all_pages,
            min_percent,
            jobs,
            record_directory=plan.record_directory,
            started=plan.started,
            page_shas=digests.sha,
        )
        site = _site_map(settings, all_pages, assets, publication)
        built = _build_pages(
            settings, locales, site, plan, jobs, progress, on_written, digests, publication.unread
        )
        return _record(
            settings, locales, counted, all_pages, assets, plan, digests, publication, site, built
        )


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
    #: The output directory the manifest describes (its header says which).
    output: str
    #: Every file the builds wrote in that output directory (`outputs-K-of-N.json`).
    outputs_path: Path
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
    counted: tuple[str, ...],
    all_pages: list[str],
    assets: list[str],
    record_directory: Path,
    min_percent: float,
    shard: Shard,
) -> _Plan:
    started = time.time_ns()
    manifest_path = record_directory / f"{MANIFEST_STEM}{shard.suffix}.jsonl"
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
        output=str(settings.output.resolve()),
        outputs_path=record_directory / f"outputs{shard.suffix}.json",
        pages_path=record_directory / f"{PAGE_RECORDS_STEM}{shard.suffix}.jsonl",
        stamp_path=record_directory / f"{freshness.STAMP_STEM}{shard.suffix}.json",
        watched=watched,
        inputs=freshness.input_digest(
            settings, locales, counted, all_pages, assets, min_percent, shard, started
        ),
    )


# --- 2. page digests ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _PageDigests:
    """Every page's SHA-256; the pages that could not be read are left out, with their errors."""

    sha: dict[str, str]
    errors: list[PipelineError]


def _page_digests(settings: Settings, all_pages: list[str], plan: _Plan) -> _PageDigests:
    """Each page's SHA-256: recorded, while its file signature vouches for it, else read and
    recorded. Every page, shard or not: what each locale publishes is counted on the pages."""
    sha: dict[str, str] = {}
    errors: list[PipelineError] = []
    read = 0
    source = os.path.join(settings.source, "")
    with (
        records.Reader(plan.pages_path) as old,
        records.Spool(plan.record_directory) as spool,
    ):
        recorded_at = freshness.recording_started(old)
        for page in all_pages:
            path = source + page  # a page `find_pages` found
            try:
                status = freshness.stat(path)
                signature = files.signature(status)
                digest = freshness.recorded_sha(old.get(page), signature, status, recorded_at)
                if digest is None:
                    digest = freshness.sha256(files.read_bytes(path))
                    read += 1
                    spool.add(page, digest, signature)
                else:
                    spool.keep(old.line)
            except PipelineError as error:
                errors.append(error)
                continue
            sha[page] = digest
        if read or old.stale:
            with contextlib.suppress(PipelineError):  # a cache: a failure only costs speed
                records.merge(plan.pages_path, {"started": plan.started}, spool)
    return _PageDigests(sha, errors)


# --- 3. publication decisions: pipeline.publication --------------------------------------------


def _site_map(
    settings: Settings, all_pages: list[str], assets: list[str], publication: Publication
) -> SiteMap:
    """Which pages each locale has, and what the site stage needs to link them."""
    from pipeline.site import SiteMap

    published = {settings.source_locale: frozenset(all_pages)}
    published.update((loc, p) for loc, p in publication.published.items() if p)
    return SiteMap(
        settings.source_locale,
        published,
        settings.base_url,
        settings.date_format,
        frozenset(assets),
    )


# --- 4. build pages ----------------------------------------------------------------------------


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
    #: Each output as `<locale>/<page>`, in the order of `outputs`.
    relatives: tuple[str, ...]


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
    #: The outputs there now, as `<locale>/<page>`, and the pages whose outputs were kept as
    #: they were (their build failed).
    present: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)

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
            self.failed.add(job.page)
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
        problems = [[p.path, p.line, p.message] for p in result.problems]
        rebuilt.add(job.page, job.digest, problems, *(size for _, size, _ in result.outputs))
        self.problems.extend(result.problems)
        self.present.update(job.relatives)


def _build_pages(
    settings: Settings,
    locales: tuple[str, ...],
    site: SiteMap,
    plan: _Plan,
    jobs: int,
    progress: Callable[[int, int], None] | None,
    on_written: Callable[[str], None] | None,
    digests: _PageDigests,
    unread: frozenset[str],
) -> _PagesBuilt:
    """Rebuild every page of the plan whose outputs are not current, in the workers; the
    manifest is merged as the phase ends, with its reader open. A page that could not be
    read keeps its outputs and its record."""
    built = _PagesBuilt()
    total = len(plan.pages)
    with (
        records.Reader(plan.manifest_path, expect={"output": plan.output}) as old_manifest,
        records.Reader(plan.record_directory / CATALOG_RECORDS) as catalog_records,
        records.Spool(plan.record_directory) as kept,
        records.Spool(plan.record_directory) as rebuilt,
    ):
        triage = _Triage(
            settings,
            locales,
            site,
            plan,
            old_manifest=old_manifest,
            catalog_records=catalog_records,
            kept=kept,
            problems=built.problems,
            present=built.present,
        )

        def todo() -> Iterator[_PageJob]:
            for page in plan.pages:
                if page in unread:
                    triage.keep(page)
                    continue
                job = triage.job(page, digests.sha[page])
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
            header = {"written": time.time_ns(), "output": plan.output}
            records.merge(plan.manifest_path, header, kept, rebuilt)
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
        catalog_records: records.Reader,
        kept: records.Spool,
        problems: list[Located],
        present: set[str],
    ) -> None:
        self.settings = settings
        self.locales = locales
        self.ordered = sorted(locales)
        self.published = site.published
        self.site_digest = _site_digest(settings, site)
        self.plan = plan
        self.old_manifest = old_manifest
        self.catalog_records = catalog_records
        self.kept = kept
        #: Where the problems and outputs of the pages found current are added.
        self.problems = problems
        self.present = present
        self.output_tree = files.Tree(settings.output)
        self.catalog_tree = files.Tree(settings.locales)
        self.settled = freshness.settled(old_manifest.header)
        #: Outputs found current.
        self.unchanged = 0

    def job(self, page: str, sha: str) -> _PageJob | None:
        translations = self._catalogs(page)
        relatives = tuple(f"{loc}/{page}" for loc in (self.settings.source_locale, *translations))
        outputs = self._outputs(relatives)
        digest = _digest(sha, self.site_digest, [translations.get(loc) for loc in self.locales])
        recorded = self.old_manifest.get(page)
        problems = _recorded_problems(recorded)
        if problems is not None and self._current(recorded, digest, outputs):
            self.kept.keep(self.old_manifest.line)
            self.unchanged += len(outputs)
            self.problems.extend(problems)
            self.present.update(relatives)
            return None
        catalogs = tuple((loc, *translations[loc]) for loc in translations)
        return _PageJob(page, catalogs, tuple(outputs), digest, recorded, relatives)

    def keep(self, page: str) -> None:
        """Keep the page's record as it is (its outputs stay as they were)."""
        if self.old_manifest.get(page) is not None:
            self.kept.keep(self.old_manifest.line)

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

    def _outputs(self, relatives: tuple[str, ...]) -> list[tuple[str, int | None]]:
        """(path, size or -1 for none) of each output; only whether it is there when no restart
        since the manifest was written could have emptied one (one listing per directory)."""
        if self.settled:
            present = [self.output_tree.listed(relative) for relative in relatives]
            return [(name, None if there else -1) for name, there in present]
        checked = [self.output_tree.status(relative) for relative in relatives]
        return [(name, _size(status)) for name, status in checked]

    def _current(
        self, recorded: list[Any] | None, digest: str, outputs: list[tuple[str, int | None]]
    ) -> bool:
        """Whether the manifest records this digest and outputs as they are now."""
        return bool(
            recorded
            and recorded[0] == digest
            and len(recorded) == len(outputs) + 2
            and all(
                size != -1 if self.settled else size == recorded_size
                for (_, size), recorded_size in zip(outputs, recorded[2:], strict=True)
            )
        )


def _recorded_problems(recorded: list[Any] | None) -> list[Located] | None:
    """The problems a manifest record ([digest, problems, *sizes]) holds, None if it holds
    none in that layout."""
    if recorded is None or len(recorded) < 2 or not isinstance(recorded[1], list):
        return None
    try:
        return [Located(str(path), int(line), str(message)) for path, line, message in recorded[1]]
    except (TypeError, ValueError):
        return None


def _site_digest(settings: Settings, site: SiteMap) -> bytes:
    """What every page's outputs depend on besides its own files: computed once per build."""
    described = {
        "published": {k: sorted(v) for k, v in sorted(site.published.items())},
        "assets": sorted(site.assets),  # whether a link is broken
        "base_url": site.base_url,
        "date_format": site.date_format,
        "source_locale": site.source_locale,
        "default_encoding": settings.default_encoding,
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).digest()


def _digest(page_sha: str, site_digest: bytes, catalogs: list[tuple[str, str] | None]) -> str:
    """What a page's outputs depend on: its bytes, its catalogs' digests, the site's digest."""
    hasher = hashlib.sha256(BUILDING.encode())
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
    from pipeline.site import broken_links, site_edits

    (settings, site), page = context, job.page
    segments = load_page(settings, page)
    source_edits = site_edits(segments, path=page, locale=settings.source_locale, site=site)
    built = [assemble(segments, list(source_edits))]
    source = os.path.join(settings.source, page)
    problems = [  # once for all locales: a link is broken in every one or in none
        Located(source, link.line, f'warning: broken link "{link.url}": no such page or asset')
        for link in broken_links(segments, path=page, site=site)
    ]
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


# --- 5. record ---------------------------------------------------------------------------------


def _record(
    settings: Settings,
    locales: tuple[str, ...],
    counted: tuple[str, ...],
    all_pages: list[str],
    assets: list[str],
    plan: _Plan,
    digests: _PageDigests,
    publication: Publication,
    site: SiteMap,
    built: _PagesBuilt,
) -> BuildReport:
    """Copy the assets, remove what is no longer published, write the root files, drop what
    older builds kept, and stamp a build that read everything without error."""
    output_tree = files.Tree(settings.output)
    written_locales = (settings.source_locale, *locales)
    shard_assets = plan.shard.select(assets)
    for asset in shard_assets:
        data = files.read_bytes(files.inside(settings.source, asset))
        for locale in written_locales:
            files.atomic_write(output_tree.path(f"{locale}/{asset}"), data, durable=False)
    # Only the locales built: a build for some locales leaves the others' pages alone.
    held = [h for h in publication.held if plan.shard.holds(h.page) and h.locale in locales]
    removed = [
        Removed(path, "held back")
        for h in held
        if files.remove(path := output_tree.path(f"{h.locale}/{h.page}"))
    ]
    copied = {f"{locale}/{asset}" for asset in shard_assets for locale in written_locales}
    present = built.present | copied
    removed += _prune(
        settings,
        plan,
        present,
        written=written_locales,
        kept_locales={settings.source_locale, *counted},
        sources={*all_pages, *assets},
        kept_pages=publication.unread | built.failed,
    )
    # What builds before records layout 5 kept in the output and cache directories.
    for legacy in (
        settings.output / f".pipeline-build{plan.shard.suffix}.jsonl",
        settings.output / f".pipeline-build{plan.shard.suffix}.json",
        settings.output / ".pipeline-status.json",
        settings.cache / "digests.json",
    ):
        with contextlib.suppress(OSError):
            files.remove(legacy)
    # The site's root files, from the whole site map (each shard writes the same), even after
    # an error: they name what is published now, which the error's page is or is not.
    from pipeline.site import root_index, sitemap

    for name, content in (("index.html", root_index(site)), ("sitemap.xml", sitemap(site))):
        if content is None:  # no home page, or no base URL: none rather than a stale one
            files.remove(settings.output / name)
        else:
            files.atomic_write(settings.output / name, content, durable=False)
    # A page that cannot be read is named once, though its catalogs and build also failed.
    errors = {str(e): e for e in (*digests.errors, *publication.errors, *built.errors)}
    problems = sorted(built.problems, key=lambda p: (p.path, p.line, p.message))
    if plan.inputs is not None and not errors:
        stamp = freshness.Stamp(
            built.written + built.unchanged,
            tuple((h.locale, h.page, h.percent, h.reason) for h in held),
            tuple((p.path, p.line, p.message) for p in problems),
            publication.behind,
        )
        freshness.write_stamp(plan.stamp_path, plan.inputs, settings.output, plan.watched, stamp)
    return BuildReport(
        built.written,
        built.unchanged,
        tuple(removed),
        tuple(held),
        tuple(problems),
        tuple(errors.values()),
        behind=publication.behind,
    )


def _prune(
    settings: Settings,
    plan: _Plan,
    present: set[str],
    *,
    written: tuple[str, ...],
    kept_locales: set[str],
    sources: set[str],
    kept_pages: frozenset[str] | set[str],
) -> list[Removed]:
    """Remove the outputs earlier builds wrote (as `<locale>/<path>`, recorded in the cache for
    this output directory and shard) that this one did not: their page or asset left the
    source, their locale is no longer built or configured, or their page is not published in
    it. Only files the build recorded writing are removed: never a file someone put there.
    Another configured locale's outputs, not built this time, and the outputs of pages that
    could not be built stay."""
    try:
        document = json.loads(files.read_file(plan.outputs_path))
        recorded = set(document["files"]) if document["output"] == plan.output else set()
    except (OSError, ValueError, TypeError, KeyError, PipelineError):
        recorded = set()
    removed: list[Removed] = []
    kept: set[str] = set()
    for entry in sorted(recorded - present):
        locale, _, name = entry.partition("/")
        if name in kept_pages or (
            locale not in written and locale in kept_locales and name in sources
        ):
            kept.add(entry)
            continue
        if locale not in kept_locales:
            reason = f"{locale} is no longer built"
        elif name not in sources:
            reason = "no longer in the source"
        else:
            reason = "not published"
        path = files.inside(settings.output, entry)
        if files.remove_and_prune(path, settings.output):
            removed.append(Removed(path, reason))
    now = present | kept
    if now != recorded:
        document = {"output": plan.output, "files": sorted(now)}
        with contextlib.suppress(OSError, PipelineError):  # only a later clean-up depends on it
            files.atomic_write(plan.outputs_path, json.dumps(document).encode(), durable=False)
    return removed
