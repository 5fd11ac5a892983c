/* The hot loops of the pipeline, in C: tokenizing, the tree, segmenting, catalog lines and
 * reading, the page cache and splicing translations in (each part says what it follows).
 *
 * The first part, the hot loops of `pipeline.html.tokenize` and `segments._build_tree`.
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
#include <sys/stat.h>     /* lstat, for file_signatures */

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

/* The end of the last token made, which is most often where the next one starts: one int
 * object serves both (a page's tokens are a million small objects, each one allocated and
 * freed again). */
static PyObject *last_end;

/* A token: the named tuple made the way `tuple.__new__(Token, …)` makes it. Steals the refs. */
static PyObject *new_token(PyObject *kind, Py_ssize_t start, Py_ssize_t end, PyObject *name,
                           PyObject *attributes, int self_closing) {
    PyObject *token = token_type->tp_alloc(token_type, 6);
    PyObject *start_object = last_end != NULL && PyLong_AsSsize_t(last_end) == start
                                 ? Py_NewRef(last_end)
                                 : PyLong_FromSsize_t(start);
    PyObject *end_object = PyLong_FromSsize_t(end);
    if (end_object != NULL) {
        Py_XSETREF(last_end, Py_NewRef(end_object));
    }
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

/* The names last shared, by a hash of their letters: a page names a few dozen elements and
 * attributes over and over, and a hit costs no string, no hash and no look-up in `names`. */
static PyObject *recent_names[256];

/* The lower-case name of text[start:end], one object per distinct name (new reference). */
static PyObject *tag_name(PyObject *text, int kind, const void *data, Py_ssize_t start,
                          Py_ssize_t end) {
    char buffer[64];
    Py_ssize_t length = end - start;
    PyObject *lowered;
    int ascii = length <= (Py_ssize_t)sizeof(buffer);
    unsigned int slot = (unsigned int)length;
    for (Py_ssize_t i = 0; ascii && i < length; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, start + i);
        if (c >= 128) {
            ascii = 0;
        } else {
            buffer[i] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
            slot = slot * 31 + (unsigned char)buffer[i];
        }
    }
    PyObject **recent = &recent_names[slot & 255];
    if (ascii && *recent != NULL && PyUnicode_GET_LENGTH(*recent) == length &&
        memcmp(PyUnicode_1BYTE_DATA(*recent), buffer, (size_t)length) == 0) {
        return Py_NewRef(*recent);
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
    if (ascii && shared != NULL) {
        Py_XSETREF(*recent, Py_NewRef(shared));
    }
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
/* An attribute value of the simple shapes at `at` (right after its `=`): "…", '…' or an
 * unquoted run of `is_unquoted_char`. Returns where it ends, or -1 for no such value. `plain`
 * (a plain span's value) also refuses `<` and `>` inside the quotes. */
static Py_ssize_t value_end(int kind, const void *data, Py_ssize_t length, Py_ssize_t at,
                            int plain) {
    if (at >= length) {
        return -1;
    }
    Py_UCS4 quote = PyUnicode_READ(kind, data, at);
    if (quote == '"' || quote == '\'') {
        Py_UCS4 c;
        for (at++; at < length && (c = PyUnicode_READ(kind, data, at)) != quote; at++) {
            if (plain && (c == '<' || c == '>')) {
                return -1;
            }
        }
        return at < length ? at + 1 : -1;
    }
    if (!is_unquoted_char(quote)) {
        return -1;
    }
    while (at < length && is_unquoted_char(PyUnicode_READ(kind, data, at))) {
        at++;
    }
    return at;
}

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
        if (next < length && PyUnicode_READ(kind, data, next) == '=' &&
            (next = value_end(kind, data, length, next + 1, 0)) < 0) {
            return -1; /* `=` without a value of the simple shapes */
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
        if (next < length && PyUnicode_READ(kind, data, next) == '=' &&
            (next = value_end(kind, data, length, next + 1, 1)) < 0) {
            return -1;
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
 * the Python functions it was given (`_close`, whether a start tag is ignored, and
 * `_translate_flag` for a tag with a translate attribute). `_close_implied` (the elements a
 * start tag closes) and `_translate_flag`'s reading of classes are done here too.
 */

static PyObject *element_type;  /* segments._Element */
static PyObject *close_element; /* segments._close(stack, token) */
static PyObject *implied_stop, *scope_boundaries; /* name -> frozenset, and a frozenset */
static PyObject *p_only, *no_names;                /* frozenset({"p"}), frozenset() */
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

/* Whether "notranslate" is one of the white-space separated words of `classes`
 * (`"notranslate" in classes.split()`): 1, 0, or -1 on error. */
static int has_notranslate(PyObject *classes) {
    Py_ssize_t length = PyUnicode_GET_LENGTH(classes);
    Py_ssize_t word = PyUnicode_GET_LENGTH(str_notranslate);
    int kind = PyUnicode_KIND(classes);
    const void *data = PyUnicode_DATA(classes);
    for (Py_ssize_t at = 0; at + word <= length;) {
        Py_ssize_t found = PyUnicode_Find(classes, str_notranslate, at, length, 1);
        if (found < 0) {
            return found == -2 ? -1 : 0;
        }
        int starts = found == 0 || Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, found - 1));
        int ends = found + word == length ||
                   Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, found + word));
        if (starts && ends) {
            return 1;
        }
        at = found + 1;
    }
    return 0;
}

/* `_translate_flag(token)`: asked of Python when the tag has a translate attribute; otherwise
 * False for a tag whose last class attribute holds the word "notranslate", None for the rest
 * (new reference). */
