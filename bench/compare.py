"""Before/after comparison: the same inputs through two versions of the pipeline, byte by byte.

    make compare    # or: .venv/bin/python bench/compare.py [--before REF] [--pages N] [--jobs N]

"Before" is a git ref (default e6fc933, the last commit with the C extension), checked out as a
worktree under bench/work/ (git-ignored), with its C extension compiled in place when its
setup.py declares one (`python setup.py build_ext --inplace`, this interpreter). "After" is the
repository's working tree as it is when the script starts, copied to bench/work/ (the files git
tracks or would track: no stale `*.so`, no `__pycache__`), so that edits made while the script
runs do not reach half of its commands; its extension is compiled too if it still declares one.
Each side runs its own `cli.py` with this interpreter, PYTHONPATH set to its tree and the working
directory in a scratch project of its own (bench/work/compare/<corpus>/<side>/), with the same
SOURCE_DATE_EPOCH.

Against e6fc933 the behaviour changes of issue 19 show as differences, on purpose: the build's
manifest moved from site/ to the cache, site/index.html and site/sitemap.xml are new, summaries
moved to stderr, and the broken links of the old sample pages are warned. To check that a later
refactoring changes nothing, pass a commit after them (`--before 6985fc6` or newer).

Two corpora, each laid out fresh and identically for both sides:

- project: this repository's source_html/, locales/ (the Japanese catalogs and glossary) and
  pyproject.toml; `extract`, `update` (every target and pseudo locale), `build`, `build` again
  (the no-op rebuild), `status --format json`, `status --html`, `check --format json`, `check`;
- debian: a seeded sample of `--pages` pages (default 300) of Debian's packaged HTML
  documentation, fetched once into bench/corpus/debian/ with `apt-get download` and
  `dpkg-deb -x` (as bench/run.py does), split evenly between python3.11-doc (Sphinx), git-doc
  (AsciiDoc) and postgresql-doc-15 (DocBook XSL), with each package's style sheets;
  `extract`, `update`; then every catalog is pseudo-translated by one pure function (the BEFORE
  tree's `parse_po`, `pseudo_text`, `render_po`, run on each side's catalogs); then `build`,
  `build` again, `status`, `check`.

Compared: every file in the scratch project after `update` (before the pseudo-translation) and
again after the last command (inputs, templates, catalogs, the site with its build manifest,
the status page), and each command's exit code, stdout and stderr. Left out, and said so in the
output: the cache directory `.pipeline-cache/` (its page entries hold a digest of the code that
segmented them, its build records the files' inode numbers and modification times). Masked:
the time of writing in the header of the build manifest, site/.pipeline-build.jsonl. In stdout
and stderr the two sides' own absolute paths (project directory, tree) are replaced by
placeholders. Each build waits until its inputs are 2 s old, the pipeline's own trust tick
(`SETTLE_SECONDS`). Timings (wall time of each command, the sides taking turns) are printed for
information only: a single run on a shared machine, not a gate.

`--after REF` compares two commits instead (`--after e6fc933` checks the harness itself: it must
find nothing). The two code trees are removed from bench/work/ at the end (`--keep-trees` keeps
them): mypy checks bench/ and would find two more `pipeline` packages there. The scratch projects
stay, for a look at any difference.

Exit status: 0 when everything is identical, 1 when anything differs, 2 when the set-up fails.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import textwrap
import time
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / "work"
SCRATCH = WORK / "compare"
CORPUS = HERE / "corpus"
DEBIAN = CORPUS / "debian"
UNPACKED = DEBIAN / "unpacked"
PYTHON = sys.executable
DEFAULT_BEFORE = "e6fc933"
SOURCE_DATE_EPOCH = "1761264000"
#: Left out of the byte comparison (see the module docstring), relative to a scratch project.
EXCLUDED = (".pipeline-cache",)
#: The build manifest's (site/.pipeline-build*.jsonl) header: when it was written, in ns.
MANIFEST_TIME = re.compile(rb'\A(\{"written": )\d+')
#: Each package's HTML root below the unpacked tree, and the generator of its pages.
PACKAGES = {
    "python3.11-doc": ("usr/share/doc/python3.11/html", "Sphinx"),
    "git-doc": ("usr/share/doc/git-doc", "AsciiDoc"),
    "postgresql-doc-15": ("usr/share/doc/postgresql-doc-15/html", "DocBook XSL"),
}
MAX_PAGE_BYTES = 400_000
#: A build trusts file signatures (and writes its no-op stamp, .pipeline-cache/stamp.json) only
#: for inputs changed 2 s or more before it starts; each build step waits that long after the
#: previous step, so that both sides take the same path whatever the machine's speed.
SETTLE_SECONDS = 2.1
DEBIAN_PYPROJECT = """[tool.pipeline]
source = "src"
locales = "locales"
output = "site"
target_locales = ["de"]
pseudo_locales = []
min_percent = 0
base_url = "https://docs.example.org/"
"""
#: Pseudo-translates every catalog below argv[1] with the tree on PYTHONPATH (as bench/run.py's
#: `pseudo_translate_tree`), printing how many catalogs it filled and which it could not read.
FILL = """
import sys
from dataclasses import replace
from pathlib import Path
from pipeline.pofile import parse_po, render_po
from pipeline.pseudo import pseudo_text
filled = 0
for path in sorted(Path(sys.argv[1]).rglob("*.po")):
    try:
        catalog = parse_po(path.read_text(encoding="utf-8"), path=str(path))
    except Exception as error:
        print(f"not filled: {path}: {error}", file=sys.stderr)
        continue
    messages = tuple(replace(m, msgstr=pseudo_text(m.msgid)) for m in catalog.messages)
    path.write_text(render_po(replace(catalog, messages=messages)), encoding="utf-8")
    filled += 1
