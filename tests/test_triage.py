"""Change triage in `update`: a cosmetic edit keeps its translation, any other goes to review with
a word diff, new text is offered the closest translation on the site, and the laws still hold."""

from __future__ import annotations

import difflib
import random
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cli import main
from pipeline.catalog import Remembered, SiteMemory, merge, translation_memory
from pipeline.model import CJK_CHARACTER, Catalog, Message
from pipeline.pofile import parse_po, render_po
from pipeline.triage import (
    NearIndex,
    _common_subsequence,
    cosmetic_change,
    cosmetic_note,
    is_note,
    review_notes,
    suggestion_note,
    word_diff,
)

DATE = "2026-01-01 00:00+0000"


def template(*msgids: str) -> Catalog:
    return Catalog(
        header=(("Project-Id-Version", "clinic"),),
        messages=tuple(Message(m, references=(f"a.html:{i + 1}",)) for i, m in enumerate(msgids)),
    )


def translated(**pairs: str) -> Catalog:
    return Catalog(messages=tuple(Message(k, v) for k, v in pairs.items()))


def by_id(catalog: Catalog) -> dict[str, Message]:
    return {m.msgid: m for m in catalog.messages}


def notes(message: Message) -> list[str]:
    return [c for c in message.translator_comments if is_note(c)]


# --- what is cosmetic ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "kinds"),
    [
        ("Don't wait !", "Don’t wait!", ("whitespace", "quotes")),
        ("Our Clinic’s Treatment Options", "Our clinic's treatment options", ("quotes", "case")),
        ('The "Cellgel" method', "The “Cellgel” method", ("quotes",)),
        ("Ages 5–10", "Ages 5-10", ("dashes",)),
        ("Wait…", "Wait...", ("ellipsis",)),
        ("Call us today. ", "Call us today.", ("whitespace",)),
        ("Call\u00a0us  today", "Call us today", ("whitespace",)),
        ("Walk 10 m .", "Walk 10 m.", ("whitespace",)),
        ("Pain ( mild )", "Pain (mild)", ("whitespace",)),
        ("腰痛 と しびれ", "腰痛としびれ", ("whitespace",)),  # Japanese has no spaces
        ("An MRI scan", "An mri scan", ("case",)),  # an acronym is still a case change
        ("Line one<1/>line two", "Line one <1/> line two", ("whitespace",)),
        ("See https://example.jp/a", "see https://example.jp/a", ("case",)),
    ],
)
def test_cosmetic_changes_and_their_kinds(old: str, new: str, kinds: tuple[str, ...]) -> None:
    assert cosmetic_change(old, new) == kinds


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Tokyo 150-0001, Japan", "Tokyo 150-0002, Japan"),  # a digit
        ("1 000 patients", "1000 patients"),  # digits run together
        ("We help every therapist.", "We help every the rapist."),  # a word split
        ("It may be mild.", "It maybe mild."),  # two words joined
        ("10 mg", "10mg"),
        ("MRI 検査", "MRI検査"),  # a space between two scripts
        ("Take 5 mg daily", "Take 5 ml daily"),  # a unit
        ("See https://example.jp/Access", "See https://example.jp/access"),  # a URL
        ("Write to info@example.jp", "Write to info@example.com"),
        ("<1>Book</1> now", "<2>Book</2> now"),  # a placeholder's number
        ("Low risk.", "Low risk!"),  # punctuation that says something else
        ("The disc is repaired.", "The disc is fully repaired."),  # a word
        ("recieve", "receive"),  # a misspelling fixed is a word changed
    ],
)
def test_other_changes_are_not_cosmetic(old: str, new: str) -> None:
    assert cosmetic_change(old, new) is None


_cosmetic_edits = st.sampled_from(
    [
        lambda t: t.upper(),
        lambda t: t.replace("'", "’"),
        lambda t: t.replace('"', "“"),
        lambda t: t.replace(" ", "  ").replace("?", " ?"),
        lambda t: t + " ",
        lambda t: t.replace("-", "–"),
    ]
)
_texts = st.text(st.sampled_from(list("ab xy'\"-?.<1>/ 0123")), min_size=1, max_size=30)


@given(_texts, st.lists(_cosmetic_edits, min_size=1, max_size=4))
def test_a_cosmetic_edit_is_named_and_a_digit_never_is(
    text: str, edits: list[Callable[[str], str]]
) -> None:
    edited = text
    for edit in edits:
        edited = edit(edited)
    kinds = cosmetic_change(text, edited)
    assert kinds is not None
    assert bool(kinds) == (edited != text)
    assert cosmetic_change(text, edited + "7") is None


