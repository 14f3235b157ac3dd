
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport_report_view.h"


/*
 * ?view=sellers: one row per seller, its records counted by verdict with
 * the monitored ones apart (a would-be block is no block), by mode, by
 * reason; the nodes that saw it; its first and last record.  The table
 * has at most max rows: a seller first seen when it is full is left out
 * and counted, so memory stays bounded whatever the log.  The rows are
 * then sorted and written one at a time.
 */


#define NGX_HTTP_PASSPORT_VIEW_NODES  8         /* named per seller */
#define NGX_HTTP_PASSPORT_VIEW_TIME   24        /* YYYY-MM-DDTHH:MM:SS.mmmZ */


typedef struct {
    ngx_str_node_t              sn;             /* the seller, escaped */
    ngx_uint_t                  records;
    ngx_uint_t                  verdicts[2][2]; /* [monitor][block] */
    ngx_uint_t                  modes[3];
    ngx_uint_t                  reasons[NGX_HTTP_PASSPORT_NREASONS];
    ngx_str_t                   nodes[NGX_HTTP_PASSPORT_VIEW_NODES];
    ngx_uint_t                  nnodes;
    u_char                      first[NGX_HTTP_PASSPORT_VIEW_TIME];
    u_char                      last[NGX_HTTP_PASSPORT_VIEW_TIME];
} ngx_http_passport_report_row_t;


struct ngx_http_passport_report_view_s {
    ngx_pool_t                 *pool;
    ngx_rbtree_t                tree;
    ngx_rbtree_node_t           sentinel;
    ngx_uint_t                  rows;
    ngx_uint_t                  max;
    ngx_uint_t                  left_out;       /* rows not made */
    ngx_http_passport_report_row_t  **all;      /* sorted */
};


static ngx_http_passport_report_row_t *ngx_http_passport_report_view_row(
    ngx_http_passport_report_view_t *v, ngx_str_t *seller);
static void ngx_http_passport_report_view_add(
    ngx_http_passport_report_view_t *v, ngx_http_passport_report_row_t *row,
    const ngx_http_passport_report_line_t *line);
static u_char *ngx_http_passport_report_view_json(u_char *p,
    ngx_http_passport_report_row_t *row);
static u_char *ngx_http_passport_report_view_csv(u_char *p,
    ngx_http_passport_report_row_t *row);
static u_char *ngx_http_passport_report_csv_field(u_char *p,
    const u_char *s, size_t len);
static u_char *ngx_http_passport_report_csv_text(u_char *p,
    const u_char *s, size_t len);
static u_char *ngx_http_passport_report_csv_items(u_char *p,
    const ngx_http_passport_report_line_t *line, const char *member);
static u_char *ngx_http_passport_report_find(u_char *p, u_char *last,
    u_char *s, size_t len);
static u_char *ngx_http_passport_report_value_end(u_char *p, u_char *last);


/* "name":"value" in an item: never inside a string, where " is \" */

static u_char *
ngx_http_passport_report_find(u_char *p, u_char *last, u_char *s, size_t len)
{
    for ( ;; ) {
        p = ngx_strlchr(p, last, s[0]);

        if (p == NULL || (size_t) (last - p) < len) {
            return NULL;
        }

        if (ngx_memcmp(p, s, len) == 0) {
            return p;
        }

        p++;
    }
}


/* the end of the escaped string value starting at p */

static u_char *
ngx_http_passport_report_value_end(u_char *p, u_char *last)
{
    while (p < last && *p != '"') {
        p += (*p == '\\') ? 2 : 1;
    }

    return ngx_min(p, last);
}


ngx_int_t
ngx_http_passport_report_seller_next(
    const ngx_http_passport_report_line_t *line, size_t *pos,
    ngx_str_t *seller)
{
    u_char  *start, *last, *p;

    if (*pos == 0) {
        *pos = 1;

        if (line->seller.data) {
            seller->data = (u_char *) line->seller.data;
            seller->len = line->seller.len;
            return NGX_OK;
        }
    }

    start = (u_char *) line->items.data;
    last = start + line->items.len;

    p = ngx_http_passport_report_find(start + (*pos - 1), last,
                                      (u_char *) "\"seller\":\"", 10);
    if (p == NULL) {
        return NGX_DONE;
    }

    seller->data = p + 10;
    p = ngx_http_passport_report_value_end(seller->data, last);
    seller->len = p - seller->data;

    *pos = (p - start) + 1;

    return NGX_OK;
}


