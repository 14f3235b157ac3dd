
/*
 * Copyright (C) passport developers
 */


/*
 * The listing body in one pass: validated, counted and cut into tokens
 * (passport_json_tok.h).  No recursion: an open container keeps its
 * parent's index in next until it is closed.  Pure C, no nginx
 * dependency.
 */


#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "passport_json_tok.h"


#define JT_OK           NGX_HTTP_PASSPORT_JT_OK
#define JT_INVALID      NGX_HTTP_PASSPORT_JT_INVALID
#define JT_NONE         NGX_HTTP_PASSPORT_JT_NONE

/* an object of more members than this has its names hashed */
#define JT_DUPS_LINEAR  16

/* a number shorter than this is read on the stack */
#define JT_NUMBER_BUF   64

#define jt_ws(c)  ((c) == ' ' || (c) == '\t' || (c) == '\n' || (c) == '\r')
#define jt_digit(c)  ((c) >= '0' && (c) <= '9')


typedef struct {
    ngx_http_passport_jtok_doc_t  *doc;
    const unsigned char           *p;
    const unsigned char           *end;
    size_t                         max;
    size_t                         cur;     /* the open container */
    size_t                         depth;   /* containers open */
    int                            err;     /* why jt_push() failed */
    int                            want;    /* what comes next */
} ngx_http_passport_jt_t;


#define JT_WANT_VALUE  0
#define JT_WANT_KEY    1
#define JT_WANT_AFTER  2


static int ngx_http_passport_jt_value(ngx_http_passport_jt_t *ps);
static int ngx_http_passport_jt_open(ngx_http_passport_jt_t *ps, int type);
static int ngx_http_passport_jt_literal(ngx_http_passport_jt_t *ps, int type,
    const char *text, size_t len);
static int ngx_http_passport_jt_key(ngx_http_passport_jt_t *ps);
static int ngx_http_passport_jt_after(ngx_http_passport_jt_t *ps, int *done);
static ngx_http_passport_jtok_t *ngx_http_passport_jt_push(
    ngx_http_passport_jt_t *ps, int type, int value);
static int ngx_http_passport_jt_close(ngx_http_passport_jt_t *ps);
static int ngx_http_passport_jt_string(ngx_http_passport_jt_t *ps,
    ngx_http_passport_jtok_t *t, int *nul);
static size_t ngx_http_passport_jt_escape(const unsigned char *p,
    const unsigned char *end, int *nul);
static long ngx_http_passport_jt_hex4(const unsigned char *p);
static size_t ngx_http_passport_jt_utf8(const unsigned char *p,
    const unsigned char *end);
static int ngx_http_passport_jt_number(ngx_http_passport_jt_t *ps,
    ngx_http_passport_jtok_t *t);
static int ngx_http_passport_jt_overflows(ngx_http_passport_jtok_doc_t *doc,
    ngx_http_passport_jtok_t *t);
static int ngx_http_passport_jt_strtod(ngx_http_passport_jtok_doc_t *doc,
    ngx_http_passport_jtok_t *t, double *d);
static int ngx_http_passport_jt_decode(ngx_http_passport_jtok_doc_t *doc,
    ngx_http_passport_jtok_t *t);
static int ngx_http_passport_jt_dups(ngx_http_passport_jtok_doc_t *doc,
    size_t obj);
static int ngx_http_passport_jt_dups_hash(ngx_http_passport_jtok_doc_t *doc,
    size_t obj);
static int ngx_http_passport_jt_same(ngx_http_passport_jtok_t *a,
    ngx_http_passport_jtok_t *b);


