/* The common shapes of `pipeline.html.tokenize`, in C.
 *
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
        PyErr_SetString(PyExc_RuntimeError, "_tokenizer.configure() was not called");
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

static PyObject *configure(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 5 || !PyType_Check(args[0]) || !PyType_Check(args[1]) ||
        !PyFrozenSet_Check(args[3]) || !PyFrozenSet_Check(args[4])) {
        PyErr_SetString(PyExc_TypeError, "configure(Token, Attribute, unescape, "
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

static PyMethodDef methods[] = {
    {"scan", (PyCFunction)(void (*)(void))scan, METH_FASTCALL,
     "Append the tokens of the simple shapes from `position`; return where it stopped."},
    {"configure", (PyCFunction)(void (*)(void))configure, METH_FASTCALL,
     "Give the token types, html.unescape and the names of raw-text and code elements."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_definition = {
    PyModuleDef_HEAD_INIT, "_tokenizer", "The common shapes of pipeline.html.tokenize, in C.",
    -1, methods,
};

PyMODINIT_FUNC PyInit__tokenizer(void) {
    names = PyDict_New();
    kind_text = PyUnicode_InternFromString("text");
    kind_start = PyUnicode_InternFromString("start");
    kind_end = PyUnicode_InternFromString("end");
    kind_rawtext = PyUnicode_InternFromString("rawtext");
    empty_string = PyUnicode_InternFromString("");
    if (names == NULL || kind_text == NULL || kind_start == NULL || kind_end == NULL || kind_rawtext == NULL ||
        empty_string == NULL) {
        return NULL;
    }
    return PyModule_Create(&module_definition);
}
