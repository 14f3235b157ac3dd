
/*
 * Copyright (C) passport developers
 */


#include <stdio.h>
#include <string.h>

#include "passport_verdict.h"


/*
 * One writer serves both passes: with p == NULL it only counts, so the
 * size and the document can never disagree.
 */

typedef struct {
    unsigned char  *p;
    size_t          n;
} ngx_http_passport_out_t;


static void ngx_http_passport_put(ngx_http_passport_out_t *out,
    const void *s, size_t len);
static void ngx_http_passport_put_str(ngx_http_passport_out_t *out,
    const char *s);
static void ngx_http_passport_put_json(ngx_http_passport_out_t *out,
    const unsigned char *s, size_t len, size_t max);
static size_t ngx_http_passport_utf8_len(const unsigned char *s,
    size_t len);
static void ngx_http_passport_problem_seller(ngx_http_passport_out_t *out,
    const ngx_http_passport_problem_t *pr);
static void ngx_http_passport_problem_error(ngx_http_passport_out_t *out,
    const ngx_http_passport_error_t *err);
static void ngx_http_passport_problem_out(ngx_http_passport_out_t *out,
    const ngx_http_passport_problem_t *pr);


static void
ngx_http_passport_put(ngx_http_passport_out_t *out, const void *s,
    size_t len)
{
    if (out->p) {
        memcpy(out->p + out->n, s, len);
    }

    out->n += len;
}


static void
ngx_http_passport_put_str(ngx_http_passport_out_t *out, const char *s)
{
    ngx_http_passport_put(out, s, strlen(s));
}


/* length of the valid UTF-8 sequence at s, 0 when it is not valid */

static size_t
ngx_http_passport_utf8_len(const unsigned char *s, size_t len)
{
    size_t    n, i;
    unsigned  c, min;

    c = s[0];

    if (c < 0x80) {
        return 1;
    }

    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        c &= 0x1f;
        min = 0x80;

    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        c &= 0x0f;
        min = 0x800;

    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        c &= 0x07;
        min = 0x10000;

    } else {
        return 0;
    }

    if (len < n) {
        return 0;
    }

    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }

        c = (c << 6) | (s[i] & 0x3f);
    }

    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
        return 0;
    }

    return n;
}


/*
 * Writes s as the inside of a JSON string: control characters escaped,
 * invalid UTF-8 replaced with U+FFFD.  Only the first max input bytes are
 * taken, so a character cut there becomes U+FFFD too.
 */

static void
ngx_http_passport_put_json(ngx_http_passport_out_t *out,
    const unsigned char *s, size_t len, size_t max)
{
    char                  esc[8];
    size_t                i, n;
    unsigned char         c;
    static const char     hex[] = "0123456789abcdef";

    if (len > max) {
        len = max;
    }

    i = 0;

    while (i < len) {
        c = s[i];

        if (c >= 0x80) {
            n = ngx_http_passport_utf8_len(s + i, len - i);

            if (n == 0) {
                ngx_http_passport_put(out, "\xef\xbf\xbd", 3);
                i++;
                continue;
            }

            ngx_http_passport_put(out, s + i, n);
            i += n;
            continue;
        }

        switch (c) {
        case '"':
            ngx_http_passport_put(out, "\\\"", 2);
            break;
        case '\\':
            ngx_http_passport_put(out, "\\\\", 2);
            break;
        case '\n':
            ngx_http_passport_put(out, "\\n", 2);
            break;
        case '\r':
            ngx_http_passport_put(out, "\\r", 2);
            break;
        case '\t':
            ngx_http_passport_put(out, "\\t", 2);
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                memcpy(esc, "\\u00", 4);
                esc[4] = hex[c >> 4];
                esc[5] = hex[c & 0xf];
                ngx_http_passport_put(out, esc, 6);

            } else {
                ngx_http_passport_put(out, &c, 1);
            }
        }

        i++;
    }
}


size_t
ngx_http_passport_json_escape_size(const unsigned char *s, size_t len,
    size_t max)
{
    ngx_http_passport_out_t  out = { NULL, 0 };

    ngx_http_passport_put_json(&out, s, len, max);

    return out.n;
}


unsigned char *
ngx_http_passport_json_escape(unsigned char *p, const unsigned char *s,
    size_t len, size_t max)
{
    ngx_http_passport_out_t  out = { p, 0 };

    ngx_http_passport_put_json(&out, s, len, max);

    return p + out.n;
}


/* ,"seller":{...}: the value as sent, its kind and its verdict */

