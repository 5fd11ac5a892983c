"""Benchmark: our extract/update/build against translate-toolkit and against parse-only floors.

    make bench            # or: .venv/bin/python bench/run.py [--real-pages N] [--site-pages N]

Everything is measured in this one run on this machine and reported as ratios, so the numbers
compare like with like whatever the machine. Nothing here is a test: the tests assert behaviour,
never time. The script fetches what it needs into bench/corpus/ (git-ignored):

- real pages: the HTML documentation of Debian's python3.11-doc package (`apt-get download`,
  unpacked with `dpkg-deb -x`); the first N pages by path below 400 KB, indexes left out;
- a seeded random sample of the same documentation's pages, of any size;
- a small site: a seeded sample of `--small-pages` of the real pages;
- translate-toolkit, installed into bench/corpus/venv-ttk (never a project dependency);
- a generated site of `--site-pages` pages sharing their header, navigation and footer.

Both tools get the same treatment: their extraction and update make untranslated catalogs
(timed), the same pseudo-translations (`pipeline.pseudo.pseudo_text`) are written into every
catalog (not timed), and their build splices them into the pages (timed). Each timed pipeline
runs `--repeat` times (default 3) and its fastest run counts, ours and translate-toolkit's
alike, the two tools taking turns: the machines are shared and noisy.
Old outputs are moved aside before each run, not deleted (see `discard`). Results go to
bench/RESULTS.md as a Markdown table.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPUS = HERE / "corpus"
PYTHON = sys.executable
CLI = str(REPO / "cli.py")
sys.path.insert(0, str(REPO))

from pipeline.pofile import parse_po, render_po  # noqa: E402
from pipeline.pseudo import pseudo_text  # noqa: E402

DOC_PACKAGE = "python3.11-doc"
TRASH = CORPUS / "trash"
_discarded = itertools.count()
PYPROJECT = """[tool.pipeline]
source = "src"
locales = "locales"
output = "site"
target_locales = ["de"]
pseudo_locales = []
min_percent = 0
base_url = "https://docs.example.org/"
"""


@dataclass(frozen=True, slots=True)
class Run:
    seconds: float
    #: Peak resident memory of the process and its workers, in MiB.
    peak_mib: float
    output: str


#: Runs a command, then writes its time and peak RSS. RUSAGE_CHILDREN of a small process counts
#: only the command and its workers (a child of the big benchmark process would start with that
#: process's memory counted); the time is taken in here, so it leaves this wrapper's start-up out.
PEAK_WRAPPER = (
    "import resource, subprocess, sys, time\n"
    "started = time.perf_counter()\n"
    "code = subprocess.run(sys.argv[2:]).returncode\n"
    "seconds = time.perf_counter() - started\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "open(sys.argv[1], 'w').write(f'{seconds} {peak}')\n"
    "sys.exit(code)\n"
)


def command(args: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run a command, timing it and taking the peak RSS of it and its worker processes."""
    measured = CORPUS / "measured.txt"
    result = subprocess.run(
        [PYTHON, "-c", PEAK_WRAPPER, str(measured), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({result.returncode}):\n{output[-3000:]}")
    seconds, peak = measured.read_text().split()
    return Run(float(seconds), int(peak) / 1024, output)


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


# --- corpora -------------------------------------------------------------------------------------


def real_pages(count: int, *, sample: bool = False) -> tuple[Path, list[Path]]:
    """The first `count` pages of the Python documentation below 400 KB, or (`sample`) a seeded
    random sample of `count` pages of any size; fetched once into bench/corpus/."""
    unpacked = CORPUS / "debian" / "unpacked"
    html_root = unpacked / "usr/share/doc/python3.11/html"
    if not html_root.is_dir():
        download = CORPUS / "debian"
        download.mkdir(parents=True, exist_ok=True)
        print(f"fetching {DOC_PACKAGE} with apt-get download …", flush=True)
        subprocess.run(["apt-get", "download", DOC_PACKAGE], cwd=download, check=True)
        package = next(download.glob(f"{DOC_PACKAGE}_*.deb"))
        subprocess.run(["dpkg-deb", "-x", str(package), str(unpacked)], check=True)
    pages = sorted(
        p
        for p in html_root.rglob("*.html")
        if not p.name.startswith("genindex")
        and p.name not in ("contents.html", "search.html")
        and (sample or p.stat().st_size < 400_000)
    )
    if len(pages) < count:
        raise SystemExit(f"only {len(pages)} pages in {html_root}")
    if sample:
        return html_root, sorted(random.Random(1).sample(pages, count))
    return html_root, pages[:count]


def discard(path: Path) -> None:
    """Move a tree out of the way rather than delete it before a timed run.

    After thousands of files are deleted, ext4 is slow to create files for half a minute (it
    steps over each inode freed in the last 30 s: 1 ms a file instead of 30 µs, seen here), so
    a run right after a delete pays for it, the more the more files the tool writes. The
    trash is emptied when the benchmark ends, and at its start with time to settle."""
    if path.exists():
        TRASH.mkdir(parents=True, exist_ok=True)
        path.rename(TRASH / f"{next(_discarded)}-{os.getpid()}-{path.name}")


def empty_trash(*, settle: bool) -> None:
    """Delete what `discard` kept; with `settle`, then wait until new files are cheap again."""
    if TRASH.exists():
        shutil.rmtree(TRASH)
        if settle:
            print("waiting 30 s for the file system to forget the deleted files …", flush=True)
            time.sleep(31)


def lay_out(pages: list[Path], root: Path, work: Path) -> None:
    """A fresh project directory: pyproject.toml and src/ with the pages."""
    discard(work)
    (work / "src").mkdir(parents=True)
    (work / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    for page in pages:
        target = work / "src" / page.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page, target)


CHROME_LINKS = [f"Section {n}" for n in ("Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta")]
SHARED = [
    "Our clinic is open from Monday to Saturday, nine in the morning to six in the evening.",
    "Bring your insurance card and a list of the medicines you take to every visit.",
    "If the pain wakes you at night or spreads to both legs, call us the same day.",
    "Most back pain gets better within six weeks with gentle movement and simple care.",
]
WORDS = (
    "spine",
    "disc",
    "nerve",
    "muscle",
    "posture",
    "walking",
    "exercise",
    "rest",
    "imaging",
    "surgery",
    "therapy",
    "pain",
    "stiffness",
    "lumbar",
    "cervical",
    "vertebra",
    "treatment",
    "recovery",
    "patient",
    "doctor",
    "appointment",
    "week",
)


def generated_page(number: int, total: int) -> str:
    """A page of the generated site: shared chrome, then text partly its own, partly shared."""
    rng = random.Random(number)
    nav = "\n".join(
        f'    <li><a href="/section-{i}/index.html">{name}</a></li>'
        for i, name in enumerate(CHROME_LINKS)
    )
    paragraphs = []
    for index in range(8):
        if index % 3 == 2:
            paragraphs.append(f"<p>{SHARED[(number + index) % len(SHARED)]}</p>")
            continue
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 30)))
        link = (number * 7 + index) % total
        paragraphs.append(
            f"<p>Page {number}, part {index}: {words.capitalize()}, see "
            f'<a href="/pages/{link % 100:02d}/page-{link}.html">page {link}</a> and '
            f"<em>{rng.choice(WORDS)}</em>.</p>"
        )
    body = "\n  ".join(paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Topic {number} – Spine Clinic</title>
  <meta name="description" content="Everything about topic {number} at our spine clinic.">
  <link rel="stylesheet" href="/static/site.css">
</head>
<body>
<header class="site-header">
  <a class="logo" href="/index.html"><img src="/static/logo.png" alt="Spine Clinic logo"></a>
  <nav data-i18n-switcher></nav>
  <ul class="menu">
{nav}
  </ul>
</header>
<main>
  <h1>Topic {number}: {rng.choice(WORDS).capitalize()} and {rng.choice(WORDS)}</h1>
  {body}
  <table><tr><th>Day</th><th>Hours</th></tr><tr><td>Weekdays</td><td>9–18</td></tr></table>
  <ul><li>Call us</li><li>Book online</li><li>Visit <strong>the clinic</strong></li></ul>
</main>
<footer>
  <p>© Spine Clinic. All rights reserved. <a href="/privacy.html">Privacy policy</a>.</p>
  <p>This page is for information and does not replace a visit to your doctor.</p>
</footer>
</body>
</html>
"""


def generate_site(work: Path, pages: int) -> None:
    discard(work)
    (work / "src").mkdir(parents=True)
    (work / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    for number in range(pages):
        folder = work / "src" / "pages" / f"{number % 100:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"page-{number}.html").write_text(generated_page(number, pages), "utf-8")


# --- our pipeline ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pipeline:
    extract: Run
    update: Run
    build: Run

    @property
    def seconds(self) -> float:
        return self.extract.seconds + self.update.seconds + self.build.seconds

    @property
    def peak_mib(self) -> float:
        return max(self.extract.peak_mib, self.update.peak_mib, self.build.peak_mib)


def ours(work: Path, jobs: int, repeat: int = 1) -> Pipeline:
    """The fastest of `repeat` first runs: extract, update, (pseudo-translate), build."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1761264000"}
    jobs_arg = ["--jobs", str(jobs)]
    runs = []
    for _ in range(repeat):
        for name in ("locales", "site", ".pipeline-cache"):  # a first run: nothing kept
            discard(work / name)
        extract = command([PYTHON, CLI, "extract", *jobs_arg], cwd=work, env=env)
        update = command([PYTHON, CLI, "update", *jobs_arg], cwd=work, env=env)
        pseudo_translate_tree(work / "locales" / "de")
        build = command([PYTHON, CLI, "build", "-q", *jobs_arg], cwd=work, env=env)
        runs.append(Pipeline(extract, update, build))
    return min(runs, key=lambda run: run.seconds)


