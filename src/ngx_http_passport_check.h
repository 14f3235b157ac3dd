
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_CHECK_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_CHECK_H_INCLUDED_


#include "ngx_http_passport.h"


/*
 * passport_check: a seller's self-check.  The location checks the body
 * as a guarded one does (handler.c, with the location's passport_*
 * settings) but forwards nothing and records nothing: its content handler
 * answers 200 with the verdict and the problems as JSON.
 */
char *ngx_http_passport_set_check(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/* the merge: a self-check's location keeps its content handler */
char *ngx_http_passport_check_merge(ngx_conf_t *cf,
    ngx_http_passport_loc_conf_t *conf);


#endif /* _NGX_HTTP_PASSPORT_CHECK_H_INCLUDED_ */
