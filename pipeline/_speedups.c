/* The hot loops of `pipeline.html.tokenize` and `pipeline.segments._build_tree`, in C.
 *
 * Both follow the Python code they speed up, which stays the reference and runs where this
 * module was not built; the tests hold the two to the same results.
 *
 * The tokenizer:
 * `scan(text, position, tokens, templates)` appends the tokens the one-pass regular expression
 * `_TOKEN_RE` gives for text, simple start tags and simple end tags, and returns where it
 * stopped: the end of the text, or the first place that needs the Python tokenizer (a comment,
 * a doctype, a tag of another shape, a tag of an element whose content is raw text). The plain
 * content of a code element (text and plain spans) is one token, as `_code_body_end` says.
 * It follows the regular expression's first choice at every step and stops wherever that choice
 * fails, so whatever it does accept is exactly what the expression matches; all the rest is
 * left to the Python code, which stays the reference (`tokenize(text, accelerated=False)`, and
 * the tests compare the two).
 *
 * A page is a `str`; characters are read with PyUnicode_READ, so any of its kinds works.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h> /* T_OBJECT_EX: how a slot is stored */

static PyTypeObject *token_type;     /* pipeline.html.Token */
static PyTypeObject *attribute_type; /* pipeline.html.Attribute */
static PyObject *unescape;           /* html.unescape */
static PyObject *stop_names;         /* frozenset: names the Python tokenizer handles */
static PyObject *code_names;         /* frozenset: pre, code, …: plain content is one token */
static PyObject *names;              /* dict: one string object per tag name */
static PyObject *kind_text, *kind_start, *kind_end, *kind_rawtext, *empty_string;

