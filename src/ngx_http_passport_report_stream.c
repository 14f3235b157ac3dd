
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport_report_stream.h"
#include "ngx_http_passport_report.h"


/*
 * The writer of a streamed answer.  It owns the request's write events
 * while the answer is made, as ngx_http_upstream does with its busy
 * buffers: a buffer given to the output filters stays busy until the
 * client took its bytes; with all of them busy, write() says NGX_AGAIN
 * and the reader stops until the writer's event says one is free.
 */


#define NGX_HTTP_PASSPORT_STREAM_TAG  (ngx_buf_tag_t) &ngx_http_passport_module


struct ngx_http_passport_report_stream_s {
    ngx_http_request_t         *request;
    ngx_str_t                   type;
    ngx_chain_t                *out;            /* the buffer being filled */
    ngx_chain_t                *free;
    ngx_chain_t                *busy;
    ngx_uint_t                  bufs;           /* made */
    ngx_http_passport_report_resume_pt  resume;
    void                       *data;
    unsigned                    started:1;      /* the header is out */
    unsigned                    waiting:1;      /* for a free buffer */
};


static void ngx_http_passport_report_stream_cleanup(void *data);
static void ngx_http_passport_report_stream_writer(ngx_http_request_t *r);
static ngx_int_t ngx_http_passport_report_stream_get(
    ngx_http_passport_report_stream_t *s);
static ngx_int_t ngx_http_passport_report_stream_send(
    ngx_http_passport_report_stream_t *s, ngx_uint_t last);
static ngx_int_t ngx_http_passport_report_stream_header(
    ngx_http_passport_report_stream_t *s, off_t length);
static ngx_int_t ngx_http_passport_report_stream_arm(
    ngx_http_passport_report_stream_t *s, ngx_int_t rc);


ngx_http_passport_report_stream_t *
ngx_http_passport_report_stream_create(ngx_http_request_t *r,
    ngx_str_t *type, ngx_http_passport_report_resume_pt resume, void *data)
{
    ngx_pool_cleanup_t                 *cln;
    ngx_http_passport_report_stream_t  *s;

    /* in a cleanup: the write event handler finds it there */

    cln = ngx_pool_cleanup_add(r->pool,
                               sizeof(ngx_http_passport_report_stream_t));
    if (cln == NULL) {
        return NULL;
    }

    s = cln->data;
    ngx_memzero(s, sizeof(ngx_http_passport_report_stream_t));

    s->request = r;
    s->type = *type;
    s->resume = resume;
    s->data = data;

    cln->handler = ngx_http_passport_report_stream_cleanup;

    r->write_event_handler = ngx_http_passport_report_stream_writer;

    return s;
}


static void
ngx_http_passport_report_stream_cleanup(void *data)
{
    /* the buffers are the request pool's: nothing to free */
}


