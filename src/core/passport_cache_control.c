
/*
 * Copyright (C) passport developers
 */


#include <stddef.h>

#include "passport_cache_control.h"


#define NGX_HTTP_PASSPORT_CC_NAME  "cache-control"


static int ngx_http_passport_cc_tchar(unsigned char c);
static int ngx_http_passport_cc_ows(unsigned char c);
static int ngx_http_passport_cc_is(const unsigned char *p, size_t len,
    const char *name);
static const unsigned char *ngx_http_passport_cc_next(
    const unsigned char *p, const unsigned char *last);
static int ngx_http_passport_cc_apply(ngx_http_passport_cache_control_t *cc,
    const unsigned char *name, size_t len, const unsigned char *arg,
    size_t alen, int bad);


void
ngx_http_passport_cache_control_init(ngx_http_passport_cache_control_t *cc)
{
    cc->max_age = -1;
    cc->no_store = 0;
}


/*
 * #directive: token [ "=" ( token / quoted-string ) ], separated by
 * commas and optional white space
 */

int
ngx_http_passport_cache_control_parse(const unsigned char *value,
    size_t len, ngx_http_passport_cache_control_t *cc)
{
    int                   rc, bad;
    size_t                nlen, alen;
    const unsigned char  *p, *last, *name, *arg;

    rc = NGX_HTTP_PASSPORT_CC_OK;
    p = value;
    last = value + len;

    while (p < last) {

        if (*p == ',' || ngx_http_passport_cc_ows(*p)) {
            p++;
            continue;
        }

        name = p;
        while (p < last && ngx_http_passport_cc_tchar(*p)) {
            p++;
        }
        nlen = p - name;

        arg = NULL;
        alen = 0;
        bad = (nlen == 0);

        if (!bad && p < last && *p == '=') {
            p++;

            if (p < last && *p == '"') {
                arg = ++p;

                while (p < last && *p != '"') {
                    p += (*p == '\\' && last - p > 1) ? 2 : 1;
                }

                if (p < last) {
                    alen = p++ - arg;

                } else {
                    alen = p - arg;
                    bad = 1;    /* no closing quote */
                }

            } else {
                arg = p;
                while (p < last && ngx_http_passport_cc_tchar(*p)) {
                    p++;
                }
                alen = p - arg;
            }
        }

        while (p < last && ngx_http_passport_cc_ows(*p)) {
            p++;
        }

        if (p < last && *p != ',') {
            bad = 1;
            p = ngx_http_passport_cc_next(p, last);
        }

        if (ngx_http_passport_cc_apply(cc, name, nlen, arg, alen, bad)
            != NGX_HTTP_PASSPORT_CC_OK)
        {
            rc = NGX_HTTP_PASSPORT_CC_INVALID;
        }
    }

    return rc;
}


int
ngx_http_passport_cache_control_header(const unsigned char *line,
    size_t len, ngx_http_passport_cache_control_t *cc)
{
    size_t  n;

    n = sizeof(NGX_HTTP_PASSPORT_CC_NAME) - 1;

    if (len <= n || line[n] != ':'
        || !ngx_http_passport_cc_is(line, n, NGX_HTTP_PASSPORT_CC_NAME))
    {
        return 0;
    }

    (void) ngx_http_passport_cache_control_parse(line + n + 1, len - n - 1,
                                                 cc);

    return 1;
}


/* what one directive says; CC_INVALID when it was malformed */

static int
ngx_http_passport_cc_apply(ngx_http_passport_cache_control_t *cc,
    const unsigned char *name, size_t len, const unsigned char *arg,
    size_t alen, int bad)
{
    long    age;
    size_t  i;

    if (ngx_http_passport_cc_is(name, len, "no-store")
        || ngx_http_passport_cc_is(name, len, "no-cache"))
    {
        cc->no_store = 1;

    } else if (ngx_http_passport_cc_is(name, len, "max-age")) {

        age = 0;
        bad = bad || alen == 0;

        for (i = 0; !bad && i < alen; i++) {
            if (arg[i] < '0' || arg[i] > '9') {
                bad = 1;
                break;
            }

            if (age > (NGX_HTTP_PASSPORT_CC_MAX_AGE_MAX - (arg[i] - '0'))
                      / 10)
            {
                age = NGX_HTTP_PASSPORT_CC_MAX_AGE_MAX;

            } else {
                age = age * 10 + (arg[i] - '0');
            }
        }

        if (bad) {
            age = 0;    /* invalid freshness: stale (RFC 9111, 4.2.1) */
        }

        if (cc->max_age < 0 || age < cc->max_age) {
            cc->max_age = age;
        }
    }

    return bad ? NGX_HTTP_PASSPORT_CC_INVALID : NGX_HTTP_PASSPORT_CC_OK;
}


/* past the next comma outside a quoted string, or the end */

static const unsigned char *
ngx_http_passport_cc_next(const unsigned char *p, const unsigned char *last)
{
    int  quoted;

    for (quoted = 0; p < last; p++) {

        if (quoted && *p == '\\' && last - p > 1) {
            p++;

        } else if (*p == '"') {
            quoted = !quoted;

        } else if (*p == ',' && !quoted) {
            return p + 1;
        }
    }

    return last;
}


/* p[0..len) is name, ASCII case-insensitively; name is lowercase */

static int
ngx_http_passport_cc_is(const unsigned char *p, size_t len, const char *name)
{
    size_t         i;
    unsigned char  c;

    for (i = 0; i < len; i++) {
        c = p[i];

        if (c >= 'A' && c <= 'Z') {
            c |= 0x20;
        }

        if (name[i] == '\0' || c != (unsigned char) name[i]) {
            return 0;
        }
    }

    return name[i] == '\0';
}


/* RFC 9110, 5.6.2 */

static int
ngx_http_passport_cc_tchar(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z'))
    {
        return 1;
    }

    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*':
    case '+': case '-': case '.': case '^': case '_': case '`': case '|':
    case '~':
        return 1;
    }

    return 0;
}


/* white space, and the line end of a header line */

static int
ngx_http_passport_cc_ows(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
