"""Segmented pages kept between runs, so `build` does not segment again what `extract` just did.

Segmenting is most of the cost of both stages; the usual run is `extract`, `update`, `build` on
the same pages. An entry is one file per page under the cache directory, holding the digest of
the page's bytes and of everything that decides its segments (this package's segmenting code,
the default encoding, the Python version), and the digest of the segments it holds; it is used
only when both digests match, so a stale or damaged entry is a miss, never a wrong page (a
damaged one is removed, for the next run to write again). Entries are plain tuples written with
`marshal` (data only: nothing is executed when reading), through a temporary file and a rename.
Reading or writing the cache never fails a command: at worst the page is segmented again.

A page's entry also holds the digest of its template as `extract` wrote it (`rendered_here`):
`update` then knows the template's entries are exactly what `render_po` writes for its
messages, and copies the ones a catalog keeps unchanged instead of wrapping their text again.
One file a page, not two: creating a file costs more here than segmenting a small page.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
from pathlib import Path
from typing import Any

from pipeline import files, model
from pipeline.html import Attribute, SourcePage, Token
from pipeline.segments import DateText, PageSegments, Placeholder, Segment

#: The format of an entry; change it with the layout of `_pack`.
_FORMAT = 4


def code_digest(*modules: str) -> bytes:
    """Digest of this package's modules (their source files) and of the Python that runs
    them: what decides an entry, besides the bytes it came from."""
    digest = hashlib.blake2b(f"{_FORMAT} {sys.version}".encode(), digest_size=16)
    for name in modules:
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.digest()


#: Every module a page's segments depend on (what `segments.py` imports, and what those import;
#: tests/test_page_cache.py checks the list is whole).
SEGMENTING_MODULES = (
    "html.py", "model.py", "placeholders.py", "rules.py", "tree.py", "segments.py"
)  # fmt: skip
_CODE_DIGEST = code_digest(*SEGMENTING_MODULES, "page_cache.py")


#: The digests of entries start from the code's (SHA-256: hashed by the processor's own
#: instructions where it has them, twice BLAKE2b's speed here).
_KEYED = hashlib.sha256(_CODE_DIGEST)
#: The last page keyed, (its bytes, default encoding, key): extract looks a page up, then
#: stores it, and so would hash it twice.
_last_key: tuple[bytes, str | None, bytes] | None = None


def _key(data: bytes, default_encoding: str | None) -> bytes:
    global _last_key
    if _last_key is not None and _last_key[0] is data and _last_key[1] == default_encoding:
        return _last_key[2]
    digest = _KEYED.copy()
    digest.update(data)
    digest.update(repr(default_encoding).encode())
    _last_key = (data, default_encoding, digest.digest()[:_KEY_SIZE])
    return _last_key[2]


def _entry_path(cache: Path, page: str) -> Path:
    return files.inside(cache, f"segments/{page}.bin")


def load(
    cache: Path, page: str, source: SourcePage, default_encoding: str | None
) -> PageSegments | None:
    """The cached segments of `source` (the page `page`), or None when there are none."""
    try:
        path = _entry_path(cache, page)
        blob = files.read_file(path)
        if blob[:_KEY_SIZE] != _key(source.data, default_encoding):
            return None
        payload = memoryview(blob)[_HEAD_SIZE:]
        if blob[2 * _KEY_SIZE : _HEAD_SIZE] != _payload_digest(payload):
            # The page's entry, damaged: `store` keeps an entry whose key is right, so remove it.
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        return _unpack(source, marshal.loads(payload))
    except (OSError, EOFError, ValueError, TypeError, model.PipelineError):
        return None


def store(
    cache: Path,
    page: str,
    segmented: PageSegments,
    default_encoding: str | None,
    *,
    template: bytes | None = None,
) -> None:
    """Keep the segments of a page for the next run, and the digest of the template `extract`
    rendered from them (so one file per page holds both); a failure only loses the entry. An
    entry that holds the same already is not written again."""
    with contextlib.suppress(OSError, model.PipelineError):
        path = _entry_path(cache, page)
        head = _key(segmented.page.data, default_encoding) + (
            _NO_RENDERING if template is None else _rendering_digest(template)
        )
        with contextlib.suppress(OSError):
            if _read_head(path)[: 2 * _KEY_SIZE] == head:
                return
        files.make_cache_directory(cache, path.parent)
        payload = marshal.dumps(_pack(segmented))
        files.atomic_write(path, head + _payload_digest(payload) + payload, durable=False)


def rendered_here(cache: Path, page: str, data: bytes) -> bool:
    """Whether `data` is the page's template as this code's `render_po` wrote it (as `store`
    noted when `extract` wrote it)."""
    try:
        head = _read_head(_entry_path(cache, page))
        return head[_KEY_SIZE : 2 * _KEY_SIZE] == _rendering_digest(data)
    except (OSError, model.PipelineError):
        return False


def _read_head(path: Path) -> bytes:
    """The first bytes of an entry: the digests, without the segments."""
    descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        return os.read(descriptor, _HEAD_SIZE)
    finally:
        os.close(descriptor)


def _pack(page: PageSegments) -> tuple[Any, ...]:
    """The page's segments as plain tuples, which marshal writes."""
    return (
        tuple(
            (
                s.kind,
                s.start,
                s.end,
                s.line,
                s.msgid,
                s.msgctxt,
                s.comments,
                tuple(_pack_placeholder(p) for p in s.placeholders),
                s.quote,
            )
            for s in page.segments
        ),
        tuple((d.start, d.end, d.datetime) for d in page.dates),
        tuple(map(tuple, page.hrefs)),
        page.head_end,
        None if page.html_tag is None else _pack_token(page.html_tag),
        None if page.head_tag is None else _pack_token(page.head_tag),
        page.switchers,
        tuple(map(tuple, page.resources)),
    )


