"""The data that flows between stages: catalogs, messages and the places they came from.

Every type is a frozen, slotted dataclass; collections are tuples. Stages build new values with
`dataclasses.replace` instead of mutating, so a stage can never change what another one holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: Inline markup in a msgid: `<1>text</1>` for a paired element, `<2/>` for a void one.
PLACEHOLDER_RE = re.compile(r"<(/?)(\d+)(/?)>")

#: The flag gettext uses for a translation that needs review.
FUZZY = "fuzzy"
#: `ignore-<check>`, as a flag or at the start of a translator comment, silences one check for
#: one entry (Weblate's convention; the comment form survives GNU gettext's tools).
IGNORE = "ignore-"


class PipelineError(Exception):
    """Bad input, named by file and line: the CLI prints `path:line: message` and exits 2."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"

    def __reduce__(self) -> tuple[type[PipelineError], tuple[str, int | None, str]]:
        """Picklable, so an error in a `--jobs` worker process reaches the CLI intact."""
        return (type(self), (self.path, self.line, self.message))


@dataclass(frozen=True, slots=True)
class Message:
    """One catalog entry, as gettext sees it (a template entry has an empty msgstr)."""

    msgid: str
    msgstr: str = ""
    msgctxt: str | None = None
    #: `#,` flags other than the ones gettext derives (fuzzy is one of them).
    flags: tuple[str, ...] = ()
    #: `#:` references, each `path:line` with the path relative to the source directory.
    references: tuple[str, ...] = ()
    #: `#.` comments from the source: which element this is, `i18n:` notes.
    extracted_comments: tuple[str, ...] = ()
    #: `# ` comments a translator wrote, never touched by the pipeline, and `update`'s notes on a
    #: changed English text (`pipeline.triage`), which only `update` rewrites.
    translator_comments: tuple[str, ...] = ()
    #: `#| msgctxt` / `#| msgid` of a fuzzy entry: the text the old translation was made for.
    previous_msgctxt: str | None = None
    previous_msgid: str | None = None
    #: Plural entries are never extracted from HTML, but a catalog may hold them: keep them.
    msgid_plural: str | None = None
    msgstr_plural: tuple[str, ...] = ()
    #: `#~` entries: text that left the page, kept with its translation for when it returns.
    obsolete: bool = False
    #: Line of the entry in the file it was read from (0 for entries not read from a file).
    line: int = field(default=0, compare=False)

    @property
    def key(self) -> tuple[str | None, str]:
        """Identity of an entry within a catalog, as gettext defines it."""
        return (self.msgctxt, self.msgid)

    @property
    def fuzzy(self) -> bool:
        return FUZZY in self.flags

    @property
    def translated(self) -> bool:
        """Done: has a translation and nobody flagged it for review."""
        if self.fuzzy or self.obsolete:
            return False
        if self.msgid_plural is not None:
            return bool(self.msgstr_plural) and all(self.msgstr_plural)
        return bool(self.msgstr)


@dataclass(frozen=True, slots=True)
class Catalog:
    """A .po or .pot file: header fields in order, then the entries in document order."""

    header: tuple[tuple[str, str], ...] = ()
    #: Comment lines above the header entry (without the leading `# `).
    header_comments: tuple[str, ...] = ()
    #: Flags on the header entry (a new template's header is fuzzy).
    header_flags: tuple[str, ...] = ()
    messages: tuple[Message, ...] = ()

    def header_value(self, name: str) -> str | None:
        for key, value in self.header:
            if key.lower() == name.lower():
                return value
        return None

    @property
    def active(self) -> tuple[Message, ...]:
        """Entries that are not obsolete."""
        return tuple(m for m in self.messages if not m.obsolete)

    @property
    def obsolete(self) -> tuple[Message, ...]:
        return tuple(m for m in self.messages if m.obsolete)


#: {(msgctxt, msgid): msgstr} of a catalog's finished translations, and {(msgctxt, msgid): line}
#: of its active entries: what building a page needs of a catalog.
Translations = tuple[dict[tuple[str | None, str], str], dict[tuple[str | None, str], int]]


def translations_and_lines(catalog: Catalog) -> Translations:
    """{key: msgstr} of the finished singular translations and {key: line} of every active
    entry."""
    active = catalog.active
    done = {m.key: m.msgstr for m in active if m.translated and m.msgid_plural is None}
    return done, {m.key: m.line for m in active}


def placeholder_words(text: str) -> str:
    """The text of a msgid or msgstr with its placeholders replaced by spaces (for counting)."""
    return PLACEHOLDER_RE.sub(" ", text)


#: One CJK character: a word of its own, written without spaces around it. The patterns are
#: compiled when first used (by `re`'s own cache): the compiling is a tenth of a command's
#: start-up, and commands that count no words skip it.
CJK_CHARACTER = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]"
#: A CJK character, or a run of letters and digits with inner apostrophes.
_WORD_PATTERN = CJK_CHARACTER + r"|[^\W_]+(?:['’.-][^\W_]+)*"


def count_words(text: str) -> int:
    """Source words in a msgid: placeholders ignored, each CJK character counts as one word."""
    return len(re.findall(_WORD_PATTERN, placeholder_words(text)))
