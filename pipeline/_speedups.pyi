"""The hot loops of the pipeline (tokenize, segments, pofile, page cache, build), in C."""

from collections.abc import Callable, Sequence
from typing import Any

from pipeline.build import BuildProblem, Edit, Span
from pipeline.html import Attribute, Token
from pipeline.model import Message, Translations
from pipeline.segments import Segment

def configure_scan(
    token: type[Any],
    attribute: type[Any],
    unescape: Callable[[str], str],
    stop: frozenset[str],
    code: frozenset[str],
    /,
) -> None: ...
def scan(text: str, position: int, tokens: list[Any], templates: dict[str, Any], /) -> int: ...
def configure_tree(
    element: type[Any],
    close: Callable[[Any, Any], None],
    implied_stop: dict[str, frozenset[str]],
    is_ignored: Callable[[Any, str], bool],
    translate_flag: Callable[[Any], bool | None],
    maybe_ignored: frozenset[str],
    implying: frozenset[str],
    void: frozenset[str],
    p_closers: frozenset[str],
    headings: frozenset[str],
    implied_close: dict[str, frozenset[str]],
    inline_elements: frozenset[str],
    code_phrases: frozenset[str],
    scope_boundaries: frozenset[str],
    /,
) -> None: ...
def grow_tree(tokens: list[Any], stack: Any, /) -> None: ...
def mark_inline(element: Any, /) -> bool: ...
def configure_walk(
    placeholder: type[Any],
    taken_numbers: Callable[[str, int, int], set[int]],
    opaque: frozenset[str],
    inline_void: frozenset[str],
    inline_opaque: frozenset[str],
    edge: frozenset[str],
    maybe_translatable: frozenset[str],
    switcher_attribute: str,
    context_attribute: str,
    /,
) -> None: ...
def walk(segmenter: Any, root: Any, /) -> None: ...
def configure_wrap(
    ascii_classes: bytes,
    pair_rows: tuple[bytes, ...],
    line_class: Callable[[str], int],
    direct: int,
    indirect: int,
    /,
) -> None: ...
def simple_cuts(escaped: str, unbreakable: set[int], page: int, start: int, /) -> list[int]: ...
def configure_entries(
    cuts: Callable[[str, str, int, int], list[int]],
    flags_and_wrap: Callable[[Sequence[str], bool], tuple[str | None, bool]],
    char_info: Callable[[str], int],
    /,
) -> None: ...
def render_entry(message: Message, width: int, /) -> str: ...
def template_entries(segments: tuple[Segment, ...], page_path: str, width: int, /) -> str: ...
def configure_catalog(message: type[Message], /) -> None: ...
def read_canonical(text: str, /) -> list[Message] | None: ...
def configure_segments(
    segment: type[Segment],
    legend: Callable[[int, str, str], str],
    role: Callable[[Any], str],
    anywhere: frozenset[str],
    by_element: dict[str, frozenset[str]],
    no_title: frozenset[str],
    /,
) -> None: ...
def pack_segments(segments: tuple[Segment, ...], /) -> tuple[tuple[Any, ...], ...]: ...
def unpack_segments(rows: tuple[tuple[Any, ...], ...], /) -> tuple[Segment, ...]: ...
def link_hrefs(tokens: list[Token], names: frozenset[str], /) -> tuple[Attribute, ...]: ...
def pack_attributes(attributes: tuple[Attribute, ...], /) -> tuple[tuple[Any, ...], ...]: ...
def unpack_attributes(rows: tuple[tuple[Any, ...], ...], /) -> tuple[Attribute, ...]: ...
def count_words(text: str, /) -> int: ...
def configure_build(edit: type[Edit], span: type[Span], /) -> None: ...
def translated_edits(
    segments: tuple[Segment, ...],
    translations: dict[tuple[str | None, str], str],
    newline: str,
    site_edits: tuple[Edit, ...],
    trouble: Callable[[Segment, str], BuildProblem | None],
    /,
) -> tuple[list[Edit], list[BuildProblem]]: ...
def segment_edit(segment: Segment, msgstr: str, newline: str, leaves: list[Edit], /) -> Edit: ...
def same_placeholders(text: str, other: str, /) -> bool: ...
def assemble_text(text: str, edits: list[Edit], /) -> str: ...
def file_signatures(paths: list[str], /) -> tuple[bytes, int, bool]: ...
def catalog_words(messages: tuple[Message, ...], /) -> tuple[int, int]: ...
def catalog_translations(messages: tuple[Message, ...], /) -> Translations: ...
def line_starts(text: str, /) -> tuple[int, ...]: ...
