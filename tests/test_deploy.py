"""What the webmaster deploys, through the real CLI: the root language chooser, the sitemap,
broken links reported with their line, and text for people in opaque elements translated."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from click.testing import Result

from pipeline.locale_codes import language_tag
from pipeline.pofile import parse_po
from tests.test_cli import run, translate

REPO = Path(__file__).parent.parent
BASE = "https://www.example-spine-clinic.jp/"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"

HOME = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Home</title>
<link rel="stylesheet" href="assets/site.css"><link rel="icon" href="favicon.ico">
<link rel="preconnect" href="https://fonts.example.com"></head>
<body>
<p>Read <a href="guide.html">the guide</a>, <a href="guide.html#walk">how to walk</a>,
<a href="./">this page</a>, <a href="?q=1">a search</a> and <a href="#top">the top</a>.</p>
<p>Our <a href="treatments/">treatments</a> and <a href="/clinic/">the clinic</a> and
<a href="https://www.example-spine-clinic.jp/access/">the map</a> and
<a href="mailto:a@b.jp">mail</a>.</p>
<p><img src="assets/spine.png" srcset="assets/spine.png 1x, assets/spine@2x.png 2x"
 alt="A spine"><img src="assets/my%20photo.jpg" alt="Our team"></p>
</body>
</html>
"""
GUIDE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Guide</title></head>
<body>
<p>Back <a href="index.html">home</a>,
or to <a href="../outside.html">a page out of the site</a>.</p>
<p>See <a href="missing.html">the missing page</a>.</p>
</body>
</html>
"""
VIDEO = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Video</title></head>
<body>
<div class="video"><iframe title="How the Florence method works"
 src="https://www.youtube.com/embed/x" allowfullscreen></iframe></div>
<p>Watch <iframe title='Q-Florence in one minute' src=https://www.youtube.com/embed/y></iframe>
first.</p>
<p><iframe translate="no" title="Aozora TV" src="https://www.youtube.com/embed/z"></iframe></p>
</body>
</html>
"""
VIDEO_JA = {
    "Video": "動画",
    "How the Florence method works": "フローレンス法の仕組み",
    "Watch <1/> first.": "まず<1/>をご覧ください。",
    "Q-Florence in one minute": "1分でわかるQフローレンス法",
}


def project(tmp_path: Path, pages: dict[str, str], *, base_url: str = BASE) -> Path:
    """A project with these pages (and the assets HOME names, but not all), ja as target."""
    source = tmp_path / "source_html"
    for name, text in pages.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text(text, encoding="utf-8")
    (source / "assets").mkdir(exist_ok=True)
    for asset in ("site.css", "spine.png", "my photo.jpg"):
        (source / "assets" / asset).write_bytes(b"asset")
    table = f'[tool.pipeline]\ntarget_locales = ["ja"]\nbase_url = "{base_url}"\n'
    (tmp_path / "pyproject.toml").write_text(table, encoding="utf-8")
    return tmp_path


@pytest.fixture
def clinic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the clinic's project (pages, catalogs, settings)."""
    for part in ("source_html", "locales"):
        shutil.copytree(REPO / part, tmp_path / part)
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- the root of the site ----------------------------------------------------------------------


def test_the_root_index_sends_visitors_to_their_language(clinic: Path) -> None:
    built = run("build", "--jobs", "1")
    assert built.exit_code == 0, built.output
    soup = BeautifulSoup((clinic / "site/index.html").read_bytes(), "html5lib")
    links = [(a["href"], a["hreflang"], a["lang"], a.get_text()) for a in soup.select("body a")]
    assert links == [
        ("en/index.html", "en", "en", "English"),
        ("ja/index.html", "ja", "ja", "日本語"),
    ]
    alternates = {
        link["hreflang"]: link["href"] for link in soup.select('link[rel="alternate"][hreflang]')
    }
    assert alternates == {
        "en": f"{BASE}en/index.html",
        "ja": f"{BASE}ja/index.html",
        "x-default": f"{BASE}en/index.html",
    }
    canonical = soup.select_one('link[rel="canonical"]')
    assert canonical is not None and canonical["href"] == f"{BASE}en/index.html"
    script = soup.select_one("head script")
    assert script is not None and script.string is not None
    assert "navigator.languages" in script.string and '"ja": "ja/index.html"' in script.string
    # The English home page, where x-default points, says the same about its versions.
    english = BeautifulSoup((clinic / "site/en/index.html").read_bytes(), "html5lib")
    assert {
        link["hreflang"]: link["href"] for link in english.select('link[rel="alternate"]')
    } == alternates


