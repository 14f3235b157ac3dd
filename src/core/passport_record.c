
/*
 * Copyright (C) passport developers
 */


/*
 * Registry records and cross-checks.  Everything the registry sends is
 * untrusted: strings are bounded before they are copied, and shown in
 * causes only as printable ASCII, cut.
 */


#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "passport_record_int.h"


typedef int (*ngx_http_passport_record_norm_pt)(const char *s, size_t len,
    char *buf);


/*
 * Copies at most max bytes of s as printable ASCII ('?' for any other
 * byte), adding "..." when cut; buf must hold max + 4 bytes.
 */

char *
ngx_http_passport_record_show(char *buf, const char *s, size_t len,
    size_t max)
{
    size_t  i, n;

    n = (len > max) ? max : len;

    for (i = 0; i < n; i++) {
        buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    }

    if (n < len) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }

    buf[n] = '\0';

    return buf;
}


int
ngx_http_passport_record_fail(char *cause, const char *fmt, ...)
{
    va_list  args;

    cause[0] = '\0';

    va_start(args, fmt);
    (void) vsnprintf(cause, NGX_HTTP_PASSPORT_CAUSE_MAX, fmt, args);
    va_end(args);

    return NGX_HTTP_PASSPORT_REC_ERROR;
}


/*
 * Normalises an entity ID from the registry into buf (SELLER_MAX bytes):
 * the normalised form when it parses as a seller ID, else trimmed and
 * upper-cased.  Empty, too long, or with bytes that cannot be part of an
 * ID (controls, inner spaces, non-ASCII) it is not an ID at all.
 */

int
ngx_http_passport_record_norm(const char *s, size_t len, char *buf)
{
    size_t                       i;
    const unsigned char         *p;
    ngx_http_passport_seller_t   sl;

    p = ngx_http_passport_trim((const unsigned char *) s, &len, 1);

    if (len == 0) {
        return NGX_HTTP_PASSPORT_NORM_EMPTY;
    }

    if (len >= NGX_HTTP_PASSPORT_SELLER_MAX) {
        return NGX_HTTP_PASSPORT_NORM_LONG;
    }

    for (i = 0; i < len; i++) {
        if (p[i] <= 0x20 || p[i] >= 0x7f) {
            return NGX_HTTP_PASSPORT_NORM_BYTES;
        }
    }

    /* on a parse error sl.id still holds the trimmed upper-cased ID */

    (void) ngx_http_passport_seller_parse(p, len, &sl);
    memcpy(buf, sl.id, NGX_HTTP_PASSPORT_SELLER_MAX);

    return NGX_HTTP_PASSPORT_NORM_OK;
}


/* a status: [a-z_]{1,23}, accepted in any case, lower-cased into buf */

int
ngx_http_passport_record_lower(const char *s, size_t len, char *buf)
{
    size_t  i;

    if (len == 0) {
        return NGX_HTTP_PASSPORT_NORM_EMPTY;
    }

    if (len >= NGX_HTTP_PASSPORT_STATUS_MAX) {
        return NGX_HTTP_PASSPORT_NORM_LONG;
    }

    for (i = 0; i < len; i++) {
        buf[i] = ngx_http_passport_upper(s[i]) ? (char) (s[i] | 0x20) : s[i];

        if (!ngx_http_passport_lower(buf[i]) && buf[i] != '_') {
            buf[0] = '\0';
            return NGX_HTTP_PASSPORT_NORM_BYTES;
        }
    }

    buf[len] = '\0';

    return NGX_HTTP_PASSPORT_NORM_OK;
}


/*
 * The string member "key", normalised into buf by norm unless norm is NULL;
 * with asked, it must then be the asked one, byte for byte.
 */