int
ngx_http_passport_jtok_parse(ngx_http_passport_jtok_doc_t *doc,
    const unsigned char *p, size_t len, size_t max)
{
    int                     rc, done;
    ngx_http_passport_jt_t  ps;

    doc->tok = NULL;
    doc->ntok = 0;
    doc->nalloc = 0;
    doc->values = 0;
    doc->error = 0;

    ps.doc = doc;
    ps.p = p;
    ps.end = p + len;
    ps.max = max;
    ps.cur = JT_NONE;
    ps.depth = 0;
    ps.want = JT_WANT_VALUE;

    if (len >= NGX_HTTP_PASSPORT_JT_MAX_LEN) {
        return NGX_HTTP_PASSPORT_JT_TOO_COMPLEX;
    }

    for ( ;; ) {
        done = 0;

        switch (ps.want) {
        case JT_WANT_VALUE:
            rc = ngx_http_passport_jt_value(&ps);
            break;
        case JT_WANT_KEY:
            rc = ngx_http_passport_jt_key(&ps);
            break;
        default:
            rc = ngx_http_passport_jt_after(&ps, &done);
        }

        if (rc != JT_OK || done) {
            doc->error = ps.p - p;
            return rc;
        }
    }
}


/* a value, or the opening of a container and its end if it is empty */

static int
ngx_http_passport_jt_value(ngx_http_passport_jt_t *ps)
{
    int                        rc, nul;
    ngx_http_passport_jtok_t  *t;

    ps->want = JT_WANT_AFTER;

    while (ps->p < ps->end && jt_ws(*ps->p)) {
        ps->p++;
    }

    if (ps->p == ps->end) {
        return JT_INVALID;
    }

    switch (*ps->p) {
    case '{':
        return ngx_http_passport_jt_open(ps, NGX_HTTP_PASSPORT_JT_OBJECT);

    case '[':
        return ngx_http_passport_jt_open(ps, NGX_HTTP_PASSPORT_JT_ARRAY);

    case '"':
        t = ngx_http_passport_jt_push(ps, NGX_HTTP_PASSPORT_JT_STRING, 1);
        if (t == NULL) {
            return ps->err;
        }

        return ngx_http_passport_jt_string(ps, t, &nul);

    case 't':
        return ngx_http_passport_jt_literal(ps, NGX_HTTP_PASSPORT_JT_TRUE,
                                            "true", 4);

    case 'f':
        return ngx_http_passport_jt_literal(ps, NGX_HTTP_PASSPORT_JT_FALSE,
                                            "false", 5);

    case 'n':
        return ngx_http_passport_jt_literal(ps, NGX_HTTP_PASSPORT_JT_NULL,
                                            "null", 4);

    default:
        if (*ps->p != '-' && !jt_digit(*ps->p)) {
            return JT_INVALID;
        }

        t = ngx_http_passport_jt_push(ps, NGX_HTTP_PASSPORT_JT_NUMBER, 1);
        if (t == NULL) {
            return ps->err;
        }

        rc = ngx_http_passport_jt_number(ps, t);
        if (rc != JT_OK) {
            return rc;
        }

        return ngx_http_passport_jt_overflows(ps->doc, t);
    }
}


/* "{" or "[": the container is open until its end, or closed if empty */

static int
ngx_http_passport_jt_open(ngx_http_passport_jt_t *ps, int type)
{
    ngx_http_passport_jtok_t  *t;

    t = ngx_http_passport_jt_push(ps, type, 1);
    if (t == NULL) {
        return ps->err;
    }

    /* the parent, + 1 (0: the root), until the container is closed */

    t->data = ps->p++;
    t->next = (ps->cur == JT_NONE) ? 0 : (uint32_t) ps->cur + 1;
    ps->cur = ps->doc->ntok - 1;
    ps->depth++;

    while (ps->p < ps->end && jt_ws(*ps->p)) {
        ps->p++;
    }

    if (ps->p < ps->end
        && *ps->p == (type == NGX_HTTP_PASSPORT_JT_OBJECT ? '}' : ']'))
    {
        return ngx_http_passport_jt_close(ps);
    }

    ps->want = (type == NGX_HTTP_PASSPORT_JT_OBJECT) ? JT_WANT_KEY
                                                     : JT_WANT_VALUE;
    return JT_OK;
}


