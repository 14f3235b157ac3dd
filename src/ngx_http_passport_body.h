
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_BODY_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_BODY_H_INCLUDED_


#include "ngx_http_passport.h"


/* Content-Type is application/json or application/<type>+json */
ngx_uint_t ngx_http_passport_is_json(ngx_http_request_t *r);

/*
 * the whole request body as one string (not NUL-terminated): the buffer
 * itself when nginx read it in one, else a copy in pool, read back from a
 * file if need be
 */
ngx_int_t ngx_http_passport_body_collect(ngx_http_request_t *r,
    ngx_pool_t *pool, ngx_str_t *body);


#endif /* _NGX_HTTP_PASSPORT_BODY_H_INCLUDED_ */