@given(st.text(st.sampled_from(list("ab 01é腰痛.'")), min_size=2, max_size=20), st.data())
def test_splitting_or_joining_words_is_never_cosmetic(text: str, data: st.DataObject) -> None:
    """A space put between two letters or digits, or taken from between them, is another text;
    between two CJK characters, which Japanese writes without spaces, it is not."""
    joints = [i for i in range(1, len(text)) if (text[i - 1] + text[i]).isalnum()]
    assume(joints)
    at = data.draw(st.sampled_from(joints))
    split = text[:at] + " " + text[at:]
    if re.fullmatch(CJK_CHARACTER + "{2}", text[at - 1 : at + 1]):
        assert cosmetic_change(text, split) == cosmetic_change(split, text) == ("whitespace",)
    else:
        assert cosmetic_change(text, split) is None and cosmetic_change(split, text) is None


# --- the word diff and the notes -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "diff"),
    [
        ("The disc is repaired.", "The disc is fully repaired.", "The disc is {+fully +}repaired."),
        (
            "These are low-risk, minimally invasive procedures.",
            "These are low-cost, minimally invasive day procedures!",
            "These are low-[-risk-]{+cost+}, minimally invasive {+day +}procedures[-.-]{+!+}",
        ),
        ("Tokyo 150-0001", "Tokyo 150-0002", "Tokyo 150-[-0001-]{+0002+}"),
        ("Call <1>us</1> now.", "Call <1>us</1>.", "Call <1>us</1>[- now-]."),
        (
            "use our <1>contact form</1>.",
            "use our contact form.",
            "use our [-<1>-]contact form[-</1>-].",
        ),
        ("Book a visit", "Call us", "[-Book a visit-]{+Call us+}"),  # one change, as wdiff's
        ("Don't stop", "Don't  stop", "Don't stop"),
    ],
)
def test_word_diff(old: str, new: str, diff: str) -> None:
    assert word_diff(old, new) == diff


_REMOVED_RE = re.compile(r"\[-(.*?)-\]")
_ADDED_RE = re.compile(r"\{\+(.*?)\+\}")
#: Texts of words, placeholders and punctuation, with no space, a space or two between them;
#: no hyphens, brackets or braces, which make wdiff's marks ambiguous.
_diffed = st.lists(
    st.tuples(
        st.sampled_from(["", " ", "  "]),
        st.sampled_from(
            ["the", "disc", "is", "fully", "don't", "10", "mg", "腰痛", "<1>", "</1>", "<2/>"]
        )
        | st.sampled_from(list(".,!?:;()'\"…/")),
    ),
    max_size=14,
).map(lambda pieces: "".join(space + piece for space, piece in pieces))


@settings(max_examples=300)
@given(_diffed, _diffed)
def test_word_diff_reads_back_to_either_text(old: str, new: str) -> None:
    """Without its removals it is the new text, without its additions the old one (white space
    read as one space, as the diff reads it)."""
    diff = word_diff(old, new)
    assert _ADDED_RE.sub(r"\1", _REMOVED_RE.sub("", diff)) == " ".join(new.split())
    assert _REMOVED_RE.sub(r"\1", _ADDED_RE.sub("", diff)) == " ".join(old.split())


def test_notes_are_one_line_and_told_from_a_translators_comments() -> None:
    assert review_notes("a\nb\\", "a\nc\\") == ('source changed: "a [-b-]{+c+}\\"',)
    assert cosmetic_note("tab\there", ["whitespace"]) == (
        'source changed (cosmetic: whitespace): was "tab\\there"'
    )
    assert review_notes("same", "same") == review_notes(None, "new") == ()
    assert suggestion_note("articles/x.po", 0.7599, "a b", "a c") == (
        'suggested from articles/x.po (75 % similar): "a [-b-]{+c+}"'
    )
    for note in (
        cosmetic_note("x", ["case"]),
        *review_notes("a", "b"),
        suggestion_note("x.po", 0.8, "a", "b"),
    ):
        assert is_note(note) and not note.endswith("\\")
    for comment in (
        "source changed upstream: asked the clinic",
        "clinic-review: 医療広告ガイドライン — see docs/clinic-review.md",
        "ignore-punctuation: not a sentence in Japanese",
    ):
        assert not is_note(comment)


# --- near matches --------------------------------------------------------------------------------


def closest_by_scanning(texts: list[str], text: str, threshold: float) -> tuple[int, float] | None:
    """msgmerge's rule the plain way, as `update` did before: every text in turn, held to
    difflib's own two bounds, then its ratio; the first best one."""
    best: tuple[int, float] | None = None
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(text)
    for index, other in enumerate(texts):
        matcher.set_seq1(other)
        least = best[1] if best else threshold
        if matcher.real_quick_ratio() < least or matcher.quick_ratio() < least:
            continue
        ratio = matcher.ratio()
        if ratio >= threshold and (best is None or ratio > best[1]):
            best = (index, ratio)
    return best


