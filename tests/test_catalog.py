"""Updating catalogs: msgmerge's rules, site memory, headers, and never losing a translation."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.catalog import Remembered, merge, translation_memory
from pipeline.model import Catalog, Message, PipelineError
from pipeline.pofile import parse_po, render_po

DATE = "2025-10-24 00:00+0000"


def template(*msgids: str) -> Catalog:
    return Catalog(
        header=(("Project-Id-Version", "clinic"), ("X-Source-Language", "en")),
        messages=tuple(Message(m, references=(f"a.html:{i + 1}",)) for i, m in enumerate(msgids)),
    )


def translated(**pairs: str) -> Catalog:
    return Catalog(messages=tuple(Message(k, v) for k, v in pairs.items()))


def by_id(catalog: Catalog) -> dict[str, Message]:
    return {m.msgid: m for m in catalog.messages}


def test_unchanged_text_keeps_translation_flags_and_comments() -> None:
    old = Catalog(
        messages=(
            Message("Hello", "こんにちは", flags=("ignore-glossary",), translator_comments=("ok",)),
        )
    )
    new = by_id(merge(template("Hello"), old, locale="ja", revision_date=DATE))
    assert new["Hello"].msgstr == "こんにちは"
    assert new["Hello"].flags == ("ignore-glossary",)
    assert new["Hello"].translator_comments == ("ok",)
    assert new["Hello"].references == ("a.html:1",)


def test_changed_text_becomes_fuzzy_with_previous_msgid_and_old_entry_kept() -> None:
    old = translated(**{"The disc is repaired.": "椎間板を修復します。"})
    merged = merge(template("The disc is fully repaired."), old, locale="ja", revision_date=DATE)
    new = by_id(merged)
    fuzzy = new["The disc is fully repaired."]
    assert fuzzy.fuzzy and fuzzy.msgstr == "椎間板を修復します。"
    assert fuzzy.previous_msgid == "The disc is repaired."
    assert new["The disc is repaired."].obsolete


def test_removed_text_becomes_obsolete_and_revives() -> None:
    old = translated(Hello="こんにちは", Bye="さようなら")
    first = merge(template("Hello"), old, locale="ja", revision_date=DATE)
    assert by_id(first)["Bye"].obsolete and by_id(first)["Bye"].msgstr == "さようなら"
    second = merge(template("Hello", "Bye"), first, locale="ja", revision_date=DATE)
    assert not by_id(second)["Bye"].obsolete and by_id(second)["Bye"].msgstr == "さようなら"


def test_site_memory_fills_untranslated_text() -> None:
    memory = translation_memory(
        {"a.po": translated(Home="ホーム"), "b.po": translated(Home="ホーム", Other="x")}
    )
    new = by_id(merge(template("Home"), None, locale="ja", memory=memory, revision_date=DATE))
    assert new["Home"].msgstr == "ホーム" and not new["Home"].fuzzy


def test_memory_ignores_fuzzy_and_prefers_the_most_used() -> None:
    fuzzy = Catalog(messages=(Message("Home", "家", flags=("fuzzy",)),))
    memory = translation_memory(
        {
            "a.po": fuzzy,
            "b.po": translated(Home="ホーム"),
            "c.po": translated(Home="トップ"),
            "d.po": translated(Home="ホーム"),
        }
    )
    assert memory.translations == {(None, "Home"): Remembered("ホーム")}
    assert memory.translations[(None, "Home")].catalog == "b.po"  # where it was found first


def test_site_memory_brings_the_translators_notes() -> None:
    """The reason for overruling a check is reused with the translation, from whichever page
    gave it; a note of the entry's own stays, and flags that describe the source do not come."""
    reason = "ignore-punctuation: not a sentence in Japanese"
    noted = Message(
        "© 2025", "©2025", flags=("ignore-glossary", "no-wrap"), translator_comments=(reason,)
    )
    memory = translation_memory(
        {
            "a.po": translated(**{"© 2025": "©2025"}),
            "b.po": Catalog(messages=(noted,)),
            "c.po": translated(Other="x"),
        }
    )
    assert memory.translations[(None, "© 2025")] == Remembered(
        "©2025", (reason,), ("ignore-glossary",)
    )
    new = by_id(merge(template("© 2025"), None, locale="ja", memory=memory, revision_date=DATE))
    assert (new["© 2025"].msgstr, new["© 2025"].translator_comments) == ("©2025", (reason,))
    assert new["© 2025"].flags == ("ignore-glossary",)
    own = Catalog(messages=(Message("© 2025", flags=("fuzzy",), translator_comments=("mine",)),))
    kept = by_id(merge(template("© 2025"), own, locale="ja", memory=memory, revision_date=DATE))
    assert kept["© 2025"].translator_comments == ("mine", reason)
    assert kept["© 2025"].flags == ("ignore-glossary",) and kept["© 2025"].msgstr == "©2025"