static inline int is_space(Py_UCS4 c) {
    return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

static inline int is_ascii_alpha(Py_UCS4 c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* [^\t\n\f\r />] */
static inline int is_tag_name_char(Py_UCS4 c) { return !is_space(c) && c != '/' && c != '>'; }

/* [^\t\n\f\r /=>] */
static inline int is_attribute_name_char(Py_UCS4 c) { return is_tag_name_char(c) && c != '='; }

/* [^\t\n\f\r >"'=<`] */
static inline int is_unquoted_char(Py_UCS4 c) {
    return !is_space(c) && c != '>' && c != '"' && c != '\'' && c != '=' && c != '<' && c != '`';
}

/* A token: the named tuple made the way `tuple.__new__(Token, …)` makes it. Steals the refs. */
static PyObject *new_token(PyObject *kind, Py_ssize_t start, Py_ssize_t end, PyObject *name,
                           PyObject *attributes, int self_closing) {
    PyObject *token = token_type->tp_alloc(token_type, 6);
    PyObject *start_object = PyLong_FromSsize_t(start);
    PyObject *end_object = PyLong_FromSsize_t(end);
    if (token == NULL || start_object == NULL || end_object == NULL) {
        Py_XDECREF(token);
        Py_XDECREF(start_object);
        Py_XDECREF(end_object);
        Py_DECREF(name);
        Py_DECREF(attributes);
        return NULL;
    }
    Py_INCREF(kind);
    PyTuple_SET_ITEM(token, 0, kind);
    PyTuple_SET_ITEM(token, 1, start_object);
    PyTuple_SET_ITEM(token, 2, end_object);
    PyTuple_SET_ITEM(token, 3, name);
    PyTuple_SET_ITEM(token, 4, attributes);
    PyObject *flag = self_closing ? Py_True : Py_False;
    Py_INCREF(flag);
    PyTuple_SET_ITEM(token, 5, flag);
    return token;
}

static int append_token(PyObject *tokens, PyObject *token) {
    if (token == NULL) {
        return -1;
    }
    int failed = PyList_Append(tokens, token);
    Py_DECREF(token);
    return failed;
}

/* The lower-case name of text[start:end], one object per distinct name (new reference). */
static PyObject *tag_name(PyObject *text, int kind, const void *data, Py_ssize_t start,
                          Py_ssize_t end) {
    char buffer[64];
    Py_ssize_t length = end - start;
    PyObject *lowered;
    int ascii = length <= (Py_ssize_t)sizeof(buffer);
    for (Py_ssize_t i = 0; ascii && i < length; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, start + i);
        if (c >= 128) {
            ascii = 0;
        } else {
            buffer[i] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
        }
    }
    if (ascii) {
        lowered = PyUnicode_FromStringAndSize(buffer, length);
    } else { /* what Python's str.lower() says, for any other name */
        PyObject *raw = PyUnicode_Substring(text, start, end);
        if (raw == NULL) {
            return NULL;
        }
        lowered = PyObject_CallMethod(raw, "lower", NULL);
        Py_DECREF(raw);
    }
    if (lowered == NULL) {
        return NULL;
    }
    if (PyDict_GET_SIZE(names) >= 4096) { /* a page of made-up names: no more sharing */
        return lowered;
    }
    PyObject *shared = PyDict_SetDefault(names, lowered, lowered); /* borrowed */
    Py_XINCREF(shared);
    Py_DECREF(lowered);
    return shared;
}

/* `_attribute_template`: (name, value, value start, value end, quote) of each attribute in the
 * text of a simple tag (`raw`, a run of the expression's attribute shapes), the first of each
 * name only. New reference. */
static PyObject *attribute_template(PyObject *raw) {
    int kind = PyUnicode_KIND(raw);
    const void *data = PyUnicode_DATA(raw);
    Py_ssize_t length = PyUnicode_GET_LENGTH(raw);
    PyObject *entries = PyList_New(0);
    PyObject *seen = PySet_New(NULL);
    if (entries == NULL || seen == NULL) {
        goto failed;
    }
    Py_ssize_t at = 0;
    while (at < length) {
        while (at < length && is_space(PyUnicode_READ(kind, data, at))) {
            at++;
        }
        if (at >= length) {
            break;
        }
        Py_ssize_t name_start = at;
        while (at < length && is_attribute_name_char(PyUnicode_READ(kind, data, at))) {
            at++;
        }
        if (at == name_start) { /* cannot happen in a run of the shapes: leave it to Python */
            PyErr_SetString(PyExc_ValueError, "not a run of simple attributes");
            goto failed;
        }
        PyObject *name = tag_name(raw, kind, data, name_start, at);
        if (name == NULL) {
            goto failed;
        }
        Py_ssize_t value_start = -1, value_end = -1;
        Py_UCS4 quote = 0;
        if (at < length && PyUnicode_READ(kind, data, at) == '=') {
            at++;
            Py_UCS4 c = at < length ? PyUnicode_READ(kind, data, at) : 0;
            if (c == '"' || c == '\'') {
                quote = c;
                value_start = at + 1;
                value_end = value_start;
                while (value_end < length && PyUnicode_READ(kind, data, value_end) != c) {
                    value_end++;
                }
                at = value_end + 1;
            } else {
                value_start = at;
                while (at < length && is_unquoted_char(PyUnicode_READ(kind, data, at))) {
                    at++;
                }
                value_end = at;
            }
        }
        int repeated = PySet_Contains(seen, name);
        if (repeated != 0 || PySet_Add(seen, name) < 0) { /* browsers ignore a repeated one */
            Py_DECREF(name);
            if (repeated < 0) {
                goto failed;
            }
            continue;
        }
        PyObject *entry;
        if (value_start < 0) {
            entry = Py_BuildValue("(NOnns)", name, Py_None, (Py_ssize_t)-1, (Py_ssize_t)-1, "");
        } else {
            PyObject *value = PyUnicode_Substring(raw, value_start, value_end);
            if (value != NULL && PyUnicode_FindChar(value, '&', 0, value_end - value_start, 1) >= 0) {
                Py_SETREF(value, PyObject_CallOneArg(unescape, value));
            }
            if (value == NULL) {
                Py_DECREF(name);
                goto failed;
            }
            const char *quotes = quote == '"' ? "\"" : quote == '\'' ? "'" : "";
            entry = Py_BuildValue("(NNnns)", name, value, value_start, value_end, quotes);
        }
        if (entry == NULL || PyList_Append(entries, entry) < 0) {
            Py_XDECREF(entry);
            goto failed;
        }
        Py_DECREF(entry);
    }
    Py_DECREF(seen);
    PyObject *template = PyList_AsTuple(entries);
    Py_DECREF(entries);
    return template;
failed:
    Py_XDECREF(entries);
    Py_XDECREF(seen);
    return NULL;
}

/* The attributes of a simple tag: its template (made once per distinct attribute text) with the spans moved to where the text stands. New reference. */
static PyObject *tag_attributes(PyObject *text, PyObject *templates, Py_ssize_t start,
                                Py_ssize_t end) {
    PyObject *raw = PyUnicode_Substring(text, start, end);
    if (raw == NULL) {
        return NULL;
    }
    PyObject *template = PyDict_GetItemWithError(templates, raw); /* borrowed */
    if (template == NULL) {
        if (PyErr_Occurred()) {
            Py_DECREF(raw);
            return NULL;
        }
        template = attribute_template(raw);
        if (template == NULL || PyDict_SetItem(templates, raw, template) < 0) {
            Py_XDECREF(template);
            Py_DECREF(raw);
            return NULL;
        }
        Py_DECREF(template); /* the dict holds it */
    }
    Py_DECREF(raw);
    if (!PyTuple_Check(template)) {
        PyErr_SetString(PyExc_TypeError, "an attribute template must be a tuple");
        return NULL;
    }
    Py_ssize_t count = PyTuple_GET_SIZE(template);
    PyObject *attributes = PyTuple_New(count);
    if (attributes == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *entry = PyTuple_GET_ITEM(template, i);
        if (!PyTuple_Check(entry) || PyTuple_GET_SIZE(entry) != 5) {
            PyErr_SetString(PyExc_TypeError, "an attribute template entry must be a 5-tuple");
            Py_DECREF(attributes);
            return NULL;
        }
        PyObject *value = PyTuple_GET_ITEM(entry, 1);
        PyObject *attribute = attribute_type->tp_alloc(attribute_type, 5);
        if (attribute == NULL) {
            Py_DECREF(attributes);
            return NULL;
        }
        for (Py_ssize_t field = 0; field < 5; field++) {
            PyObject *item = PyTuple_GET_ITEM(entry, field);
            if (value != Py_None && (field == 2 || field == 3)) {
                Py_ssize_t offset = PyLong_AsSsize_t(item);
                if (offset == -1 && PyErr_Occurred()) {
                    Py_DECREF(attribute);
                    Py_DECREF(attributes);
                    return NULL;
                }
                item = PyLong_FromSsize_t(offset + start);
                if (item == NULL) {
                    Py_DECREF(attribute);
                    Py_DECREF(attributes);
                    return NULL;
                }
            } else {
                Py_INCREF(item);
            }
            PyTuple_SET_ITEM(attribute, field, item);
        }
        PyTuple_SET_ITEM(attributes, i, attribute);
    }
    return attributes;
}

/* Where the simple start tag at `start` ends (after its `>`), with the end of its name and of
 * its attributes; -1 where the expression's first choice fails (the Python code decides). */
static Py_ssize_t simple_start_tag(int kind, const void *data, Py_ssize_t length,
                                   Py_ssize_t start, Py_ssize_t *name_end,
                                   Py_ssize_t *attributes_end) {
    Py_ssize_t at = start + 2; /* `<` and a letter */
    while (at < length && is_tag_name_char(PyUnicode_READ(kind, data, at))) {
        at++;
    }
    *name_end = at;
    for (;;) { /* (?:[\t\n\f\r ]+ name (?:= value)?)* */
        Py_ssize_t next = at;
        while (next < length && is_space(PyUnicode_READ(kind, data, next))) {
            next++;
        }
        if (next == at || next >= length ||
            !is_attribute_name_char(PyUnicode_READ(kind, data, next))) {
            break; /* no further attribute: the loop ends where it was */
        }
        next++;
        while (next < length && is_attribute_name_char(PyUnicode_READ(kind, data, next))) {
            next++;
        }
        if (next < length && PyUnicode_READ(kind, data, next) == '=') {
            next++;
            if (next >= length) {
                return -1;
            }
            Py_UCS4 c = PyUnicode_READ(kind, data, next);
            if (c == '"' || c == '\'') {
                Py_ssize_t close = next + 1;
                while (close < length && PyUnicode_READ(kind, data, close) != c) {
                    close++;
                }
                if (close >= length) {
                    return -1;
                }
                next = close + 1;
            } else if (is_unquoted_char(c)) {
                while (next < length && is_unquoted_char(PyUnicode_READ(kind, data, next))) {
                    next++;
                }
            } else {
                return -1; /* `=` without a value of the simple shapes */
            }
        }
        at = next;
    }
    *attributes_end = at;
    while (at < length && is_space(PyUnicode_READ(kind, data, at))) { /* [\t\n\f\r ]*\/?> */
        at++;
    }
    if (at < length && PyUnicode_READ(kind, data, at) == '/') {
        at++;
    }
    if (at < length && PyUnicode_READ(kind, data, at) == '>') {
        return at + 1;
    }
    return -1;
}

static inline int starts_markup(int kind, const void *data, Py_ssize_t length, Py_ssize_t at) {
    if (PyUnicode_READ(kind, data, at) != '<' || at + 1 >= length) {
        return 0;
    }
    Py_UCS4 after = PyUnicode_READ(kind, data, at + 1);
    return is_ascii_alpha(after) || after == '/' || after == '!' || after == '?';
}

/* [^<]*+(?:<(?![A-Za-z/!?])[^<]*+)*+ : text up to the next markup */
static Py_ssize_t text_end(int kind, const void *data, Py_ssize_t length, Py_ssize_t at) {
    while (at < length && !starts_markup(kind, data, length, at)) {
        at++;
    }
    return at;
}

static int has_ascii(int kind, const void *data, Py_ssize_t length, Py_ssize_t at,
                     const char *expected) {
    for (; *expected; expected++, at++) {
        if (at >= length || PyUnicode_READ(kind, data, at) != (Py_UCS4)*expected) {
            return 0;
        }
    }
    return 1;
}

/* <span(?:[\t\n\f\r ]+[A-Za-z-]+(?:="[^"<>]*"|='[^'<>]*'|=[^\t\n\f\r "'<>=`]+)?)*[\t\n\f\r ]*>
 * at `at`: where it ends, or -1. */
static Py_ssize_t plain_span_start(int kind, const void *data, Py_ssize_t length, Py_ssize_t at) {
    if (!has_ascii(kind, data, length, at, "<span")) {
        return -1;
    }
    at += 5;
    for (;;) {
        Py_ssize_t next = at;
        while (next < length && is_space(PyUnicode_READ(kind, data, next))) {
            next++;
        }
        if (next == at || next >= length) {
            break;
        }
        Py_UCS4 c = PyUnicode_READ(kind, data, next);
        if (!is_ascii_alpha(c) && c != '-') {
            break;
        }
        while (next < length &&
               (is_ascii_alpha(c = PyUnicode_READ(kind, data, next)) || c == '-')) {
            next++;
        }
        if (next < length && PyUnicode_READ(kind, data, next) == '=') {
            next++;
            if (next >= length) {
                return -1;
            }
            Py_UCS4 quote = PyUnicode_READ(kind, data, next);
            if (quote == '"' || quote == '\'') {
                next++;
                while (next < length && (c = PyUnicode_READ(kind, data, next)) != quote) {
                    if (c == '<' || c == '>') {
                        return -1;
                    }
                    next++;
                }
                if (next >= length) {
                    return -1;
                }
                next++;
            } else if (is_unquoted_char(quote)) {
                while (next < length && is_unquoted_char(PyUnicode_READ(kind, data, next))) {
                    next++;
                }
            } else {
                return -1;
            }
        }
        at = next;
    }
    while (at < length && is_space(PyUnicode_READ(kind, data, at))) {
        at++;
    }
    return at < length && PyUnicode_READ(kind, data, at) == '>' ? at + 1 : -1;
}

/* `_code_body_end`: where the plain content (text and plain spans) of the code element whose
 * start tag ends at `start` ends, right before its end tag; `start` when the content is
 * anything else; -1 when the end tag has a character only a Unicode case fold could match. */
static Py_ssize_t code_body_end(PyObject *name, int kind, const void *data, Py_ssize_t length,
                                Py_ssize_t start) {
    Py_ssize_t at = text_end(kind, data, length, start);
    for (;;) { /* (?:span start, text, </span[\t\n\f\r ]*>, text)*+ */
        Py_ssize_t next = plain_span_start(kind, data, length, at);
        if (next < 0) {
            break;
        }
        next = text_end(kind, data, length, next);
        if (!has_ascii(kind, data, length, next, "</span")) {
            break;
        }
        next += 6;
        while (next < length && is_space(PyUnicode_READ(kind, data, next))) {
            next++;
        }
        if (next >= length || PyUnicode_READ(kind, data, next) != '>') {
            break;
        }
        at = text_end(kind, data, length, next + 1);
    }
    /* </name[\t\n\f\r ]*>, ignoring case */
    Py_ssize_t end_tag = at + 2;
    if (!has_ascii(kind, data, length, at, "</")) {
        return start;
    }
    Py_ssize_t name_length = PyUnicode_GET_LENGTH(name);
    for (Py_ssize_t i = 0; i < name_length; i++, end_tag++) {
        if (end_tag >= length) {
            return start;
        }
        Py_UCS4 c = PyUnicode_READ(kind, data, end_tag);
        if (c >= 128) {
            return -1;
        }
        if (c >= 'A' && c <= 'Z') {
            c += 32;
        }
        if (c != PyUnicode_READ_CHAR(name, i)) {
            return start;
        }
    }
    while (end_tag < length && is_space(PyUnicode_READ(kind, data, end_tag))) {
        end_tag++;
    }
    return end_tag < length && PyUnicode_READ(kind, data, end_tag) == '>' ? at : start;
}

static PyObject *scan(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (token_type == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "_speedups.configure_scan() was not called");
        return NULL;
    }
    if (nargs != 4 || !PyUnicode_Check(args[0]) || !PyList_Check(args[2]) ||
        !PyDict_Check(args[3])) {
        PyErr_SetString(PyExc_TypeError, "scan(text: str, position: int, tokens: list, "
                                         "templates: dict)");
        return NULL;
    }
    PyObject *text = args[0], *tokens = args[2], *templates = args[3];
    Py_ssize_t position = PyLong_AsSsize_t(args[1]);
    if (position == -1 && PyErr_Occurred()) {
        return NULL;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    while (position < length) {
        Py_UCS4 c = PyUnicode_READ(kind, data, position);
        Py_UCS4 next = position + 1 < length ? PyUnicode_READ(kind, data, position + 1) : 0;
        int markup = c == '<' && (is_ascii_alpha(next) || next == '/' || next == '!' || next == '?');
        if (!markup) { /* text, up to the next `<` that starts markup */
            Py_ssize_t end = position + 1;
            while (end < length) {
                if (PyUnicode_READ(kind, data, end) == '<' && end + 1 < length) {
                    Py_UCS4 after = PyUnicode_READ(kind, data, end + 1);
                    if (is_ascii_alpha(after) || after == '/' || after == '!' || after == '?') {
                        break;
                    }
                }
                end++;
            }
            Py_INCREF(empty_string);
            if (append_token(tokens, new_token(kind_text, position, end, empty_string,
                                               PyTuple_New(0), 0)) < 0) {
                return NULL;
            }
            position = end;
            continue;
        }
        if (next == '/') { /* </name[\t\n\f\r ]*> */
            Py_ssize_t at = position + 2;
            if (at >= length || !is_ascii_alpha(PyUnicode_READ(kind, data, at))) {
                break;
            }
            while (at < length && is_tag_name_char(PyUnicode_READ(kind, data, at))) {
                at++;
            }
            Py_ssize_t name_end = at;
            while (at < length && is_space(PyUnicode_READ(kind, data, at))) {
                at++;
            }
            if (at >= length || PyUnicode_READ(kind, data, at) != '>') {
                break;
            }
            PyObject *name = tag_name(text, kind, data, position + 2, name_end);
            if (name == NULL) {
                return NULL;
            }
            if (append_token(tokens, new_token(kind_end, position, at + 1, name, PyTuple_New(0),
                                               0)) < 0) {
                return NULL;
            }
            position = at + 1;
            continue;
        }
        if (!is_ascii_alpha(next)) {
            break; /* <! and <?: comments, doctypes, bogus comments */
        }
        Py_ssize_t name_end, attributes_end;
        Py_ssize_t end = simple_start_tag(kind, data, length, position, &name_end,
                                          &attributes_end);
        if (end < 0) {
            break;
        }
        PyObject *name = tag_name(text, kind, data, position + 1, name_end);
        if (name == NULL) {
            return NULL;
        }
        int stop = PySet_Contains(stop_names, name);
        if (stop != 0) {
            Py_DECREF(name);
            if (stop < 0) {
                return NULL;
            }
            break; /* raw text, escapable raw text or code: read by the Python code */
        }
        PyObject *attributes;
        if (attributes_end > name_end) {
            attributes = tag_attributes(text, templates, name_end, attributes_end);
            if (attributes == NULL) {
                Py_DECREF(name);
                return NULL;
            }
        } else {
            attributes = PyTuple_New(0);
        }
        Py_ssize_t body_end = end;
        int code = PySet_Contains(code_names, name);
        if (code < 0) {
            Py_DECREF(name);
            Py_DECREF(attributes);
            return NULL;
        }
        if (code) {
            body_end = code_body_end(name, kind, data, length, end);
            if (body_end < 0) {
                Py_DECREF(name);
                Py_DECREF(attributes);
                break;
            }
        }
        int self_closing = PyUnicode_READ(kind, data, end - 2) == '/';
        Py_INCREF(name);
        if (append_token(tokens, new_token(kind_start, position, end, name, attributes,
                                           self_closing)) < 0) {
            Py_DECREF(name);
            return NULL;
        }
        if (body_end > end) {
            if (append_token(tokens, new_token(kind_rawtext, end, body_end, name,
                                               PyTuple_New(0), 0)) < 0) {
                return NULL;
            }
            position = body_end;
        } else {
            Py_DECREF(name);
            position = end;
        }
    }
    return PyLong_FromSsize_t(position);
}

static PyObject *configure_scan(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 5 || !PyType_Check(args[0]) || !PyType_Check(args[1]) ||
        !PyFrozenSet_Check(args[3]) || !PyFrozenSet_Check(args[4])) {
        PyErr_SetString(PyExc_TypeError, "configure_scan(Token, Attribute, unescape, "
                                         "stop_names: frozenset, code_names: frozenset)");
        return NULL;
    }
    Py_XSETREF(token_type, (PyTypeObject *)Py_NewRef(args[0]));
    Py_XSETREF(attribute_type, (PyTypeObject *)Py_NewRef(args[1]));
    Py_XSETREF(unescape, Py_NewRef(args[2]));
    Py_XSETREF(stop_names, Py_NewRef(args[3]));
    Py_XSETREF(code_names, Py_NewRef(args[4]));
    Py_RETURN_NONE;
}