_words = st.text(st.sampled_from(list("abcde fgh.<1>")), max_size=25)


@settings(max_examples=200)
@given(st.lists(_words, max_size=12), _words, st.sampled_from([0.6, 0.75, 0.9]))
def test_near_index_finds_what_scanning_finds(texts: list[str], text: str, limit: float) -> None:
    index = NearIndex(tuple((other, i) for i, other in enumerate(texts)))
    assert index.closest(text, limit) == closest_by_scanning(texts, text, limit)


@given(_words, _words)
def test_common_subsequence_count(a: str, b: str) -> None:
    lengths = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            lengths[i + 1][j + 1] = (
                lengths[i][j] + 1 if x == y else max(lengths[i][j + 1], lengths[i + 1][j])
            )
    positions: dict[str, int] = {}
    for i, char in enumerate(a):
        positions[char] = positions.get(char, 0) | 1 << i
    assert _common_subsequence(positions, len(a), b) == lengths[len(a)][len(b)]


#: Words of the clinic's pages, which generated sentences are made of.
WORDS = (
    "the spinal canal stenosis nerve leg numbness pain lower back disc lumbar patient "
    "treatment method clinic doctor walking distance rest symptom surgery procedure local "
    "anaesthesia minimally invasive recovery risk device skin inserted narrowing pressure "
    "of in with and for to a is are may can our your when after before during"
)


def generated_memory(size: int, seed: int = 20) -> list[str]:
    """Sentences of 4 to 30 words of one vocabulary: their letters are alike, as a site's are,
    which is the hard case for the cheap bounds."""
    draw = random.Random(seed)
    sentences = {
        " ".join(draw.choices(WORDS.split(), k=draw.randint(4, 30))).capitalize() + "."
        for _ in range(size * 2)
    }
    return sorted(sentences)[:size]


