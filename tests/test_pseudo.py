"""Pseudo-locale: accented, padded, bracketed text that keeps every placeholder, only for qps."""

from __future__ import annotations

import doctest
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

import pipeline.pseudo
from cli import main
from pipeline.build import translate_page
from pipeline.model import PLACEHOLDER_RE
from pipeline.placeholders import structure_problems
from pipeline.pofile import parse_po
from pipeline.pseudo import CLOSE, OPEN, pseudo_text, restore
from tests.laws import pseudo_law_violations, segments_of
from tests.reliability import best_seconds

REPO = Path(__file__).parent.parent
PAGES = sorted(p.relative_to(REPO / "source_html").as_posix()
               for p in (REPO / "source_html").rglob("*.html"))  # fmt: skip
_ASCII_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1)
_PLACEHOLDER = st.integers(1, 9).map(lambda n: f"<{n}/>") | st.integers(1, 9).map(
    lambda n: f"<{n}>x</{n}>"
)


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_doctests() -> None:
    assert doctest.testmod(pipeline.pseudo).failed == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Home", "⟦Ĥöɱé ·⟧"),
        ("Rest <1>now</1>, {name}!", "⟦Ŕéšţ <1>ñöŵ</1>, {name}! ···⟧"),
        ("See https://example.org/a or mail info@example.org", "⟦Šéé https://example.org/a öŕ"
         " ɱåîļ info@example.org ···⟧"),
        ("%(count)d items, 100%", "⟦%(count)d îţéɱš, 100% ···⟧"),
        ("", ""),
    ],
)  # fmt: skip
def test_pseudo_text(text: str, expected: str) -> None:
    assert pseudo_text(text) == expected


@given(st.lists(_ASCII_TEXT | _PLACEHOLDER, min_size=1).map("".join))
def test_pseudo_keeps_placeholders_and_restores(text: str) -> None:
    pseudo = pseudo_text(text)
    assert pseudo.startswith(OPEN) and pseudo.endswith(CLOSE)
    assert [m.group() for m in PLACEHOLDER_RE.finditer(pseudo)] == [
        m.group() for m in PLACEHOLDER_RE.finditer(text)
    ]
    assert restore(pseudo) == OPEN + text + CLOSE


def test_pseudo_is_about_thirty_percent_longer() -> None:
    text = "Spinal stenosis narrows the space around the nerves in the lower back."
    assert len(pseudo_text(text)) - 2 == len(text) + 21
    assert not any(c.isascii() and c.isalpha() for c in pseudo_text(text))


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(REPO / "source_html", tmp_path / "source_html")
    shutil.copytree(REPO / "locales", tmp_path / "locales")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pipeline]\ntarget_locales = ["ja"]\nmin_percent = 80\n'
        'base_url = "https://www.example-spine-clinic.jp/"\n', encoding="utf-8"
    )  # fmt: skip
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1761264000")
    assert run("extract").exit_code == 0
    return tmp_path


def test_update_fills_only_the_pseudo_locale(site: Path) -> None:
    assert run("update", "--locale", "qps", "--locale", "fr").exit_code == 0
    for page in PAGES:
        name = page.removesuffix(".html") + ".po"
        qps = parse_po((site / "locales/qps/LC_MESSAGES" / name).read_text("utf-8"), path=name)
        fr = parse_po((site / "locales/fr/LC_MESSAGES" / name).read_text("utf-8"), path=name)
        assert qps.messages and all(m.translated for m in qps.messages)
        assert all(m.msgstr == pseudo_text(m.msgid) for m in qps.messages)
        assert all(structure_problems(m.msgid, m.msgstr) == () for m in qps.messages)
        assert not any(m.msgstr for m in fr.messages)
        assert dict(qps.header)["Language"] == "qps"
    again = run("update", "--locale", "qps", "--check")
    assert again.exit_code == 0, again.output


def test_pseudo_locales_are_configurable(site: Path) -> None:
    pyproject = site / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'pseudo_locales = ["en-XA"]\n', encoding="utf-8")
    assert run("update", "--locale", "en-XA").exit_code == 0
    xa = (site / "locales/en-XA/LC_MESSAGES/index.po").read_text(encoding="utf-8")
    assert "⟦" in xa
    # No longer a pseudo-locale, qps is no language either: refused, not filled with English.
    unknown = run("update", "--locale", "qps")
    assert unknown.exit_code == 2 and "unknown locale code 'qps'" in unknown.stderr
    assert not (site / "locales/qps").exists()
    pyproject.write_text(pyproject.read_text() + 'pseudo_locales = ["../x"]\n', encoding="utf-8")
    bad = run("update")
    assert bad.exit_code == 2


@pytest.mark.parametrize("page", PAGES)
def test_qps_pages_obey_the_pseudo_law(site: Path, page: str) -> None:
    assert run("update", "--locale", "qps").exit_code == 0
    built = run("build", "--locale", "ja", "--locale", "qps", "--output", "site-qps")
    assert built.exit_code == 0 and "held back qps" not in built.output, built.output
    source = (site / "source_html" / page).read_bytes()
    catalog_path = site / "locales/qps/LC_MESSAGES" / (page.removesuffix(".html") + ".po")
    catalog = parse_po(catalog_path.read_text(encoding="utf-8"), path=str(catalog_path))
    # The catalog spliced into the page alone: the full law, once accents and padding are undone.
    table = {m.key: m.msgstr for m in catalog.active}
    spliced = translate_page(segments_of(source), table).data.decode("utf-8")
    assert pseudo_law_violations(source, restore(spliced).encode("utf-8")) == []
    # The published page (lang, alternates, switcher, links): no letter outside ⟦ ⟧.
    published = (site / "site-qps/qps" / page).read_bytes()
    letters = [v for v in pseudo_law_violations(source, published) if v.startswith("letter")]
    assert letters == []
    assert b'<html lang="qps"' in published
    assert b'hreflang="qps"' in published


#: What pseudo-translation protects, written as one alternation: the definition `_protected`
#: must agree with.
_ONE_PATTERN = re.compile(pipeline.pseudo._PROTECTED_RE.pattern + r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@given(
    st.lists(
        st.sampled_from(
            [
                "a",
                "1",
                "@",
                "x.com",
                ".",
                "-",
                "+",
                " ",
                "%s",
                "{n}",
                "<1>",
                "</1>",
                "<2/>",
                "www.",
                "https://",
                "mailto:",
                "é",
                "_",
                "%(a)d",
            ]
        ),
        max_size=16,
    ).map("".join)
)
@settings(max_examples=500, deadline=None)
def test_protected_text_is_what_one_alternation_finds(text: str) -> None:
    expected = [m.span() for m in _ONE_PATTERN.finditer(text)]
    assert [m.span() for m in pipeline.pseudo._protected(text)] == expected


def test_a_long_word_with_an_at_sign_is_protected_in_linear_time() -> None:
    """Sixteen times the text costs about sixteen times the time (quadratic: 256 times); a
    ratio of two sizes, so a busy machine slows both alike."""

    def cost(size: int) -> float:
        text = "a" * size + "@"
        return best_seconds(lambda: pseudo_text(text))

    assert cost(131_072) / cost(8_192) < 80