static PyObject *flag_of(PyObject *token, PyObject *attributes) {
    Py_ssize_t count_attributes = PyTuple_GET_SIZE(attributes);
    PyObject *classes = NULL;
    for (Py_ssize_t i = 0; i < count_attributes; i++) {
        PyObject *attribute = PyTuple_GET_ITEM(attributes, i);
        PyObject *name = PyTuple_GET_ITEM(attribute, 0);
        if (PyUnicode_Compare(name, str_translate) == 0) {
            return PyObject_CallOneArg(translate_flag, token);
        }
        if (PyUnicode_Compare(name, str_class) == 0) {
            classes = PyTuple_GET_ITEM(attribute, 1);
        }
    }
    if (classes != NULL && PyUnicode_Check(classes)) {
        int found = has_notranslate(classes);
        if (found != 0) {
            return found < 0 ? NULL : Py_NewRef(Py_False);
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

/* `_OpenElements.truncate(index)`: close the element at `index` and every one above it. */
static int truncate_open(PyObject *items, PyObject *counts, Py_ssize_t index) {
    for (Py_ssize_t i = index; i < PyList_GET_SIZE(items); i++) {
        if (count(counts, FIELD(PyList_GET_ITEM(items, i), F_NAME), -1) < 0) {
            return -1;
        }
    }
    return PyList_SetSlice(items, index, PY_SSIZE_T_MAX, NULL);
}

/* `_pop_through(stack, names, stop)`: close the nearest open element named in `names`, unless
 * a scope boundary or a name in `stop` comes first. */
static int pop_through(PyObject *items, PyObject *counts, PyObject *names, PyObject *stop) {
    int open = any_open(counts, names);
    if (open <= 0) {
        return open;
    }
    for (Py_ssize_t index = PyList_GET_SIZE(items) - 1; index > 0; index--) {
        PyObject *name = FIELD(PyList_GET_ITEM(items, index), F_NAME);
        int named = PySet_Contains(names, name);
        if (named != 0) {
            return named < 0 ? -1 : truncate_open(items, counts, index);
        }
        int boundary = PySet_Contains(scope_boundaries, name);
        int stops = boundary == 0 ? PySet_Contains(stop, name) : boundary;
        if (stops != 0) {
            return stops < 0 ? -1 : 0;
        }
    }
    return 0;
}

/* `_close_implied(stack, name)`: the elements a start tag closes by being there. */
static int close_implied(PyObject *items, PyObject *counts, PyObject *name) {
    int closes_p = PySet_Contains(p_closers, name);
    int p_open = closes_p > 0 ? any_open(counts, p_only) : closes_p;
    if (p_open < 0 || (p_open && pop_through(items, counts, p_only, no_names) < 0)) {
        return -1;
    }
    int heading = PySet_Contains(headings, name);
    if (heading > 0) { /* a heading closes the current node when that is a heading */
        PyObject *top = PyList_GET_ITEM(items, PyList_GET_SIZE(items) - 1);
        heading = PySet_Contains(headings, FIELD(top, F_NAME));
        if (heading > 0 && truncate_open(items, counts, PyList_GET_SIZE(items) - 1) < 0) {
            return -1;
        }
    }
    if (heading < 0) {
        return -1;
    }
    PyObject *closes = PyDict_GetItemWithError(implied_close, name);
    if (closes == NULL) {
        return PyErr_Occurred() ? -1 : 0;
    }
    PyObject *stop = PyDict_GetItemWithError(implied_stop, name);
    if (stop == NULL && PyErr_Occurred()) {
        return -1;
    }
    if (!PyFrozenSet_Check(closes) || (stop != NULL && !PyFrozenSet_Check(stop))) {
        PyErr_SetString(PyExc_TypeError, "implied closes and stops must be frozensets");
        return -1;
    }
    return pop_through(items, counts, closes, stop == NULL ? no_names : stop);
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
            if (close_implied(items, counts, name) < 0) {
                return -1;
            }
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

/* Room for one more item in a growable array of `item_size` items: the array, grown when
 * full (the old one is freed), or NULL with MemoryError (the old one is kept). */
static void *with_room(void *items, Py_ssize_t size, Py_ssize_t *capacity, size_t item_size) {
    if (size < *capacity) {
        return items;
    }
    Py_ssize_t grown_capacity = *capacity ? *capacity * 2 : 64;
    void *grown = PyMem_Realloc(items, grown_capacity * item_size);
    if (grown == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    *capacity = grown_capacity;
    return grown;
}

/* A growable stack of borrowed nodes (the tree holds them). */
typedef struct {
    PyObject **items;
    Py_ssize_t size, capacity;
} Nodes;

static int push_node(Nodes *stack, PyObject *node) {
    PyObject **items = with_room(stack->items, stack->size, &stack->capacity, sizeof(PyObject *));
    if (items == NULL) {
        return -1;
    }
    stack->items = items;
    stack->items[stack->size++] = node;
    return 0;
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
    Nodes order = {NULL, 0, 0};
    if (push_node(&order, element) < 0) {
        return NULL;
    }
    for (Py_ssize_t next = 0; next < order.size; next++) { /* every node after its parent */
        PyObject *children = FIELD(order.items[next], F_CHILDREN);
        if (children == NULL || !PyList_Check(children)) {
            PyErr_SetString(PyExc_TypeError, "an element's children must be a list");
            goto failed;
        }
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(children); i++) {
            PyObject *child = PyList_GET_ITEM(children, i);
            if (Py_TYPE(child) == (PyTypeObject *)element_type && push_node(&order, child) < 0) {
                goto failed;
            }
        }
    }
    for (Py_ssize_t index = order.size - 1; index >= 0; index--) {
        PyObject *node = order.items[index];
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
    PyMem_Free(order.items);
    return Py_NewRef(FIELD(element, F_INLINE_ONLY));
failed:
    PyMem_Free(order.items);
    return NULL;
}

/* The segmenter's walk.
 *
 * `walk(segmenter, root)` is `_Segmenter.container(root, True, None)`: the same steps on the
 * same stack discipline (blocks, inline runs, a title's text), so segments, dates and
 * switchers come out in the same order. It renders each run's text and placeholders here and
 * hands them to `segmenter.text_segment`; it asks the segmenter's Python methods for the rest,
 * and only where they can do something: `_note_landmarks` for html, head, time and switcher
 * elements, `_context` for an element with a context attribute, `attributes` for a tag with an
 * attribute that may be translated, `rcdata` for a title. A step list replaces recursion, as
 * in the Python code, so any depth of nesting works.
 */

static PyObject *placeholder_type; /* segments.Placeholder */
static PyObject *taken_numbers;    /* segments._taken_numbers(text, start, end) */
static PyObject *opaque_elements, *inline_void_elements, *inline_opaque_elements,
    *edge_elements, *maybe_translatable; /* frozensets of names */
static PyObject *switcher_attribute, *context_attribute;
static PyObject *str_time, *str_datetime, *str_title, *str_html, *str_head, *str_comment, *str_other,
    *str_hash_comment, *str_hash_end, *str_hash_other, *str_void, *str_pair;

enum { P_NUMBER, P_KIND, P_ELEMENT, P_OPEN_START, P_OPEN_END, P_CLOSE_START, P_CLOSE_END,
       P_FIELDS };
static const char *placeholder_fields[P_FIELDS] = {"number",   "kind",        "element",
                                                   "open_start", "open_end", "close_start",
                                                   "close_end"};
static Py_ssize_t placeholder_offsets[P_FIELDS];

#define IS_ELEMENT(node) (Py_TYPE(node) == (PyTypeObject *)element_type)
#define TOKEN_KIND(token) PyTuple_GET_ITEM(token, 0)
#define TOKEN_ATTRIBUTES(token) PyTuple_GET_ITEM(token, 4)

static inline int same(PyObject *a, PyObject *b) {
    return a == b || PyUnicode_Compare(a, b) == 0;
}

static inline Py_ssize_t token_start(PyObject *token) {
    return PyLong_AsSsize_t(PyTuple_GET_ITEM(token, 1));
}

static inline Py_ssize_t token_end(PyObject *token) {
    return PyLong_AsSsize_t(PyTuple_GET_ITEM(token, 2));
}

typedef struct {
    PyObject *text;
    int kind;
    const void *data;
    Py_ssize_t length;
    /* the segmenter's methods, its segments list and its page's line starts (owned) */
    PyObject *note_landmarks, *context_of, *attributes, *rcdata, *segments, *line_starts;
} Walker;

/* Segments as `_Segmenter.text_segment` makes them (see `add_text_segment`). */
enum { S_KIND, S_START, S_END, S_LINE, S_MSGID, S_MSGCTXT, S_COMMENTS, S_PLACEHOLDERS, S_QUOTE,
       S_FIELDS };
static const char *segment_fields[S_FIELDS] = {"kind",  "start",   "end",      "line",
                                               "msgid", "msgctxt", "comments", "placeholders",
                                               "quote"};
static Py_ssize_t segment_offsets[S_FIELDS];
static PyObject *segment_type;
static PyObject *legend_of; /* segments._legend(number, kind, element) */
static PyObject *role_of;   /* segments._Segmenter._role(element) */
static PyObject *roles;     /* dict: element name -> its role, as role_of said */
static PyObject *str_href;
static PyObject *str_arrow, *str_comma_space, *str_placeholders_prefix, *str_meta, *str_input,
    *kind_attribute;
/* `TRANSLATABLE_ATTRIBUTES["*"]`, the rest of it by element, `NO_TITLE_ELEMENTS`, and the
 * roles made so far ((element, attribute) -> "<element attribute>") */
static PyObject *translatable_anywhere, *translatable_by_element, *no_title_elements,
    *attribute_roles;
static PyObject *empty_tuple;
static Py_ssize_t line_of(PyObject *line_starts, Py_ssize_t offset);

#define SLOT(object, offsets, field) (*(PyObject **)((char *)(object) + (offsets)[field]))

/* A new object of a slotted type, its `count` fields `values` (borrowed). */
static PyObject *filled(PyObject *type, Py_ssize_t *offsets, PyObject *const *values,
                        int count) {
    PyTypeObject *t = (PyTypeObject *)type;
    PyObject *object = t->tp_alloc(t, 0);
    for (int field = 0; object != NULL && field < count; field++) {
        SLOT(object, offsets, field) = Py_NewRef(values[field]);
    }
    return object;
}

/* The attribute named `name` of a start tag (borrowed), or NULL. */
static PyObject *find_attribute(PyObject *token, PyObject *name) {
    PyObject *attributes = TOKEN_ATTRIBUTES(token);
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(attributes); i++) {
        PyObject *attribute = PyTuple_GET_ITEM(attributes, i);
        if (same(PyTuple_GET_ITEM(attribute, 0), name)) {
            return attribute;
        }
    }
    return NULL;
}

/* Call a method with one or two arguments and drop its result: 0, or -1 on error. */
static int call_method(PyObject *method, PyObject *first, PyObject *second) {
    PyObject *args[2] = {first, second};
    PyObject *result = PyObject_Vectorcall(method, args, second == NULL ? 1 : 2, NULL);
    if (result == NULL) {
        return -1;
    }
    Py_DECREF(result);
    return 0;
}

/* `_note_landmarks(element)`, for the elements it does something with. */
static int note_landmarks(Walker *w, PyObject *element) {
    PyObject *start = FIELD(element, F_START);
    if (start == Py_None) {
        return 0;
    }
    PyObject *name = FIELD(element, F_NAME);
    int noted = same(name, str_html) || same(name, str_head);
    if (!noted && PyTuple_GET_SIZE(TOKEN_ATTRIBUTES(start))) {
        noted = same(name, str_time) || find_attribute(start, switcher_attribute) != NULL;
    }
    return noted ? call_method(w->note_landmarks, element, NULL) : 0;
}

/* `_context(element, inherited)` (new reference). */
static PyObject *context_of(Walker *w, PyObject *element, PyObject *inherited) {
    PyObject *start = FIELD(element, F_START);
    if (start == Py_None || find_attribute(start, context_attribute) == NULL) {
        return Py_NewRef(inherited);
    }
    PyObject *args[2] = {element, inherited};
    return PyObject_Vectorcall(w->context_of, args, 2, NULL);
}

/* `attributes(element, context)`, for a tag with an attribute that may be translated. */
static int attribute_segment(Walker *w, PyObject *token, PyObject *attribute,
                             PyObject *context);

/* `_Segmenter.attributes(element, context)`: the segments of its translatable attributes.
 * Those of `<meta>` and `<input>` (a name or a type decides) are the Python method's. */
static int note_attributes(Walker *w, PyObject *element, PyObject *context) {
    PyObject *token = FIELD(element, F_START);
    PyObject *attributes = TOKEN_ATTRIBUTES(token);
    PyObject *name = PyTuple_GET_ITEM(token, 3);
    int special = same(name, str_meta) || same(name, str_input);
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(attributes); i++) {
        PyObject *attribute = PyTuple_GET_ITEM(attributes, i);
        int maybe = PySet_Contains(maybe_translatable, PyTuple_GET_ITEM(attribute, 0));
        if (maybe < 0) {
            return -1;
        }
        if (maybe && special) {
            return call_method(w->attributes, element, context);
        }
        if (maybe && attribute_segment(w, token, attribute, context) < 0) {
            return -1;
        }
    }
    return 0;
}

/* `_is_opaque(element)`: 1, 0, or -1 on error. */
static int is_opaque(PyObject *element) {
    if (FIELD(element, F_FLAG) == Py_False) {
        return 1;
    }
    PyObject *name = FIELD(element, F_NAME);
    int opaque = PySet_Contains(opaque_elements, name);
    if (opaque) {
        if (opaque < 0 || FIELD(element, F_END) != Py_None) {
            return opaque;
        }
        int code = PySet_Contains(code_phrases, name); /* an unclosed code phrase is not */
        return code < 0 ? -1 : !code;
    }
    PyObject *start = FIELD(element, F_START);
    if (!same(name, str_time) || start == Py_None) {
        return 0;
    }
    PyObject *attribute = find_attribute(start, str_datetime);
    if (attribute == NULL) {
        return 0;
    }
    PyObject *value = PyTuple_GET_ITEM(attribute, 1);
    return value != Py_None && PyUnicode_GET_LENGTH(value) > 0;
}

/* `_is_inline_element(element)`: 1, 0, or -1 on error. */
static int is_inline_element(PyObject *element) {
    PyObject *name = FIELD(element, F_NAME);
    int found = PySet_Contains(inline_void_elements, name);
    if (found == 0) {
        found = PySet_Contains(inline_opaque_elements, name);
    }
    if (found == 0 && FIELD(element, F_FLAG) == Py_False) {
        found = PySet_Contains(inline_elements, name);
    }
    if (found == 0 && same(name, str_time)) {
        found = is_opaque(element);
    }
    return found;
}

/* `_is_edge(node)`: 1, 0, or -1 on error. */
static int is_edge(Walker *w, PyObject *node) {
    if (IS_ELEMENT(node)) {
        return PySet_Contains(edge_elements, FIELD(node, F_NAME));
    }
    PyObject *kind = TOKEN_KIND(node);
    if (same(kind, kind_text)) {
        Py_ssize_t end = token_end(node);
        for (Py_ssize_t i = token_start(node); i < end; i++) {
            if (!is_space(PyUnicode_READ(w->kind, w->data, i))) {
                return 0;
            }
        }
        return 1;
    }
    return same(kind, str_comment) || same(kind, str_other) || same(kind, kind_end);
}

/* `_Element.extent_end()` */
static Py_ssize_t extent_end(PyObject *element) {
    PyObject *node = FIELD(element, F_TAIL) != Py_None ? FIELD(element, F_TAIL) : element;
    if (!IS_ELEMENT(node)) {
        return token_end(node);
    }
    while (FIELD(node, F_END) == Py_None && PyList_GET_SIZE(FIELD(node, F_CHILDREN))) {
        PyObject *children = FIELD(node, F_CHILDREN);
        PyObject *last = PyList_GET_ITEM(children, PyList_GET_SIZE(children) - 1);
        if (!IS_ELEMENT(last)) {
            return token_end(last);
        }
        node = last;
    }
    if (FIELD(node, F_END) != Py_None) {
        return token_end(FIELD(node, F_END));
    }
    return FIELD(node, F_START) != Py_None ? token_end(FIELD(node, F_START)) : 0;
}

static Py_ssize_t extent_start(PyObject *element) {
    PyObject *start = FIELD(element, F_START);
    return start != Py_None ? token_start(start) : 0;
}

/* `_start_of(node)` */
static Py_ssize_t start_of(Walker *w, PyObject *node) {
    if (IS_ELEMENT(node)) {
        return extent_start(node);
    }
    Py_ssize_t start = token_start(node), end = token_end(node);
    if (same(TOKEN_KIND(node), kind_text)) {
        while (start < end && is_space(PyUnicode_READ(w->kind, w->data, start))) {
            start++;
        }
    }
    return start;
}

/* `_end_of(node)` */
static Py_ssize_t end_of(Walker *w, PyObject *node) {
    if (IS_ELEMENT(node) && FIELD(node, F_TAIL) != Py_None) {
        node = FIELD(node, F_TAIL);
    }
    while (IS_ELEMENT(node) && FIELD(node, F_END) == Py_None &&
           PyList_GET_SIZE(FIELD(node, F_CHILDREN))) {
        PyObject *children = FIELD(node, F_CHILDREN);
        node = PyList_GET_ITEM(children, PyList_GET_SIZE(children) - 1);
    }
    if (IS_ELEMENT(node)) {
        return extent_end(node);
    }
    Py_ssize_t start = token_start(node), end = token_end(node);
    if (same(TOKEN_KIND(node), kind_text)) {
        while (end > start && is_space(PyUnicode_READ(w->kind, w->data, end - 1))) {
            end--;
        }
    }
    return end;
}

/* `_trim`: narrow [*first, *last) of the list past the edges: 0, or -1 on error. */
static int trim(Walker *w, PyObject *nodes, Py_ssize_t *first, Py_ssize_t *last) {
    int edge;
    while (*first < *last && (edge = is_edge(w, PyList_GET_ITEM(nodes, *first)))) {
        if (edge < 0) {
            return -1;
        }
        (*first)++;
    }
    while (*last > *first && (edge = is_edge(w, PyList_GET_ITEM(nodes, *last - 1)))) {
        if (edge < 0) {
            return -1;
        }
        (*last)--;
    }
    return 0;
}

/* A text token's text, its character references decoded (new reference). */
static PyObject *decoded(Walker *w, PyObject *token) {
    PyObject *raw = PyUnicode_Substring(w->text, token_start(token), token_end(token));
    Py_ssize_t ampersand =
        raw == NULL ? -1 : PyUnicode_FindChar(raw, '&', 0, PyUnicode_GET_LENGTH(raw), 1);
    if (ampersand < -1) {
        Py_DECREF(raw);
        return NULL;
    }
    if (ampersand == -1) {
        return raw;
    }
    PyObject *text = PyObject_CallOneArg(unescape, raw);
    Py_DECREF(raw);
    return text;
}

/* [^\W\d_], as `re` reads it for a str: alphanumeric, not a decimal digit. */
static int has_letter(PyObject *text) {
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    for (Py_ssize_t i = 0; i < PyUnicode_GET_LENGTH(text); i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (Py_UNICODE_ISALNUM(c) && !Py_UNICODE_ISDECIMAL(c)) {
            return 1;
        }
    }
    return 0;
}

/* `clean_text(normalize_space(text))`: runs of HTML white space made one space, the ends
 * trimmed, undecodable bytes (lone surrogates U+DC80..U+DCFF) and NULs made U+FFFD (new
 * reference). */
static inline int is_unsafe(Py_UCS4 c) { return c == 0 || (c >= 0xDC80 && c <= 0xDCFF); }

static PyObject *catalog_text(PyObject *text) {
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    int unchanged = length == 0 || (!is_space(PyUnicode_READ(kind, data, 0)) &&
                                    !is_space(PyUnicode_READ(kind, data, length - 1)));
    for (Py_ssize_t i = 0; unchanged && i < length; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        unchanged = !is_unsafe(c) && (c == ' ' ? !is_space(PyUnicode_READ(kind, data, i + 1))
                                               : !is_space(c));
    }
    if (unchanged) {
        return Py_NewRef(text);
    }
    Py_UCS4 *out = PyMem_Malloc((length ? length : 1) * sizeof(Py_UCS4));
    if (out == NULL) {
        return PyErr_NoMemory();
    }
    Py_ssize_t size = 0;
    int space = 0;
    for (Py_ssize_t i = 0; i < length; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (is_space(c)) {
            space = size > 0;
            continue;
        }
        if (space) {
            out[size++] = ' ';
            space = 0;
        }
        out[size++] = is_unsafe(c) ? 0xFFFD : c;
    }
    PyObject *cleaned = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out, size);
    PyMem_Free(out);
    return cleaned;
}

/* Push nodes[first:last] so that they pop in order. */
static int push_reversed(Nodes *stack, PyObject *nodes, Py_ssize_t first, Py_ssize_t last) {
    for (Py_ssize_t i = last - 1; i >= first; i--) {
        if (push_node(stack, PyList_GET_ITEM(nodes, i)) < 0) {
            return -1;
        }
    }
    return 0;
}

/* `_has_letters(nodes[first:last])`: 1, 0, or -1 on error. */
static int has_letters(Walker *w, PyObject *nodes, Py_ssize_t first, Py_ssize_t last) {
    Nodes pending = {NULL, 0, 0};
    int found = push_reversed(&pending, nodes, first, last);
    while (found == 0 && pending.size) {
        PyObject *node = pending.items[--pending.size];
        if (!IS_ELEMENT(node)) {
            if (!same(TOKEN_KIND(node), kind_text)) {
                continue;
            }
            PyObject *text = decoded(w, node);
            found = text == NULL ? -1 : has_letter(text);
            Py_XDECREF(text);
            continue;
        }
        int opaque = is_opaque(node);
        int void_element = opaque ? 0 : PySet_Contains(void_elements, FIELD(node, F_NAME));
        if (opaque < 0 || void_element < 0) {
            found = -1;
        } else if (!opaque && !void_element) {
            PyObject *children = FIELD(node, F_CHILDREN);
            found = push_reversed(&pending, children, 0, PyList_GET_SIZE(children));
        }
    }
    PyMem_Free(pending.items);
    return found;
}

/* A Placeholder, made through its slots as `Placeholder(...)` makes it (new reference). */
static PyObject *new_placeholder(Py_ssize_t number, PyObject *kind, PyObject *element,
                                 Py_ssize_t open_start, Py_ssize_t open_end,
                                 Py_ssize_t close_start, Py_ssize_t close_end) {
    PyTypeObject *type = (PyTypeObject *)placeholder_type;
    PyObject *placeholder = type->tp_alloc(type, 0);
    if (placeholder == NULL) {
        return NULL;
    }
    Py_ssize_t numbers[5] = {number, open_start, open_end, close_start, close_end};
    int fields[5] = {P_NUMBER, P_OPEN_START, P_OPEN_END, P_CLOSE_START, P_CLOSE_END};
    for (int i = 0; i < 5; i++) {
        PyObject *value = PyLong_FromSsize_t(numbers[i]);
        if (value == NULL) {
            Py_DECREF(placeholder);
            return NULL;
        }
        *(PyObject **)((char *)placeholder + placeholder_offsets[fields[i]]) = value;
    }
    *(PyObject **)((char *)placeholder + placeholder_offsets[P_KIND]) = Py_NewRef(kind);
    *(PyObject **)((char *)placeholder + placeholder_offsets[P_ELEMENT]) = Py_NewRef(element);
    return placeholder;
}

/* The next placeholder number that is not taken. */
static Py_ssize_t next_number(PyObject *taken, Py_ssize_t *counter) {
    for (;;) {
        Py_ssize_t number = (*counter)++;
        if (taken == NULL) {
            return number;
        }
        PyObject *key = PyLong_FromSsize_t(number);
        if (key == NULL) {
            return -1;
        }
        int is_taken = PySet_Contains(taken, key);
        Py_DECREF(key);
        if (is_taken <= 0) {
            return is_taken < 0 ? -1 : number;
        }
    }
}

/* A placeholder's marker in a msgid: `<N>`, `</N>` or `<N/>` (a new reference). The first
 * numbers, which nearly every segment uses, are made once. */
enum { MARKER_OPEN, MARKER_CLOSE, MARKER_VOID };
static PyObject *made_markers[3][32];

static PyObject *marker_text(int kind, Py_ssize_t number) {
    static const char *formats[3] = {"<%zd>", "</%zd>", "<%zd/>"};
    if (number < 0 || number >= 32) {
        return PyUnicode_FromFormat(formats[kind], number);
    }
    if (made_markers[kind][number] == NULL) {
        made_markers[kind][number] = PyUnicode_FromFormat(formats[kind], number);
    }
    return Py_XNewRef(made_markers[kind][number]);
}

/* Append a placeholder and its marker: 0, or -1 on error (steals `placeholder`). */
static int add_placeholder(PyObject *pieces, PyObject *placeholders, PyObject *placeholder,
                           int kind, Py_ssize_t number) {
    if (placeholder == NULL) {
        return -1;
    }
    int failed = PyList_Append(placeholders, placeholder);
    Py_DECREF(placeholder);
    PyObject *marker = failed ? NULL : marker_text(kind, number);
    failed = marker == NULL || PyList_Append(pieces, marker) < 0;
    Py_XDECREF(marker);
    return failed ? -1 : 0;
}

/* A closing marker on the render stack: a tagged number, told apart from a node pointer. */
#define CLOSING(number) ((PyObject *)(((uintptr_t)(number) << 1) | 1))
#define IS_CLOSING(item) (((uintptr_t)(item)) & 1)
#define CLOSING_NUMBER(item) ((Py_ssize_t)(((uintptr_t)(item)) >> 1))

/* `_render(nodes[first:last], pieces, placeholders, numbers)`: 0, or -1 on error. */
static int render(Walker *w, PyObject *nodes, Py_ssize_t first, Py_ssize_t last,
                  PyObject *taken, PyObject *pieces, PyObject *placeholders) {
    Nodes pending = {NULL, 0, 0};
    Py_ssize_t counter = 1;
    int failed = push_reversed(&pending, nodes, first, last);
    while (!failed && pending.size) {
        PyObject *node = pending.items[--pending.size];
        if (IS_CLOSING(node)) {
            PyObject *marker = marker_text(MARKER_CLOSE, CLOSING_NUMBER(node));
            failed = marker == NULL || PyList_Append(pieces, marker) < 0;
            Py_XDECREF(marker);
            continue;
        }
        if (!IS_ELEMENT(node)) {
            PyObject *kind = TOKEN_KIND(node);
            if (same(kind, kind_text)) {
                PyObject *text = decoded(w, node);
                failed = text == NULL || PyList_Append(pieces, text) < 0;
                Py_XDECREF(text);
                continue;
            }
            PyObject *element = same(kind, str_comment) ? str_hash_comment
                                : same(kind, kind_end)  ? str_hash_end
                                                        : str_hash_other;
            Py_ssize_t number = next_number(taken, &counter);
            failed = number < 0 ||
                     add_placeholder(pieces, placeholders,
                                     new_placeholder(number, str_void, element, token_start(node),
                                                     token_end(node), -1, -1),
                                     MARKER_VOID, number) < 0;
            continue;
        }
        Py_ssize_t number = next_number(taken, &counter);
        PyObject *name = FIELD(node, F_NAME);
        PyObject *start = FIELD(node, F_START);
        int void_element = PySet_Contains(void_elements, name);
        int opaque = void_element ? 0 : is_opaque(node);
        if (number < 0 || void_element < 0 || opaque < 0 || start == Py_None) {
            if (start == Py_None && !PyErr_Occurred()) {
                PyErr_SetString(PyExc_RuntimeError, "a placeholder's element has no start tag");
            }
            failed = 1;
            continue;
        }
        if (void_element || opaque || FIELD(node, F_INLINE_ONLY) != Py_True) {
            failed = add_placeholder(pieces, placeholders,
                                     new_placeholder(number, str_void, name, extent_start(node),
                                                     extent_end(node), -1, -1),
                                     MARKER_VOID, number) < 0;
            continue;
        }
        PyObject *close = FIELD(node, F_END);
        failed = add_placeholder(
                     pieces, placeholders,
                     new_placeholder(number, str_pair, name, token_start(start), token_end(start),
                                     close != Py_None ? token_start(close) : -1,
                                     close != Py_None ? token_end(close) : -1),
                     MARKER_OPEN, number) < 0;
        if (!failed) {
            PyObject *children = FIELD(node, F_CHILDREN);
            failed = push_node(&pending, CLOSING(number)) < 0 ||
                     push_reversed(&pending, children, 0, PyList_GET_SIZE(children)) < 0;
        }
    }
    PyMem_Free(pending.items);
    return failed ? -1 : 0;
}

/* A step of the walk, as `_Step` in the Python code; it owns its references. */
enum { STEP_BLOCK, STEP_RUN, STEP_RCDATA };
typedef struct {
    int kind;
    int translatable;
    PyObject *node;    /* the block; a run's or a title's parent */
    PyObject *context; /* a str or None */
    PyObject *nodes;   /* a run's list; a title's text token */
} Step;

typedef struct {
    Step *items;
    Py_ssize_t size, capacity;
} Steps;

static int push_step(Steps *steps, int kind, PyObject *node, int translatable,
                     PyObject *context, PyObject *nodes) {
    Step *items = with_room(steps->items, steps->size, &steps->capacity, sizeof(Step));
    if (items == NULL) {
        return -1;
    }
    steps->items = items;
    Step step = {kind, translatable, Py_NewRef(node), Py_NewRef(context), Py_XNewRef(nodes)};
    steps->items[steps->size++] = step;
    return 0;
}

static void release_step(Step *step) {
    Py_DECREF(step->node);
    Py_DECREF(step->context);
    Py_XDECREF(step->nodes);
}

/* `_worth_a_run(run)`: 1, 0, or -1 on error. */
static int worth_a_run(Walker *w, PyObject *run) {
    if (PyList_GET_SIZE(run) > 1 || IS_ELEMENT(PyList_GET_ITEM(run, 0))) {
        return 1;
    }
    int edge = is_edge(w, PyList_GET_ITEM(run, 0));
    return edge < 0 ? -1 : !edge;
}

/* Push a run's step if it is worth one; the run is then done with. */
static int end_run(Walker *w, Steps *steps, PyObject **run, PyObject *element, int translatable,
                   PyObject *context) {
    if (*run == NULL) {
        return 0;
    }
    int worth = worth_a_run(w, *run);
    int failed = worth < 0 ||
                 (worth && push_step(steps, STEP_RUN, element, translatable, context, *run) < 0);
    Py_CLEAR(*run);
    return failed ? -1 : 0;
}

/* `content(element, translatable, context, pending)`: 0, or -1 on error. */
static int content(Walker *w, PyObject *element, int translatable, PyObject *context,
                   Steps *pending) {
    if (note_landmarks(w, element) < 0) {
        return -1;
    }
    int opaque = PySet_Contains(opaque_elements, FIELD(element, F_NAME));
    if (opaque) {
        return opaque < 0 ? -1 : 0;
    }
    PyObject *children = FIELD(element, F_CHILDREN);
    Py_ssize_t first_step = pending->size;
    PyObject *run = NULL;
    int is_title = same(FIELD(element, F_NAME), str_title);
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(children); i++) {
        PyObject *child = PyList_GET_ITEM(children, i);
        int in_run;
        if (IS_ELEMENT(child)) {
            in_run = FIELD(child, F_INLINE_ONLY) == Py_True ? 1 : is_inline_element(child);
        } else {
            in_run = !same(TOKEN_KIND(child), kind_rawtext);
        }
        if (in_run < 0) {
            goto failed;
        }
        if (in_run) {
            if ((run == NULL && (run = PyList_New(0)) == NULL) || PyList_Append(run, child) < 0) {
                goto failed;
            }
            continue;
        }
        if (end_run(w, pending, &run, element, translatable, context) < 0) {
            goto failed;
        }
        if (IS_ELEMENT(child)) {
            if (push_step(pending, STEP_BLOCK, child, translatable, context, NULL) < 0) {
                goto failed;
            }
        } else if (is_title && translatable &&
                   push_step(pending, STEP_RCDATA, element, translatable, context, child) < 0) {
            goto failed;
        }
    }
    if (end_run(w, pending, &run, element, translatable, context) < 0) {
        goto failed;
    }
    for (Py_ssize_t low = first_step, high = pending->size - 1; low < high; low++, high--) {
        Step swap = pending->items[low];
        pending->items[low] = pending->items[high];
        pending->items[high] = swap;
    }
    return 0;
failed:
    Py_XDECREF(run);
    return -1;
}

/* `block(element, translatable, context, pending)`: 0, or -1 on error. */
static int block(Walker *w, PyObject *element, int translatable, PyObject *context,
                 Steps *pending) {
    PyObject *start = FIELD(element, F_START);
    int has_attributes = start != Py_None && PyTuple_GET_SIZE(TOKEN_ATTRIBUTES(start));
    if (has_attributes && find_attribute(start, switcher_attribute) != NULL) {
        return note_landmarks(w, element); /* its content is the build's to write */
    }
    PyObject *flag = FIELD(element, F_FLAG);
    if (flag != Py_None) {
        translatable = flag == Py_True;
    }
    PyObject *own_context = context_of(w, element, context);
    if (own_context == NULL) {
        return -1;
    }
    int failed = (translatable && has_attributes && note_attributes(w, element, own_context) < 0) ||
                 content(w, element, translatable, own_context, pending) < 0;
    Py_DECREF(own_context);
    return failed ? -1 : 0;
}

/* `_inline_details(element, translatable, context)`: 0, or -1 on error. */
static int inline_details(Walker *w, PyObject *element, int translatable, PyObject *context) {
    Steps pending = {NULL, 0, 0};
    int failed = push_step(&pending, STEP_BLOCK, element, translatable, context, NULL) < 0;
    while (!failed && pending.size) {
        Step step = pending.items[--pending.size];
        PyObject *node = step.node;
        PyObject *flag = FIELD(node, F_FLAG);
        int node_translatable = flag == Py_None ? step.translatable : flag == Py_True;
        PyObject *start = FIELD(node, F_START);
        int opaque = note_landmarks(w, node) < 0 ? -1 : is_opaque(node);
        PyObject *node_context = NULL;
        if (opaque < 0) {
            failed = 1;
        } else if (!opaque && node_translatable) {
            if (start != Py_None && PyTuple_GET_SIZE(TOKEN_ATTRIBUTES(start))) {
                node_context = context_of(w, node, step.context);
                failed = node_context == NULL || note_attributes(w, node, node_context) < 0;
            } else {
                node_context = Py_NewRef(step.context);
            }
            PyObject *children = FIELD(node, F_CHILDREN);
            for (Py_ssize_t i = PyList_GET_SIZE(children) - 1; !failed && i >= 0; i--) {
                PyObject *child = PyList_GET_ITEM(children, i);
                failed = IS_ELEMENT(child) && push_step(&pending, STEP_BLOCK, child,
                                                        node_translatable, node_context, NULL) < 0;
            }
        }
        Py_XDECREF(node_context);
        release_step(&step);
    }
    while (pending.size) {
        release_step(&pending.items[--pending.size]);
    }
    PyMem_Free(pending.items);
    return failed ? -1 : 0;
}

/* Whether text[start:end] may spell a placeholder `<N>`, `</N>` or `<N/>` (PLACEHOLDER_RE),
 * as written or through a character reference: only then is `_taken_numbers` asked. */
static int may_spell_numbers(Walker *w, Py_ssize_t start, Py_ssize_t end) {
    for (Py_ssize_t i = start; i < end; i++) {
        Py_UCS4 c = PyUnicode_READ(w->kind, w->data, i);
        if (c == '&') {
            return 1;
        }
        if (c == '<' && i + 1 < end) {
            Py_UCS4 next = PyUnicode_READ(w->kind, w->data, i + 1);
            if (next == '/' && i + 2 < end) {
                next = PyUnicode_READ(w->kind, w->data, i + 2);
            }
            if (Py_UNICODE_ISDECIMAL(next)) { /* \d: any decimal digit */
                return 1;
            }
        }
    }
    return 0;
}

/* `run(nodes, parent, translatable, context)`: 0, or -1 on error. */
/* `bisect_right(line_starts, offset)`: the 1-based line of a text offset, or -1. */
static Py_ssize_t line_of(PyObject *line_starts, Py_ssize_t offset) {
    Py_ssize_t low = 0, high = PyTuple_GET_SIZE(line_starts);
    while (low < high) {
        Py_ssize_t middle = low + (high - low) / 2;
        Py_ssize_t value = PyLong_AsSsize_t(PyTuple_GET_ITEM(line_starts, middle));
        if (value == -1 && PyErr_Occurred()) {
            return -1;
        }
        if (offset < value) {
            high = middle;
        } else {
            low = middle + 1;
        }
    }
    return low;
}

/* `_Segmenter._role(element)`, asked once per element name: a new reference. */
static PyObject *role(PyObject *element) {
    PyObject *name = FIELD(element, F_NAME);
    PyObject *known = PyDict_GetItemWithError(roles, name);
    if (known != NULL || PyErr_Occurred()) {
        return Py_XNewRef(known);
    }
    PyObject *found = PyObject_CallOneArg(role_of, element);
    if (found != NULL && PyDict_SetItem(roles, name, found) < 0) {
        Py_CLEAR(found);
    }
    return found;
}

/* The comments of a run's segment: the roles of the elements around it, then the legend of
 * its placeholders. A new tuple. */
static PyObject *text_comments(PyObject *wrappers, PyObject *placeholders) {
    Py_ssize_t count = PyList_GET_SIZE(wrappers), held = PyList_GET_SIZE(placeholders);
    PyObject *parts = PyList_New(count);
    for (Py_ssize_t i = 0; parts != NULL && i < count; i++) {
        PyObject *found = role(PyList_GET_ITEM(wrappers, i));
        if (found == NULL) {
            Py_CLEAR(parts);
            break;
        }
        PyList_SET_ITEM(parts, i, found);
    }
    PyObject *roles_line = parts == NULL ? NULL : PyUnicode_Join(str_arrow, parts);
    Py_XDECREF(parts);
    if (roles_line == NULL || held == 0) {
        PyObject *comments = roles_line == NULL ? NULL : PyTuple_Pack(1, roles_line);
        Py_XDECREF(roles_line);
        return comments;
    }
    PyObject *legends = PyList_New(held);
    for (Py_ssize_t i = 0; legends != NULL && i < held; i++) {
        PyObject *placeholder = PyList_GET_ITEM(placeholders, i);
        PyObject *args[3] = {SLOT(placeholder, placeholder_offsets, P_NUMBER),
                             SLOT(placeholder, placeholder_offsets, P_KIND),
                             SLOT(placeholder, placeholder_offsets, P_ELEMENT)};
        PyObject *legend = PyObject_Vectorcall(legend_of, args, 3, NULL);
        if (legend == NULL) {
            Py_CLEAR(legends);
            break;
        }
        PyList_SET_ITEM(legends, i, legend);
    }
    PyObject *joined = legends == NULL ? NULL : PyUnicode_Join(str_comma_space, legends);
    PyObject *legend_line = joined == NULL ? NULL : PyUnicode_Concat(str_placeholders_prefix, joined);
    PyObject *comments = legend_line == NULL ? NULL : PyTuple_Pack(2, roles_line, legend_line);
    Py_XDECREF(legends);
    Py_XDECREF(joined);
    Py_XDECREF(legend_line);
    Py_DECREF(roles_line);
    return comments;
}

/* Append a segment to the walk's: its fields borrowed, its line read off `start`. 0, or -1. */
static int append_segment(Walker *w, PyObject *kind, Py_ssize_t start, Py_ssize_t end,
                          PyObject *msgid, PyObject *context, PyObject *comments,
                          PyObject *placeholders, PyObject *quote) {
    Py_ssize_t line = line_of(w->line_starts, start);
    if (line < 0) {
        return -1;
    }
    PyObject *numbers[3] = {PyLong_FromSsize_t(start), PyLong_FromSsize_t(end),
                            PyLong_FromSsize_t(line)};
    PyObject *segment = NULL;
    if (numbers[0] != NULL && numbers[1] != NULL && numbers[2] != NULL) {
        PyObject *values[S_FIELDS] = {kind,    numbers[0], numbers[1], numbers[2],  msgid,
                                      context, comments,   placeholders, quote};
        segment = filled(segment_type, segment_offsets, values, S_FIELDS);
    }
    for (int i = 0; i < 3; i++) {
        Py_XDECREF(numbers[i]);
    }
    int failed = segment == NULL || PyList_Append(w->segments, segment) < 0;
    Py_XDECREF(segment);
    return failed ? -1 : 0;
}

/* `_Segmenter.text_segment(wrappers, context, start, end, msgid, placeholders)`: 0, or -1. */
static int add_text_segment(Walker *w, PyObject *wrappers, PyObject *context, Py_ssize_t start,
                            Py_ssize_t end, PyObject *msgid, PyObject *placeholders) {
    PyObject *comments = text_comments(wrappers, placeholders);
    PyObject *held = comments == NULL ? NULL : PyList_AsTuple(placeholders);
    int failed = held == NULL || append_segment(w, kind_text, start, end, msgid, context,
                                                comments, held, empty_string) < 0;
    Py_XDECREF(comments);
    Py_XDECREF(held);
    return failed ? -1 : 0;
}


/* `_attribute_translatable(token, attribute)` for any element but `<meta>` and `<input>`:
 * 1, 0, or -1 on error. */
static int attribute_translatable(PyObject *element_name, PyObject *attribute_name) {
    if (same(attribute_name, str_title)) {
        int untitled = PySet_Contains(no_title_elements, element_name);
        if (untitled) {
            return untitled < 0 ? -1 : 0;
        }
    }
    int found = PySet_Contains(translatable_anywhere, attribute_name);
    if (found) {
        return found;
    }
    PyObject *own = PyDict_GetItemWithError(translatable_by_element, element_name);
    if (own == NULL) {
        return PyErr_Occurred() ? -1 : 0;
    }
    return PySet_Contains(own, attribute_name);
}

/* The role an attribute's segment is told by: `<img alt>`, asked once per pair. */
static PyObject *attribute_role(PyObject *element_name, PyObject *attribute_name) {
    PyObject *key = PyTuple_Pack(2, element_name, attribute_name);
    if (key == NULL) {
        return NULL;
    }
    PyObject *role = PyDict_GetItemWithError(attribute_roles, key);
    if (role != NULL || PyErr_Occurred()) {
        Py_DECREF(key);
        return Py_XNewRef(role);
    }
    role = PyUnicode_FromFormat("<%U %U>", element_name, attribute_name);
    if (role != NULL && PyDict_SetItem(attribute_roles, key, role) < 0) {
        Py_CLEAR(role);
    }
    Py_DECREF(key);
    return role;
}

/* The segment of one attribute of `token`, if it is translatable text: 0, or -1. */
static int attribute_segment(Walker *w, PyObject *token, PyObject *attribute,
                             PyObject *context) {
    PyObject *element_name = PyTuple_GET_ITEM(token, 3);
    PyObject *name = PyTuple_GET_ITEM(attribute, 0), *value = PyTuple_GET_ITEM(attribute, 1);
    int translatable = attribute_translatable(element_name, name);
    if (translatable <= 0 || value == Py_None) {
        return translatable;
    }
    PyObject *msgid = catalog_text(value);
    if (msgid == NULL) {
        return -1;
    }
    if (!has_letter(msgid)) {
        Py_DECREF(msgid);
        return 0;
    }
    /* The span of the raw value, without the white space at its ends. */
    Py_ssize_t start = PyLong_AsSsize_t(PyTuple_GET_ITEM(attribute, 2));
    Py_ssize_t end = PyLong_AsSsize_t(PyTuple_GET_ITEM(attribute, 3));
    Py_ssize_t value_start = start;
    while (start < end && is_space(PyUnicode_READ(w->kind, w->data, start))) {
        start++;
    }
    while (end > value_start && is_space(PyUnicode_READ(w->kind, w->data, end - 1))) {
        end--;
    }
    PyObject *role = attribute_role(element_name, name);
    PyObject *comments = role == NULL ? NULL : PyTuple_Pack(1, role);
    Py_XDECREF(role);
    int failed = comments == NULL ||
                 append_segment(w, kind_attribute, start, end, msgid, context, comments,
                                empty_tuple, PyTuple_GET_ITEM(attribute, 4)) < 0;
    Py_XDECREF(comments);
    Py_DECREF(msgid);
    return failed ? -1 : 0;
}

static int run(Walker *w, PyObject *nodes, PyObject *parent, int translatable,
               PyObject *context) {
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(nodes); i++) {
        PyObject *node = PyList_GET_ITEM(nodes, i);
        if (IS_ELEMENT(node) && inline_details(w, node, translatable, context) < 0) {
            return -1;
        }
    }
    if (!translatable) {
        return 0;
    }
    Py_ssize_t first = 0, last = PyList_GET_SIZE(nodes);
    if (trim(w, nodes, &first, &last) < 0) {
        return -1;
    }
    if (first == last) {
        return 0; /* white space between blocks, mostly */
    }
    PyObject *wrappers = PyList_New(1);
    if (wrappers == NULL) {
        return -1;
    }
    PyList_SET_ITEM(wrappers, 0, Py_NewRef(parent));
    PyObject *own_context = Py_NewRef(context);
    PyObject *pieces = NULL, *placeholders = NULL, *taken = NULL, *joined = NULL, *text = NULL;
    int failed = 0;
    while (last - first == 1 && IS_ELEMENT(PyList_GET_ITEM(nodes, first)) &&
           FIELD(PyList_GET_ITEM(nodes, first), F_INLINE_ONLY) == Py_True) {
        PyObject *wrapper = PyList_GET_ITEM(nodes, first);
        if (FIELD(wrapper, F_FLAG) == Py_False) {
            goto done;
        }
        Py_SETREF(own_context, context_of(w, wrapper, own_context));
        if (own_context == NULL || PyList_Append(wrappers, wrapper) < 0) {
            goto error;
        }
        nodes = FIELD(wrapper, F_CHILDREN);
        first = 0;
        last = PyList_GET_SIZE(nodes);
        if (trim(w, nodes, &first, &last) < 0) {
            goto error;
        }
    }
    if (first == last) {
        goto done;
    }
    int letters = has_letters(w, nodes, first, last);
    if (letters <= 0) {
        failed = letters < 0;
        goto done;
    }
    Py_ssize_t start = start_of(w, PyList_GET_ITEM(nodes, first));
    Py_ssize_t end = end_of(w, PyList_GET_ITEM(nodes, last - 1));
    if (may_spell_numbers(w, start, end)) {
        PyObject *start_object = PyLong_FromSsize_t(start);
        PyObject *end_object = PyLong_FromSsize_t(end);
        if (start_object != NULL && end_object != NULL) {
            PyObject *args[3] = {w->text, start_object, end_object};
            taken = PyObject_Vectorcall(taken_numbers, args, 3, NULL);
        }
        Py_XDECREF(start_object);
        Py_XDECREF(end_object);
        if (taken == NULL) {
            goto error;
        }
        if (!PyAnySet_Check(taken)) {
            PyErr_SetString(PyExc_TypeError, "_taken_numbers must return a set");
            goto error;
        }
    }
    pieces = PyList_New(0);
    placeholders = PyList_New(0);
    if (pieces == NULL || placeholders == NULL ||
        render(w, nodes, first, last, taken, pieces, placeholders) < 0 ||
        (joined = PyUnicode_Join(empty_string, pieces)) == NULL ||
        (text = catalog_text(joined)) == NULL) {
        goto error;
    }
    if (add_text_segment(w, wrappers, own_context, start, end, text, placeholders) < 0) {
        goto error;
    }
    goto done;
error:
    failed = 1;
done:
    Py_DECREF(wrappers);
    Py_XDECREF(own_context);
    Py_XDECREF(pieces);
    Py_XDECREF(placeholders);
    Py_XDECREF(taken);
    Py_XDECREF(joined);
    Py_XDECREF(text);
    return failed ? -1 : 0;
}

