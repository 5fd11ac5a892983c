"""The page cache: a hit gives exactly what segmenting gives; anything else is a miss."""

from __future__ import annotations

import marshal
import os
import time
from pathlib import Path

import pytest

from pipeline import files, freshness, incremental, page_cache
from pipeline.html import Attribute, decode_page
from pipeline.segments import segment_page
from tests.reliability import (
    assert_clean,
    invoke,
    japanese,
    site_with_catalogs,
    translate,
    write_site,
)

HERE = Path(__file__).parent
PAGES = sorted([*(HERE / "nasty").glob("*.html"), *(HERE.parent / "source_html").rglob("*.html")])


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_a_hit_is_what_segmenting_gives(path: Path, tmp_path: Path) -> None:
    source = decode_page(path.read_bytes(), path=str(path), default_encoding="cp1252")
    segmented = segment_page(source)
    page_cache.store(tmp_path, "a/page.html", segmented, "cp1252")
    assert page_cache.load(tmp_path, "a/page.html", source, "cp1252") == segmented
    assert (tmp_path / ".gitignore").read_text().splitlines()[-1] == "*"


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_rows_unpack_to_the_segments_they_were_packed_from(path: Path) -> None:
    """pack, marshal and unpack give back equal segments, with their own types."""
    source = decode_page(path.read_bytes(), path=str(path), default_encoding="cp1252")
    segmented = segment_page(source)
    rows = page_cache._pack(segmented)
    assert marshal.loads(marshal.dumps(rows)) == rows
    back = page_cache._unpack(source, rows)
    assert back == segmented
    assert [type(a) for a in back.hrefs] == [Attribute] * len(segmented.hrefs)
    assert [type(a) for a in back.resources] == [Attribute] * len(segmented.resources)


@pytest.mark.parametrize(
    "rows",
    [
        ("not", "rows"),
        (("text", 0, 1, 1, "a", None, (), "no placeholders", ""),),
        (("text", 0, 1, 1, "a", None, (), ((1, "pair"),), ""),),
        (("text", 0, 1),),
    ],
)
def test_rows_of_another_shape_are_a_miss(tmp_path: Path, rows: tuple[object, ...]) -> None:
    page = b"<html><head><meta charset=utf-8></head><body><p>One.</p></body></html>"
    source = decode_page(page, path="p.html")
    segmented = segment_page(source)
    page_cache.store(tmp_path, "p.html", segmented, None)
    entry = tmp_path / "segments/p.html.bin"
    head = entry.read_bytes()[:32]  # the key and the template's digest
    packed = list(page_cache._pack(segmented))
    packed[0] = rows
    payload = marshal.dumps(tuple(packed))  # with its own digest: the rows themselves are judged
    entry.write_bytes(head + page_cache._payload_digest(payload) + payload)
    assert page_cache.load(tmp_path, "p.html", source, None) is None


def test_a_changed_page_or_setting_is_a_miss(tmp_path: Path) -> None:
    page = b"<!DOCTYPE html><html><head><meta charset=utf-8></head><body><p>One.</p></body></html>"
    source = decode_page(page, path="p.html")
    page_cache.store(tmp_path, "p.html", segment_page(source), None)
    changed = decode_page(page.replace(b"One", b"Two"), path="p.html")
    assert page_cache.load(tmp_path, "p.html", changed, None) is None
    assert page_cache.load(tmp_path, "p.html", source, "cp1252") is None
    assert page_cache.load(tmp_path, "other.html", source, None) is None
    assert page_cache.load(tmp_path, "p.html", source, None) is not None


@pytest.mark.parametrize("damage", [b"", b"\x00garbage", b"truncated"])
def test_a_damaged_entry_is_a_miss(tmp_path: Path, damage: bytes) -> None:
    page = b"<html><head><meta charset=utf-8></head><body><p>One.</p></body></html>"
    source = decode_page(page, path="p.html")
    page_cache.store(tmp_path, "p.html", segment_page(source), None)
    entry = tmp_path / "segments/p.html.bin"
    entry.write_bytes(entry.read_bytes()[:20] if damage == b"truncated" else damage)
    assert page_cache.load(tmp_path, "p.html", source, None) is None