print(filled)
"""
FILL_LABEL = "pseudo-translate"
PROBE = """
import pipeline
print("pipeline:", pipeline.__file__)
try:
    import pipeline._speedups as speedups
except ImportError:
    print("C extension: none")
else:
    print("C extension:", speedups.__file__)
"""


def git(*args: str, cwd: Path = REPO) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SetupError(f"git {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout


class SetupError(Exception):
    """The comparison cannot run (exit 2)."""


# --- the two trees ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Side:
    name: str
    tree: Path
    #: What the tree is (a commit, or the working tree and its state).
    description: str
    #: A git worktree (else a plain copy of the working tree).
    worktree: bool

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "PYTHONPATH": str(self.tree),
            "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH,
            "NO_COLOR": "1",
        }


def worktree(ref: str, name: str) -> Side:
    """A worktree of `ref` under bench/work/, reused when it is already at that commit."""
    commit = git("rev-parse", "--verify", f"{ref}^{{commit}}").strip()
    tree = WORK / f"before-{commit[:12]}"
    if tree.exists():
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=tree, capture_output=True, text=True, check=False
        ).stdout.strip()
        dirty = git("status", "--porcelain", "--untracked-files=no", cwd=tree).strip()
        if head != commit or dirty:
            git("worktree", "remove", "--force", str(tree))
    if not tree.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        git("worktree", "prune")
        git("worktree", "add", "--detach", str(tree), commit)
    subject = git("log", "-1", "--format=%h %s", commit).strip()
    return Side(name, tree, f"{ref} = {subject}", worktree=True)


def after_tree() -> Side:
    """A copy of the working tree's tracked and untracked-but-not-ignored files, as they are now."""
    tree = WORK / "after-snapshot"
    if tree.exists():
        shutil.rmtree(tree)
    listing = git("ls-files", "-z", "--cached", "--others", "--exclude-standard")
    copied = 0
    for name in sorted(set(filter(None, listing.split("\0")))):
        source = REPO / name
        if not source.is_file() and not source.is_symlink():
            continue  # deleted in the working tree, not yet in the index
        target = tree / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
        copied += 1
    changes = git("status", "--porcelain").splitlines()
    head = git("log", "-1", "--format=%h", "HEAD").strip()
    state = f"{len(changes)} paths changed" if changes else "clean"
    what = f"working tree of {REPO} ({head} + {state}; {copied} files copied)"
    return Side("after", tree, what, worktree=False)


def remove_trees(sides: Iterable[Side]) -> None:
    """The code trees out of bench/work/ once done: mypy, which checks bench/ (pyproject.toml's
    [tool.mypy] excludes only bench/corpus/), would find two more `pipeline` packages there."""
    for side in sides:
        try:
            if side.worktree and side.tree.exists():
                git("worktree", "remove", "--force", str(side.tree))
            elif side.tree.exists():
                shutil.rmtree(side.tree)
        except (SetupError, OSError) as error:
            print(f"compare: could not remove {side.tree}: {error}", file=sys.stderr)


