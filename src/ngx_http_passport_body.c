
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport.h"
#include "ngx_http_passport_body.h"


static ngx_int_t ngx_http_passport_body_copy(ngx_http_request_t *r,
    ngx_pool_t *pool, size_t len, ngx_str_t *body);


/*
 * Content-Type is application/json or application/<anything>+json, case
 * insensitive, parameters ignored.
 */

ngx_uint_t
ngx_http_passport_is_json(ngx_http_request_t *r)
{
    u_char  *p, *last, *sub;
    size_t   len;

    if (r->headers_in.content_type == NULL) {
        return 0;
    }

    p = r->headers_in.content_type->value.data;
    last = p + r->headers_in.content_type->value.len;

    while (p < last && (*p == ' ' || *p == '\t')) {
        p++;
    }

    len = last - p;

    if (len < sizeof("application/") - 1
        || ngx_strncasecmp(p, (u_char *) "application/",
                           sizeof("application/") - 1) != 0)
    {
        return 0;
    }

    p += sizeof("application/") - 1;
    sub = p;

    while (p < last && *p != ';' && *p != ' ' && *p != '\t') {
        p++;
    }

    len = p - sub;

    if (len == 4 && ngx_strncasecmp(sub, (u_char *) "json", 4) == 0) {
        return 1;
    }

    return len > 5
           && ngx_strncasecmp(p - 5, (u_char *) "+json", 5) == 0;
}


/*
 * The body as one contiguous string, whatever nginx made of it: one memory
 * buffer is used where it is; several, or a temporary file when it was
 * larger than client_body_buffer_size, are copied into the pool given.
 * The request's buffers are left as they are, so the upstream gets the
 * body unchanged.  The string is not NUL-terminated.
 */

ngx_int_t
ngx_http_passport_body_collect(ngx_http_request_t *r, ngx_pool_t *pool,
    ngx_str_t *body)
{
    off_t         len;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    body->len = 0;
    body->data = (u_char *) "";

    if (r->request_body == NULL || r->request_body->bufs == NULL) {
        return NGX_OK;
    }

    cl = r->request_body->bufs;

    if (cl->next == NULL && !cl->buf->in_file) {
        /* the usual case: read in one buffer, nothing to copy */
        body->data = cl->buf->pos;
        body->len = cl->buf->last - cl->buf->pos;
        return NGX_OK;
    }

    len = 0;

    for ( /* void */ ; cl; cl = cl->next) {
        b = cl->buf;
        len += b->in_file ? b->file_last - b->file_pos : b->last - b->pos;
    }

    if (len == 0) {
        return NGX_OK;
    }

    if (len > NGX_MAX_SIZE_T_VALUE - 1) {
        return NGX_ERROR;
    }

    return ngx_http_passport_body_copy(r, pool, (size_t) len, body);
}


static ngx_int_t
ngx_http_passport_body_copy(ngx_http_request_t *r, ngx_pool_t *pool,
    size_t len, ngx_str_t *body)
{
    u_char       *p;
    off_t         size;
    ssize_t       n;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    p = ngx_pnalloc(pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    body->data = p;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;

        if (!b->in_file) {
            /* the empty last buffer of a chunked body has no memory */
            if (b->last != b->pos) {
                p = ngx_cpymem(p, b->pos, b->last - b->pos);
            }

            continue;
        }

        size = b->file_last - b->file_pos;

        n = ngx_read_file(b->file, p, (size_t) size, b->file_pos);

        if (n == NGX_ERROR) {
            return NGX_ERROR;
        }

        if (n != size) {
            ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                          ngx_read_file_n " \"%V\" returned only "
                          "%z bytes instead of %O",
                          &b->file->name, n, size);
            return NGX_ERROR;
        }

        p += n;
    }

    body->len = len;

    return NGX_OK;
}
