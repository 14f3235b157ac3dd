
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_POINTER_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_POINTER_H_INCLUDED_


#include "ngx_http_passport.h"
#include "passport_pointer.h"
#include "passport_json_tok.h"


/* a JSON Pointer (RFC 6901) compiled at configuration time */
struct ngx_http_passport_pointer_s {
    ngx_str_t                   text;      /* as written, still escaped */
    ngx_http_passport_ref_t    *tokens;    /* unescaped reference tokens */
    ngx_uint_t                  ntokens;
};


/* passport_seller: a pointer into the body, or a string with variables */
char *ngx_http_passport_set_seller(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/* passport_items, passport_item_code, _item_seller, _item_origin */
char *ngx_http_passport_set_pointer_slot(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/* the value ptr points to from token v of doc, or JT_NONE */
size_t ngx_http_passport_pointer_get(ngx_http_passport_jtok_doc_t *doc,
    size_t v, ngx_http_passport_pointer_t *ptr);

/* base + "/index" (unless index is -1) + sub, as an RFC 6901 string */
ngx_int_t ngx_http_passport_pointer_join(ngx_pool_t *pool, ngx_str_t *out,
    ngx_http_passport_pointer_t *base, ngx_int_t index,
    ngx_http_passport_pointer_t *sub);


#endif /* _NGX_HTTP_PASSPORT_POINTER_H_INCLUDED_ */