/* --- the tree ------------------------------------------------------------------------------
 *
 * `grow_tree(tokens, stack)` is the loop of `_build_tree` over the tokens, on the same
 * `_OpenElements` (its `items` list and `counts` dict): the usual steps here (an end tag that
 * closes the current element, text and other tokens appended, an element opened), the rest by
 * the Python functions it was given (`_close`, `_close_implied`, whether a start tag is
 * ignored, and `_translate_flag` for a tag that may say something about translation).
 */

static PyObject *element_type;  /* segments._Element */
static PyObject *close_element; /* segments._close(stack, token) */
static PyObject *close_implied; /* segments._close_implied(stack, name) */
static PyObject *is_ignored;    /* segments._is_ignored(stack, name) */
static PyObject *translate_flag; /* segments._translate_flag(token) */
static PyObject *maybe_ignored, *implying, *void_elements; /* frozensets of names */
static PyObject *p_closers, *headings, *implied_close; /* frozensets, and name -> frozenset */
static PyObject *inline_elements, *code_phrases;        /* frozensets, for mark_inline */
static PyObject *str_items, *str_counts, *str_translate,
    *str_class, *str_notranslate, *str_svg, *str_math;

/* Where each field of an `_Element` (a slotted dataclass) lives in the object, read off its
 * member descriptors: elements are made and read here without a Python call. */
