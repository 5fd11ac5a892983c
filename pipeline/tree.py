"""The tree a page's tokens make, nested as a browser nests them (closely enough for segments).

A small part of the WHATWG tree-building algorithm: implied end tags (`<p>`, `<li>`, table
cells…), end tags that stop at "special" elements, start tags browsers ignore, void elements.
The tables below only mirror that algorithm; the rules about what is translatable are in
`pipeline/rules.py`. Every loop is iterative, so a page nested thousands deep stays linear and
cannot exhaust the stack.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.html import Token
from pipeline.rules import CODE_PHRASES, INLINE_ELEMENTS, VOID_ELEMENTS

# --- the tables: how browsers nest markup -------------------------------------------------------

#: Start tags that close an open `<p>` (WHATWG "close a p element").
P_CLOSERS = frozenset(
    {
        "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div",
        "dl", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
        "h6", "header", "hgroup", "hr", "li", "listing", "main", "menu", "nav", "ol", "p", "pre",
        "section", "summary", "table", "ul", "dd", "dt", "plaintext", "xmp",
    }
)  # fmt: skip
#: A heading start tag closes an open heading that is the current element.
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
#: WHATWG's "special" category: an end tag for an ordinary element stops at these.
SPECIAL_ELEMENTS = frozenset(
    {
        "address", "applet", "area", "article", "aside", "base", "basefont", "bgsound",
        "blockquote", "body", "br", "button", "caption", "center", "col", "colgroup", "dd",
        "details", "dir", "div", "dl", "dt", "embed", "fieldset", "figcaption", "figure",
        "footer", "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head",
        "header", "hgroup", "hr", "html", "iframe", "img", "input", "keygen", "li", "link",
        "listing", "main", "marquee", "menu", "meta", "nav", "noembed", "noframes", "noscript",
        "object", "ol", "p", "param", "plaintext", "pre", "script", "search", "section",
        "select", "source", "style", "summary", "table", "tbody", "td", "template", "textarea",
        "tfoot", "th", "thead", "title", "tr", "track", "ul", "wbr", "xmp",
    }
)  # fmt: skip
#: Formatting elements, which browsers close and reopen around misnested markup.
FORMATTING_ELEMENTS = frozenset(
    {"a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong",
     "tt", "u"}
)  # fmt: skip
#: Elements an implied end tag does not reach past.
SCOPE_BOUNDARIES = frozenset(
    {"html", "table", "td", "th", "caption", "template", "button", "marquee", "object", "applet",
     "svg", "math"}
)  # fmt: skip
#: Start tags that close an open element of these names (WHATWG's implied end tags).
_IMPLIED_CLOSE: dict[str, frozenset[str]] = {
    "li": frozenset({"li"}),
    "dt": frozenset({"dt", "dd"}),
    "dd": frozenset({"dt", "dd"}),
    "option": frozenset({"option"}),
    "optgroup": frozenset({"option", "optgroup"}),
    "tr": frozenset({"tr", "td", "th"}),
    "td": frozenset({"td", "th"}),
    "th": frozenset({"td", "th"}),
    "thead": frozenset({"tr", "td", "th", "tbody", "thead", "tfoot"}),
    "tbody": frozenset({"tr", "td", "th", "tbody", "thead", "tfoot"}),
    "tfoot": frozenset({"tr", "td", "th", "tbody", "thead", "tfoot"}),
    "rt": frozenset({"rt", "rp"}),
    "a": frozenset({"a"}),  # the adoption agency closes an open link first
    "nobr": frozenset({"nobr"}),
    "button": frozenset({"button"}),
    "rp": frozenset({"rt", "rp"}),
}
#: Where the search for an element to close implicitly stops (besides SCOPE_BOUNDARIES).
_IMPLIED_STOP: dict[str, frozenset[str]] = {
    "li": frozenset({"ul", "ol", "menu"}),
    "dt": frozenset({"dl"}),
    "dd": frozenset({"dl"}),
    "option": frozenset({"select", "datalist", "optgroup"}),
    "optgroup": frozenset({"select"}),
    "tr": frozenset({"thead", "tbody", "tfoot"}),
    "td": frozenset({"tr"}),
    "th": frozenset({"tr"}),
}
#: Table structure outside a table (or a template) is ignored by browsers.
TABLE_PARTS = frozenset({"td", "th", "tr", "tbody", "thead", "tfoot", "caption", "col", "colgroup"})
_TABLE_CONTEXTS = frozenset({"table", "template"})
_MAYBE_IGNORED = TABLE_PARTS | {"html", "head", "body"}
#: Start tags that may close open elements (the rest never do, so skip `_close_implied`).
_IMPLYING = P_CLOSERS | HEADINGS | frozenset(_IMPLIED_CLOSE)


_P = frozenset({"p"})
_NOTHING: frozenset[str] = frozenset()


# --- the tree ----------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class Element:
    """A node of the parse tree; mutable only while the tree is built."""

    name: str
    start: Token | None
    end: Token | None = None
    children: list[Element | Token] = field(default_factory=list)
    #: Whether it and all it holds may sit inside a segment; settled when it closes.
    inline_only: bool = True
    #: Where the element's extent ends: None for itself (it has an end tag or no content), else
    #: the tail of its last child (set when it closes, after its children: deep trees stay
    #: linear).
    tail: Element | Token | None = None
    #: What its start tag says about translation (`_translate_flag`), read once.
    flag: bool | None = None

    @property
    def extent_start(self) -> int:
        return self.start.start if self.start else 0

    def extent_end(self) -> int:
        """End of the element: its end tag, else its last descendant (a loop: trees run deep)."""
        element = self.tail if self.tail is not None else self
        if isinstance(element, Token):
            return element.end
        while element.end is None and element.children:
            last = element.children[-1]
            if isinstance(last, Token):
                return last.end
            element = last
        if element.end is not None:
            return element.end.end
        return element.start.end if element.start else 0


class _OpenElements:
    """The stack of open elements, counting them by name.

    The counts answer "is a <p> open at all?" in one look-up, so the searches below only walk
    the stack when they can succeed: a page nested thousands deep stays linear, not quadratic.
    A plain dict (absent = 0) rather than a Counter: `Counter.__missing__` is a Python call.
    """

    __slots__ = ("counts", "items")

    def __init__(self, root: Element) -> None:
        self.items = [root]
        self.counts: dict[str, int] = {}

    @property
    def top(self) -> Element:
        return self.items[-1]

    def push(self, element: Element) -> None:
        self.items.append(element)
        self.counts[element.name] = self.counts.get(element.name, 0) + 1

    def truncate(self, index: int) -> None:
        """Close the element at `index` and every element above it, innermost first (so each
        is settled after its children, see `_settle`)."""
        items, counts = self.items, self.counts
        for position in range(len(items) - 1, index - 1, -1):
            element = items[position]
            counts[element.name] -= 1
            _settle(element, items[position - 1])
        del items[index:]

    def any_open(self, names: frozenset[str]) -> bool:
        counts = self.counts
        return any(counts.get(name) for name in names)


def build_tree(tokens: list[Token]) -> Element:
    """The tree of elements the tokens make, as a browser nests them (closely enough for
    segments).

    Each element is settled (`_settle`: `inline_only`, `tail`) as it closes, so the tree comes
    out complete in this one pass.
    """
    root = Element("#root", None)
    stack = _OpenElements(root)
    items, counts = stack.items, stack.counts
    for token in tokens:
        kind = token.kind
        if kind != "start":
            if kind == "end":
                top = items[-1]
                if top.name == token.name:  # the usual case: it closes the current element
                    top.end = token
                    items.pop()
                    counts[top.name] -= 1
                    _settle(top, items[-1])
                else:
                    _close(stack, token)
            else:
                items[-1].children.append(token)
            continue
        name = token.name
        if name in _MAYBE_IGNORED and _is_ignored(stack, name):
            items[-1].children.append(token)  # browsers ignore it: kept as markup only
            continue
        foreign = counts.get("svg") or counts.get("math")  # inside foreign content
        if not foreign and name in _IMPLYING:
            _close_implied(stack, name)
        element = Element(name, token, flag=_translate_flag(token) if token.attributes else None)
        parent = items[-1]
        parent.children.append(element)
        if name in VOID_ELEMENTS or (foreign and token.self_closing):
            _settle(element, parent)  # closed at once: it holds nothing
            continue
        items.append(element)
        counts[name] = counts.get(name, 0) + 1
    for position in range(len(items) - 1, 0, -1):  # left open at the end of the page
        _settle(items[position], items[position - 1])
    return root


def _settle(element: Element, parent: Element) -> None:
    """Once an element is closed (its children all settled before it): whether it and all it
    holds may sit inside a segment, and where its extent ends (`tail`).

    Bottom-up without a pass of its own: elements close innermost first, so a page nested
    thousands deep stays linear and cannot exhaust the stack.
    """
    if element.inline_only:  # no child has said otherwise
        element.inline_only = element.name in INLINE_ELEMENTS or unclosed_code(element)
    if not element.inline_only:
        parent.inline_only = False
    children = element.children
    if element.end is None and children:
        last = children[-1]
        # the last child, or where its own extent ends (no reference to itself: no cycle)
        element.tail = last if last.__class__ is not Element or last.tail is None else last.tail


def _is_ignored(stack: _OpenElements, name: str) -> bool:
    """Whether browsers ignore this start tag: a second html, head or body, or table structure
    outside a table."""
    return bool(
        (name in ("html", "head", "body") and stack.counts.get(name))
        or (name in TABLE_PARTS and not stack.any_open(_TABLE_CONTEXTS))
    )


def _translate_flag(token: Token) -> bool | None:
    """True/False where the element says translate yes/no, None where it is silent."""
    value = classes = None
    for attribute in token.attributes:  # one pass: names are unique
        if attribute.name == "translate":
            value = attribute.value
        elif attribute.name == "class":
            classes = attribute.value
    if value is not None:
        lowered = value.strip().lower()
        if lowered in ("no", "false"):
            return False
        if lowered in ("yes", "", "true"):
            return True
    if classes and "notranslate" in classes.split():
        return False
    return None


def _close_implied(stack: _OpenElements, name: str) -> None:
    if name in P_CLOSERS and stack.counts.get("p"):
        _pop_through(stack, _P, _NOTHING)
    # A heading closes the current node when that is a heading, once any `<p>` is closed.
    if name in HEADINGS and stack.top.name in HEADINGS:
        stack.truncate(len(stack.items) - 1)
    closes = _IMPLIED_CLOSE.get(name)
    if closes:
        _pop_through(stack, closes, _IMPLIED_STOP.get(name, _NOTHING))


def _pop_through(stack: _OpenElements, names: frozenset[str], stop: frozenset[str]) -> None:
    if not stack.any_open(names):
        return
    items = stack.items
    for index in range(len(items) - 1, 0, -1):
        element_name = items[index].name
        if element_name in names:
            stack.truncate(index)
            return
        if element_name in SCOPE_BOUNDARIES or element_name in stop:
            return


def _close(stack: _OpenElements, token: Token) -> None:
    items = stack.items
    if stack.counts.get(token.name):
        for index in range(len(items) - 1, 0, -1):
            element = items[index]
            if element.name == token.name:
                element.end = token
                stack.truncate(index)
                return
            if element.name in SCOPE_BOUNDARIES and token.name not in SCOPE_BOUNDARIES:
                break
            if element.name in SPECIAL_ELEMENTS and _ends_at_special(token.name):
                break
    stack.top.children.append(token)  # a stray end tag: kept as markup


def _ends_at_special(name: str) -> bool:
    """WHATWG "any other end tag": one that is neither special nor a formatting element is
    ignored when a special element (a `p`, a `div`, …) stands between it and its match."""
    return name not in SPECIAL_ELEMENTS and name not in FORMATTING_ELEMENTS


def unclosed_code(element: Element) -> bool:
    """A code phrase the page never closes: its text is translated (see `CODE_PHRASES`)."""
    return element.name in CODE_PHRASES and element.end is None