static int
ngx_http_passport_jt_literal(ngx_http_passport_jt_t *ps, int type,
    const char *text, size_t len)
{
    ngx_http_passport_jtok_t  *t;

    t = ngx_http_passport_jt_push(ps, type, 1);
    if (t == NULL) {
        return ps->err;
    }

    if ((size_t) (ps->end - ps->p) < len || memcmp(ps->p, text, len) != 0) {
        return JT_INVALID;
    }

    t->data = ps->p;
    t->len = len;
    ps->p += len;

    return JT_OK;
}


/* a member name and its ":" */

static int
ngx_http_passport_jt_key(ngx_http_passport_jt_t *ps)
{
    int                        rc, nul;
    ngx_http_passport_jtok_t  *t;

    while (ps->p < ps->end && jt_ws(*ps->p)) {
        ps->p++;
    }

    if (ps->p == ps->end || *ps->p != '"') {
        return JT_INVALID;
    }

    t = ngx_http_passport_jt_push(ps, NGX_HTTP_PASSPORT_JT_STRING, 0);
    if (t == NULL) {
        return ps->err;
    }

    rc = ngx_http_passport_jt_string(ps, t, &nul);
    if (rc != JT_OK) {
        return rc;
    }

    if (nul) {
        /* jansson: "NUL byte in object key not supported" */
        return JT_INVALID;
    }

    while (ps->p < ps->end && jt_ws(*ps->p)) {
        ps->p++;
    }

    if (ps->p == ps->end || *ps->p != ':') {
        return JT_INVALID;
    }

    ps->p++;
    ps->want = JT_WANT_VALUE;

    return JT_OK;
}


/*
 * After a value: the end of the text at the root, else "," and the next
 * member or element, or the end of the container (*done: the text is
 * over, well or not).
 */

static int
ngx_http_passport_jt_after(ngx_http_passport_jt_t *ps, int *done)
{
    int                        object;
    ngx_http_passport_jtok_t  *c;

    *done = 0;

    while (ps->p < ps->end && jt_ws(*ps->p)) {
        ps->p++;
    }

    if (ps->cur == JT_NONE) {
        *done = 1;
        return ps->p == ps->end ? JT_OK : JT_INVALID;
    }

    if (ps->p == ps->end) {
        *done = 1;
        return JT_INVALID;
    }

    c = &ps->doc->tok[ps->cur];
    object = (c->type == NGX_HTTP_PASSPORT_JT_OBJECT);

    if (*ps->p == ',') {
        ps->p++;
        ps->want = object ? JT_WANT_KEY : JT_WANT_VALUE;
        return JT_OK;
    }

    if (*ps->p == (object ? '}' : ']')) {
        return ngx_http_passport_jt_close(ps);
    }

    *done = 1;

    return JT_INVALID;
}


/* NULL: out of memory, past max values or too deep (ps->err says) */

static ngx_http_passport_jtok_t *
ngx_http_passport_jt_push(ngx_http_passport_jt_t *ps, int type, int value)
{
    size_t                         n;
    ngx_http_passport_jtok_t      *t;
    ngx_http_passport_jtok_doc_t  *doc;

    doc = ps->doc;

    if (value) {
        if (++doc->values > ps->max) {
            ps->err = NGX_HTTP_PASSPORT_JT_TOO_COMPLEX;
            return NULL;
        }

        if (ps->depth + 1 > NGX_HTTP_PASSPORT_JT_MAX_DEPTH) {
            ps->err = JT_INVALID;
            return NULL;
        }

        if (ps->cur != JT_NONE) {
            doc->tok[ps->cur].size++;
        }
    }

    if (doc->ntok == doc->nalloc) {
        n = doc->nalloc ? doc->nalloc * 2 : 64;

        t = doc->alloc(doc->alloc_data, n * sizeof(ngx_http_passport_jtok_t));
        if (t == NULL) {
            ps->err = NGX_HTTP_PASSPORT_JT_NOMEM;
            return NULL;
        }

        if (doc->ntok) {
            memcpy(t, doc->tok, doc->ntok * sizeof(ngx_http_passport_jtok_t));

            if (doc->free) {
                doc->free(doc->alloc_data, doc->tok);
            }
        }

        doc->tok = t;
        doc->nalloc = n;
    }

    t = &doc->tok[doc->ntok++];

    t->type = type;
    t->escaped = 0;
    t->size = 0;
    t->next = doc->ntok;

    return t;
}


