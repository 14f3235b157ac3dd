
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport_report_query_args.h"
#include "ngx_http_passport_report_view.h"
#include "ngx_http_passport_reply.h"


/*
 * The query string of passport_reports: each parameter known, given
 * once, with a good value; strings are kept escaped as the log writes
 * them, times in the records' form (UTC, milliseconds), so that a record
 * is matched on its bytes.
 */


static const char *ngx_http_passport_report_args_one(
    ngx_http_passport_report_args_t *a, ngx_pool_t *pool, ngx_str_t *name,
    ngx_str_t *value);
static const char *ngx_http_passport_report_args_filter(
    ngx_http_passport_report_args_t *a, ngx_pool_t *pool, ngx_int_t i,
    ngx_str_t *value);
static const char *ngx_http_passport_report_args_choice(
    ngx_http_passport_report_args_t *a, ngx_int_t i, ngx_str_t *value);
static const char *ngx_http_passport_report_args_time(ngx_str_t *value,
    u_char *out);
static ngx_int_t ngx_http_passport_report_args_escaped(ngx_pool_t *pool,
    const char *prefix, ngx_str_t *value, ngx_str_t *out);


static const char  *ngx_http_passport_report_args_names[] = {
    "since", "from", "to", "node", "seller", "code", "reason", "verdict",
    "mode", "limit", "view", "format", NULL
};


/*
 * The query string: each parameter known, once, with a good value.
 * NULL, the detail of a 400 naming what is wrong, or NGX_ERROR.
 */

u_char *
ngx_http_passport_report_args_parse(ngx_http_request_t *r,
    ngx_http_passport_report_args_t *a)
{
    u_char       *p, *last, *amp, *eq, *bad;
    ngx_str_t     name, value;
    const char   *why;

    a->limit = 100;
    a->mode = -1;

    p = r->args.data;
    last = p + r->args.len;

    while (p < last) {
        amp = ngx_strlchr(p, last, '&');
        amp = amp ? amp : last;
        eq = ngx_strlchr(p, amp, '=');

        name.data = p;
        name.len = (eq ? eq : amp) - p;
        value.data = eq ? eq + 1 : amp;
        value.len = amp - value.data;
        p = amp + 1;

        if (name.len == 0) {
            continue;
        }

        why = ngx_http_passport_report_args_one(a, r->pool, &name, &value);

        if (why == (const char *) NGX_ERROR) {
            return (u_char *) NGX_ERROR;
        }

        if (why) {
            bad = ngx_pnalloc(r->pool, 64 + 2 * ngx_min(name.len, 64)
                                      + ngx_strlen(why));
            if (bad == NULL) {
                return (u_char *) NGX_ERROR;
            }

            /* the name as sent, escaped, cut */
            p = ngx_http_passport_json_escape(bad, name.data, name.len, 64);
            ngx_sprintf(p, ": %s%Z", why);

            return bad;
        }
    }

    return NULL;
}


/* one parameter; NULL, why it is refused, or NGX_ERROR */

static const char *
ngx_http_passport_report_args_one(ngx_http_passport_report_args_t *a,
    ngx_pool_t *pool, ngx_str_t *name, ngx_str_t *value)
{
    u_char     *dst, *src;
    ngx_int_t   i;

    for (i = 0; ngx_http_passport_report_args_names[i]; i++) {
        if (name->len == ngx_strlen(ngx_http_passport_report_args_names[i])
            && ngx_strncmp(name->data, ngx_http_passport_report_args_names[i],
                           name->len) == 0)
        {
            break;
        }
    }

    if (ngx_http_passport_report_args_names[i] == NULL) {
        return "unknown parameter; since, from, to, node, seller, code, "
               "reason, verdict, mode, limit, view and format are known";
    }

    if (a->seen & (1 << i)) {
        return "given twice";
    }

    a->seen |= 1 << i;

    /* the value, %-decoded */

    dst = ngx_pnalloc(pool, value->len + 1);
    if (dst == NULL) {
        return (const char *) NGX_ERROR;
    }

    src = value->data;
    value->data = dst;
    ngx_unescape_uri(&dst, &src, value->len, 0);
    value->len = dst - value->data;

    if (i <= 5) {
        return ngx_http_passport_report_args_filter(a, pool, i, value);
    }

    return ngx_http_passport_report_args_choice(a, i, value);
}


/* since, from, to, node, seller, code */

