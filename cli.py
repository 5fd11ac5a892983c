"""Command line of the translation pipeline: parse options, call a workflow, print the result.

Exit codes: 0 success; 1 a check or threshold failed; 2 bad input or usage.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import replace
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from pipeline import checks, files, workflow
from pipeline import status as status_report
from pipeline.config import Settings, check_locale_code, load_settings
from pipeline.model import PipelineError

F = TypeVar("F", bound=Callable[..., Any])


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
    def wrapper(*args: Any, source: Path | None, locales: Path | None, **kwargs: Any) -> Any:
        try:
            settings = load_settings(Path("pyproject.toml"))
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
    if not codes:
        return settings.target_locales
    return tuple(check_locale_code(code, where="--locale") for code in codes)


def report_changes(changes: list[workflow.FileChange], *, check: bool, what: str) -> None:
    changed = [c for c in changes if c.changed]
    for change in changed:
        click.echo(f"{'would write' if check else 'wrote'} {change.path}")
    click.echo(f"{len(changes)} {what}, {len(changed)} changed", err=True)
    if check and changed:
        raise click.ClickException(f"{len(changed)} {what} out of date")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Translate the clinic's HTML pages through gettext catalogs."""


@main.command()
@common_options
@click.option("--check", "--dry-run", "check", is_flag=True, help="Write nothing; exit 1 if stale.")
def extract(settings: Settings, *, check: bool) -> None:
    """Extract every translatable string of each page into <locales>/templates/LC_MESSAGES/*.pot."""
    changes = workflow.extract(settings, write=not check)
    report_changes(changes, check=check, what="templates")


@main.command()
@common_options
@locale_option
@click.option("--check", "--dry-run", "check", is_flag=True, help="Write nothing; exit 1 if stale.")
def update(settings: Settings, *, locale_codes: tuple[str, ...], check: bool) -> None:
    """Merge the templates into each locale's catalogs, never losing a translation."""
    locales = chosen_locales(settings, locale_codes)
    changes = workflow.update(settings, locales, write=not check)
    report_changes(changes, check=check, what="catalogs")


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
@click.option("--html", "dashboard", type=click.Path(path_type=Path), help="Write a dashboard page.")
@click.option("--output", type=click.Path(path_type=Path), help="Built site, for dashboard links.")
def status(
    settings: Settings,
    *,
    locale_codes: tuple[str, ...],
    output_format: str,
    dashboard: Path | None,
    output: Path | None,
) -> None:
    """How much of each page is translated, fuzzy, untranslated or obsolete."""
    if output is not None:
        settings = replace(settings, output=output)
    rows = workflow.status(settings, chosen_locales(settings, locale_codes), dashboard=dashboard)
    if dashboard is not None:
        page = status_report.render_dashboard(rows, title="Translation status")
        files.atomic_write(dashboard, page.encode("utf-8"))
        click.echo(f"wrote {dashboard}", err=True)
    if output_format == "json":
        click.echo(status_report.render_json(rows), nl=False)
    elif output_format == "markdown":
        click.echo(status_report.render_markdown(rows), nl=False)
    else:
        color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        click.echo(status_report.render_table(rows, color=color), nl=False, color=color)


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
def check(
    settings: Settings,
    *,
    locale_codes: tuple[str, ...],
    min_percent: float | None,
    output_format: str,
) -> None:
    """Check every translation; exit 1 on any problem, 2 on an unreadable catalog."""
    report = workflow.check(settings, chosen_locales(settings, locale_codes), min_percent=min_percent)
    passed = not report.problems
    if output_format == "json":
        click.echo(checks.problems_to_json(report.problems, passed=passed))
    elif output_format == "github":
        if report.problems:
            click.echo(checks.format_github(report.problems))
    elif report.problems:
        click.echo(checks.format_text(report.problems), err=True)
    count = len(report.problems)
    if output_format != "json":
        click.echo(f"{count} problem{'s' * (count != 1)}" if count else "all checks passed", err=True)
    if report.unreadable:
        sys.exit(2)
    if not passed:
        sys.exit(1)


@main.command()
@common_options
@locale_option
@click.option("--output", type=click.Path(path_type=Path), help="Output directory (site/).")
@click.option("--min-percent", type=click.FloatRange(0, 100), help="Publish threshold in words.")
@click.option("--jobs", type=click.IntRange(min=1), help="Worker processes (default: all cores).")
@click.option("-v", "--verbose", is_flag=True, help="List every file written.")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems.")
def build(
    settings: Settings,
    *,
    locale_codes: tuple[str, ...],
    output: Path | None,
    min_percent: float | None,
    jobs: int | None,
    verbose: bool,
    quiet: bool,
) -> None:
    """Build <output>/<locale>/<page> for English and every published translation."""
    if output is not None:
        settings = replace(settings, output=output)
    locales = chosen_locales(settings, locale_codes)
    report = workflow.build(
        settings,
        locales,
        min_percent=settings.min_percent if min_percent is None else min_percent,
        jobs=jobs or os.cpu_count() or 1,
    )
    for problem in report.problems:
        click.echo(f"{problem}", err=True)
    if verbose:
        for path in report.written:
            click.echo(f"wrote {path}")
    for held in report.held_back:
        if not quiet:
            click.echo(f"held back {held.locale}/{held.page}: {held.reason}")
    for path in report.removed:
        if not quiet:
            click.echo(f"removed {path} (below the threshold)")
    if not quiet:
        click.echo(
            f"pages: {len(report.written)} written, {len(report.unchanged)} unchanged, "
            f"{len(report.held_back)} held back; problems: {len(report.problems)}"
        )


if __name__ == "__main__":
    sys.exit(main())