static int
ngx_http_passport_jt_close(ngx_http_passport_jt_t *ps)
{
    size_t                     obj;
    ngx_http_passport_jtok_t  *c;

    obj = ps->cur;
    c = &ps->doc->tok[obj];

    ps->p++;
    c->len = ps->p - c->data;
    ps->cur = c->next ? (size_t) c->next - 1 : JT_NONE;
    c->next = ps->doc->ntok;
    ps->depth--;

    if (c->type == NGX_HTTP_PASSPORT_JT_OBJECT && c->size) {
        return ngx_http_passport_jt_dups(ps->doc, obj);
    }

    return JT_OK;
}


/* the string whose opening quote is at ps->p; *nul: it holds \u0000 */

static int
ngx_http_passport_jt_string(ngx_http_passport_jt_t *ps,
    ngx_http_passport_jtok_t *t, int *nul)
{
    size_t                n;
    unsigned char         c;
    const unsigned char  *p, *end;

    p = ps->p + 1;
    end = ps->end;
    t->data = p;
    *nul = 0;

    while (p < end) {
        c = *p;

        if (c == '"') {
            t->len = p - t->data;
            ps->p = p + 1;
            return JT_OK;
        }

        if (c >= 0x20 && c < 0x80 && c != '\\') {
            p++;
            continue;
        }

        if (c < 0x20) {
            return JT_INVALID;
        }

        if (c == '\\') {
            n = ngx_http_passport_jt_escape(p, end, nul);
            t->escaped = 1;

        } else {
            n = ngx_http_passport_jt_utf8(p, end);
        }

        if (n == 0) {
            return JT_INVALID;
        }

        p += n;
    }

    return JT_INVALID;
}


/* the length of the escape at p, 0 if it is none */

static size_t
ngx_http_passport_jt_escape(const unsigned char *p, const unsigned char *end,
    int *nul)
{
    long  hi, lo;

    if (end - p < 2) {
        return 0;
    }

    switch (p[1]) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r':
    case 't':
        return 2;

    case 'u':
        break;

    default:
        return 0;
    }

    if (end - p < 6 || (hi = ngx_http_passport_jt_hex4(p + 2)) < 0
        || (hi >= 0xDC00 && hi <= 0xDFFF))
    {
        return 0;
    }

    if (hi == 0) {
        *nul = 1;
    }

    if (hi < 0xD800 || hi > 0xDBFF) {
        return 6;
    }

    /* a high surrogate: its low one must follow */

    if (end - p < 12 || p[6] != '\\' || p[7] != 'u') {
        return 0;
    }

    lo = ngx_http_passport_jt_hex4(p + 8);

    return (lo >= 0xDC00 && lo <= 0xDFFF) ? 12 : 0;
}


static long
ngx_http_passport_jt_hex4(const unsigned char *p)
{
    long           v;
    int            i;
    unsigned char  c;

    v = 0;

    for (i = 0; i < 4; i++) {
        c = p[i];

        if (jt_digit(c)) {
            v = v * 16 + (c - '0');

        } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
            v = v * 16 + ((c | 0x20) - 'a' + 10);

        } else {
            return -1;
        }
    }

    return v;
}


/* the length of the UTF-8 sequence at p (not ASCII), 0 if invalid */