ngx_uint_t
ngx_http_passport_report_item_has(const ngx_http_passport_report_line_t *line,
    ngx_str_t *member)
{
    u_char  *p, *last;

    p = (u_char *) line->items.data;
    last = p + line->items.len;

    while (p) {
        p = ngx_http_passport_report_find(p, last, member->data,
                                          member->len);

        if (p == NULL) {
            return 0;
        }

        p += member->len;

        if (p < last && *p == '"') {
            return 1;
        }
    }

    return 0;
}


ngx_http_passport_report_view_t *
ngx_http_passport_report_view_create(ngx_pool_t *pool, ngx_uint_t max)
{
    ngx_http_passport_report_view_t  *v;

    v = ngx_pcalloc(pool, sizeof(ngx_http_passport_report_view_t));
    if (v == NULL) {
        return NULL;
    }

    v->pool = pool;
    v->max = max;
    ngx_rbtree_init(&v->tree, &v->sentinel, ngx_str_rbtree_insert_value);

    return v;
}


ngx_int_t
ngx_http_passport_report_view_count(ngx_http_passport_report_view_t *v,
    const ngx_http_passport_report_line_t *line)
{
    size_t                           pos, seen;
    ngx_str_t                        seller, done[16];
    ngx_uint_t                       i, n;
    ngx_http_passport_report_row_t  *row;

    pos = 0;
    n = 0;
    ngx_str_set(&done[0], "");

    /* once per distinct seller; no seller at all is the row "" */

    if (line->seller.data == NULL
        && ngx_http_passport_report_seller_next(line, &pos, &seller)
           == NGX_DONE)
    {
        ngx_str_set(&seller, "");
        goto count;
    }

    pos = 0;

    while (ngx_http_passport_report_seller_next(line, &pos, &seller)
           == NGX_OK)
    {
        for (i = 0, seen = 0; i < n; i++) {
            if (done[i].len == seller.len
                && ngx_memcmp(done[i].data, seller.data, seller.len) == 0)
            {
                seen = 1;
                break;
            }
        }

        if (seen) {
            continue;
        }

        if (n < 16) {
            done[n++] = seller;
        }

    count:

        row = ngx_http_passport_report_view_row(v, &seller);

        if (row == (void *) NGX_ERROR) {
            return NGX_ERROR;
        }

        if (row) {
            ngx_http_passport_report_view_add(v, row, line);
        }

        if (seller.len == 0 && line->seller.data == NULL) {
            break;
        }
    }

    return NGX_OK;
}


/* the row of a seller, made when there is room; NULL: left out */

static ngx_http_passport_report_row_t *
ngx_http_passport_report_view_row(ngx_http_passport_report_view_t *v,
    ngx_str_t *seller)
{
    uint32_t                         hash;
    ngx_str_node_t                  *sn;
    ngx_http_passport_report_row_t  *row;

    hash = ngx_crc32_short(seller->data, seller->len);
    sn = ngx_str_rbtree_lookup(&v->tree, seller, hash);

    if (sn) {
        return (ngx_http_passport_report_row_t *) sn;
    }

    if (v->rows == v->max) {
        v->left_out++;
        return NULL;
    }

    row = ngx_pcalloc(v->pool,
                      sizeof(ngx_http_passport_report_row_t) + seller->len);
    if (row == NULL) {
        return (void *) NGX_ERROR;
    }

    /* the line is gone with the next read: the seller is copied */

    row->sn.str.data = (u_char *) (row + 1);
    row->sn.str.len = seller->len;
    ngx_memcpy(row->sn.str.data, seller->data, seller->len);
    row->sn.node.key = hash;

    ngx_rbtree_insert(&v->tree, &row->sn.node);
    v->rows++;

    return row;
}