def built_home_and_guide(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Result:
    """Two pages built: index.html translated and published in ja, guide.html held back."""
    project(tmp_path, {"index.html": HOME, "guide.html": GUIDE})
    monkeypatch.chdir(tmp_path)
    run("extract")
    run("update")
    translate_all(tmp_path / "locales/ja/LC_MESSAGES/index.po")
    built = run("build", "--jobs", "1")
    assert built.exit_code == 0 and "held back ja/guide.html" in built.output
    return built


def test_the_sitemap_lists_each_published_version_with_its_alternates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built_home_and_guide(tmp_path, monkeypatch)
    root = ET.parse(tmp_path / "site/sitemap.xml").getroot()
    assert root.tag == f"{SITEMAP}urlset"
    urls = {
        url.findtext(f"{SITEMAP}loc"): [
            (link.get("rel"), link.get("hreflang"), link.get("href"))
            for link in url.findall(f"{XHTML}link")
        ]
        for url in root.findall(f"{SITEMAP}url")
    }
    home = [
        ("alternate", "en", f"{BASE}en/index.html"),
        ("alternate", "ja", f"{BASE}ja/index.html"),
        ("alternate", "x-default", f"{BASE}en/index.html"),
    ]
    guide = [
        ("alternate", "en", f"{BASE}en/guide.html"),
        ("alternate", "x-default", f"{BASE}en/guide.html"),
    ]
    assert urls == {
        f"{BASE}en/guide.html": guide,
        f"{BASE}en/index.html": home,
        f"{BASE}ja/index.html": home,
    }
    # Each page's own alternates say what its sitemap entry says.
    for loc, expected in urls.items():
        assert loc is not None and loc.startswith(BASE)
        page = BeautifulSoup((tmp_path / "site" / loc[len(BASE) :]).read_bytes(), "html5lib")
        links = page.select("link[hreflang]")
        assert [(" ".join(x["rel"]), x["hreflang"], x["href"]) for x in links] == expected, loc


def translate_all(path: Path) -> None:
    """Every entry of a catalog translated (as its msgid with a prefix)."""
    catalog = parse_po(path.read_text(encoding="utf-8"), path=str(path))
    translate(path, {m.msgid: f"ja {m.msgid}" for m in catalog.messages})


def test_without_a_base_url_no_sitemap_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(tmp_path, {"index.html": HOME, "guide.html": GUIDE}, base_url="")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "site").mkdir()
    (tmp_path / "site/sitemap.xml").write_text("<urlset/>")  # from a build with a base URL
    assert run("build", "--jobs", "1", "--min-percent", "0").exit_code == 0
    assert not (tmp_path / "site/sitemap.xml").exists()  # a sitemap needs absolute URLs
    chooser = (tmp_path / "site/index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="/en/index.html">' in chooser


# --- language tags -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "tag"),
    [
        ("ja", "ja"),
        ("pt_BR", "pt-BR"),
        ("pt-BR", "pt-BR"),
        ("zh_TW", "zh-TW"),  # as written: not Babel's likely zh-Hant-TW
        ("sr@latin", "sr-Latn"),
        ("sr_RS@latin", "sr-Latn-RS"),
        ("uz@cyrillic", "uz-Cyrl"),
        ("ca_ES_VALENCIA", "ca-ES-valencia"),
        ("es_419", "es-419"),
        ("qps", "qps"),  # qaa-qtz: BCP 47's private-use languages
        ("en@pseudo", "en-x-pseudo"),  # not `en`, the source's tag
        ("ja_JP_X_Y", "ja-JP-X-Y"),  # Babel cannot parse it: `_` made `-`
    ],
)
def test_language_tag_of_gettext_locale_codes(code: str, tag: str) -> None:
    assert language_tag(code) == tag