static size_t
ngx_http_passport_jt_utf8(const unsigned char *p, const unsigned char *end)
{
    size_t         n, i;
    unsigned char  c, lo, hi;

    c = p[0];
    lo = 0x80;
    hi = 0xBF;

    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;

    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        lo = (c == 0xE0) ? 0xA0 : 0x80;     /* overlong */
        hi = (c == 0xED) ? 0x9F : 0xBF;     /* surrogates */

    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        lo = (c == 0xF0) ? 0x90 : 0x80;     /* overlong */
        hi = (c == 0xF4) ? 0x8F : 0xBF;     /* past U+10FFFF */

    } else {
        return 0;
    }

    if ((size_t) (end - p) < n || p[1] < lo || p[1] > hi) {
        return 0;
    }

    for (i = 2; i < n; i++) {
        if (p[i] < 0x80 || p[i] > 0xBF) {
            return 0;
        }
    }

    return n;
}


static int
ngx_http_passport_jt_number(ngx_http_passport_jt_t *ps,
    ngx_http_passport_jtok_t *t)
{
    const unsigned char  *p, *end;

    p = ps->p;
    end = ps->end;
    t->data = p;

    if (*p == '-') {
        p++;
    }

    if (p == end || !jt_digit(*p)) {
        return JT_INVALID;
    }

    if (*p++ != '0') {
        while (p < end && jt_digit(*p)) {
            p++;
        }
    }

    if (p < end && *p == '.') {
        if (++p == end || !jt_digit(*p)) {
            return JT_INVALID;
        }

        while (p < end && jt_digit(*p)) {
            p++;
        }
    }

    if (p < end && (*p == 'e' || *p == 'E')) {
        if (++p < end && (*p == '+' || *p == '-')) {
            p++;
        }

        if (p == end || !jt_digit(*p)) {
            return JT_INVALID;
        }

        while (p < end && jt_digit(*p)) {
            p++;
        }
    }

    t->len = p - t->data;
    ps->p = p;

    return JT_OK;
}


/*
 * jansson refuses a number strtod() reads as HUGE_VAL: only one of 1e308
 * or more can be, so only such a one is read here.
 */

static int
ngx_http_passport_jt_overflows(ngx_http_passport_jtok_doc_t *doc,
    ngx_http_passport_jtok_t *t)
{
    long                  e, exp, sign;
    double                d;
    const unsigned char  *p, *end;

    p = t->data;
    end = p + t->len;
    e = 0;

    if (*p == '-') {
        p++;
    }

    if (*p != '0') {
        while (p < end && jt_digit(*p)) {
            if (e < 100000) {
                e++;
            }
            p++;
        }
    }

    while (p < end && *p != 'e' && *p != 'E') {
        p++;
    }

    exp = 0;
    sign = 1;

    if (p < end) {
        p++;

        if (*p == '+' || *p == '-') {
            sign = (*p++ == '-') ? -1 : 1;
        }

        while (p < end) {
            if (exp < 100000) {
                exp = exp * 10 + (*p - '0');
            }
            p++;
        }
    }

    /* the number is below 10^(e + exp) */

    if (e + sign * exp <= 308) {
        return JT_OK;
    }

    if (ngx_http_passport_jt_strtod(doc, t, &d) != 0) {
        return NGX_HTTP_PASSPORT_JT_NOMEM;
    }

    return (d == HUGE_VAL || d == -HUGE_VAL) ? JT_INVALID : JT_OK;
}


static int
ngx_http_passport_jt_strtod(ngx_http_passport_jtok_doc_t *doc,
    ngx_http_passport_jtok_t *t, double *d)
{
    char  *s, buf[JT_NUMBER_BUF];

    if (t->len < JT_NUMBER_BUF) {
        s = buf;

    } else {
        s = doc->alloc(doc->alloc_data, t->len + 1);
        if (s == NULL) {
            return -1;
        }
    }

    memcpy(s, t->data, t->len);
    s[t->len] = '\0';

    errno = 0;
    *d = strtod(s, NULL);

    if (errno != ERANGE && (*d == HUGE_VAL || *d == -HUGE_VAL)) {
        /* never for a JSON number; HUGE_VAL stands for overflow only */
        *d = 0;
    }

    return 0;
}


/* the escaped string t unescaped into new memory; t then points there */