def test_near_index_on_a_generated_memory_of_5000_texts() -> None:
    texts = generated_memory(5000)
    index = NearIndex(tuple((text, i) for i, text in enumerate(texts)))
    draw = random.Random(3)
    edited = []
    for text in draw.sample(texts, 2):
        words = text.split()
        words[len(words) // 2] = "hip"
        edited.append(" ".join(words))
    new = generated_memory(2, seed=99)
    for text in edited + new:
        assert index.closest(text, 0.75) == closest_by_scanning(texts, text, 0.75)
    assert all(index.closest(text, 0.75) for text in edited)


# --- the merge: cosmetic, review, suggestion -----------------------------------------------------


def test_cosmetic_edit_keeps_the_translation_done_with_a_note() -> None:
    old = Catalog(
        messages=(
            Message(
                "Our Clinic’s Treatment Options",
                "当院の治療法",
                flags=("ignore-glossary",),
                translator_comments=("Heading.",),
            ),
        )
    )
    new = by_id(
        merge(template("Our clinic's treatment options"), old, locale="ja", revision_date=DATE)
    )
    kept = new["Our clinic's treatment options"]
    assert kept.msgstr == "当院の治療法" and kept.translated and kept.previous_msgid is None
    assert kept.flags == ("ignore-glossary",)
    assert kept.translator_comments == (
        "Heading.",
        'source changed (cosmetic: quotes, case): was "Our Clinic’s Treatment Options"',
    )
    assert new["Our Clinic’s Treatment Options"].obsolete  # kept for when it comes back


@pytest.mark.parametrize(
    ("old", "new", "diff"),
    [
        ("Tokyo 150-0001, Japan", "Tokyo 150-0002, Japan", "Tokyo 150-[-0001-]{+0002+}, Japan"),
        (
            "See https://example.jp/Access",
            "See https://example.jp/access",
            "See https://example.jp/[-Access-]{+access+}",
        ),
        (
            "<1>Book</1> a visit",
            "<2>Book</2> a visit",
            "[-<1>-]{+<2>+}Book[-</1>-]{+</2>+} a visit",
        ),
        (
            "These are minimally invasive procedures.",
            "These are minimally invasive day procedures.",
            "These are minimally invasive {+day +}procedures.",
        ),
    ],
)
def test_other_edits_go_to_review_with_the_diff(old: str, new: str, diff: str) -> None:
    merged = by_id(merge(template(new), translated(**{old: "訳"}), locale="ja", revision_date=DATE))
    entry = merged[new]
    assert entry.fuzzy and entry.msgstr == "訳" and entry.previous_msgid == old
    assert notes(entry) == [f'source changed: "{diff}"']


def memory_of(**catalogs: Catalog) -> SiteMemory:
    return translation_memory({f"{name}.po": catalog for name, catalog in catalogs.items()})


def test_new_text_is_offered_the_closest_translation_on_the_site() -> None:
    memory = memory_of(
        articles=translated(
            **{
                "👉 <1>Learn more about the Florence method</1>": "👉 <1>フローレンス法</1>",
                "Back pain": "腰痛",
            }
        )
    )
    new_text = "👉 <1>Learn more about the Florence Method (Japanese)</1>"
    entry = by_id(merge(template(new_text), None, locale="ja", memory=memory, revision_date=DATE))[
        new_text
    ]
    assert entry.fuzzy and entry.msgstr == "👉 <1>フローレンス法</1>"
    assert entry.previous_msgid == "👉 <1>Learn more about the Florence method</1>"
    assert notes(entry) == [
        'suggested from articles.po (87 % similar): "👉 <1>Learn more about the Florence '
        '[-method-]{+Method (Japanese)+}</1>"'
    ]
    far = by_id(
        merge(template("Neck pain at night"), None, locale="ja", memory=memory, revision_date=DATE)
    )
    assert far["Neck pain at night"].msgstr == ""  # nothing 75 % similar


def test_the_closer_of_the_catalogs_own_text_and_the_sites_wins() -> None:
    memory = memory_of(other=translated(**{"Walking distance shortens quickly.": "他"}))
    old = translated(**{"Walking distance shortens.": "自"})
    new = "Walking distance shortens quickly!"
    merged = by_id(merge(template(new), old, locale="ja", memory=memory, revision_date=DATE))
    assert merged[new].msgstr == "他" and notes(merged[new])[0].startswith(
        "suggested from other.po"
    )
    own = translated(**{"Walking distance shortens quickly.": "自"})  # as close as the site's
    merged = by_id(merge(template(new), own, locale="ja", memory=memory, revision_date=DATE))
    assert merged[new].msgstr == "自" and notes(merged[new])[0].startswith("source changed: ")


def test_a_finished_translations_notes_do_not_travel_in_the_site_memory() -> None:
    """They tell the history of one entry; a fuzzy translation's say why it waits for review,
    and go with it."""
    noted = Message("Home", "ホーム", translator_comments=("mine", cosmetic_note("home", ["case"])))
    review = ("mine", *review_notes("Top", "Back"))
    fuzzy = Message(
        "Back", "戻る", flags=("fuzzy",), translator_comments=review, previous_msgid="Top"
    )
    memory = translation_memory({"a.po": Catalog(messages=(noted, fuzzy))})
    assert memory.translations[(None, "Home")] == Remembered("ホーム", ("mine",))
    assert memory.translations[(None, "Back")] == Remembered(
        "戻る", review, standing="fuzzy", previous=(None, "Top")
    )


FUZZY_WALK = Message(
    "Walk 200 m daily.",
    "毎日200 m歩く",
    flags=("fuzzy", "ignore-glossary"),
    translator_comments=(
        "m stays in Latin letters",
        *review_notes("Walk 100 m daily.", "Walk 200 m daily."),
    ),
    previous_msgid="Walk 100 m daily.",
)


def test_text_whose_only_translation_on_the_site_is_fuzzy_gets_it_fuzzy() -> None:
    """As it was: its `#|` msgid, its comments and notes come along, and it waits for review.
    A finished translation wins; text the catalog already had untranslated is not filled."""
    memory = memory_of(a=Catalog(messages=(FUZZY_WALK,)))
    new = merge(template("Walk 200 m daily."), None, locale="ja", memory=memory, revision_date=DATE)
    carried = new.messages[0]
    assert (carried.msgstr, carried.flags, carried.previous_msgid) == (
        FUZZY_WALK.msgstr,
        FUZZY_WALK.flags,
        FUZZY_WALK.previous_msgid,
    )
    assert carried.translator_comments == FUZZY_WALK.translator_comments
    assert carried.references == ("a.html:1",)
    done = memory_of(a=Catalog(messages=(FUZZY_WALK,)), b=translated(**{"Walk 200 m daily.": "済"}))
    finished = merge(
        template("Walk 200 m daily."), None, locale="ja", memory=done, revision_date=DATE
    )
    assert finished.messages[0].msgstr == "済" and finished.messages[0].translated
    untranslated = Catalog(messages=(Message("Walk 200 m daily."),))
    kept = merge(
        template("Walk 200 m daily."), untranslated, locale="ja", memory=memory, revision_date=DATE
    )
    assert kept.messages[0].msgstr == ""


def test_near_matches_search_the_sites_fuzzy_and_obsolete_translations() -> None:
    """Offered fuzzy, as any suggestion, with `#|` the English the translation was made for."""
    gone = Message("Rest for a week after the procedure.", "術後1週間は安静に", obsolete=True)
    memory = memory_of(a=Catalog(messages=(FUZZY_WALK, gone)))
    merged = by_id(
        merge(
            template("Walk 100 m daily!", "Rest for a week after the procedures."),
            None,
            locale="ja",
            memory=memory,
            revision_date=DATE,
        )
    )
    walk = merged["Walk 100 m daily!"]
    assert walk.fuzzy and walk.msgstr == FUZZY_WALK.msgstr
    assert walk.previous_msgid == "Walk 100 m daily."  # what 毎日200 m歩く translates, not 200 m
    assert notes(walk) == ['suggested from a.po (94 % similar): "Walk 100 m daily[-.-]{+!+}"']
    rest = merged["Rest for a week after the procedures."]
    assert rest.fuzzy and rest.msgstr == gone.msgstr and rest.previous_msgid == gone.msgid
    assert notes(rest) == [
        "suggested from a.po (98 % similar): "
        '"Rest for a week after the [-procedure-]{+procedures+}."'
    ]


def test_a_finished_translation_wins_a_tie_with_a_fuzzy_one() -> None:
    fuzzy = Message(
        "Back pain at night?", "夜の腰痛？", flags=("fuzzy",), previous_msgid="Back pain at night."
    )
    memory = memory_of(
        a=Catalog(messages=(fuzzy,)), b=translated(**{"Back pain at night.": "夜の腰痛"})
    )
    entry = merge(
        template("Back pain at night!"), None, locale="ja", memory=memory, revision_date=DATE
    )
    assert entry.messages[0].msgstr == "夜の腰痛"
    assert notes(entry.messages[0])[0].startswith("suggested from b.po ")


def test_triage_never_carries_between_singular_and_plural_entries() -> None:
    """A plural's forms fit no singular text, nor the reverse: they are unrelated texts, and no
    note says a translation was kept or offered."""
    old = Catalog(
        messages=(
            Message("One visit", "1回"),
            Message("Walk 100 m", msgid_plural="Walk {n} m", msgstr_plural=("{n} m歩く",)),
        )
    )
    plural = Message("One Visit", msgid_plural="{n} visits", references=("a.html:1",))
    singular = Message("Walk 200 m", references=("a.html:2",))
    pages = Catalog(header=template().header, messages=(plural, singular))
    memory = memory_of(other=translated(**{"One Visit": "1回"}))
    merged = merge(pages, old, locale="ja", memory=memory, revision_date=DATE)
    merged = parse_po(render_po(merged), path="a.po")
    for entry, was in zip(merged.active, pages.messages, strict=True):
        assert (entry.msgid, entry.msgid_plural) == (was.msgid, was.msgid_plural)
        assert (entry.msgstr, entry.flags, entry.previous_msgid) == ("", (), None)
        assert entry.msgstr_plural in ((), ("",)) and entry.translator_comments == ()
    assert {m.msgid for m in merged.obsolete} == {"One visit", "Walk 100 m"}


# --- how long a note stays, and update twice -----------------------------------------------------


def test_notes_stay_until_the_english_changes_again_or_the_review_is_done() -> None:
    old = translated(**{"Don't wait!": "お早めに", "Walk 100 m.": "100 m歩く"})
    first = merge(template("Don’t wait!", "Walk 200 m."), old, locale="ja", revision_date=DATE)
    again = merge(template("Don’t wait!", "Walk 200 m."), first, locale="ja", revision_date=DATE)
    assert render_po(again) == render_po(first)  # update twice: nothing changes
    assert [notes(m) for m in again.active] == [
        ['source changed (cosmetic: quotes): was "Don\'t wait!"'],
        ['source changed: "Walk [-100-]{+200+} m."'],
    ]
    # The translator confirms the fuzzy entry (Poedit drops `#|` with the flag) and deletes the
    # cosmetic note, a comment like any other, once read.
    done = replace(
        first,
        messages=tuple(
            replace(m, flags=(), previous_msgid=None, translator_comments=("checked",))
            for m in first.messages
        ),
    )
    after = by_id(
        merge(template("Don’t wait!", "Walk 200 m."), done, locale="ja", revision_date=DATE)
    )
    assert after["Walk 200 m."].translator_comments == ("checked",)
    assert after["Don’t wait!"].translator_comments == ("checked",)
    # A second edit replaces the note; notes never pile up.
    later = by_id(
        merge(template("Don’t wait!", "Walk 300 m."), first, locale="ja", revision_date=DATE)
    )
    assert notes(later["Walk 300 m."]) == ['source changed: "Walk [-100-]{+300+} m."']
    assert later["Walk 300 m."].previous_msgid == "Walk 100 m."


def test_a_fuzzy_entry_from_before_gets_its_diff() -> None:
    old = Catalog(
        messages=(
            Message("Walk 200 m.", "100 m歩く", flags=("fuzzy",), previous_msgid="Walk 100 m."),
        )
    )
    entry = merge(template("Walk 200 m."), old, locale="ja", revision_date=DATE).messages[0]
    assert notes(entry) == ['source changed: "Walk [-100-]{+200+} m."']


def test_notes_keep_their_places_among_a_translators_comments() -> None:
    """`update` replaces or drops its own notes where they are, and moves no other comment."""
    review = review_notes("Walk 100 m.", "Walk 200 m.")[0]
    cosmetic = cosmetic_note("Don't wait!", ["quotes"])
    old = Catalog(
        messages=(
            Message(
                "Walk 200 m.",
                "100 m歩く",
                flags=("fuzzy",),
                translator_comments=("above", review, "below"),
                previous_msgid="Walk 100 m.",
            ),
            Message("Don’t wait!", "お早めに", translator_comments=(cosmetic, "below")),
        )
    )
    same = merge(template("Walk 200 m.", "Don’t wait!"), old, locale="ja", revision_date=DATE)
    assert [m.translator_comments for m in same.active] == [
        ("above", review, "below"),
        (cosmetic, "below"),
    ]
    done = replace(old, messages=(replace(old.messages[0], flags=()), old.messages[1]))
    confirmed = merge(template("Walk 200 m."), done, locale="ja", revision_date=DATE)
    assert confirmed.messages[0].translator_comments == ("above", "below")
    again = by_id(
        merge(template("Walk 300 m.", "DON’T WAIT!"), old, locale="ja", revision_date=DATE)
    )
    assert again["Walk 300 m."].translator_comments == (
        "above",
        'source changed: "Walk [-100-]{+300+} m."',
        "below",
    )
    assert again["DON’T WAIT!"].translator_comments == (
        'source changed (cosmetic: case): was "Don’t wait!"',
        "below",
    )


def test_text_already_in_the_catalog_is_not_offered_suggestions() -> None:
    """As msgmerge does: only text new to the catalog is matched, so an update costs what
    changed, whatever the number of entries left untranslated."""
    memory = memory_of(other=translated(**{"Back pain at night.": "夜の腰痛"}))
    old = Catalog(messages=(Message("Back pain at night!"),))
    entry = merge(
        template("Back pain at night!"), old, locale="ja", memory=memory, revision_date=DATE
    )
    assert entry.messages[0].msgstr == ""


_sentences = st.lists(
    st.text(st.sampled_from(list("abcdef klmn'’-–.?")), min_size=1, max_size=24).map(
        lambda s: " ".join(s.split()) or "x"
    ),
    min_size=1,
    max_size=6,
    unique=True,
)
_edits = st.lists(
    st.tuples(
        st.sampled_from(["upper", "quote", "space", "word", "digit", "delete", "restore"]),
        st.integers(0, 20),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=100, deadline=None)
@given(_sentences, _edits)
def test_triage_loses_nothing_and_a_second_update_changes_nothing(
    page: list[str], edits: list[tuple[str, int]]
) -> None:
    """The laws, through any edits, cosmetic or not, with the site memory at work: every
    translation made is still in the catalog, a cosmetic edit leaves its entry done, and
    updating again with the memory the update left gives the same file."""
    catalog = merge(template(*page), None, locale="ja", revision_date=DATE)
    catalog = replace(
        catalog, messages=tuple(replace(m, msgstr=f"訳{i}") for i, m in enumerate(catalog.messages))
    )
    made = {(m.msgid, m.msgstr) for m in catalog.messages}
    history = list(page)
    for kind, index in edits:
        position = index % len(page)
        before = page[position]
        if kind == "upper":
            page[position] = before.swapcase()
        elif kind == "quote":
            page[position] = before.replace("'", "’") + " "
        elif kind == "space":
            page[position] = before.replace(" ", "  ").replace("?", " ?")
        elif kind == "word":
            page[position] = before + " more"
        elif kind == "digit":
            page[position] = before + " 7"
        elif kind == "delete" and len(page) > 1:
            page.pop(position)
        elif kind == "restore":
            page.insert(position, history[index % len(history)])
        edited = page[min(position, len(page) - 1)]
        page = list(dict.fromkeys(page))
        memory = translation_memory({"a.po": catalog})
        updated = merge(template(*page), catalog, locale="ja", memory=memory, revision_date=DATE)
        updated = parse_po(render_po(updated), path="a.po")  # and through the file format
        old = by_id(catalog)
        if kind in ("upper", "quote", "space") and old[before].translated and edited not in old:
            assert by_id(updated)[edited].translated  # the same text to a translator
        again = merge(
            template(*page),
            updated,
            locale="ja",
            memory=translation_memory({"a.po": updated}),
            revision_date=DATE,
        )
        assert render_po(again) == render_po(updated)
        catalog = updated
    assert made <= {(m.msgid, m.msgstr) for m in catalog.messages}
    assert all(m.obsolete or m.msgid in page for m in catalog.messages)


# --- the real command, and GNU gettext's tools ---------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body>
{body}
</body></html>
"""
ARTICLE = """<h2>Our Clinic’s Treatment Options</h2>
<p>These are low-risk, minimally invasive procedures.</p>
<p>Tokyo 150-0001, Japan</p>
<p>👉 <a href="https://example.jp/florence/">Learn more about the Florence method</a></p>"""
JAPANESE = {
    "Stenosis": "狭窄症",
    "Our Clinic’s Treatment Options": "当院の治療法",
    "These are low-risk, minimally invasive procedures.": "いずれもリスクが低い低侵襲治療です。",
    "Tokyo 150-0001, Japan": "〒150-0001 東京都",
    "👉 <1>Learn more about the Florence method</1>": "👉 <1>フローレンス法について</1>",
    "Home": "ホーム",
}
SETTINGS = '[tool.pipeline]\ntarget_locales = ["ja"]\n'


def run(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def entries(po: Path) -> dict[str, Message]:
    return by_id(parse_po(po.read_text(encoding="utf-8"), path=str(po)))


def translate(po: Path, table: dict[str, str]) -> None:
    catalog = parse_po(po.read_text(encoding="utf-8"), path=str(po))
    done = tuple(replace(m, msgstr=table.get(m.msgid, m.msgstr)) for m in catalog.messages)
    po.write_text(render_po(replace(catalog, messages=done)), encoding="utf-8")


@pytest.fixture
def clinic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project of two pages, translated, whose English then changes: a cosmetic edit, a
    digit, a word, and on the other page a sentence like one of the first page's."""
    (tmp_path / "pyproject.toml").write_text(SETTINGS, encoding="utf-8")
    source = tmp_path / "source_html"
    source.mkdir()
    (source / "article.html").write_text(PAGE.format(title="Stenosis", body=ARTICLE), "utf-8")
    (source / "index.html").write_text(PAGE.format(title="Home", body=""), "utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert run("extract").exit_code == 0 and run("update").exit_code == 0
    for page in ("article", "index"):
        translate(tmp_path / f"locales/ja/LC_MESSAGES/{page}.po", JAPANESE)
    edited = (
        ARTICLE.replace("Our Clinic’s Treatment Options", "Our clinic's treatment options")
        .replace("150-0001", "150-0002")
        .replace("invasive procedures", "invasive day procedures")
    )
    (source / "article.html").write_text(PAGE.format(title="Stenosis", body=edited), "utf-8")
    link = '<p>👉 <a href="x.html">Learn more about the Florence Method (Japanese)</a></p>'
    (source / "index.html").write_text(PAGE.format(title="Home", body=link), "utf-8")
    assert run("extract").exit_code == 0
    assert run("update").output.endswith("2 catalogs, 2 changed\n")
    return tmp_path


def test_update_triages_the_english_changes(clinic: Path) -> None:
    article = entries(clinic / "locales/ja/LC_MESSAGES/article.po")
    kept = article["Our clinic's treatment options"]
    assert kept.translated and kept.msgstr == "当院の治療法"
    assert notes(kept) == [
        'source changed (cosmetic: quotes, case): was "Our Clinic’s Treatment Options"'
    ]
    postcode = article["Tokyo 150-0002, Japan"]
    assert postcode.fuzzy and postcode.previous_msgid == "Tokyo 150-0001, Japan"
    assert notes(postcode) == ['source changed: "Tokyo 150-[-0001-]{+0002+}, Japan"']
    day = article["These are low-risk, minimally invasive day procedures."]
    assert notes(day) == [
        'source changed: "These are low-risk, minimally invasive {+day +}procedures."'
    ]
    index = entries(clinic / "locales/ja/LC_MESSAGES/index.po")
    offered = index["👉 <1>Learn more about the Florence Method (Japanese)</1>"]
    assert offered.fuzzy and offered.msgstr == "👉 <1>フローレンス法について</1>"
    assert offered.previous_msgid == "👉 <1>Learn more about the Florence method</1>"
    assert notes(offered)[0].startswith("suggested from article.po (87 % similar): ")


def test_a_second_update_changes_nothing(clinic: Path) -> None:
    catalogs = sorted((clinic / "locales").rglob("*.po"))
    before = [path.read_bytes() for path in catalogs]
    assert run("update", "--check").exit_code == 0
    assert run("update").output.endswith("2 catalogs, 0 changed\n")
    assert [path.read_bytes() for path in catalogs] == before


def test_confirming_a_fuzzy_entry_ends_its_note(clinic: Path) -> None:
    po = clinic / "locales/ja/LC_MESSAGES/article.po"
    catalog = parse_po(po.read_text(encoding="utf-8"), path=str(po))
    confirmed = tuple(
        replace(m, msgstr="〒150-0002 東京都", flags=(), previous_msgid=None)
        if m.msgid == "Tokyo 150-0002, Japan"
        else m
        for m in catalog.messages
    )
    po.write_text(render_po(replace(catalog, messages=confirmed)), encoding="utf-8")
    assert run("update").exit_code == 0
    assert notes(entries(po)["Tokyo 150-0002, Japan"]) == []


def set_comments(po: Path, msgid: str, comments: tuple[str, ...]) -> None:
    """A translator's edit: the comments of the active entry `msgid`, in this order."""
    catalog = parse_po(po.read_text(encoding="utf-8"), path=str(po))
    edited = tuple(
        replace(m, translator_comments=comments) if m.msgid == msgid and not m.obsolete else m
        for m in catalog.messages
    )
    po.write_text(render_po(replace(catalog, messages=edited)), encoding="utf-8")


def test_update_keeps_each_comment_in_its_place(clinic: Path) -> None:
    """A translator's line below a note stays below it, update after update."""
    po = clinic / "locales/ja/LC_MESSAGES/article.po"
    postcode, heading = "Tokyo 150-0002, Japan", "Our clinic's treatment options"
    set_comments(po, postcode, ("above", *notes(entries(po)[postcode]), "below: asked the clinic"))
    set_comments(po, heading, (*entries(po)[heading].translator_comments, "checked"))
    edited = po.read_bytes()
    assert run("update").output.endswith("2 catalogs, 0 changed\n")
    assert po.read_bytes() == edited


def test_a_renamed_page_keeps_its_work_in_progress(clinic: Path) -> None:
    """`mv` a page, `extract`, `update`: its new catalog has every translation of the old one
    (now orphaned), the fuzzy ones still fuzzy with their `#|` msgid, comments and notes."""
    po = clinic / "locales/ja/LC_MESSAGES/article.po"
    day = "These are low-risk, minimally invasive day procedures."
    reasons = ("リスクが低い as everywhere", "clinic-review: a safety claim; see the clinic's list")
    set_comments(po, day, (*reasons, *notes(entries(po)[day])))
    before = entries(po)
    (clinic / "source_html/article.html").rename(clinic / "source_html/stenosis.html")
    assert run("extract").exit_code == 0 and run("update").exit_code == 0
    renamed = clinic / "locales/ja/LC_MESSAGES/stenosis.po"
    after = entries(renamed)
    assert sorted(after) == sorted(m.msgid for m in before.values() if not m.obsolete)
    for msgid, entry in after.items():
        was = before[msgid]
        assert entry.msgstr == was.msgstr and entry.fuzzy == was.fuzzy
        if was.fuzzy:
            assert (entry.previous_msgid, entry.translator_comments) == (
                was.previous_msgid,
                was.translator_comments,
            )
        else:
            assert entry.translator_comments == tuple(
                c for c in was.translator_comments if not is_note(c)
            )
    assert after[day].translator_comments[:2] == reasons and after[day].fuzzy
    data = renamed.read_bytes()
    assert run("update").output.endswith("2 catalogs, 0 changed\n") and renamed.read_bytes() == data


@pytest.mark.gettext
@pytest.mark.skipif(shutil.which("msgmerge") is None, reason="GNU gettext is not installed")
def test_gettext_tools_leave_the_triaged_catalogs_unchanged(clinic: Path) -> None:
    for page in ("article", "index"):
        po = clinic / f"locales/ja/LC_MESSAGES/{page}.po"
        pot = clinic / f"locales/templates/{page}.pot"
        text = po.read_text(encoding="utf-8")
        subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)], check=True)
        tools = (["msgcat", str(po)], ["msgmerge", "--quiet", "--previous", str(po), str(pot)])
        for command in tools:
            out = subprocess.run([*command, "-o", "-"], check=True, capture_output=True, text=True)
            assert out.stdout == text, command