static int
ngx_http_passport_record_string(json_t *root, const char *key,
    ngx_http_passport_record_norm_pt norm, char *buf, const char *asked,
    size_t asked_len, char *cause)
{
    int          rc;
    char         got[NGX_HTTP_PASSPORT_REC_TEXT];
    char         want[NGX_HTTP_PASSPORT_REC_TEXT];
    size_t       len;
    json_t      *v;
    const char  *s;

    v = json_object_get(root, key);

    if (!json_is_string(v)) {
        return ngx_http_passport_record_fail(cause,
                   NGX_HTTP_PASSPORT_MSG_CAUSE_NO_STRING_EN, key);
    }

    s = json_string_value(v);
    len = json_string_length(v);
    ngx_http_passport_record_show(got, s, len, NGX_HTTP_PASSPORT_REC_SHOW);

    rc = norm ? norm(s, len, buf) : NGX_HTTP_PASSPORT_NORM_OK;

    switch (rc) {

    case NGX_HTTP_PASSPORT_NORM_EMPTY:
        return ngx_http_passport_record_fail(cause,
                   NGX_HTTP_PASSPORT_MSG_CAUSE_EMPTY_EN, key);

    case NGX_HTTP_PASSPORT_NORM_LONG:
        return ngx_http_passport_record_fail(cause,
                   NGX_HTTP_PASSPORT_MSG_CAUSE_TOO_LONG_EN, key,
                   (unsigned long) len);

    case NGX_HTTP_PASSPORT_NORM_BYTES:
        return ngx_http_passport_record_fail(cause,
                   NGX_HTTP_PASSPORT_MSG_CAUSE_INVALID_EN, key, got);
    }

    if (norm) {
        s = buf;
        len = strlen(buf);
    }

    if (asked && (len != asked_len || memcmp(s, asked, len) != 0)) {
        return ngx_http_passport_record_fail(cause,
                   NGX_HTTP_PASSPORT_MSG_CAUSE_OTHER_ID_EN, got,
                   ngx_http_passport_record_show(want, asked, asked_len,
                                                 NGX_HTTP_PASSPORT_REC_SHOW));
    }

    return NGX_HTTP_PASSPORT_REC_OK;
}


/*
 * An optional member, null or absent, or else a string (or, with array, an
 * array of strings).
 */

static int
ngx_http_passport_record_optional(json_t *root, const char *key, int array,
    char *cause)
{
    size_t   i;
    json_t  *v;

    v = json_object_get(root, key);

    if (v == NULL || json_is_null(v) || (!array && json_is_string(v))) {
        return NGX_HTTP_PASSPORT_REC_OK;
    }

    if (!array || !json_is_array(v)) {
        return ngx_http_passport_record_fail(cause,
                   array ? NGX_HTTP_PASSPORT_MSG_CAUSE_NOT_ARRAY_EN
                         : NGX_HTTP_PASSPORT_MSG_CAUSE_NOT_STRING_EN,
                   key);
    }

    for (i = 0; i < json_array_size(v); i++) {
        if (!json_is_string(json_array_get(v, i))) {
            return ngx_http_passport_record_fail(cause,
                       NGX_HTTP_PASSPORT_MSG_CAUSE_ITEM_NOT_STRING_EN, key,
                       (unsigned long) i);
        }
    }

    return NGX_HTTP_PASSPORT_REC_OK;
}


/* the HTTP status and the body as a JSON object */

int
ngx_http_passport_record_load(long http_status, const unsigned char *body,
    size_t len, char *cause, json_t **root)
{
    char          text[JSON_ERROR_TEXT_LENGTH + 4];
    json_error_t  error;

    *root = NULL;

    if (http_status == 404) {
        return NGX_HTTP_PASSPORT_REC_NOT_FOUND;
    }

    if (http_status != 200) {
        return ngx_http_passport_record_fail(cause,
                   NGX_HTTP_PASSPORT_MSG_CAUSE_HTTP_STATUS_EN, http_status);
    }

    /* no JSON_ALLOW_NUL: a NUL in a registry string is an error */

    *root = json_loadb(body ? (const char *) body : "", body ? len : 0,
                       JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &error);

    if (*root == NULL) {
        error.text[JSON_ERROR_TEXT_LENGTH - 1] = '\0';

        return ngx_http_passport_record_fail(cause,
                   NGX_HTTP_PASSPORT_MSG_CAUSE_NOT_JSON_EN,
                   ngx_http_passport_record_show(text, error.text,
                                                 strlen(error.text),
                                                 JSON_ERROR_TEXT_LENGTH));
    }

    if (!json_is_object(*root)) {
        json_decref(*root);
        *root = NULL;

        return ngx_http_passport_record_fail(cause,
                   NGX_HTTP_PASSPORT_MSG_CAUSE_NOT_OBJECT_EN);
    }

    return NGX_HTTP_PASSPORT_REC_OK;
}


/*
 * A name, when v is a string: cut at NAME_MAX - 1 bytes and at a UTF-8
 * character boundary, control characters dropped; else "".  It is only
 * shown (the report record), never compared.
 */

void
ngx_http_passport_record_name(json_t *v, char *name)
{
    size_t          i, n, len;
    const char     *s;
    unsigned char   c;

    name[0] = '\0';

    if (!json_is_string(v)) {
        return;
    }

    s = json_string_value(v);
    len = json_string_length(v);
    n = 0;

    for (i = 0; i < len && n < NGX_HTTP_PASSPORT_NAME_MAX - 1; i++) {
        c = (unsigned char) s[i];

        if (c >= 0x20 && c != 0x7f) {
            name[n++] = (char) c;
        }
    }

    /* a multi-byte character cut in the middle is dropped */

    while (n > 0 && i < len && ((unsigned char) name[n - 1] & 0x80)) {
        c = (unsigned char) name[--n];

        if (c & 0x40) {
            break;
        }
    }

    name[n] = '\0';
}


