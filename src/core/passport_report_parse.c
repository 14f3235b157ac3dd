
/*
 * Copyright (C) passport developers
 */


#include <string.h>

#include "passport_report.h"


/*
 * Reading report lines back: the record grammar of docs/reports.md.  The
 * checks of what is read are in passport_report_check.c.
 */


/* a parser position in a line */

typedef struct {
    const unsigned char  *start;
    const unsigned char  *p;
    const unsigned char  *end;
} ngx_http_passport_report_in_t;


static int ngx_http_passport_report_lit(ngx_http_passport_report_in_t *in,
    const char *s);
static int ngx_http_passport_report_string(ngx_http_passport_report_in_t *in,
    ngx_http_passport_report_span_t *span);
static int ngx_http_passport_report_is(
    const ngx_http_passport_report_span_t *span, const char *s);
static int ngx_http_passport_report_uint(ngx_http_passport_report_in_t *in,
    unsigned long long *v);
static int ngx_http_passport_report_hex_member(
    ngx_http_passport_report_in_t *in, const char *name, char *dst);
static int ngx_http_passport_report_time_ok(
    const ngx_http_passport_report_span_t *t);
static int ngx_http_passport_report_array(ngx_http_passport_report_in_t *in,
    unsigned long *mask);
static int ngx_http_passport_report_opt(ngx_http_passport_report_in_t *in,
    const char *name, ngx_http_passport_report_span_t *span);
static int ngx_http_passport_report_item(ngx_http_passport_report_in_t *in);
static int ngx_http_passport_report_items(ngx_http_passport_report_in_t *in);
static int ngx_http_passport_report_which(
    const ngx_http_passport_report_span_t *span, const char *(*name)(int),
    int max);
static int ngx_http_passport_report_kid_member(
    ngx_http_passport_report_in_t *in, ngx_http_passport_report_line_t *l);
static int ngx_http_passport_report_head(ngx_http_passport_report_in_t *in,
    ngx_http_passport_report_line_t *l);
static int ngx_http_passport_report_verdict(
    ngx_http_passport_report_in_t *in, ngx_http_passport_report_line_t *l);
static int ngx_http_passport_report_end(ngx_http_passport_report_in_t *in,
    ngx_http_passport_report_line_t *l, size_t *canon,
    ngx_http_passport_report_span_t *sig);
static int ngx_http_passport_report_detail(
    ngx_http_passport_report_in_t *in, ngx_http_passport_report_line_t *l);


static int
ngx_http_passport_report_lit(ngx_http_passport_report_in_t *in,
    const char *s)
{
    size_t  len;

    len = strlen(s);

    if ((size_t) (in->end - in->p) < len || memcmp(in->p, s, len) != 0) {
        return -1;
    }

    in->p += len;

    return 0;
}


/* a JSON string (RFC 8259): span is what lies between the quotes */

static int
ngx_http_passport_report_string(ngx_http_passport_report_in_t *in,
    ngx_http_passport_report_span_t *span)
{
    size_t                i;
    const unsigned char  *p;

    if (ngx_http_passport_report_lit(in, "\"") != 0) {
        return -1;
    }

    p = in->p;

    while (p < in->end && *p != '"') {

        if (*p < 0x20) {
            return -1;
        }

        if (*p++ != '\\') {
            continue;
        }

        if (p == in->end) {
            return -1;
        }

        if (*p == 'u') {
            for (i = 1; i <= 4; i++) {
                if (p + i >= in->end
                    || strchr("0123456789abcdefABCDEF", p[i]) == NULL
                    || p[i] == '\0')
                {
                    return -1;
                }
            }

            p += 5;
            continue;
        }

        if (strchr("\"\\/bfnrt", *p) == NULL || *p == '\0') {
            return -1;
        }

        p++;
    }

    if (p == in->end) {
        return -1;
    }

    if (span) {
        span->data = in->p;
        span->len = p - in->p;
    }

    in->p = p + 1;

    return 0;
}


static int
ngx_http_passport_report_is(const ngx_http_passport_report_span_t *span,
    const char *s)
{
    return span->len == strlen(s) && memcmp(span->data, s, span->len) == 0;
}


/* 1..2^53-1, no sign, no leading zero */

static int
ngx_http_passport_report_uint(ngx_http_passport_report_in_t *in,
    unsigned long long *v)
{
    unsigned long long  n;

    if (in->p == in->end || *in->p < '1' || *in->p > '9') {
        return -1;
    }

    n = 0;

    while (in->p < in->end && *in->p >= '0' && *in->p <= '9') {
        n = n * 10 + (*in->p++ - '0');

        if (n > NGX_HTTP_PASSPORT_REPORT_SEQ_MAX) {
            return -1;
        }
    }

    *v = n;

    return 0;
}