def test_locale_codes_are_written_as_language_tags_and_kept_in_urls(clinic: Path) -> None:
    for code in ("pt_BR", "sr@latin"):
        shutil.copytree(clinic / "locales/ja", clinic / "locales" / code)
    pyproject = clinic / "pyproject.toml"
    settings = pyproject.read_text(encoding="utf-8")
    assert settings.count('target_locales = ["ja"]') == 1
    pyproject.write_text(
        settings.replace('target_locales = ["ja"]', 'target_locales = ["ja", "pt_BR", "sr@latin"]'),
        encoding="utf-8",
    )
    built = run("build", "--jobs", "1")
    assert built.exit_code == 0 and "0 held back" in built.output, built.output
    alternates = {
        "en": f"{BASE}en/index.html",
        "ja": f"{BASE}ja/index.html",
        "pt-BR": f"{BASE}pt_BR/index.html",
        "sr-Latn": f"{BASE}sr%40latin/index.html",
        "x-default": f"{BASE}en/index.html",
    }
    switcher = [
        ("../en/index.html", "en", "en"),
        ("../ja/index.html", "ja", "ja"),
        ("../sr@latin/index.html", "sr-Latn", "sr-Latn"),
    ]
    page = BeautifulSoup((clinic / "site/pt_BR/index.html").read_bytes(), "html5lib")
    assert page.html is not None and page.html["lang"] == "pt-BR"
    assert {
        link["hreflang"]: link["href"] for link in page.select('link[rel="alternate"]')
    } == alternates
    nav = page.select_one("[data-i18n-switcher]")
    assert nav is not None
    assert [(a["href"], a["hreflang"], a["lang"]) for a in nav.select("a")] == switcher
    current = nav.select_one('[aria-current="page"]')
    assert current is not None and current["lang"] == "pt-BR"
    serbian = BeautifulSoup((clinic / "site/sr@latin/index.html").read_bytes(), "html5lib")
    assert serbian.html is not None and serbian.html["lang"] == "sr-Latn"
    # The root index: its list, its alternates, and the tags its script compares.
    root = BeautifulSoup((clinic / "site/index.html").read_bytes(), "html5lib")
    assert [(a["href"], a["hreflang"], a["lang"]) for a in root.select("body a")] == [
        ("en/index.html", "en", "en"),
        ("ja/index.html", "ja", "ja"),
        ("pt_BR/index.html", "pt-BR", "pt-BR"),
        ("sr@latin/index.html", "sr-Latn", "sr-Latn"),
    ]
    assert {
        link["hreflang"]: link["href"] for link in root.select('link[rel="alternate"]')
    } == alternates
    script = root.select_one("head script")
    assert script is not None and script.string is not None
    assert '"pt-BR": "pt_BR/index.html"' in script.string
    assert '"sr-Latn": "sr@latin/index.html"' in script.string
    # The sitemap: every version's entry names the same tags.
    sitemap = ET.parse(clinic / "site/sitemap.xml").getroot()
    for url in sitemap.findall(f"{SITEMAP}url"):
        tags = {link.get("hreflang") for link in url.findall(f"{XHTML}link")}
        assert tags == set(alternates), url.findtext(f"{SITEMAP}loc")
    assert not any("_" in tag or "@" in tag for tag in _written_tags(clinic / "site"))


