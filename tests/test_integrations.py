"""The tools translators, CI and webmasters already use, run for real against our files.

pybabel (our extractor entry point), msgfmt/msgcat/msgmerge, Weblate's translation-finder,
pre-commit (try-repo on a temporary clone), the GitHub Actions steps, `serve` in Chromium, the
progress bar on a terminal, click's shell completion and a second locale (fr).
"""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from cli import main
from pipeline import files
from pipeline.pofile import parse_po, render_po
from tests.browser import launch_chromium, needs_chromium

REPO = Path(__file__).parent.parent
BIN = Path(sys.executable).parent
EPOCH = "1761264000"
#: A page of our own beside the clinic's: a context, an i18n note, a switcher.
CONTACT = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Contact</title></head>
<body>
<nav data-i18n-switcher></nav>
<h1>Book a visit</h1>
<!-- i18n: "Book" is the verb on a button. -->
<p><button data-i18n-context="verb">Book</button> or call <a href="tel:0312345678">us</a>.</p>
<p data-i18n-context="noun">Book</p>
</body>
</html>
"""
PIPELINE_TABLE = """[tool.pipeline]
source = "source_html"
locales = "locales"
output = "site"
target_locales = ["ja"]
min_percent = 80
base_url = "https://www.example-spine-clinic.jp/"
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def cli(site: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "cli.py"), *args],
        cwd=site, capture_output=True, text=True, check=check, env=_env(),
    )  # fmt: skip