/*
 * A country, when v is a string naming an assigned ISO 3166-1 country
 * (alpha-2 in any case, or numeric): its alpha-2 code, upper case; else "".
 */

void
ngx_http_passport_record_country(json_t *v, char *country)
{
    int          n;
    const char  *a;

    country[0] = '\0';

    if (!json_is_string(v)) {
        return;
    }

    n = ngx_http_passport_country((const unsigned char *)
                                  json_string_value(v),
                                  json_string_length(v));
    a = (n >= 0) ? ngx_http_passport_country_alpha2(n) : NULL;

    if (a && strlen(a) == 2) {
        memcpy(country, a, 3);
    }
}


int
ngx_http_passport_entity_parse(long http_status, const unsigned char *body,
    size_t len, const char *asked, size_t asked_len,
    ngx_http_passport_entity_t *out)
{
    int      rc;
    json_t  *root;

    memset(out, 0, sizeof(ngx_http_passport_entity_t));

    rc = ngx_http_passport_record_load(http_status, body, len, out->cause,
                                       &root);
    if (rc != NGX_HTTP_PASSPORT_REC_OK) {
        return out->rc = rc;
    }

    if (ngx_http_passport_record_string(root, "id",
                                        ngx_http_passport_record_norm,
                                        out->id, asked, asked_len, out->cause)
        || ngx_http_passport_record_string(root, "status",
                                           ngx_http_passport_record_lower,
                                           out->status, NULL, 0, out->cause)
        || ngx_http_passport_record_optional(root, "name", 0, out->cause)
        || ngx_http_passport_record_optional(root, "country", 0,
                                             out->cause))
    {
        rc = NGX_HTTP_PASSPORT_REC_ERROR;

    } else {
        ngx_http_passport_record_name(json_object_get(root, "name"),
                                      out->name);
        ngx_http_passport_record_country(json_object_get(root, "country"),
                                         out->country);
    }

    json_decref(root);

    if (rc != NGX_HTTP_PASSPORT_REC_OK) {
        out->id[0] = '\0';
        out->status[0] = '\0';
    }

    return out->rc = rc;
}


/* "origin": alpha-2 or numeric string, or an integer */

static int
ngx_http_passport_record_origin(json_t *root, int *origin, char *cause)
{
    char         text[NGX_HTTP_PASSPORT_REC_TEXT];
    json_t      *v;
    json_int_t   n;

    v = json_object_get(root, "origin");

    if (json_is_string(v)) {
        *origin = ngx_http_passport_country(
                      (const unsigned char *) json_string_value(v),
                      json_string_length(v));

        return (*origin >= 0) ? NGX_HTTP_PASSPORT_REC_OK
               : ngx_http_passport_record_fail(cause,
                     NGX_HTTP_PASSPORT_MSG_CAUSE_ORIGIN_UNKNOWN_EN,
                     ngx_http_passport_record_show(text,
                         json_string_value(v), json_string_length(v),
                         NGX_HTTP_PASSPORT_REC_SHOW));
    }

    if (!json_is_integer(v)) {
        return ngx_http_passport_record_fail(cause,
                   (v == NULL || json_is_null(v))
                   ? NGX_HTTP_PASSPORT_MSG_CAUSE_NO_ORIGIN_EN
                   : NGX_HTTP_PASSPORT_MSG_CAUSE_ORIGIN_NOT_CODE_EN);
    }

    n = json_integer_value(v);
    *origin = (n >= 0 && n <= 999
               && ngx_http_passport_country_alpha2((int) n)) ? (int) n : -1;

    return (*origin >= 0) ? NGX_HTTP_PASSPORT_REC_OK
           : ngx_http_passport_record_fail(cause,
                 NGX_HTTP_PASSPORT_MSG_CAUSE_ORIGIN_NUMBER_EN, (long long) n);
}


/* "code": the asked code or, with ancestors, an ancestor of it */