def rebuilds(work: Path, jobs: int) -> tuple[Run, Run, int]:
    """A build with nothing changed (the fastest of three, as for every other measure), then
    one after editing one page: (no-op, edit, written)."""
    noop = min(
        (command([PYTHON, CLI, "build", "-q", "--jobs", str(jobs)], cwd=work) for _ in range(3)),
        key=lambda run: run.seconds,
    )
    page = sorted((work / "src").rglob("*.html"))[len(list((work / "src").rglob("*.html"))) // 2]
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("</body>", "<p>One more paragraph.</p>\n</body>", 1), "utf-8")
    edit = command([PYTHON, CLI, "build", "-v", "--jobs", str(jobs)], cwd=work)
    written = sum(1 for line in edit.output.splitlines() if line.startswith("wrote "))
    return noop, edit, written


# --- translate-toolkit and the floors -----------------------------------------------------------


def toolkit() -> Path:
    venv = CORPUS / "venv-ttk"
    if not (venv / "bin" / "po2html").exists():
        print("installing translate-toolkit into bench/corpus/venv-ttk …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin/pip"), "install", "--quiet", "translate-toolkit"], check=True
        )
    return venv / "bin"


def pseudo_translate_tree(root: Path) -> None:
    """Every catalog under `root` pseudo-translated, for either tool (not timed)."""
    for path in root.rglob("*.po"):
        try:
            catalog = parse_po(path.read_text(encoding="utf-8"), path=str(path))
        except Exception:
            continue
        messages = tuple(replace(m, msgstr=pseudo_text(m.msgid)) for m in catalog.messages)
        path.write_text(render_po(replace(catalog, messages=messages)), encoding="utf-8")


