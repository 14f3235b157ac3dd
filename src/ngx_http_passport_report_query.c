
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport_report.h"
#include "ngx_http_passport_report_query_args.h"
#include "ngx_http_passport_report_files.h"
#include "ngx_http_passport_report_stream.h"
#include "ngx_http_passport_report_view.h"
#include "ngx_http_passport_reply.h"


/*
 * passport_reports: the records of the node's log and its rotated files,
 * or of a receiving directory (NODE.ndjson and its rotated files, every
 * node), filtered (report_query_args.c), or per seller (view=sellers,
 * report_view.c), as ndjson or CSV.  Access is for nginx's own
 * allow/deny, auth_basic or auth_request to control.  The files are the
 * source of truth, so the answer is right after a restart.
 *
 * A query is a state machine that goes on from three places: the
 * handler, the end of a read in a thread (report_files.c through
 * report_io.c), and the client taking data (report_stream.c).  A record
 * read is written before the next is read; when the client is slow the
 * reading stops.  So a query holds a read buffer, the stream's buffers
 * and one record as CSV, whatever the files and the limit; view=sellers
 * holds its table besides (at most ROWS rows).
 */


#define NGX_HTTP_PASSPORT_REPORT_HOLD      60000
#define NGX_HTTP_PASSPORT_REPORT_ROWS      10000 /* view=sellers */


/* passport_reports [DIR] */
typedef struct {
    ngx_str_t                   dir;            /* empty: the node's log */
} ngx_http_passport_report_query_conf_t;


typedef struct {
    ngx_http_request_t         *request;
    ngx_http_passport_report_args_t     args;
    ngx_http_passport_report_files_t    files;
    ngx_http_passport_report_stream_t  *stream;
    ngx_http_passport_report_view_t    *view;

    ngx_uint_t                  count;          /* records written */
    ngx_uint_t                  rows;           /* view: rows started */
    ngx_uint_t                  row;            /* view: the next one */

    u_char                     *pend;           /* not yet in the stream */
    size_t                      pend_len;
    u_char                     *scratch;        /* a CSV record, a row */
    size_t                      scratch_size;

    ngx_event_t                 hold;           /* while a query is on */
} ngx_http_passport_report_query_t;


static ngx_int_t ngx_http_passport_report_query_handler(
    ngx_http_request_t *r);
static ngx_int_t ngx_http_passport_report_query_start(
    ngx_http_passport_report_query_t *q);
static void ngx_http_passport_report_query_go(
    ngx_http_passport_report_query_t *q);
static ngx_int_t ngx_http_passport_report_query_run(
    ngx_http_passport_report_query_t *q);
static ngx_int_t ngx_http_passport_report_query_record(
    ngx_http_passport_report_query_t *q);
static ngx_int_t ngx_http_passport_report_query_line(
    ngx_http_passport_report_query_t *q, ngx_str_t *text);
static ngx_int_t ngx_http_passport_report_query_rows(
    ngx_http_passport_report_query_t *q);
static ngx_int_t ngx_http_passport_report_query_row(
    ngx_http_passport_report_query_t *q);
static u_char *ngx_http_passport_report_query_scratch(
    ngx_http_passport_report_query_t *q, size_t size);
static ngx_int_t ngx_http_passport_report_query_failed(
    ngx_http_passport_report_query_t *q);
static void ngx_http_passport_report_query_read(ngx_event_t *ev);
static void ngx_http_passport_report_query_written(void *data);
static void ngx_http_passport_report_query_hold(ngx_event_t *ev);
static void ngx_http_passport_report_query_close(void *data);