def compile_extension(side: Side) -> str:
    """Build the tree's C extension in place if its setup.py declares one; say what was done."""
    setup = side.tree / "setup.py"
    if not setup.is_file() or "Extension(" not in setup.read_text(encoding="utf-8"):
        return "no C extension declared (no setup.py Extension)"
    result = subprocess.run(
        [PYTHON, "setup.py", "--quiet", "build_ext", "--inplace"],
        cwd=side.tree,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SetupError(
            f"{side.name}: setup.py build_ext --inplace failed:\n{result.stderr[-3000:]}"
        )
    return "C extension compiled in place (setup.py build_ext --inplace)"


def probe(side: Side, cwd: Path) -> list[str]:
    """Which pipeline package the side imports, and whether its C extension loads."""
    result = subprocess.run(
        [PYTHON, "-c", PROBE], cwd=cwd, env=side.env(), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        return [f"import failed: {(result.stderr.strip().splitlines() or ['?'])[-1]}"]
    return result.stdout.splitlines()


# --- running commands ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Command:
    """One step: a cli.py command (`args`), or the pseudo-translation of the catalogs (`fill`)."""

    label: str
    args: tuple[str, ...] = ()
    fill: str = ""
    #: Wait first until the inputs are older than the build's 2 s tick (see `SETTLE_SECONDS`).
    settle: bool = False


@dataclass(frozen=True, slots=True)
class Result:
    label: str
    code: int
    stdout: bytes
    stderr: bytes
    seconds: float


def run(side: Side, project: Path, command: Command, fill_tree: Path) -> Result:
    """Run one step for one side in its project directory, timed (wall clock)."""
    if command.fill:
        argv = [PYTHON, "-c", FILL, command.fill]
        env = {**side.env(), "PYTHONPATH": str(fill_tree)}  # one function for both sides
    else:
        argv = [PYTHON, str(side.tree / "cli.py"), *command.args]
        env = side.env()
    started = time.perf_counter()
    try:
        done = subprocess.run(argv, cwd=project, env=env, capture_output=True, timeout=3600)
        code, stdout, stderr = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as expired:
        code, stdout, stderr = -9, expired.stdout or b"", (expired.stderr or b"") + b"\nTIMEOUT"
    seconds = time.perf_counter() - started
    for path, placeholder in (
        (project, b"<PROJECT>"),
        (side.tree, b"<TREE>"),
        (fill_tree, b"<FILL>"),
    ):
        stdout = stdout.replace(str(path).encode(), placeholder)
        stderr = stderr.replace(str(path).encode(), placeholder)
    return Result(command.label, code, stdout, stderr, seconds)


# --- comparing -------------------------------------------------------------------------------


@dataclass(slots=True)
class Tally:
    """What one corpus compared: files and bytes per area, and the differences."""

    areas: dict[str, list[int]] = field(default_factory=dict)  # area -> [files, bytes, same]
    differences: list[str] = field(default_factory=list)
    excluded: dict[str, tuple[int, int]] = field(default_factory=dict)  # side -> (files, bytes)
    #: Informative only: files of the excluded trees on one side only.
    notes: list[str] = field(default_factory=list)

    def count(self, area: str, size: int, same: bool) -> None:
        entry = self.areas.setdefault(area, [0, 0, 0])
        entry[0] += 1
        entry[1] += size
        entry[2] += same

    @property
    def files(self) -> int:
        return sum(entry[0] for entry in self.areas.values())

    @property
    def bytes(self) -> int:
        return sum(entry[1] for entry in self.areas.values())

    @property
    def same(self) -> int:
        return sum(entry[2] for entry in self.areas.values())


def area_of(relative: str) -> str:
    parts = relative.split("/")
    if parts[0] in ("locales", "site") and len(parts) > 2:
        return "/".join(parts[:2]) + "/"
    return parts[0] + ("/" if len(parts) > 1 else "")


def listing(root: Path) -> dict[str, Path]:
    """Every file and symbolic link below `root` by relative path, the excluded trees left out."""
    found: dict[str, Path] = {}
    for directory, subdirectories, names in os.walk(root):
        here = Path(directory)
        if here == root:
            subdirectories[:] = [d for d in subdirectories if d not in EXCLUDED]
        for name in (*names, *(d for d in subdirectories if (here / d).is_symlink())):
            path = here / name
            found[path.relative_to(root).as_posix()] = path
    return found


def content(path: Path) -> bytes:
    """The bytes compared: the file's, but for the build manifest's time of writing."""
    if path.is_symlink():
        return b"symlink -> " + os.readlink(path).encode()
    data = path.read_bytes()
    if path.name.startswith(".pipeline-build") and path.suffix == ".jsonl":
        data = MANIFEST_TIME.sub(rb"\1<TIME>", data, count=1)
    return data


def first_difference(left: bytes, right: bytes) -> int:
    limit = min(len(left), len(right))
    low, high = 0, limit  # the longest common prefix, by halves (files can be large)
    while low < high:
        middle = (low + high + 1) // 2
        if left[:middle] == right[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def describe(name: str, left: bytes, right: bytes) -> str:
    """A differing pair: sizes, the first differing byte (offset, line) and what surrounds it."""
    offset = first_difference(left, right)
    line = left[:offset].count(b"\n") + 1
    start = max(0, offset - 40)

    def around(data: bytes) -> str:
        return repr(data[start : offset + 60].decode("utf-8", "replace"))

    return (
        f"{name}: {len(left)} vs {len(right)} bytes, first difference at byte {offset} "
        f"(line {line})\n      before: {around(left)}\n      after:  {around(right)}"
    )


def compare_trees(label: str, left: Path, right: Path, tally: Tally) -> None:
    """Every file of the two scratch projects, byte for byte."""
    ours, theirs = listing(left), listing(right)
    for relative in sorted(ours.keys() | theirs.keys()):
        name = f"[{label}] {relative}"
        if relative not in theirs or relative not in ours:
            side = "before" if relative in ours else "after"
            size = len(content((ours | theirs)[relative]))
            tally.count(f"{label}: {area_of(relative)}", size, False)
            tally.differences.append(f"{name}: only in {side} ({size} bytes)")
            continue
        a, b = content(ours[relative]), content(theirs[relative])
        tally.count(f"{label}: {area_of(relative)}", len(a), a == b)
        if a != b:
            tally.differences.append(describe(name, a, b))
    names: list[set[str]] = []
    for side, root in (("before", left), ("after", right)):
        files = [p for e in EXCLUDED for p in (root / e).rglob("*") if p.is_file()]
        tally.excluded[f"{label}, {side}"] = (len(files), sum(p.stat().st_size for p in files))
        names.append({p.relative_to(root).as_posix() for p in files})
    for name in sorted(names[0] ^ names[1]):
        side = "before" if name in names[0] else "after"
        tally.notes.append(f"[{label}] excluded {name}: only in {side}")


def compare_results(pairs: Iterable[tuple[Result, Result]], tally: Tally) -> None:
    """Exit codes, stdout and stderr of each step."""
    for before, after in pairs:
        for stream, a, b in (
            ("exit code", str(before.code).encode(), str(after.code).encode()),
            ("stdout", before.stdout, after.stdout),
            ("stderr", before.stderr, after.stderr),
        ):
            tally.count(f"commands: {stream}", len(a), a == b)
            if a != b:
                tally.differences.append(describe(f"[{before.label}] {stream}", a, b))


# --- corpora ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Corpus:
    name: str
    #: The project's files: relative path -> where its bytes come from.
    files: dict[str, Path]
    #: Steps up to the first comparison, then the rest.
    first: tuple[Command, ...]
    rest: tuple[Command, ...]
    note: str


def project_corpus(after: Side, jobs: int) -> Corpus:
    """This repository's own site, from the after snapshot (the same bytes for both sides)."""
    root = after.tree
    files = {
        path.relative_to(root).as_posix(): path
        for top in ("source_html", "locales")
        for path in sorted((root / top).rglob("*"))
        if path.is_file()
    }
    files["pyproject.toml"] = root / "pyproject.toml"
    settings = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))["tool"]["pipeline"]
    codes = [*settings.get("target_locales", ()), *settings.get("pseudo_locales", ())]
    locales = tuple(arg for code in codes for arg in ("--locale", code))
    j = ("--jobs", str(jobs))
    return Corpus(
        "project",
        files,
        (Command("extract", ("extract", *j)), Command("update", ("update", *locales, *j))),
        (
            Command("build", ("build", *locales, *j), settle=True),
            Command("build (no-op)", ("build", *locales, *j), settle=True),
            Command("status json", ("status", *locales, "--format", "json")),
            Command("status html", ("status", *locales, "--html", "status.html")),
            Command("check json", ("check", *locales, "--format", "json")),
            Command("check text", ("check", *locales)),
        ),
        f"{len(files)} input files (source_html/, locales/, pyproject.toml); "
        f"locales {', '.join(codes)}",
    )


def fetch_debian() -> None:
    """The doc packages, downloaded and unpacked once into bench/corpus/debian/."""
    missing = [p for p, (root, _) in PACKAGES.items() if not (UNPACKED / root).is_dir()]
    if not missing:
        return
    DEBIAN.mkdir(parents=True, exist_ok=True)
    print(f"fetching {', '.join(missing)} with apt-get download …", flush=True)
    subprocess.run(["apt-get", "download", *missing], cwd=DEBIAN, check=True)
    for package in missing:
        deb = sorted(DEBIAN.glob(f"{package}_*.deb"))[-1]
        subprocess.run(["dpkg-deb", "-x", str(deb), str(UNPACKED)], check=True)


def candidates(root: Path) -> list[Path]:
    """A package's pages: regular .html files below 400 KB, Sphinx's index pages left out."""
    return sorted(
        p
        for p in root.rglob("*.html")
        if p.is_file()
        and not p.is_symlink()
        and not p.name.startswith("genindex")
        and p.name not in ("contents.html", "search.html")
        and p.stat().st_size < MAX_PAGE_BYTES
    )


def debian_corpus(pages: int, seed: int, jobs: int) -> Corpus:
    """A seeded sample of `pages` pages, split evenly between the doc packages."""
    fetch_debian()
    files: dict[str, Path] = {"pyproject.toml": Path()}  # written from DEBIAN_PYPROJECT
    counts: list[str] = []
    share, extra = divmod(pages, len(PACKAGES))
    for index, (package, (html, generator)) in enumerate(PACKAGES.items()):
        root = UNPACKED / html
        available = candidates(root)
        wanted = min(len(available), share + (index < extra))
        chosen = random.Random(f"{seed} {package}").sample(available, wanted)
        styles = sorted(p for p in root.rglob("*.css") if p.is_file() and not p.is_symlink())
        for path in (*chosen, *styles):
            files[f"src/{package}/{path.relative_to(root).as_posix()}"] = path
        size = sum(p.stat().st_size for p in chosen)
        counts.append(
            f"{package} ({generator}): {wanted} of {len(available)} pages, {size / 1e6:.1f} MB"
            f" + {len(styles)} style sheets"
        )
    j = ("--jobs", str(jobs))
    return Corpus(
        "debian",
        files,
        (Command("extract", ("extract", *j)), Command("update", ("update", *j))),
        (
            Command(FILL_LABEL, fill="locales/de"),
            Command("build", ("build", *j), settle=True),
            Command("build (no-op)", ("build", *j), settle=True),
            Command("status json", ("status", "--format", "json")),
            Command("status html", ("status", "--html", "status.html")),
            Command("check json", ("check", "--format", "json")),
        ),
        f"seed {seed}; " + "; ".join(counts),
    )


def lay_out(corpus: Corpus, project: Path) -> None:
    if project.exists():
        shutil.rmtree(project)
    project.mkdir(parents=True)
    for relative, source in corpus.files.items():
        target = project / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if corpus.name == "debian" and relative == "pyproject.toml":
            target.write_text(DEBIAN_PYPROJECT, encoding="utf-8")
        else:
            shutil.copyfile(source, target)


# --- the run ---------------------------------------------------------------------------------


def steps(
    commands: Sequence[Command], before: Side, after: Side, corpus: str
) -> list[tuple[Result, Result]]:
    """Each step on both sides in turn, so a slow spell of the machine falls on both."""
    pairs = []
    for command in commands:
        if command.settle:
            time.sleep(SETTLE_SECONDS)
        results = tuple(
            run(side, SCRATCH / corpus / side.name, command, before.tree)
            for side in (before, after)
        )
        pair = (results[0], results[1])
        pairs.append(pair)
        flags = "" if pair[0].code == pair[1].code else "  <- exit codes differ"
        print(
            f"  {command.label:<18} before {pair[0].seconds:7.2f} s (exit {pair[0].code})"
            f"   after {pair[1].seconds:7.2f} s (exit {pair[1].code}){flags}",
            flush=True,
        )
    return pairs


def report(name: str, tally: Tally, pairs: list[tuple[Result, Result]], shown: int) -> None:
    print(f"\n== {name}: compared")
    for area, (count, size, same) in sorted(tally.areas.items()):
        print(f"  {area:<36} {count:6} files {size:12,} bytes {same:6} identical")
    print(f"  {'total':<36} {tally.files:6} files {tally.bytes:12,} bytes {tally.same:6} identical")
    for where, (count, size) in tally.excluded.items():
        print(f"  excluded: {', '.join(EXCLUDED)} ({where}): {count} files, {size:,} bytes")
    for note in tally.notes[:shown]:
        print(f"  (not a difference) {note}")
    timed = [(a, b) for a, b in pairs if a.label != FILL_LABEL]  # the filler is not the pipeline
    before = sum(a.seconds for a, _ in timed)
    after = sum(b.seconds for _, b in timed)
    print(f"  wall time of the commands: before {before:.2f} s, after {after:.2f} s, ", end="")
    print(f"after/before {after / before:.2f}×" if before else "n/a")
    for a, b in timed:
        ratio = f"{b.seconds / a.seconds:.2f}×" if a.seconds else "n/a"
        print(f"    {a.label:<18} {a.seconds:7.2f} s -> {b.seconds:7.2f} s  {ratio}")
    if tally.differences:
        print(f"  {len(tally.differences)} DIFFERENCES:")
        for line in tally.differences[:shown]:
            print(textwrap.indent(line, "    "))
        if len(tally.differences) > shown:
            print(f"    … and {len(tally.differences) - shown} more (--show N)")
    else:
        print("  no differences")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--before", default=DEFAULT_BEFORE, help="git ref of the before side")
    parser.add_argument(
        "--after", help="git ref of the after side (default: the working tree, copied)"
    )
    parser.add_argument("--pages", type=int, default=300, help="Debian doc pages in the sample")
    parser.add_argument("--seed", type=int, default=1, help="seed of the page sample")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--show", type=int, default=40, help="differences listed per corpus")
    parser.add_argument(
        "--corpus", choices=("project", "debian"), action="append", help="default: both"
    )
    parser.add_argument(
        "--keep-trees", action="store_true", help="leave the two code trees in bench/work/"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    sides: list[Side] = []
    try:
        sides.append(after_tree() if args.after is None else worktree(args.after, "after"))
        sides.insert(0, worktree(args.before, "before"))
        different = compare(sides[0], sides[1], args)
    except SetupError as error:
        print(f"compare: {error}", file=sys.stderr)
        return 2
    finally:
        if not args.keep_trees:
            remove_trees(sides)
    print(f"\n{'DIFFERENT' if different else 'IDENTICAL'} ({time.perf_counter() - started:.0f} s)")
    return 1 if different else 0


def compare(before: Side, after: Side, args: argparse.Namespace) -> bool:
    """Both corpora through both sides; whether anything differs."""
    SCRATCH.mkdir(parents=True, exist_ok=True)
    for side in (before, after):
        built = compile_extension(side)
        found = probe(side, SCRATCH)
        print(f"{side.name}: {side.description}\n  tree {side.tree}\n  {built}")
        print("\n".join(f"  {line}" for line in found), flush=True)
        if "build_ext" in built and "C extension: none" in found:
            raise SetupError(f"{side.name}: the C extension was compiled but does not load")
    print(f"left out of the comparison: {', '.join(EXCLUDED)}/ (code digests, inodes, mtimes);")
    print('masked: the time in site/.pipeline-build*.jsonl\'s header ({"written": <TIME>, …});')
    print("in stdout/stderr, each side's absolute paths read <PROJECT>, <TREE>, <FILL>")
    print(f"SOURCE_DATE_EPOCH={SOURCE_DATE_EPOCH} on both sides; --jobs {args.jobs}\n")
    different = False
    for name in args.corpus or ["project", "debian"]:
        corpus = (
            project_corpus(after, args.jobs)
            if name == "project"
            else debian_corpus(args.pages, args.seed, args.jobs)
        )
        print(f"== {name}: {corpus.note}", flush=True)
        for side in (before, after):
            lay_out(corpus, SCRATCH / name / side.name)
        tally = Tally()
        left, right = SCRATCH / name / "before", SCRATCH / name / "after"
        pairs = steps(corpus.first, before, after, name)
        compare_trees("after update", left, right, tally)
        pairs += steps(corpus.rest, before, after, name)
        compare_trees("final", left, right, tally)
        compare_results(pairs, tally)
        report(name, tally, pairs, args.show)
        different = different or bool(tally.differences)
    return different


if __name__ == "__main__":
    sys.exit(main())