TTK_VERSION = "import importlib.metadata as m; print(m.version('translate-toolkit'))"


def translate_toolkit(work: Path, repeat: int = 1) -> tuple[Run, Run]:
    """The fastest of `repeat` runs of html2po, (pseudo-translate), po2html."""
    binaries = toolkit()
    runs = []
    for _ in range(repeat):
        for name in ("ttk-po", "ttk-out"):
            discard(work / name)
        html2po = command([str(binaries / "html2po"), "-i", "src", "-o", "ttk-po"], cwd=work)
        pseudo_translate_tree(work / "ttk-po")
        po2html = command(
            [str(binaries / "po2html"), "-i", "ttk-po", "-t", "src", "-o", "ttk-out"], cwd=work
        )
        runs.append((html2po, po2html))
    return min(runs, key=lambda pair: pair[0].seconds + pair[1].seconds)


def alternating(work: Path, jobs: int, repeat: int) -> tuple[Pipeline, tuple[Run, Run]]:
    """Ours and translate-toolkit's, one run each in turn, `repeat` times; the fastest of each.

    Taking turns, a slow spell of the shared machine falls on both tools' runs alike, rather
    than on all three of one tool's."""
    pairs = [(ours(work, jobs), translate_toolkit(work)) for _ in range(repeat)]
    return (
        min((mine for mine, _ in pairs), key=lambda run: run.seconds),
        min((theirs for _, theirs in pairs), key=lambda pair: pair[0].seconds + pair[1].seconds),
    )