def test_an_entry_notes_its_template_and_is_written_once(tmp_path: Path) -> None:
    """extract keeps a page's segments and its template's digest in one file, and does not
    write an entry that already holds both."""
    page = b"<html><head><meta charset=utf-8></head><body><p>One.</p></body></html>"
    source = decode_page(page, path="p.html")
    segmented = segment_page(source)
    page_cache.store(tmp_path, "p.html", segmented, None)
    assert not page_cache.rendered_here(tmp_path, "p.html", b"template")
    page_cache.store(tmp_path, "p.html", segmented, None, template=b"template")
    assert page_cache.rendered_here(tmp_path, "p.html", b"template")
    assert not page_cache.rendered_here(tmp_path, "p.html", b"another template")
    assert not page_cache.rendered_here(tmp_path, "other.html", b"template")
    entry = tmp_path / "segments/p.html.bin"
    written = entry.stat().st_mtime_ns
    os.utime(entry, ns=(written - 10**9, written - 10**9))
    page_cache.store(tmp_path, "p.html", segmented, None, template=b"template")
    assert entry.stat().st_mtime_ns == written - 10**9
    assert page_cache.load(tmp_path, "p.html", source, None) == segmented
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [
        ".gitignore",
        "p.html.bin",
    ]


def test_build_from_the_cache_writes_the_same_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """extract fills the cache; a build that reads it and one that segments agree byte for byte."""
    site_with_catalogs(tmp_path, monkeypatch)
    assert (tmp_path / ".pipeline-cache/segments/index.html.bin").is_file()
    assert_clean(invoke("build", "--min-percent", "0", "--output", "cached"), 0)
    for entry in (tmp_path / ".pipeline-cache/segments").iterdir():
        entry.write_bytes(b"stale")
    assert_clean(invoke("build", "--min-percent", "0", "--output", "fresh"), 0)
    cached = sorted(p.relative_to(tmp_path / "cached") for p in (tmp_path / "cached").rglob("*"))
    assert cached == sorted(
        p.relative_to(tmp_path / "fresh") for p in (tmp_path / "fresh").rglob("*")
    )
    for relative in cached:
        if (tmp_path / "cached" / relative).is_file() and relative.suffix == ".html":
            assert (tmp_path / "cached" / relative).read_bytes() == (
                tmp_path / "fresh" / relative
            ).read_bytes()


def test_extract_check_writes_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_site(tmp_path)
    assert_clean(invoke("extract", "--check"), 1)
    assert not (tmp_path / ".pipeline-cache").exists()


def test_an_unwritable_cache_does_not_stop_the_pipeline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_site(tmp_path)
    (tmp_path / ".pipeline-cache").write_text("a file where the cache directory would be")
    for command in ("extract", "update", "build"):
        assert_clean(
            invoke(command, "--min-percent", "0") if command == "build" else invoke(command), 0
        )
    assert (tmp_path / "site/en/index.html").is_file()


def _settle(root: Path) -> None:
    """Date every page and catalog ten seconds back, as files not touched in a while are."""
    old = time.time_ns() - 10_000_000_000
    for path in [*root.glob("source_html/**/*.html"), *root.glob("locales/**/*.po")]:
        os.utime(path, ns=(old, old))


def _counting_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    reads: list[str] = []
    real_read = files.read_bytes

    def counted_read(path: Path | str, *, limit: int | None = None) -> bytes:
        reads.append(os.path.normpath(path))
        return real_read(path, limit=limit)

    monkeypatch.setattr(files, "read_bytes", counted_read)
    return reads


