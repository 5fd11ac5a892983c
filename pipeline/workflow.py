"""The commands' data paths: read files, run the stages in order, write results atomically.

extract (pages -> templates), update (templates -> catalogs), status and check read top to
bottom here; `build` has a module of its own (`incremental`). The stages are pure; `project`
knows where files live, `workers` runs a command's pages in parallel. `cli.py` only parses
options, calls one function here and prints.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import files, page_cache
from pipeline.catalog import SiteMemory, lends, merge, translation_memory
from pipeline.config import Settings
from pipeline.extract import template_text
from pipeline.model import Catalog, PipelineError
from pipeline.pofile import render_po, rendered_entries
from pipeline.project import (
    TEMPLATES_DIR,
    catalog_directory,
    catalog_path,
    catalogs_of,
    load_page,
    page_template,
    parse_catalog,
    read_catalog,
    template_path,
)
from pipeline.shard import WHOLE_SITE, Shard
from pipeline.workers import parallel, parallel_pairs

if TYPE_CHECKING:
    from pipeline.checks import Problem
    from pipeline.checks.core import ClaimMatcher, Grade, PageClaim, RenderedClaim, Severity
    from pipeline.status import CatalogStatus


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
    #: Files it removed (would remove): templates of pages that are gone.
    removed: tuple[str, ...] = ()

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


# --- extract and update ------------------------------------------------------------------------


def extract(
    settings: Settings, *, write: bool = True, jobs: int = 1, shard: Shard = WHOLE_SITE
) -> Outcome:
    """One template per page (of the shard); returns each template and whether it changed.
    The whole site's extract also removes the templates of pages that are gone (their
    catalogs stay: translations are never lost, and the site memory still offers them)."""
    all_pages = files.find_pages(settings.source)
    outcome = Outcome.of(parallel(_extract_page, (settings, write), shard.select(all_pages), jobs))
    if not shard.whole:  # a shard cannot tell another shard's template from a stray one
        return outcome
    orphans = orphaned(settings, TEMPLATES_DIR, ".pot", all_pages)
    if write:
        for path in orphans:
            files.remove_and_prune(path, settings.locales / TEMPLATES_DIR)
    return replace(outcome, removed=tuple(str(path) for path in orphans))


def orphaned(settings: Settings, directory: str, suffix: str, pages: list[str]) -> list[Path]:
    """The files `<locales>/<directory>/<stem><suffix>` whose page is not among `pages`."""
    root = settings.locales / directory
    if not root.is_dir():
        return []
    stems = {files.page_stem(page) for page in pages}
    return [
        files.inside(root, name)
        for name in files.find_pages_and_assets(root)[1]
        if name.endswith(suffix) and name[: -len(suffix)] not in stems
    ]


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
    or not, orphaned ones included; then each page is merged and written on its own, so no more
    than a page is held.
    """
    all_pages = files.find_pages(settings.source)
    pages = shard.select(all_pages)
    revision = _revision_date()

    def results() -> Iterator[FileChange | PipelineError]:
        for locale in locales:
            # Only catalogs that are there (none at a first run: then no workers to start),
            # those of pages that are gone included: a renamed page gets its text back.
            paths = [catalog_path(settings, locale, page) for page in all_pages]
            there = [path for path in paths if path.exists()]
            there += orphaned_catalogs(settings, (locale,), all_pages)
            read = parallel_pairs(_lent_only, None, there, jobs, count=len(there))
            directory = settings.locales / catalog_directory(locale)
            memory = translation_memory(  # named as a suggestion names them: `articles/x.po`
                {
                    path.relative_to(directory).as_posix(): catalog
                    for path, catalog in read
                    if isinstance(catalog, Catalog)  # a bad catalog is reported by its page
                }
            )
            context = _UpdateContext(settings, locale, memory, revision, write)
            yield from parallel(_update_page, context, pages, jobs)

    return Outcome.of(results())


@dataclass(frozen=True, slots=True)
class _UpdateContext:
    """What every page of a locale's update needs (sent once to each worker process)."""

    settings: Settings
    locale: str
    memory: SiteMemory
    revision: str
    write: bool