static int
ngx_http_passport_record_code(json_t *root, const char *asked,
    size_t asked_len, int ancestors, size_t *code_len, char *cause)
{
    char         got[NGX_HTTP_PASSPORT_REC_TEXT];
    char         want[NGX_HTTP_PASSPORT_REC_TEXT];
    size_t       len;
    json_t      *v;
    const char  *s;

    v = json_object_get(root, "code");

    if (!json_is_string(v)) {
        return ngx_http_passport_record_fail(cause,
                   NGX_HTTP_PASSPORT_MSG_CAUSE_NO_STRING_EN, "code");
    }

    s = json_string_value(v);
    len = json_string_length(v);

    if ((len == asked_len && memcmp(s, asked, len) == 0)
        || (ancestors
            && ngx_http_passport_code_ancestor(s, len, asked, asked_len)))
    {
        *code_len = len;
        return NGX_HTTP_PASSPORT_REC_OK;
    }

    return ngx_http_passport_record_fail(cause,
               NGX_HTTP_PASSPORT_MSG_CAUSE_OTHER_ID_EN,
               ngx_http_passport_record_show(got, s, len,
                                             NGX_HTTP_PASSPORT_REC_SHOW),
               ngx_http_passport_record_show(want, asked, asked_len,
                                             NGX_HTTP_PASSPORT_REC_SHOW));
}


static int
ngx_http_passport_record_read(long http_status, const unsigned char *body,
    size_t len, const char *asked, size_t asked_len, int ancestors,
    ngx_http_passport_record_t *out)
{
    int      rc;
    json_t  *root;

    memset(out, 0, sizeof(ngx_http_passport_record_t));
    out->origin = -1;

    rc = ngx_http_passport_record_load(http_status, body, len, out->cause,
                                       &root);
    if (rc != NGX_HTTP_PASSPORT_REC_OK) {
        return out->rc = rc;
    }

    if (ngx_http_passport_record_code(root, asked, asked_len, ancestors,
                                      &out->code_len, out->cause)
        || ngx_http_passport_record_string(root, "status",
                                           ngx_http_passport_record_lower,
                                           out->status, NULL, 0, out->cause)
        || ngx_http_passport_record_string(root, "owner",
                                           ngx_http_passport_record_norm,
                                           out->owner, NULL, 0, out->cause)
        || ngx_http_passport_record_origin(root, &out->origin, out->cause)
        || ngx_http_passport_record_optional(root, "authorized_sellers", 1,
                                             out->cause)
        || ngx_http_passport_record_optional(root, "product", 0, out->cause))
    {
        rc = NGX_HTTP_PASSPORT_REC_ERROR;
    }

    if (rc != NGX_HTTP_PASSPORT_REC_OK) {
        json_decref(root);
        root = NULL;
        out->status[0] = '\0';
        out->owner[0] = '\0';
        out->origin = -1;
        out->code_len = 0;
    }

    out->root = root;

    return out->rc = rc;
}


int
ngx_http_passport_record_parse(long http_status, const unsigned char *body,
    size_t len, const char *asked, size_t asked_len,
    ngx_http_passport_record_t *out)
{
    return ngx_http_passport_record_read(http_status, body, len, asked,
                                         asked_len, 0, out);
}


int
ngx_http_passport_record_parse_any(long http_status,
    const unsigned char *body, size_t len, const char *asked,
    size_t asked_len, ngx_http_passport_record_t *out)
{
    return ngx_http_passport_record_read(http_status, body, len, asked,
                                         asked_len, 1, out);
}


/*
 * "01/" and 14 digits, then "/AI/value" pairs, AI 22, 10 or 21, values
 * not empty (a "/" in a canonical value is "%2F"): the parent ends where
 * the last pair starts.
 */

size_t
ngx_http_passport_code_parent(const char *code, size_t len)
{
    size_t  i, ai, last;

    if (len < 17 || memcmp(code, "01/", 3) != 0) {
        return 0;
    }

    for (i = 3; i < 17; i++) {
        if (code[i] < '0' || code[i] > '9') {
            return 0;
        }
    }

    last = 0;

    while (i < len) {

        if (code[i] != '/') {
            return 0;
        }

        ai = ++i;

        while (i < len && code[i] != '/') {
            i++;
        }

        if (i - ai != 2 || i + 1 >= len || code[i + 1] == '/'
            || (memcmp(code + ai, "22", 2) != 0
                && memcmp(code + ai, "10", 2) != 0
                && memcmp(code + ai, "21", 2) != 0))
        {
            return 0;
        }

        for (i++; i < len && code[i] != '/'; i++) { /* void */ }

        last = ai - 1;
    }

    return last;
}


int
ngx_http_passport_code_ancestor(const char *anc, size_t anc_len,
    const char *code, size_t len)
{
    size_t  n;

    for (n = ngx_http_passport_code_parent(code, len);
         n != 0;
         n = ngx_http_passport_code_parent(code, n))
    {
        if (n == anc_len && memcmp(anc, code, n) == 0) {
            return 1;
        }
    }

    return 0;
}


void
ngx_http_passport_record_free(ngx_http_passport_record_t *rec)
{
    json_decref(rec->root);
    rec->root = NULL;
}