enum { F_NAME, F_START, F_END, F_CHILDREN, F_INLINE_ONLY, F_TAIL, F_FLAG, FIELDS };
static const char *field_names[FIELDS] = {"name",        "start", "end", "children",
                                          "inline_only", "tail",  "flag"};
static Py_ssize_t field_offsets[FIELDS];

#define FIELD(element, field) (*(PyObject **)((char *)(element) + field_offsets[field]))

/* The element's children list (new reference). */
static PyObject *children_of(PyObject *element) {
    PyObject *children = FIELD(element, F_CHILDREN);
    if (children == NULL || !PyList_Check(children)) {
        PyErr_SetString(PyExc_TypeError, "an element's children must be a list");
        return NULL;
    }
    return Py_NewRef(children);
}

/* _Element(name, token, flag=flag), its other fields at their defaults (new reference). */
static PyObject *new_element(PyObject *name, PyObject *token, PyObject *flag) {
    PyTypeObject *type = (PyTypeObject *)element_type;
    PyObject *children = PyList_New(0);
    if (children == NULL) {
        return NULL;
    }
    PyObject *element = type->tp_alloc(type, 0);
    if (element == NULL) {
        Py_DECREF(children);
        return NULL;
    }
    FIELD(element, F_NAME) = Py_NewRef(name);
    FIELD(element, F_START) = Py_NewRef(token);
    FIELD(element, F_END) = Py_NewRef(Py_None);
    FIELD(element, F_CHILDREN) = children;
    FIELD(element, F_INLINE_ONLY) = Py_NewRef(Py_True);
    FIELD(element, F_TAIL) = Py_NewRef(Py_None);
    FIELD(element, F_FLAG) = Py_NewRef(flag);
    return element;
}

