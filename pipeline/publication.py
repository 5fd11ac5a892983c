"""Which pages each locale publishes: the third phase of `build` (`pipeline.incremental`).

A locale's page is published when the words of the page as it is now that its catalog
translates reach the threshold. Counting means segmenting the page and reading the catalog,
so each count is recorded in the cache with both files' SHA-256 (`freshness.CATALOG_RECORDS`)
and made again only when one of them changed; the counts are made in the worker processes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import files, freshness, records
from pipeline.config import Settings
from pipeline.freshness import CATALOG_RECORDS, COUNTING
from pipeline.model import PipelineError
from pipeline.project import catalog_name, load_page, parse_catalog
from pipeline.status import reaches
from pipeline.workers import parallel_pairs


@dataclass(frozen=True, slots=True)
class HeldBack:
    locale: str
    page: str
    percent: float
    reason: str


@dataclass(frozen=True, slots=True)
class Publication:
    """Which pages each locale publishes, from each page's words its catalog translates."""

    published: dict[str, frozenset[str]]
    held: list[HeldBack]
    errors: list[PipelineError]
    #: How many catalogs are behind their pages (or missing).
    behind: int
    #: Pages that could not be read or segmented: not built, their outputs kept.
    unread: frozenset[str]


def publish(
    settings: Settings,
    locales: tuple[str, ...],
    all_pages: list[str],
    min_percent: float,
    jobs: int,
    *,
    record_directory: Path,
    started: int,
    page_shas: Mapping[str, str],
) -> Publication:
    """Each page's words and those its catalogs translate (recorded, or counted in parallel
    and recorded), and what they publish: a locale's page is published when the words of the
    page as it is now that its catalog translates reach `min_percent`.

    One piece because it is one pass over the catalog records, in page order: the generator
    judges each catalog its record vouches for and hands each page's others to the workers,
    whose counts the loop below records and judges as they come back, with the records open.
    """
    ordered = sorted(locales)
    catalog_tree = files.Tree(settings.locales)
    published: dict[str, set[str]] = {locale: set() for locale in locales}
    held: list[HeldBack] = []
    errors: list[PipelineError] = []
    behind = 0
    unread: set[str] = set(all_pages) - page_shas.keys()
    record_path = record_directory / CATALOG_RECORDS
    counting = f"{COUNTING} {settings.default_encoding}"

    def not_read(locale: str, page: str) -> None:
        """A page that could not be read or segmented keeps what it had: a version published
        before stays published (and linked) as it is, until the page can be read again."""
        if os.path.exists(os.path.join(settings.output, locale, page)):
            published[locale].add(page)
        else:
            held.append(HeldBack(locale, page, 0.0, "page not read"))

    def judge(locale: str, page: str, words: list[Any]) -> None:
        """Publish or hold back the page, from its record's [translated, total, percent,
        behind]."""
        nonlocal behind
        translated, total, percent, late = words
        behind += late
        if not reaches(translated, total, min_percent):
            held.append(HeldBack(locale, page, percent, f"{percent:.1f} % < {min_percent:g} %"))
        else:
            published[locale].add(page)

    with (
        records.Reader(record_path) as old,
        records.Spool(record_directory) as kept,
        records.Spool(record_directory) as counted,
    ):
        trust = freshness.recording_started(old) if old.header.get("counting") == counting else 0
        verified = 0  # records whose file was read again and found the same

        def unknown() -> Iterator[WordsJob]:
            """Each page with catalogs to count; the others are judged and recorded as they
            are."""
            nonlocal verified, behind
            for page in all_pages:
                page_sha = page_shas.get(page)
                to_count = []
                for locale in ordered:
                    name, status = catalog_tree.status(catalog_name(locale, page))
                    record = old.get([page, locale])
                    if page_sha is None:
                        not_read(locale, page)
                        continue
                    if status is None:
                        held.append(HeldBack(locale, page, 0.0, f"no catalog {name}"))
                        behind += 1
                        continue
                    signature = files.signature(status)
                    if record is not None and not (
                        freshness.catalog_record_fits(record)
                        and record[0] == name
                        and record[3] == page_sha
                        and trust
                    ):
                        record = None  # another page, layout, tree or way of counting
                    if record is not None and freshness.recorded_sha(
                        record[1:], signature, status, trust
                    ):
                        kept.keep(old.line)
                        judge(locale, page, record[4:])
                    elif record is not None and freshness.sha256_or_none(name) == record[1]:
                        # The bytes recorded (only the signature moved, or the record was made
                        # in the instant the file changed): hashed here, not parsed again.
                        kept.add([page, locale], name, record[1], signature, *record[3:])
                        judge(locale, page, record[4:])
                        verified += 1
                    else:
                        to_count.append((name, locale, signature))
                if to_count and page_sha is not None:
                    yield WordsJob(page, page_sha, tuple(to_count))

        results = parallel_pairs(page_words, settings, unknown(), jobs, count=len(all_pages))
        for job, words in results:
            if isinstance(words, PipelineError):  # the page itself could not be segmented
                errors.append(words)
                unread.add(job.page)
                for _, locale, _ in job.catalogs:
                    not_read(locale, job.page)
                continue
            for (name, locale, signature), counts in zip(job.catalogs, words, strict=True):
                if isinstance(counts, PipelineError):
                    errors.append(counts)
                    held.append(HeldBack(locale, job.page, 0.0, "catalog not read"))
                    continue
                counted.add([job.page, locale], name, counts[0], signature, *counts[1:])
                judge(locale, job.page, counts[2:])
        if counted.count or verified or old.stale or not record_path.exists():
            # Not only a cache: the pages are built from these records (a failure is an error).
            records.merge(record_path, {"started": started, "counting": counting}, kept, counted)
    rank = {locale: index for index, locale in enumerate(locales)}
    held.sort(key=lambda h: (rank[h.locale], h.page))
    return Publication(
        {k: frozenset(v) for k, v in published.items()}, held, errors, behind, frozenset(unread)
    )


@dataclass(frozen=True, slots=True)
class WordsJob:
    """A page whose catalogs' words are to be counted (picklable for worker processes)."""

    page: str
    page_sha: str
    #: (catalog path, locale, file signature) of each catalog to count.
    catalogs: tuple[tuple[str, str, str], ...]


def page_words(settings: Settings, job: WordsJob) -> list[list[Any] | PipelineError]:
    """For each catalog of the job's page: [catalog SHA-256, page SHA-256, the page's words
    the catalog translates, the page's words, percent, whether the catalog is behind the
    page], or the error that kept it from being read. The page is segmented once for all."""
    from pipeline import status
    from pipeline.project import page_template

    template = page_template(settings, job.page, load_page(settings, job.page))
    counted: list[list[Any] | PipelineError] = []
    for name, _, _ in job.catalogs:
        path = Path(name)
        try:
            data = files.read_bytes(path)
            catalog = parse_catalog(data, path)
        except PipelineError as error:
            counted.append(error)
            continue
        progress = status.page_progress(template, catalog)
        late = status.behind(template, catalog)
        counted.append([freshness.sha256(data), job.page_sha, *progress, late])
    return counted
