"""Splitting the pages of a site into N shards, so a CI matrix can work on a huge site in parallel.

A page belongs to shard `crc32(path) % N + 1`: the split depends on the page's own path only, so
adding or removing a page never moves another one to a different shard, and every machine of the
matrix computes the same split without talking to the others. The shards of one `--shard K/N`
series are disjoint and together hold every page.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.model import PipelineError

_SHARD_RE = re.compile(r"(\d+)/(\d+)")


@dataclass(frozen=True, slots=True)
class Shard:
    """Shard `index` (1-based) of `count`; `Shard(1, 1)` is the whole site."""

    index: int = 1
    count: int = 1

    @property
    def whole(self) -> bool:
        return self.count == 1

    def holds(self, page: str) -> bool:
        """Whether `page` (a source-relative path) belongs to this shard.

        >>> [Shard(k, 3).holds("index.html") for k in (1, 2, 3)].count(True)
        1
        """
        return self.whole or zlib.crc32(page.encode("utf-8")) % self.count + 1 == self.index

    def select(self, pages: Iterable[str]) -> list[str]:
        """The pages of this shard, in the order given."""
        return [page for page in pages if self.holds(page)]

    @property
    def suffix(self) -> str:
        """`""` for the whole site, `-2-of-3` for shard 2/3: tells per-shard files apart."""
        return "" if self.whole else f"-{self.index}-of-{self.count}"


#: The default `--shard`: every page.
WHOLE_SITE = Shard()


def parse_shard(text: str, *, where: str = "--shard") -> Shard:
    """`K/N` with 1 ≤ K ≤ N.

    >>> parse_shard("2/3")
    Shard(index=2, count=3)
    """
    match = _SHARD_RE.fullmatch(text.strip())
    if match is None:
        raise PipelineError(where, None, f"shard {text!r} is not K/N (for example 1/4)")
    index, count = int(match[1]), int(match[2])
    if not 1 <= index <= count:
        raise PipelineError(where, None, f"shard {text!r}: K must be between 1 and N")
    return Shard(index, count)