static int
ngx_http_passport_jt_decode(ngx_http_passport_jtok_doc_t *doc,
    ngx_http_passport_jtok_t *t)
{
    long                  cp;
    unsigned char        *d, *out;
    const unsigned char  *p, *end;

    out = doc->alloc(doc->alloc_data, t->len);
    if (out == NULL) {
        return -1;
    }

    d = out;
    end = t->data + t->len;

    for (p = t->data; p < end; /* void */) {
        if (*p != '\\') {
            *d++ = *p++;
            continue;
        }

        switch (p[1]) {
        case 'b': *d++ = '\b'; p += 2; continue;
        case 'f': *d++ = '\f'; p += 2; continue;
        case 'n': *d++ = '\n'; p += 2; continue;
        case 'r': *d++ = '\r'; p += 2; continue;
        case 't': *d++ = '\t'; p += 2; continue;
        case 'u': break;
        default: *d++ = p[1]; p += 2; continue;
        }

        cp = ngx_http_passport_jt_hex4(p + 2);
        p += 6;

        if (cp >= 0xD800 && cp <= 0xDBFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10)
                 + (ngx_http_passport_jt_hex4(p + 2) - 0xDC00);
            p += 6;
        }

        if (cp < 0x80) {
            *d++ = (unsigned char) cp;

        } else if (cp < 0x800) {
            *d++ = (unsigned char) (0xC0 | (cp >> 6));
            *d++ = (unsigned char) (0x80 | (cp & 0x3F));

        } else if (cp < 0x10000) {
            *d++ = (unsigned char) (0xE0 | (cp >> 12));
            *d++ = (unsigned char) (0x80 | ((cp >> 6) & 0x3F));
            *d++ = (unsigned char) (0x80 | (cp & 0x3F));

        } else {
            *d++ = (unsigned char) (0xF0 | (cp >> 18));
            *d++ = (unsigned char) (0x80 | ((cp >> 12) & 0x3F));
            *d++ = (unsigned char) (0x80 | ((cp >> 6) & 0x3F));
            *d++ = (unsigned char) (0x80 | (cp & 0x3F));
        }
    }

    t->data = out;
    t->len = d - out;
    t->escaped = 0;

    return 0;
}


/*
 * The names of the object just closed, unescaped (so that they can be
 * compared byte by byte, here and by ngx_http_passport_jtok_member()),
 * each once.
 */

static int
ngx_http_passport_jt_dups(ngx_http_passport_jtok_doc_t *doc, size_t obj)
{
    size_t                     i, j, k, m, n;
    ngx_http_passport_jtok_t  *tok;

    tok = doc->tok;
    n = tok[obj].size;

    for (i = 0, k = obj + 1; i < n; i++, k = tok[k + 1].next) {
        if (tok[k].escaped && ngx_http_passport_jt_decode(doc, &tok[k]) != 0) {
            return NGX_HTTP_PASSPORT_JT_NOMEM;
        }
    }

    if (n > JT_DUPS_LINEAR) {
        return ngx_http_passport_jt_dups_hash(doc, obj);
    }

    for (i = 0, k = obj + 1; i + 1 < n; i++, k = tok[k + 1].next) {
        for (j = i + 1, m = tok[k + 1].next; j < n; j++, m = tok[m + 1].next)
        {
            if (ngx_http_passport_jt_same(&tok[k], &tok[m])) {
                return JT_INVALID;
            }
        }
    }

    return JT_OK;
}


static int
ngx_http_passport_jt_dups_hash(ngx_http_passport_jtok_doc_t *doc, size_t obj)
{
    size_t                     i, k, n, size, h, *table;
    const unsigned char       *p, *end;
    ngx_http_passport_jtok_t  *tok;

    tok = doc->tok;
    n = tok[obj].size;

    for (size = 64; size < 2 * n; size *= 2) { /* void */ }

    table = doc->alloc(doc->alloc_data, size * sizeof(size_t));
    if (table == NULL) {
        return NGX_HTTP_PASSPORT_JT_NOMEM;
    }

    memset(table, 0, size * sizeof(size_t));

    for (i = 0, k = obj + 1; i < n; i++, k = tok[k + 1].next) {

        /* FNV-1a */
        h = 2166136261u;
        end = tok[k].data + tok[k].len;

        for (p = tok[k].data; p < end; p++) {
            h = (h ^ *p) * 16777619u;
        }

        for (h &= size - 1; table[h]; h = (h + 1) & (size - 1)) {
            if (ngx_http_passport_jt_same(&tok[table[h] - 1], &tok[k])) {
                return JT_INVALID;
            }
        }

        table[h] = k + 1;
    }

    return JT_OK;
}