def test_a_build_reads_only_the_pages_and_catalogs_that_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Digests are recorded with each file's signature: unchanged files are not read again,
    but for the catalog of a page that is built again (its translations)."""
    catalogs = site_with_catalogs(tmp_path, monkeypatch)
    _settle(tmp_path)
    assert_clean(invoke("build", "--min-percent", "0", "--jobs", "1"), 0)
    reads = _counting_reads(monkeypatch)
    again = invoke("build", "--min-percent", "0", "--jobs", "1")
    assert_clean(again, 0)
    assert "pages: 0 written" in again.stderr
    assert reads == []

    page = tmp_path / "source_html/index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("</body>", "<p>New.</p></body>"))
    assert_clean(invoke("build", "--min-percent", "0", "--jobs", "1"), 0)
    assert "source_html/index.html" in reads
    catalogs_read = {str(path.relative_to(tmp_path)) for path in catalogs} & set(reads)
    assert catalogs_read == {"locales/ja/LC_MESSAGES/index.po"}
    # Read once to count the page's words it translates (they are recorded), once to build.
    assert reads.count("locales/ja/LC_MESSAGES/index.po") == 2
    assert not [read for read in reads if "other" in read]


def test_a_file_changed_in_the_instant_it_was_recorded_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As git's racy-clean rule: a change in the same tick of the file system's clock as the
    record is not trusted, even with the same size and time. Here the page's time is in whole
    seconds, as a file system that keeps seconds gives."""
    site_with_catalogs(tmp_path, monkeypatch)
    page = tmp_path / "source_html/index.html"
    stamp = time.time_ns() // 1_000_000_000 * 1_000_000_000
    os.utime(page, ns=(stamp, stamp))
    assert_clean(invoke("build", "--min-percent", "0", "--jobs", "1"), 0)
    text = page.read_text(encoding="utf-8")
    title = text.index("<title>") + len("<title>")
    changed = f"{text[:title]}X{text[title + 1 :]}"  # one character for another: same size
    assert len(changed) == len(text) and changed != text
    page.write_text(changed, encoding="utf-8")
    os.utime(page, ns=(stamp, stamp))
    assert_clean(invoke("build", "--min-percent", "0", "--jobs", "1"), 0)
    assert b"<title>X" in (tmp_path / "site/en/index.html").read_bytes()


@pytest.mark.parametrize(
    "damage",
    [b"", b"not json\n", b'{"format": 1}\n["z"]\n["a"]\n', b'{"format": 1}\n[["x", 1], 2]\n'],
    ids=["empty", "garbage", "out of order", "wrong shapes"],
)
def test_damaged_records_only_cost_a_rebuild(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: bytes
) -> None:
    site_with_catalogs(tmp_path, monkeypatch)
    assert_clean(invoke("build", "--min-percent", "0"), 0)
    built = {p: p.read_bytes() for p in (tmp_path / "site").rglob("*.html")}
    for record in [
        tmp_path / ".pipeline-cache/manifest.jsonl",
        tmp_path / ".pipeline-cache/catalogs.jsonl",
        tmp_path / ".pipeline-cache/pages.jsonl",
    ]:
        assert record.is_file()
        record.write_bytes(damage)
    assert_clean(invoke("build", "--min-percent", "0"), 0)
    assert {p: p.read_bytes() for p in (tmp_path / "site").rglob("*.html")} == built
    again = invoke("build", "--min-percent", "0")
    assert "pages: 0 written" in again.stderr


def test_a_built_page_cut_short_is_built_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Built pages are not flushed one by one: after a restart (a power cut is followed by
    one), outputs are checked against the sizes the manifest records; before, a missing
    output is built again."""
    site_with_catalogs(tmp_path, monkeypatch)
    assert_clean(invoke("build", "--min-percent", "0"), 0)
    page = tmp_path / "site/en/index.html"
    whole = page.read_bytes()
    page.write_bytes(b"")  # what a power cut can leave of a file written but not flushed
    monkeypatch.setattr(freshness, "booted_at_ns", time.time_ns)  # the machine restarted
    result = invoke("build", "--min-percent", "0", "-v")
    assert_clean(result, 0)
    assert "wrote site/en/index.html" in result.stdout
    assert page.read_bytes() == whole
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "site/ja/other.html").unlink()
    result = invoke("build", "--min-percent", "0", "-v")
    assert result.stdout.splitlines()[0] == "wrote site/ja/other.html"
    assert "pages: 1 written" in result.stderr


def test_an_empty_template_is_bad_input_not_an_empty_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalogs = site_with_catalogs(tmp_path, monkeypatch)
    before = {path: path.read_bytes() for path in catalogs}
    (tmp_path / "locales/templates/index.pot").write_bytes(b"")
    result = invoke("update")
    assert_clean(result, 2)
    assert "locales/templates/index.pot: template empty or cut short" in result.stderr
    assert {path: path.read_bytes() for path in catalogs} == before


def test_a_catalog_changed_after_its_words_were_counted_builds_with_its_new_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build counts a catalog's words in one pass and reads its translations again in the
    worker that builds the page: a catalog edited between two builds is used as it is now."""
    site_with_catalogs(tmp_path, monkeypatch)
    assert_clean(invoke("build", "--min-percent", "0"), 0)
    catalog = tmp_path / "locales/ja/LC_MESSAGES/index.po"
    text = catalog.read_text(encoding="utf-8")
    catalog.write_text(
        text.replace(
            'msgid "Walk a little every day."\nmsgstr ""',
            'msgid "Walk a little every day."\nmsgstr "毎日少し歩きましょう。"',
        ),
        encoding="utf-8",
    )
    assert_clean(invoke("build", "--min-percent", "0"), 0)
    assert "毎日少し歩きましょう。" in (tmp_path / "site/ja/index.html").read_text(encoding="utf-8")
    assert not (tmp_path / ".pipeline-cache/catalogs").exists()  # nothing kept per catalog


