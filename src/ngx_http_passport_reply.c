
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport_reply.h"


/*
 * Every answer the module writes itself goes out here, so that each of
 * them discards an unread body, honours HEAD and sets its headers alike.
 */


ngx_int_t
ngx_http_passport_reply(ngx_http_request_t *r, ngx_http_passport_reply_t *rp)
{
    ngx_int_t     rc;
    ngx_str_t     name, value;
    ngx_chain_t  *cl;

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    if (rp->language.len) {
        ngx_str_set(&name, "Content-Language");

        if (ngx_http_passport_reply_header(r, &name, &rp->language)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        /* the language was chosen by the request's Accept-Language */

        ngx_str_set(&name, "Vary");
        ngx_str_set(&value, "Accept-Language");

        if (ngx_http_passport_reply_header(r, &name, &value) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    if (rp->retry_after > 0) {
        value.data = ngx_pnalloc(r->pool, NGX_TIME_T_LEN);
        if (value.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        value.len = ngx_sprintf(value.data, "%T", rp->retry_after)
                    - value.data;
        ngx_str_set(&name, "Retry-After");

        if (ngx_http_passport_reply_header(r, &name, &value) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    r->headers_out.status = rp->status;
    r->headers_out.content_length_n = rp->body ? rp->length : 0;
    r->headers_out.content_type = rp->type;
    r->headers_out.content_type_len = rp->type.len;
    r->headers_out.content_type_lowcase = NULL;

    rc = ngx_http_send_header(r);

    /* HEAD: the header was all; nothing may fail after it */

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    if (rp->body == NULL) {
        return ngx_http_send_special(r, NGX_HTTP_LAST);
    }

    for (cl = rp->body; cl->next; cl = cl->next) { /* void */ }

    cl->buf->last_buf = (r == r->main) ? 1 : 0;
    cl->buf->last_in_chain = 1;

    return ngx_http_output_filter(r, rp->body);
}


ngx_int_t
ngx_http_passport_reply_buf(ngx_http_request_t *r,
    ngx_http_passport_reply_t *rp, ngx_buf_t *b)
{
    ngx_chain_t  *cl;

    cl = ngx_alloc_chain_link(r->pool);
    if (cl == NULL) {
        return NGX_ERROR;
    }

    cl->buf = b;
    cl->next = NULL;

    rp->body = cl;
    rp->length = b->last - b->pos;

    return NGX_OK;
}


ngx_int_t
ngx_http_passport_reply_header(ngx_http_request_t *r, ngx_str_t *name,
    ngx_str_t *value)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    h->key = *name;
    h->value = *value;
    h->lowcase_key = NULL;

#if (nginx_version >= 1023000)
    h->next = NULL;
#endif

    return NGX_OK;
}