/* ,"name":"<64 lowercase hex>" */

static int
ngx_http_passport_report_hex_member(ngx_http_passport_report_in_t *in,
    const char *name, char *dst)
{
    size_t                           i;
    ngx_http_passport_report_span_t  s;

    if (ngx_http_passport_report_lit(in, name) != 0
        || ngx_http_passport_report_string(in, &s) != 0
        || s.len != NGX_HTTP_PASSPORT_REPORT_HEX)
    {
        return -1;
    }

    for (i = 0; i < s.len; i++) {
        if (!((s.data[i] >= '0' && s.data[i] <= '9')
              || (s.data[i] >= 'a' && s.data[i] <= 'f')))
        {
            return -1;
        }
    }

    memcpy(dst, s.data, s.len);
    dst[s.len] = '\0';

    return 0;
}


/* YYYY-MM-DDTHH:MM:SS.mmmZ */

static int
ngx_http_passport_report_time_ok(const ngx_http_passport_report_span_t *t)
{
    size_t              i;
    static const char   form[] = "dddd-dd-ddTdd:dd:dd.dddZ";

    if (t->len != sizeof(form) - 1) {
        return 0;
    }

    for (i = 0; i < t->len; i++) {
        if (form[i] == 'd' ? (t->data[i] < '0' || t->data[i] > '9')
                           : t->data[i] != form[i])
        {
            return 0;
        }
    }

    return 1;
}


/* an array of strings; mask gets the known reason names */

static int
ngx_http_passport_report_array(ngx_http_passport_report_in_t *in,
    unsigned long *mask)
{
    int                              r;
    ngx_http_passport_report_span_t  s;

    if (ngx_http_passport_report_lit(in, "[") != 0) {
        return -1;
    }

    if (ngx_http_passport_report_lit(in, "]") == 0) {
        return 0;
    }

    for ( ;; ) {
        if (ngx_http_passport_report_string(in, &s) != 0) {
            return -1;
        }

        for (r = 0; mask && r < NGX_HTTP_PASSPORT_NREASONS; r++) {
            if (ngx_http_passport_report_is(&s,
                                        ngx_http_passport_reason_name(r)))
            {
                *mask |= 1UL << r;
            }
        }

        if (ngx_http_passport_report_lit(in, "]") == 0) {
            return 0;
        }

        if (ngx_http_passport_report_lit(in, ",") != 0) {
            return -1;
        }
    }
}


/* an optional string member: 0 when absent or read, -1 when bad */

static int
ngx_http_passport_report_opt(ngx_http_passport_report_in_t *in,
    const char *name, ngx_http_passport_report_span_t *span)
{
    if (ngx_http_passport_report_lit(in, name) != 0) {
        return 0;
    }

    return ngx_http_passport_report_string(in, span);
}


static int
ngx_http_passport_report_item(ngx_http_passport_report_in_t *in)
{
    if (ngx_http_passport_report_lit(in, "{\"pointer\":") != 0
        || ngx_http_passport_report_string(in, NULL) != 0
        || ngx_http_passport_report_lit(in, ",\"code\":") != 0
        || ngx_http_passport_report_string(in, NULL) != 0
        || ngx_http_passport_report_opt(in, ",\"seller\":", NULL) != 0
        || ngx_http_passport_report_opt(in, ",\"seller_status\":", NULL) != 0
        || ngx_http_passport_report_opt(in, ",\"seller_name\":", NULL) != 0
        || ngx_http_passport_report_opt(in, ",\"seller_country\":", NULL)
           != 0
        || ngx_http_passport_report_lit(in, ",\"reasons\":") != 0
        || ngx_http_passport_report_array(in, NULL) != 0
        || ngx_http_passport_report_opt(in, ",\"status\":", NULL) != 0
        || ngx_http_passport_report_opt(in, ",\"owner\":", NULL) != 0
        || ngx_http_passport_report_opt(in, ",\"cause\":", NULL) != 0
        || ngx_http_passport_report_lit(in, "}") != 0)
    {
        return -1;
    }

    return 0;
}


