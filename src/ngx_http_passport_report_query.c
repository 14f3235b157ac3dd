
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport_report.h"
#include "ngx_http_passport_reply.h"
#include "passport_report.h"


/*
 * passport_reports: the records of the current log file for regulators,
 * filtered (?since=SEQ&limit=N&seller=ID&verdict=flag|block), or per
 * seller (?view=sellers).  Access is for nginx's own allow/deny,
 * auth_basic or client certificates to control.  The file is the source
 * of truth, so the answer is right after a restart.
 *
 * The file is read up to the size it has when opened, a chunk at a time,
 * in the report log's thread pool when there is one: a query holds one
 * buffer of the file (grown for a long line, up to LINE_MAX; a longer
 * line is skipped and counted) and the answer it builds.
 */


#define NGX_HTTP_PASSPORT_REPORT_TIME_LEN  (sizeof("YYYY-MM-DDTHH:MM:SS.mmmZ"))
#define NGX_HTTP_PASSPORT_REPORT_HOLD      60000


typedef struct {
    ngx_str_node_t              sn;             /* the seller */
    ngx_uint_t                  flagged;
    ngx_uint_t                  blocked;
    ngx_uint_t                  reasons[NGX_HTTP_PASSPORT_NREASONS];
    ngx_str_t                   first;
    ngx_str_t                   last;
    u_char                      first_time[NGX_HTTP_PASSPORT_REPORT_TIME_LEN];
    u_char                      last_time[NGX_HTTP_PASSPORT_REPORT_TIME_LEN];
} ngx_http_passport_report_seller_t;


typedef struct {
    ngx_http_request_t         *request;
    ngx_str_t                  *path;

    /* the parameters */
    ngx_int_t                   since;
    ngx_int_t                   limit;
    ngx_int_t                   verdict;
    ngx_str_t                   seller;
    ngx_uint_t                  sellers;        /* view=sellers */

    /* the file */
    ngx_http_passport_report_io_t    io;
    ngx_http_passport_report_read_t  rd;
    off_t                       end;            /* its size when opened */
    u_char                     *buf;
    size_t                      cap;            /* of buf */
    size_t                      kept;           /* a line's start, in buf */
    ngx_uint_t                  skipping;       /* a line too long */
    ngx_uint_t                  skipped;

    /* the answer */
    ngx_chain_t                *out;
    ngx_chain_t               **last;
    ngx_buf_t                  *b;              /* the one filled */
    off_t                       length;
    ngx_uint_t                  count;          /* records or sellers */
    ngx_rbtree_t                tree;           /* of _seller_t */
    ngx_rbtree_node_t           sentinel;

    ngx_event_t                 hold;           /* while a thread reads */
} ngx_http_passport_report_query_t;


static ngx_int_t ngx_http_passport_report_query_handler(
    ngx_http_request_t *r);
static const char *ngx_http_passport_report_query_args(ngx_http_request_t *r,
    ngx_http_passport_report_query_t *q);
static ngx_int_t ngx_http_passport_report_query_read(
    ngx_http_passport_report_query_t *q);
static void ngx_http_passport_report_query_resume(ngx_event_t *ev);
static ngx_int_t ngx_http_passport_report_query_got(
    ngx_http_passport_report_query_t *q);
static ngx_int_t ngx_http_passport_report_query_next(
    ngx_http_passport_report_query_t *q);
static ngx_int_t ngx_http_passport_report_query_lines(
    ngx_http_passport_report_query_t *q);
static ngx_int_t ngx_http_passport_report_query_line(
    ngx_http_passport_report_query_t *q, u_char *p, size_t len);
static ngx_int_t ngx_http_passport_report_query_count(
    ngx_http_passport_report_query_t *q,
    ngx_http_passport_report_line_t *line);
static ngx_int_t ngx_http_passport_report_query_copy(
    ngx_http_passport_report_query_t *q, u_char *p, size_t len);