static void
ngx_http_passport_report_view_add(ngx_http_passport_report_view_t *v,
    ngx_http_passport_report_row_t *row,
    const ngx_http_passport_report_line_t *line)
{
    u_char      *p;
    ngx_uint_t   i;

    if (row->records++ == 0) {
        ngx_memcpy(row->first, line->time.data, NGX_HTTP_PASSPORT_VIEW_TIME);
    }

    ngx_memcpy(row->last, line->time.data, NGX_HTTP_PASSPORT_VIEW_TIME);

    row->verdicts[line->mode == NGX_HTTP_PASSPORT_MODE_MONITOR]
                 [line->verdict == NGX_HTTP_PASSPORT_VERDICT_BLOCK]++;
    row->modes[line->mode]++;

    for (i = 0; i < NGX_HTTP_PASSPORT_NREASONS; i++) {
        if (line->reasons & (1UL << i)) {
            row->reasons[i]++;
        }
    }

    for (i = 0; i < row->nnodes; i++) {
        if (row->nodes[i].len == line->node.len
            && ngx_memcmp(row->nodes[i].data, line->node.data,
                          line->node.len) == 0)
        {
            return;
        }
    }

    if (row->nnodes == NGX_HTTP_PASSPORT_VIEW_NODES) {
        return;
    }

    p = ngx_pnalloc(v->pool, line->node.len);
    if (p == NULL) {
        return;
    }

    ngx_memcpy(p, line->node.data, line->node.len);
    row->nodes[row->nnodes].data = p;
    row->nodes[row->nnodes++].len = line->node.len;
}


ngx_uint_t
ngx_http_passport_report_view_left_out(ngx_http_passport_report_view_t *v)
{
    return v->left_out;
}


/* most reported first */

static int ngx_libc_cdecl
ngx_http_passport_report_row_cmp(const void *one, const void *two)
{
    ngx_http_passport_report_row_t  *a, *b;

    a = *(ngx_http_passport_report_row_t **) one;
    b = *(ngx_http_passport_report_row_t **) two;

    if (a->records != b->records) {
        return a->records < b->records ? 1 : -1;
    }

    return ngx_memn2cmp(a->sn.str.data, b->sn.str.data, a->sn.str.len,
                        b->sn.str.len);
}


/* the rows, most reported first, to be written one at a time */

ngx_int_t
ngx_http_passport_report_view_sort(ngx_http_passport_report_view_t *v)
{
    ngx_uint_t          i;
    ngx_rbtree_node_t  *node;

    v->all = ngx_palloc(v->pool, (v->rows + 1) * sizeof(void *));
    if (v->all == NULL) {
        return NGX_ERROR;
    }

    i = 0;

    if (v->tree.root != v->tree.sentinel) {
        for (node = ngx_rbtree_min(v->tree.root, v->tree.sentinel);
             node;
             node = ngx_rbtree_next(&v->tree, node))
        {
            v->all[i++] = (ngx_http_passport_report_row_t *) node;
        }
    }

    ngx_qsort(v->all, i, sizeof(void *), ngx_http_passport_report_row_cmp);

    return NGX_OK;
}


ngx_uint_t
ngx_http_passport_report_view_rows(ngx_http_passport_report_view_t *v)
{
    return v->rows;
}


size_t
ngx_http_passport_report_view_row_size(ngx_http_passport_report_view_t *v,
    ngx_uint_t i)
{
    size_t                           size;
    ngx_uint_t                       k;
    ngx_http_passport_report_row_t  *row;

    row = v->all[i];

    /* the seller twice its length (CSV quotes), nodes likewise */

    size = 256 + 2 * row->sn.str.len + 2 * NGX_HTTP_PASSPORT_VIEW_TIME
           + 9 * NGX_INT_T_LEN
           + NGX_HTTP_PASSPORT_NREASONS * (32 + NGX_INT_T_LEN);

    for (k = 0; k < row->nnodes; k++) {
        size += 2 * row->nodes[k].len + 4;
    }

    return size;
}