static PyObject *walk(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (placeholder_type == NULL || element_type == NULL || segment_type == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "_speedups.configure_tree(), configure_walk() and "
                                            "configure_segments() were not called");
        return NULL;
    }
    if (nargs != 2 || !IS_ELEMENT(args[1])) {
        PyErr_SetString(PyExc_TypeError, "walk(segmenter, root: _Element)");
        return NULL;
    }
    PyObject *segmenter = args[0];
    Walker w = {NULL};
    Steps pending = {NULL, 0, 0};
    int failed = 1;
    w.text = PyObject_GetAttrString(segmenter, "text");
    if (w.text == NULL || !PyUnicode_Check(w.text) || PyUnicode_READY(w.text) < 0) {
        if (w.text != NULL && !PyErr_Occurred()) {
            PyErr_SetString(PyExc_TypeError, "the segmenter's text must be a str");
        }
        goto finished;
    }
    w.kind = PyUnicode_KIND(w.text);
    w.data = PyUnicode_DATA(w.text);
    w.length = PyUnicode_GET_LENGTH(w.text);
    if ((w.note_landmarks = PyObject_GetAttrString(segmenter, "_note_landmarks")) == NULL ||
        (w.context_of = PyObject_GetAttrString(segmenter, "_context")) == NULL ||
        (w.attributes = PyObject_GetAttrString(segmenter, "attributes")) == NULL ||
        (w.rcdata = PyObject_GetAttrString(segmenter, "rcdata")) == NULL ||
        (w.segments = PyObject_GetAttrString(segmenter, "segments")) == NULL) {
        goto finished;
    }
    PyObject *page = PyObject_GetAttrString(segmenter, "page");
    w.line_starts = page == NULL ? NULL : PyObject_GetAttrString(page, "line_starts");
    Py_XDECREF(page);
    if (w.line_starts == NULL || !PyTuple_Check(w.line_starts) || !PyList_Check(w.segments)) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_TypeError, "walk: segments must be a list, line_starts a tuple");
        }
        goto finished;
    }
    failed = content(&w, args[1], 1, Py_None, &pending) < 0;
    while (!failed && pending.size) {
        Step step = pending.items[--pending.size];
        if (step.kind == STEP_RUN) {
            failed = run(&w, step.nodes, step.node, step.translatable, step.context) < 0;
        } else if (step.kind == STEP_RCDATA) {
            PyObject *call_args[3] = {step.nodes, step.node, step.context};
            PyObject *result = PyObject_Vectorcall(w.rcdata, call_args, 3, NULL);
            failed = result == NULL;
            Py_XDECREF(result);
        } else {
            failed = block(&w, step.node, step.translatable, step.context, &pending) < 0;
        }
        release_step(&step);
    }
finished:
    while (pending.size) {
        release_step(&pending.items[--pending.size]);
    }
    PyMem_Free(pending.items);
    Py_XDECREF(w.text);
    Py_XDECREF(w.note_landmarks);
    Py_XDECREF(w.context_of);
    Py_XDECREF(w.attributes);
    Py_XDECREF(w.rcdata);
    Py_XDECREF(w.segments);
    Py_XDECREF(w.line_starts);
    if (failed) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/* Where each of a slotted class's fields lives in its objects: 0, or -1 with an error. */
static int read_slot_offsets(PyObject *type, const char *caller, const char **fields, int count,
                             Py_ssize_t *offsets) {
    if (!PyType_Check(type)) {
        PyErr_Format(PyExc_TypeError, "%s: expected a type", caller);
        return -1;
    }
    for (int field = 0; field < count; field++) { /* each a slot: a member descriptor */
        PyObject *descriptor = PyDict_GetItemString(((PyTypeObject *)type)->tp_dict, fields[field]);
        if (descriptor == NULL || !Py_IS_TYPE(descriptor, &PyMemberDescr_Type) ||
            ((PyMemberDescrObject *)descriptor)->d_member->type != T_OBJECT_EX) {
            PyErr_Format(PyExc_TypeError, "%s: %s.%s must be a slot", caller,
                         ((PyTypeObject *)type)->tp_name, fields[field]);
            return -1;
        }
        offsets[field] = ((PyMemberDescrObject *)descriptor)->d_member->offset;
    }
    return 0;
}

static PyObject *configure_walk(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 9 || !PyCallable_Check(args[1]) || !PyFrozenSet_Check(args[2]) ||
        !PyFrozenSet_Check(args[3]) || !PyFrozenSet_Check(args[4]) ||
        !PyFrozenSet_Check(args[5]) || !PyFrozenSet_Check(args[6]) || !PyUnicode_Check(args[7]) ||
        !PyUnicode_Check(args[8])) {
        PyErr_SetString(PyExc_TypeError,
                        "configure_walk(Placeholder, _taken_numbers, opaque, inline_void, "
                        "inline_opaque, edge, maybe_translatable: frozenset, "
                        "switcher_attribute, context_attribute: str)");
        return NULL;
    }
    if (read_slot_offsets(args[0], "configure_walk", placeholder_fields, P_FIELDS,
                          placeholder_offsets) < 0) {
        return NULL;
    }
    Py_XSETREF(placeholder_type, Py_NewRef(args[0]));
    Py_XSETREF(taken_numbers, Py_NewRef(args[1]));
    Py_XSETREF(opaque_elements, Py_NewRef(args[2]));
    Py_XSETREF(inline_void_elements, Py_NewRef(args[3]));
    Py_XSETREF(inline_opaque_elements, Py_NewRef(args[4]));
    Py_XSETREF(edge_elements, Py_NewRef(args[5]));
    Py_XSETREF(maybe_translatable, Py_NewRef(args[6]));
    Py_XSETREF(switcher_attribute, Py_NewRef(args[7]));
    Py_XSETREF(context_attribute, Py_NewRef(args[8]));
    Py_RETURN_NONE;
}

static PyObject *configure_segments(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 6 || !PyCallable_Check(args[1]) || !PyCallable_Check(args[2]) ||
        !PyFrozenSet_Check(args[3]) || !PyDict_Check(args[4]) || !PyFrozenSet_Check(args[5])) {
        PyErr_SetString(PyExc_TypeError,
                        "configure_segments(Segment, _legend, _role, anywhere: frozenset, "
                        "by_element: dict[str, frozenset], no_title: frozenset)");
        return NULL;
    }
    PyObject *fresh_attribute_roles = PyDict_New();
    if (fresh_attribute_roles == NULL) {
        return NULL;
    }
    Py_XSETREF(attribute_roles, fresh_attribute_roles);
    Py_XSETREF(translatable_anywhere, Py_NewRef(args[3]));
    Py_XSETREF(translatable_by_element, Py_NewRef(args[4]));
    Py_XSETREF(no_title_elements, Py_NewRef(args[5]));
    if (read_slot_offsets(args[0], "configure_segments", segment_fields, S_FIELDS,
                          segment_offsets) < 0) {
        return NULL;
    }
    PyObject *fresh_roles = PyDict_New();
    if (fresh_roles == NULL) {
        return NULL;
    }
    Py_XSETREF(roles, fresh_roles);
    Py_XSETREF(segment_type, Py_NewRef(args[0]));
    Py_XSETREF(legend_of, Py_NewRef(args[1]));
    Py_XSETREF(role_of, Py_NewRef(args[2]));
    Py_RETURN_NONE;
}

static PyObject *configure_tree(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 14 || !PyFrozenSet_Check(args[5]) || !PyFrozenSet_Check(args[6]) ||
        !PyFrozenSet_Check(args[7]) || !PyFrozenSet_Check(args[8]) ||
        !PyFrozenSet_Check(args[9]) || !PyDict_Check(args[10]) || !PyDict_Check(args[2]) ||
        !PyFrozenSet_Check(args[11]) || !PyFrozenSet_Check(args[12]) ||
        !PyFrozenSet_Check(args[13])) {
        PyErr_SetString(PyExc_TypeError,
                        "configure_tree(_Element, _close, implied_stop: dict, _is_ignored, "
                        "_translate_flag, maybe_ignored, implying, void, p_closers, headings: "
                        "frozenset, implied_close: dict, inline_elements, code_phrases, "
                        "scope_boundaries: frozenset)");
        return NULL;
    }
    if (p_only == NULL) {
        PyObject *p = PyUnicode_InternFromString("p");
        PyObject *names = p == NULL ? NULL : PyTuple_Pack(1, p);
        p_only = names == NULL ? NULL : PyFrozenSet_New(names);
        no_names = p_only == NULL ? NULL : PyFrozenSet_New(NULL);
        Py_XDECREF(p);
        Py_XDECREF(names);
        if (no_names == NULL) {
            Py_CLEAR(p_only);
            return NULL;
        }
    }
    if (read_slot_offsets(args[0], "configure_tree", field_names, FIELDS, field_offsets) < 0) {
        return NULL;
    }
    Py_XSETREF(element_type, Py_NewRef(args[0]));
    Py_XSETREF(close_element, Py_NewRef(args[1]));
    Py_XSETREF(implied_stop, Py_NewRef(args[2]));
    Py_XSETREF(scope_boundaries, Py_NewRef(args[13]));
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

/* Line breaking for catalogs.
 *
 * `simple_cuts(escaped, unbreakable, page, start)` is `pofile._simple_cuts` after its set-up:
 * the greedy fill that cuts each line at the last break opportunity that fits (or, when none
 * does, at the first one after it), for text of one-column characters whose breaks depend on
 * their neighbours alone. It reads the same pair table; a character's line-break class comes
 * from a table for ASCII and from the Python function for the rest.
 */

static PyObject *pair_rows;     /* tuple of bytes: the rule for (class before, class) */
static PyObject *line_class_of; /* pofile: the line-break class of a character */
static unsigned char ascii_classes[128];
static int rule_direct, rule_indirect; /* 'D', 'I' */

/* The classes of the Basic Multilingual Plane asked so far, plus one (0: not asked yet). */
static unsigned char bmp_classes[0x10000];

/* The line-break class of text[i]: -1 on error. */
static long line_class(int kind, const void *data, Py_ssize_t i) {
    Py_UCS4 c = PyUnicode_READ(kind, data, i);
    if (c < 128) {
        return ascii_classes[c];
    }
    if (c < 0x10000 && bmp_classes[c]) {
        return bmp_classes[c] - 1;
    }
    PyObject *character = PyUnicode_FromOrdinal(c);
    PyObject *found = character == NULL ? NULL : PyObject_CallOneArg(line_class_of, character);
    Py_XDECREF(character);
    long value = found == NULL ? -1 : PyLong_AsLong(found);
    Py_XDECREF(found);
    if (c < 0x10000 && value >= 0 && value < 255) {
        bmp_classes[c] = (unsigned char)(value + 1);
    }
    return value;
}

/* Latin letters and digits (`pofile._WORD`): never a break between two of them. */
static inline int is_word(Py_UCS4 c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           (c >= 0xC0 && c <= 0x24F);
}

/* `_PAIR_ROWS[before - 6][after - 6]`, indices wrapping as Python's do. */
static int pair_rule(long before, long after) {
    Py_ssize_t rows = PyTuple_GET_SIZE(pair_rows);
    Py_ssize_t row_index = before - 6 < 0 ? before - 6 + rows : before - 6;
    if (row_index < 0 || row_index >= rows) {
        PyErr_SetString(PyExc_IndexError, "line-break class out of the pair table");
        return -1;
    }
    PyObject *row = PyTuple_GET_ITEM(pair_rows, row_index);
    Py_ssize_t columns = PyBytes_GET_SIZE(row);
    Py_ssize_t column = after - 6 < 0 ? after - 6 + columns : after - 6;
    if (column < 0 || column >= columns) {
        PyErr_SetString(PyExc_IndexError, "line-break class out of the pair table");
        return -1;
    }
    return (unsigned char)PyBytes_AS_STRING(row)[column];
}

/* `first_opportunity`: the first index from `from` by `step` (not reaching `to`) where a line
 * may start; -1 for none, -2 on error. */
static Py_ssize_t first_opportunity(int kind, const void *data, PyObject *unbreakable,
                                    Py_ssize_t from, Py_ssize_t to, Py_ssize_t step) {
    for (Py_ssize_t index = from; step > 0 ? index < to : index > to; index += step) {
        Py_UCS4 c = PyUnicode_READ(kind, data, index);
        if (c == ' ' || (is_word(c) && is_word(PyUnicode_READ(kind, data, index - 1)))) {
            continue; /* the common answers first, without a look-up */
        }
        if (PySet_GET_SIZE(unbreakable)) {
            PyObject *key = PyLong_FromSsize_t(index);
            int kept = key == NULL ? -1 : PySet_Contains(unbreakable, key);
            Py_XDECREF(key);
            if (kept) {
                if (kept < 0) {
                    return -2;
                }
                continue;
            }
        }
        Py_ssize_t before = index - 1;
        while (before >= 0 && PyUnicode_READ(kind, data, before) == ' ') {
            before--;
        }
        if (before < 0) {
            continue;
        }
        long before_class = line_class(kind, data, before);
        long after_class = before_class < 0 ? -1 : line_class(kind, data, index);
        int rule = after_class < 0 ? -1 : pair_rule(before_class, after_class);
        if (rule < 0) {
            return -2;
        }
        if (rule == rule_direct || (rule == rule_indirect && before < index - 1)) {
            return index;
        }
    }
    return -1;
}

/* The greedy fill: the indices of `escaped` where lines start, as a new list. */
static PyObject *cuts_of(PyObject *escaped, PyObject *unbreakable, Py_ssize_t page,
                         Py_ssize_t column) {
    int kind = PyUnicode_KIND(escaped);
    const void *data = PyUnicode_DATA(escaped);
    Py_ssize_t length = PyUnicode_GET_LENGTH(escaped);
    PyObject *chosen = PyList_New(0);
    if (chosen == NULL) {
        return NULL;
    }
    Py_ssize_t line_start = 0;
    for (;;) {
        Py_ssize_t limit = line_start + page - column; /* the last index a line can end at */
        if (length <= limit) {
            return chosen;
        }
        Py_ssize_t from = limit < length - 1 ? limit : length - 1;
        Py_ssize_t cut = first_opportunity(kind, data, unbreakable, from, line_start, -1);
        if (cut == -1) {
            from = limit + 1 > line_start + 1 ? limit + 1 : line_start + 1;
            cut = first_opportunity(kind, data, unbreakable, from, length, 1);
            if (cut == -1) {
                return chosen;
            }
        }
        PyObject *cut_object = cut == -2 ? NULL : PyLong_FromSsize_t(cut);
        if (cut_object == NULL || PyList_Append(chosen, cut_object) < 0) {
            Py_XDECREF(cut_object);
            Py_DECREF(chosen);
            return NULL;
        }
        Py_DECREF(cut_object);
        line_start = cut;
        column = 0;
    }
}

static PyObject *simple_cuts(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (pair_rows == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "_speedups.configure_wrap() was not called");
        return NULL;
    }
    if (nargs != 4 || !PyUnicode_Check(args[0]) || !PyAnySet_Check(args[1]) ||
        !PyLong_Check(args[2]) || !PyLong_Check(args[3])) {
        PyErr_SetString(PyExc_TypeError,
                        "simple_cuts(escaped: str, unbreakable: set[int], page: int, start: int)");
        return NULL;
    }
    Py_ssize_t page = PyLong_AsSsize_t(args[2]), column = PyLong_AsSsize_t(args[3]);
    if ((page == -1 || column == -1) && PyErr_Occurred()) {
        return NULL;
    }
    return cuts_of(args[0], args[1], page, column);
}

static PyObject *configure_wrap(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 5 || !PyBytes_Check(args[0]) || PyBytes_GET_SIZE(args[0]) != 128 ||
        !PyTuple_Check(args[1]) || !PyCallable_Check(args[2]) || !PyLong_Check(args[3]) ||
        !PyLong_Check(args[4])) {
        PyErr_SetString(PyExc_TypeError,
                        "configure_wrap(ascii_classes: bytes[128], pair_rows: tuple[bytes, ...], "
                        "line_class: Callable[[str], int], direct: int, indirect: int)");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(args[1]); i++) {
        if (!PyBytes_Check(PyTuple_GET_ITEM(args[1], i))) {
            PyErr_SetString(PyExc_TypeError, "configure_wrap: each pair row must be bytes");
            return NULL;
        }
    }
    memcpy(ascii_classes, PyBytes_AS_STRING(args[0]), 128);
    memset(bmp_classes, 0, sizeof bmp_classes); /* another line_class: ask again */
    Py_XSETREF(pair_rows, Py_NewRef(args[1]));
    Py_XSETREF(line_class_of, Py_NewRef(args[2]));
    rule_direct = (int)PyLong_AsLong(args[3]);
    rule_indirect = (int)PyLong_AsLong(args[4]);
    if (PyErr_Occurred()) {
        return NULL;
    }
    Py_RETURN_NONE;
}


/* Catalog entries.
 *
 * `render_entry(message, width)` is `"".join(line + "\n" for line in _entry_lines(message,
 * width))`: comments, references, flags, then each string wrapped as `wrap_po_string` does.
 * Where the text is ASCII without control characters, the line fill runs here
 * (`simple_cuts`); any other text is cut by `pofile._cuts`, and flags are read by
 * `pofile._flags_and_wrap`, so the rare cases have one implementation.
 */

static PyObject *python_cuts;       /* pofile._cuts(portion, escaped, page, start) */
static PyObject *flags_and_wrap;    /* pofile._flags_and_wrap(flags, translated) */
static PyObject *python_char_info;  /* pofile._char_info(char): SIMPLE | WIDE */
enum { CHAR_SIMPLE = 1, CHAR_WIDE = 2, CHAR_KNOWN = 4 };
/* What `_char_info` said of each character of the Basic Multilingual Plane asked so far. */
static unsigned char bmp_info[0x10000];

/* `_char_info(c)`: SIMPLE | WIDE, or -1 on error. */
static int char_info(Py_UCS4 c) {
    if (c < 0x10000 && bmp_info[c]) {
        return bmp_info[c] & ~CHAR_KNOWN;
    }
    PyObject *character = PyUnicode_FromOrdinal(c);
    PyObject *found =
        character == NULL ? NULL : PyObject_CallOneArg(python_char_info, character);
    Py_XDECREF(character);
    long info = found == NULL ? -1 : PyLong_AsLong(found);
    Py_XDECREF(found);
    if (info < 0 || info > (CHAR_SIMPLE | CHAR_WIDE)) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_ValueError, "pofile._char_info: not SIMPLE | WIDE");
        }
        return -1;
    }
    if (c < 0x10000) {
        bmp_info[c] = (unsigned char)(info | CHAR_KNOWN);
    }
    return (int)info;
}
static PyObject *str_msgctxt, *str_msgid, *str_msgstr, *str_msgid_plural, *str_hash,
    *str_hash_dot, *str_hash_colon, *str_no_prefix, *str_obsolete_prefix,
    *str_previous_prefix, *str_obsolete_previous_prefix, *str_newline, *str_comma, *str_strip;
