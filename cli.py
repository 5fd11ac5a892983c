"""Command line of the translation pipeline: parse options, call a workflow, print the result.

Exit codes: 0 success; 1 a check or threshold failed; 2 bad input or usage; 130 interrupted.

What a command was asked for goes to stdout: JSON, tables, Markdown, check's problems, the files
that extract and update write or remove (and build's, with -v), the preview's address. The rest
goes to stderr: summaries (`2 templates, 1 changed`; build's `pages: …`, `held back …`,
`removed …`), progress, notes (`status --html`'s `wrote FILE`), waiting for a lock, and errors
(`path:line: message`). So `> file` keeps the data, and the terminal the talk.

Settings come from the nearest pyproject.toml with `[tool.pipeline]` at or above the current
directory, and their paths are relative to it; paths typed as options are relative to the
current directory.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

try:
    import click

    from pipeline import files, workflow
    from pipeline.config import (
        DEFAULT_HOST,
        DEFAULT_PORT,
        Settings,
        check_locale_code,
        find_project,
        load_settings,
    )
    from pipeline.locale_codes import language_of
    from pipeline.model import PipelineError
    from pipeline.shard import WHOLE_SITE, Shard, parse_shard
except ModuleNotFoundError as missing:  # run with a Python outside the project's venv
    if missing.name not in ("click", "babel", "rich", "pipeline"):
        raise
    print(
        f"cli.py: no module {missing.name!r} in {sys.executable}: run `make setup`, then "
        "`.venv/bin/python cli.py …` (or `pip install -e .` into this Python)",
        file=sys.stderr,
    )
    raise SystemExit(2) from None

F = TypeVar("F", bound=Callable[..., Any])
#: The package's name, for --version.
DISTRIBUTION = "clinic-i18n-pipeline"
#: `build` shows a progress bar (on a terminal) from this many pages on.
PROGRESS_MIN_PAGES = 2


class BadInput(click.ClickException):
    """Bad input named by file and line: printed as `path:line: message`, exit 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(self.format_message(), err=True)


def common_options(command: F) -> F:
    """--source/--locales on every command; settings come from pyproject.toml, then options."""

    @click.option("--source", type=click.Path(path_type=Path), help="Directory of English pages.")
    @click.option("--locales", type=click.Path(path_type=Path), help="Directory of catalogs.")
    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            here = Path.cwd()
            root = find_project(here)
            if root is not None and root != here:
                # Run from the project's root, as from there, with the options' paths kept
                # relative to where they were typed.
                kwargs = {k: here / v if isinstance(v, Path) else v for k, v in kwargs.items()}
                os.chdir(root)
            settings = Settings() if root is None else load_settings(Path("pyproject.toml"))
            source, locales = kwargs.pop("source"), kwargs.pop("locales")
            if source is not None:
                settings = replace(settings, source=source)
            if locales is not None:
                settings = replace(settings, locales=locales)
            return command(settings, *args, **kwargs)
        except PipelineError as error:
            raise BadInput(str(error)) from None

    return wrapper  # type: ignore[return-value]


def locale_option(command: F) -> F:
    return click.option(
        "--locale",
        "locale_codes",
        multiple=True,
        help="Target locale (repeatable); default: target_locales from pyproject.toml.",
    )(command)


def chosen_locales(settings: Settings, codes: tuple[str, ...]) -> tuple[str, ...]:
    """The --locale codes (checked), else the configured ones, each once. A code that Babel
    knows but that is not configured, while one of its language is (`ja_JP` beside `ja`), gets
    a note: its catalogs are a tree of their own, named as typed."""
    if not codes:
        return tuple(dict.fromkeys(settings.target_locales))
    codes = tuple(dict.fromkeys(codes))  # `--locale ja --locale ja` is ja once
    configured = (*settings.target_locales, *settings.pseudo_locales)
    for code in codes:
        check_locale_code(code, where="--locale", pseudo=settings.pseudo_locales)
        near = [c for c in configured if language_of(c) == language_of(code)]
        if code not in configured and near:
            click.echo(
                f"note: {code} is not in target_locales: its catalogs are "
                f"{settings.locales / code}/, apart from those of {near[0]}",
                err=True,
            )
    return codes


