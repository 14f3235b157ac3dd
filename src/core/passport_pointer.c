
/*
 * Copyright (C) passport developers
 */


#include <stddef.h>

#include "passport_pointer.h"


/* an index longer than this is past the end of any array we accept */
#define NGX_HTTP_PASSPORT_INDEX_DIGITS  9


size_t
ngx_http_passport_pointer_ntokens(const unsigned char *text, size_t len)
{
    size_t  i, n;

    for (n = 0, i = 0; i < len; i++) {
        if (text[i] == '/') {
            n++;
        }
    }

    return n;
}


int
ngx_http_passport_pointer_parse(const unsigned char *text, size_t len,
    ngx_http_passport_ref_t *tokens, unsigned char *buf)
{
    size_t                n;
    unsigned char        *d;
    const unsigned char  *p, *last;

    if (len && text[0] != '/') {
        return NGX_HTTP_PASSPORT_POINTER_NO_SLASH;
    }

    last = text + len;
    d = buf;
    n = 0;

    for (p = text; p < last; /* void */) {

        p++;    /* the "/" */

        tokens[n].data = d;

        while (p < last && *p != '/') {
            if (*p != '~') {
                *d++ = *p++;
                continue;
            }

            if (p + 1 == last || (p[1] != '0' && p[1] != '1')) {
                return NGX_HTTP_PASSPORT_POINTER_ESCAPE;
            }

            *d++ = (p[1] == '0') ? '~' : '/';
            p += 2;
        }

        tokens[n].len = d - tokens[n].data;
        n++;
    }

    return NGX_HTTP_PASSPORT_POINTER_OK;
}


json_t *
ngx_http_passport_pointer_resolve(json_t *v,
    const ngx_http_passport_ref_t *tokens, size_t ntokens)
{
    size_t                          i, k, idx;
    const ngx_http_passport_ref_t  *tok;

    for (i = 0; v && i < ntokens; i++) {
        tok = &tokens[i];

        if (json_is_object(v)) {
            v = json_object_getn(v, (const char *) tok->data, tok->len);
            continue;
        }

        if (!json_is_array(v)) {
            return NULL;
        }

        if (tok->len == 0 || tok->len > NGX_HTTP_PASSPORT_INDEX_DIGITS
            || (tok->data[0] == '0' && tok->len > 1))
        {
            return NULL;
        }

        idx = 0;

        for (k = 0; k < tok->len; k++) {
            if (tok->data[k] < '0' || tok->data[k] > '9') {
                return NULL;
            }

            idx = idx * 10 + tok->data[k] - '0';
        }

        v = json_array_get(v, idx);
    }

    return v;
}