def _written_tags(site: Path) -> set[str]:
    """Every `lang` and `hreflang` of every built page, and every `hreflang` of the sitemap."""
    tags: set[str] = set()
    for path in site.rglob("*.html"):
        soup = BeautifulSoup(path.read_bytes(), "html5lib")
        for attribute in ("lang", "hreflang"):
            tags.update(str(element[attribute]) for element in soup.select(f"[{attribute}]"))
    sitemap = ET.parse(site / "sitemap.xml").getroot()
    tags.update(str(link.get("hreflang")) for link in sitemap.iter(f"{XHTML}link"))
    return tags


# --- broken links ------------------------------------------------------------------------------


def test_build_reports_each_broken_link_once_with_its_page_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = built_home_and_guide(tmp_path, monkeypatch)
    warnings = [line for line in built.output.splitlines() if "broken link" in line]
    assert warnings == [
        'source_html/guide.html:7: warning: broken link "missing.html": no such page or asset',
        'source_html/index.html:4: warning: broken link "favicon.ico": no such page or asset',
        'source_html/index.html:9: warning: broken link "treatments/": no such page or asset',
        'source_html/index.html:12: warning: broken link "assets/spine@2x.png": '
        "no such page or asset",
    ]
    assert "problems: 4" in built.output
    # guide.html is not published in ja: the Japanese home page links the English one.
    assert '<a href="../en/guide.html">' in (tmp_path / "site/ja/index.html").read_text()


def test_the_clinic_site_has_no_broken_links(clinic: Path) -> None:
    built = run("build", "--jobs", "1")
    assert built.exit_code == 0
    assert "broken link" not in built.output
    assert built.output.endswith("0 held back; problems: 0\n")
    # Read as a browser would: every relative link of every built page leads to a file.
    site = clinic / "site"
    missing = []
    for page in sorted(site.rglob("*.html")):
        soup = BeautifulSoup(page.read_bytes(), "html5lib")
        for element in soup.select("a[href], link[href], img[src], script[src]"):
            url = urlsplit(str(element.get("href") or element.get("src")))
            if url.scheme or url.netloc or url.path.startswith("/") or not url.path:
                continue
            target = (page.parent / unquote(url.path)).resolve()
            if not (target / "index.html" if url.path.endswith("/") else target).is_file():
                missing.append(f"{page.relative_to(site)}: {url.path}")
    assert missing == []


# --- text for people in opaque elements --------------------------------------------------------


def test_an_iframe_title_is_extracted_and_translated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(tmp_path, {"index.html": VIDEO})
    monkeypatch.chdir(tmp_path)
    assert run("extract").exit_code == 0
    template = (tmp_path / "locales/templates/index.pot").read_text(encoding="utf-8")
    assert '#. <iframe title>\n#: index.html:5\nmsgid "How the Florence method works"' in template
    assert 'msgid "Q-Florence in one minute"' in template
    assert "Aozora TV" not in template  # translate="no"
    assert run("update").exit_code == 0
    translate(tmp_path / "locales/ja/LC_MESSAGES/index.po", VIDEO_JA)
    built = run("build", "--jobs", "1")
    assert built.exit_code == 0 and "problems: 0" in built.output, built.output
    english = (tmp_path / "site/en/index.html").read_text(encoding="utf-8")
    japanese = (tmp_path / "site/ja/index.html").read_text(encoding="utf-8")
    expected = english.replace('lang="en"', 'lang="ja"', 1)
    expected = expected.replace("<title>Video</title>", "<title>動画</title>")
    expected = expected.replace(
        'title="How the Florence method works"', 'title="フローレンス法の仕組み"'
    )
    expected = expected.replace(
        "<p>Watch <iframe title='Q-Florence in one minute' "
        "src=https://www.youtube.com/embed/y></iframe>\nfirst.</p>",
        "<p>まず<iframe title='1分でわかるQフローレンス法' "
        "src=https://www.youtube.com/embed/y></iframe>をご覧ください。</p>",
    )
    assert japanese == expected  # every byte outside the translations as written
    assert japanese != english.replace('lang="en"', 'lang="ja"', 1)
