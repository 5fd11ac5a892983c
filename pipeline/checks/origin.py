"""Origin check: a catalog's references must name the page it is the catalog of.

`<locale>/LC_MESSAGES/<page>.po` holds the translations of `<page>.html`, and `update` gives each
active entry a `#:` reference to that page. A catalog whose references all name other pages was
copied or renamed from another page's catalog: its translations would not reach the page, and
the next `update` would quietly turn every entry obsolete. So `check` reports it, as an error,
and leaves the decision (move the file back, or run `update` after a rename) to a person.
"""

from __future__ import annotations

from pipeline.checks.core import Problem
from pipeline.model import Catalog


def referenced_pages(catalog: Catalog) -> frozenset[str]:
    """The pages named by the `#: page:line` references of the catalog's active entries."""
    pages = set()
    for message in catalog.active:
        for reference in message.references:
            page, colon, line = reference.rpartition(":")
            pages.add(page if colon and line.isdigit() else reference)
    return frozenset(pages)


def check_origin(catalog: Catalog, *, page: str, path: str) -> tuple[Problem, ...]:
    """One error when the catalog's references name pages, none of them `page`.

    >>> from pipeline.model import Message
    >>> other = Catalog(messages=(Message("Hi", references=("other.html:3",), line=7),))
    >>> [p.line for p in check_origin(other, page="index.html", path="ja/index.po")]
    [7]
    >>> check_origin(other, page="other.html", path="ja/other.po")
    ()
    """
    named = referenced_pages(catalog)
    if not named or page in named:
        return ()
    shown = ", ".join(sorted(named)[:3]) + (", …" if len(named) > 3 else "")
    line = next((m.line for m in catalog.active if m.references), 0)
    message = (
        f"this is the catalog of {page}, but its references name {shown}: it belongs to "
        f"another page (copied or renamed?); move it back, or run `update` after a rename"
    )
    return (Problem(path, line, "", "origin", "error", message),)