def _env() -> dict[str, str]:
    return {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "LC_ALL": "C.UTF-8",
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}  # fmt: skip


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The clinic's pages and Japanese catalogs plus a page of ours, extracted and updated."""
    shutil.copytree(REPO / "source_html", tmp_path / "source_html")
    (tmp_path / "source_html/contact.html").write_text(CONTACT, encoding="utf-8")
    shutil.copytree(REPO / "locales", tmp_path / "locales")
    (tmp_path / "pyproject.toml").write_text(PIPELINE_TABLE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert run("extract").exit_code == 0
    assert run("update").exit_code == 0
    return tmp_path


def catalogs(site: Path) -> list[Path]:
    return sorted((site / "locales").rglob("*.po")) + sorted((site / "locales").rglob("*.pot"))


#: Flags GNU gettext knows; msgcat and msgmerge drop any other (`#, ignore-punctuation`).
GETTEXT_FLAG_RE = re.compile(r"fuzzy|(no-|possible-)?[a-z-]+-format|range: .*|(no-)?wrap")


def meaning(path: Path) -> list[tuple[object, ...]]:
    """What a catalog says to gettext, without where its entries sit in the file."""
    catalog = parse_po(path.read_text(encoding="utf-8"), path=str(path))
    return [
        (m.msgctxt, m.msgid, m.msgstr, m.msgstr_plural, m.obsolete,
         tuple(f for f in m.flags if GETTEXT_FLAG_RE.fullmatch(f)), m.references,
         m.extracted_comments, m.translator_comments, m.previous_msgid)
        for m in catalog.messages
    ] + [catalog.header]  # fmt: skip


# --- Babel ---------------------------------------------------------------------------------------


def test_pybabel_extract_uses_our_rules(site: Path) -> None:
    (site / "mapping.cfg").write_text("[clinic_html: **.html]\n", encoding="utf-8")
    subprocess.run(
        [BIN / "pybabel", "extract", "-F", "mapping.cfg", "-o", "babel.pot", "--no-location",
         "--omit-header", "source_html"],
        cwd=site, check=True, capture_output=True, env=_env(),
    )  # fmt: skip
    subprocess.run(
        [BIN / "pybabel", "extract", "-F", "mapping.cfg", "-o", "located.pot", "source_html"],
        cwd=site, check=True, capture_output=True, env=_env(),
    )  # fmt: skip
    ours: dict[tuple[str | None, str], set[str]] = {}
    comments: dict[tuple[str | None, str], set[str]] = {}
    for pot in (site / "locales/templates").rglob("*.pot"):
        for m in parse_po(pot.read_text(encoding="utf-8"), path=str(pot)).messages:
            ours.setdefault(m.key, set()).update(f"source_html/{r}" for r in m.references)
            comments.setdefault(m.key, set()).update(m.extracted_comments)
    located = (site / "located.pot").read_text(encoding="utf-8")
    theirs = parse_po(located, path="located.pot").messages
    assert {m.key: set(m.references) for m in theirs} == ours
    # Babel wraps long `#.` lines (gettext does not), so compare the words.
    assert all(set(" ".join(m.extracted_comments).split()) <= set(" ".join(comments[m.key]).split())
               for m in theirs)  # fmt: skip
    assert ("verb", "Book") in ours and ("noun", "Book") in ours
    assert 'msgctxt "verb"\nmsgid "Book"' in located
    assert '#. "Book" is the verb on a button.' in located


# --- GNU gettext ---------------------------------------------------------------------------------


@pytest.mark.gettext
@pytest.mark.skipif(shutil.which("msgcat") is None, reason="GNU gettext is not installed")
def test_gettext_tools_accept_our_catalogs_and_change_nothing(site: Path) -> None:
    # A realistic history: fr is new and empty, the English changes, ja gets fuzzy and obsolete.
    assert run("update", "--locale", "ja", "--locale", "fr").exit_code == 0
    translate(
        site / "locales/ja/LC_MESSAGES/contact.po",
        {"Book a visit": "来院のご予約", "or call <1>us</1>.": "または<1>お電話</1>ください。"},
    )
    page = site / "source_html/contact.html"
    page.write_text(CONTACT.replace("Book a visit", "Book a visit today"), encoding="utf-8")
    assert run("extract").exit_code == 0
    assert run("update", "--locale", "ja", "--locale", "fr", "--locale", "qps").exit_code == 0
    ja = (site / "locales/ja/LC_MESSAGES/contact.po").read_text(encoding="utf-8")
    assert '#, fuzzy\n#| msgid "Book a visit"\nmsgid "Book a visit today"' in ja
    assert '#~ msgid "Book a visit"' in ja
    for path in catalogs(site):
        fmt = subprocess.run(
            ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(path)],
            capture_output=True, text=True, env=_env(),
        )  # fmt: skip
        assert fmt.returncode == 0, fmt.stderr
        assert "error" not in fmt.stderr, fmt.stderr
        out = path.with_suffix(".msgcat")
        subprocess.run(["msgcat", str(path), "-o", str(out)], check=True, env=_env())
        assert meaning(out) == meaning(path), path
        assert _without_custom_flags(out) == _without_custom_flags(path), path
    for path in (site / "locales").glob("*/LC_MESSAGES/**/*.po"):
        locale = path.relative_to(site / "locales").parts[0]
        page = path.relative_to(site / "locales" / locale / "LC_MESSAGES")
        pot = (site / "locales/templates" / page).with_suffix(".pot")
        before = path.read_bytes()
        out = path.with_suffix(".msgmerge")
        subprocess.run(["msgmerge", "--quiet", "--previous", str(path), str(pot), "-o", str(out)],
                       check=True, env=_env())  # fmt: skip
        assert _without_custom_flags(out) == _without_custom_flags(path), path
        update = ["msgmerge", "--quiet", "--previous", "--update", "--backup=off"]
        subprocess.run([*update, str(path), str(pot)], check=True, env=_env())
        assert path.read_bytes() == before, path


def translate(path: Path, table: dict[str, str]) -> None:
    catalog = parse_po(path.read_text(encoding="utf-8"), path=str(path))
    messages = tuple(replace(m, msgstr=table.get(m.msgid, m.msgstr)) for m in catalog.messages)
    path.write_text(render_po(replace(catalog, messages=messages)), encoding="utf-8")


