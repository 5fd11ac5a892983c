"""Benchmark: pages of hostile shape against real pages of the same total size.

    make hostile          # or: .venv/bin/python bench/hostile.py [--only SHAPE]… [--timeout S]

The requirement: a page of hostile shape costs about what a real page of its size costs (deep
nesting, tens of thousands of unclosed or inline elements, 20 000 attributes, megabyte text runs,
comment and entity bombs, a 10 MB msgstr); a set of them may cost at most 5× per byte what real
pages of the same total size cost, and nothing may time out.

What it does, all in this one run on this machine, reported as ratios (never absolute times):

1. generates the hostile pages (seeded, deterministic; 0.5–3 MB each, see `SHAPES`);
2. picks real pages, the Debian python3.11-doc HTML that bench/run.py fetches into bench/corpus/
   (its `real_pages`), in a seeded random order until their bytes reach the hostile set's;
3. in scratch projects under bench/work/hostile/ (git-ignored) runs the real CLI as subprocesses,
   `--jobs 1` so that the cost per byte is not a matter of worker balance: extract, update,
   (pseudo-translation, not timed, as bench/run.py does it), build, status, check, over each set;
   the cost of a command is the CPU time (user + sys) of the child and its descendants;
4. runs each hostile page alone (extract, update, build) with a timeout, to find the worst shape,
   and compares it with what a real page of its size costs (start-up + bytes × real cost/byte);
5. the catalog case: a small page's catalog with one 10 MB msgstr (placeholders kept) and the
   other entries 100 KB single-word msgstrs; build, status and check, per catalog byte, against
   the real set's build, status and check per catalog byte.

Writes the tables to bench/HOSTILE.md; exits 1 if the set (or the catalog case) costs more than
5× per byte what the real pages cost, or if anything timed out.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / "work" / "hostile"
PYTHON = sys.executable
CLI = str(REPO / "cli.py")
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

import run as bench_run  # noqa: E402  (bench/run.py: corpus fetching, the project file)

from pipeline.placeholders import Tag, tokenize  # noqa: E402
from pipeline.pofile import parse_po, render_po  # noqa: E402

TARGET = 5.0
_discarded = itertools.count()
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1761264000"}
PAGE_COMMANDS = ("extract", "update", "build")
ALL_COMMANDS = ("extract", "update", "build", "status", "check")
WORDS = [
    *("spine", "disc", "nerve", "muscle", "posture", "walking", "exercise", "rest", "imaging"),
    *("surgery", "therapy", "pain", "stiffness", "lumbar", "cervical", "vertebra", "treatment"),
    *("recovery", "patient", "doctor", "appointment", "week", "gentle", "careful", "morning"),
    *("evening", "clinic", "question", "answer", "reading"),
]


# --- the hostile pages ---------------------------------------------------------------------------


def page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def nested_div(rng: random.Random) -> str:
    n = 100_000
    opening = "".join(
        f"<div>Level {i} {words(rng, 3)}" if i % 100 == 0 else "<div>" for i in range(n)
    )
    return page("Nested div", opening + "The deepest text." + "</div>" * n)


def nested_inline(rng: random.Random) -> str:
    n = 100_000
    opening = "".join(
        f'<a href="#l{i}">{rng.choice(WORDS)} ' if i % 2 else f"<span>{rng.choice(WORDS)} "
        for i in range(n)
    )
    closing = "".join("</a>" if i % 2 else "</span>" for i in reversed(range(n)))
    return page("Nested links", f"<p>Start {opening}the end{closing}.</p>")


def unclosed_p(rng: random.Random) -> str:
    return page(
        "Unclosed p", "".join(f"<p>Paragraph {i}: {words(rng, 4)}.\n" for i in range(50_000))
    )


def unclosed_li(rng: random.Random) -> str:
    items = "".join(f"<li>Item {i} {words(rng, 3)}\n" for i in range(50_000))
    return page("Unclosed li", f"<ul>\n{items}")


def unclosed_b(rng: random.Random) -> str:
    bolds = "".join(f"<b>{rng.choice(WORDS)} {i} " for i in range(50_000))
    return page("Unclosed b", f"<p>Start {bolds}end.</p><p>After the bold run.</p>")


def inline_run(rng: random.Random) -> str:
    tags = ("b", "i", "em", "strong", "code")
    run = "".join(
        f"<{tags[i % 5]}>{rng.choice(WORDS)}</{tags[i % 5]}> "
        if i % 7
        else f'<a href="#{i}">x</a> '
        for i in range(50_000)
    )
    return page("Inline run", f"<p>Start {run}end.</p>")


def many_attributes(rng: random.Random) -> str:
    translatable = ("title", "alt", "aria-label", "placeholder")
    attributes = []
    for i in range(20_000):
        if i % 5_000 == 0:  # each translatable name, then three duplicates of it
            attributes.append(f'{translatable[i // 5_000]}="Attribute {i}: {words(rng, 4)}"')
        elif i % 997 == 0:
            attributes.append(f'title="Duplicate title {i}"')
        else:
            attributes.append(f'data-k{i}="{rng.choice(WORDS)} {i}"')
    tag = f'<a href="#x" {" ".join(attributes)}>'
    return page("20 000 attributes", f"<p>Before {tag}the link text</a> after.</p>")


def text_without_spaces(rng: random.Random) -> str:
    run = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=2_000_000))
    return page("No spaces", f"<p>{run}</p>")


def text_with_spaces(rng: random.Random) -> str:
    return page("Spaces", f"<p>{words(rng, 250_000)}.</p>")


def comments(rng: random.Random) -> str:
    body = "".join(
        f"<!-- comment {i} {rng.choice(WORDS)} -->"
        + (f"<p>Paragraph {i} {words(rng, 3)}.</p>\n" if i % 100 == 0 else "")
        for i in range(100_000)
    )
    return page("Comments", body)


def notes_piled(rng: random.Random) -> str:
    notes = "".join(f"<!-- i18n: note {i} {words(rng, 2)} -->\n" for i in range(50_000))
    return page("Notes piled", f"{notes}<p>The one annotated paragraph.</p>")


def notes_each(rng: random.Random) -> str:
    body = "".join(
        f"<!-- i18n: note {i} about {rng.choice(WORDS)} -->\n"
        f"<p>Paragraph {i} {words(rng, 5)}.</p>\n"
        for i in range(20_000)
    )
    return page("Notes each", body)


def entity_amp(rng: random.Random) -> str:
    return page("Entity amp", "<p>" + "R&amp;D " * 300_000 + "</p>")


def entity_numeric(rng: random.Random) -> str:
    return page("Entity numeric", "<p>" + "&#72;&#x65;&#108;l&#x6F; " * 80_000 + "</p>")


def entity_unknown(rng: random.Random) -> str:
    run = "x&foo; &bar y&notit; &amp &lt3 &#xZZ; &#99999999; &; " * 35_000
    return page("Entity unknown", f'<p title="&foo;&notit;&amp x">Text {run}</p>')


def table_unclosed(rng: random.Random) -> str:
    cells = "".join(
        ("<tr>" if i % 10 == 0 else "") + f"<td>Cell {i} {rng.choice(WORDS)}\n"
        for i in range(50_000)
    )
    return page("Unclosed table", f"<table>\n{cells}")


def misnested(rng: random.Random) -> str:
    run = "".join(f"<b><i>{rng.choice(WORDS)}</b></i> " for _ in range(50_000))
    return page("Misnested", f"<p>Start {run}end.</p>")


def nested_tables(rng: random.Random) -> str:
    n = 20_000
    opening = "".join(f"<table><tr><td>Cell {i} {rng.choice(WORDS)} " for i in range(n))
    return page("Nested tables", opening + "deepest" + "</td></tr></table>" * n)


def plain_paragraphs(rng: random.Random, size: int) -> str:
    """Ordinary paragraphs, without a double quote, of about `size` characters."""
    parts: list[str] = []
    total = 0
    i = 0
    while total < size:
        part = f"<p class=text>Paragraph {i}: {words(rng, 12)}.</p>\n"
        parts.append(part)
        total += len(part)
        i += 1
    return "".join(parts)


def unterminated_comment(rng: random.Random) -> str:
    return page("Open comment", "<p>Before.</p><!--" + plain_paragraphs(rng, 1_000_000))


def unterminated_quote(rng: random.Random) -> str:
    return page("Open quote", '<p>Before <a title="' + plain_paragraphs(rng, 1_000_000))


def many_br(rng: random.Random) -> str:
    lines = "".join(f"line {i} {rng.choice(WORDS)}<br>" for i in range(30_000))
    return page("30 000 br", f"<p>{lines}</p>")


def megabyte_attributes(rng: random.Random) -> str:
    alt = words(rng, 130_000)
    title = words(rng, 130_000)
    url = "/" + "".join(rng.choices("abcdefghij/", k=1_000_000))
    return page(
        "1 MB attributes",
        f'<p>Look: <img src="x.png" alt="{alt}"> and <a href="{url}" title="{title}">here</a>.</p>',
    )


def many_times(rng: random.Random) -> str:
    def time_tag(i: int) -> str:
        day = 1 + i % 28
        return f'<time datetime="2024-05-{day:02d}">May {day}, 2024</time>'

    inline = ", ".join(f"on {time_tag(i)}" for i in range(5_000))
    items = "".join(f"<li>Visit {i} {time_tag(i)}</li>\n" for i in range(5_000))
    return page("10 000 times", f"<p>Visits {inline}.</p>\n<ul>\n{items}</ul>")


#: name -> (what it is, generator); each page 0.5–3 MB.
SHAPES: dict[str, tuple[str, Callable[[random.Random], str]]] = {
    "nested-div": ("100 000 nested <div>", nested_div),
    "nested-inline": ("100 000 nested <span>/<a> in one <p>", nested_inline),
    "unclosed-p": ("50 000 unclosed <p>", unclosed_p),
    "unclosed-li": ("50 000 unclosed <li>", unclosed_li),
    "unclosed-b": ("50 000 unclosed <b> in one <p>", unclosed_b),
    "inline-run": ("50 000 inline elements in one <p>", inline_run),
    "attributes-20000": ("one start tag with 20 000 attributes", many_attributes),
    "text-no-spaces": ("2 MB text run without spaces", text_without_spaces),
    "text-spaces": ("2 MB text run with spaces", text_with_spaces),
    "comments": ("100 000 comments", comments),
    "notes-piled": ("50 000 i18n notes before one <p>", notes_piled),
    "notes-each": ("20 000 i18n notes, one per <p>", notes_each),
    "entity-amp": ("&amp; ×300 000", entity_amp),
    "entity-numeric": ("numeric references ×400 000", entity_numeric),
    "entity-unknown": ("unknown / legacy / broken entities ×315 000", entity_unknown),
    "table-unclosed": ("<table> with 50 000 unclosed cells", table_unclosed),
    "misnested": ("<b><i></b></i> ×50 000", misnested),
    "nested-tables": ("20 000 nested <table>s", nested_tables),
    "open-comment": ("unterminated comment, then 1 MB", unterminated_comment),
    "open-quote": ("unterminated attribute quote, then 1 MB", unterminated_quote),
    "br-30000": ("<p> with 30 000 <br>", many_br),
    "attributes-1mb": ("alt, href and title of 1 MB each", megabyte_attributes),
    "times-10000": ("<time datetime> ×10 000", many_times),
}


#: Shapes also run alone with a pseudo locale (`update` pseudo-translates every message).
PSEUDO_SHAPES = ("text-no-spaces", "text-spaces")


def hostile_pages(only: Iterable[str]) -> dict[str, bytes]:
    chosen = list(only) or list(SHAPES)
    return {
        name: SHAPES[name][1](random.Random(f"hostile-{name}")).encode("utf-8") for name in chosen
    }


# --- running the CLI --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Timing:
    cpu: float
    wall: float
    code: int | None  # None: timed out
    error: str = ""

    @property
    def timed_out(self) -> bool:
        return self.code is None


@dataclass(slots=True)
class Result:
    """The commands run on one project, and the bytes they worked on."""

    page_bytes: int
    timings: dict[str, Timing] = field(default_factory=dict)
    catalog_bytes: int = 0
    note: str = ""

    def cpu(self, commands: Iterable[str]) -> float:
        return sum(self.timings[c].cpu for c in commands if c in self.timings)

    @property
    def timed_out(self) -> bool:
        return any(t.timed_out for t in self.timings.values())


def cli(command: str, work: Path, timeout: float) -> Timing:
    """One CLI command as a child process: its CPU time (user + sys, its children's included)."""
    args = [PYTHON, CLI, command]
    if command in PAGE_COMMANDS:
        args += ["--jobs", "1"]
    if command == "build":
        args.append("-q")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    code: int | None
    try:
        done = subprocess.run(
            args, cwd=work, env=ENV, capture_output=True, text=True, timeout=timeout, check=False
        )
        code = done.returncode
        lines = (done.stderr or "").strip().splitlines()
        error = lines[-1][:200] if code not in (0, 1) and lines else ""
    except subprocess.TimeoutExpired:
        code, error = None, f"timed out after {timeout:.0f} s"
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(cpu, wall, code, error)


def discard(path: Path) -> None:
    """Moved aside, not deleted, before a timed run (see bench/run.py's `discard`)."""
    if path.exists():
        trash = WORK / ".trash"
        trash.mkdir(parents=True, exist_ok=True)
        path.rename(trash / f"{next(_discarded)}-{os.getpid()}-{path.name}")


def lay_out(work: Path, pages: dict[str, bytes], *, pseudo_locale: bool = False) -> int:
    """A fresh project in `work` with `pages` (relative path -> bytes); their total size.
    With `pseudo_locale`, `update` also fills a pseudo locale (qps), as `update --locale qps`
    does in the clinic's own project."""
    discard(work)
    (work / "src").mkdir(parents=True)
    settings = bench_run.PYPROJECT
    if pseudo_locale:
        settings = settings.replace("pseudo_locales = []", 'pseudo_locales = ["qps"]')
        settings = settings.replace('target_locales = ["de"]', 'target_locales = ["de", "qps"]')
    (work / "pyproject.toml").write_text(settings, encoding="utf-8")
    for name, data in pages.items():
        target = work / "src" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return sum(len(data) for data in pages.values())


PSEUDO = (
    "import sys; sys.path[:0] = sys.argv[2:]; import run; "
    "from pathlib import Path; run.pseudo_translate_tree(Path(sys.argv[1]))"
)


def pseudo_translate(locales: Path, timeout: float) -> str:
    """bench/run.py's pseudo-translation of every catalog (not timed), in a child process so a
    pathological msgid cannot stall the benchmark; past `timeout`, a plain case swap instead."""
    try:
        subprocess.run(
            [PYTHON, "-c", PSEUDO, str(locales), str(HERE), str(REPO)],
            timeout=timeout,
            check=True,
            capture_output=True,
        )
        return ""
    except subprocess.TimeoutExpired:
        for path in locales.rglob("*.po"):
            catalog = parse_po(path.read_text(encoding="utf-8"), path=str(path))
            messages = tuple(replace(m, msgstr=swap_case(m.msgid)) for m in catalog.messages)
            path.write_text(render_po(replace(catalog, messages=messages)), encoding="utf-8")
        return f"pseudo_text took > {timeout:.0f} s: case-swapped translations instead"


def swap_case(text: str) -> str:
    return "".join(str(t) if isinstance(t, Tag) else t.swapcase() for t in tokenize(text))


def catalog_bytes(work: Path) -> int:
    return sum(p.stat().st_size for p in (work / "locales").rglob("*.po"))


def pipeline(work: Path, commands: Iterable[str], timeout: Callable[[str], float]) -> Result:
    """Run `commands` in order on the project in `work` (pseudo-translating after update);
    stops at a timeout, since what follows would work on missing files."""
    result = Result(page_bytes=sum(p.stat().st_size for p in (work / "src").rglob("*.html")))
    for command in commands:
        timing = cli(command, work, timeout(command))
        result.timings[command] = timing
        print(
            f"  {work.name:<22} {command:<8} cpu {timing.cpu:8.2f} s  wall {timing.wall:8.2f} s"
            f"  exit {timing.code}  {timing.error}",
            flush=True,
        )
        if timing.timed_out:
            break
        if command == "update":
            result.note = pseudo_translate(work / "locales", 120)
            result.catalog_bytes = catalog_bytes(work)
    return result


# --- the catalog case -------------------------------------------------------------------------


def huge_msgstrs(work: Path) -> str:
    """One entry (the first with placeholders) gets a 10 MB msgstr keeping them, every other
    entry a 100 KB single word; returns what the big entry's msgid was."""
    rng = random.Random("hostile-catalog")
    big_text = words(rng, 1_300_000)[:10_000_000]
    word = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=100_000))
    (path,) = (work / "locales" / "de").rglob("*.po")
    catalog = parse_po(path.read_text(encoding="utf-8"), path=str(path))
    big = next(m.msgid for m in catalog.active if "<1>" in m.msgid or "<1/>" in m.msgid)
    messages = []
    for message in catalog.messages:
        text = big_text if message.msgid == big else word
        tags = [str(t) for t in tokenize(message.msgid) if isinstance(t, Tag)]
        msgstr = f"{tags[0]}{text}{''.join(tags[1:])}" if tags else text
        messages.append(replace(message, msgstr=msgstr))
    path.write_text(render_po(replace(catalog, messages=tuple(messages))), encoding="utf-8")
    return big