static void
ngx_http_passport_problem_seller(ngx_http_passport_out_t *out,
    const ngx_http_passport_problem_t *pr)
{
    ngx_http_passport_put_str(out, ",\"seller\":{\"value\":");

    if (pr->seller) {
        ngx_http_passport_put_str(out, "\"");
        ngx_http_passport_put_json(out, pr->seller, pr->seller_len,
                                   NGX_HTTP_PASSPORT_VALUE_MAX);
        ngx_http_passport_put_str(out, "\"");

    } else {
        ngx_http_passport_put_str(out, "null");
    }

    ngx_http_passport_put_str(out, ",\"kind\":\"");
    ngx_http_passport_put_str(out, pr->seller_kind);
    ngx_http_passport_put_str(out, "\",\"verdict\":\"");
    ngx_http_passport_put_str(out, pr->seller_verdict);
    ngx_http_passport_put_str(out, "\"}");
}


/* one entry of errors[] */

static void
ngx_http_passport_problem_error(ngx_http_passport_out_t *out,
    const ngx_http_passport_error_t *err)
{
    ngx_http_passport_put_str(out, "{");

    /* no pointer for what is not in the body (headers, variables) */

    if (err->pointer) {
        ngx_http_passport_put_str(out, "\"pointer\":\"");
        ngx_http_passport_put_json(out, err->pointer, err->pointer_len,
                                   (size_t) -1);
        ngx_http_passport_put_str(out, "\",");
    }

    ngx_http_passport_put_str(out, "\"code\":\"");
    ngx_http_passport_put_str(out, ngx_http_passport_reason_name(err->reason));
    ngx_http_passport_put_str(out, "\",\"detail\":\"");
    ngx_http_passport_put_json(out, (const unsigned char *) err->detail,
                               strlen(err->detail), (size_t) -1);
    ngx_http_passport_put_str(out, "\"");

    if (err->value) {
        ngx_http_passport_put_str(out, ",\"value\":\"");
        ngx_http_passport_put_json(out, err->value, err->value_len,
                                   NGX_HTTP_PASSPORT_VALUE_MAX);
        ngx_http_passport_put_str(out, "\"");
    }

    ngx_http_passport_put_str(out, "}");
}


static void
ngx_http_passport_problem_out(ngx_http_passport_out_t *out,
    const ngx_http_passport_problem_t *pr)
{
    int          reason;
    char         num[128];
    size_t       i;
    const char  *detail;

    reason = pr->nerrors ? pr->errors[0].reason
                         : NGX_HTTP_PASSPORT_BODY_MALFORMED;

    ngx_http_passport_put_str(out, "{\"type\":\"");
    ngx_http_passport_put_json(out, pr->type_base, pr->type_base_len,
                               (size_t) -1);
    ngx_http_passport_put_str(out, ngx_http_passport_reason_slug(reason));

    ngx_http_passport_put_str(out, "\",\"title\":\"");
    ngx_http_passport_put_str(out,
                              ngx_http_passport_reason_title(reason,
                                                             pr->lang));

    snprintf(num, sizeof(num), "\",\"status\":%d,\"detail\":\"",
             pr->status);
    ngx_http_passport_put_str(out, num);

    if (pr->nerrors == 1) {
        detail = pr->errors[0].detail;
        ngx_http_passport_put_json(out, (const unsigned char *) detail,
                                   strlen(detail), (size_t) -1);

    } else {
        snprintf(num, sizeof(num), NGX_HTTP_PASSPORT_TEXT(SUMMARY, pr->lang),
                 (unsigned) pr->nerrors);
        ngx_http_passport_put_str(out, num);
    }

    ngx_http_passport_put_str(out, "\",\"instance\":\"");
    ngx_http_passport_put_json(out, pr->instance, pr->instance_len,
                               (size_t) -1);
    ngx_http_passport_put_str(out, "\"");

    if (pr->seller_kind) {
        ngx_http_passport_problem_seller(out, pr);
    }

    ngx_http_passport_put_str(out, ",\"errors\":[");

    for (i = 0; i < pr->nerrors; i++) {
        if (i) {
            ngx_http_passport_put_str(out, ",");
        }

        ngx_http_passport_problem_error(out, &pr->errors[i]);
    }

    ngx_http_passport_put_str(out, "]}\n");
}


size_t
ngx_http_passport_problem_size(const ngx_http_passport_problem_t *pr)
{
    ngx_http_passport_out_t  out = { NULL, 0 };

    ngx_http_passport_problem_out(&out, pr);

    return out.n;
}


unsigned char *
ngx_http_passport_problem_write(unsigned char *p,
    const ngx_http_passport_problem_t *pr)
{
    ngx_http_passport_out_t  out = { p, 0 };

    ngx_http_passport_problem_out(&out, pr);

    return p + out.n;
}
