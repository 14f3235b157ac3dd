
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_LOOKUP_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_LOOKUP_H_INCLUDED_


#include "ngx_http_passport.h"


/*
 * A request's registry lookups: planned from what the check kept, started
 * together, their answers applied as problems once all are in.
 */

ngx_int_t ngx_http_passport_lookups_plan(ngx_http_request_t *r,
    ngx_http_passport_loc_conf_t *plcf, ngx_http_passport_ctx_t *ctx);

/* NGX_OK: all answered, NGX_AGAIN: done(ctx) is called later, NGX_ERROR */
ngx_int_t ngx_http_passport_lookups_start(ngx_http_request_t *r,
    ngx_http_passport_loc_conf_t *plcf, ngx_http_passport_ctx_t *ctx,
    ngx_http_passport_lookups_done_pt done);

void ngx_http_passport_lookups_apply(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx);

/* the request is going away: no answer is to reach it */
void ngx_http_passport_lookups_cancel(ngx_http_passport_ctx_t *ctx);


#endif /* _NGX_HTTP_PASSPORT_LOOKUP_H_INCLUDED_ */