static const char *
ngx_http_passport_report_args_filter(ngx_http_passport_report_args_t *a,
    ngx_pool_t *pool, ngx_int_t i, ngx_str_t *value)
{
    ngx_int_t  n;

    switch (i) {

    case 0: /* since */
        n = ngx_atoi(value->data, value->len);
        if (n == NGX_ERROR) {
            return "must be a record sequence number";
        }

        a->since = (unsigned long long) n;
        return NULL;

    case 1: /* from */
        return ngx_http_passport_report_args_time(value, a->from);

    case 2: /* to */
        return ngx_http_passport_report_args_time(value, a->to);

    case 3: /* node */
        if (value->len == 0 || value->len > NGX_HTTP_PASSPORT_REPORT_NODE_MAX)
        {
            return "must be a node name of 1 to 128 bytes";
        }

        return ngx_http_passport_report_args_escaped(pool, "", value,
                                                     &a->node)
               ? (const char *) NGX_ERROR : NULL;

    case 4: /* seller */
        if (value->len == 0 || value->len > NGX_HTTP_PASSPORT_VALUE_MAX) {
            return "must be a seller ID";
        }

        return ngx_http_passport_report_args_escaped(pool, "", value,
                                                     &a->seller)
               ? (const char *) NGX_ERROR : NULL;

    default: /* code */
        if (value->len == 0 || value->len > NGX_HTTP_PASSPORT_VALUE_MAX) {
            return "must be a trace code as recorded (canonical)";
        }

        return ngx_http_passport_report_args_escaped(pool, "\"code\":\"",
                                                     value, &a->code)
               ? (const char *) NGX_ERROR : NULL;
    }
}


/* reason, verdict, mode, limit, view, format */

static const char *
ngx_http_passport_report_args_choice(ngx_http_passport_report_args_t *a,
    ngx_int_t i, ngx_str_t *value)
{
    ngx_int_t    n;
    const char  *name;

    switch (i) {

    case 6: /* reason */
        for (n = 0; n < NGX_HTTP_PASSPORT_NREASONS; n++) {
            name = ngx_http_passport_reason_name(n);

            if (value->len == ngx_strlen(name)
                && ngx_strncmp(value->data, name, value->len) == 0)
            {
                a->reason = 1UL << n;
                return NULL;
            }
        }

        return "must be a reason code, as CODE_RECALLED";

    case 7: /* verdict */
        if (value->len == 4 && ngx_strncmp(value->data, "flag", 4) == 0) {
            a->verdict = NGX_HTTP_PASSPORT_VERDICT_FLAG;
            return NULL;
        }

        if (value->len == 5 && ngx_strncmp(value->data, "block", 5) == 0) {
            a->verdict = NGX_HTTP_PASSPORT_VERDICT_BLOCK;
            return NULL;
        }

        return "must be flag or block";

    case 8: /* mode */
        for (n = 0; n <= NGX_HTTP_PASSPORT_MODE_MONITOR; n++) {
            name = ngx_http_passport_report_mode_name(n);

            if (value->len == ngx_strlen(name)
                && ngx_strncmp(value->data, name, value->len) == 0)
            {
                a->mode = n;
                return NULL;
            }
        }

        return "must be enforce, flag or monitor";

    case 9: /* limit */
        a->limit = ngx_atoi(value->data, value->len);
        if (a->limit < 1 || a->limit > 10000) {
            return "must be a number from 1 to 10000";
        }

        return NULL;

    case 10: /* view */
        if (value->len != 7 || ngx_strncmp(value->data, "sellers", 7) != 0) {
            return "must be sellers";
        }

        a->sellers = 1;
        return NULL;

    default: /* format */
        if (value->len == 3 && ngx_strncmp(value->data, "csv", 3) == 0) {
            a->csv = 1;
            return NULL;
        }

        if (value->len == 6 && ngx_strncmp(value->data, "ndjson", 6) == 0) {
            return NULL;
        }

        return "must be ndjson or csv";
    }
}


/* prefix and the value escaped as the log writes it */

static ngx_int_t
ngx_http_passport_report_args_escaped(ngx_pool_t *pool, const char *prefix,
    ngx_str_t *value, ngx_str_t *out)
{
    size_t   len;
    u_char  *p;

    len = ngx_strlen(prefix);

    p = ngx_pnalloc(pool, len + ngx_http_passport_json_escape_size(
                                    value->data, value->len, value->len));
    if (p == NULL) {
        return NGX_ERROR;
    }

    out->data = p;
    p = ngx_cpymem(p, prefix, len);
    p = ngx_http_passport_json_escape(p, value->data, value->len,
                                      value->len);
    out->len = p - out->data;

    return NGX_OK;
}


/*
 * An RFC 3339 time (YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM)) as the
 * records write it, in UTC with milliseconds, which then compare as
 * strings.
 */