def report_changes(outcome: workflow.Outcome, *, check: bool, what: str) -> None:
    changed = outcome.changed
    show_bad_input(outcome.errors)
    for path in changed:
        click.echo(f"{'would write' if check else 'wrote'} {path}")
    for path in outcome.removed:
        click.echo(f"{'would remove' if check else 'removed'} {path} (its page is gone)")
    removed = f", {len(outcome.removed)} removed" if outcome.removed else ""
    click.echo(f"{counted(outcome.looked_at, what)}, {len(changed)} changed{removed}", err=True)
    if outcome.errors:
        raise click.exceptions.Exit(BadInput.exit_code)
    if check and (changed or outcome.removed):
        fix = f"python cli.py {click.get_current_context().info_name}"
        stale = counted(len(changed) + len(outcome.removed), what)
        raise click.ClickException(f"{stale} out of date: run `{fix}`")


def counted(count: int, noun: str) -> str:
    """`1 template`, `2 templates` (`noun` is the plural)."""
    return f"{count} {noun if count != 1 else noun.removesuffix('s')}"


def show_bad_input(errors: tuple[PipelineError, ...]) -> None:
    """Name every input that was left alone, one `path:line: message` each."""
    for error in errors:
        click.echo(str(error), err=True)


@contextmanager
def writing(directory: Path, *, write: bool = True, if_writable: bool = False) -> Iterator[None]:
    """One writing run at a time per tree it writes: a second says at once that it waits,
    waits, then fails with exit 2. extract and update lock the catalog tree; build, which only
    reads it, locks the cache that holds its records (a cache it cannot write, it does
    without: then it keeps no records, and has nothing to guard)."""
    if not write:
        yield
        return
    with files.tree_lock(
        directory, waiting=lambda message: click.echo(message, err=True), if_writable=if_writable
    ):
        yield


class Commands(click.Group):
    """The commands, with Ctrl-C reported as `interrupted`, exit 130 (128 + SIGINT), as shells
    do; click's own is `Aborted!` and exit 1, which a script cannot tell from a failed check."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            raise click.exceptions.Exit(130) from None


def show_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """--version: the installed package's, else (a checkout never installed) pyproject's."""
    if not value or ctx.resilient_parsing:
        return
    from importlib.metadata import PackageNotFoundError, version

    try:
        number = version(DISTRIBUTION)
    except PackageNotFoundError:  # run from a checkout that was never installed
        import tomllib

        pyproject = Path(__file__).with_name("pyproject.toml").read_text(encoding="utf-8")
        number = tomllib.loads(pyproject)["project"]["version"]
    click.echo(f"{DISTRIBUTION} {number}")
    ctx.exit()


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=show_version,
    help="Show the version and exit.",
)
def main() -> None:
    """Translate the clinic's HTML pages through gettext catalogs."""


def _shard(ctx: click.Context, param: click.Parameter, value: str | None) -> Shard:
    if value is None:
        return WHOLE_SITE
    try:
        return parse_shard(value)
    except PipelineError as error:
        raise click.BadParameter(error.message) from None


def shard_option(command: F) -> F:
    return click.option(
        "--shard",
        callback=_shard,
        metavar="K/N",
        help="Only the K-th of N deterministic shares of the pages (for a CI matrix).",
    )(command)


def _all_cores(ctx: click.Context, param: click.Parameter, value: int | None) -> int:
    return value or os.cpu_count() or 1


def jobs_option(command: F) -> F:
    return click.option(
        "--jobs",
        type=click.IntRange(min=1),
        callback=_all_cores,
        help="Worker processes (default: all cores).",
    )(command)


@main.command()
@common_options
@click.option("--check", "--dry-run", "check", is_flag=True, help="Write nothing; exit 1 if stale.")
@jobs_option
@shard_option
def extract(settings: Settings, *, check: bool, jobs: int, shard: Shard) -> None:
    """Extract every translatable string of each page into <locales>/templates/LC_MESSAGES/*.pot."""
    files.require_pages(settings.source)
    with writing(settings.locales, write=not check):
        outcome = workflow.extract(settings, write=not check, jobs=jobs, shard=shard)
    report_changes(outcome, check=check, what="templates")


@main.command()
@common_options
@locale_option
@click.option("--check", "--dry-run", "check", is_flag=True, help="Write nothing; exit 1 if stale.")
@jobs_option
@shard_option
def update(
    settings: Settings,
    *,
    locale_codes: tuple[str, ...],
    check: bool,
    jobs: int,
    shard: Shard,
) -> None:
    """Merge the templates into each locale's catalogs, never losing a translation."""
    locales = chosen_locales(settings, locale_codes)
    with writing(settings.locales, write=not check):
        outcome = workflow.update(settings, locales, write=not check, jobs=jobs, shard=shard)
    report_changes(outcome, check=check, what="catalogs")


