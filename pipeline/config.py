"""Settings: `[tool.pipeline]` in pyproject.toml, overridden by command-line options."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.model import PipelineError

if TYPE_CHECKING:
    from pipeline.checks.core import Grade

#: Where `serve` listens: only this machine, as a preview server has no business answering the
#: network.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


@dataclass(frozen=True, slots=True)
class Settings:
    source: Path = Path("source_html")
    locales: Path = Path("locales")
    output: Path = Path("site")
    source_locale: str = "en"
    target_locales: tuple[str, ...] = ("ja",)
    min_percent: float = 80.0
    date_format: str = "long"
    base_url: str = ""
    #: Encoding assumed for a page that declares none and is not UTF-8 (None: refuse to guess).
    default_encoding: str | None = None
    project: str = "clinic-site"
    #: Locales that `update` fills with pseudo-translations (accented, padded, in ⟦ ⟧).
    pseudo_locales: tuple[str, ...] = ("qps",)
    #: What is kept between runs (segmented pages, file digests); safe to delete at any time.
    cache: Path = Path(".pipeline-cache")
    #: `[tool.pipeline.severity]`: (check, "error" | "warning" | "off") for checks graded
    #: otherwise than by default, sorted.
    severity: tuple[tuple[str, Grade], ...] = ()


_KEYS = {
    "source": Path,
    "locales": Path,
    "output": Path,
    "source_locale": str,
    "target_locales": tuple,
    "min_percent": float,
    "date_format": str,
    "base_url": str,
    "default_encoding": str,
    "project": str,
    "pseudo_locales": tuple,
    "cache": Path,
    "severity": dict,
}


def find_project(start: Path) -> Path | None:
    """The nearest directory at or above `start` whose pyproject.toml has a `[tool.pipeline]`
    table, as git and ruff find their roots; None when there is none (the defaults apply)."""
    for directory in (start, *start.parents):
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            tool = _read_toml(pyproject).get("tool")
            if isinstance(tool, dict) and "pipeline" in tool:
                return directory
    return None


def load_settings(pyproject: Path) -> Settings:
    """Settings from a pyproject.toml (defaults where it or its table is missing)."""
    if not pyproject.is_file():
        return Settings()
    data = _read_toml(pyproject)
    table: dict[str, Any] = data.get("tool", {}).get("pipeline", {})
    values: dict[str, Any] = {}
    for key, value in table.items():
        kind = _KEYS.get(key)
        if kind is None:
            raise PipelineError(str(pyproject), None, f"unknown setting [tool.pipeline] {key}")
        try:
            if kind is tuple:
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise TypeError
                values[key] = tuple(value)
            elif kind is float:
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise TypeError
                values[key] = float(value)
            elif kind is dict:
                from pipeline.checks import parse_grades  # the checks: only when graded here

                values[key] = parse_grades(value, where=str(pyproject))
            else:
                if not isinstance(value, str):
                    raise TypeError
                values[key] = kind(value)
        except TypeError:
            raise PipelineError(
                str(pyproject), None, f"[tool.pipeline] {key} has the wrong type"
            ) from None
    pseudo = values.get("pseudo_locales", Settings().pseudo_locales)
    for locale in (*values.get("target_locales", ()), *pseudo):
        check_locale_code(locale, where=str(pyproject), pseudo=pseudo)
    return replace(Settings(), **values)


def check_locale_code(code: str, *, where: str, pseudo: tuple[str, ...] = ()) -> None:
    """A locale code is a directory name (letters, digits, `_`, `-`, `@` only) and, unless it
    is one of the `pseudo` locales, a locale Babel knows as written: a mistyped code would
    start a catalog tree and a part of the site of its own."""
    if not code or not all(c.isascii() and (c.isalnum() or c in "_-@") for c in code):
        raise PipelineError(where, None, f"invalid locale code {code!r}")
    if code not in pseudo:
        from pipeline.locale_codes import unknown_locale

        if (problem := unknown_locale(code)) is not None:
            raise PipelineError(where, None, problem)


def _read_toml(pyproject: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise PipelineError(str(pyproject), _toml_line(error), f"invalid TOML: {error}") from None
    except OSError as error:
        raise PipelineError(str(pyproject), None, f"cannot read: {error.strerror}") from None


def _toml_line(error: Exception) -> int | None:
    lineno = getattr(error, "lineno", None)
    return lineno if isinstance(lineno, int) else None