static const char *
ngx_http_passport_report_args_time(ngx_str_t *value, u_char *out)
{
    u_char     *p, *last;
    time_t      t;
    ngx_tm_t    tm;
    ngx_int_t   v[6], ms, off, n, k;

    static const char  *bad = "must be an RFC 3339 time, as "
                              "2026-11-25T22:14:03Z or "
                              "2026-11-26T05:14:03.5+07:00";
    static const int    at[] = { 0, 5, 8, 11, 14, 17 };
    static const int    len[] = { 4, 2, 2, 2, 2, 2 };
    static const char   sep[] = "--T::";

    p = value->data;
    last = p + value->len;

    if (value->len < 20) {
        return bad;
    }

    for (k = 0; k < 6; k++) {
        v[k] = ngx_atoi(p + at[k], len[k]);

        if (v[k] == NGX_ERROR
            || (k < 5 && p[at[k] + len[k]] != sep[k]
                && !(k == 2 && (p[10] == 't' || p[10] == ' '))))
        {
            return bad;
        }
    }

    p += 19;
    ms = 0;

    if (*p == '.') {
        for (n = 100, p++; p < last && *p >= '0' && *p <= '9'; p++) {
            ms += (*p - '0') * n;
            n /= 10;
        }
    }

    if (p < last && (*p == 'Z' || *p == 'z') && p + 1 == last) {
        off = 0;

    } else if (last - p == 6 && (*p == '+' || *p == '-') && p[3] == ':'
               && (n = ngx_atoi(p + 1, 2)) != NGX_ERROR
               && (k = ngx_atoi(p + 4, 2)) != NGX_ERROR
               && n < 24 && k < 60)
    {
        off = (*p == '-' ? -1 : 1) * (n * 3600 + k * 60);

    } else {
        return bad;
    }

    if (v[0] < 1970 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31
        || v[3] > 23 || v[4] > 59 || v[5] > 60)
    {
        return bad;
    }

    /* days from the civil date, as passport_report.c counts them back */

    n = v[0] - (v[1] <= 2);
    k = (n >= 0 ? n : n - 399) / 400;
    t = (time_t) (k * 146097 + (n - k * 400) * 365 + (n - k * 400) / 4
                  - (n - k * 400) / 100
                  + (153 * (v[1] + (v[1] > 2 ? -3 : 9)) + 2) / 5 + v[2] - 1
                  - 719468);
    t = t * 86400 + v[3] * 3600 + v[4] * 60 + v[5] - off;

    if (t < 0) {
        return bad;
    }

    ngx_gmtime(t, &tm);

    ngx_sprintf(out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                tm.ngx_tm_year, tm.ngx_tm_mon, tm.ngx_tm_mday,
                tm.ngx_tm_hour, tm.ngx_tm_min, tm.ngx_tm_sec, (int) ms);

    return NULL;
}


ngx_uint_t
ngx_http_passport_report_args_match(ngx_http_passport_report_args_t *a,
    ngx_http_passport_report_line_t *line)
{
    size_t      pos;
    ngx_str_t   seller;
    ngx_uint_t  found;

    if (line->seq <= a->since
        || (a->verdict && line->verdict != (int) a->verdict)
        || (a->mode >= 0 && line->mode != (int) a->mode)
        || (a->reason && !(line->reasons & a->reason))
        || (a->from[0] && ngx_memcmp(line->time.data, a->from, 24) < 0)
        || (a->to[0] && ngx_memcmp(line->time.data, a->to, 24) > 0)
        || (a->node.len
            && (line->node.len != a->node.len
                || ngx_memcmp(line->node.data, a->node.data, a->node.len)
                   != 0))
        || (a->code.len
            && !ngx_http_passport_report_item_has(line, &a->code)))
    {
        return 0;
    }

    if (a->seller.len == 0) {
        return 1;
    }

    /* the listing's seller, or an item's own */

    pos = 0;
    found = 0;

    while (!found
           && ngx_http_passport_report_seller_next(line, &pos, &seller)
              == NGX_OK)
    {
        found = (seller.len == a->seller.len
                 && ngx_memcmp(seller.data, a->seller.data, seller.len)
                    == 0);
    }

    return found;
}


ngx_int_t
ngx_http_passport_report_args_bad(ngx_http_request_t *r, u_char *detail)
{
    ngx_buf_t                  *b;
    ngx_http_passport_reply_t   rp;

    b = ngx_create_temp_buf(r->pool, 200 + ngx_strlen(detail));
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->last = ngx_sprintf(b->last, "{\"type\":\"about:blank\",\"title\":\""
                          NGX_HTTP_PASSPORT_MSG_QUERY_TITLE_EN
                          "\",\"status\":400,\"detail\":\"%s\"}\n",
                          detail);

    ngx_memzero(&rp, sizeof(ngx_http_passport_reply_t));

    rp.status = NGX_HTTP_BAD_REQUEST;
    ngx_str_set(&rp.type, "application/problem+json");

    if (ngx_http_passport_reply_buf(r, &rp, b) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_passport_reply(r, &rp);
}
