
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_REPORT_LOG_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_REPORT_LOG_H_INCLUDED_


#include "ngx_http_passport_report.h"
#include "passport_report.h"


/*
 * The report log object (passport_report_log), shared by the files that
 * keep it: report_log.c (the directive, recording a verdict),
 * report_file.c (opening the file safely, following rotations),
 * report_tail.c (the chain's end at start) and report_writer.c (one
 * record at the end of the chain).  Its functions for the other report
 * files are in ngx_http_passport_report.h.
 */


/* the chain, in shared memory: advanced under the zone's lock */
typedef struct {
    ngx_http_passport_report_chain_t   chain;
    dev_t                               dev;     /* the file written to */
    ino_t                               ino;
    ngx_uint_t                          damaged; /* a line was cut */
} ngx_http_passport_report_log_sh_t;


struct ngx_http_passport_report_log_s {
    ngx_str_t                           path;
    /* not in cycle->open_files: "nginx -s reopen" would follow links */
    ngx_open_file_t                    *file;
    ngx_fd_t                            dir;     /* the log's directory */
    u_char                             *name;    /* the log's name in it */
    ngx_str_t                           state;   /* the workers' directory */
    ngx_fd_t                            state_fd;
    ngx_cycle_t                        *cycle;
    ngx_str_t                           node;
    ngx_str_t                           oper;    /* operator=, or empty */
    EVP_PKEY                           *key;
    char                                kid[NGX_HTTP_PASSPORT_REPORT_KID + 1];
    ngx_shm_zone_t                     *shm_zone;
    ngx_slab_pool_t                    *shpool;
    ngx_http_passport_report_log_sh_t  *sh;
#if (NGX_THREADS)
    ngx_thread_pool_t                  *threads;   /* for the file work */
#endif
    unsigned                            threads_off:1;
    unsigned                            threads_set:1;
    unsigned                            body_errors:1;
    unsigned                            stuck:1; /* a move was logged */
};


#endif /* _NGX_HTTP_PASSPORT_REPORT_LOG_H_INCLUDED_ */
