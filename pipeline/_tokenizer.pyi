"""The common shapes of `pipeline.html.tokenize`, in C (pipeline/_tokenizer.c)."""

from collections.abc import Callable
from typing import Any

def configure(
    token: type[Any],
    attribute: type[Any],
    unescape: Callable[[str], str],
    stop: frozenset[str],
    code: frozenset[str],
    /,
) -> None: ...
def scan(text: str, position: int, tokens: list[Any], templates: dict[str, Any], /) -> int: ...