char *
ngx_http_passport_report_query(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_passport_loc_conf_t *plcf = conf;

    ngx_str_t                              *value;
    ngx_http_core_loc_conf_t               *clcf;
    ngx_http_passport_main_conf_t          *pmcf;
    ngx_http_passport_report_query_conf_t  *qc;

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_passport_module);
    value = cf->args->elts;

    qc = ngx_pcalloc(cf->pool, sizeof(ngx_http_passport_report_query_conf_t));
    if (qc == NULL) {
        return NGX_CONF_ERROR;
    }

    if (cf->args->nelts == 2) {
        qc->dir = value[1];

        if (qc->dir.len == 0
            || ngx_conf_full_name(cf->cycle, &qc->dir, 0) != NGX_OK)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid directory \"%V\" in "
                               "\"passport_reports\": give the receiving "
                               "directory, or nothing for this node's log",
                               &value[1]);
            return NGX_CONF_ERROR;
        }

    } else if (pmcf->reports == NULL) {

        /* the log is defined at http level, before the servers */

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"passport_reports\" needs "
                           "\"passport_report_log\" before it, or a "
                           "receiving directory");
        return NGX_CONF_ERROR;
    }

    if (plcf->reports_query) {
        return "is duplicate";
    }

    plcf->reports_query = qc;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_passport_report_query_handler;

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_passport_report_query_handler(ngx_http_request_t *r)
{
    u_char                            *bad;
    ngx_int_t                          rc;
    ngx_str_t                          type;
    ngx_http_passport_report_query_t  *q;

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    q = ngx_pcalloc(r->pool, sizeof(ngx_http_passport_report_query_t));
    if (q == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    q->request = r;

    bad = ngx_http_passport_report_args_parse(r, &q->args);
    if (bad == (u_char *) NGX_ERROR) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (bad) {
        return ngx_http_passport_report_args_bad(r, bad);
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    if (q->args.csv) {
        ngx_str_set(&type, "text/csv; charset=utf-8");

    } else {
        ngx_str_set(&type, "application/x-ndjson");
    }

    q->stream = ngx_http_passport_report_stream_create(r, &type,
                                    ngx_http_passport_report_query_written,
                                    q);
    if (q->stream == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (r->method == NGX_HTTP_HEAD) {
        /* the header alone: nothing is read */
        return ngx_http_passport_report_stream_end(q->stream);
    }

    if (ngx_http_passport_report_query_start(q) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* finalized by query_go(), now or when it has waited */

    r->main->count++;

    ngx_http_passport_report_query_go(q);

    return NGX_DONE;
}


/* the files, the table, the hold timer, the CSV header row */

static ngx_int_t
ngx_http_passport_report_query_start(ngx_http_passport_report_query_t *q)
{
    ngx_str_t                              *log;
    ngx_pool_cleanup_t                     *cln;
    ngx_http_request_t                     *r;
    ngx_http_passport_loc_conf_t           *plcf;
    ngx_http_passport_main_conf_t          *pmcf;
    ngx_http_passport_report_query_conf_t  *qc;

    r = q->request;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_passport_module);
    plcf = ngx_http_get_module_loc_conf(r, ngx_http_passport_module);
    qc = plcf->reports_query;

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    log = qc->dir.len ? NULL
                      : ngx_http_passport_report_log_path(pmcf->reports);

    if (ngx_http_passport_report_files_init(&q->files, r->pool,
                                            r->connection->log, log,
                                            &qc->dir, &q->args.node)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    cln->handler = ngx_http_passport_report_query_close;
    cln->data = q;

    q->files.io.resume = ngx_http_passport_report_query_read;
    q->files.io.resume_data = q;

    if (pmcf->reports) {
        ngx_http_passport_report_log_threads(pmcf->reports, &q->files.io);
    }

    if (q->args.sellers) {
        q->view = ngx_http_passport_report_view_create(r->pool,
                                          NGX_HTTP_PASSPORT_REPORT_ROWS);
        if (q->view == NULL) {
            return NGX_ERROR;
        }

    } else if (q->args.csv) {
        q->pend = (u_char *) NGX_HTTP_PASSPORT_REPORT_CSV_RECORDS;
        q->pend_len = sizeof(NGX_HTTP_PASSPORT_REPORT_CSV_RECORDS) - 1;
    }

    q->hold.handler = ngx_http_passport_report_query_hold;
    q->hold.data = q;
    q->hold.log = r->connection->log;
    ngx_add_timer(&q->hold, NGX_HTTP_PASSPORT_REPORT_HOLD);

    return NGX_OK;
}


/* runs the query on; finalizes the request when it is over */

static void
ngx_http_passport_report_query_go(ngx_http_passport_report_query_t *q)
{
    ngx_int_t  rc;

    rc = ngx_http_passport_report_query_run(q);

    if (rc == NGX_DONE) {
        /* a thread reads, or the client is slow: resumed from there */
        return;
    }

    ngx_http_passport_report_query_close(q);

    if (rc == NGX_ERROR) {
        rc = ngx_http_passport_report_query_failed(q);
    }

    ngx_http_finalize_request(q->request, rc);
}


/*
 * Writes what is pending, then the next record or row, until the end
 * (the stream's last rc), a wait (NGX_DONE) or a failure (NGX_ERROR).
 */

static ngx_int_t
ngx_http_passport_report_query_run(ngx_http_passport_report_query_t *q)
{
    ngx_int_t  rc;

    for ( ;; ) {

        if (q->pend_len) {
            rc = ngx_http_passport_report_stream_write(q->stream, &q->pend,
                                                       &q->pend_len);
            if (rc == NGX_AGAIN) {
                return NGX_DONE;
            }

            if (rc != NGX_OK) {
                return NGX_ERROR;
            }
        }

        rc = q->rows ? ngx_http_passport_report_query_row(q)
                     : ngx_http_passport_report_query_record(q);

        if (rc == NGX_DECLINED) {
            return ngx_http_passport_report_stream_end(q->stream);
        }

        if (rc != NGX_OK) {
            return rc;
        }
    }
}


/*
 * The next line read, made pending when it is a record to write.
 * NGX_OK; NGX_DECLINED: the records are over; NGX_DONE: a thread reads;
 * NGX_ERROR.
 */

static ngx_int_t
ngx_http_passport_report_query_record(ngx_http_passport_report_query_t *q)
{
    ngx_int_t  rc;
    ngx_str_t  text;

    if (q->count == (ngx_uint_t) q->args.limit && q->view == NULL) {
        return NGX_DECLINED;
    }

    rc = ngx_http_passport_report_files_line(&q->files, &text);

    switch (rc) {

    case NGX_OK:
        return ngx_http_passport_report_query_line(q, &text);

    case NGX_AGAIN:
        q->request->main->blocked++;
        return NGX_DONE;

    case NGX_DONE:
        return q->view ? ngx_http_passport_report_query_rows(q)
                       : NGX_DECLINED;

    default:
        return NGX_ERROR;
    }
}


/* one line, "\n" included: counted in the table, or pending */

static ngx_int_t
ngx_http_passport_report_query_line(ngx_http_passport_report_query_t *q,
    ngx_str_t *text)
{
    u_char                           *p;
    ngx_http_passport_report_line_t   line;

    ngx_memzero(&line, sizeof(ngx_http_passport_report_line_t));

    if (ngx_http_passport_report_verify_line(text->data, text->len - 1,
                                             NULL, NULL, &line, NULL, 0)
        != NGX_HTTP_PASSPORT_REPORT_OK
        || line.type != NGX_HTTP_PASSPORT_REPORT_VERDICT
        || !ngx_http_passport_report_args_match(&q->args, &line))
    {
        return NGX_OK;
    }

    if (q->view) {
        return ngx_http_passport_report_view_count(q->view, &line);
    }

    q->count++;

    if (!q->args.csv) {
        /* the line stays in the read buffer until the next is asked */
        q->pend = text->data;
        q->pend_len = text->len;
        return NGX_OK;
    }

    p = ngx_http_passport_report_query_scratch(q,
                    ngx_http_passport_report_csv_size(text->data, text->len));
    if (p == NULL) {
        return NGX_ERROR;
    }

    q->pend = p;
    q->pend_len = ngx_http_passport_report_csv(p, &line) - p;

    return NGX_OK;
}


/* the files are read: the table sorted, its header and CSV header row */

static ngx_int_t
ngx_http_passport_report_query_rows(ngx_http_passport_report_query_t *q)
{
    u_char              *p;
    ngx_str_t            name, value;
    ngx_uint_t           n;
    ngx_http_request_t  *r;

    r = q->request;

    if (ngx_http_passport_report_view_sort(q->view) != NGX_OK) {
        return NGX_ERROR;
    }

    q->rows = 1;

    n = ngx_http_passport_report_view_left_out(q->view);

    if (n) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "passport: view=sellers has %ui rows, the most it "
                      "keeps: %ui seller(s) left out; narrow the query",
                      (ngx_uint_t) NGX_HTTP_PASSPORT_REPORT_ROWS, n);

        p = ngx_pnalloc(r->pool, NGX_INT_T_LEN);
        if (p == NULL) {
            return NGX_ERROR;
        }

        ngx_str_set(&name, "Passport-Sellers-Left-Out");
        value.data = p;
        value.len = ngx_sprintf(p, "%ui", n) - p;

        if (ngx_http_passport_reply_header(r, &name, &value) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    if (q->args.csv) {
        q->pend = (u_char *) NGX_HTTP_PASSPORT_REPORT_CSV_SELLERS;
        q->pend_len = sizeof(NGX_HTTP_PASSPORT_REPORT_CSV_SELLERS) - 1;
    }

    return NGX_OK;
}


/* the next row of the table, pending; NGX_DECLINED: none is left */

static ngx_int_t
ngx_http_passport_report_query_row(ngx_http_passport_report_query_t *q)
{
    u_char  *p;

    if (q->row == ngx_http_passport_report_view_rows(q->view)) {
        return NGX_DECLINED;
    }

    p = ngx_http_passport_report_query_scratch(q,
                ngx_http_passport_report_view_row_size(q->view, q->row));
    if (p == NULL) {
        return NGX_ERROR;
    }

    q->pend = p;
    q->pend_len = ngx_http_passport_report_view_print(q->view, q->row++, p,
                                                      q->args.csv)
                  - p;

    return NGX_OK;
}


/* size bytes to write a record or a row into, kept for the next */

static u_char *
ngx_http_passport_report_query_scratch(ngx_http_passport_report_query_t *q,
    size_t size)
{
    if (size > q->scratch_size) {
        if (q->scratch) {
            ngx_pfree(q->request->pool, q->scratch);
        }

        q->scratch_size = ngx_max(size, 2 * NGX_HTTP_PASSPORT_REPORT_CHUNK);
        q->scratch = ngx_pnalloc(q->request->pool, q->scratch_size);

        if (q->scratch == NULL) {
            q->scratch_size = 0;
            return NULL;
        }
    }

    return q->scratch;
}


/*
 * A failure (a file could not be read, no memory, the client gone):
 * before the status went out, a 500; after it, the answer is cut short
 * (the connection is closed without the chunked answer's last chunk, a
 * failed transfer to any HTTP/1.1 client).
 */

static ngx_int_t
ngx_http_passport_report_query_failed(ngx_http_passport_report_query_t *q)
{
    ngx_connection_t  *c;

    c = q->request->connection;

    if (c->error) {
        /* the client is gone: nginx has said so */
        return NGX_ERROR;
    }

    if (!ngx_http_passport_report_stream_started(q->stream)) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_log_error(NGX_LOG_CRIT, c->log, 0,
                  "passport: the answer of passport_reports is cut short "
                  "after %ui record(s): its 200 was sent, the client sees "
                  "a truncated answer", q->count);

    return NGX_ERROR;
}


/* on the worker, after a read in a thread */

static void
ngx_http_passport_report_query_read(ngx_event_t *ev)
{
    ngx_http_passport_report_query_t  *q = ev->data;

    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    r = q->request;
    c = r->connection;

    ngx_http_set_log_request(c->log, r);

    r->main->blocked--;

    if (c->error) {
        /* terminated while the thread read: nothing to answer */
        ngx_http_passport_report_query_close(q);
        ngx_http_finalize_request(r, NGX_ERROR);

    } else {
        ngx_http_passport_report_query_go(q);
    }

    ngx_http_run_posted_requests(c);
}


/* the client took data: the query goes on (from its write event) */

static void
ngx_http_passport_report_query_written(void *data)
{
    ngx_http_passport_report_query_t  *q = data;

    ngx_http_passport_report_query_go(q);
}


/*
 * A query has no timer of its own while a thread reads: this one keeps
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

    ngx_http_passport_report_files_close(&q->files);
}