def _without_custom_flags(path: Path) -> str:
    """The file with flags GNU gettext does not know removed: msgcat and msgmerge drop them
    (`#, ignore-punctuation`), so Weblate-style check flags do not survive their rewrite."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#, "):
            flags = [f for f in line[3:].split(", ") if GETTEXT_FLAG_RE.fullmatch(f)]
            if not flags:
                continue
            line = "#, " + ", ".join(flags)
        lines.append(line)
    return "\n".join(lines)


# --- Weblate -------------------------------------------------------------------------------------


def test_weblate_finds_one_component_per_page_with_its_template(site: Path) -> None:
    """One po component per page; its template (Weblate's "template for new translations",
    set once per component) is the page's `.pot` under `templates/`, as the CLI contract has it."""
    from translation_finder import discover

    assert run("update", "--locale", "fr").exit_code == 0
    found = [dict(r) for r in discover(str(site / "locales")) if r["file_format"] == "po"]
    pages = ["articles/spinal-stenosis-leg-numbness", "contact", "index"]
    assert sorted(found, key=lambda r: r["filemask"]) == [
        {"filemask": f"*/LC_MESSAGES/{p}.po", "file_format": "po"} for p in pages
    ]
    for page in pages:
        assert (site / "locales" / "templates" / f"{page}.pot").is_file()


# --- CI ------------------------------------------------------------------------------------------


def test_check_mode_of_extract_and_update_writes_nothing_and_fails_when_stale(site: Path) -> None:
    assert run("extract", "--check").exit_code == 0
    assert run("update", "--dry-run").exit_code == 0
    page = site / "source_html/contact.html"
    page.write_text(CONTACT.replace("Book a visit", "Book your visit"), encoding="utf-8")
    before = {p: p.read_bytes() for p in catalogs(site)}
    stale = run("extract", "--check")
    assert stale.exit_code == 1
    assert "would write locales/templates/contact.pot" in stale.output
    assert "Error: 1 template out of date" in stale.output
    assert run("extract").exit_code == 0
    behind = run("update", "--check")
    assert (
        behind.exit_code == 1 and "would write locales/ja/LC_MESSAGES/contact.po" in behind.output
    )
    assert all(p.read_bytes() == data for p, data in before.items() if "templates" not in str(p))


def test_pre_commit_try_repo_runs_both_hooks(site: Path) -> None:
    for name in ("cli.py", "pyproject.toml", ".pre-commit-hooks.yaml"):
        shutil.copy(REPO / name, site / name)
    shutil.copytree(REPO / "pipeline", site / "pipeline",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    env = {**_env(), "PRE_COMMIT_HOME": str(site / ".pre-commit-home"), "PIP_NO_INDEX": "1"}
    (site / ".gitignore").write_text(".pre-commit-home/\n", encoding="utf-8")
    subprocess.run([*git, "init", "-q"], cwd=site, check=True)
    subprocess.run([*git, "add", "-A"], cwd=site, check=True)
    subprocess.run([*git, "commit", "-qm", "site"], cwd=site, check=True)

    def try_repo() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [BIN / "pre-commit", "try-repo", ".", "--all-files"],
            cwd=site, capture_output=True, text=True, env=env,
        )  # fmt: skip

    passed = try_repo()
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(
        r"templates and catalogs are up to date with the pages\.+Passed", passed.stdout
    )
    assert re.search(r"translations pass the checks\.+Passed", passed.stdout)
    page = site / "source_html/contact.html"
    page.write_text(CONTACT.replace("Book a visit", "Book your visit"), encoding="utf-8")
    failed = try_repo()
    assert failed.returncode == 1
    assert re.search(
        r"templates and catalogs are up to date with the pages\.+Failed", failed.stdout
    )
    assert "would write locales/templates/contact.pot" in failed.stdout


WORKFLOWS = REPO / ".github/workflows"
#: Our page, translated: the workflow holds back no page, as `--min-percent 80` wants.
CONTACT_JA = {"Contact": "お問い合わせ", "Book a visit": "来院のご予約", "Book": "予約",
              "or call <1>us</1>.": "または<1>お電話</1>ください。"}  # fmt: skip