static PyObject *str_space, *str_quote, *str_space_quote, *str_space_quotes; /* ` ` `"` ` "` ` ""` */
static PyObject *str_colon;
static PyObject *attr_translator_comments, *attr_extracted_comments, *attr_references,
    *attr_flags, *attr_previous_msgctxt, *attr_previous_msgid, *attr_msgctxt, *attr_msgid,
    *attr_msgstr, *attr_msgid_plural, *attr_msgstr_plural, *attr_obsolete;

/* Printable ASCII but `"` and `\`: written as it is (`pofile._PLAIN_RE`). */
static int is_plain(PyObject *text) {
    if (!PyUnicode_IS_ASCII(text)) {
        return 0;
    }
    const Py_UCS1 *data = PyUnicode_1BYTE_DATA(text);
    for (Py_ssize_t i = 0, n = PyUnicode_GET_LENGTH(text); i < n; i++) {
        if (data[i] < 0x20 || data[i] > 0x7e || data[i] == '"' || data[i] == '\\') {
            return 0;
        }
    }
    return 1;
}

/* The letter of gettext's escape sequence for `c`, or 0 (`pofile._ESCAPES`). */
static inline Py_UCS4 escape_letter(Py_UCS4 c) {
    switch (c) {
    case '\a': return 'a';
    case '\b': return 'b';
    case '\f': return 'f';
    case '\n': return 'n';
    case '\r': return 'r';
    case '\t': return 't';
    case '\v': return 'v';
    case '\\': return '\\';
    case '"': return '"';
    default: return 0;
    }
}

/* `pofile._escape(text)`: a new reference. */
static PyObject *escaped_text(PyObject *text) {
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t length = PyUnicode_GET_LENGTH(text), extra = 0;
    for (Py_ssize_t i = 0; i < length; i++) {
        extra += escape_letter(PyUnicode_READ(kind, data, i)) != 0;
    }
    if (extra == 0) {
        return Py_NewRef(text);
    }
    PyObject *result = PyUnicode_New(length + extra, PyUnicode_MAX_CHAR_VALUE(text));
    if (result == NULL) {
        return NULL;
    }
    int out_kind = PyUnicode_KIND(result);
    void *out = PyUnicode_DATA(result);
    Py_ssize_t at = 0;
    for (Py_ssize_t i = 0; i < length; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i), letter = escape_letter(c);
        if (letter) {
            PyUnicode_WRITE(out_kind, out, at++, '\\');
            c = letter;
        }
        PyUnicode_WRITE(out_kind, out, at++, c);
    }
    return result;
}

/* `pofile._cuts`, with its cases of one-column characters here: a new list. */
static PyObject *portion_cuts(PyObject *portion, PyObject *escaped, Py_ssize_t page,
                              Py_ssize_t start) {
    Py_ssize_t length = PyUnicode_GET_LENGTH(escaped);
    int simple = 1, narrow = 1;
    if (PyUnicode_IS_ASCII(escaped)) {
        if (start + length <= page) {
            return PyList_New(0); /* fits: no piece can overflow */
        }
        const Py_UCS1 *data = PyUnicode_1BYTE_DATA(escaped);
        for (Py_ssize_t i = 0; i < length && simple; i++) {
            simple = data[i] >= 0x20 && data[i] != 0x7f;
        }
    } else {
        int kind = PyUnicode_KIND(escaped);
        const void *data = PyUnicode_DATA(escaped);
        for (Py_ssize_t i = 0; i < length && (simple || narrow); i++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, i);
            int info = c < 128 ? (c >= 0x20 && c != 0x7f ? CHAR_SIMPLE : 0) : char_info(c);
            if (info < 0) {
                return NULL;
            }
            simple = simple && (info & CHAR_SIMPLE);
            narrow = narrow && !(info & CHAR_WIDE);
        }
        if (start + length <= page && narrow) {
            return PyList_New(0); /* fits: no character takes two columns */
        }
    }
    {
        if (simple) { /* `_simple_cuts`: an escape sequence is one unit, and the final \n */
            PyObject *unbreakable = PySet_New(NULL);
            if (unbreakable == NULL) {
                return NULL;
            }
            int failed = 0, kind = PyUnicode_KIND(escaped);
            const void *data = PyUnicode_DATA(escaped);
            for (Py_ssize_t i = 0; i < length && !failed; i++) {
                if (PyUnicode_READ(kind, data, i) == '\\') { /* each starts a sequence */
                    PyObject *index = PyLong_FromSsize_t(++i);
                    failed = index == NULL || PySet_Add(unbreakable, index) < 0;
                    Py_XDECREF(index);
                }
            }
            Py_ssize_t portion_length = PyUnicode_GET_LENGTH(portion);
            if (!failed && portion_length &&
                PyUnicode_READ_CHAR(portion, portion_length - 1) == '\n') {
                PyObject *index = PyLong_FromSsize_t(length - 2);
                failed = index == NULL || PySet_Add(unbreakable, index) < 0;
                Py_XDECREF(index);
            }
            PyObject *cuts = failed ? NULL : cuts_of(escaped, unbreakable, page, start);
            Py_DECREF(unbreakable);
            return cuts;
        }
    }
    PyObject *page_object = PyLong_FromSsize_t(page);
    PyObject *start_object = PyLong_FromSsize_t(start);
    PyObject *cuts = NULL;
    if (page_object != NULL && start_object != NULL) {
        PyObject *call[4] = {portion, escaped, page_object, start_object};
        cuts = PyObject_Vectorcall(python_cuts, call, 4, NULL);
    }
    Py_XDECREF(page_object);
    Py_XDECREF(start_object);
    if (cuts != NULL && !PyList_Check(cuts)) {
        PyErr_SetString(PyExc_TypeError, "pofile._cuts must return a list");
        Py_CLEAR(cuts);
    }
    return cuts;
}

/* The `count` strings end to end (a new reference): `PyUnicode_FromFormat("%U%U…")` without
 * reading a format, for the lines of every entry written. */
static PyObject *joined(Py_ssize_t count, PyObject *const *parts) {
    Py_ssize_t length = 0;
    Py_UCS4 widest = 127;
    for (Py_ssize_t i = 0; i < count; i++) {
        length += PyUnicode_GET_LENGTH(parts[i]);
        widest = Py_MAX(widest, PyUnicode_MAX_CHAR_VALUE(parts[i]));
    }
    PyObject *result = PyUnicode_New(length, widest);
    for (Py_ssize_t i = 0, at = 0; result != NULL && i < count; i++) {
        Py_ssize_t size = PyUnicode_GET_LENGTH(parts[i]);
        if (PyUnicode_CopyCharacters(result, at, parts[i], 0, size) < 0) {
            Py_CLEAR(result);
        }
        at += size;
    }
    return result;
}

#define JOINED(...) \
    joined(sizeof((PyObject *[]){__VA_ARGS__}) / sizeof(PyObject *), (PyObject *[]){__VA_ARGS__})

/* Append `line` (a new reference, or NULL after an error) to `lines`: 0, or -1. */
static int add_line(PyObject *lines, PyObject *line) {
    if (line == NULL) {
        return -1;
    }
    int failed = PyList_Append(lines, line);
    Py_DECREF(line);
    return failed;
}

/* `wrap_po_string(keyword, value, prefix=prefix, width=width, wrap=wrap)`, onto `lines`. */
static int wrap_string(PyObject *lines, PyObject *keyword, PyObject *value, PyObject *prefix,
                       Py_ssize_t width, int wrap) {
    Py_ssize_t keyword_length = PyUnicode_GET_LENGTH(keyword);
    Py_ssize_t length = PyUnicode_GET_LENGTH(value);
    if (PyUnicode_GET_LENGTH(prefix) + keyword_length + length + 3 <= width && is_plain(value)) {
        return add_line(lines, JOINED(prefix, keyword, str_space_quote, value, str_quote));
    }
    /* Columns count from the first character after the opening quote of a continuation. */
    Py_ssize_t page = (wrap ? width : ((Py_ssize_t)1 << 62)) - PyUnicode_GET_LENGTH(prefix) - 2;
    int first_line = 1;
    Py_ssize_t position = 0;
    do { /* each portion: up to and with a \n, or the rest */
        Py_ssize_t newline = PyUnicode_FindChar(value, '\n', position, length, 1);
        if (newline == -2) {
            return -1;
        }
        Py_ssize_t end = newline < 0 ? length : newline + 1;
        PyObject *portion = PyUnicode_Substring(value, position, end);
        PyObject *escaped = portion == NULL ? NULL : escaped_text(portion);
        PyObject *cuts = NULL;
        int failed = escaped == NULL;
        if (!failed && first_line && PyUnicode_GET_LENGTH(escaped)) {
            Py_ssize_t start = keyword_length + 1;
            /* `keyword ""` comes first when more portions follow or this one needs a cut. */
            int alone = end < length || start > page;
            if (!alone) {
                cuts = portion_cuts(portion, escaped, page, start);
                failed = cuts == NULL;
                alone = !failed && PyList_GET_SIZE(cuts) > 0;
            }
            if (!failed && alone) {
                failed = add_line(lines, JOINED(prefix, keyword, str_space_quotes)) < 0;
                first_line = 0;
                Py_CLEAR(cuts);
            }
        }
        if (!failed && cuts == NULL) {
            cuts = portion_cuts(portion, escaped, page, first_line ? keyword_length + 1 : 0);
            failed = cuts == NULL;
        }
        Py_ssize_t pieces = failed ? 0 : PyList_GET_SIZE(cuts) + 1, begin = 0;
        for (Py_ssize_t piece = 0; piece < pieces && !failed; piece++) {
            Py_ssize_t stop = piece + 1 < pieces ? PyLong_AsSsize_t(PyList_GET_ITEM(cuts, piece))
                                                 : PyUnicode_GET_LENGTH(escaped);
            PyObject *text = stop < 0 ? NULL : PyUnicode_Substring(escaped, begin, stop);
            if (text == NULL) {
                failed = 1;
                break;
            }
            failed = add_line(lines, first_line && piece == 0
                                         ? JOINED(prefix, keyword, str_space_quote, text, str_quote)
                                         : JOINED(prefix, str_quote, text, str_quote)) < 0;
            Py_DECREF(text);
            begin = stop;
        }
        first_line = 0;
        Py_XDECREF(cuts);
        Py_XDECREF(escaped);
        Py_XDECREF(portion);
        if (failed) {
            return -1;
        }
        position = end;
    } while (position < length);
    return 0;
}

/* `#` comment lines: `marker comment`, or the marker alone for an empty comment. */
static int comment_lines(PyObject *lines, PyObject *marker, PyObject *comments) {
    if (!PyTuple_Check(comments)) {
        PyErr_SetString(PyExc_TypeError, "render_entry: comments must be a tuple");
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(comments); i++) {
        PyObject *comment = PyTuple_GET_ITEM(comments, i);
        if (!PyUnicode_Check(comment)) {
            PyErr_SetString(PyExc_TypeError, "render_entry: a comment must be a str");
            return -1;
        }
        if (add_line(lines, PyUnicode_GET_LENGTH(comment)
                                ? JOINED(marker, str_space, comment)
                                : Py_NewRef(marker)) < 0) {
            return -1;
        }
    }
    return 0;
}

/* A reference as gettext writes it: `path:line` with the line's leading zeros dropped. */
static PyObject *normal_reference(PyObject *reference) {
    Py_ssize_t length = PyUnicode_GET_LENGTH(reference);
    Py_ssize_t colon = PyUnicode_FindChar(reference, ':', 0, length, -1);
    if (colon < 0 || colon + 1 == length) {
        return colon == -2 ? NULL : Py_NewRef(reference);
    }
    Py_ssize_t first = colon + 1;
    for (Py_ssize_t i = first; i < length; i++) {
        Py_UCS4 c = PyUnicode_READ_CHAR(reference, i);
        if (c < '0' || c > '9') {
            return Py_NewRef(reference);
        }
    }
    while (first + 1 < length && PyUnicode_READ_CHAR(reference, first) == '0') {
        first++;
    }
    if (first == colon + 1) {
        return Py_NewRef(reference);
    }
    PyObject *path = PyUnicode_Substring(reference, 0, colon + 1);
    PyObject *number = path == NULL ? NULL : PyUnicode_Substring(reference, first, length);
    PyObject *result = number == NULL ? NULL : PyUnicode_Concat(path, number);
    Py_XDECREF(path);
    Py_XDECREF(number);
    return result;
}

/* `pofile._reference_lines(references, width)`, onto `lines`. */
/* A reference as written: normalised, without leading `./` (a new reference). */
static PyObject *written_reference(PyObject *reference) {
    Py_ssize_t skip = 0, length = PyUnicode_GET_LENGTH(reference);
    while (skip + 1 < length && PyUnicode_READ_CHAR(reference, skip) == '.' &&
           PyUnicode_READ_CHAR(reference, skip + 1) == '/') {
        skip += 2;
    }
    return PyUnicode_Substring(reference, skip, length);
}

static int reference_lines(PyObject *lines, PyObject *references, Py_ssize_t width) {
    if (!PyTuple_Check(references)) {
        PyErr_SetString(PyExc_TypeError, "render_entry: references must be a tuple");
        return -1;
    }
    if (PyTuple_GET_SIZE(references) == 1 && PyUnicode_Check(PyTuple_GET_ITEM(references, 0))) {
        /* one reference, most entries of a template: one line, however long */
        PyObject *reference = normal_reference(PyTuple_GET_ITEM(references, 0));
        PyObject *written = reference == NULL ? NULL : written_reference(reference);
        Py_XDECREF(reference);
        int failed = written == NULL ||
                     add_line(lines, JOINED(str_hash_colon, str_space, written)) < 0;
        Py_XDECREF(written);
        return failed ? -1 : 0;
    }
    PyObject *seen = PySet_New(NULL);
    PyObject *line = PyList_New(0); /* the pieces of the line being filled */
    if (seen == NULL || line == NULL || add_line(line, Py_NewRef(str_hash_colon)) < 0) {
        Py_XDECREF(seen);
        Py_XDECREF(line);
        return -1;
    }
    Py_ssize_t column = 2;
    int failed = 0;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(references) && !failed; i++) {
        PyObject *given = PyTuple_GET_ITEM(references, i);
        if (!PyUnicode_Check(given)) {
            PyErr_SetString(PyExc_TypeError, "render_entry: a reference must be a str");
            failed = 1;
            break;
        }
        PyObject *reference = normal_reference(given);
        int known = reference == NULL ? -1 : PySet_Contains(seen, reference);
        if (known != 0) {
            failed = known < 0;
            Py_XDECREF(reference);
            continue;
        }
        failed = PySet_Add(seen, reference) < 0;
        PyObject *written = failed ? NULL : written_reference(reference);
        Py_DECREF(reference);
        if (written == NULL) {
            failed = 1;
            break;
        }
        Py_ssize_t size = PyUnicode_GET_LENGTH(written);
        if (column > 2 && column + size + 1 > width) {
            failed = add_line(lines, PyUnicode_Join(empty_string, line)) < 0 ||
                     PyList_SetSlice(line, 1, PyList_GET_SIZE(line), NULL) < 0;
            column = 2;
        }
        failed = failed || add_line(line, JOINED(str_space, written)) < 0;
        column += size + 1;
        Py_DECREF(written);
    }
    failed = failed || add_line(lines, PyUnicode_Join(empty_string, line)) < 0;
    Py_DECREF(seen);
    Py_DECREF(line);
    return failed ? -1 : 0;
}

/* A string field that may be None: a new reference, or NULL with an error. */
static PyObject *optional_text(PyObject *message, PyObject *name, int *present) {
    PyObject *value = PyObject_GetAttr(message, name);
    *present = value != NULL && value != Py_None;
    if (*present && !PyUnicode_Check(value)) {
        PyErr_Format(PyExc_TypeError, "render_entry: %U must be a str or None", name);
        Py_CLEAR(value);
    }
    return value;
}

static int entry_lines(PyObject *lines, PyObject *message, Py_ssize_t width) {
    PyObject *field = PyObject_GetAttr(message, attr_translator_comments);
    int failed = field == NULL || comment_lines(lines, str_hash, field) < 0;
    Py_XDECREF(field);
    if (failed) {
        return -1;
    }
    field = PyObject_GetAttr(message, attr_extracted_comments);
    failed = field == NULL || comment_lines(lines, str_hash_dot, field) < 0;
    Py_XDECREF(field);
    if (failed) {
        return -1;
    }
    field = PyObject_GetAttr(message, attr_references);
    failed = field == NULL ||
             (PyObject_IsTrue(field) && reference_lines(lines, field, width) < 0);
    Py_XDECREF(field);
    if (failed) {
        return -1;
    }
    PyObject *obsolete_object = PyObject_GetAttr(message, attr_obsolete);
    int obsolete = obsolete_object == NULL ? -1 : PyObject_IsTrue(obsolete_object);
    Py_XDECREF(obsolete_object);
    if (obsolete < 0) {
        return -1;
    }
    PyObject *msgid_plural = NULL, *msgstr = NULL, *plural_msgstrs = NULL;
    int plural = 0, wrap = 1;
    msgid_plural = optional_text(message, attr_msgid_plural, &plural);
    if (msgid_plural == NULL) {
        return -1;
    }
    msgstr = plural ? NULL : PyObject_GetAttr(message, attr_msgstr);
    plural_msgstrs = plural ? PyObject_GetAttr(message, attr_msgstr_plural) : NULL;
    field = PyObject_GetAttr(message, attr_flags);
    failed = field == NULL || (plural ? plural_msgstrs == NULL || !PyTuple_Check(plural_msgstrs)
                                      : msgstr == NULL || !PyUnicode_Check(msgstr));
    if (!failed && PyObject_IsTrue(field)) {
        /* gettext judges an entry translated by its first msgstr alone. */
        int translated = plural ? PyTuple_GET_SIZE(plural_msgstrs) &&
                                      PyObject_IsTrue(PyTuple_GET_ITEM(plural_msgstrs, 0))
                                : PyUnicode_GET_LENGTH(msgstr) > 0;
        PyObject *call[2] = {field, translated ? Py_True : Py_False};
        PyObject *found = PyObject_Vectorcall(flags_and_wrap, call, 2, NULL);
        failed = found == NULL || !PyTuple_Check(found) || PyTuple_GET_SIZE(found) != 2;
        if (!failed && PyTuple_GET_ITEM(found, 0) != Py_None) {
            failed = add_line(lines, Py_NewRef(PyTuple_GET_ITEM(found, 0))) < 0;
        }
        wrap = failed ? 1 : PyObject_IsTrue(PyTuple_GET_ITEM(found, 1));
        failed = failed || wrap < 0;
        Py_XDECREF(found);
    }
    Py_XDECREF(field);
    if (failed && !PyErr_Occurred()) {
        PyErr_SetString(PyExc_TypeError, "render_entry: not a message of this catalog model");
    }
    PyObject *strings_prefix = obsolete ? str_obsolete_prefix : str_no_prefix;
    PyObject *previous_prefix = obsolete ? str_obsolete_previous_prefix : str_previous_prefix;
    struct {
        PyObject *attribute, *keyword, *prefix;
    } optional[3] = {
        {attr_previous_msgctxt, str_msgctxt, previous_prefix},
        {attr_previous_msgid, str_msgid, previous_prefix},
        {attr_msgctxt, str_msgctxt, strings_prefix},
    };
    for (int i = 0; i < 3 && !failed; i++) {
        int present;
        PyObject *value = optional_text(message, optional[i].attribute, &present);
        failed = value == NULL || (present && wrap_string(lines, optional[i].keyword, value,
                                                          optional[i].prefix, width, wrap) < 0);
        Py_XDECREF(value);
    }
    if (!failed) {
        PyObject *msgid = PyObject_GetAttr(message, attr_msgid);
        failed = msgid == NULL || !PyUnicode_Check(msgid) ||
                 wrap_string(lines, str_msgid, msgid, strings_prefix, width, wrap) < 0;
        if (msgid != NULL && !PyUnicode_Check(msgid) && !PyErr_Occurred()) {
            PyErr_SetString(PyExc_TypeError, "render_entry: msgid must be a str");
        }
        Py_XDECREF(msgid);
    }
    if (!failed && !plural) {
        failed = wrap_string(lines, str_msgstr, msgstr, strings_prefix, width, wrap) < 0;
    } else if (!failed) {
        failed = wrap_string(lines, str_msgid_plural, msgid_plural, strings_prefix, width, wrap) < 0;
        Py_ssize_t count = PyTuple_GET_SIZE(plural_msgstrs);
        for (Py_ssize_t i = 0; i < (count ? count : 1) && !failed; i++) {
            PyObject *value = count ? PyTuple_GET_ITEM(plural_msgstrs, i) : empty_string;
            PyObject *keyword = PyUnicode_FromFormat("msgstr[%zd]", i);
            failed = keyword == NULL || !PyUnicode_Check(value) ||
                     wrap_string(lines, keyword, value, strings_prefix, width, wrap) < 0;
            if (keyword != NULL && !PyUnicode_Check(value) && !PyErr_Occurred()) {
                PyErr_SetString(PyExc_TypeError, "render_entry: a msgstr must be a str");
            }
            Py_XDECREF(keyword);
        }
    }
    Py_XDECREF(msgid_plural);
    Py_XDECREF(msgstr);
    Py_XDECREF(plural_msgstrs);
    return failed ? -1 : 0;
}

static PyObject *render_entry(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (python_cuts == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "_speedups.configure_entries() was not called");
        return NULL;
    }
    if (nargs != 2 || !PyLong_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "render_entry(message: Message, width: int)");
        return NULL;
    }
    Py_ssize_t width = PyLong_AsSsize_t(args[1]);
    if (width == -1 && PyErr_Occurred()) {
        return NULL;
    }
    PyObject *lines = PyList_New(0);
    if (lines == NULL) {
        return NULL;
    }
    if (entry_lines(lines, args[0], width) < 0 || PyList_Append(lines, empty_string) < 0) {
        Py_DECREF(lines);
        return NULL;
    }
    PyObject *text = PyUnicode_Join(str_newline, lines); /* each line ends with a newline */
    Py_DECREF(lines);
    return text;
}

/* `extract.template_text`'s entries: `render_po(template_for_page(page))` without the header
 * and without making the messages. Segments with the same (msgctxt, msgid) are one entry, at
 * the first one's place, with every segment's reference (`page_path:line`) and each comment
 * once; entries are parted by a blank line, as render_po parts them. */