def test_new_catalog_header() -> None:
    header = dict(merge(template("Hi"), None, locale="ja", revision_date=DATE).header)
    assert header["Language"] == "ja"
    assert header["Plural-Forms"] == "nplurals=1; plural=0;"
    assert header["Content-Type"] == "text/plain; charset=UTF-8"
    assert header["Language-Team"] == "Japanese"
    assert header["PO-Revision-Date"] == DATE
    assert header["X-Source-Language"] == "en"


def test_translator_header_fields_survive() -> None:
    old = replace(
        merge(template("Hi"), None, locale="ja", revision_date=DATE),
        header=(("Last-Translator", "Sato <sato@example.jp>"), ("PO-Revision-Date", "2026-01-01")),
    )
    header = dict(merge(template("Hi"), old, locale="ja", revision_date="x").header)
    assert header["Last-Translator"] == "Sato <sato@example.jp>"
    assert header["PO-Revision-Date"] == "2026-01-01"


def test_merge_is_stable() -> None:
    old = translated(Hello="こんにちは")
    once = merge(template("Hello", "New"), old, locale="ja", revision_date=DATE)
    twice = merge(template("Hello", "New"), once, locale="ja", revision_date=DATE)
    assert render_po(once) == render_po(twice)


# --- the property: random edits never lose a translation ----------------------------------

_sentences = st.lists(
    st.text(
        alphabet=st.sampled_from("abcdefghij klmnop.,<1>/") | st.sampled_from(["腰", "痛", "é"]),
        min_size=1,
        max_size=30,
    ).map(lambda s: " ".join(s.split()) or "x"),
    min_size=1,
    max_size=8,
    unique=True,
)
_edit = st.tuples(
    st.sampled_from(["change", "delete", "insert", "move", "restore"]),
    st.integers(min_value=0, max_value=20),
    st.text(alphabet="qrstuvwxyz ", min_size=1, max_size=10),
)


@settings(max_examples=120, deadline=None)
@given(_sentences, st.lists(_edit, min_size=1, max_size=8))
def test_no_translation_is_ever_lost(page: list[str], edits: list[tuple[str, int, str]]) -> None:
    """Every (msgid, msgstr) a translator made is still somewhere in the catalog after edits."""
    catalog = merge(template(*page), None, locale="ja", revision_date=DATE)
    catalog = replace(
        catalog,
        messages=tuple(replace(m, msgstr=f"訳{i}") for i, m in enumerate(catalog.messages)),
    )
    made = {(m.msgid, m.msgstr) for m in catalog.messages}
    history = list(page)
    for kind, index, extra in edits:
        position = index % len(page) if page else 0
        if kind == "change" and page:
            page[position] = page[position] + " " + extra.strip() or "y"
        elif kind == "delete" and len(page) > 1:
            page.pop(position)
        elif kind == "insert":
            page.insert(position, extra.strip() or "z")
        elif kind == "move" and page:
            page.append(page.pop(position))
        elif kind == "restore":
            page.insert(position, history[index % len(history)])
        page = list(dict.fromkeys(page))
        catalog = merge(template(*page), catalog, locale="ja", revision_date=DATE)
        catalog = parse_po(render_po(catalog), path="a.po")  # and through the file format
    kept = {(m.msgid, m.msgstr) for m in catalog.messages}
    assert made <= kept
    for message in catalog.messages:  # and every active text is in the page
        assert message.obsolete or message.msgid in page


def test_entries_copied_from_the_template_text_give_the_merged_bytes() -> None:
    """update copies the entries a catalog keeps as the template has them from the template's
    text: the same bytes as rendering the merge afresh, for every page the tests carry."""
    from pipeline.extract import template_text
    from pipeline.html import decode_page
    from pipeline.pofile import rendered_entries
    from pipeline.segments import segment_page

    root = Path(__file__).parent.parent
    pages = [*root.glob("tests/**/*.html"), *root.glob("source_html/**/*.html")]
    compared = 0
    for path in pages:
        try:
            page = segment_page(decode_page(path.read_bytes(), path=str(path)))
        except PipelineError:
            continue
        text = template_text(page, page_path=path.name, project="Clinic", source_locale="en")
        template = parse_po(text, path="page.pot")
        known = rendered_entries(template, text)
        for locale in ("ja", "pt-BR"):
            merged = merge(template, None, locale=locale, revision_date="2026-12-02")
            assert render_po(merged, known=known) == render_po(merged), path
        compared += bool(template.messages and known)
    assert compared > 10