u_char *
ngx_http_passport_report_view_print(ngx_http_passport_report_view_t *v,
    ngx_uint_t i, u_char *p, ngx_uint_t csv)
{
    return csv ? ngx_http_passport_report_view_csv(p, v->all[i])
               : ngx_http_passport_report_view_json(p, v->all[i]);
}


static u_char *
ngx_http_passport_report_view_json(u_char *p,
    ngx_http_passport_report_row_t *row)
{
    ngx_uint_t  n, first;

    p = ngx_sprintf(p, "{\"seller\":\"%V\",\"records\":%ui,\"blocked\":%ui,"
                    "\"flagged\":%ui,\"monitor_blocked\":%ui,"
                    "\"monitor_flagged\":%ui,\"modes\":{\"enforce\":%ui,"
                    "\"flag\":%ui,\"monitor\":%ui},\"reasons\":{",
                    &row->sn.str, row->records, row->verdicts[0][1],
                    row->verdicts[0][0], row->verdicts[1][1],
                    row->verdicts[1][0], row->modes[0], row->modes[1],
                    row->modes[2]);

    for (n = 0, first = 1; n < NGX_HTTP_PASSPORT_NREASONS; n++) {
        if (row->reasons[n]) {
            p = ngx_sprintf(p, "%s\"%s\":%ui", first ? "" : ",",
                            ngx_http_passport_reason_name((int) n),
                            row->reasons[n]);
            first = 0;
        }
    }

    p = ngx_cpymem(p, "},\"nodes\":[", 11);

    for (n = 0; n < row->nnodes; n++) {
        p = ngx_sprintf(p, "%s\"%V\"", n ? "," : "", &row->nodes[n]);
    }

    return ngx_sprintf(p, "],\"first\":\"%*s\",\"last\":\"%*s\"}\n",
                       (size_t) NGX_HTTP_PASSPORT_VIEW_TIME, row->first,
                       (size_t) NGX_HTTP_PASSPORT_VIEW_TIME, row->last);
}


static u_char *
ngx_http_passport_report_view_csv(u_char *p,
    ngx_http_passport_report_row_t *row)
{
    ngx_uint_t  n, first;

    p = ngx_http_passport_report_csv_field(p, row->sn.str.data,
                                           row->sn.str.len);

    p = ngx_sprintf(p, ",%ui,%ui,%ui,%ui,%ui,%ui,%ui,%ui,", row->records,
                    row->verdicts[0][1], row->verdicts[0][0],
                    row->verdicts[1][1], row->verdicts[1][0],
                    row->modes[0], row->modes[1], row->modes[2]);

    /* reasons: "NAME=count NAME=count" */

    for (n = 0, first = 1; n < NGX_HTTP_PASSPORT_NREASONS; n++) {
        if (row->reasons[n]) {
            p = ngx_sprintf(p, "%s%s=%ui", first ? "" : " ",
                            ngx_http_passport_reason_name((int) n),
                            row->reasons[n]);
            first = 0;
        }
    }

    *p++ = ',';
    *p++ = '"';

    for (n = 0; n < row->nnodes; n++) {
        if (n) {
            *p++ = ' ';
        }

        p = ngx_http_passport_report_csv_text(p, row->nodes[n].data,
                                              row->nodes[n].len);
    }

    return ngx_sprintf(p, "\",%*s,%*s\r\n",
                       (size_t) NGX_HTTP_PASSPORT_VIEW_TIME, row->first,
                       (size_t) NGX_HTTP_PASSPORT_VIEW_TIME, row->last);
}


/*
 * CSV (RFC 4180): every text field is quoted, a quote in it doubled; the
 * JSON escapes of the line are undone (at most as long as they were).
 */

static u_char *
ngx_http_passport_report_csv_field(u_char *p, const u_char *s, size_t len)
{
    *p++ = '"';
    p = ngx_http_passport_report_csv_text(p, s, len);
    *p++ = '"';

    return p;
}