static PyObject *template_entries(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (python_cuts == NULL || segment_type == NULL) {
        PyErr_SetString(PyExc_RuntimeError,
                        "_speedups.configure_entries() and configure_segments() were not called");
        return NULL;
    }
    if (nargs != 3 || !PyTuple_Check(args[0]) || !PyUnicode_Check(args[1]) ||
        !PyLong_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError,
                        "template_entries(segments: tuple[Segment, ...], page_path: str, "
                        "width: int)");
        return NULL;
    }
    Py_ssize_t width = PyLong_AsSsize_t(args[2]);
    if (width == -1 && PyErr_Occurred()) {
        return NULL;
    }
    PyObject *segments = args[0];
    /* key -> [msgctxt, msgid, references: list, comments: list], in order of first use */
    PyObject *index = PyDict_New(), *entries = PyList_New(0), *lines = NULL, *text = NULL;
    int failed = index == NULL || entries == NULL;
    for (Py_ssize_t i = 0; !failed && i < PyTuple_GET_SIZE(segments); i++) {
        PyObject *segment = PyTuple_GET_ITEM(segments, i);
        if (Py_TYPE(segment) != (PyTypeObject *)segment_type) {
            PyErr_SetString(PyExc_TypeError, "template_entries: not a Segment");
            failed = 1;
            break;
        }
        PyObject *msgctxt = SLOT(segment, segment_offsets, S_MSGCTXT);
        PyObject *msgid = SLOT(segment, segment_offsets, S_MSGID);
        PyObject *comments = SLOT(segment, segment_offsets, S_COMMENTS);
        if (!PyUnicode_Check(msgid) || (msgctxt != Py_None && !PyUnicode_Check(msgctxt)) ||
            !PyTuple_Check(comments)) {
            PyErr_SetString(PyExc_TypeError, "template_entries: not a segment's fields");
            failed = 1;
            break;
        }
        PyObject *key = PyTuple_Pack(2, msgctxt, msgid);
        PyObject *entry = key == NULL ? NULL : PyDict_GetItemWithError(index, key);
        if (entry == NULL && !PyErr_Occurred() && key != NULL) {
            PyObject *references = PyList_New(0), *kept = PyList_New(0);
            entry = references == NULL || kept == NULL
                        ? NULL
                        : PyList_New(4);
            if (entry != NULL) {
                PyList_SET_ITEM(entry, 0, Py_NewRef(msgctxt));
                PyList_SET_ITEM(entry, 1, Py_NewRef(msgid));
                PyList_SET_ITEM(entry, 2, references);
                PyList_SET_ITEM(entry, 3, kept);
                references = kept = NULL;
                if (PyDict_SetItem(index, key, entry) < 0 || PyList_Append(entries, entry) < 0) {
                    Py_CLEAR(entry);
                } else {
                    Py_DECREF(entry); /* the index and the list hold it */
                }
            }
            Py_XDECREF(references);
            Py_XDECREF(kept);
        }
        Py_XDECREF(key);
        if (entry == NULL) {
            failed = 1;
            break;
        }
        PyObject *line = PyObject_Str(SLOT(segment, segment_offsets, S_LINE));
        PyObject *reference = line == NULL ? NULL : JOINED(args[1], str_colon, line);
        Py_XDECREF(line);
        failed = reference == NULL || PyList_Append(PyList_GET_ITEM(entry, 2), reference) < 0;
        Py_XDECREF(reference);
        PyObject *kept = PyList_GET_ITEM(entry, 3);
        for (Py_ssize_t j = 0; !failed && j < PyTuple_GET_SIZE(comments); j++) {
            PyObject *comment = PyTuple_GET_ITEM(comments, j);
            int there = PySequence_Contains(kept, comment);
            failed = there < 0 || (!there && PyList_Append(kept, comment) < 0);
        }
    }
    lines = failed ? NULL : PyList_New(0);
    failed = lines == NULL;
    for (Py_ssize_t i = 0; !failed && i < PyList_GET_SIZE(entries); i++) {
        PyObject *entry = PyList_GET_ITEM(entries, i);
        PyObject *references = PyList_AsTuple(PyList_GET_ITEM(entry, 2));
        PyObject *comments = PyList_AsTuple(PyList_GET_ITEM(entry, 3));
        PyObject *msgctxt = PyList_GET_ITEM(entry, 0);
        failed = references == NULL || comments == NULL ||
                 (i > 0 && PyList_Append(lines, empty_string) < 0) ||
                 comment_lines(lines, str_hash_dot, comments) < 0 ||
                 reference_lines(lines, references, width) < 0 ||
                 (msgctxt != Py_None &&
                  wrap_string(lines, str_msgctxt, msgctxt, str_no_prefix, width, 1) < 0) ||
                 wrap_string(lines, str_msgid, PyList_GET_ITEM(entry, 1), str_no_prefix, width,
                             1) < 0 ||
                 wrap_string(lines, str_msgstr, empty_string, str_no_prefix, width, 1) < 0;
        Py_XDECREF(references);
        Py_XDECREF(comments);
    }
    if (!failed && PyList_GET_SIZE(entries) > 0 && PyList_Append(lines, empty_string) == 0) {
        text = PyUnicode_Join(str_newline, lines); /* each line ends with a newline */
    } else if (!failed) {
        text = Py_NewRef(empty_string);
    }
    Py_XDECREF(index);
    Py_XDECREF(entries);
    Py_XDECREF(lines);
    return text;
}

static PyObject *configure_entries(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 3 || !PyCallable_Check(args[0]) || !PyCallable_Check(args[1]) ||
        !PyCallable_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError, "configure_entries(_cuts, _flags_and_wrap, _char_info)");
        return NULL;
    }
    Py_XSETREF(python_cuts, Py_NewRef(args[0]));
    Py_XSETREF(flags_and_wrap, Py_NewRef(args[1]));
    Py_XSETREF(python_char_info, Py_NewRef(args[2]));
    memset(bmp_info, 0, sizeof bmp_info); /* another _char_info: ask again */
    Py_RETURN_NONE;
}


/* Catalogs in the canonical layout.
 *
 * `read_canonical(text)` is `pofile._read_canonical(text)`: the messages of text laid out as
 * gettext tools, Poedit and `render_po` write it, an entry at a time, or None for anything
 * else (which `_read_lines` then reads, naming the line of any error). The grammar is
 * `_canonical_entry`'s: comments and previous strings, then msgctxt, msgid and msgstr, each a
 * keyword and quoted lines with only gettext's simple escapes; obsolete entries the same after
 * `#~ `. Messages are made as `new_placeholder` makes placeholders: their slots filled.
 */

enum {
    M_MSGID, M_MSGSTR, M_MSGCTXT, M_FLAGS, M_REFERENCES, M_EXTRACTED, M_TRANSLATOR,
    M_PREVIOUS_MSGCTXT, M_PREVIOUS_MSGID, M_MSGID_PLURAL, M_MSGSTR_PLURAL, M_OBSOLETE, M_LINE,
    M_FIELDS
};
static const char *message_fields[M_FIELDS] = {
    "msgid", "msgstr", "msgctxt", "flags", "references", "extracted_comments",
    "translator_comments", "previous_msgctxt", "previous_msgid", "msgid_plural",
    "msgstr_plural", "obsolete", "line",
};
static Py_ssize_t message_offsets[M_FIELDS];
static PyObject *message_type;

typedef struct {
    int kind;
    const void *data;
    Py_ssize_t length;
} Text;

static inline Py_UCS4 char_at(const Text *t, Py_ssize_t i) {
    return i < t->length ? PyUnicode_READ(t->kind, t->data, i) : 0;
}

static int has_at(const Text *t, Py_ssize_t at, const char *literal) {
    for (Py_ssize_t i = 0; literal[i]; i++) {
        if (at + i >= t->length || PyUnicode_READ(t->kind, t->data, at + i) != (Py_UCS4)literal[i]) {
            return 0;
        }
    }
    return 1;
}

static inline int simple_escape(Py_UCS4 c) {
    return c == 'a' || c == 'b' || c == 'f' || c == 'n' || c == 'r' || c == 't' || c == 'v' ||
           c == '\\' || c == '"' || c == '\'' || c == '?';
}

/* A quoted string at `at` followed by a newline: the index after the newline, or -1. */
#define QUOTED_LINE_END(TYPE)                                                              \
    for (const TYPE *data = t->data; i < t->length; i++) {                                  \
        Py_UCS4 c = data[i];                                                                \
        if (c == '"') {                                                                     \
            return char_at(t, i + 1) == '\n' ? i + 2 : -1;                                  \
        }                                                                                   \
        if (c == '\n' || (c == '\\' && !simple_escape(char_at(t, ++i)))) {                  \
            return -1;                                                                      \
        }                                                                                   \
    }

static Py_ssize_t quoted_line_end(const Text *t, Py_ssize_t at) {
    if (char_at(t, at) != '"') {
        return -1;
    }
    Py_ssize_t i = at + 1; /* a loop for each width of character: most of reading a catalog */
    if (t->kind == PyUnicode_1BYTE_KIND) {
        QUOTED_LINE_END(Py_UCS1)
    } else if (t->kind == PyUnicode_2BYTE_KIND) {
        QUOTED_LINE_END(Py_UCS2)
    } else {
        QUOTED_LINE_END(Py_UCS4)
    }
    return -1;
}
#undef QUOTED_LINE_END

/* `keyword "…"\n`, then `prefix"…"\n` lines: where the group ends, or -1. The strings start
 * at `*first` (after the keyword and its space). */
static Py_ssize_t strings_end(const Text *t, Py_ssize_t at, const char *prefix,
                              const char *keyword, Py_ssize_t *first) {
    if (!has_at(t, at, prefix)) {
        return -1;
    }
    at += (Py_ssize_t)strlen(prefix);
    if (!has_at(t, at, keyword) || char_at(t, at + (Py_ssize_t)strlen(keyword)) != ' ') {
        return -1;
    }
    *first = at + (Py_ssize_t)strlen(keyword) + 1;
    Py_ssize_t end = quoted_line_end(t, *first);
    while (end >= 0 && has_at(t, end, prefix)) {
        Py_ssize_t next = quoted_line_end(t, end + (Py_ssize_t)strlen(prefix));
        if (next < 0) {
            break;
        }
        end = next;
    }
    return end;
}

/* The string that the quoted lines from `at` to `end` spell, each line's string starting
 * `skip` characters into it (after the first): a new reference. */
static PyObject *strings_value(PyObject *text, const Text *t, Py_ssize_t at, Py_ssize_t end,
                               Py_ssize_t skip) {
    Py_ssize_t close = at + 1;
    while (char_at(t, close) != '"') {
        close += char_at(t, close) == '\\' ? 2 : 1;
    }
    if (close + 2 == end && PyUnicode_FindChar(text, '\\', at + 1, close, 1) == -1) {
        return PyUnicode_Substring(text, at + 1, close); /* one line, no escape: most strings */
    }
    Py_UCS4 *buffer = PyMem_New(Py_UCS4, end - at);
    if (buffer == NULL) {
        return PyErr_NoMemory();
    }
    Py_ssize_t size = 0, i = at;
    while (i < end) {
        i++; /* the opening quote */
        for (Py_UCS4 c; (c = PyUnicode_READ(t->kind, t->data, i)) != '"'; i++) {
            if (c == '\\') {
                c = PyUnicode_READ(t->kind, t->data, ++i);
                c = c == 'a' ? '\a' : c == 'b' ? '\b' : c == 'f' ? '\f' : c == 'n' ? '\n'
                  : c == 'r' ? '\r' : c == 't' ? '\t' : c == 'v' ? '\v' : c;
            }
            buffer[size++] = c;
        }
        i += 2 + skip; /* the closing quote, the newline, the next line's prefix */
    }
    PyObject *value = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buffer, size);
    PyMem_Free(buffer);
    return value;
}

/* A comment line at `at` (`#`, or `#` and one of ` .:,` and a rest not ending in a
 * backslash): the index after its newline, or -1. */
static Py_ssize_t comment_end(const Text *t, Py_ssize_t at) {
    if (char_at(t, at) != '#') {
        return -1;
    }
    Py_UCS4 mark = char_at(t, at + 1);
    if (mark == '\n') {
        return at + 2;
    }
    if (mark != ' ' && mark != '.' && mark != ':' && mark != ',') {
        return -1;
    }
    Py_ssize_t newline = at + 2;
    while (newline < t->length && PyUnicode_READ(t->kind, t->data, newline) != '\n') {
        newline++;
    }
    if (newline >= t->length || PyUnicode_READ(t->kind, t->data, newline - 1) == '\\') {
        return -1;
    }
    return newline + 1;
}

/* A previous-string line at `at` (`#| msgid "…"`, `#| "…"`): the index after it, or -1;
 * `*quote` is where its string starts. */
static Py_ssize_t previous_end(const Text *t, Py_ssize_t at, const char *marker,
                               Py_ssize_t *quote) {
    if (!has_at(t, at, marker)) {
        return -1;
    }
    at += (Py_ssize_t)strlen(marker);
    if (has_at(t, at, "msgctxt ")) {
        at += 8;
    } else if (has_at(t, at, "msgid ")) {
        at += 6;
    }
    *quote = at;
    return quoted_line_end(t, at);
}

typedef struct {
    PyObject *translator, *extracted, *references, *flags; /* lists */
    PyObject *previous_msgctxt, *previous_msgid;            /* or NULL */
} Comments;

static void release_comments(Comments *c) {
    Py_XDECREF(c->translator);
    Py_XDECREF(c->extracted);
    Py_XDECREF(c->references);
    Py_XDECREF(c->flags);
    Py_XDECREF(c->previous_msgctxt);
    Py_XDECREF(c->previous_msgid);
}

/* Read one comment line into `c` (`_canonical_message`'s loop): 0, 1 when the entry is not
 * canonical, -1 on error. `*target` is the previous string that `#| "…"` continues. */
static int read_comment(PyObject *text, const Text *t, Py_ssize_t start, Py_ssize_t end,
                        Py_ssize_t quote, Comments *c, PyObject ***target) {
    Py_UCS4 kind = char_at(t, start + 1) == '~' ? char_at(t, start + 2) : char_at(t, start + 1);
    Py_ssize_t stop = end - 1; /* the newline */
    if (start + 1 == stop) {
        kind = 0; /* `#` alone: an empty translator comment */
    }
    if (kind == '|') {
        PyObject *value = strings_value(text, t, quote, end, 0);
        if (value == NULL) {
            return -1;
        }
        if (char_at(t, start + (char_at(t, start + 1) == '~' ? 4 : 3)) == '"') {
            if (*target == NULL || **target == NULL) {
                Py_DECREF(value);
                return 1;
            }
            PyUnicode_Append(*target, value);
            Py_DECREF(value);
            return **target == NULL ? -1 : 0;
        }
        *target = char_at(t, quote - 2) == 't' ? &c->previous_msgctxt : &c->previous_msgid;
        Py_XSETREF(**target, value);
        return 0;
    }
    PyObject *rest = PyUnicode_Substring(text, start + 2 > stop ? stop : start + 2, stop);
    if (rest == NULL) {
        return -1;
    }
    int failed = 0;
    if (kind == ',') {
        PyObject *parts = PyUnicode_Split(rest, str_comma, -1);
        for (Py_ssize_t i = 0; parts != NULL && i < PyList_GET_SIZE(parts) && !failed; i++) {
            PyObject *flag = PyObject_CallMethodNoArgs(PyList_GET_ITEM(parts, i), str_strip);
            failed = flag == NULL ||
                     (PyUnicode_GET_LENGTH(flag) ? add_line(c->flags, flag) < 0
                                                 : (Py_DECREF(flag), 0));
        }
        failed = failed || parts == NULL;
        Py_XDECREF(parts);
    } else if (kind == ':') {
        PyObject *parts = PyUnicode_Split(rest, NULL, -1);
        failed = parts == NULL ||
                 PyList_SetSlice(c->references, PY_SSIZE_T_MAX, PY_SSIZE_T_MAX, parts) < 0;
        Py_XDECREF(parts);
    } else if (kind == '.') {
        PyObject *note = char_at(t, start + 2) == ' ' && start + 2 < stop
                             ? PyUnicode_Substring(text, start + 3, stop)
                             : Py_NewRef(rest);
        failed = add_line(c->extracted, note) < 0;
    } else {
        failed = add_line(c->translator, Py_NewRef(rest)) < 0;
    }
    Py_DECREF(rest);
    return failed ? -1 : 0;
}

static int set_slot(PyObject *object, int field, PyObject *value) {
    if (value == NULL) {
        return -1;
    }
    *(PyObject **)((char *)object + message_offsets[field]) = value;
    return 0;
}

/* What `read_entry` hands back of an entry it reads lean (`canonical_words`, `canonical_
 * translations`), besides its key. */
typedef struct {
    int want_msgstr;  /* in: make the msgstr of a translated entry */
    int done;         /* translated: not fuzzy, not obsolete, a msgstr */
    PyObject *msgstr; /* the msgstr, when wanted and done (a new reference), else NULL */
    Py_ssize_t line;  /* the entry's line, as Message.line (where read_entry was given one) */
    PyObject *message; /* the entry read whole (`catalog_entries`' READ_WHOLE), borrowed */
} Lean;

/* How `catalog_entries` reads a catalog's text. */
enum { READ_WHOLE, READ_WORDS, READ_TRANSLATIONS };

/* What `catalog_entries` does with an entry: 0, or -1 on error. */
typedef int (*LeanTake)(void *state, PyObject *key, int obsolete, const Lean *lean);

static PyObject *counted_entry(PyObject *text, const Text *t, int obsolete, Comments *c,
                               Py_ssize_t context_first, Py_ssize_t context_end,
                               Py_ssize_t msgid_first, Py_ssize_t msgid_end,
                               Py_ssize_t msgstr_first, Py_ssize_t msgstr_end, Lean *lean);

/* Whether the quoted lines from `first` to `end` (each after the first starting `skip`
 * characters in) spell anything: one has something between its quotes. */
static int strings_filled(const Text *t, Py_ssize_t first, Py_ssize_t end, Py_ssize_t skip) {
    for (Py_ssize_t i = first; i < end;) {
        if (char_at(t, i + 1) != '"') {
            return 1;
        }
        i += 3 + skip; /* `""`, the newline, the next line's prefix */
    }
    return 0;
}

/* One entry at `at` (`obsolete` or not): 1 with `*message` and `*end` set, 0 when the
 * layout does not match, -1 on error. With `lean` (`canonical_words`, `canonical_
 * translations`) it reads only what those need: `*message` is the entry's key, (obsolete,
 * msgctxt, msgid), and `*lean` the rest; a header entry there returns 2 (they read the first
 * entry whole). */
static int read_entry(PyObject *text, const Text *t, Py_ssize_t at, int obsolete,
                      Py_ssize_t line, PyObject **message, Py_ssize_t *end, Lean *lean) {
    int counting = lean != NULL;
    const char *marker = obsolete ? "#~| " : "#| ";
    const char *prefix = obsolete ? "#~ " : "";
    Py_ssize_t position = at, comment_lines = 0;
    /* the comments' spans, read once the entry is known to match */
    Py_ssize_t spans_capacity = 8, *spans = PyMem_New(Py_ssize_t, 3 * spans_capacity);
    if (spans == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (;;) {
        Py_ssize_t quote = -1, next = comment_end(t, position);
        if (next < 0) {
            next = previous_end(t, position, marker, &quote);
        }
        if (next < 0) {
            break;
        }
        if (comment_lines == spans_capacity) {
            Py_ssize_t *grown = PyMem_Resize(spans, Py_ssize_t, 6 * spans_capacity);
            if (grown == NULL) {
                PyMem_Free(spans);
                PyErr_NoMemory();
                return -1;
            }
            spans = grown;
            spans_capacity *= 2;
        }
        spans[3 * comment_lines] = position;
        spans[3 * comment_lines + 1] = next;
        spans[3 * comment_lines + 2] = quote;
        comment_lines++;
        position = next;
    }
    Py_ssize_t context_first = -1,
               context_end = strings_end(t, position, prefix, "msgctxt", &context_first);
    if (context_end >= 0) {
        position = context_end;
    }
    Py_ssize_t msgid_first, msgid_end = strings_end(t, position, prefix, "msgid", &msgid_first);
    Py_ssize_t msgstr_first = -1,
               msgstr_end = msgid_end < 0 ? -1
                                          : strings_end(t, msgid_end, prefix, "msgstr",
                                                        &msgstr_first);
    if (msgstr_end < 0) {
        PyMem_Free(spans);
        return 0;
    }
    position = msgstr_end;
    while (char_at(t, position) == '\n') {
        position++;
    }
    *end = position;
    if (counting && !obsolete && context_end < 0 &&
        !strings_filled(t, msgid_first, msgid_end, 0)) {
        PyMem_Free(spans); /* `msgid ""` with no context: a header */
        return 2;
    }
    Comments c = {PyList_New(0), PyList_New(0), PyList_New(0), PyList_New(0), NULL, NULL};
    int outcome = c.translator && c.extracted && c.references && c.flags ? 1 : -1;
    PyObject **target = NULL;
    for (Py_ssize_t i = 0; i < comment_lines && outcome == 1; i++) {
        Py_ssize_t start = spans[3 * i], mark = start + 1 + (char_at(t, start + 1) == '~');
        if (counting && (spans[3 * i + 1] == start + 2 ||
                         (char_at(t, mark) != ',' && char_at(t, mark) != '|'))) {
            continue; /* notes, references and translators' comments decide no words */
        }
        int read = read_comment(text, t, start, spans[3 * i + 1], spans[3 * i + 2], &c, &target);
        outcome = read < 0 ? -1 : read > 0 ? 0 : 1;
    }
    PyMem_Free(spans);
    if (outcome == 1 && c.previous_msgctxt != NULL && c.previous_msgid == NULL) {
        outcome = 0; /* a previous context without a previous msgid */
    }
    Py_ssize_t skip = (Py_ssize_t)strlen(prefix);
    PyObject *result = NULL;
    if (outcome == 1 && counting) {
        lean->line = line + comment_lines;
        result = counted_entry(text, t, obsolete, &c, context_first, context_end, msgid_first,
                               msgid_end, msgstr_first, msgstr_end, lean);
        outcome = result == NULL ? -1 : 1;
    } else if (outcome == 1) {
        PyTypeObject *type = (PyTypeObject *)message_type;
        result = type->tp_alloc(type, 0);
        outcome = result == NULL ||
                  set_slot(result, M_MSGID, strings_value(text, t, msgid_first, msgid_end, skip)) ||
                  set_slot(result, M_MSGSTR,
                           strings_value(text, t, msgstr_first, msgstr_end, skip)) ||
                  set_slot(result, M_MSGCTXT,
                           context_end < 0 ? Py_NewRef(Py_None)
                                           : strings_value(text, t, context_first, context_end,
                                                           skip)) ||
                  set_slot(result, M_FLAGS, PyList_AsTuple(c.flags)) ||
                  set_slot(result, M_REFERENCES, PyList_AsTuple(c.references)) ||
                  set_slot(result, M_EXTRACTED, PyList_AsTuple(c.extracted)) ||
                  set_slot(result, M_TRANSLATOR, PyList_AsTuple(c.translator)) ||
                  set_slot(result, M_PREVIOUS_MSGCTXT,
                           Py_NewRef(c.previous_msgctxt ? c.previous_msgctxt : Py_None)) ||
                  set_slot(result, M_PREVIOUS_MSGID,
                           Py_NewRef(c.previous_msgid ? c.previous_msgid : Py_None)) ||
                  set_slot(result, M_MSGID_PLURAL, Py_NewRef(Py_None)) ||
                  set_slot(result, M_MSGSTR_PLURAL, Py_NewRef(empty_tuple)) ||
                  set_slot(result, M_OBSOLETE, Py_NewRef(obsolete ? Py_True : Py_False)) ||
                  set_slot(result, M_LINE, PyLong_FromSsize_t(line + comment_lines))
                      ? -1
                      : 1;
        if (outcome < 0) {
            Py_CLEAR(result);
        }
    }
    release_comments(&c);
    *message = result;
    return outcome;
}

static int catalog_entries(PyObject *text, int mode, LeanTake take, void *state,
                           PyObject **header);
static int take_message(void *messages, PyObject *key, int obsolete, const Lean *lean);

/* `pofile._read_canonical`: every entry of a canonically laid out text as a Message, or None
 * (then `_read_lines` reads it). */
static PyObject *read_canonical(PyObject *module, PyObject *text) {
    PyObject *messages = PyList_New(0), *header;
    int read = messages == NULL
                   ? -1
                   : catalog_entries(text, READ_WHOLE, take_message, messages, &header);
    if (read <= 0) {
        Py_XDECREF(messages);
        return read < 0 ? NULL : Py_NewRef(Py_None);
    }
    return messages;
}

static PyObject *configure_catalog(PyObject *module, PyObject *type) {
    PyObject *slots = PyObject_GetAttrString(type, "__slots__");
    if (slots == NULL) {
        return NULL;
    }
    PyObject *expected = PyTuple_New(M_FIELDS);
    for (int i = 0; expected != NULL && i < M_FIELDS; i++) {
        PyTuple_SET_ITEM(expected, i, PyUnicode_FromString(message_fields[i]));
    }
    int same_fields = expected == NULL ? -1 : PyObject_RichCompareBool(slots, expected, Py_EQ);
    Py_DECREF(slots);
    Py_XDECREF(expected);
    if (same_fields <= 0) {
        if (same_fields == 0) {
            PyErr_SetString(PyExc_TypeError, "configure_catalog: Message's fields changed");
        }
        return NULL;
    }
    if (read_slot_offsets(type, "configure_catalog", message_fields, M_FIELDS,
                          message_offsets) < 0) {
        return NULL;
    }
    Py_XSETREF(message_type, Py_NewRef(type));
    Py_RETURN_NONE;
}


/* The page cache's rows.
 *
 * `pack_segments(segments)` is `page_cache._pack`'s rows of segments: plain tuples, which
 * marshal writes; `unpack_segments(rows)` makes the segments again, filling their slots as
 * `read_canonical` fills a Message's. `pack_attributes` and `unpack_attributes` do the same for
 * the links' href attributes (named tuples, which marshal refuses). A row of another shape is
 * a ValueError: the cache then counts it a miss.
 */


static int cache_configured(void) {
    if (segment_type == NULL || placeholder_type == NULL || token_type == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "_speedups.configure_scan(), configure_walk() and "
                                            "configure_segments() were not called");
        return 0;
    }
    return 1;
}