def floors(work: Path, repeat: int = 1) -> dict[str, float]:
    """Parse-only times over the same pages, and polib over our catalogs, in this process;
    the quick ones (the no-op parser, lxml) are the fastest of `repeat` runs, as ours are."""
    import html.parser

    import lxml.html  # type: ignore[import-untyped]
    import polib
    from bs4 import BeautifulSoup

    texts = [p.read_bytes() for p in sorted((work / "src").rglob("*.html"))]
    decoded = [t.decode("utf-8", "replace") for t in texts]

    def noop() -> None:
        for text in decoded:
            parser = html.parser.HTMLParser()
            parser.feed(text)
            parser.close()

    catalogs = sorted((work / "locales").rglob("*.po"))

    def polib_round_trip() -> None:
        for path in catalogs:
            polib.pofile(str(path)).__unicode__()

    return {
        "BeautifulSoup(html.parser)": timed(
            lambda: [BeautifulSoup(t, "html.parser") for t in decoded]
        ),
        "BeautifulSoup(lxml)": timed(lambda: [BeautifulSoup(t, "lxml") for t in texts]),
        "no-op html.parser.HTMLParser": min(timed(noop) for _ in range(repeat)),
        "lxml.html": min(
            timed(lambda: [lxml.html.document_fromstring(t) for t in texts]) for _ in range(repeat)
        ),
        "polib load+save (our catalogs)": timed(polib_round_trip),
    }