static ngx_int_t ngx_http_passport_report_query_answer(
    ngx_http_passport_report_query_t *q);
static ngx_int_t ngx_http_passport_report_query_sellers(
    ngx_http_passport_report_query_t *q, ngx_http_passport_reply_t *rp);
static ngx_int_t ngx_http_passport_report_query_bad(ngx_http_request_t *r,
    const char *detail);
static void ngx_http_passport_report_query_hold(ngx_event_t *ev);
static void ngx_http_passport_report_query_close(void *data);


char *
ngx_http_passport_report_query(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_core_loc_conf_t       *clcf;
    ngx_http_passport_main_conf_t  *pmcf;

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_passport_module);

    /* the log is defined at http level, before the servers */

    if (pmcf->reports == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"passport_reports\" needs "
                           "\"passport_report_log\" before it");
        return NGX_CONF_ERROR;
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_passport_report_query_handler;

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_passport_report_query_handler(ngx_http_request_t *r)
{
    ngx_int_t                          rc;
    const char                        *bad;
    ngx_pool_cleanup_t                *cln;
    ngx_http_passport_main_conf_t     *pmcf;
    ngx_http_passport_report_query_t  *q;

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    q = ngx_pcalloc(r->pool, sizeof(ngx_http_passport_report_query_t));
    if (q == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    bad = ngx_http_passport_report_query_args(r, q);
    if (bad) {
        return ngx_http_passport_report_query_bad(r, bad);
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_passport_module);

    q->request = r;
    q->path = ngx_http_passport_report_log_path(pmcf->reports);
    q->rd.path = q->path->data;
    q->rd.fd = NGX_INVALID_FILE;

    cln->handler = ngx_http_passport_report_query_close;
    cln->data = q;

    q->io.work = ngx_http_passport_report_io_read;
    q->io.data = &q->rd;
    q->io.resume = ngx_http_passport_report_query_resume;
    q->io.resume_data = q;
    q->io.pool = r->pool;
    q->io.log = r->connection->log;

    ngx_http_passport_report_log_threads(pmcf->reports, &q->io);

    q->last = &q->out;
    ngx_rbtree_init(&q->tree, &q->sentinel, ngx_str_rbtree_insert_value);

    rc = ngx_http_passport_report_query_read(q);

    if (rc == NGX_AGAIN) {
        r->main->count++;

        q->hold.handler = ngx_http_passport_report_query_hold;
        q->hold.data = q;
        q->hold.log = r->connection->log;
        ngx_add_timer(&q->hold, NGX_HTTP_PASSPORT_REPORT_HOLD);

        return NGX_DONE;
    }

    if (rc != NGX_OK) {
        return rc;
    }

    return ngx_http_passport_report_query_answer(q);
}


/* NULL, or what is wrong with the query string */

static const char *
ngx_http_passport_report_query_args(ngx_http_request_t *r,
    ngx_http_passport_report_query_t *q)
{
    ngx_str_t  arg;

    q->limit = 100;

    if (ngx_http_arg(r, (u_char *) "since", 5, &arg) == NGX_OK) {
        q->since = ngx_atoi(arg.data, arg.len);
        if (q->since == NGX_ERROR) {
            return NGX_HTTP_PASSPORT_MSG_QUERY_SINCE_EN;
        }
    }

    if (ngx_http_arg(r, (u_char *) "limit", 5, &arg) == NGX_OK) {
        q->limit = ngx_atoi(arg.data, arg.len);
        if (q->limit < 1 || q->limit > 10000) {
            return NGX_HTTP_PASSPORT_MSG_QUERY_LIMIT_EN;
        }
    }

    if (ngx_http_arg(r, (u_char *) "verdict", 7, &arg) == NGX_OK) {
        if (arg.len == 4 && ngx_strncmp(arg.data, "flag", 4) == 0) {
            q->verdict = NGX_HTTP_PASSPORT_VERDICT_FLAG;

        } else if (arg.len == 5 && ngx_strncmp(arg.data, "block", 5) == 0) {
            q->verdict = NGX_HTTP_PASSPORT_VERDICT_BLOCK;

        } else {
            return NGX_HTTP_PASSPORT_MSG_QUERY_VERDICT_EN;
        }
    }

    if (ngx_http_arg(r, (u_char *) "seller", 6, &arg) == NGX_OK) {
        if (arg.len == 0 || arg.len > NGX_HTTP_PASSPORT_SELLER_MAX) {
            return NGX_HTTP_PASSPORT_MSG_QUERY_SELLER_EN;
        }

        q->seller = arg;
    }

    if (ngx_http_arg(r, (u_char *) "view", 4, &arg) == NGX_OK) {
        if (arg.len != 7 || ngx_strncmp(arg.data, "sellers", 7) != 0) {
            return NGX_HTTP_PASSPORT_MSG_QUERY_VIEW_EN;
        }

        q->sellers = 1;
    }

    return NULL;
}


/*
 * Reads on until a thread has the next read (NGX_AGAIN: the request is
 * blocked until it is over) or the file is read (NGX_OK); otherwise the
 * status to fail with.
 */

static ngx_int_t
ngx_http_passport_report_query_read(ngx_http_passport_report_query_t *q)
{
    ngx_int_t  rc;

    do {
        if (ngx_http_passport_report_io(&q->io) == NGX_AGAIN) {
            q->request->main->blocked++;
            return NGX_AGAIN;
        }

        rc = ngx_http_passport_report_query_got(q);

    } while (rc == NGX_AGAIN);

    return rc;
}


/* on the worker, after a read in a thread */

static void
ngx_http_passport_report_query_resume(ngx_event_t *ev)
{
    ngx_http_passport_report_query_t  *q = ev->data;

    ngx_int_t            rc;
    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    r = q->request;
    c = r->connection;

    ngx_http_set_log_request(c->log, r);

    r->main->blocked--;

    if (c->error) {
        /* terminated while the thread read: nothing to answer */
        rc = NGX_ERROR;

    } else {
        rc = ngx_http_passport_report_query_got(q);

        if (rc == NGX_AGAIN) {
            rc = ngx_http_passport_report_query_read(q);

            if (rc == NGX_AGAIN) {
                return;
            }
        }

        if (rc == NGX_OK) {
            rc = ngx_http_passport_report_query_answer(q);
        }
    }

    ngx_http_passport_report_query_close(q);

    ngx_http_finalize_request(r, rc);
    ngx_http_run_posted_requests(c);
}


/*
 * What the last open or read brought.  NGX_AGAIN: read on; NGX_OK: the
 * file is read; otherwise the status to fail with.
 */

static ngx_int_t
ngx_http_passport_report_query_got(ngx_http_passport_report_query_t *q)
{
    ngx_int_t                         rc;
    ngx_http_request_t               *r;
    ngx_http_passport_report_read_t  *rd;

    r = q->request;
    rd = &q->rd;

    if (rd->failed && q->buf == NULL && rd->err == NGX_ENOENT) {
        /* rotated away, the new file not made yet: no records there */
        ngx_log_error(NGX_LOG_INFO, r->connection->log, rd->err,
                      "passport: the report log \"%V\" is not there, "
                      "as after a rotation: no records", q->path);
        return NGX_OK;
    }

    if (rd->failed) {
        ngx_log_error(NGX_LOG_CRIT, r->connection->log, rd->err,
                      "passport: cannot read the report log \"%V\": "
                      "%s failed", q->path, rd->failed);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (q->buf == NULL) {
        /* opened */

        q->end = ngx_file_size(&rd->info);
        q->cap = NGX_HTTP_PASSPORT_REPORT_CHUNK;

        q->buf = ngx_pnalloc(r->pool, q->cap);
        if (q->buf == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_passport_report_query_next(q);
    }

    if (rd->n == 0) {
        /* the file is shorter than it was: it is read */
        return NGX_OK;
    }

    rd->offset += rd->n;
    q->kept += rd->n;

    rc = ngx_http_passport_report_query_lines(q);

    if (rc == NGX_DONE) {
        return NGX_OK;
    }

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_passport_report_query_next(q);
}


/* the next read, after the start of a line kept in buf */

static ngx_int_t
ngx_http_passport_report_query_next(ngx_http_passport_report_query_t *q)
{
    u_char  *buf;

    if (q->rd.offset >= q->end) {
        /* a last line without its "\n" is being written: not yet a record */
        return NGX_OK;
    }

    if (q->kept == q->cap) {

        /* a line longer than the buffer */

        if (q->cap < NGX_HTTP_PASSPORT_REPORT_LINE_MAX) {
            buf = ngx_pnalloc(q->request->pool, 2 * q->cap);
            if (buf == NULL) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            ngx_memcpy(buf, q->buf, q->kept);
            ngx_pfree(q->request->pool, q->buf);

            q->buf = buf;
            q->cap *= 2;

        } else {
            q->skipped++;
            q->skipping = 1;
            q->kept = 0;
        }
    }

    q->rd.buf = q->buf + q->kept;
    q->rd.size = (size_t) ngx_min((off_t) (q->cap - q->kept),
                                  q->end - q->rd.offset);

    return NGX_AGAIN;
}


/* the whole lines in buf; the start of the next one is kept */

static ngx_int_t
ngx_http_passport_report_query_lines(ngx_http_passport_report_query_t *q)
{
    u_char     *p, *nl, *last;
    ngx_int_t   rc;

    p = q->buf;
    last = q->buf + q->kept;

    if (q->skipping) {
        nl = ngx_strlchr(p, last, '\n');

        if (nl == NULL) {
            q->kept = 0;
            return NGX_OK;
        }

        q->skipping = 0;
        p = nl + 1;
    }

    while ((nl = ngx_strlchr(p, last, '\n')) != NULL) {

        rc = ngx_http_passport_report_query_line(q, p, nl + 1 - p);
        if (rc != NGX_OK) {
            return rc;
        }

        p = nl + 1;
    }

    q->kept = last - p;

    if (q->kept && p != q->buf) {
        ngx_memmove(q->buf, p, q->kept);
    }

    return NGX_OK;
}


/* one line, "\n" included; NGX_DONE: limit records are in */

static ngx_int_t
ngx_http_passport_report_query_line(ngx_http_passport_report_query_t *q,
    u_char *p, size_t len)
{
    ngx_http_passport_report_line_t  line;

    if (ngx_http_passport_report_verify_line(p, len - 1, NULL, NULL, &line,
                                             NULL, 0)
        != NGX_HTTP_PASSPORT_REPORT_OK
        || line.type != NGX_HTTP_PASSPORT_REPORT_VERDICT)
    {
        return NGX_OK;
    }

    if (q->sellers) {
        return ngx_http_passport_report_query_count(q, &line);
    }

    if ((ngx_int_t) line.seq <= q->since
        || (q->verdict && line.verdict != (int) q->verdict)
        || (q->seller.len
            && (line.seller.data == NULL
                || line.seller.len != q->seller.len
                || ngx_strncmp(line.seller.data, q->seller.data,
                               q->seller.len) != 0)))
    {
        return NGX_OK;
    }

    if (ngx_http_passport_report_query_copy(q, p, len) != NGX_OK) {
        return NGX_ERROR;
    }

    return (++q->count == (ngx_uint_t) q->limit) ? NGX_DONE : NGX_OK;
}


/* view=sellers: the record counts for its seller */

static ngx_int_t
ngx_http_passport_report_query_count(ngx_http_passport_report_query_t *q,
    ngx_http_passport_report_line_t *line)
{
    size_t                              len;
    uint32_t                            hash;
    ngx_str_t                           key;
    ngx_uint_t                          i;
    ngx_str_node_t                     *sn;
    ngx_http_passport_report_seller_t  *st;

    key.data = (u_char *) (line->seller.data ? line->seller.data
                                             : (u_char *) "");
    key.len = line->seller.data ? line->seller.len : 0;

    hash = ngx_crc32_short(key.data, key.len);
    sn = ngx_str_rbtree_lookup(&q->tree, &key, hash);

    len = ngx_min(line->time.len, NGX_HTTP_PASSPORT_REPORT_TIME_LEN);

    if (sn == NULL) {
        st = ngx_pcalloc(q->request->pool,
                         sizeof(ngx_http_passport_report_seller_t) + key.len);
        if (st == NULL) {
            return NGX_ERROR;
        }

        /* the line is gone with the next read: the seller is copied */

        st->sn.str.data = (u_char *) (st + 1);
        st->sn.str.len = key.len;
        ngx_memcpy(st->sn.str.data, key.data, key.len);
        st->sn.node.key = hash;

        st->first.data = st->first_time;
        st->first.len = len;
        ngx_memcpy(st->first_time, line->time.data, len);

        ngx_rbtree_insert(&q->tree, &st->sn.node);
        q->count++;

    } else {
        st = (ngx_http_passport_report_seller_t *) sn;
    }

    if (line->verdict == NGX_HTTP_PASSPORT_VERDICT_BLOCK) {
        st->blocked++;

    } else {
        st->flagged++;
    }

    for (i = 0; i < NGX_HTTP_PASSPORT_NREASONS; i++) {
        if (line->reasons & (1UL << i)) {
            st->reasons[i]++;
        }
    }

    st->last.data = st->last_time;
    st->last.len = len;
    ngx_memcpy(st->last_time, line->time.data, len);

    return NGX_OK;
}


/* a record of the answer, as it is in the log */

static ngx_int_t
ngx_http_passport_report_query_copy(ngx_http_passport_report_query_t *q,
    u_char *p, size_t len)
{
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    b = q->b;

    if (b == NULL || (size_t) (b->end - b->last) < len) {
        b = ngx_create_temp_buf(q->request->pool,
                                ngx_max(len, NGX_HTTP_PASSPORT_REPORT_CHUNK));
        cl = ngx_alloc_chain_link(q->request->pool);
        if (b == NULL || cl == NULL) {
            return NGX_ERROR;
        }

        cl->buf = b;
        cl->next = NULL;
        *q->last = cl;
        q->last = &cl->next;
        q->b = b;
    }

    b->last = ngx_cpymem(b->last, p, len);
    q->length += len;

    return NGX_OK;
}


static ngx_int_t
ngx_http_passport_report_query_answer(ngx_http_passport_report_query_t *q)
{
    ngx_http_request_t         *r;
    ngx_http_passport_reply_t   rp;

    r = q->request;

    ngx_http_passport_report_query_close(q);

    if (q->skipped) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "passport: %ui line(s) of the report log \"%V\" "
                      "longer than %uz bytes skipped", q->skipped, q->path,
                      (size_t) NGX_HTTP_PASSPORT_REPORT_LINE_MAX);
    }

    ngx_memzero(&rp, sizeof(ngx_http_passport_reply_t));

    rp.status = NGX_HTTP_OK;

    if (q->sellers) {
        if (ngx_http_passport_report_query_sellers(q, &rp) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_str_set(&rp.type, "application/json");

    } else {
        rp.body = q->out;
        rp.length = q->length;
        ngx_str_set(&rp.type, "application/x-ndjson");
    }

    return ngx_http_passport_reply(r, &rp);
}


/* most reported first */

static int ngx_libc_cdecl
ngx_http_passport_report_seller_cmp(const void *one, const void *two)
{
    ngx_http_passport_report_seller_t  *a, *b;

    a = *(ngx_http_passport_report_seller_t **) one;
    b = *(ngx_http_passport_report_seller_t **) two;

    return (int) ((b->flagged + b->blocked) - (a->flagged + a->blocked));
}


static ngx_int_t
ngx_http_passport_report_query_sellers(ngx_http_passport_report_query_t *q,
    ngx_http_passport_reply_t *rp)
{
    u_char                              *p;
    size_t                               size;
    ngx_buf_t                           *b;
    ngx_uint_t                           i, k, n, first;
    ngx_rbtree_t                        *tree;
    ngx_rbtree_node_t                   *node;
    ngx_http_request_t                  *r;
    ngx_http_passport_report_seller_t  **all, *st;

    r = q->request;
    tree = &q->tree;

    all = ngx_palloc(r->pool, (q->count + 1) * sizeof(void *));
    if (all == NULL) {
        return NGX_ERROR;
    }

    size = sizeof("[]\n");
    i = 0;

    if (tree->root != tree->sentinel) {
        for (node = ngx_rbtree_min(tree->root, tree->sentinel);
             node;
             node = ngx_rbtree_next(tree, node))
        {
            st = (ngx_http_passport_report_seller_t *) node;
            all[i++] = st;

            size += sizeof("{\"seller\":\"\",\"flagged\":,\"blocked\":,"
                           "\"reasons\":{},\"first\":\"\",\"last\":\"\"},")
                    + ngx_http_passport_json_escape_size(st->sn.str.data,
                                                         st->sn.str.len,
                                                         st->sn.str.len)
                    + 2 * NGX_INT_T_LEN + st->first.len + st->last.len
                    + NGX_HTTP_PASSPORT_NREASONS * (32 + NGX_INT_T_LEN);
        }
    }

    ngx_qsort(all, i, sizeof(void *), ngx_http_passport_report_seller_cmp);

    b = ngx_create_temp_buf(r->pool, size);
    if (b == NULL) {
        return NGX_ERROR;
    }

    p = b->last;
    *p++ = '[';

    for (k = 0; k < i; k++) {
        st = all[k];

        p = ngx_sprintf(p, "%s{\"seller\":\"", k ? "," : "");
        p = ngx_http_passport_json_escape(p, st->sn.str.data, st->sn.str.len,
                                          st->sn.str.len);
        p = ngx_sprintf(p, "\",\"flagged\":%ui,\"blocked\":%ui,"
                        "\"reasons\":{", st->flagged, st->blocked);

        first = 1;

        for (n = 0; n < NGX_HTTP_PASSPORT_NREASONS; n++) {
            if (st->reasons[n]) {
                p = ngx_sprintf(p, "%s\"%s\":%ui", first ? "" : ",",
                                ngx_http_passport_reason_name((int) n),
                                st->reasons[n]);
                first = 0;
            }
        }

        p = ngx_sprintf(p, "},\"first\":\"%V\",\"last\":\"%V\"}",
                        &st->first, &st->last);
    }

    *p++ = ']';
    *p++ = '\n';
    b->last = p;

    return ngx_http_passport_reply_buf(r, rp, b);
}


static ngx_int_t
ngx_http_passport_report_query_bad(ngx_http_request_t *r, const char *detail)
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


/*
 * A request waiting for a thread has no timer of its own: this one keeps
 * a worker that is told to exit (a reload) until the query is answered.
 */

static void
ngx_http_passport_report_query_hold(ngx_event_t *ev)
{
    ngx_add_timer(ev, NGX_HTTP_PASSPORT_REPORT_HOLD);
}


static void
ngx_http_passport_report_query_close(void *data)
{
    ngx_http_passport_report_query_t  *q = data;

    if (q->hold.timer_set) {
        ngx_del_timer(&q->hold);
    }

    if (q->rd.fd != NGX_INVALID_FILE) {
        (void) ngx_close_file(q->rd.fd);
        q->rd.fd = NGX_INVALID_FILE;
    }
}