static PyObject *shape_error(const char *what) {
    PyErr_Format(PyExc_ValueError, "not a page cache row: %s", what);
    return NULL;
}

static PyObject *pack_segments(PyObject *module, PyObject *segments) {
    if (!cache_configured()) {
        return NULL;
    }
    if (!PyTuple_Check(segments)) {
        return shape_error("segments must be a tuple");
    }
    Py_ssize_t count = PyTuple_GET_SIZE(segments);
    PyObject *rows = PyTuple_New(count);
    for (Py_ssize_t i = 0; rows != NULL && i < count; i++) {
        PyObject *segment = PyTuple_GET_ITEM(segments, i);
        PyObject *placeholders = Py_TYPE(segment) == (PyTypeObject *)segment_type
                                     ? SLOT(segment, segment_offsets, S_PLACEHOLDERS)
                                     : NULL;
        if (placeholders == NULL || !PyTuple_Check(placeholders)) {
            Py_DECREF(rows);
            return shape_error("not a Segment");
        }
        Py_ssize_t held = PyTuple_GET_SIZE(placeholders);
        PyObject *placeholder_rows = PyTuple_New(held);
        for (Py_ssize_t j = 0; placeholder_rows != NULL && j < held; j++) {
            PyObject *placeholder = PyTuple_GET_ITEM(placeholders, j);
            if (Py_TYPE(placeholder) != (PyTypeObject *)placeholder_type) {
                Py_CLEAR(placeholder_rows);
                shape_error("not a Placeholder");
                break;
            }
            PyObject *row = PyTuple_New(P_FIELDS);
            if (row == NULL) {
                Py_CLEAR(placeholder_rows);
                break;
            }
            for (int field = 0; field < P_FIELDS; field++) {
                PyTuple_SET_ITEM(row, field,
                                 Py_NewRef(SLOT(placeholder, placeholder_offsets, field)));
            }
            PyTuple_SET_ITEM(placeholder_rows, j, row);
        }
        PyObject *row = placeholder_rows == NULL ? NULL : PyTuple_New(S_FIELDS);
        if (row == NULL) {
            Py_XDECREF(placeholder_rows);
            Py_DECREF(rows);
            return NULL;
        }
        for (int field = 0; field < S_FIELDS; field++) {
            PyTuple_SET_ITEM(row, field,
                             field == S_PLACEHOLDERS
                                 ? placeholder_rows
                                 : Py_NewRef(SLOT(segment, segment_offsets, field)));
        }
        PyTuple_SET_ITEM(rows, i, row);
    }
    return rows;
}

static PyObject *unpack_segments(PyObject *module, PyObject *rows) {
    if (!cache_configured()) {
        return NULL;
    }
    if (!PyTuple_Check(rows)) {
        return shape_error("rows must be a tuple");
    }
    Py_ssize_t count = PyTuple_GET_SIZE(rows);
    PyObject *segments = PyTuple_New(count);
    for (Py_ssize_t i = 0; segments != NULL && i < count; i++) {
        PyObject *row = PyTuple_GET_ITEM(rows, i);
        PyObject *placeholder_rows = PyTuple_Check(row) && PyTuple_GET_SIZE(row) == S_FIELDS
                                         ? PyTuple_GET_ITEM(row, S_PLACEHOLDERS)
                                         : NULL;
        if (placeholder_rows == NULL || !PyTuple_Check(placeholder_rows)) {
            Py_DECREF(segments);
            return shape_error("a segment row");
        }
        Py_ssize_t held = PyTuple_GET_SIZE(placeholder_rows);
        PyObject *placeholders = PyTuple_New(held);
        for (Py_ssize_t j = 0; placeholders != NULL && j < held; j++) {
            PyObject *placeholder_row = PyTuple_GET_ITEM(placeholder_rows, j);
            if (!PyTuple_Check(placeholder_row) || PyTuple_GET_SIZE(placeholder_row) != P_FIELDS) {
                Py_CLEAR(placeholders);
                shape_error("a placeholder row");
                break;
            }
            PyObject *placeholder = filled(placeholder_type, placeholder_offsets,
                                           &PyTuple_GET_ITEM(placeholder_row, 0), P_FIELDS);
            if (placeholder == NULL) {
                Py_CLEAR(placeholders);
                break;
            }
            PyTuple_SET_ITEM(placeholders, j, placeholder);
        }
        PyObject *segment = NULL;
        if (placeholders != NULL) {
            PyObject *values[S_FIELDS];
            for (int field = 0; field < S_FIELDS; field++) {
                values[field] = PyTuple_GET_ITEM(row, field);
            }
            values[S_PLACEHOLDERS] = placeholders;
            segment = filled(segment_type, segment_offsets, values, S_FIELDS);
            Py_DECREF(placeholders);
        }
        if (segment == NULL) {
            Py_DECREF(segments);
            return NULL;
        }
        PyTuple_SET_ITEM(segments, i, segment);
    }
    return segments;
}

/* A tuple of the same items, of type `type` (a tuple subclass), or a plain tuple (NULL). */
static PyObject *retyped(PyObject *items, PyObject *type, Py_ssize_t size, int attributes_at) {
    if (!PyTuple_Check(items) || PyTuple_GET_SIZE(items) != size) {
        return shape_error("a token or attribute");
    }
    PyObject *result = type == NULL ? PyTuple_New(size)
                                    : ((PyTypeObject *)type)->tp_alloc((PyTypeObject *)type, size);
    for (Py_ssize_t i = 0; result != NULL && i < size; i++) {
        PyObject *item = PyTuple_GET_ITEM(items, i);
        if (i == attributes_at) {
            if (!PyTuple_Check(item)) {
                Py_DECREF(result);
                return shape_error("attributes must be a tuple");
            }
            Py_ssize_t count = PyTuple_GET_SIZE(item);
            PyObject *converted = PyTuple_New(count);
            for (Py_ssize_t j = 0; converted != NULL && j < count; j++) {
                PyObject *attribute = retyped(PyTuple_GET_ITEM(item, j),
                                              type == NULL ? NULL : (PyObject *)attribute_type,
                                              5, -1);
                if (attribute == NULL) {
                    Py_CLEAR(converted);
                    break;
                }
                PyTuple_SET_ITEM(converted, j, attribute);
            }
            if (converted == NULL) {
                Py_DECREF(result);
                return NULL;
            }
            PyTuple_SET_ITEM(result, i, converted);
        } else {
            PyTuple_SET_ITEM(result, i, Py_NewRef(item));
        }
    }
    return result;
}

/* `segments._hrefs(tokens)`: the first href attribute of each start tag named in `names` (the
 * link elements), where it has a value. */
static PyObject *link_hrefs(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyList_Check(args[0]) || !PyAnySet_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "link_hrefs(tokens: list[Token], names: frozenset)");
        return NULL;
    }
    PyObject *tokens = args[0], *found = PyList_New(0);
    for (Py_ssize_t i = 0; found != NULL && i < PyList_GET_SIZE(tokens); i++) {
        PyObject *token = PyList_GET_ITEM(tokens, i);
        if (!PyTuple_Check(token) || PyTuple_GET_SIZE(token) != 6) {
            PyErr_SetString(PyExc_TypeError, "link_hrefs: not a token");
            Py_CLEAR(found);
            break;
        }
        PyObject *name = PyTuple_GET_ITEM(token, 3), *attributes = TOKEN_ATTRIBUTES(token);
        int wanted = PyUnicode_Check(name) ? PySet_Contains(args[1], name) : 0;
        if (wanted < 0) {
            Py_CLEAR(found);
            break;
        }
        if (!wanted || !same(TOKEN_KIND(token), kind_start) || !PyTuple_Check(attributes)) {
            continue;
        }
        for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(attributes); j++) {
            PyObject *attribute = PyTuple_GET_ITEM(attributes, j);
            if (!PyTuple_Check(attribute) || PyTuple_GET_SIZE(attribute) != 5 ||
                !PyUnicode_Check(PyTuple_GET_ITEM(attribute, 0))) {
                continue;
            }
            if (same(PyTuple_GET_ITEM(attribute, 0), str_href)) {
                if (PyTuple_GET_ITEM(attribute, 1) != Py_None &&
                    PyList_Append(found, attribute) < 0) {
                    Py_CLEAR(found);
                }
                break;
            }
        }
    }
    if (found == NULL) {
        return NULL;
    }
    PyObject *result = PyList_AsTuple(found);
    Py_DECREF(found);
    return result;
}

/* `site._surely_relative`: whether an href is relative for `urlsplit` without asking it. */
static int surely_relative(PyObject *value) {
    Py_ssize_t start = 0, end = PyUnicode_GET_LENGTH(value);
    int kind = PyUnicode_KIND(value);
    const void *data = PyUnicode_DATA(value);
    while (start < end && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, start))) {
        start++;
    }
    while (end > start && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, end - 1))) {
        end--;
    }
    if (start == end || PyUnicode_READ(kind, data, start) <= ' ' ||
        PyUnicode_READ(kind, data, start) == '/') {
        return 0;
    }
    for (Py_ssize_t i = start; i < end; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c == ':' || c == '\t' || c == '\n' || c == '\r') {
            return 0;
        }
    }
    return 1;
}

/* `site._maybe_absolute`: the hrefs (Attributes) whose value is not surely relative. */
static PyObject *maybe_absolute(PyObject *module, PyObject *hrefs) {
    if (!PyTuple_Check(hrefs)) {
        PyErr_SetString(PyExc_TypeError, "maybe_absolute(hrefs: tuple[Attribute, ...])");
        return NULL;
    }
    PyObject *found = PyList_New(0);
    for (Py_ssize_t i = 0; found != NULL && i < PyTuple_GET_SIZE(hrefs); i++) {
        PyObject *href = PyTuple_GET_ITEM(hrefs, i);
        if (!PyTuple_Check(href) || PyTuple_GET_SIZE(href) != 5) {
            PyErr_SetString(PyExc_TypeError, "maybe_absolute: not an attribute");
            Py_CLEAR(found);
            break;
        }
        PyObject *value = PyTuple_GET_ITEM(href, 1);
        if (value != Py_None && (!PyUnicode_Check(value) || !surely_relative(value)) &&
            PyList_Append(found, href) < 0) {
            Py_CLEAR(found);
        }
    }
    if (found == NULL) {
        return NULL;
    }
    PyObject *result = PyList_AsTuple(found);
    Py_DECREF(found);
    return result;
}

static PyObject *attributes_as(PyObject *attributes, PyObject *type) {
    if (!cache_configured()) {
        return NULL;
    }
    if (!PyTuple_Check(attributes)) {
        return shape_error("attributes must be a tuple");
    }
    Py_ssize_t count = PyTuple_GET_SIZE(attributes);
    PyObject *result = PyTuple_New(count);
    for (Py_ssize_t i = 0; result != NULL && i < count; i++) {
        PyObject *attribute = retyped(PyTuple_GET_ITEM(attributes, i), type, 5, -1);
        if (attribute == NULL) {
            Py_CLEAR(result);
            break;
        }
        PyTuple_SET_ITEM(result, i, attribute);
    }
    return result;
}

static PyObject *pack_attributes(PyObject *module, PyObject *attributes) {
    return attributes_as(attributes, NULL);
}

static PyObject *unpack_attributes(PyObject *module, PyObject *rows) {
    return attributes_as(rows, (PyObject *)attribute_type);
}



/* Words for status and thresholds.
 *
 * `count_words(text)` is `model.count_words(text, accelerated=False)`: placeholders (`<1>`,
 * `</1>`, `<2/>`) part words, each character of the CJK ranges of `model._WORD_PATTERN` is a word,
 * and so is each run of letters and digits with inner apostrophes, full stops and hyphens.
 */

/* `str.isalnum` of one character: ASCII by a test, the rest by Unicode's tables (four
 * look-ups a character, a quarter of counting a catalog's words). */
static inline int is_alnum(Py_UCS4 c) {
    if (c < 128) {
        return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
    }
    return Py_UNICODE_ISALNUM(c);
}

static inline int is_cjk(Py_UCS4 c) {
    return (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x4dbf) ||
           (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff) ||
           (c >= 0xff66 && c <= 0xff9f);
}

/* The end of a placeholder `<(/?)(\d+)(/?)>` at `at`, or -1. */
static Py_ssize_t placeholder_end(int kind, const void *data, Py_ssize_t length, Py_ssize_t at) {
    Py_ssize_t i = at + 1;
    if (i < length && PyUnicode_READ(kind, data, i) == '/') {
        i++;
    }
    Py_ssize_t digits = i;
    while (i < length && Py_UNICODE_ISDECIMAL(PyUnicode_READ(kind, data, i))) {
        i++;
    }
    if (i == digits) {
        return -1;
    }
    if (i < length && PyUnicode_READ(kind, data, i) == '/') {
        i++;
    }
    return i < length && PyUnicode_READ(kind, data, i) == '>' ? i + 1 : -1;
}

static Py_ssize_t words_in(PyObject *text) {
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t length = PyUnicode_GET_LENGTH(text), words = 0, i = 0;
    while (i < length) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c == '<') {
            Py_ssize_t end = placeholder_end(kind, data, length, i);
            i = end < 0 ? i + 1 : end;
            continue;
        }
        if (is_cjk(c)) {
            words++;
            i++;
            continue;
        }
        if (!is_alnum(c)) {
            i++;
            continue;
        }
        words++; /* a run, and each joiner that has a letter or digit after it */
        for (;;) {
            while (i < length && is_alnum(PyUnicode_READ(kind, data, i))) {
                i++;
            }
            Py_UCS4 joiner = i + 1 < length ? PyUnicode_READ(kind, data, i) : 0;
            if ((joiner == '\'' || joiner == 0x2019 || joiner == '.' || joiner == '-') &&
                is_alnum(PyUnicode_READ(kind, data, i + 1))) {
                i++;
                continue;
            }
            break;
        }
    }
    return words;
}

static PyObject *count_words(PyObject *module, PyObject *text) {
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "count_words(text: str)");
        return NULL;
    }
    return PyLong_FromSsize_t(words_in(text));
}

#define MESSAGE_SLOT(message, field) (*(PyObject **)((char *)(message) + message_offsets[field]))

/* `Message.translated`: 1, 0, or -1 on error (a message of another shape). */
static int is_translated(PyObject *message) {
    PyObject *flags = MESSAGE_SLOT(message, M_FLAGS), *plural = MESSAGE_SLOT(message, M_MSGID_PLURAL);
    if (!PyTuple_Check(flags)) {
        PyErr_SetString(PyExc_TypeError, "a message's flags must be a tuple");
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(flags); i++) {
        PyObject *flag = PyTuple_GET_ITEM(flags, i);
        if (PyUnicode_Check(flag) && PyUnicode_CompareWithASCIIString(flag, "fuzzy") == 0) {
            return 0;
        }
    }
    int obsolete = PyObject_IsTrue(MESSAGE_SLOT(message, M_OBSOLETE));
    if (obsolete != 0) {
        return obsolete < 0 ? -1 : 0;
    }
    if (plural != Py_None) {
        PyObject *forms = MESSAGE_SLOT(message, M_MSGSTR_PLURAL);
        if (!PyTuple_Check(forms)) {
            PyErr_SetString(PyExc_TypeError, "a message's msgstr_plural must be a tuple");
            return -1;
        }
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(forms); i++) {
            int filled_form = PyObject_IsTrue(PyTuple_GET_ITEM(forms, i));
            if (filled_form <= 0) {
                return filled_form;
            }
        }
        return PyTuple_GET_SIZE(forms) > 0;
    }
    return PyObject_IsTrue(MESSAGE_SLOT(message, M_MSGSTR));
}

/* The messages of a catalog, each checked to be a Message: 0, or -1 with an error. */
static int all_messages(PyObject *messages) {
    if (message_type == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "_speedups.configure_catalog() was not called");
        return -1;
    }
    if (!PyTuple_Check(messages)) {
        PyErr_SetString(PyExc_TypeError, "messages must be a tuple");
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(messages); i++) {
        PyObject *message = PyTuple_GET_ITEM(messages, i);
        if (Py_TYPE(message) != (PyTypeObject *)message_type ||
            !PyUnicode_Check(MESSAGE_SLOT(message, M_MSGID))) {
            PyErr_SetString(PyExc_TypeError, "not a Message");
            return -1;
        }
    }
    return 0;
}

/* `status.word_progress`'s sums: (words translated, words in all) of the active messages. */
static PyObject *catalog_words(PyObject *module, PyObject *messages) {
    if (all_messages(messages) < 0) {
        return NULL;
    }
    Py_ssize_t translated = 0, total = 0;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(messages); i++) {
        PyObject *message = PyTuple_GET_ITEM(messages, i);
        int obsolete = PyObject_IsTrue(MESSAGE_SLOT(message, M_OBSOLETE));
        if (obsolete != 0) {
            if (obsolete < 0) {
                return NULL;
            }
            continue;
        }
        Py_ssize_t words = words_in(MESSAGE_SLOT(message, M_MSGID));
        int done = is_translated(message);
        if (done < 0) {
            return NULL;
        }
        total += words;
        translated += done ? words : 0;
    }
    return Py_BuildValue("(nn)", translated, total);
}

/* `read_entry`'s lean result: the key (obsolete, msgctxt, msgid), and in `*lean` whether the
 * entry is translated (`Message.translated`: not fuzzy, not obsolete, a msgstr) and, when
 * wanted, its msgstr. */
static PyObject *counted_entry(PyObject *text, const Text *t, int obsolete, Comments *c,
                               Py_ssize_t context_first, Py_ssize_t context_end,
                               Py_ssize_t msgid_first, Py_ssize_t msgid_end,
                               Py_ssize_t msgstr_first, Py_ssize_t msgstr_end, Lean *lean) {
    Py_ssize_t skip = obsolete ? 3 : 0;
    int fuzzy = 0;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(c->flags); i++) {
        fuzzy = fuzzy || PyUnicode_CompareWithASCIIString(PyList_GET_ITEM(c->flags, i),
                                                          "fuzzy") == 0;
    }
    lean->done = !obsolete && !fuzzy && strings_filled(t, msgstr_first, msgstr_end, skip);
    lean->msgstr = NULL;
    if (lean->done && lean->want_msgstr) {
        lean->msgstr = strings_value(text, t, msgstr_first, msgstr_end, skip);
        if (lean->msgstr == NULL) {
            return NULL;
        }
    }
    PyObject *msgid = strings_value(text, t, msgid_first, msgid_end, skip);
    PyObject *msgctxt = context_end < 0 ? Py_NewRef(Py_None)
                                        : strings_value(text, t, context_first, context_end, skip);
    PyObject *key = msgid == NULL || msgctxt == NULL
                        ? NULL
                        : PyTuple_Pack(3, obsolete ? Py_True : Py_False, msgctxt, msgid);
    Py_XDECREF(msgid);
    Py_XDECREF(msgctxt);
    if (key == NULL) {
        Py_CLEAR(lean->msgstr);
    }
    return key;
}

/* Read a text in the canonical layout, each entry given to `take(state, key, obsolete, lean)`
 * with its key (obsolete, msgctxt, msgid). READ_WHOLE (`read_canonical`) makes every entry a
 * Message. The lean modes read the first entry whole (`*header` is it when it is the header:
 * msgid "", no context, not obsolete; it is not taken) and the others lean, and send a header
 * after the first entry to the parser: READ_WORDS (`canonical_words`) keeps only keys and
 * states, READ_TRANSLATIONS (`canonical_translations`) also msgstrs and lines. 1 when read,
 * 0 when the text is not canonical or has a duplicate (then it must be parsed), -1 on error. */
static int catalog_entries(PyObject *text, int mode, LeanTake take, void *state,
                           PyObject **header) {
    *header = NULL;
    if (message_type == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "_speedups.configure_catalog() was not called");
        return -1;
    }
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "a catalog's text must be a str");
        return -1;
    }
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    if (length == 0 || PyUnicode_READ_CHAR(text, length - 1) != '\n') {
        PyObject *ended = PyUnicode_Concat(text, str_newline);
        if (ended == NULL) {
            return -1;
        }
        int read = catalog_entries(ended, mode, take, state, header);
        Py_DECREF(ended);
        return read;
    }
    Text t = {PyUnicode_KIND(text), PyUnicode_DATA(text), length};
    Py_ssize_t position = 0;
    while (position < length && PyUnicode_READ(t.kind, t.data, position) == '\n') {
        position++;
    }
    Py_ssize_t line = position + 1; /* every character skipped was a newline */
    PyObject *seen = PySet_New(NULL);
    int failed = seen == NULL, canonical = 1;
    int want_msgstr = mode == READ_TRANSLATIONS, lines = mode != READ_WORDS;
    for (int first = 1; !failed && canonical && position < length; first = 0) {
        PyObject *entry_or_key = NULL, *key = NULL; /* a Message read whole, or a lean key */
        Lean lean = {want_msgstr, 0, NULL, 0, NULL};
        Py_ssize_t end = position;
        int whole = first || mode == READ_WHOLE;
        Lean *reading = whole ? NULL : &lean;
        int obsolete = 0,
            read = read_entry(text, &t, position, 0, line, &entry_or_key, &end, reading);
        if (read == 0) {
            obsolete = 1;
            read = read_entry(text, &t, position, 1, line, &entry_or_key, &end, reading);
        }
        if (read != 1) {
            failed = read < 0;
            canonical = 0; /* not canonical, or a header after the first entry */
            break;
        }
        if (whole) {
            PyObject *msgid = MESSAGE_SLOT(entry_or_key, M_MSGID),
                     *msgctxt = MESSAGE_SLOT(entry_or_key, M_MSGCTXT);
            lean.message = entry_or_key;
            if (mode == READ_WHOLE) {
                /* the parser finds the header among the messages */
            } else if (!obsolete && msgctxt == Py_None && PyUnicode_GET_LENGTH(msgid) == 0) {
                *header = Py_NewRef(entry_or_key);
            } else {
                lean.done = is_translated(entry_or_key);
                failed = lean.done < 0;
                lean.line = PyLong_AsSsize_t(MESSAGE_SLOT(entry_or_key, M_LINE));
                lean.msgstr = lean.done > 0 && want_msgstr
                                  ? Py_NewRef(MESSAGE_SLOT(entry_or_key, M_MSGSTR))
                                  : NULL;
            }
            key = failed ? NULL : PyTuple_Pack(3, obsolete ? Py_True : Py_False, msgctxt, msgid);
        } else {
            key = entry_or_key;
        }
        int known = key == NULL ? -1 : PySet_Contains(seen, key);
        if (known == 0) {
            failed = PySet_Add(seen, key) < 0 ||
                     (*header == NULL || !first ? take(state, key, obsolete, &lean) < 0 : 0);
        } else {
            failed = known < 0;
            canonical = 0; /* a duplicate: `_read_lines` names both lines */
        }
        Py_XDECREF(key);
        Py_XDECREF(lean.msgstr);
        if (whole) {
            Py_DECREF(entry_or_key);
        }
        for (Py_ssize_t i = position; lines && i < end; i++) {
            line += PyUnicode_READ(t.kind, t.data, i) == '\n';
        }
        position = end;
    }
    Py_XDECREF(seen);
    if (failed || !canonical) {
        Py_CLEAR(*header);
    }
    return failed ? -1 : canonical;
}

