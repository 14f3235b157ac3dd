
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_REPORT_RECEIVE_CHECK_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_REPORT_RECEIVE_CHECK_H_INCLUDED_


#include "ngx_http_passport.h"
#include "passport_report.h"


/*
 * A push checked whole, before anything of it is stored: every line a
 * record of one node, its hash right, signed with a key registered for
 * that node (keys=DIR: NODE.pem, NODE.KID.pem), the records following
 * each other.  Also the types the receiving files share: a record of a
 * push and what a push is answered.
 */


/* one record of a push */

typedef struct {
    u_char                     *line;           /* "\n" included */
    size_t                      len;
    ngx_http_passport_report_line_t  l;
} ngx_http_passport_receive_rec_t;


/* what a push is answered: a 200 with extra, or a problem document */

typedef struct {
    ngx_uint_t                  status;
    const char                 *detail;
    u_char                     *extra;          /* more members, or NULL */
    size_t                      extra_len;
} ngx_http_passport_receive_answer_t;


static ngx_inline void
ngx_http_passport_receive_refuse(ngx_http_passport_receive_answer_t *an,
    ngx_uint_t status, const char *detail)
{
    an->status = status;
    an->detail = detail;
    an->extra = NULL;
    an->extra_len = 0;
}


/* keys=DIR read into keys (made here), in the master */
char *ngx_http_passport_receive_keys(ngx_conf_t *cf, ngx_array_t *keys,
    ngx_str_t *dir);

/* the keys freed (a configuration pool's cleanup) */
void ngx_http_passport_receive_keys_free(ngx_array_t *keys);

/*
 * The body's records, every one checked, in pool; NULL with the answer
 * in an (422 with "line", 403 for an unknown node or key, 400 empty).
 */
ngx_array_t *ngx_http_passport_receive_check(ngx_pool_t *pool,
    ngx_array_t *keys, u_char *body, size_t len,
    ngx_http_passport_receive_answer_t *an);

/* 1: a node's name that is a file name of its own ([A-Za-z0-9._-]) */
ngx_uint_t ngx_http_passport_receive_safe(u_char *p, size_t len);


#endif /* _NGX_HTTP_PASSPORT_REPORT_RECEIVE_CHECK_H_INCLUDED_ */