def _pack_placeholder(p: Placeholder) -> tuple[Any, ...]:
    return (p.number, p.kind, p.element, p.open_start, p.open_end, p.close_start, p.close_end)


def _pack_token(token: Token) -> tuple[Any, ...]:
    return (*token[:4], tuple(tuple(a) for a in token.attributes), token.self_closing)


def _unpack_token(packed: tuple[Any, ...]) -> Token:
    kind, start, end, name, attributes, self_closing = packed
    return Token(kind, start, end, name, tuple(Attribute(*a) for a in attributes), self_closing)


def _unpack(source: SourcePage, packed: tuple[Any, ...]) -> PageSegments:
    segment_rows, dates, hrefs, head_end, html_tag, head_tag, switchers, resources = packed
    return PageSegments(
        source,
        tuple(_unpack_segment(row) for row in segment_rows),
        tuple(DateText(*d) for d in dates),
        tuple(Attribute(*a) for a in hrefs),
        head_end,
        None if html_tag is None else _unpack_token(html_tag),
        None if head_tag is None else _unpack_token(head_tag),
        switchers,
        tuple(Attribute(*a) for a in resources),
    )


def _unpack_segment(row: tuple[Any, ...]) -> Segment:
    kind, start, end, line, msgid, msgctxt, comments, placeholders, quote = row
    return Segment(
        kind=kind,
        start=start,
        end=end,
        line=line,
        msgid=msgid,
        msgctxt=msgctxt,
        comments=comments,
        placeholders=tuple(Placeholder(*p) for p in placeholders),
        quote=quote,
    )


#: The code that writes catalogs, and this module.
_RENDERING_DIGEST = code_digest("pofile.py", "model.py", "page_cache.py")
#: A segment entry's head: the key of the page it holds, its template's digest, then the digest
#: of the segments that follow (so a changed byte among them is a miss, not a wrong page).
_KEY_SIZE = 16
_HEAD_SIZE = 3 * _KEY_SIZE
_NO_RENDERING = bytes(_KEY_SIZE)


_RENDERING_KEYED = hashlib.sha256(_RENDERING_DIGEST)


def _rendering_digest(data: bytes) -> bytes:
    digest = _RENDERING_KEYED.copy()
    digest.update(data)
    return digest.digest()[:_KEY_SIZE]


def _payload_digest(payload: bytes | memoryview) -> bytes:
    """The digest of an entry's marshalled segments, as its head keeps it."""
    return hashlib.sha256(payload).digest()[:_KEY_SIZE]