@main.command()
@common_options
@locale_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "markdown"]),
    default="table",
    show_default=True,
)
@click.option(
    "--html", "dashboard", type=click.Path(path_type=Path), help="Write a dashboard page."
)
@click.option("--output", type=click.Path(path_type=Path), help="Built site, for dashboard links.")
def status(
    settings: Settings,
    *,
    locale_codes: tuple[str, ...],
    output_format: str,
    dashboard: Path | None,
    output: Path | None,
) -> None:
    """How much of each page is translated, fuzzy, untranslated or obsolete.

    A page or catalog that cannot be read is named on stderr after the report of all the
    others, and the command exits 2."""
    if output is not None:
        settings = replace(settings, output=output)
    from pipeline import status as status_report  # the renderers: only this command

    locales = chosen_locales(settings, locale_codes)
    report = workflow.status(settings, locales, dashboard=dashboard)
    rows = report.rows
    orphaned = workflow.orphaned_catalogs(settings, locales)
    for orphan in orphaned:
        click.echo(f"orphaned {orphan}: its page is gone; kept for the site memory", err=True)
    if dashboard is not None:
        page = status_report.render_dashboard(rows, title="Translation status")
        files.atomic_write(dashboard, page.encode("utf-8"))
        click.echo(f"wrote {dashboard}", err=True)
    if output_format == "json":
        names = [path.relative_to(settings.locales).as_posix() for path in orphaned]
        click.echo(status_report.render_json(rows, orphaned=names), nl=False)
    elif output_format == "markdown":
        click.echo(status_report.render_markdown(rows), nl=False)
    else:
        color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        click.echo(status_report.render_table(rows, color=color), nl=False, color=color)
    show_bad_input(report.errors)
    if report.errors:
        raise click.exceptions.Exit(BadInput.exit_code)


@main.command()
@common_options
@locale_option
@click.option("--min-percent", type=click.FloatRange(0, 100), help="Fail below N % translated.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
)
@click.option(
    "--fail-on",
    type=click.Choice(list(workflow.FAIL_ON)),
    default="warning",
    show_default=True,
    help="Exit 1 on a problem this severe or more (never: only report).",
)
def check(
    settings: Settings,
    *,
    locale_codes: tuple[str, ...],
    min_percent: float | None,
    output_format: str,
    fail_on: str,
) -> None:
    """Check every translation; exit 1 on a problem (see --fail-on), 2 on an unreadable catalog.
    The claims of the English pages, and the translations that render them faithfully, are
    listed apart, for the clinic, and fail nothing."""
    from pipeline import checks  # only this command renders problems
    from pipeline.locale_codes import english_name

    report = workflow.check(
        settings, chosen_locales(settings, locale_codes), min_percent=min_percent
    )
    failed = report.failed(fail_on)
    passed = not failed and not report.unreadable
    language = english_name(settings.source_locale)
    if output_format == "json":
        click.echo(
            checks.problems_to_json(
                report.problems,
                passed=passed,
                source_claims=report.source_claims,
                rendered_claims=report.rendered_claims,
            )
        )
    elif output_format == "github":
        shown = [
            checks.format_github(report.problems),
            checks.format_notices(report.source_claims, report.rendered_claims),
        ]
        if any(shown):
            click.echo("\n".join(part for part in shown if part))
    else:
        shown = [
            checks.format_text(report.problems),
            checks.format_source_claims(report.source_claims, language=language),
            checks.format_rendered_claims(report.rendered_claims, language=language),
        ]
        if any(shown):
            click.echo("\n\n".join(part for part in shown if part))
    count = len(report.problems)
    if output_format != "json":
        summary = f"{count} problem{'s' * (count != 1)}" if count else "all checks passed"
        if count and passed:
            summary += f", none failing with --fail-on {fail_on}"
        claims, rendered = len(report.source_claims), len(report.rendered_claims)
        if claims or rendered:
            summary += f"; {claims} claim{'s' * (claims != 1)} in the {language} pages"
            if rendered:
                summary += f" and {rendered} in the translations"
            summary += ", for the clinic"
        click.echo(summary, err=True)
    if report.unreadable:
        sys.exit(2)
    if failed:
        sys.exit(1)