def _lent_only(_: None, path: Path) -> Catalog:
    """The translations of a catalog that the site memory lends (finished, fuzzy or obsolete)
    with their flags, translators' notes and `#|` (all the site memory needs), or none."""
    catalog = read_catalog(path)
    if catalog is None:
        return Catalog()
    return Catalog(
        messages=tuple(
            replace(m, references=(), extracted_comments=()) for m in catalog.messages if lends(m)
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
    template = parse_catalog(data, path)
    if not template.header:  # every template `extract` writes has one
        raise PipelineError(str(path), None, "template empty or cut short: run `extract` again")
    catalog = merge(
        template, previous, locale=locale, memory=context.memory, revision_date=context.revision
    )
    if locale in settings.pseudo_locales:
        from pipeline.pseudo import pseudo_catalog

        catalog = pseudo_catalog(catalog, locale=locale)
    known = rendered_entries(template, data.decode("utf-8-sig")) if rendered_here else None
    text = render_po(catalog, known=known)
    return _put(target, text.encode("utf-8"), context.write, durable=True)


def _put(path: Path, data: bytes, write: bool, *, durable: bool) -> FileChange:
    """Write `data` if it differs (or, without `write`, only tell whether it would)."""
    if write:
        return FileChange(path, files.atomic_write(path, data, durable=durable))
    return FileChange(path, not path.exists() or path.read_bytes() != data)


def _revision_date() -> str:
    """Now, or SOURCE_DATE_EPOCH for reproducible builds, in gettext's header format."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    stamp = time.gmtime(int(epoch)) if epoch and epoch.isdigit() else time.gmtime()
    return time.strftime("%Y-%m-%d %H:%M+0000", stamp)


# --- status and check --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatusReport:
    """The rows of the catalogs that could be counted, and the pages and catalogs that could
    not be read (each named by file and line): one bad file does not hide the others' progress."""

    rows: tuple[CatalogStatus, ...]
    errors: tuple[PipelineError, ...]


def status(
    settings: Settings, locales: tuple[str, ...], *, dashboard: Path | None = None
) -> StatusReport:
    """One row per page and locale; a missing catalog counts as all untranslated and stale.
    A page that cannot be read is named once (not once per locale) and has no rows."""
    from pipeline.status import behind, catalog_status

    rows = []
    errors: list[PipelineError] = []
    templates: dict[str, tuple[Catalog, bool] | PipelineError] = {}
    for locale, page, path in catalogs_of(settings, locales):
        if page not in templates:
            try:
                templates[page] = _template_state(settings, page)
            except PipelineError as error:
                templates[page] = error
                errors.append(error)
        state = templates[page]
        if isinstance(state, PipelineError):
            continue
        template, template_stale = state
        try:
            catalog = read_catalog(path)
        except PipelineError as error:
            errors.append(error)
            continue
        built = files.inside(settings.output, f"{locale}/{page}")
        url = None
        if dashboard is not None and built.exists():
            url = Path(os.path.relpath(built, dashboard.parent)).as_posix()
        rows.append(
            catalog_status(
                catalog,
                template=template,
                locale=locale,
                catalog_path=path.relative_to(settings.locales).as_posix(),
                source_path=page,
                stale=template_stale or behind(template, catalog),
                page_url=url,
            )
        )
    return StatusReport(tuple(rows), tuple(errors))


def orphaned_catalogs(
    settings: Settings, locales: tuple[str, ...], pages: list[str] | None = None
) -> list[Path]:
    """Catalogs whose page (among `pages`, default: the source's) is gone: kept (translations
    are never lost, and the site memory offers them to other pages), and listed so that
    someone decides."""
    if pages is None:
        pages = files.find_pages(settings.source)
    return [
        path
        for locale in locales
        for path in orphaned(settings, catalog_directory(locale).rstrip("/"), ".po", pages)
    ]


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
    #: The claims of the source pages, for the clinic: they fail no run (see `check`).
    source_claims: tuple[PageClaim, ...] = ()
    #: The same claims rendered faithfully in the translations, for the clinic too.
    rendered_claims: tuple[RenderedClaim, ...] = ()

    def failed(self, fail_on: str) -> bool:
        """Whether a problem is as severe as `fail_on` (a FAIL_ON key) or more."""
        return any(problem.severity in FAIL_ON[fail_on] for problem in self.problems)


#: `check --fail-on`: the severities that fail the run (exit 1); `warning`, the default, is
#: the strictest, as every problem fails; `never` only reports.
FAIL_ON: dict[str, tuple[Severity, ...]] = {
    "warning": ("error", "warning"),
    "error": ("error",),
    "never": (),
}


def check(
    settings: Settings, locales: tuple[str, ...], *, min_percent: float | None
) -> CheckReport:
    """Every problem of every catalog; unreadable catalogs are problems too. Apart from
    them, the claims of the source pages and their faithful renderings in the catalogs, which
    only the clinic may change: its decision, not a translation's problem, so no setting makes
    them fail the run."""
    # Imported here: the checks are the `check` command's alone, and every other command
    # starts faster without them (a no-op build is mostly start-up).
    from pipeline.checks import STALE_CHECK, Problem, ProjectChecks
    from pipeline.checks.catalog_file import bom_problems, gettext_problems
    from pipeline.checks.origin import check_origin
    from pipeline.status import CATCH_UP, differences, page_progress, reaches

    problems: list[Problem] = []
    rendered: list[RenderedClaim] = []
    unreadable = False
    project = ProjectChecks.load(
        settings.locales, locales, source_locale=settings.source_locale, grades=settings.severity
    )
    grades = project.grades
    templates: dict[str, Catalog | None] = {}  # None: the page could not be read
    for locale, page, path in catalogs_of(settings, locales):
        shown = str(path)
        if page not in templates:
            try:
                templates[page] = page_template(settings, page, load_page(settings, page))
            except PipelineError as error:  # named once, its catalogs left out
                templates[page] = None
                unreadable = True
                problems.append(
                    Problem(error.path, error.line or 0, "", "page", "error", error.message)
                )
        template = templates[page]
        if template is None:
            continue
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
        problems.extend(bom_problems(path) or gettext_problems(path))
        problems.extend(project.catalog(catalog, path=shown, locale=locale))
        rendered.extend(project.rendered(catalog, path=shown, locale=locale))
        missing, gone = differences(template, catalog)
        stale = grades.get(STALE_CHECK, "warning")
        if stale != "off" and (missing or gone):
            gaps = []
            if missing:
                gaps.append(f"{missing} of the page's messages missing, counted as untranslated")
            if gone:
                gaps.append(f"{gone} no longer on the page")
            problems.append(
                Problem(
                    shown,
                    1,
                    "",
                    STALE_CHECK,
                    stale,
                    f"behind its page {files.inside(settings.source, page)} "
                    f"({'; '.join(gaps)}): {CATCH_UP}",
                )
            )
        if min_percent is not None:
            translated, total, percent = page_progress(template, catalog)
            if not reaches(translated, total, min_percent):
                problems.append(
                    Problem(
                        shown,
                        1,
                        "",
                        "completeness",
                        "error",
                        f"{percent:.1f} % of words translated, below {min_percent:g} %",
                    )
                )
    return CheckReport(
        tuple(problems),
        unreadable,
        _claims_in_pages(settings, project.source_claims, grades),
        tuple(rendered),
    )


def _claims_in_pages(
    settings: Settings, matchers: tuple[ClaimMatcher, ...], grades: Mapping[str, Grade]
) -> tuple[PageClaim, ...]:
    """The source language's claims list matched in every source page, for the clinic."""
    from pipeline.checks import CLAIMS_CHECK
    from pipeline.checks.claims import claims_in_page

    if not matchers or grades.get(CLAIMS_CHECK) == "off":
        return ()
    found: list[PageClaim] = []
    for page in files.find_pages(settings.source):
        try:
            segmented = load_page(settings, page)
        except PipelineError:
            continue  # named among the problems
        path = str(files.inside(settings.source, page))
        found.extend(claims_in_page(segmented, path=path, matchers=matchers))
    return tuple(found)