static int take_message(void *messages, PyObject *key, int obsolete, const Lean *lean) {
    return PyList_Append(messages, lean->message);
}

typedef struct {
    Py_ssize_t translated, total;
} Words;

static int take_words(void *state, PyObject *key, int obsolete, const Lean *lean) {
    Words *words = state;
    if (!obsolete) {
        Py_ssize_t count = words_in(PyTuple_GET_ITEM(key, 2));
        words->total += count;
        words->translated += lean->done ? count : 0;
    }
    return 0;
}

/* `status.word_progress(parse_po(text))`'s sums without making the messages: (words
 * translated, words in all, the header Message or None) of a canonically laid out text
 * whose header, if any, is its first entry; None for any other text (then parse it). */
static PyObject *canonical_words(PyObject *module, PyObject *text) {
    Words words = {0, 0};
    PyObject *header;
    int read = catalog_entries(text, READ_WORDS, take_words, &words, &header);
    if (read <= 0) {
        return read < 0 ? NULL : Py_NewRef(Py_None);
    }
    PyObject *result =
        Py_BuildValue("(nnO)", words.translated, words.total, header ? header : Py_None);
    Py_XDECREF(header);
    return result;
}

typedef struct {
    PyObject *done, *lines;
} Translated;

static int take_translation(void *state, PyObject *key, int obsolete, const Lean *lean) {
    Translated *translated = state;
    if (obsolete) {
        return 0;
    }
    PyObject *pair = PyTuple_Pack(2, PyTuple_GET_ITEM(key, 1), PyTuple_GET_ITEM(key, 2));
    PyObject *line = pair == NULL ? NULL : PyLong_FromSsize_t(lean->line);
    int failed = line == NULL ||
                 (lean->msgstr != NULL && PyDict_SetItem(translated->done, pair, lean->msgstr) < 0) ||
                 PyDict_SetItem(translated->lines, pair, line) < 0;
    Py_XDECREF(pair);
    Py_XDECREF(line);
    return failed ? -1 : 0;
}

/* `model.translations_and_lines(parse_po(text))` without making the messages: ({key: msgstr}
 * of the translated entries, {key: line} of the active ones, the header Message or None) of
 * a canonically laid out text whose header, if any, is its first entry; None for any other
 * text (then parse it). */
static PyObject *canonical_translations(PyObject *module, PyObject *text) {
    Translated translated = {PyDict_New(), PyDict_New()};
    PyObject *header = NULL, *result = NULL;
    int read = translated.done == NULL || translated.lines == NULL
                   ? -1
                   : catalog_entries(text, READ_TRANSLATIONS, take_translation, &translated,
                                     &header);
    if (read > 0) {
        result = Py_BuildValue("(OOO)", translated.done, translated.lines,
                               header ? header : Py_None);
    } else if (read == 0) {
        result = Py_NewRef(Py_None);
    }
    Py_XDECREF(header);
    Py_XDECREF(translated.done);
    Py_XDECREF(translated.lines);
    return result;
}

/* `workflow._translations`' dictionaries: {key: msgstr} of the finished singular messages and
 * {key: line} of every active one. */
static PyObject *catalog_translations(PyObject *module, PyObject *messages) {
    if (all_messages(messages) < 0) {
        return NULL;
    }
    PyObject *done = PyDict_New(), *lines = PyDict_New();
    int failed = done == NULL || lines == NULL;
    for (Py_ssize_t i = 0; !failed && i < PyTuple_GET_SIZE(messages); i++) {
        PyObject *message = PyTuple_GET_ITEM(messages, i);
        int obsolete = PyObject_IsTrue(MESSAGE_SLOT(message, M_OBSOLETE));
        if (obsolete != 0) {
            failed = obsolete < 0;
            continue;
        }
        PyObject *key = PyTuple_Pack(2, MESSAGE_SLOT(message, M_MSGCTXT),
                                     MESSAGE_SLOT(message, M_MSGID));
        int finished = key == NULL ? -1 : is_translated(message);
        failed = finished < 0 ||
                 (finished && MESSAGE_SLOT(message, M_MSGID_PLURAL) == Py_None &&
                  PyDict_SetItem(done, key, MESSAGE_SLOT(message, M_MSGSTR)) < 0) ||
                 PyDict_SetItem(lines, key, MESSAGE_SLOT(message, M_LINE)) < 0;
        Py_XDECREF(key);
    }
    PyObject *result = failed ? NULL : PyTuple_Pack(2, done, lines);
    Py_XDECREF(done);
    Py_XDECREF(lines);
    return result;
}

/* Splicing translations into a page (pipeline.build).
 *
 * `segment_edit(segment, msgstr, newline, leaves)` is `build._segment_edit`: the msgstr cut at
 * the segment's own placeholders, its text escaped for element content and each placeholder
 * replaced by the page's tag (copied as a Span, with the `leaves`, the attribute and site edits
 * inside it, applied). `same_placeholders(a, b)` is `PLACEHOLDER_RE.findall(a) ==
 * PLACEHOLDER_RE.findall(b)`. `assemble_text(text, edits)` is `build._assembled_text`:
 * the page's text with the edits (sorted, not overlapping) applied.
 */

enum { E_START, E_END, E_PIECES, E_FIELDS };
static const char *edit_fields[E_FIELDS] = {"start", "end", "pieces"};
static Py_ssize_t edit_offsets[E_FIELDS];
static PyObject *edit_type; /* build.Edit */
static PyTypeObject *span_type; /* build.Span, a named tuple */

static PyObject *configure_build(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyType_Check(args[1]) ||
        !PyType_IsSubtype((PyTypeObject *)args[1], &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "configure_build(Edit, Span: a named tuple)");
        return NULL;
    }
    if (read_slot_offsets(args[0], "configure_build", edit_fields, E_FIELDS, edit_offsets) < 0) {
        return NULL;
    }
    Py_XSETREF(edit_type, Py_NewRef(args[0]));
    Py_XSETREF(span_type, (PyTypeObject *)Py_NewRef(args[1]));
    Py_RETURN_NONE;
}

static int build_configured(void) {
    if (edit_type == NULL || segment_type == NULL || placeholder_type == NULL) {
        PyErr_SetString(PyExc_RuntimeError,
                        "_speedups.configure_build(), configure_walk() and "
                        "configure_segments() were not called");
        return 0;
    }
    return 1;
}

/* One match of `<(/?)(\d+)(/?)>` at or after `from`, as re.finditer finds them. */
typedef struct {
    Py_ssize_t start, end, digits_start, digits_end;
    int slash_before, slash_after;
} PlaceholderMatch;

static int next_placeholder(int kind, const void *data, Py_ssize_t length, Py_ssize_t from,
                            PlaceholderMatch *match) {
    for (Py_ssize_t i = from; i < length; i++) {
        if (PyUnicode_READ(kind, data, i) != '<') {
            continue;
        }
        Py_ssize_t j = i + 1;
        int slash_before = j < length && PyUnicode_READ(kind, data, j) == '/';
        j += slash_before;
        Py_ssize_t digits_start = j;
        while (j < length && Py_UNICODE_ISDECIMAL(PyUnicode_READ(kind, data, j))) {
            j++;
        }
        if (j == digits_start) {
            continue;
        }
        Py_ssize_t digits_end = j;
        int slash_after = j < length && PyUnicode_READ(kind, data, j) == '/';
        j += slash_after;
        if (j >= length || PyUnicode_READ(kind, data, j) != '>') {
            continue;
        }
        *match = (PlaceholderMatch){i, j + 1, digits_start, digits_end, slash_before, slash_after};
        return 1;
    }
    return 0;
}

static PyObject *same_placeholders(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyUnicode_Check(args[0]) || !PyUnicode_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "same_placeholders(text: str, other: str)");
        return NULL;
    }
    PyObject *a = args[0], *b = args[1];
    int a_kind = PyUnicode_KIND(a), b_kind = PyUnicode_KIND(b);
    const void *a_data = PyUnicode_DATA(a), *b_data = PyUnicode_DATA(b);
    Py_ssize_t a_length = PyUnicode_GET_LENGTH(a), b_length = PyUnicode_GET_LENGTH(b);
    Py_ssize_t a_at = 0, b_at = 0;
    for (;;) {
        PlaceholderMatch m, n;
        int in_a = next_placeholder(a_kind, a_data, a_length, a_at, &m);
        int in_b = next_placeholder(b_kind, b_data, b_length, b_at, &n);
        if (!in_a || !in_b) {
            return PyBool_FromLong(in_a == in_b);
        }
        Py_ssize_t digits = m.digits_end - m.digits_start;
        if (m.slash_before != n.slash_before || m.slash_after != n.slash_after ||
            digits != n.digits_end - n.digits_start) {
            Py_RETURN_FALSE;
        }
        for (Py_ssize_t k = 0; k < digits; k++) {
            if (PyUnicode_READ(a_kind, a_data, m.digits_start + k) !=
                PyUnicode_READ(b_kind, b_data, n.digits_start + k)) {
                Py_RETURN_FALSE;
            }
        }
        a_at = m.end;
        b_at = n.end;
    }
}

/* The number a placeholder match spells as `str(Tag)` would write it (ASCII digits, no
 * leading zero, not both slashes), or -1 for a look-alike such as `</1/>` or `<01>`. */
static long long spelled_number(int kind, const void *data, const PlaceholderMatch *m) {
    Py_ssize_t digits = m->digits_end - m->digits_start;
    if ((m->slash_before && m->slash_after) || digits > 18 ||
        (digits > 1 && PyUnicode_READ(kind, data, m->digits_start) == '0')) {
        return -1;
    }
    long long number = 0;
    for (Py_ssize_t k = m->digits_start; k < m->digits_end; k++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, k);
        if (c < '0' || c > '9') {
            return -1;
        }
        number = number * 10 + (c - '0');
    }
    return number;
}

/* The segment's placeholder numbered `number` (borrowed), or NULL (no error set). */
static PyObject *placeholder_numbered(PyObject *placeholders, long long number) {
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(placeholders); i++) {
        PyObject *placeholder = PyTuple_GET_ITEM(placeholders, i);
        PyObject *own = SLOT(placeholder, placeholder_offsets, P_NUMBER);
        int overflow = 0;
        long long value = PyLong_Check(own) ? PyLong_AsLongLongAndOverflow(own, &overflow) : -2;
        if (!overflow && value == number) {
            return placeholder;
        }
    }
    return NULL;
}

/* `build.escape_text(text[start:end], newline)`, appended to `pieces`. */
static int append_escaped(PyObject *pieces, PyObject *text, Py_ssize_t start, Py_ssize_t end,
                          PyObject *newline) {
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t newline_length = PyUnicode_GET_LENGTH(newline);
    int newline_kind = PyUnicode_KIND(newline);
    const void *newline_data = PyUnicode_DATA(newline);
    int plain_newline = newline_length == 1 && PyUnicode_READ(newline_kind, newline_data, 0) == '\n';
    Py_ssize_t length = 0;
    int has_nul = 0, changed = 0;
    for (Py_ssize_t i = start; i < end; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        switch (c) {
        case '&': length += 5; changed = 1; break;
        case '<': case '>': length += 4; changed = 1; break;
        case 0: length += 1; has_nul = changed = 1; break;
        case '\r':
            if (i + 1 < end && PyUnicode_READ(kind, data, i + 1) == '\n') {
                i++;
            }
            length += newline_length;
            changed = 1;
            break;
        case '\n': length += newline_length; changed |= !plain_newline; break;
        default: length += 1;
        }
    }
    if (!changed) {
        PyObject *piece = PyUnicode_Substring(text, start, end);
        if (piece == NULL) {
            return -1;
        }
        int failed = PyList_Append(pieces, piece);
        Py_DECREF(piece);
        return failed;
    }
    Py_UCS4 most = PyUnicode_MAX_CHAR_VALUE(text);
    if (start != 0 || end != PyUnicode_GET_LENGTH(text)) { /* a part's own widest character */
        most = 0x7f;
        for (Py_ssize_t i = start; i < end; i++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, i);
            most = c > most ? c : most;
        }
        most = most > 0xffff ? 0x10ffff : most > 0xff ? 0xffff : most > 0x7f ? 0xff : 0x7f;
    }
    if (has_nul && most < 0xfffd) {
        most = 0xfffd;
    }
    Py_UCS4 newline_most = PyUnicode_MAX_CHAR_VALUE(newline);
    most = newline_most > most ? newline_most : most;
    PyObject *piece = PyUnicode_New(length, most);
    if (piece == NULL) {
        return -1;
    }
    int out_kind = PyUnicode_KIND(piece);
    void *out = PyUnicode_DATA(piece);
    Py_ssize_t at = 0;
#define PUT(c) PyUnicode_WRITE(out_kind, out, at++, (c))
    for (Py_ssize_t i = start; i < end; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        switch (c) {
        case '&': PUT('&'); PUT('a'); PUT('m'); PUT('p'); PUT(';'); break;
        case '<': PUT('&'); PUT('l'); PUT('t'); PUT(';'); break;
        case '>': PUT('&'); PUT('g'); PUT('t'); PUT(';'); break;
        case 0: PUT(0xfffd); break;
        case '\r':
            if (i + 1 < end && PyUnicode_READ(kind, data, i + 1) == '\n') {
                i++;
            }
            /* fall through */
        case '\n':
            for (Py_ssize_t k = 0; k < newline_length; k++) {
                PUT(PyUnicode_READ(newline_kind, newline_data, k));
            }
            break;
        default: PUT(c);
        }
    }
#undef PUT
    int failed = PyList_Append(pieces, piece);
    Py_DECREF(piece);
    return failed;
}

static PyObject *new_span(Py_ssize_t start, Py_ssize_t end) {
    PyObject *span = span_type->tp_alloc(span_type, 2);
    PyObject *start_object = PyLong_FromSsize_t(start);
    PyObject *end_object = PyLong_FromSsize_t(end);
    if (span == NULL || start_object == NULL || end_object == NULL) {
        Py_XDECREF(span);
        Py_XDECREF(start_object);
        Py_XDECREF(end_object);
        return NULL;
    }
    PyTuple_SET_ITEM(span, 0, start_object);
    PyTuple_SET_ITEM(span, 1, end_object);
    return span;
}

static int append_span(PyObject *pieces, Py_ssize_t start, Py_ssize_t end) {
    PyObject *span = new_span(start, end);
    if (span == NULL) {
        return -1;
    }
    int failed = PyList_Append(pieces, span);
    Py_DECREF(span);
    return failed;
}

static int slot_index(PyObject *object, Py_ssize_t *offsets, int field, Py_ssize_t *value) {
    *value = PyLong_AsSsize_t(SLOT(object, offsets, field));
    return *value == -1 && PyErr_Occurred() ? -1 : 0;
}

/* `build._copy(start, end, leaves)`, appended to `pieces`. */
static int append_copy(PyObject *pieces, Py_ssize_t start, Py_ssize_t end, PyObject *leaves) {
    Py_ssize_t position = start;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(leaves); i++) {
        PyObject *leaf = PyList_GET_ITEM(leaves, i);
        Py_ssize_t leaf_start, leaf_end;
        if (Py_TYPE(leaf) != (PyTypeObject *)edit_type) {
            PyErr_SetString(PyExc_TypeError, "segment_edit: leaves must be Edits");
            return -1;
        }
        if (slot_index(leaf, edit_offsets, E_START, &leaf_start) < 0 ||
            slot_index(leaf, edit_offsets, E_END, &leaf_end) < 0) {
            return -1;
        }
        if (leaf_start < start || leaf_end > end) {
            continue;
        }
        if (leaf_start > position && append_span(pieces, position, leaf_start) < 0) {
            return -1;
        }
        PyObject *leaf_pieces = SLOT(leaf, edit_offsets, E_PIECES);
        if (!PyTuple_Check(leaf_pieces)) {
            PyErr_SetString(PyExc_TypeError, "segment_edit: an Edit's pieces must be a tuple");
            return -1;
        }
        for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(leaf_pieces); k++) {
            if (PyList_Append(pieces, PyTuple_GET_ITEM(leaf_pieces, k)) < 0) {
                return -1;
            }
        }
        position = leaf_end;
    }
    return end > position ? append_span(pieces, position, end) : 0;
}

static int append_segment_pieces(PyObject *pieces, PyObject *segment, PyObject *msgstr,
                                 PyObject *newline, PyObject *leaves) {
    PyObject *placeholders = SLOT(segment, segment_offsets, S_PLACEHOLDERS);
    if (!PyTuple_Check(placeholders)) {
        PyErr_SetString(PyExc_TypeError, "segment_edit: placeholders must be a tuple");
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(placeholders); i++) {
        if (Py_TYPE(PyTuple_GET_ITEM(placeholders, i)) != (PyTypeObject *)placeholder_type) {
            PyErr_SetString(PyExc_TypeError, "segment_edit: not a Placeholder");
            return -1;
        }
    }
    int kind = PyUnicode_KIND(msgstr);
    const void *data = PyUnicode_DATA(msgstr);
    Py_ssize_t length = PyUnicode_GET_LENGTH(msgstr);
    Py_ssize_t position = 0, from = 0;
    PlaceholderMatch match;
    while (next_placeholder(kind, data, length, from, &match)) {
        from = match.end;
        long long number = spelled_number(kind, data, &match);
        PyObject *placeholder = number < 0 ? NULL : placeholder_numbered(placeholders, number);
        if (placeholder == NULL) {
            continue; /* not one of the segment's: stays part of the literal */
        }
        if (match.start > position &&
            append_escaped(pieces, msgstr, position, match.start, newline) < 0) {
            return -1;
        }
        position = match.end;
        Py_ssize_t span_start, span_end;
        int closing = match.slash_before;
        if (slot_index(placeholder, placeholder_offsets, closing ? P_CLOSE_START : P_OPEN_START,
                       &span_start) < 0 ||
            slot_index(placeholder, placeholder_offsets, closing ? P_CLOSE_END : P_OPEN_END,
                       &span_end) < 0) {
            return -1;
        }
        if (closing && span_start < 0) {
            span_start = span_end = 0;
        }
        if (span_start < span_end && append_copy(pieces, span_start, span_end, leaves) < 0) {
            return -1;
        }
    }
    return position < length ? append_escaped(pieces, msgstr, position, length, newline) : 0;
}

static PyObject *segment_edit(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (!build_configured()) {
        return NULL;
    }
    if (nargs != 4 || Py_TYPE(args[0]) != (PyTypeObject *)segment_type ||
        !PyUnicode_Check(args[1]) || !PyUnicode_Check(args[2]) || !PyList_Check(args[3])) {
        PyErr_SetString(PyExc_TypeError,
                        "segment_edit(segment: Segment, msgstr: str, newline: str, "
                        "leaves: list[Edit])");
        return NULL;
    }
    PyObject *pieces = PyList_New(0);
    if (pieces == NULL) {
        return NULL;
    }
    if (append_segment_pieces(pieces, args[0], args[1], args[2], args[3]) < 0) {
        Py_DECREF(pieces);
        return NULL;
    }
    PyObject *piece_tuple = PyList_AsTuple(pieces);
    Py_DECREF(pieces);
    if (piece_tuple == NULL) {
        return NULL;
    }
    PyObject *values[E_FIELDS] = {SLOT(args[0], segment_offsets, S_START),
                                  SLOT(args[0], segment_offsets, S_END), piece_tuple};
    PyObject *edit = filled(edit_type, edit_offsets, values, E_FIELDS);
    Py_DECREF(piece_tuple);
    return edit;
}

/* `build.escape_attribute(build._newlines(msgstr, newline), quote)`: the value of a translated
 * attribute, escaped for the quotes it is written in ("" keeps it unquoted). */
static PyObject *attribute_value(PyObject *msgstr, PyObject *newline, PyObject *quote) {
    int kind = PyUnicode_KIND(msgstr), newline_kind = PyUnicode_KIND(newline);
    const void *data = PyUnicode_DATA(msgstr), *newline_data = PyUnicode_DATA(newline);
    Py_ssize_t length = PyUnicode_GET_LENGTH(msgstr);
    Py_ssize_t newline_length = PyUnicode_GET_LENGTH(newline);
    Py_UCS4 mark = PyUnicode_GET_LENGTH(quote) ? PyUnicode_READ_CHAR(quote, 0) : 0;
    /* the longest escape is 6 characters (&quot;), a line break's each character 5 (&#13;) */
    Py_ssize_t most = length * (6 > 5 * newline_length ? 6 : 5 * newline_length) + 2;
    Py_UCS4 *out = PyMem_Malloc(sizeof(Py_UCS4) * (size_t)most);
    if (out == NULL) {
        return PyErr_NoMemory();
    }
    Py_ssize_t at = 0;
#define PUTS(text)                                                                                 \
    for (const char *c = (text); *c; c++) {                                                        \
        out[at++] = (Py_UCS4)*c;                                                                   \
    }
    for (Py_ssize_t i = 0; i < length; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        Py_ssize_t repeat = 1;
        const void *from = NULL;
        if (c == '\r' || c == '\n') { /* a line break, in the page's own */
            if (c == '\r' && i + 1 < length && PyUnicode_READ(kind, data, i + 1) == '\n') {
                i++;
            }
            repeat = newline_length;
            from = newline_data;
        }
        for (Py_ssize_t k = 0; k < repeat; k++) {
            Py_UCS4 d = from == NULL ? c : PyUnicode_READ(newline_kind, from, k);
            if (d == '&') {
                PUTS("&amp;");
            } else if (d == '<') {
                PUTS("&lt;");
            } else if (d == '>') {
                PUTS("&gt;");
            } else if (d == 0) {
                out[at++] = 0xfffd;
            } else if (d == '\'' && mark == '\'') {
                PUTS("&#39;");
            } else if (d == '"' && mark != '\'') {
                PUTS("&quot;");
            } else if (mark == 0 && (d == '\t' || d == '\n' || d == '\f' || d == '\r' || d == ' ' ||
                                     d == '\'' || d == '=' || d == '`')) {
                char reference[16];
                snprintf(reference, sizeof reference, "&#%u;", (unsigned)d);
                PUTS(reference);
            } else {
                out[at++] = d;
            }
        }
    }
    if (at == 0 && mark == 0) {
        PUTS("\"\"");
    }
#undef PUTS
    PyObject *value = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out, at);
    PyMem_Free(out);
    return value;
}

/* A leaf's (start, end) and its index, for sorting the leaves as `sorted` with the key
 * (start, end) does: ties keep their order. */
typedef struct {
    Py_ssize_t start, end, index;
} Leaf;

static int leaf_order(const void *a, const void *b) {
    const Leaf *x = a, *y = b;
    if (x->start != y->start) {
        return x->start < y->start ? -1 : 1;
    }
    if (x->end != y->end) {
        return x->end < y->end ? -1 : 1;
    }
    return x->index < y->index ? -1 : x->index > y->index;
}

/* `build.translate_page`'s loop: ([edits], [problems]) for the page's segments, where
 * `trouble(segment, msgstr)` (Python) says what is wrong with a msgstr whose placeholders are
 * not in the msgid's order, or None. */