static int
ngx_http_passport_report_items(ngx_http_passport_report_in_t *in)
{
    if (ngx_http_passport_report_lit(in, "[") != 0) {
        return -1;
    }

    if (ngx_http_passport_report_lit(in, "]") == 0) {
        return 0;
    }

    for ( ;; ) {
        if (ngx_http_passport_report_item(in) != 0) {
            return -1;
        }

        if (ngx_http_passport_report_lit(in, "]") == 0) {
            return 0;
        }

        if (ngx_http_passport_report_lit(in, ",") != 0) {
            return -1;
        }
    }
}


/* the index i of the name in span, name(0) to name(max); -1 if none */

static int
ngx_http_passport_report_which(const ngx_http_passport_report_span_t *span,
    const char *(*name)(int), int max)
{
    int  i;

    for (i = 0; i <= max; i++) {
        if (ngx_http_passport_report_is(span, name(i))) {
            return i;
        }
    }

    return -1;
}


/* ,"kid":"<16 lowercase hex>", when there */

static int
ngx_http_passport_report_kid_member(ngx_http_passport_report_in_t *in,
    ngx_http_passport_report_line_t *l)
{
    size_t                           i;
    ngx_http_passport_report_span_t  s;

    if (ngx_http_passport_report_lit(in, ",\"kid\":") != 0) {
        return 0;
    }

    if (ngx_http_passport_report_string(in, &s) != 0
        || s.len != NGX_HTTP_PASSPORT_REPORT_KID)
    {
        return -1;
    }

    for (i = 0; i < s.len; i++) {
        if (!((s.data[i] >= '0' && s.data[i] <= '9')
              || (s.data[i] >= 'a' && s.data[i] <= 'f')))
        {
            return -1;
        }
    }

    memcpy(l->kid, s.data, s.len);
    l->kid[s.len] = '\0';

    return 0;
}


/* {"seq":...,"time":...,"node":...[,"kid":...],"type":... */

static int
ngx_http_passport_report_head(ngx_http_passport_report_in_t *in,
    ngx_http_passport_report_line_t *l)
{
    int                              type;
    ngx_http_passport_report_span_t  s;

    if (ngx_http_passport_report_lit(in, "{\"seq\":") != 0
        || ngx_http_passport_report_uint(in, &l->seq) != 0
        || ngx_http_passport_report_lit(in, ",\"time\":") != 0
        || ngx_http_passport_report_string(in, &l->time) != 0
        || !ngx_http_passport_report_time_ok(&l->time)
        || ngx_http_passport_report_lit(in, ",\"node\":") != 0
        || ngx_http_passport_report_string(in, &l->node) != 0
        || ngx_http_passport_report_kid_member(in, l) != 0
        || ngx_http_passport_report_opt(in, ",\"operator\":", &l->oper) != 0
        || ngx_http_passport_report_lit(in, ",\"type\":") != 0
        || ngx_http_passport_report_string(in, &s) != 0)
    {
        return -1;
    }

    type = ngx_http_passport_report_which(&s,
                                          ngx_http_passport_report_type_name,
                                          NGX_HTTP_PASSPORT_REPORT_SEGMENT);
    if (type < 0) {
        return -1;
    }

    l->type = type;

    return 0;
}


/* ,"request_id":...,"uri":... of a verdict record */