# --- report -------------------------------------------------------------------------------------


def ratio(value: float) -> str:
    if value == float("inf"):
        return "timeout"
    return f"{value:.2f}×" + (" (> 5×)" if value > TARGET else "")


def seconds(timing: Timing | None) -> str:
    if timing is None:
        return "–"
    if timing.timed_out:
        return f"**timeout** (> {timing.wall:.0f} s)"
    mark = f" (exit {timing.code}: {timing.error})" if timing.code not in (0, 1) else ""
    return f"{timing.cpu:.2f}{mark}"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--only", action="append", default=[], choices=sorted(SHAPES))
    parser.add_argument("--timeout", type=float, default=120, help="seconds per command, alone")
    parser.add_argument("--no-solo", action="store_true", help="skip the pages one by one")
    parser.add_argument("--output", type=Path, default=HERE / "HOSTILE.md")
    args = parser.parse_args()
    started = time.perf_counter()
    shutil.rmtree(WORK / ".trash", ignore_errors=True)
    WORK.mkdir(parents=True, exist_ok=True)

    hostile = hostile_pages(args.only)
    hostile_total = sum(len(data) for data in hostile.values())
    print(f"{len(hostile)} hostile pages, {hostile_total / 1e6:.1f} MB", flush=True)

    # Real pages, in a seeded random order, until their bytes reach the hostile set's.
    root, _ = bench_run.real_pages(1)
    everything = sorted(
        p
        for p in root.rglob("*.html")
        if not p.name.startswith("genindex")
        and p.name not in ("contents.html", "search.html")
        and p.stat().st_size < 400_000
    )
    random.Random(3).shuffle(everything)
    real: dict[str, bytes] = {}
    for path in everything:
        if sum(len(d) for d in real.values()) >= hostile_total:
            break
        real[str(path.relative_to(root))] = path.read_bytes()
    print(f"{len(real)} real pages, {sum(len(d) for d in real.values()) / 1e6:.1f} MB", flush=True)

    # Start-up: the commands on a one-paragraph project, the fastest of three.
    tiny = {"tiny.html": page("Tiny", "<p>One short paragraph.</p>").encode()}
    startups = []
    for _ in range(3):
        lay_out(WORK / "startup", tiny)
        startups.append(pipeline(WORK / "startup", ALL_COMMANDS, lambda _: args.timeout))
    startup = {c: min(r.timings[c].cpu for r in startups) for c in ALL_COMMANDS}

    # The real set, then each hostile page alone, then the hostile set in one project.
    lay_out(WORK / "real", real)
    real_result = pipeline(WORK / "real", ALL_COMMANDS, lambda _: 3600)
    solos: dict[str, Result] = {}
    if not args.no_solo:
        for name, data in hostile.items():
            lay_out(WORK / f"solo-{name}", {f"{name}.html": data})
            solos[name] = pipeline(WORK / f"solo-{name}", PAGE_COMMANDS, lambda _: args.timeout)
        for name in PSEUDO_SHAPES:
            if name in hostile:
                work = WORK / f"solo-{name}-qps"
                lay_out(work, {f"{name}.html": hostile[name]}, pseudo_locale=True)
                solos[f"{name} +qps"] = pipeline(work, PAGE_COMMANDS, lambda _: args.timeout)

    def set_timeout(command: str) -> float:
        # Past 10× the real pages' cost for these bytes the target is missed anyway.
        expected = real_result.timings[command].wall * hostile_total / real_result.page_bytes
        return max(float(args.timeout), 10 * expected)

    marginal = {
        c: (real_result.timings[c].cpu - startup[c]) / real_result.page_bytes for c in PAGE_COMMANDS
    }

    def relative_cost(result: Result) -> float:
        """CPU seconds against what a real page of the same size costs (inf: timed out)."""
        if result.timed_out:
            return float("inf")
        expected = sum(startup[c] + result.page_bytes * marginal[c] for c in PAGE_COMMANDS)
        return result.cpu(PAGE_COMMANDS) / expected

    sets: dict[str, Result] = {}
    lay_out(WORK / "hostile-set", {f"{name}.html": data for name, data in hostile.items()})
    sets["all hostile pages"] = pipeline(WORK / "hostile-set", ALL_COMMANDS, set_timeout)
    slow = [n for n, result in solos.items() if n in hostile and relative_cost(result) > TARGET]
    if slow and len(slow) < len(hostile):
        # What the rest costs, so the pathological shapes do not hide the others (information,
        # not the verdict).
        rest = {f"{name}.html": data for name, data in hostile.items() if name not in slow}
        lay_out(WORK / "hostile-rest", rest)
        label = "without " + ", ".join(slow) + " (for information)"
        sets[label] = pipeline(WORK / "hostile-rest", ALL_COMMANDS, set_timeout)
    hostile_result = sets["all hostile pages"]

    # The catalog case: a generated page of the small site, then a 10 MB msgstr.
    catalog_work = WORK / "catalog"
    lay_out(catalog_work, {"page.html": bench_run.generated_page(0, 1).encode()})
    for command in ("extract", "update"):
        cli(command, catalog_work, args.timeout)
    big_msgid = huge_msgstrs(catalog_work)
    catalog_result = Result(page_bytes=0, catalog_bytes=catalog_bytes(catalog_work))
    for command in ("build", "status", "check"):
        catalog_result.timings[command] = cli(command, catalog_work, args.timeout)
        print(f"  catalog {command}: {seconds(catalog_result.timings[command])} s", flush=True)

    # Ratios.
    def set_ratio(commands: Iterable[str], result: Result | None = None) -> float:
        commands = tuple(commands)
        result = result or hostile_result
        if any(result.timings.get(c) is None or result.timings[c].timed_out for c in commands):
            return float("inf")
        mine = result.cpu(commands) / result.page_bytes
        theirs = real_result.cpu(commands) / real_result.page_bytes
        return mine / theirs

    total_ratio = set_ratio(ALL_COMMANDS)
    catalog_commands = ("build", "status", "check")
    real_per_catalog_byte = real_result.cpu(catalog_commands) / real_result.catalog_bytes
    catalog_ratio = (
        catalog_result.cpu(catalog_commands) / catalog_result.catalog_bytes
    ) / real_per_catalog_byte
    timeouts = [
        name
        for name, result in (
            ("hostile set", hostile_result),
            ("catalog case", catalog_result),
            *((f"{name} alone", result) for name, result in solos.items()),
        )
        if result.timed_out
    ]

    lines = [
        "# Hostile pages against real pages",
        "",
        f"One run of `make hostile` ({os.cpu_count()} cores, `--jobs 1`, Python "
        f"{sys.version.split()[0]}; whole run {{total}} s). Cost = CPU seconds (user + sys) of "
        "the CLI command; ratios compare cost per byte within this run.",
        "",
        "## The sets",
        "",
        f"Real: {len(real)} python3.11-doc pages, {real_result.page_bytes:,} bytes. Hostile: "
        f"{len(hostile)} pages, {hostile_result.page_bytes:,} bytes. A command that runs "
        "longer than 10× what the real pages cost for these bytes is stopped (timeout), and "
        "the commands after it are not run.",
    ]
    for label, result in sets.items():
        lines += [
            "",
            f"### {label[0].upper()}{label[1:]}: {result.page_bytes:,} bytes",
            "",
            "| Command | real CPU s | hostile CPU s | real wall s | hostile wall s "
            "| per byte, hostile/real |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for command in ALL_COMMANDS:
            mine, theirs = result.timings.get(command), real_result.timings[command]
            lines.append(
                f"| {command} | {theirs.cpu:.2f} | {seconds(mine)} | {theirs.wall:.2f} | "
                f"{f'{mine.wall:.2f}' if mine else '–'} | {ratio(set_ratio([command], result))} |"
            )
        lines.append(
            f"| **all** | {real_result.cpu(ALL_COMMANDS):.2f} | {result.cpu(ALL_COMMANDS):.2f}"
            f" | | | **{ratio(set_ratio(ALL_COMMANDS, result))}** (target ≤ 5×) |"
        )
        if result.note:
            lines += ["", f"Note: {result.note}."]
    if solos:
        lines += [
            "",
            "## Each hostile page alone",
            "",
            "extract, update, build (`--jobs 1`), each with a "
            f"{args.timeout:.0f} s timeout. *Relative cost* = CPU seconds / what a real page of "
            "that size costs (the start-up of the three commands on a one-paragraph project, "
            f"{sum(startup[c] for c in PAGE_COMMANDS):.2f} s, plus bytes × the real set's "
            "cost per byte after its start-up).",
            "",
            "| Shape | What | Bytes | extract | update | build | CPU s | wall s | relative cost |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name, result in sorted(
            solos.items(), key=lambda item: -item[1].cpu(PAGE_COMMANDS) / item[1].page_bytes
        ):
            relative = relative_cost(result)
            cells = " | ".join(seconds(result.timings.get(c)) for c in PAGE_COMMANDS)
            wall = sum(t.wall for t in result.timings.values())
            shown = "**timeout**" if result.timed_out else ratio(relative)
            note = f" ({result.note})" if result.note else ""
            qps = ", with a pseudo locale (qps)" if name.endswith("+qps") else ""
            lines.append(
                f"| {name} | {SHAPES[name.split()[0]][0]}{qps}{note} | {result.page_bytes:,} | "
                f"{cells} | "
                f"{result.cpu(PAGE_COMMANDS):.2f} | {wall:.2f} | {shown} |"
            )
    lines += [
        "",
        "## A 10 MB msgstr",
        "",
        f"A generated page's catalog: the entry `{big_msgid[:60]}…` translated with 10 MB of "
        "words (its placeholders kept), every other entry with one 100 KB word; "
        f"{catalog_result.catalog_bytes:,} catalog bytes. Cost per catalog byte against the real "
        f"set's ({real_result.catalog_bytes:,} bytes of pseudo-translated catalogs).",
        "",
        "| Command | CPU s | wall s | real CPU s | per catalog byte, this/real |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for command in catalog_commands:
        timing = catalog_result.timings[command]
        real_rate = real_result.timings[command].cpu / real_result.catalog_bytes
        catalog_rate = timing.cpu / catalog_result.catalog_bytes
        lines.append(
            f"| {command} | {seconds(timing)} | {timing.wall:.2f} | "
            f"{real_result.timings[command].cpu:.2f} | {ratio(catalog_rate / real_rate)} |"
        )
    lines.append(f"| **all** | | | | **{ratio(catalog_ratio)}** (target ≤ 5×) |")
    failed = total_ratio > TARGET or catalog_ratio > TARGET or bool(timeouts)
    lines += [
        "",
        "## Verdict",
        "",
        f"- hostile set / real set, cost per byte: **{ratio(total_ratio)}** (target ≤ 5×)",
        f"- 10 MB msgstr catalog / real catalogs, cost per byte: **{ratio(catalog_ratio)}** "
        "(target ≤ 5×)",
        f"- timeouts: {', '.join(timeouts) or 'none'}",
        f"- result: {'**FAILED**' if failed else 'met'}",
        "",
    ]
    total = time.perf_counter() - started
    report = "\n".join(lines).replace("{total}", f"{total:.0f}")
    args.output.write_text(report, encoding="utf-8")
    print("\n" + report)
    print(f"wrote {args.output}")
    shutil.rmtree(WORK / ".trash", ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
