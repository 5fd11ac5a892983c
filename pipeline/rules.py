"""The extraction rules, as data: which elements and attributes hold text for people.

This is the module a content change touches. Add an element to INLINE_ELEMENTS and its markup
stays inside a message as a movable placeholder; add it to OPAQUE_ELEMENTS and it is kept byte
for byte; add an attribute to TRANSLATABLE_ATTRIBUTES (or a key to TRANSLATABLE_META) and new
messages appear. Such changes alter msgids, so the next `extract` re-segments every page (the
page cache's digest covers this file) and the catalogs merge as for any edit of the pages:
changed messages turn fuzzy, vanished ones obsolete. ELEMENT_ROLES and INLINE_ROLES change only
the comments translators read. VOID_ELEMENTS is also HTML's own list: the tree builder relies
on it, so leave it as the standard has it.

How a browser nests markup (which start tag closes which element) is not a rule of ours but
HTML's: those tables live with the tree builder, in `pipeline/tree.py`.
"""

from __future__ import annotations

#: Phrasing elements that stay inside a segment as paired placeholders `<N>…</N>`.
INLINE_ELEMENTS = frozenset(
    {
        "a", "abbr", "acronym", "b", "bdi", "bdo", "big", "cite", "data", "del", "dfn", "em",
        "font", "i", "ins", "mark", "nobr", "q", "rb", "rp", "rt", "rtc", "ruby", "s", "small",
        "span", "strike", "strong", "sub", "sup", "tt", "u",
    }
)  # fmt: skip
#: Elements whose `href` the site stage points at the localized page.
LINK_ELEMENTS = frozenset({"a", "area"})
#: The other attributes that name a file a page loads or links, per element: never rewritten
#: (a relative one already names the copy in the same locale), only checked by the build,
#: which warns about those that name no page or asset. `srcset` holds a list of URLs.
RESOURCE_ATTRIBUTES: dict[str, frozenset[str]] = {
    "link": frozenset({"href"}),
    "img": frozenset({"src", "srcset"}),
    "source": frozenset({"src", "srcset"}),
    "script": frozenset({"src"}),
    "iframe": frozenset({"src"}),
    "embed": frozenset({"src"}),
    "object": frozenset({"data"}),
    "video": frozenset({"src", "poster"}),
    "audio": frozenset({"src"}),
    "track": frozenset({"src"}),
    "input": frozenset({"src"}),
}
#: Elements with no end tag; inside a segment they become `<N/>`.
VOID_ELEMENTS = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta",
        "param", "source", "track", "wbr",
    }
)  # fmt: skip
#: Void elements that sit inside running text.
INLINE_VOID_ELEMENTS = frozenset({"br", "wbr", "img", "input", "embed"})
#: What they hold is never translated: kept byte for byte (inside a segment, as one void
#: placeholder). Their own translatable attributes are text for people all the same (an
#: iframe's title is its accessible name): those are extracted.
OPAQUE_ELEMENTS = frozenset(
    {
        "script", "style", "template", "pre", "code", "kbd", "samp", "var", "svg", "math",
        "textarea", "noembed", "noframes", "iframe", "object", "canvas", "xmp", "plaintext",
    }
)  # fmt: skip
#: Opaque elements that may sit inside running text.
INLINE_OPAQUE_ELEMENTS = frozenset(
    {"script", "style", "code", "kbd", "samp", "var", "svg", "math", "noembed", "iframe", "object",
     "canvas", "template", "textarea"}
)  # fmt: skip
#: Code phrases: kept as written, unless the page never closes one. Browsers then carry the
#: markup around it (an unclosed link, say) out of it again, so which text it holds is not
#: certain; its text is translated like any other rather than risk leaving visible text out.
CODE_PHRASES = frozenset({"code", "kbd", "samp", "var"})
#: Inline elements left out at the edges of a segment (nothing a translator could move).
EDGE_ELEMENTS = frozenset({"br", "wbr", "script", "style", "template"})
#: Attributes holding text for people, per element ("*" for any element).
TRANSLATABLE_ATTRIBUTES: dict[str, frozenset[str]] = {
    "*": frozenset({"title", "aria-label", "aria-description", "aria-placeholder"}),
    "img": frozenset({"alt"}),
    "area": frozenset({"alt"}),
    "input": frozenset({"alt", "placeholder"}),
    "textarea": frozenset({"placeholder"}),
    "option": frozenset({"label"}),
    "optgroup": frozenset({"label"}),
    "track": frozenset({"label"}),
}
#: `<input type=…>` whose `value` is a button's caption.
BUTTON_INPUT_TYPES = frozenset({"submit", "button", "reset"})
#: Elements whose `title` attribute is not text for people (a stylesheet set's name, …).
NO_TITLE_ELEMENTS = frozenset({"link", "style", "meta", "html", "head", "script", "base"})
#: `<meta name|property=…>` whose `content` is text for people.
TRANSLATABLE_META = frozenset(
    {"description", "og:title", "og:description", "og:site_name", "og:image:alt",
     "twitter:title", "twitter:description", "twitter:image:alt"}
)  # fmt: skip
#: What a translator is told about an element (the extracted comment).
ELEMENT_ROLES = {
    "title": "page title", "h1": "main heading", "h2": "heading", "h3": "heading",
    "h4": "heading", "h5": "heading", "h6": "heading", "p": "paragraph", "li": "list item",
    "dt": "term", "dd": "definition", "td": "table cell", "th": "table header",
    "caption": "table caption", "figcaption": "figure caption", "blockquote": "quotation",
    "label": "form label", "button": "button", "option": "menu option", "summary": "summary",
    "legend": "form group title", "a": "link", "nav": "navigation", "footer": "footer",
    "header": "header", "address": "address",
}  # fmt: skip
#: Placeholder legend names for inline elements.
INLINE_ROLES = {
    "a": "link", "b": "bold", "strong": "strong emphasis", "em": "emphasis", "i": "italic",
    "br": "line break", "img": "image", "code": "code", "span": "span", "sup": "superscript",
    "sub": "subscript", "abbr": "abbreviation", "q": "quotation", "time": "date",
    "#comment": "comment", "#end": "stray end tag", "#other": "markup",
}  # fmt: skip
#: The attribute that gives every message of an element (and of what it holds) a msgctxt.
CONTEXT_ATTRIBUTE = "data-i18n-context"
#: Marks the element the build fills with a language switcher.
SWITCHER_ATTRIBUTE = "data-i18n-switcher"
#: An `<!-- i18n: … -->` comment is a note for the first message that ends after it.
NOTE_PREFIX = "i18n:"