static int append_child(PyObject *element, PyObject *child) {
    PyObject *children = children_of(element);
    if (children == NULL) {
        return -1;
    }
    int failed = PyList_Append(children, child);
    Py_DECREF(children);
    return failed;
}

/* counts[name] += delta (absent = 0) */
static int count(PyObject *counts, PyObject *name, long delta) {
    PyObject *now = PyDict_GetItemWithError(counts, name);
    if (now == NULL && PyErr_Occurred()) {
        return -1;
    }
    long value = now == NULL ? 0 : PyLong_AsLong(now);
    if (value == -1 && PyErr_Occurred()) {
        return -1;
    }
    PyObject *updated = PyLong_FromLong(value + delta);
    if (updated == NULL) {
        return -1;
    }
    int failed = PyDict_SetItem(counts, name, updated);
    Py_DECREF(updated);
    return failed;
}

/* Whether counts[name] is there and not zero: -1 on error. */
static int is_open(PyObject *counts, PyObject *name) {
    PyObject *now = PyDict_GetItemWithError(counts, name);
    if (now == NULL) {
        return PyErr_Occurred() ? -1 : 0;
    }
    return PyObject_IsTrue(now);
}

/* `_translate_flag(token)`, asked of Python only when the tag has a translate attribute or a
 * class that holds "notranslate": every other tag says nothing (new reference). */