@main.command()
@common_options
@locale_option
@click.option("--output", type=click.Path(path_type=Path), help="Output directory (site/).")
@click.option("--min-percent", type=click.FloatRange(0, 100), help="Publish threshold in words.")
@jobs_option
@shard_option
@click.option("-v", "--verbose", is_flag=True, help="List every file written.")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems.")
@click.option(
    "--review",
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="Also write a review copy into DIR: every page, each text marked with its state and "
    "catalog line.",
)
def build(
    settings: Settings,
    *,
    locale_codes: tuple[str, ...],
    output: Path | None,
    min_percent: float | None,
    jobs: int,
    shard: Shard,
    verbose: bool,
    quiet: bool,
    review: Path | None,
) -> None:
    """Build <output>/<locale>/<page> for English and every published translation."""
    from pipeline import incremental  # the build's modules: only this command

    if output is not None:
        settings = replace(settings, output=output)
    locales = chosen_locales(settings, locale_codes)
    files.require_pages(settings.source)
    if review is not None:
        if not shard.whole:
            raise click.UsageError("--review reviews the whole site: leave out --shard")
        from pipeline.review import check_directory, write_review  # only with --review

        check_directory(settings, review)  # before anything is written
    with (
        writing(settings.cache, if_writable=True),
        progress_bar(shown=not quiet and not verbose) as tick,  # -v lists pages as they come
    ):
        report = incremental.build(
            settings,
            locales,
            min_percent=settings.min_percent if min_percent is None else min_percent,
            jobs=jobs,
            progress=tick,
            shard=shard,
            on_written=(lambda path: click.echo(f"wrote {path}")) if verbose else None,
        )
        reviewed = None
        if review is not None:
            held_back = {(h.locale, h.page): h.reason for h in report.held_back}
            reviewed = write_review(settings, locales, review, jobs=jobs, held_back=held_back)
    show_bad_input(report.errors)
    for problem in report.problems:
        click.echo(f"{problem}", err=True)
    for held in report.held_back:
        if not quiet:
            click.echo(f"held back {held.locale}/{held.page}: {held.reason}", err=True)
    for removed in report.removed:
        if not quiet:
            click.echo(f"removed {removed.path} ({removed.reason})", err=True)
    if report.behind:
        from pipeline.status import CATCH_UP

        behind = (
            "1 catalog is behind its page"
            if report.behind == 1
            else f"{report.behind} catalogs are behind their pages"
        )
        click.echo(f"{behind} (text a catalog lacks counts as untranslated): {CATCH_UP}", err=True)
    if not quiet:
        errors = f", unreadable: {len(report.errors)}" if report.errors else ""
        click.echo(
            f"pages: {report.written} written, {report.unchanged} unchanged, "
            f"{len(report.held_back)} held back; problems: {len(report.problems)}{errors}",
            err=True,
        )
    if review is not None and reviewed is not None:
        shown = {str(error) for error in report.errors}  # a bad page is named once
        show_bad_input(tuple(e for e in reviewed.errors if str(e) not in shown))
        for path in reviewed.written if verbose else ():
            click.echo(f"wrote {path}")
        if not quiet:
            click.echo(
                f"review: {len(reviewed.pages)} pages reviewed in {', '.join(locales)}, "
                f"{len(reviewed.written)} files written; open {review / 'index.html'}",
                err=True,
            )
    if report.errors or (reviewed is not None and reviewed.errors):
        raise click.exceptions.Exit(BadInput.exit_code)


@contextmanager
def progress_bar(*, shown: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A bar on stderr while pages are built, only on a terminal and for more than a few.

    The build says how many pages it rebuilds with its first tick, so the bar costs no extra
    walk of the source tree.
    """
    if not shown or not sys.stderr.isatty():
        yield None
        return
    with ExitStack() as stack:
        bar: Any = None

        def tick(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                if total < PROGRESS_MIN_PAGES:
                    return
                bar = stack.enter_context(
                    click.progressbar(length=total, label="building", file=sys.stderr)
                )
            bar.update(done)

        yield tick


@main.command()
@common_options
@click.option("--output", type=click.Path(path_type=Path), help="Built site (default: site/).")
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True)
@click.option("--bind", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option("-v", "--verbose", is_flag=True, help="Log every request.")
def serve(settings: Settings, *, output: Path | None, port: int, bind: str, verbose: bool) -> None:
    """Preview the built site at http://127.0.0.1:PORT/ (Ctrl-C stops)."""
    directory = settings.output if output is None else output
    if not directory.is_dir():
        raise click.UsageError(f"{directory}: no built site here; run `build` first")
    from pipeline.serve import preview_server, server_url  # http.server: only this command

    try:
        server = preview_server(
            directory, source_locale=settings.source_locale, host=bind, port=port, verbose=verbose
        )
    except OSError as error:
        raise click.UsageError(f"cannot listen on {bind}:{port}: {error.strerror}") from None
    click.echo(f"serving {directory} at {server_url(server)}")
    sys.stdout.flush()
    with server:
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            click.echo("stopped", err=True)


if __name__ == "__main__":
    sys.exit(main())