def workflow_commands(name: str, job: str, **values: str) -> list[str]:
    """The `python cli.py …` lines a job of a workflow runs, with `${{ … }}` filled in."""
    steps = yaml.safe_load((WORKFLOWS / name).read_text())["jobs"][job]["steps"]
    lines = [line for s in steps for line in s.get("run", "").splitlines()]
    commands = [line for line in lines if line.startswith("python cli.py")]
    for expression, value in values.items():
        commands = [c.replace("${{ " + expression + " }}", value) for c in commands]
    return commands


def run_step(site: Path, command: str, **env: str) -> subprocess.CompletedProcess[str]:
    """A workflow's command as the runner's shell runs it, with this checkout's cli.py."""
    return subprocess.run(
        ["bash", "-eo", "pipefail", "-c", command.replace("python ", f"{sys.executable} ")
         .replace("cli.py", str(REPO / "cli.py"))],
        cwd=site, capture_output=True, text=True, env={**_env(), **env},
    )  # fmt: skip


def test_github_workflow_steps_run(site: Path) -> None:
    workflow = yaml.safe_load((WORKFLOWS / "translations.yml").read_text())
    steps = workflow["jobs"]["translations"]["steps"]
    commands = workflow_commands("translations.yml", "translations")
    assert [c.split(" >>")[0] for c in commands] == [
        "python cli.py extract --check",
        "python cli.py update --check",
        "python cli.py check --format github --fail-on error --min-percent 80",
        "python cli.py build --review review",
        "python cli.py status --html site/status.html --format markdown",
    ]
    uploads = {s["with"]["name"]: s["with"]["path"] for s in steps if "upload-artifact" in
               s.get("uses", "")}  # fmt: skip
    assert uploads == {
        "site": "site/",
        "translation-status": "site/status.html",
        "translation-review": "review/",
    }
    summary = site / "summary.md"
    translate(site / "locales/ja/LC_MESSAGES/contact.po", CONTACT_JA)
    for command in commands:
        result = run_step(site, command, GITHUB_STEP_SUMMARY=str(summary))
        assert result.returncode == 0, (command, result.stdout, result.stderr)
    # Every path the workflow uploads is one the pipeline wrote.
    assert all((site / path).exists() for path in uploads.values())
    assert (site / "site/ja/index.html").exists()
    assert "| ja |" in summary.read_text(encoding="utf-8")
    # A broken placeholder is annotated on the diff in GitHub's format.
    po = site / "locales/ja/LC_MESSAGES/contact.po"
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgstr "来院のご予約"', 'msgstr "<1>予約</1>"'), encoding="utf-8")
    annotated = run_step(site, commands[2])
    assert annotated.returncode == 1
    assert re.search(r"^::error file=locales/ja/LC_MESSAGES/contact\.po,line=\d+", annotated.stdout,
                     re.M), annotated.stdout  # fmt: skip


def test_github_workflow_passes_an_english_only_change_with_warnings(site: Path) -> None:
    """An English edit leaves a fuzzy entry, a warning: annotated on the diff, and the pull
    request, whose catalogs are up to date and whose pages stay published, passes."""
    translate(site / "locales/ja/LC_MESSAGES/contact.po", CONTACT_JA)
    page = site / "source_html/index.html"
    html = page.read_text(encoding="utf-8")
    page.write_text(html.replace("please call us", "please phone us"), encoding="utf-8")
    assert run("extract").exit_code == 0 and run("update").exit_code == 0
    check = next(c for c in workflow_commands("translations.yml", "translations") if " check " in c)
    assert "--fail-on error" in check
    checked = run_step(site, check)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    fuzzy = [line for line in checked.stdout.splitlines() if "title=fuzzy::" in line]
    assert len(fuzzy) == 1
    assert fuzzy[0].startswith("::warning file=locales/ja/LC_MESSAGES/index.po,line=")
    # Besides, the clinic's claims, which fail nothing: notices on the English pages and on
    # the translations that render them faithfully (tests/test_claims.py).
    titles = {line.split("title=")[1].split("::")[0] for line in checked.stdout.splitlines()}
    assert titles == {"fuzzy", "claims (for the clinic)"}
    assert re.fullmatch(
        r"1 problem, none failing with --fail-on error; \d+ claims in the English pages and "
        r"\d+ in the translations, for the clinic\n",
        checked.stderr,
    ), checked.stderr


