
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_REPORT_RECEIVE_STORE_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_REPORT_RECEIVE_STORE_H_INCLUDED_


#include "ngx_http_passport.h"
#include "ngx_http_passport_report_receive_check.h"


/*
 * The received records on disk: DIR/NODE.ndjson, one file a node, and a
 * shared zone per DIR with each node's stored chain end and its file as
 * last seen.  A checked push is compared with the node's chain and its
 * new records appended and synced, under the zone's lock.
 */


typedef struct {
    ngx_str_t                   path;           /* DIR */
    ngx_fd_t                    dir;
    ngx_shm_zone_t             *zone;
    ngx_cycle_t                *cycle;
} ngx_http_passport_receive_store_t;


/*
 * DIR made (0700) and opened, never through a symbolic link, and its
 * zone added; in the master.  st->path is the directive's DIR.
 */
char *ngx_http_passport_receive_store_conf(ngx_conf_t *cf,
    ngx_http_passport_receive_store_t *st);

/* DIR's descriptor closed (a configuration pool's cleanup) */
void ngx_http_passport_receive_store_close(
    ngx_http_passport_receive_store_t *st);

/*
 * The records of a checked push (one node, following each other) stored:
 * the answer in an: 200 with what was stored, 409 for a fork or a gap,
 * 500 when the file cannot be written or does not end with a chain.
 */
void ngx_http_passport_receive_store(ngx_http_request_t *r,
    ngx_http_passport_receive_store_t *st, ngx_array_t *recs,
    ngx_http_passport_receive_answer_t *an);


#endif /* _NGX_HTTP_PASSPORT_REPORT_RECEIVE_STORE_H_INCLUDED_ */