ngx_int_t
ngx_http_passport_report_stream_write(ngx_http_passport_report_stream_t *s,
    u_char **p, size_t *len)
{
    size_t      n;
    ngx_int_t   rc;
    ngx_buf_t  *b;

    while (*len) {
        rc = ngx_http_passport_report_stream_get(s);

        if (rc != NGX_OK) {
            s->waiting = (rc == NGX_AGAIN);
            return rc;
        }

        b = s->out->buf;
        n = ngx_min(*len, (size_t) (b->end - b->last));

        b->last = ngx_cpymem(b->last, *p, n);
        *p += n;
        *len -= n;

        if (b->last == b->end
            && ngx_http_passport_report_stream_send(s, 0) == NGX_ERROR)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_passport_report_stream_end(ngx_http_passport_report_stream_t *s)
{
    return ngx_http_passport_report_stream_send(s, 1);
}


ngx_uint_t
ngx_http_passport_report_stream_started(ngx_http_passport_report_stream_t *s)
{
    return s->started;
}


/* a buffer to fill: a free one, or a new one while there are few */

static ngx_int_t
ngx_http_passport_report_stream_get(ngx_http_passport_report_stream_t *s)
{
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    if (s->out) {
        return NGX_OK;
    }

    if (s->free == NULL
        && s->bufs == NGX_HTTP_PASSPORT_REPORT_STREAM_BUFS)
    {
        return NGX_AGAIN;
    }

    cl = ngx_chain_get_free_buf(s->request->pool, &s->free);
    if (cl == NULL) {
        return NGX_ERROR;
    }

    b = cl->buf;

    if (b->start == NULL) {
        b->start = ngx_palloc(s->request->pool,
                              NGX_HTTP_PASSPORT_REPORT_CHUNK);
        if (b->start == NULL) {
            return NGX_ERROR;
        }

        b->end = b->start + NGX_HTTP_PASSPORT_REPORT_CHUNK;
        b->temporary = 1;
        b->tag = NGX_HTTP_PASSPORT_STREAM_TAG;
        s->bufs++;
    }

    b->pos = b->start;
    b->last = b->start;
    b->last_buf = 0;
    b->last_in_chain = 0;

    cl->next = NULL;
    s->out = cl;

    return NGX_OK;
}


/*
 * The buffer filled so far to the output filters, the header first when
 * it is not out yet; last: the end of the answer.
 */

static ngx_int_t
ngx_http_passport_report_stream_send(ngx_http_passport_report_stream_t *s,
    ngx_uint_t last)
{
    ngx_int_t            rc;
    ngx_chain_t         *out;
    ngx_http_request_t  *r;

    r = s->request;
    out = s->out;
    s->out = NULL;

    if (!s->started) {
        rc = ngx_http_passport_report_stream_header(s,
                 last ? (out ? ngx_buf_size(out->buf) : 0) : -1);

        if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
            return rc;
        }
    }

    if (last && out == NULL) {
        return ngx_http_send_special(r, NGX_HTTP_LAST);
    }

    if (last) {
        out->buf->last_buf = (r == r->main) ? 1 : 0;
        out->buf->last_in_chain = 1;
    }

    rc = ngx_http_output_filter(r, out);

    ngx_chain_update_chains(r->pool, &s->free, &s->busy, &out,
                            NGX_HTTP_PASSPORT_STREAM_TAG);

    if (rc == NGX_ERROR || last) {
        return rc;
    }

    return ngx_http_passport_report_stream_arm(s, rc);
}


/* length -1: not known, chunked (HTTP/1.1) or up to the close */

static ngx_int_t
ngx_http_passport_report_stream_header(ngx_http_passport_report_stream_t *s,
    off_t length)
{
    ngx_http_request_t  *r;

    r = s->request;

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n =
                              (r->method == NGX_HTTP_HEAD) ? -1 : length;
    r->headers_out.content_type = s->type;
    r->headers_out.content_type_len = s->type.len;
    r->headers_out.content_type_lowcase = NULL;

    s->started = 1;

    return ngx_http_send_header(r);
}


/* bytes left with the client: its write event, in send_timeout */

static ngx_int_t
ngx_http_passport_report_stream_arm(ngx_http_passport_report_stream_t *s,
    ngx_int_t rc)
{
    ngx_event_t               *wev;
    ngx_connection_t          *c;
    ngx_http_core_loc_conf_t  *clcf;

    c = s->request->connection;
    wev = c->write;

    clcf = ngx_http_get_module_loc_conf(s->request, ngx_http_core_module);

    if (rc != NGX_AGAIN && !c->buffered && !s->request->buffered) {
        if (wev->timer_set && !wev->delayed) {
            ngx_del_timer(wev);
        }

        return NGX_OK;
    }

    if (!wev->delayed) {
        ngx_add_timer(wev, clcf->send_timeout);
    }

    if (ngx_handle_write_event(wev, clcf->send_lowat) != NGX_OK) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * The request's write event while the answer is made: more bytes to the
 * client, and the reader resumed when it waits for a buffer.
 */

static void
ngx_http_passport_report_stream_writer(ngx_http_request_t *r)
{
    ngx_int_t                           rc;
    ngx_chain_t                        *out;
    ngx_connection_t                   *c;
    ngx_pool_cleanup_t                 *cln;
    ngx_http_passport_report_stream_t  *s;

    c = r->connection;

    for (cln = r->pool->cleanup; cln; cln = cln->next) {
        if (cln->handler == ngx_http_passport_report_stream_cleanup) {
            break;
        }
    }

    if (cln == NULL) {
        return;
    }

    s = cln->data;

    if (c->write->timedout) {
        ngx_log_error(NGX_LOG_INFO, c->log, NGX_ETIMEDOUT,
                      "client timed out");
        c->timedout = 1;
        ngx_http_finalize_request(r, NGX_HTTP_REQUEST_TIME_OUT);
        return;
    }

    if (s->started && !r->header_only) {
        out = NULL;
        rc = c->write->delayed ? NGX_AGAIN : ngx_http_output_filter(r, NULL);

        ngx_chain_update_chains(r->pool, &s->free, &s->busy, &out,
                                NGX_HTTP_PASSPORT_STREAM_TAG);

        if (rc == NGX_ERROR
            || ngx_http_passport_report_stream_arm(s, rc) != NGX_OK)
        {
            ngx_http_finalize_request(r, NGX_ERROR);
            return;
        }
    }

    if (s->waiting
        && (s->free || s->bufs < NGX_HTTP_PASSPORT_REPORT_STREAM_BUFS))
    {
        s->waiting = 0;
        s->resume(s->data);
    }
}
