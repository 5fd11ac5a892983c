"""Paths: nothing in the tree (a page, a catalog, a link, a locale name) makes the pipeline read
or write outside its source, locales and output directories.

Each test plants a symbolic link or a name pointing at `outside/`, runs the real CLI, and checks
that `outside/` is byte for byte as it was and that its secret never shows up in what was written.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline import files
from pipeline.config import Settings
from pipeline.model import PipelineError
from pipeline.project import template_path
from tests.reliability import (
    assert_bad_input,
    assert_clean,
    digest,
    invoke,
    japanese,
    site_with_catalogs,
    translate,
)

SECRET = "TOP-SECRET-DO-NOT-LEAK"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "tree"
    root.mkdir()
    outside = tmp_path / "outside"
    (outside / "dir").mkdir(parents=True)
    for name in ("secret.html", "dir/secret.html", "secret.po", "victim.html"):
        (outside / name).write_text(
            f"<html><body><p>{SECRET}</p></body></html>\n", encoding="utf-8"
        )
    catalogs = site_with_catalogs(root, monkeypatch)
    for catalog in catalogs:
        translate(catalog, japanese)
    assert_clean(invoke("build", "--jobs", "1"), 0)
    return root


def outside_of(root: Path) -> Path:
    return root.parent / "outside"


def assert_nothing_leaked(root: Path, before: dict[str, str]) -> None:
    assert digest(outside_of(root)) == before
    for path in root.rglob("*"):
        if (
            path.is_file()
            and not path.is_symlink()
            and not str(path).startswith(str(root / "source_html"))
        ):
            assert SECRET.encode() not in path.read_bytes(), path


def test_page_linked_to_a_file_outside_is_skipped(site: Path) -> None:
    os.symlink(outside_of(site) / "secret.html", site / "source_html/evil.html")
    os.symlink(outside_of(site) / "dir", site / "source_html/evil-dir")
    before = digest(outside_of(site))
    assert files.find_pages(site / "source_html") == ["index.html", "other.html"]
    for command in (["extract"], ["update"], ["build", "--jobs", "1"], ["status"]):
        assert_clean(invoke(*command), 0)
    assert not (site / template_path(Settings(), "evil.html")).exists()
    assert_nothing_leaked(site, before)


def test_page_linked_inside_the_tree_is_a_page(site: Path) -> None:
    os.symlink(site / "source_html/other.html", site / "source_html/alias.html")
    assert "alias.html" in files.find_pages(site / "source_html")


def test_catalog_directory_linked_outside_is_refused(site: Path) -> None:
    ja = site / "locales/ja"
    ja.rename(site / "ja-moved")
    os.symlink(outside_of(site) / "dir", ja)
    before = digest(outside_of(site))
    for command in (["update"], ["build", "--jobs", "1"], ["status"], ["check"]):
        result = invoke(*command)
        assert_clean(result, 2)
        assert result.stderr.startswith("locales/ja/"), result.stderr  # a catalog or glossary
        assert "leads outside" in result.stderr
    assert_nothing_leaked(site, before)


def test_catalog_file_linked_outside_is_refused(site: Path) -> None:
    catalog = site / "locales/ja/LC_MESSAGES/index.po"
    catalog.unlink()
    os.symlink(outside_of(site) / "secret.po", catalog)
    before = digest(outside_of(site))
    for command in (["update"], ["build", "--jobs", "1"], ["status"], ["check"]):
        assert_bad_input(invoke(*command), str(catalog.relative_to(site)), None, "leads outside")
    assert_nothing_leaked(site, before)


def test_templates_directory_linked_outside_is_refused(site: Path) -> None:
    templates = site / "locales/templates"
    templates.rename(site / "templates-moved")
    os.symlink(outside_of(site) / "dir", templates)
    before = digest(outside_of(site))
    for command in ("extract", "update"):
        result = invoke(command)
        assert_clean(result, 2)
        assert result.stderr.startswith("locales/templates/"), result.stderr
        assert "leads outside" in result.stderr
    assert_nothing_leaked(site, before)


def test_output_locale_directory_linked_outside_is_refused(site: Path) -> None:
    (site / "site/ja/index.html").write_text("changed so the build rewrites it", encoding="utf-8")
    (site / "site/ja").rename(site / "ja-built")
    os.symlink(outside_of(site) / "dir", site / "site/ja")
    before = digest(outside_of(site))
    result = invoke("build", "--jobs", "1")
    assert_clean(result, 2)
    assert "leads outside" in result.stderr
    assert_nothing_leaked(site, before)


def test_output_page_linked_outside_is_not_written_through(site: Path) -> None:
    page = site / "site/ja/index.html"
    page.unlink()
    os.symlink(outside_of(site) / "victim.html", page)
    before = digest(outside_of(site))
    result = invoke("build", "--jobs", "1")
    assert_clean(result, 2)
    assert "site/ja/index.html" in result.stderr and "leads outside" in result.stderr
    assert_nothing_leaked(site, before)


def test_manifest_linked_outside_is_replaced_not_written_through(site: Path) -> None:
    manifest = next((site / ".pipeline-cache").glob("manifest*.jsonl"))
    manifest.unlink()
    os.symlink(outside_of(site) / "victim.html", manifest)
    (site / "source_html/index.html").write_text("<p>Changed.</p>", encoding="utf-8")
    before = digest(outside_of(site))
    assert_clean(invoke("extract"), 0)
    assert_clean(invoke("build", "--jobs", "1", "--min-percent", "0"), 0)
    assert not manifest.is_symlink()
    assert_nothing_leaked(site, before)


def test_lock_file_linked_outside_is_refused(site: Path) -> None:
    lock = site / "locales" / files.LOCK_NAME
    lock.unlink(missing_ok=True)
    target = outside_of(site) / "created-by-lock"
    os.symlink(target, lock)
    before = digest(outside_of(site))
    assert_bad_input(invoke("update"), str(lock.relative_to(site)), None, "cannot lock")
    assert not target.exists()
    assert digest(outside_of(site)) == before


def test_output_through_a_symlink_writes_only_there(site: Path) -> None:
    """--output naming a link is the user's choice of directory: everything lands inside it."""
    real = site.parent / "real-output"
    real.mkdir()
    os.symlink(real, site / "out-link")
    before = digest(outside_of(site))
    tree_before = digest(site / "source_html", site / "locales")
    assert_clean(invoke("build", "--jobs", "1", "--output", "out-link"), 0)
    assert (real / "ja/index.html").is_file() and (real / "en/index.html").is_file()
    assert digest(site / "source_html", site / "locales") == tree_before
    assert_nothing_leaked(site, before)


