
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_EXTRACT_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_EXTRACT_H_INCLUDED_


#include "ngx_http_passport.h"
#include "passport_json_tok.h"


/*
 * Extraction and the local rules: the body is parsed, the listing's
 * seller and each item's trace code, origin and seller are found and
 * checked, and every problem goes to ctx->errors.  With a registry, the
 * items that passed are kept in ctx->items for the lookups.
 */
ngx_int_t ngx_http_passport_check(ngx_http_request_t *r,
    ngx_http_passport_loc_conf_t *plcf, ngx_http_passport_ctx_t *ctx);


/*
 * passport_max_items and passport_max_json_values: a number from 1 to max,
 * checked after ngx_conf_set_num_slot() has read it (the command's post).
 */
typedef struct {
    ngx_conf_post_handler_pt       post_handler;
    ngx_uint_t                     max;
    const char                    *why;        /* the fix, past "use at
                                                  most N" */
} ngx_http_passport_limit_t;

extern ngx_http_passport_limit_t  ngx_http_passport_max_items_limit;
extern ngx_http_passport_limit_t  ngx_http_passport_max_json_values_limit;


/* the rest is shared by the extract files only */

/* the listing seller's state */
#define NGX_HTTP_PASSPORT_SELLER_NONE     0   /* no source configured */
#define NGX_HTTP_PASSPORT_SELLER_ABSENT   1
#define NGX_HTTP_PASSPORT_SELLER_BAD      2
#define NGX_HTTP_PASSPORT_SELLER_GOOD     3


/* one check of one request */
typedef struct {
    ngx_http_request_t            *r;
    ngx_http_passport_loc_conf_t  *plcf;
    ngx_http_passport_ctx_t       *ctx;
    long                           today;      /* YYYYMMDD */
    ngx_pool_t                    *pool;       /* scratch: body, tokens */
    ngx_uint_t                     seller;     /* listing seller state */
    ngx_http_passport_jtok_doc_t   doc;        /* the body; root: 0 */
} ngx_http_passport_check_t;


/* ngx_http_passport_extract_seller.c */
ngx_int_t ngx_http_passport_check_listing_seller(
    ngx_http_passport_check_t *ck);
ngx_int_t ngx_http_passport_check_item_seller(ngx_http_passport_check_t *ck,
    size_t item, ngx_int_t index, ngx_http_passport_item_t *it);

/* ngx_http_passport_extract_code.c */
ngx_int_t ngx_http_passport_check_origin(ngx_http_passport_check_t *ck,
    size_t item, ngx_int_t index, int *origin);
ngx_int_t ngx_http_passport_origin_claimed(ngx_http_passport_check_t *ck,
    size_t item, ngx_int_t index, ngx_http_passport_item_t *it);
ngx_int_t ngx_http_passport_check_code(ngx_http_passport_check_t *ck,
    size_t item, ngx_http_passport_item_t *it);


#endif /* _NGX_HTTP_PASSPORT_EXTRACT_H_INCLUDED_ */