static PyObject *flag_of(PyObject *token, PyObject *attributes) {
    Py_ssize_t count_attributes = PyTuple_GET_SIZE(attributes);
    for (Py_ssize_t i = 0; i < count_attributes; i++) {
        PyObject *attribute = PyTuple_GET_ITEM(attributes, i);
        PyObject *name = PyTuple_GET_ITEM(attribute, 0);
        PyObject *value = PyTuple_GET_ITEM(attribute, 1);
        int translate = PyUnicode_Compare(name, str_translate) == 0;
        int says = translate;
        if (!translate && value != Py_None && PyUnicode_Compare(name, str_class) == 0) {
            Py_ssize_t found = PyUnicode_Find(value, str_notranslate, 0, PY_SSIZE_T_MAX, 1);
            if (found == -2) {
                return NULL;
            }
            says = found >= 0;
        }
        if (says) {
            return PyObject_CallOneArg(translate_flag, token);
        }
    }
    Py_RETURN_NONE;
}

/* Whether any of the names (a frozenset) is open: -1 on error. */
static int any_open(PyObject *counts, PyObject *names) {
    PyObject *iterator = PyObject_GetIter(names);
    if (iterator == NULL) {
        return -1;
    }
    int open = 0;
    PyObject *name;
    while (open == 0 && (name = PyIter_Next(iterator)) != NULL) {
        open = is_open(counts, name);
        Py_DECREF(name);
    }
    Py_DECREF(iterator);
    return open == 0 && PyErr_Occurred() ? -1 : open;
}

/* Whether `_close_implied(stack, name)` would close anything (its three tests, in C): most
 * start tags that may imply an end close nothing, and need no Python call. -1 on error. */
static int implies_a_close(PyObject *items, PyObject *counts, PyObject *name) {
    static PyObject *p_name;
    if (p_name == NULL && (p_name = PyUnicode_InternFromString("p")) == NULL) {
        return -1;
    }
    int closes_p = PySet_Contains(p_closers, name);
    if (closes_p != 0) {
        int open = closes_p < 0 ? -1 : is_open(counts, p_name);
        if (open != 0) {
            return open;
        }
    }
    int heading = PySet_Contains(headings, name);
    if (heading != 0) {
        PyObject *top = PyList_GET_ITEM(items, PyList_GET_SIZE(items) - 1);
        int top_heading = heading < 0 ? -1 : PySet_Contains(headings, FIELD(top, F_NAME));
        if (top_heading != 0) {
            return top_heading;
        }
    }
    PyObject *closes = PyDict_GetItemWithError(implied_close, name);
    if (closes == NULL) {
        return PyErr_Occurred() ? -1 : 0;
    }
    if (!PyFrozenSet_Check(closes)) {
        PyErr_SetString(PyExc_TypeError, "implied closes must be frozensets");
        return -1;
    }
    return any_open(counts, closes);
}

static int open_element(PyObject *stack, PyObject *items, PyObject *counts, PyObject *token) {
    PyObject *name = PyTuple_GET_ITEM(token, 3);
    PyObject *attributes = PyTuple_GET_ITEM(token, 4);
    PyObject *top = PyList_GET_ITEM(items, PyList_GET_SIZE(items) - 1);
    int ignorable = PySet_Contains(maybe_ignored, name);
    if (ignorable < 0) {
        return -1;
    }
    if (ignorable) {
        PyObject *ignored = PyObject_CallFunctionObjArgs(is_ignored, stack, name, NULL);
        if (ignored == NULL) {
            return -1;
        }
        int yes = PyObject_IsTrue(ignored);
        Py_DECREF(ignored);
        if (yes) {
            return yes < 0 ? -1 : append_child(top, token); /* kept as markup only */
        }
    }
    int svg = is_open(counts, str_svg), math = is_open(counts, str_math);
    if (svg < 0 || math < 0) {
        return -1;
    }
    int foreign = svg || math;
    if (!foreign) {
        int implies = PySet_Contains(implying, name);
        if (implies > 0) {
            implies = implies_a_close(items, counts, name);
        }
        if (implies < 0) {
            return -1;
        }
        if (implies) {
            PyObject *done = PyObject_CallFunctionObjArgs(close_implied, stack, name, NULL);
            if (done == NULL) {
                return -1;
            }
            Py_DECREF(done);
            top = PyList_GET_ITEM(items, PyList_GET_SIZE(items) - 1);
        }
    }
    PyObject *flag = PyTuple_GET_SIZE(attributes) ? flag_of(token, attributes) : Py_NewRef(Py_None);
    if (flag == NULL) {
        return -1;
    }
    PyObject *element = new_element(name, token, flag);
    Py_DECREF(flag);
    if (element == NULL) {
        return -1;
    }
    if (append_child(top, element) < 0) {
        Py_DECREF(element);
        return -1;
    }
    int void_element = PySet_Contains(void_elements, name);
    if (void_element < 0) {
        Py_DECREF(element);
        return -1;
    }
    if (void_element || (foreign && PyTuple_GET_ITEM(token, 5) == Py_True)) {
        Py_DECREF(element);
        return 0;
    }
    int failed = PyList_Append(items, element) < 0 || count(counts, name, 1) < 0;
    Py_DECREF(element);
    return failed ? -1 : 0;
}