@pytest.mark.parametrize("code", ["../outside", "/tmp/x", "ja/../..", "..", "ja\\..", ""])
def test_locale_names_cannot_be_paths(site: Path, code: str) -> None:
    before = digest(outside_of(site))
    result = invoke("update", "--locale", code)
    assert_clean(result, 2)
    assert "invalid locale code" in result.stderr
    (site / "pyproject.toml").write_text(
        f"[tool.pipeline]\ntarget_locales = [{code!r}]\n".replace("'", '"').replace("\\", "\\\\"),
        encoding="utf-8",
    )
    result = invoke("update")
    assert_clean(result, 2)
    assert "invalid locale code" in result.stderr
    assert digest(outside_of(site)) == before


@pytest.mark.parametrize("relative", ["../x.html", "/etc/passwd", "a/../../x", "./../x"])
def test_inside_refuses_names_that_leave_the_root(tmp_path: Path, relative: str) -> None:
    with pytest.raises(PipelineError, match=r"leaves|outside"):
        files.inside(tmp_path, relative)


def test_a_listed_output_is_what_its_status_says(tmp_path: Path) -> None:
    """The build looks outputs up in directory listings; links still go through the checks."""
    root = tmp_path / "site"
    (root / "ja").mkdir(parents=True)
    (root / "ja/page.html").write_text("x")
    (root / "ja/inside.html").symlink_to(root / "ja/page.html")
    (root / "ja/outside.html").symlink_to(tmp_path / "secret.html")
    (root / "ja/folder.html").mkdir()
    tree = files.Tree(root)
    for name in ("page.html", "inside.html", "missing.html", "folder.html"):
        path, status = tree.status(f"ja/{name}")
        assert tree.listed(f"ja/{name}") == (path, status is not None)
    with pytest.raises(PipelineError, match="leads outside"):
        tree.listed("ja/outside.html")
    assert tree.listed("nowhere/page.html") == (f"{root}/nowhere/page.html", False)