static PyObject *translated_edits(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (!build_configured()) {
        return NULL;
    }
    if (nargs != 5 || !PyTuple_Check(args[0]) || !PyDict_Check(args[1]) ||
        !PyUnicode_Check(args[2]) || !PyTuple_Check(args[3]) || !PyCallable_Check(args[4])) {
        PyErr_SetString(PyExc_TypeError,
                        "translated_edits(segments: tuple, translations: dict, newline: str, "
                        "site_edits: tuple, trouble)");
        return NULL;
    }
    PyObject *segments = args[0], *translations = args[1], *newline = args[2];
    PyObject *leaves = PySequence_List(args[3]), *chosen = PyList_New(0);
    PyObject *problems = PyList_New(0), *edits = PyList_New(0), *sorted_leaves = NULL;
    Leaf *order = NULL;
    char *consumed = NULL;
    int failed = leaves == NULL || chosen == NULL || problems == NULL || edits == NULL;
    for (Py_ssize_t i = 0; !failed && i < PyList_GET_SIZE(leaves); i++) {
        failed = Py_TYPE(PyList_GET_ITEM(leaves, i)) != (PyTypeObject *)edit_type;
        if (failed) {
            PyErr_SetString(PyExc_TypeError, "translated_edits: site edits must be Edits");
        }
    }
    for (Py_ssize_t i = 0; !failed && i < PyTuple_GET_SIZE(segments); i++) {
        PyObject *segment = PyTuple_GET_ITEM(segments, i);
        if (Py_TYPE(segment) != (PyTypeObject *)segment_type) {
            PyErr_SetString(PyExc_TypeError, "translated_edits: not a Segment");
            failed = 1;
            break;
        }
        PyObject *msgid = SLOT(segment, segment_offsets, S_MSGID);
        PyObject *key = PyTuple_Pack(2, SLOT(segment, segment_offsets, S_MSGCTXT), msgid);
        PyObject *msgstr = key == NULL ? NULL : PyDict_GetItemWithError(translations, key);
        Py_XDECREF(key);
        if (msgstr == NULL) {
            failed = PyErr_Occurred() != NULL;
            continue;
        }
        if (!PyUnicode_Check(msgstr) || !PyUnicode_Check(msgid)) {
            PyErr_SetString(PyExc_TypeError, "translated_edits: a msgid or msgstr is not a str");
            failed = 1;
            break;
        }
        if (PyUnicode_GET_LENGTH(msgstr) == 0 || PyUnicode_Compare(msgstr, msgid) == 0) {
            continue;
        }
        Py_INCREF(msgstr); /* the dict could let go of it while Python code runs */
        if (same(SLOT(segment, segment_offsets, S_KIND), kind_attribute)) {
            PyObject *quote = SLOT(segment, segment_offsets, S_QUOTE);
            PyObject *value = PyUnicode_Check(quote) ? attribute_value(msgstr, newline, quote)
                                                     : NULL;
            PyObject *pieces = value == NULL ? NULL : PyTuple_Pack(1, value);
            PyObject *values[E_FIELDS] = {SLOT(segment, segment_offsets, S_START),
                                          SLOT(segment, segment_offsets, S_END), pieces};
            PyObject *edit = pieces == NULL ? NULL : filled(edit_type, edit_offsets, values,
                                                            E_FIELDS);
            failed = edit == NULL || PyList_Append(leaves, edit) < 0;
            if (value == NULL && !PyErr_Occurred()) {
                PyErr_SetString(PyExc_TypeError, "translated_edits: a quote is a str");
            }
            Py_XDECREF(value);
            Py_XDECREF(pieces);
            Py_XDECREF(edit);
        } else {
            PyObject *pair[2] = {msgstr, msgid};
            PyObject *in_order = same_placeholders(NULL, pair, 2);
            if (in_order == Py_True) {
                PyObject *entry = PyTuple_Pack(2, segment, msgstr);
                failed = entry == NULL || PyList_Append(chosen, entry) < 0;
                Py_XDECREF(entry);
            } else if (in_order != NULL) {
                PyObject *call[2] = {segment, msgstr};
                PyObject *problem = PyObject_Vectorcall(args[4], call, 2, NULL);
                failed = problem == NULL;
                if (problem == Py_None) { /* reordered, and well-formed */
                    PyObject *entry = PyTuple_Pack(2, segment, msgstr);
                    failed = entry == NULL || PyList_Append(chosen, entry) < 0;
                    Py_XDECREF(entry);
                } else if (problem != NULL) {
                    failed = PyList_Append(problems, problem) < 0;
                }
                Py_XDECREF(problem);
            } else {
                failed = 1;
            }
            Py_XDECREF(in_order);
        }
        Py_DECREF(msgstr);
    }
    Py_ssize_t count = failed ? 0 : PyList_GET_SIZE(leaves);
    order = failed ? NULL : PyMem_Malloc(sizeof(Leaf) * (size_t)(count ? count : 1));
    consumed = failed ? NULL : PyMem_Calloc((size_t)(count ? count : 1), 1);
    if (!failed && (order == NULL || consumed == NULL)) {
        PyErr_NoMemory();
        failed = 1;
    }
    for (Py_ssize_t i = 0; !failed && i < count; i++) {
        PyObject *leaf = PyList_GET_ITEM(leaves, i);
        order[i].index = i;
        failed = slot_index(leaf, edit_offsets, E_START, &order[i].start) < 0 ||
                 slot_index(leaf, edit_offsets, E_END, &order[i].end) < 0;
    }
    if (!failed) {
        qsort(order, (size_t)count, sizeof(Leaf), leaf_order);
        sorted_leaves = PyList_New(count);
        failed = sorted_leaves == NULL;
        for (Py_ssize_t i = 0; !failed && i < count; i++) {
            PyList_SET_ITEM(sorted_leaves, i, Py_NewRef(PyList_GET_ITEM(leaves, order[i].index)));
        }
    }
    for (Py_ssize_t i = 0; !failed && i < PyList_GET_SIZE(chosen); i++) {
        PyObject *entry = PyList_GET_ITEM(chosen, i);
        PyObject *segment = PyTuple_GET_ITEM(entry, 0);
        Py_ssize_t start, end;
        if (slot_index(segment, segment_offsets, S_START, &start) < 0 ||
            slot_index(segment, segment_offsets, S_END, &end) < 0) {
            failed = 1;
            break;
        }
        /* the leaves starting inside the segment: bisect_left(start) .. bisect_right(end) */
        Py_ssize_t low = 0, high = count;
        while (low < high) {
            Py_ssize_t middle = (low + high) / 2;
            if (order[middle].start < start) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        PyObject *inside = PyList_New(0);
        failed = inside == NULL;
        for (Py_ssize_t k = low; !failed && k < count && order[k].start <= end; k++) {
            if (order[k].end <= end) {
                consumed[k] = 1;
                failed = PyList_Append(inside, PyList_GET_ITEM(sorted_leaves, k)) < 0;
            }
        }
        PyObject *call[4] = {segment, PyTuple_GET_ITEM(entry, 1), newline, inside};
        PyObject *edit = failed ? NULL : segment_edit(NULL, call, 4);
        failed = edit == NULL || PyList_Append(edits, edit) < 0;
        Py_XDECREF(edit);
        Py_XDECREF(inside);
    }
    for (Py_ssize_t i = 0; !failed && i < count; i++) {
        if (!consumed[i]) {
            failed = PyList_Append(edits, PyList_GET_ITEM(sorted_leaves, i)) < 0;
        }
    }
    PyObject *result = failed ? NULL : PyTuple_Pack(2, edits, problems);
    PyMem_Free(order);
    PyMem_Free(consumed);
    Py_XDECREF(leaves);
    Py_XDECREF(sorted_leaves);
    Py_XDECREF(chosen);
    Py_XDECREF(problems);
    Py_XDECREF(edits);
    return result;
}

/* The widest character of text[start:end], as the bound PyUnicode_New takes. */
static Py_UCS4 widest(PyObject *text, Py_ssize_t start, Py_ssize_t end) {
    if (PyUnicode_IS_ASCII(text)) {
        return 0x7f;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_UCS4 most = 0x7f;
    for (Py_ssize_t i = start; i < end && most < PyUnicode_MAX_CHAR_VALUE(text); i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c > most) {
            most = c > 0xffff ? 0x10ffff : c > 0xff ? 0xffff : 0xff;
        }
    }
    return most;
}

typedef struct {
    Py_ssize_t length;
    Py_UCS4 most;
} Extent;

/* Each piece of the result in turn, as (text, start, end): for measuring, then for copying. */
static int each_part(PyObject *text, PyObject *edits,
                     int (*visit)(void *, PyObject *, Py_ssize_t, Py_ssize_t), void *state) {
    Py_ssize_t length = PyUnicode_GET_LENGTH(text), position = 0;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(edits); i++) {
        PyObject *edit = PyList_GET_ITEM(edits, i);
        Py_ssize_t start, end;
        if (Py_TYPE(edit) != (PyTypeObject *)edit_type) {
            PyErr_SetString(PyExc_TypeError, "assemble_text: edits must be Edits");
            return -1;
        }
        if (slot_index(edit, edit_offsets, E_START, &start) < 0 ||
            slot_index(edit, edit_offsets, E_END, &end) < 0) {
            return -1;
        }
        if (start < position || end < start || end > length) {
            PyErr_SetString(PyExc_ValueError, "assemble_text: edits overlap or leave the text");
            return -1;
        }
        if (visit(state, text, position, start) < 0) {
            return -1;
        }
        PyObject *pieces = SLOT(edit, edit_offsets, E_PIECES);
        if (!PyTuple_Check(pieces)) {
            PyErr_SetString(PyExc_TypeError, "assemble_text: an Edit's pieces must be a tuple");
            return -1;
        }
        for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(pieces); k++) {
            PyObject *piece = PyTuple_GET_ITEM(pieces, k);
            int failed;
            if (PyUnicode_Check(piece)) {
                failed = visit(state, piece, 0, PyUnicode_GET_LENGTH(piece));
            } else if (Py_TYPE(piece) == span_type && PyTuple_GET_SIZE(piece) == 2) {
                Py_ssize_t span_start = PyLong_AsSsize_t(PyTuple_GET_ITEM(piece, 0));
                Py_ssize_t span_end = PyLong_AsSsize_t(PyTuple_GET_ITEM(piece, 1));
                if (PyErr_Occurred()) {
                    return -1;
                }
                if (span_start < 0 || span_end < span_start || span_end > length) {
                    PyErr_SetString(PyExc_ValueError, "assemble_text: a Span leaves the text");
                    return -1;
                }
                failed = visit(state, text, span_start, span_end);
            } else {
                PyErr_SetString(PyExc_TypeError, "assemble_text: a piece is a str or a Span");
                return -1;
            }
            if (failed < 0) {
                return -1;
            }
        }
        position = end;
    }
    return visit(state, text, position, length);
}

static int measure_part(void *state, PyObject *text, Py_ssize_t start, Py_ssize_t end) {
    Extent *extent = state;
    extent->length += end - start;
    if (start < end && extent->most < PyUnicode_MAX_CHAR_VALUE(text)) {
        Py_UCS4 most = widest(text, start, end);
        extent->most = most > extent->most ? most : extent->most;
    }
    return 0;
}

typedef struct {
    PyObject *out;
    Py_ssize_t at;
} Copying;

static int copy_part(void *state, PyObject *text, Py_ssize_t start, Py_ssize_t end) {
    Copying *copying = state;
    if (start < end &&
        PyUnicode_CopyCharacters(copying->out, copying->at, text, start, end - start) < 0) {
        return -1;
    }
    copying->at += end - start;
    return 0;
}

static PyObject *assemble_text(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (!build_configured()) {
        return NULL;
    }
    if (nargs != 2 || !PyUnicode_Check(args[0]) || !PyList_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "assemble_text(text: str, edits: list[Edit])");
        return NULL;
    }
    Extent extent = {0, 0x7f};
    if (each_part(args[0], args[1], measure_part, &extent) < 0) {
        return NULL;
    }
    Copying copying = {PyUnicode_New(extent.length, extent.most), 0};
    if (copying.out == NULL) {
        return NULL;
    }
    if (each_part(args[0], args[1], copy_part, &copying) < 0) {
        Py_DECREF(copying.out);
        return NULL;
    }
    return copying.out;
}

/* `html._line_starts(text)`: the offset of each line's start, a line ending at \r\n, \r or \n. */
static PyObject *line_starts(PyObject *module, PyObject *text) {
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "line_starts(text: str)");
        return NULL;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    PyObject *starts = PyList_New(0);
    PyObject *zero = PyLong_FromLong(0);
    int failed = starts == NULL || zero == NULL || PyList_Append(starts, zero) < 0;
    Py_XDECREF(zero);
#define LINE_STARTS(TYPE)                                                                   \
    for (const TYPE *chars = data; !failed && i < length; i++) {                            \
        if (chars[i] > '\r' || (chars[i] != '\n' && chars[i] != '\r')) {                     \
            continue;                                                                       \
        }                                                                                   \
        if (chars[i] == '\r' && i + 1 < length && chars[i + 1] == '\n') {                    \
            i++;                                                                            \
        }                                                                                   \
        PyObject *start = PyLong_FromSsize_t(i + 1);                                        \
        failed = start == NULL || PyList_Append(starts, start) < 0;                         \
        Py_XDECREF(start);                                                                  \
    }
    Py_ssize_t i = 0; /* a loop for each width of character */
    if (kind == PyUnicode_1BYTE_KIND && memchr(data, '\r', (size_t)length) == NULL) {
        /* \n alone ends lines (nearly every page): the C library finds them */
        for (const char *chars = data, *newline; !failed && i < length; i = newline - chars + 1) {
            newline = memchr(chars + i, '\n', (size_t)(length - i));
            if (newline == NULL) {
                break;
            }
            PyObject *start = PyLong_FromSsize_t(newline - chars + 1);
            failed = start == NULL || PyList_Append(starts, start) < 0;
            Py_XDECREF(start);
        }
    } else if (kind == PyUnicode_1BYTE_KIND) {
        LINE_STARTS(Py_UCS1)
    } else if (kind == PyUnicode_2BYTE_KIND) {
        LINE_STARTS(Py_UCS2)
    } else {
        LINE_STARTS(Py_UCS4)
    }
#undef LINE_STARTS
    if (failed) {
        Py_XDECREF(starts);
        return NULL;
    }
    PyObject *result = PyList_AsTuple(starts);
    Py_DECREF(starts);
    return result;
}

/* `files.signatures(paths)`: "path dev inode size mtime_ns\n" for each path, "path -\n" for one
 * that cannot be looked at, the newest time, and whether one is a symbolic link (the lines
 * then stop there). Paths are encoded as the file system's names are (surrogateescape). */
static PyObject *file_signatures(PyObject *module, PyObject *paths) {
    if (!PyList_Check(paths)) {
        PyErr_SetString(PyExc_TypeError, "file_signatures(paths: list[str])");
        return NULL;
    }
    size_t capacity = 1 << 16, used = 0;
    char *buffer = PyMem_Malloc(capacity);
    if (buffer == NULL) {
        return PyErr_NoMemory();
    }
    long long newest = 0;
    int link = 0, failed = 0;
    for (Py_ssize_t i = 0; !link && i < PyList_GET_SIZE(paths); i++) {
        PyObject *path = PyList_GET_ITEM(paths, i);
        PyObject *encoded = PyUnicode_Check(path) ? PyUnicode_EncodeFSDefault(path) : NULL;
        if (encoded == NULL) {
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_TypeError, "file_signatures: a path must be a str");
            }
            failed = 1;
            break;
        }
        const char *name = PyBytes_AS_STRING(encoded);
        size_t length = (size_t)PyBytes_GET_SIZE(encoded);
        if (strlen(name) != length) { /* a NUL inside: no such file (Python says ValueError) */
            Py_DECREF(encoded);
            PyErr_SetString(PyExc_ValueError, "file_signatures: embedded null byte");
            failed = 1;
            break;
        }
        struct stat status;
        char tail[96];
        int tail_length;
        if (lstat(name, &status) != 0) {
            tail_length = snprintf(tail, sizeof tail, " -\n");
        } else {
            link = S_ISLNK(status.st_mode);
            if (link) {
                Py_DECREF(encoded);
                break;
            }
            long long mtime = (long long)status.st_mtim.tv_sec * 1000000000LL + status.st_mtim.tv_nsec;
            newest = mtime > newest ? mtime : newest;
            tail_length = snprintf(tail, sizeof tail, " %llu %llu %lld %lld\n",
                                   (unsigned long long)status.st_dev,
                                   (unsigned long long)status.st_ino, (long long)status.st_size,
                                   mtime);
        }
        if (used + length + (size_t)tail_length > capacity) {
            while (used + length + (size_t)tail_length > capacity) {
                capacity *= 2;
            }
            char *grown = PyMem_Realloc(buffer, capacity);
            if (grown == NULL) {
                Py_DECREF(encoded);
                PyErr_NoMemory();
                failed = 1;
                break;
            }
            buffer = grown;
        }
        memcpy(buffer + used, name, length);
        memcpy(buffer + used + length, tail, (size_t)tail_length);
        used += length + (size_t)tail_length;
        Py_DECREF(encoded);
    }
    PyObject *result = failed ? NULL
                              : Py_BuildValue("(y#LO)", buffer, (Py_ssize_t)used, newest,
                                              link ? Py_True : Py_False);
    PyMem_Free(buffer);
    return result;
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
    {"configure_segments", (PyCFunction)(void (*)(void))configure_segments, METH_FASTCALL,
     "Give the Segment type and the Python steps for placeholder legends and element roles."},
    {"walk", (PyCFunction)(void (*)(void))walk, METH_FASTCALL,
     "Segment the tree under `root` as `segmenter.container(root, True, None)` does."},
    {"configure_walk", (PyCFunction)(void (*)(void))configure_walk, METH_FASTCALL,
     "Give the placeholder type, the Python step for taken numbers and the names the walk needs."},
    {"simple_cuts", (PyCFunction)(void (*)(void))simple_cuts, METH_FASTCALL,
     "Where lines of a catalog string start, for text of one-column characters."},
    {"configure_wrap", (PyCFunction)(void (*)(void))configure_wrap, METH_FASTCALL,
     "Give the line-break classes of ASCII, the pair table and the class of other characters."},
    {"render_entry", (PyCFunction)(void (*)(void))render_entry, METH_FASTCALL,
     "The lines of a catalog entry, as pofile._entry_lines writes them, each with its newline."},
    {"template_entries", (PyCFunction)(void (*)(void))template_entries, METH_FASTCALL,
     "A page template's entries, as render_po writes the messages of template_for_page."},
    {"configure_entries", (PyCFunction)(void (*)(void))configure_entries, METH_FASTCALL,
     "Give pofile's line cutting for text other than plain ASCII, and its reading of flags."},
    {"read_canonical", (PyCFunction)read_canonical, METH_O,
     "The messages of a catalog in the canonical layout, or None for pofile._read_lines."},
    {"configure_catalog", (PyCFunction)configure_catalog, METH_O,
     "Give the Message type, whose slots read_canonical fills."},
    {"canonical_translations", (PyCFunction)canonical_translations, METH_O,
     "({key: msgstr}, {key: line}, header) of a canonical catalog's text, or None."},
    {"canonical_words", (PyCFunction)canonical_words, METH_O,
     "(words translated, words in all, header) of a canonical catalog's text, or None."},
    {"catalog_words", (PyCFunction)catalog_words, METH_O,
     "(words translated, words in all) of a catalog's active messages."},
    {"catalog_translations", (PyCFunction)catalog_translations, METH_O,
     "({key: msgstr} of the finished singular messages, {key: line} of the active ones)."},
    {"count_words", (PyCFunction)count_words, METH_O,
     "Source words in a msgid, as model.count_words counts them."},
    {"pack_segments", (PyCFunction)pack_segments, METH_O,
     "The page cache's rows of segments: plain tuples."},
    {"unpack_segments", (PyCFunction)unpack_segments, METH_O,
     "The segments of the page cache's rows."},
    {"link_hrefs", (PyCFunction)(void (*)(void))link_hrefs, METH_FASTCALL,
     "The first href attribute, where it has a value, of each start tag of a link."},
    {"maybe_absolute", (PyCFunction)maybe_absolute, METH_O,
     "The hrefs whose value is not surely relative (site._surely_relative)."},
    {"pack_attributes", (PyCFunction)pack_attributes, METH_O,
     "Attributes as plain tuples."},
    {"unpack_attributes", (PyCFunction)unpack_attributes, METH_O,
     "Plain tuples as attributes again."},
    {"line_starts", (PyCFunction)line_starts, METH_O,
     "The offset of each line's start; a line ends at \\r\\n, \\r or \\n."},
    {"file_signatures", (PyCFunction)file_signatures, METH_O,
     "Each path with its device, inode, size and time; the newest time; whether one is a link."},
    {"configure_build", (PyCFunction)(void (*)(void))configure_build, METH_FASTCALL,
     "Give the Edit type, whose slots segment_edit fills, and the Span type."},
    {"translated_edits", (PyCFunction)(void (*)(void))translated_edits, METH_FASTCALL,
     "The edits that splice a page's translations in, and the problems of those left out."},
    {"segment_edit", (PyCFunction)(void (*)(void))segment_edit, METH_FASTCALL,
     "The edit that splices a translation into its segment, as build._segment_edit makes it."},
    {"same_placeholders", (PyCFunction)(void (*)(void))same_placeholders, METH_FASTCALL,
     "Whether two texts spell the same placeholders in the same order."},
    {"assemble_text", (PyCFunction)(void (*)(void))assemble_text, METH_FASTCALL,
     "The text with the edits (sorted, not overlapping) applied."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_definition = {
    PyModuleDef_HEAD_INIT, "_speedups", "The hot loops of the pipeline (tokenize, segments, pofile, page cache, build), in C.",
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
    str_time = PyUnicode_InternFromString("time");
    str_datetime = PyUnicode_InternFromString("datetime");
    str_title = PyUnicode_InternFromString("title");
    str_html = PyUnicode_InternFromString("html");
    str_head = PyUnicode_InternFromString("head");
    str_comment = PyUnicode_InternFromString("comment");
    str_other = PyUnicode_InternFromString("other");
    str_hash_comment = PyUnicode_InternFromString("#comment");
    str_hash_end = PyUnicode_InternFromString("#end");
    str_hash_other = PyUnicode_InternFromString("#other");
    str_void = PyUnicode_InternFromString("void");
    str_pair = PyUnicode_InternFromString("pair");
    struct {
        PyObject **target;
        const char *text;
    } interned[] = {
        {&str_msgctxt, "msgctxt"}, {&str_msgid, "msgid"}, {&str_msgstr, "msgstr"},
        {&str_msgid_plural, "msgid_plural"}, {&str_hash, "#"}, {&str_hash_dot, "#."},
        {&str_hash_colon, "#:"}, {&str_no_prefix, ""}, {&str_obsolete_prefix, "#~ "},
        {&str_previous_prefix, "#| "}, {&str_obsolete_previous_prefix, "#~| "},
        {&str_newline, "\n"},
        {&attr_translator_comments, "translator_comments"},
        {&attr_extracted_comments, "extracted_comments"}, {&attr_references, "references"},
        {&attr_flags, "flags"}, {&attr_previous_msgctxt, "previous_msgctxt"},
        {&attr_previous_msgid, "previous_msgid"}, {&attr_msgctxt, "msgctxt"},
        {&attr_msgid, "msgid"}, {&attr_msgstr, "msgstr"}, {&attr_msgid_plural, "msgid_plural"},
        {&attr_msgstr_plural, "msgstr_plural"}, {&attr_obsolete, "obsolete"},
        {&str_comma, ","}, {&str_strip, "strip"}, {&str_arrow, " > "}, {&str_space, " "},
        {&str_quote, "\""}, {&str_space_quote, " \""}, {&str_space_quotes, " \"\""},
        {&str_colon, ":"},
        {&str_comma_space, ", "}, {&str_placeholders_prefix, "placeholders: "},
        {&str_meta, "meta"}, {&str_input, "input"}, {&kind_attribute, "attribute"}, {&str_href, "href"},
    };
    for (size_t i = 0; i < sizeof interned / sizeof interned[0]; i++) {
        if ((*interned[i].target = PyUnicode_InternFromString(interned[i].text)) == NULL) {
            return NULL;
        }
    }
    if ((empty_tuple = PyTuple_New(0)) == NULL) {
        return NULL;
    }
    if (str_time == NULL || str_datetime == NULL || str_title == NULL || str_html == NULL ||
        str_head == NULL || str_comment == NULL || str_other == NULL || str_hash_comment == NULL ||
        str_hash_end == NULL || str_hash_other == NULL || str_void == NULL || str_pair == NULL) {
        return NULL;
    }
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