static int close_current(PyObject *stack, PyObject *items, PyObject *counts, PyObject *token) {
    PyObject *top = PyList_GET_ITEM(items, PyList_GET_SIZE(items) - 1);
    PyObject *name = PyTuple_GET_ITEM(token, 3);
    PyObject *top_name = FIELD(top, F_NAME);
    if (top_name == NULL || !PyUnicode_Check(top_name)) {
        PyErr_SetString(PyExc_TypeError, "an element's name must be a str");
        return -1;
    }
    int same = PyUnicode_Compare(top_name, name) == 0;
    if (!same) { /* it closes something further down, or nothing */
        PyObject *done = PyObject_CallFunctionObjArgs(close_element, stack, token, NULL);
        Py_XDECREF(done);
        return done == NULL ? -1 : 0;
    }
    Py_INCREF(top);
    Py_XSETREF(FIELD(top, F_END), Py_NewRef(token));
    int failed = PyList_SetSlice(items, PyList_GET_SIZE(items) - 1, PY_SSIZE_T_MAX, NULL) < 0 ||
                 count(counts, name, -1) < 0;
    Py_DECREF(top);
    return failed ? -1 : 0;
}

static PyObject *grow_tree(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (element_type == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "_speedups.configure_tree() was not called");
        return NULL;
    }
    if (nargs != 2 || !PyList_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "grow_tree(tokens: list, stack: _OpenElements)");
        return NULL;
    }
    PyObject *tokens = args[0], *stack = args[1];
    PyObject *items = PyObject_GetAttr(stack, str_items);
    PyObject *counts = PyObject_GetAttr(stack, str_counts);
    if (items == NULL || counts == NULL || !PyList_Check(items) || !PyDict_Check(counts)) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_TypeError, "the stack's items must be a list, counts a dict");
        }
        goto failed;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(tokens); i++) {
        PyObject *token = PyList_GET_ITEM(tokens, i);
        if (!PyTuple_Check(token) || PyTuple_GET_SIZE(token) != 6 || PyList_GET_SIZE(items) < 1) {
            PyErr_SetString(PyExc_TypeError, "a token must be a Token; the stack must hold the root");
            goto failed;
        }
        Py_INCREF(token);
        PyObject *kind = PyTuple_GET_ITEM(token, 0);
        int failed_step;
        if (PyUnicode_Compare(kind, kind_start) == 0) {
            failed_step = open_element(stack, items, counts, token);
        } else if (PyUnicode_Compare(kind, kind_end) == 0) {
            failed_step = close_current(stack, items, counts, token);
        } else {
            failed_step = append_child(PyList_GET_ITEM(items, PyList_GET_SIZE(items) - 1), token);
        }
        Py_DECREF(token);
        if (failed_step < 0) {
            goto failed;
        }
    }
    Py_DECREF(items);
    Py_DECREF(counts);
    Py_RETURN_NONE;
failed:
    Py_XDECREF(items);
    Py_XDECREF(counts);
    return NULL;
}

/* `_mark_inline(element)`: each element's `inline_only` and `tail`, children before parents,
 * without recursion (a page may nest thousands deep). */
static PyObject *mark_inline(PyObject *module, PyObject *element) {
    if (element_type == NULL || inline_elements == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "_speedups.configure_tree() was not called");
        return NULL;
    }
    if (Py_TYPE(element) != (PyTypeObject *)element_type) {
        PyErr_SetString(PyExc_TypeError, "mark_inline(element: _Element)");
        return NULL;
    }
    Py_ssize_t capacity = 256, size = 0;
    PyObject **order = PyMem_Malloc(capacity * sizeof(PyObject *)); /* borrowed: the tree holds them */
    if (order == NULL) {
        return PyErr_NoMemory();
    }
    order[size++] = element;
    for (Py_ssize_t next = 0; next < size; next++) { /* every node after its parent */
        PyObject *children = FIELD(order[next], F_CHILDREN);
        if (children == NULL || !PyList_Check(children)) {
            PyErr_SetString(PyExc_TypeError, "an element's children must be a list");
            goto failed;
        }
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(children); i++) {
            PyObject *child = PyList_GET_ITEM(children, i);
            if (Py_TYPE(child) != (PyTypeObject *)element_type) {
                continue;
            }
            if (size == capacity) {
                capacity *= 2;
                PyObject **grown = PyMem_Realloc(order, capacity * sizeof(PyObject *));
                if (grown == NULL) {
                    PyErr_NoMemory();
                    goto failed;
                }
                order = grown;
            }
            order[size++] = child;
        }
    }
    for (Py_ssize_t index = size - 1; index >= 0; index--) {
        PyObject *node = order[index];
        PyObject *name = FIELD(node, F_NAME);
        PyObject *children = FIELD(node, F_CHILDREN);
        int inline_only = PySet_Contains(inline_elements, name);
        if (inline_only == 0 && FIELD(node, F_END) == Py_None) {
            inline_only = PySet_Contains(code_phrases, name); /* unclosed code */
        }
        if (inline_only < 0) {
            goto failed;
        }
        Py_ssize_t count_children = PyList_GET_SIZE(children);
        for (Py_ssize_t i = 0; inline_only && i < count_children; i++) {
            PyObject *child = PyList_GET_ITEM(children, i);
            if (Py_TYPE(child) == (PyTypeObject *)element_type &&
                FIELD(child, F_INLINE_ONLY) != Py_True) {
                inline_only = 0;
            }
        }
        Py_XSETREF(FIELD(node, F_INLINE_ONLY), Py_NewRef(inline_only ? Py_True : Py_False));
        PyObject *tail = Py_None; /* the element itself: its end tag, or no content */
        if (FIELD(node, F_END) == Py_None && count_children) {
            PyObject *last = PyList_GET_ITEM(children, count_children - 1);
            tail = last;
            if (Py_TYPE(last) == (PyTypeObject *)element_type && FIELD(last, F_TAIL) != Py_None) {
                tail = FIELD(last, F_TAIL);
            }
        }
        Py_XSETREF(FIELD(node, F_TAIL), Py_NewRef(tail));
    }
    PyMem_Free(order);
    return Py_NewRef(FIELD(element, F_INLINE_ONLY));