static u_char *
ngx_http_passport_report_csv_text(u_char *p, const u_char *s, size_t len)
{
    u_char       c;
    ngx_uint_t   cp;
    const u_char *last;

    for (last = s + len; s < last; s++) {
        c = *s;

        if (c == '\\' && s + 1 < last) {
            c = *++s;

            switch (c) {
            case 'n':
                c = '\n';
                break;
            case 'r':
                c = '\r';
                break;
            case 't':
                c = '\t';
                break;
            case 'b':
                c = '\b';
                break;
            case 'f':
                c = '\f';
                break;
            case 'u':
                if (last - s < 5) {
                    return p;
                }

                cp = ngx_hextoi((u_char *) s + 1, 4);
                s += 4;

                /* the writer escapes only 0x00-0x1f and 0x7f this way */
                c = (cp < 0x80) ? (u_char) cp : '?';
                break;
            default:
                break;
            }
        }

        if (c == '"') {
            *p++ = '"';
        }

        *p++ = c;
    }

    return p;
}


/* space-separated values of a member of the items, as CSV text */

static u_char *
ngx_http_passport_report_csv_items(u_char *p,
    const ngx_http_passport_report_line_t *line, const char *member)
{
    size_t   len;
    u_char  *s, *e, *last;

    s = (u_char *) line->items.data;
    last = s + line->items.len;
    len = ngx_strlen(member);

    *p++ = '"';

    for (len = 0; ; ) {
        s = ngx_http_passport_report_find(s, last, (u_char *) member,
                                          ngx_strlen(member));
        if (s == NULL) {
            break;
        }

        s += ngx_strlen(member);
        e = ngx_http_passport_report_value_end(s, last);

        if (len++) {
            *p++ = ' ';
        }

        p = ngx_http_passport_report_csv_text(p, s, e - s);
        s = e;
    }

    *p++ = '"';

    return p;
}


size_t
ngx_http_passport_report_csv_size(u_char *line, size_t len)
{
    /* every byte twice at most, the reasons, the separators */

    return 2 * len + NGX_HTTP_PASSPORT_NREASONS * 32 + 64;
}


u_char *
ngx_http_passport_report_csv(u_char *p,
    const ngx_http_passport_report_line_t *line)
{
    ngx_uint_t  n, first;

    p = ngx_http_passport_report_csv_field(p, line->node.data,
                                           line->node.len);
    p = ngx_sprintf(p, ",%uL,", line->seq);
    p = ngx_cpymem(p, line->time.data, line->time.len);
    *p++ = ',';
    p = ngx_http_passport_report_csv_field(p, line->oper.data,
                                           line->oper.len);
    p = ngx_sprintf(p, ",%s,%s,",
                    ngx_http_passport_verdict_name(line->verdict),
                    ngx_http_passport_report_mode_name(line->mode));

    if (line->seller.data) {
        p = ngx_http_passport_report_csv_field(p, line->seller.data,
                                               line->seller.len);
    }

    *p++ = ',';
    p = ngx_http_passport_report_csv_items(p, line, "\"seller\":\"");
    *p++ = ',';
    *p++ = '"';

    for (n = 0, first = 1; n < NGX_HTTP_PASSPORT_NREASONS; n++) {
        if (line->reasons & (1UL << n)) {
            p = ngx_sprintf(p, "%s%s", first ? "" : " ",
                            ngx_http_passport_reason_name((int) n));
            first = 0;
        }
    }

    *p++ = '"';
    *p++ = ',';
    p = ngx_http_passport_report_csv_items(p, line, "\"code\":\"");
    *p++ = ',';
    p = ngx_http_passport_report_csv_field(p, line->request_id.data,
                                           line->request_id.len);
    *p++ = ',';
    p = ngx_http_passport_report_csv_field(p, line->method.data,
                                           line->method.len);
    *p++ = ',';
    p = ngx_http_passport_report_csv_field(p, line->uri.data, line->uri.len);
    *p++ = '\r';
    *p++ = '\n';

    return p;
}