def test_sharded_workflow_caches_and_uploads_what_the_build_writes(site: Path) -> None:
    """Each shard caches the directory where the build keeps its records, and uploads site/
    without hidden files: so every build record must be in the cache directory, none in site/."""
    workflow = yaml.safe_load((WORKFLOWS / "build-sharded.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    cached = [s["with"]["path"] for s in steps if "actions/cache" in s.get("uses", "")]
    assert cached == [".pipeline-cache/"]  # the default of `cache` in [tool.pipeline]
    uploads = [s["with"] for s in steps if "upload-artifact" in s.get("uses", "")]
    assert [u["path"] for u in uploads] == ["site/"]
    assert not any(u.get("include-hidden-files") for u in uploads)
    shards = workflow["jobs"]["build"]["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, int(workflow["env"]["SHARDS"]) + 1))
    for shard in shards:
        shutil.rmtree(site / ".pipeline-cache")  # each shard's machine has its own
        values = {"matrix.shard": str(shard), "env.SHARDS": str(workflow["env"]["SHARDS"])}
        for command in workflow_commands("build-sharded.yml", "build", **values):
            result = run_step(site, command)
            assert result.returncode == 0, (command, result.stdout, result.stderr)
        assert any((site / ".pipeline-cache").iterdir()), shard
    # Hidden files are left out of the artifact: the build's lock may be there, no record.
    hidden = [path.name for path in (site / "site").rglob(".*")]
    assert set(hidden) <= {files.LOCK_NAME}, hidden
    assert (site / "site/ja/index.html").exists() and (site / "site/en/contact.html").exists()


# --- webmaster -----------------------------------------------------------------------------------


def test_build_shows_a_progress_bar_only_on_a_terminal(site: Path) -> None:
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, str(REPO / "cli.py"), "build", "--jobs", "1"],
        cwd=site, stdin=follower, stdout=follower, stderr=follower, env=_env(),
    )  # fmt: skip
    os.close(follower)
    shown = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 30)
        try:
            chunk = os.read(leader, 4096) if ready else b""
        except OSError:
            chunk = b""
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert process.wait(timeout=30) == 0
    text = shown.decode()
    assert re.search(r"building\s+\[#+\]\s+100%", text), text
    assert "held back ja/contact.html: 11.1 % < 80 %" in text
    assert "pages: 5 written, 0 unchanged, 1 held back; problems: 0" in text
    piped = cli(site, "build", "--output", "site2")
    assert "building" not in piped.stdout + piped.stderr
    quiet = cli(site, "build", "--quiet")
    assert quiet.stdout == "" and quiet.stderr == ""
    verbose = cli(site, "build", "--verbose", "--output", "site3")
    assert "wrote site3/ja/index.html" in verbose.stdout


def test_shell_completion_from_the_installed_script() -> None:
    script = BIN / "clinic-i18n"
    assert script.exists(), "run `make setup` (pip install -e '.[dev]') to install clinic-i18n"
    env = {**_env(), "_CLINIC_I18N_COMPLETE": "bash_source"}
    source = subprocess.run([script], capture_output=True, text=True, env=env, check=True)
    assert "complete -o nosort -F _clinic_i18n_completion clinic-i18n" in source.stdout
    env = {**_env(), "_CLINIC_I18N_COMPLETE": "bash_complete", "COMP_WORDS": "clinic-i18n se",
           "COMP_CWORD": "1"}  # fmt: skip
    words = subprocess.run([script], capture_output=True, text=True, env=env, check=True)
    assert words.stdout.split() == ["plain,serve"]
    env = {**_env(), "_CLINIC_I18N_COMPLETE": "zsh_source"}
    assert (
        "#compdef clinic-i18n"
        in subprocess.run([script], capture_output=True, text=True, env=env, check=True).stdout
    )