failed:
    PyMem_Free(order);
    return NULL;
}

static PyObject *configure_tree(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 13 || !PyFrozenSet_Check(args[5]) || !PyFrozenSet_Check(args[6]) ||
        !PyFrozenSet_Check(args[7]) || !PyFrozenSet_Check(args[8]) ||
        !PyFrozenSet_Check(args[9]) || !PyDict_Check(args[10]) ||
        !PyFrozenSet_Check(args[11]) || !PyFrozenSet_Check(args[12])) {
        PyErr_SetString(PyExc_TypeError,
                        "configure_tree(_Element, _close, _close_implied, _is_ignored, "
                        "_translate_flag, maybe_ignored, implying, void, p_closers, headings: "
                        "frozenset, implied_close: dict, inline_elements, code_phrases: frozenset)");
        return NULL;
    }
    if (!PyType_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "configure_tree: _Element must be a type");
        return NULL;
    }
    for (int field = 0; field < FIELDS; field++) { /* each a slot: a member descriptor */
        PyObject *descriptor = PyDict_GetItemString(((PyTypeObject *)args[0])->tp_dict,
                                                    field_names[field]);
        if (descriptor == NULL || !Py_IS_TYPE(descriptor, &PyMemberDescr_Type) ||
            ((PyMemberDescrObject *)descriptor)->d_member->type != T_OBJECT_EX) {
            PyErr_Format(PyExc_TypeError, "configure_tree: _Element.%s must be a slot",
                         field_names[field]);
            return NULL;
        }
        field_offsets[field] = ((PyMemberDescrObject *)descriptor)->d_member->offset;
    }
    Py_XSETREF(element_type, Py_NewRef(args[0]));
    Py_XSETREF(close_element, Py_NewRef(args[1]));
    Py_XSETREF(close_implied, Py_NewRef(args[2]));
    Py_XSETREF(is_ignored, Py_NewRef(args[3]));
    Py_XSETREF(translate_flag, Py_NewRef(args[4]));
    Py_XSETREF(maybe_ignored, Py_NewRef(args[5]));
    Py_XSETREF(implying, Py_NewRef(args[6]));
    Py_XSETREF(void_elements, Py_NewRef(args[7]));
    Py_XSETREF(p_closers, Py_NewRef(args[8]));
    Py_XSETREF(headings, Py_NewRef(args[9]));
    Py_XSETREF(implied_close, Py_NewRef(args[10]));
    Py_XSETREF(inline_elements, Py_NewRef(args[11]));
    Py_XSETREF(code_phrases, Py_NewRef(args[12]));
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"scan", (PyCFunction)(void (*)(void))scan, METH_FASTCALL,
     "Append the tokens of the simple shapes from `position`; return where it stopped."},
    {"configure_scan", (PyCFunction)(void (*)(void))configure_scan, METH_FASTCALL,
     "Give the token types, html.unescape and the names of raw-text and code elements."},
    {"grow_tree", (PyCFunction)(void (*)(void))grow_tree, METH_FASTCALL,
     "Add the tokens to the tree whose open elements are `stack`."},
    {"mark_inline", (PyCFunction)mark_inline, METH_O,
     "Set each element's inline_only and tail; return the element's inline_only."},
    {"configure_tree", (PyCFunction)(void (*)(void))configure_tree, METH_FASTCALL,
     "Give the element type, the Python steps for the rare cases and the names they need."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_definition = {
    PyModuleDef_HEAD_INIT, "_speedups", "The hot loops of pipeline.html.tokenize and pipeline.segments._build_tree, in C.",
    -1, methods,
};

PyMODINIT_FUNC PyInit__speedups(void) {
    names = PyDict_New();
    kind_text = PyUnicode_InternFromString("text");
    kind_start = PyUnicode_InternFromString("start");
    kind_end = PyUnicode_InternFromString("end");
    kind_rawtext = PyUnicode_InternFromString("rawtext");
    empty_string = PyUnicode_InternFromString("");
    str_items = PyUnicode_InternFromString("items");
    str_counts = PyUnicode_InternFromString("counts");
    str_translate = PyUnicode_InternFromString("translate");
    str_class = PyUnicode_InternFromString("class");
    str_notranslate = PyUnicode_InternFromString("notranslate");
    str_svg = PyUnicode_InternFromString("svg");
    str_math = PyUnicode_InternFromString("math");
    if (str_items == NULL ||
        str_counts == NULL || str_translate == NULL || str_class == NULL ||
        str_notranslate == NULL || str_svg == NULL || str_math == NULL) {
        return NULL;
    }
    if (names == NULL || kind_text == NULL || kind_start == NULL || kind_end == NULL || kind_rawtext == NULL ||
        empty_string == NULL) {
        return NULL;
    }
    return PyModule_Create(&module_definition);
}
