
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport.h"
#include "ngx_http_passport_reply.h"


/*
 * passport_cache_purge: "DELETE ?entity=ID" or "DELETE ?code=CODE" removes
 * that record from the location's cache now, so that a recall or a
 * suspension takes effect on the next request.  The ID and the code are
 * normalised as in a listing, so any way of writing them purges the one
 * record.
 */


static ngx_int_t ngx_http_passport_purge_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_passport_purge_key(ngx_http_request_t *r,
    ngx_uint_t *kind, ngx_str_t *key, const char **error);
static ngx_int_t ngx_http_passport_purge_send(ngx_http_request_t *r,
    ngx_uint_t status, const char *fmt, ngx_str_t *key, ngx_uint_t removed);


static ngx_int_t
ngx_http_passport_purge_handler(ngx_http_request_t *r)
{
    ngx_int_t                      rc, removed;
    ngx_str_t                      key, url;
    ngx_uint_t                     kind;
    const char                    *error;
    ngx_http_passport_loc_conf_t  *plcf;

    if (r->method != NGX_HTTP_DELETE) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    rc = ngx_http_passport_purge_key(r, &kind, &key, &error);

    if (rc == NGX_ERROR) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rc == NGX_DECLINED) {
        return ngx_http_passport_purge_send(r, NGX_HTTP_BAD_REQUEST, error,
                                            NULL, 0);
    }

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_passport_module);

    /* the entries of every registry object with this zone and URL */

    removed = ngx_http_passport_registry_purge(r, plcf->registry, kind, &key,
                                               &url);
    if (removed == NGX_ERROR) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                  "passport: cache purge \"%V\": %s", &url,
                  removed ? "removed" : "not cached");

    return ngx_http_passport_purge_send(r, NGX_HTTP_OK, NULL, &url, removed);
}


/*
 * The lookup named by "entity=" or "code=", normalised.  NGX_DECLINED:
 * there is none, *error says why.
 */

static ngx_int_t
ngx_http_passport_purge_key(ngx_http_request_t *r, ngx_uint_t *kind,
    ngx_str_t *key, const char **error)
{
    u_char                      *dst, *src;
    ngx_str_t                    arg;
    ngx_http_passport_code_t     code;
    ngx_http_passport_seller_t   sl;

    if (ngx_http_arg(r, (u_char *) "entity", 6, &arg) == NGX_OK) {
        *kind = NGX_HTTP_PASSPORT_ENTITY;

    } else if (ngx_http_arg(r, (u_char *) "code", 4, &arg) == NGX_OK) {
        *kind = NGX_HTTP_PASSPORT_CODE;

    } else {
        *error = "{\"error\":\"" NGX_HTTP_PASSPORT_MSG_PURGE_USAGE_EN
                 "\"}\n";
        return NGX_DECLINED;
    }

    /* the argument is percent-encoded */

    dst = ngx_pnalloc(r->pool, arg.len);
    if (dst == NULL) {
        return NGX_ERROR;
    }

    src = arg.data;
    arg.data = dst;
    ngx_unescape_uri(&dst, &src, arg.len, 0);
    arg.len = dst - arg.data;

    if (*kind == NGX_HTTP_PASSPORT_ENTITY) {
        if (ngx_http_passport_seller_parse(arg.data, arg.len, &sl)
            != NGX_HTTP_PASSPORT_ID_OK)
        {
            *error = "{\"error\":\"" NGX_HTTP_PASSPORT_MSG_PURGE_BAD_SELLER_EN
                     "\"}\n";
            return NGX_DECLINED;
        }

        key->len = sl.len;
        key->data = ngx_pnalloc(r->pool, sl.len);
        if (key->data == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(key->data, sl.id, sl.len);
        return NGX_OK;
    }

    (void) ngx_http_passport_code_parse(arg.data, arg.len,
                                        ngx_http_passport_today(), &code);

    if (code.err == NGX_HTTP_PASSPORT_ID_OK) {
        key->len = code.len;
        key->data = ngx_pnalloc(r->pool, code.len);
        if (key->data == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(key->data, code.canon, code.len);
        return NGX_OK;
    }

    key->len = arg.len;
    key->data = (u_char *) ngx_http_passport_trim(arg.data, &key->len, 1);

    if (code.err != NGX_HTTP_PASSPORT_ID_SHAPE || key->len == 0) {
        /* a GS1 code with an error is in no cache; an opaque one may be */
        *error = "{\"error\":\"" NGX_HTTP_PASSPORT_MSG_PURGE_BAD_CODE_EN
                 "\"}\n";
        return NGX_DECLINED;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_passport_purge_send(ngx_http_request_t *r, ngx_uint_t status,
    const char *text, ngx_str_t *key, ngx_uint_t removed)
{
    size_t                      len;
    ngx_buf_t                  *b;
    ngx_http_passport_reply_t   rp;

    len = text ? ngx_strlen(text)
               : sizeof("{\"removed\":false,\"key\":\"\"}\n")
                 + ngx_http_passport_json_escape_size(key->data, key->len,
                                                      key->len);

    b = ngx_create_temp_buf(r->pool, len);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (text) {
        b->last = ngx_cpymem(b->last, text, len);

    } else {
        b->last = ngx_sprintf(b->last, "{\"removed\":%s,\"key\":\"",
                              removed ? "true" : "false");
        b->last = ngx_http_passport_json_escape(b->last, key->data,
                                                key->len, key->len);
        b->last = ngx_cpymem(b->last, "\"}\n", 3);
    }

    ngx_memzero(&rp, sizeof(ngx_http_passport_reply_t));

    rp.status = status;
    ngx_str_set(&rp.type, "application/json");

    if (ngx_http_passport_reply_buf(r, &rp, b) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_passport_reply(r, &rp);
}


char *
ngx_http_passport_set_purge(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_passport_loc_conf_t *plcf = conf;

    ngx_http_core_loc_conf_t  *clcf;

    if (plcf->purge) {
        return "is duplicate";
    }

    plcf->purge = 1;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_passport_purge_handler;

    return NGX_CONF_OK;
}