@pytest.fixture
def served(site: Path) -> Iterator[str]:
    assert run("update", "--locale", "fr").exit_code == 0
    assert run("build", "--locale", "ja", "--locale", "fr", "--min-percent", "0").exit_code == 0
    process = subprocess.Popen(
        [sys.executable, str(REPO / "cli.py"), "serve", "--port", "0"],
        cwd=site, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
    )  # fmt: skip
    try:
        assert process.stdout is not None and process.stderr is not None
        line = process.stdout.readline()
        match = re.fullmatch(r"serving site at (http://127\.0\.0\.1:\d+/)\n", line)
        assert match, line + (process.stderr.read() if process.poll() is not None else "")
        yield match.group(1)
    finally:
        process.terminate()
        process.wait(timeout=10)


@needs_chromium
def test_serve_previews_the_site_in_a_browser(served: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(locale="en-US")
            page.goto(served)  # the root chooser sends an English browser to the English home
            page.wait_for_url(served + "en/index.html")
            assert page.locator("html").get_attribute("lang") == "en"
            switcher = page.locator("[data-i18n-switcher]").first
            assert switcher.locator("a").all_inner_texts() == ["Français", "日本語"]
            switcher.locator("a[hreflang=fr]").click()
            page.wait_for_url(served + "fr/index.html")
            assert page.locator("html").get_attribute("lang") == "fr"
            switcher = page.locator("[data-i18n-switcher]").first
            switcher.locator("a[hreflang=ja]").click()
            page.wait_for_url(served + "ja/index.html")
            assert page.locator("html").get_attribute("lang") == "ja"
            assert page.title() != "" and "Aozora" not in page.locator("h1").inner_text()
            missing = page.goto(served + "xx/none.html")
            assert missing is not None and missing.status == 404
        finally:
            browser.close()


# --- a second language ---------------------------------------------------------------------------


def test_adding_french_is_one_command(site: Path) -> None:
    added = run("update", "--locale", "fr")
    assert added.exit_code == 0
    assert "wrote locales/fr/LC_MESSAGES/index.po" in added.output
    po = parse_po((site / "locales/fr/LC_MESSAGES/index.po").read_text(encoding="utf-8"),
                  path="fr.po")  # fmt: skip
    header = dict(po.header)
    assert header["Language"] == "fr" and header["Language-Team"] == "French"
    # Babel's rule for French: `nplurals=2; plural=(n > 1);` up to Babel 2.18, CLDR's three
    # forms (one, many, other) from 2.19; either way the header says what Babel says.
    from babel.messages.plurals import get_plural

    assert header["Plural-Forms"] == get_plural("fr").plural_forms
    assert header["X-Source-Language"] == "en"
    assert po.active and not any(m.msgstr for m in po.active)
    held = run("build", "--locale", "ja", "--locale", "fr")
    assert "held back fr/index.html: 0.0 % < 80 %" in held.output
    assert not (site / "site/fr/index.html").exists()
    built = run("build", "--locale", "ja", "--locale", "fr", "--min-percent", "0")
    assert built.exit_code == 0, built.output
    fr = (site / "site/fr/index.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in fr
    for html in ("en/index.html", "ja/index.html", "fr/index.html"):
        text = (site / "site" / html).read_text(encoding="utf-8")
        assert re.findall(r'hreflang="([^"]+)" href=', text) == ["en", "fr", "ja", "x-default"]
    assert '<a href="../fr/index.html" hreflang="fr" lang="fr">Français</a>' in (
        site / "site/ja/index.html"
    ).read_text(encoding="utf-8")