def test_records_forget_a_page_that_is_gone_and_a_locale_asked_twice_is_built_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site_with_catalogs(tmp_path, monkeypatch)
    assert_clean(invoke("build", "--min-percent", "0", "--locale", "ja", "--locale", "ja"), 0)
    manifest = tmp_path / ".pipeline-cache/manifest.jsonl"
    named = [line.split('"')[1] for line in manifest.read_text().splitlines()[1:]]
    assert named == ["index.html", "other.html"]
    (tmp_path / "source_html/other.html").unlink()  # the page that sorts last
    assert_clean(invoke("build", "--min-percent", "0"), 0)
    named = [line.split('"')[1] for line in manifest.read_text().splitlines()[1:]]
    assert named == ["index.html"]
    catalogs = (tmp_path / ".pipeline-cache/catalogs.jsonl").read_text()
    assert "other" not in catalogs


@pytest.mark.parametrize(
    ("changed_before_ms", "whole_second", "trusted"),
    [
        (30, False, True),
        (10, False, False),
        (-5, False, False),
        (2500, True, True),
        (1500, True, False),
    ],
)
def test_a_recorded_digest_is_trusted_a_clock_tick_after_the_change(
    changed_before_ms: int, whole_second: bool, trusted: bool
) -> None:
    """Sub-second file times come from clocks that tick every few milliseconds; whole seconds
    may come from a file system that keeps seconds (two, for FAT)."""
    mtime = 1_700_000_000_000_000_000 + (0 if whole_second else 123_456_789)
    started = mtime + changed_before_ms * 1_000_000
    status = os.stat_result((0o100644, 7, 1, 1, 0, 0, 10, 0, 0, 0, 0, 0, mtime, mtime, mtime))
    signature = files.signature(status)
    recorded = freshness.recorded_sha(["a" * 64, signature], signature, status, started)
    assert (recorded is not None) == trusted


def _stamped_build(root: Path, *args: str) -> str:
    """A build of files older than the clock's tick, which leaves a stamp: its summary."""
    _settle(root)
    result = invoke("build", "--min-percent", "0", "--jobs", "1", *args)
    assert_clean(result, 0)
    assert (root / ".pipeline-cache/stamp.json").is_file()
    return result.stderr