static int
ngx_http_passport_jt_same(ngx_http_passport_jtok_t *a,
    ngx_http_passport_jtok_t *b)
{
    return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}


size_t
ngx_http_passport_jtok_member(ngx_http_passport_jtok_doc_t *doc, size_t i,
    const unsigned char *name, size_t len)
{
    size_t                     m, k;
    ngx_http_passport_jtok_t  *tok;

    tok = doc->tok;

    if (i == JT_NONE || tok[i].type != NGX_HTTP_PASSPORT_JT_OBJECT) {
        return JT_NONE;
    }

    /* the names of a closed object are unescaped (jt_dups) */

    for (m = 0, k = i + 1; m < tok[i].size; m++, k = tok[k + 1].next) {
        if (tok[k].len == len && memcmp(tok[k].data, name, len) == 0) {
            return k + 1;
        }
    }

    return JT_NONE;
}


size_t
ngx_http_passport_jtok_element(ngx_http_passport_jtok_doc_t *doc, size_t i,
    size_t n)
{
    size_t                     k;
    ngx_http_passport_jtok_t  *tok;

    tok = doc->tok;

    if (i == JT_NONE || tok[i].type != NGX_HTTP_PASSPORT_JT_ARRAY
        || n >= tok[i].size)
    {
        return JT_NONE;
    }

    for (k = i + 1; n; n--) {
        k = tok[k].next;
    }

    return k;
}


int
ngx_http_passport_jtok_string(ngx_http_passport_jtok_doc_t *doc, size_t i,
    const unsigned char **data, size_t *len)
{
    ngx_http_passport_jtok_t  *t;

    t = &doc->tok[i];

    if (t->escaped && ngx_http_passport_jt_decode(doc, t) != 0) {
        return -1;
    }

    *data = t->data;
    *len = t->len;

    return 0;
}


double
ngx_http_passport_jtok_number(ngx_http_passport_jtok_doc_t *doc, size_t i)
{
    double                     d;
    ngx_http_passport_jtok_t  *t;

    t = &doc->tok[i];

    if (ngx_http_passport_jt_strtod(doc, t, &d) != 0) {
        /* out of memory for a number of 64 digits or more: never shown */
        return 0;
    }

    return d;
}


size_t
ngx_http_passport_jtok_resolve(ngx_http_passport_jtok_doc_t *doc, size_t i,
    const ngx_http_passport_ref_t *tokens, size_t ntokens)
{
    size_t                          n, k, idx;
    const ngx_http_passport_ref_t  *ref;

    for (n = 0; i != JT_NONE && n < ntokens; n++) {
        ref = &tokens[n];

        if (doc->tok[i].type == NGX_HTTP_PASSPORT_JT_OBJECT) {
            i = ngx_http_passport_jtok_member(doc, i, ref->data, ref->len);
            continue;
        }

        if (doc->tok[i].type != NGX_HTTP_PASSPORT_JT_ARRAY) {
            return JT_NONE;
        }

        /* as passport_pointer.c: decimal, no leading zero, 9 digits */

        if (ref->len == 0 || ref->len > 9
            || (ref->data[0] == '0' && ref->len > 1))
        {
            return JT_NONE;
        }

        idx = 0;

        for (k = 0; k < ref->len; k++) {
            if (!jt_digit(ref->data[k])) {
                return JT_NONE;
            }

            idx = idx * 10 + ref->data[k] - '0';
        }

        i = ngx_http_passport_jtok_element(doc, i, idx);
    }

    return i;
}