# --- report ----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--real-pages", type=int, default=300)
    parser.add_argument("--site-pages", type=int, default=10_000)
    parser.add_argument(
        "--sample-pages", type=int, default=200, help="random pages of any size (0: none)"
    )
    parser.add_argument(
        "--small-pages", type=int, default=40, help="a small site of real pages (0: none)"
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=3, help="runs per comparison; fastest counts")
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    empty_trash(settle=True)
    started = time.perf_counter()
    rows: list[tuple[str, str, str]] = []
    checks: list[tuple[str, bool, str]] = []

    def row(what: str, value: str, note: str = "") -> None:
        rows.append((what, value, note))
        print(f"{what:<62} {value:>14}  {note}", flush=True)

    # Real pages: ours (jobs 1 and N), translate-toolkit, floors.
    root, pages = real_pages(args.real_pages)
    work = CORPUS / "work-real"
    lay_out(pages, root, work)
    size = sum(p.stat().st_size for p in pages) / 1e6
    row("real corpus", f"{len(pages)} pages", f"{size:.1f} MB of {DOC_PACKAGE} HTML")
    one = ours(work, 1)
    many, (html2po, po2html) = alternating(work, args.jobs, args.repeat)
    for name, run in (("extract", many.extract), ("update", many.update), ("build", many.build)):
        row(f"ours {name} --jobs {args.jobs}", f"{run.seconds:.2f} s")
    row(f"ours extract+update+build --jobs {args.jobs}", f"{many.seconds:.2f} s")
    row("ours extract+update+build --jobs 1", f"{one.seconds:.2f} s")
    version = subprocess.run(
        [str(CORPUS / "venv-ttk/bin/python"), "-c", TTK_VERSION], capture_output=True, text=True
    )
    row("translate-toolkit version", version.stdout.strip() or "?")
    ttk = html2po.seconds + po2html.seconds
    row("translate-toolkit html2po", f"{html2po.seconds:.2f} s")
    row("translate-toolkit po2html", f"{po2html.seconds:.2f} s")
    floor = floors(work, args.repeat)
    for name, seconds in floor.items():
        row(f"floor: {name}", f"{seconds:.2f} s")
    speedup = ttk / many.seconds
    row("ratio: html2po+po2html / ours (--jobs N)", f"{speedup:.1f}×", "target ≥ 5×")
    checks.append(("≥ 5× faster than translate-toolkit", speedup >= 5, f"{speedup:.1f}×"))
    row("ratio: html2po+po2html / ours (--jobs 1)", f"{ttk / one.seconds:.1f}×")
    noop_floor = floor["no-op html.parser.HTMLParser"]
    to_floor = many.seconds / noop_floor
    row("ratio: ours (--jobs N) / no-op HTMLParser", f"{to_floor:.2f}×", "target ≤ 2.5× (goal 2×)")
    checks.append(("within 2.5× of the no-op HTMLParser", to_floor <= 2.5, f"{to_floor:.2f}×"))
    row("ratio: ours (--jobs 1) / no-op HTMLParser", f"{one.seconds / noop_floor:.2f}×")
    noop, edit, written = rebuilds(work, args.jobs)
    row(
        "real: no-op rebuild / full build",
        f"{100 * noop.seconds / many.build.seconds:.1f} %",
        f"{noop.seconds:.2f} s / {many.build.seconds:.2f} s",
    )
    row("real: one-page edit: outputs rewritten", f"{written}", "target: that page's 2 outputs")

    # A random sample of pages of any size: the big ones (library/os.html, 750 KB) are where
    # translate-toolkit's time grows faster than the page.
    if args.sample_pages:
        root, pages = real_pages(args.sample_pages, sample=True)
        work = CORPUS / "work-sample"
        lay_out(pages, root, work)
        size = sum(p.stat().st_size for p in pages) / 1e6
        row("sample corpus", f"{len(pages)} pages", f"{size:.1f} MB, random, any size")
        sampled, (html2po, po2html) = alternating(work, args.jobs, args.repeat)
        ttk_sample = html2po.seconds + po2html.seconds
        row(f"sample: ours extract+update+build --jobs {args.jobs}", f"{sampled.seconds:.2f} s")
        row("sample: translate-toolkit html2po+po2html", f"{ttk_sample:.2f} s")
        sample_speedup = ttk_sample / sampled.seconds
        row("ratio: sample html2po+po2html / ours", f"{sample_speedup:.1f}×", "target ≥ 5×")

    # A small site: the three commands' start-up (about 0.1 s each) weighs against the work.
    if args.small_pages:
        root, pages = real_pages(args.real_pages)
        work = CORPUS / "work-small"
        lay_out(sorted(random.Random(2).sample(pages, args.small_pages)), root, work)
        small, (html2po, po2html) = alternating(work, args.jobs, args.repeat)
        ttk_small = html2po.seconds + po2html.seconds
        row(
            f"small site: {args.small_pages} real pages, ours extract+update+build",
            f"{small.seconds:.2f} s",
            f"{small.extract.seconds:.2f}+{small.update.seconds:.2f}+{small.build.seconds:.2f}",
        )
        row("small site: translate-toolkit html2po+po2html", f"{ttk_small:.2f} s")
        row("ratio: small site html2po+po2html / ours", f"{ttk_small / small.seconds:.1f}×")

    # The generated site, at three sizes.
    scale: dict[int, Pipeline] = {}
    sizes = sorted(
        {max(10, args.site_pages // 100), max(10, args.site_pages // 10), args.site_pages}
    )
    for count in sizes:
        site = CORPUS / f"work-site-{count}"
        generate_site(site, count)
        scale[count] = ours(site, args.jobs)
        result = scale[count]
        row(
            f"generated site {count} pages: extract+update+build",
            f"{result.seconds:.2f} s",
            f"{1000 * result.seconds / count:.2f} ms/page, peak {result.peak_mib:.0f} MiB",
        )
    middle, large = scale[sizes[1]], scale[sizes[2]]
    for low, high in ((sizes[0], sizes[1]), (sizes[1], sizes[2])):
        growth = scale[high].seconds / scale[low].seconds
        row(
            f"scaling: time({high}) / time({low})", f"{growth:.2f}×", f"{high // low}× pages; ≤ 11×"
        )
        checks.append(
            (f"linear {low}→{high} pages", growth <= 11 * high / low / 10, f"{growth:.2f}×")
        )
    memory_growth = large.peak_mib / middle.peak_mib
    row(
        f"memory: peak({sizes[2]}) / peak({sizes[1]})",
        f"{memory_growth:.2f}×",
        f"{middle.peak_mib:.0f} → {large.peak_mib:.0f} MiB; flat ≈ 1×",
    )
    checks.append(("peak memory flat", memory_growth <= 1.25, f"{memory_growth:.2f}×"))
    site = CORPUS / f"work-site-{sizes[2]}"
    noop, edit, written = rebuilds(site, args.jobs)
    share = noop.seconds / large.build.seconds
    row(
        f"site {sizes[2]}: no-op rebuild / full build",
        f"{100 * share:.1f} %",
        f"{noop.seconds:.2f} s / {large.build.seconds:.2f} s; target < 5 %",
    )
    checks.append(("no-op rebuild < 5 % of a full build", share < 0.05, f"{100 * share:.1f} %"))
    row(f"site {sizes[2]}: one-page edit: outputs rewritten", f"{written}", "target 2 (en + de)")
    checks.append(("one-page edit rebuilds that page only", written == 2, str(written)))
    row(
        f"site {sizes[2]}: one-page edit build / full build",
        f"{100 * edit.seconds / large.build.seconds:.1f} %",
    )
    total = time.perf_counter() - started
    empty_trash(settle=False)
    write_report(args.output, rows, checks, total, jobs=args.jobs, repeat=args.repeat)
    print(f"\nwrote {args.output} ({total:.0f} s)")


def write_report(
    path: Path,
    rows: list[tuple[str, str, str]],
    checks: list[tuple[str, bool, str]],
    total: float,
    *,
    jobs: int,
    repeat: int,
) -> None:
    machine = (
        f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}, "
        f"--jobs {jobs}, fastest of {repeat} runs per comparison; whole run {total:.0f} s"
    )
    lines = [
        "# Benchmark results",
        "",
        f"One run of `make bench` ({machine}). Ratios compare runs of this same script on this "
        "same machine; absolute seconds depend on the machine.",
        "",
        "| Measure | Result | Note |",
        "| --- | ---: | --- |",
        *(f"| {what} | {value} | {note} |" for what, value, note in rows),
        "",
        "## Targets",
        "",
        "| Target | Met | Measured |",
        "| --- | --- | ---: |",
        *(f"| {name} | {'yes' if ok else '**no**'} | {value} |" for name, ok, value in checks),
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