static int
ngx_http_passport_report_verdict(ngx_http_passport_report_in_t *in,
    ngx_http_passport_report_line_t *l)
{
    int                              mode;
    ngx_http_passport_report_span_t  s;

    if (ngx_http_passport_report_lit(in, ",\"request_id\":") != 0
        || ngx_http_passport_report_string(in, &l->request_id) != 0
        || ngx_http_passport_report_lit(in, ",\"verdict\":") != 0
        || ngx_http_passport_report_string(in, &s) != 0)
    {
        return -1;
    }

    if (ngx_http_passport_report_is(&s, "flag")) {
        l->verdict = NGX_HTTP_PASSPORT_VERDICT_FLAG;

    } else if (ngx_http_passport_report_is(&s, "block")) {
        l->verdict = NGX_HTTP_PASSPORT_VERDICT_BLOCK;

    } else {
        return -1;
    }

    if (ngx_http_passport_report_lit(in, ",\"mode\":") != 0
        || ngx_http_passport_report_string(in, &s) != 0)
    {
        return -1;
    }

    mode = ngx_http_passport_report_which(&s,
                                          ngx_http_passport_report_mode_name,
                                          NGX_HTTP_PASSPORT_MODE_MONITOR);

    if (mode < 0 || ngx_http_passport_report_lit(in, ",\"seller\":") != 0) {
        return -1;
    }

    l->mode = mode;

    if (ngx_http_passport_report_lit(in, "null") != 0
        && ngx_http_passport_report_string(in, &l->seller) != 0)
    {
        return -1;
    }

    if (ngx_http_passport_report_opt(in, ",\"seller_status\":", NULL) != 0
        || ngx_http_passport_report_opt(in, ",\"seller_name\":", NULL) != 0
        || ngx_http_passport_report_opt(in, ",\"seller_country\":", NULL)
           != 0
        || ngx_http_passport_report_opt(in, ",\"cause\":", NULL) != 0
        || ngx_http_passport_report_lit(in, ",\"reasons\":") != 0
        || ngx_http_passport_report_array(in, &l->reasons) != 0
        || ngx_http_passport_report_lit(in, ",\"items\":") != 0)
    {
        return -1;
    }

    l->items.data = in->p;

    if (ngx_http_passport_report_items(in) != 0) {
        return -1;
    }

    l->items.len = in->p - l->items.data;

    /* the items left out of a record that would be too long */

    if (ngx_http_passport_report_lit(in, ",\"items_omitted\":") == 0
        && ngx_http_passport_report_uint(in, &l->omitted) != 0)
    {
        return -1;
    }

    if (ngx_http_passport_report_lit(in, ",\"method\":") != 0
        || ngx_http_passport_report_string(in, &l->method) != 0
        || ngx_http_passport_report_lit(in, ",\"uri\":") != 0
        || ngx_http_passport_report_string(in, &l->uri) != 0)
    {
        return -1;
    }

    return 0;
}


/* ,"prev":...,"hash":...[,"sig":...]} and the end of the line */

static int
ngx_http_passport_report_end(ngx_http_passport_report_in_t *in,
    ngx_http_passport_report_line_t *l, size_t *canon,
    ngx_http_passport_report_span_t *sig)
{
    if (ngx_http_passport_report_hex_member(in, ",\"prev\":", l->prev) != 0)
    {
        return -1;
    }

    *canon = in->p - in->start;

    if (ngx_http_passport_report_hex_member(in, ",\"hash\":", l->hash) != 0)
    {
        return -1;
    }

    if (ngx_http_passport_report_lit(in, ",\"sig\":") == 0) {
        if (ngx_http_passport_report_string(in, sig) != 0) {
            return -1;
        }

        l->has_sig = 1;
    }

    if (ngx_http_passport_report_lit(in, "}") != 0 || in->p != in->end) {
        return -1;
    }

    return 0;
}


/* ,"detail":... of the other records */

static int
ngx_http_passport_report_detail(ngx_http_passport_report_in_t *in,
    ngx_http_passport_report_line_t *l)
{
    if (ngx_http_passport_report_lit(in, ",\"detail\":") != 0
        || ngx_http_passport_report_string(in, &l->detail) != 0)
    {
        return -1;
    }

    return 0;
}


int
ngx_http_passport_report_parse(const unsigned char *line, size_t len,
    ngx_http_passport_report_line_t *l, size_t *canon,
    ngx_http_passport_report_span_t *sig, size_t *stop)
{
    int                            rc;
    ngx_http_passport_report_in_t  in;

    in.start = line;
    in.p = line;
    in.end = line + len;

    rc = ngx_http_passport_report_head(&in, l);

    if (rc == 0) {
        rc = (l->type == NGX_HTTP_PASSPORT_REPORT_VERDICT)
             ? ngx_http_passport_report_verdict(&in, l)
             : ngx_http_passport_report_detail(&in, l);
    }

    if (rc == 0) {
        rc = ngx_http_passport_report_end(&in, l, canon, sig);
    }

    *stop = in.p - line;

    return rc;
}


int
ngx_http_passport_report_parse_node(const unsigned char *line, size_t len,
    ngx_http_passport_report_line_t *l)
{
    ngx_http_passport_report_in_t  in;

    memset(l, 0, sizeof(ngx_http_passport_report_line_t));

    in.start = line;
    in.p = line;
    in.end = line + len;

    if (ngx_http_passport_report_lit(&in, "{\"seq\":") != 0
        || ngx_http_passport_report_uint(&in, &l->seq) != 0
        || ngx_http_passport_report_lit(&in, ",\"time\":") != 0
        || ngx_http_passport_report_string(&in, &l->time) != 0
        || ngx_http_passport_report_lit(&in, ",\"node\":") != 0
        || ngx_http_passport_report_string(&in, &l->node) != 0)
    {
        return -1;
    }

    return 0;
}