def test_a_build_with_nothing_to_do_stops_at_its_stamp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stamp holds what the last build read and left: the same inputs and outputs give the
    same summary, held-back pages included, without a record, page or catalog read."""
    site_with_catalogs(tmp_path, monkeypatch)
    _settle(tmp_path)
    assert_clean(invoke("build", "--jobs", "1"), 0)  # the untranslated pages are held back
    (tmp_path / ".pipeline-cache/stamp.json").unlink()
    first = invoke("build", "--jobs", "1")  # nothing to do, found from the records
    assert_clean(first, 0)
    reads = _counting_reads(monkeypatch)
    records_read = []
    monkeypatch.setattr(incremental, "publish", lambda *a, **k: records_read.append(a))
    again = invoke("build", "--jobs", "1")
    assert_clean(again, 0)
    assert reads == [] and records_read == []
    assert "pages: 0 written" in again.stderr
    assert again.stderr == first.stderr


@pytest.mark.parametrize(
    "change",
    ["edit page", "edit catalog", "add page", "remove output", "threshold", "output", "link"],
)
def test_any_change_after_a_stamp_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    catalogs = site_with_catalogs(tmp_path, monkeypatch)
    translate(catalogs[0], japanese)
    _stamped_build(tmp_path)
    built = tmp_path / "site/ja" / catalogs[0].with_suffix(".html").name
    args: list[str] = []
    if change == "edit page":
        page = tmp_path / "source_html" / catalogs[0].with_suffix(".html").name
        page.write_text(page.read_text().replace("</body>", "<p>Walk.</p></body>"))
    elif change == "edit catalog":
        text = catalogs[0].read_text(encoding="utf-8")
        catalogs[0].write_text(text.replace("訳", "歩", 1), encoding="utf-8")
    elif change == "add page":
        (tmp_path / "source_html/added.html").write_text("<html><body><p>New.</p></body></html>")
    elif change == "remove output":
        built.unlink()
    elif change == "threshold":
        args = ["--min-percent", "100"]
    elif change == "output":
        args = ["--output", "elsewhere"]
    else:
        page = tmp_path / "source_html/linked.html"
        page.symlink_to(tmp_path / "source_html" / catalogs[0].with_suffix(".html").name)
    _settle(tmp_path)  # old enough that the stamp is looked at, not passed over
    result = invoke("build", "--min-percent", "0", "--jobs", "1", *args)
    assert_clean(result, 0)
    assert "pages: 0 written" not in result.stderr or change == "threshold"
    if change == "threshold":
        assert "held back" in result.stderr
        assert not (tmp_path / "site/ja/other.html").exists()
    if change in ("edit catalog", "remove output"):
        assert "歩" in built.read_text(encoding="utf-8") or change == "remove output"
        assert built.exists()
    if change == "link":
        assert not (tmp_path / ".pipeline-cache/stamp.json").exists()


def test_an_asset_edited_in_the_output_is_copied_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stamp holds the copied assets' signatures: a build puts the source's back."""
    site_with_catalogs(tmp_path, monkeypatch)
    style = tmp_path / "source_html/style.css"
    style.write_text("p { color: navy }\n")
    old = time.time_ns() - 10_000_000_000
    os.utime(style, ns=(old, old))
    _stamped_build(tmp_path)
    copied = tmp_path / "site/en/style.css"
    assert copied.read_text() == "p { color: navy }\n"
    copied.write_text("p { color: red }\n")  # no input changed: only the copy
    assert_clean(invoke("build", "--min-percent", "0", "--jobs", "1"), 0)
    assert copied.read_text() == "p { color: navy }\n"


def _imported(*modules: str) -> set[str]:
    """The package's modules that `modules` import at their top level, themselves included,
    and what those import in turn (a function's own imports serve that function alone)."""
    import ast

    package = Path(page_cache.__file__).parent
    pending, found = list(modules), set()
    while pending:
        name = pending.pop()
        if name in found:
            continue
        found.add(name)
        for node in ast.parse((package / name).read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom) and node.module == "pipeline":
                pending += [f"{alias.name}.py" for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pipeline."):
                pending.append(str(node.module).removeprefix("pipeline.") + ".py")
    return found


def test_the_code_digest_covers_every_module_segmenting_imports() -> None:
    """A change to any module that decides a page's segments makes every entry a miss."""
    assert _imported("segments.py") <= set(page_cache.SEGMENTING_MODULES)


def test_the_build_digest_covers_every_module_that_makes_a_page() -> None:
    """A change to any module that makes a page's outputs rebuilds every page, so a changed
    rule reaches the whole site (`_build_page` imports these three)."""
    assert _imported("build.py", "site.py", "project.py") <= set(freshness.BUILDING_MODULES)


def test_a_build_by_other_code_is_built_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site_with_catalogs(tmp_path, monkeypatch)
    assert_clean(invoke("build", "--min-percent", "0", "--jobs", "1"), 0)
    page = tmp_path / "site/en/index.html"
    page.write_text("what an older version of the code made", encoding="utf-8")
    monkeypatch.setattr(incremental, "BUILDING", "another version of the code")
    again = invoke("build", "--min-percent", "0", "--jobs", "1")
    assert "pages: 1 written, 3 unchanged" in again.stderr
    assert "Back pain" in page.read_text(encoding="utf-8")
