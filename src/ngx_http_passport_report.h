
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_REPORT_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_REPORT_H_INCLUDED_


#include "ngx_http_passport.h"


/*
 * The regulator side: the report log writer (passport_report_log), its
 * query endpoint (passport_reports) and its delivery (passport_report_push),
 * and the file work they share.
 */


typedef struct ngx_http_passport_report_log_s
    ngx_http_passport_report_log_t;
typedef struct ngx_http_passport_report_push_s
    ngx_http_passport_report_push_t;


/* the log is read in buffers of this size */
#define NGX_HTTP_PASSPORT_REPORT_CHUNK      65536

/* the longest line read from the log, "\n" included: longer are skipped */
#define NGX_HTTP_PASSPORT_REPORT_LINE_MAX   (1024 * 1024)


/* blocking file work: it touches no pool, no log, nothing of nginx's */
typedef void (*ngx_http_passport_report_work_pt)(void *data);


/*
 * Where file work runs: in a thread pool, and then resume(ev) on the
 * worker with ev->data resume_data; or, with no pool, on the spot.
 */
typedef struct {
    ngx_http_passport_report_work_pt  work;
    void                       *data;           /* work's argument */
    ngx_event_handler_pt        resume;
    void                       *resume_data;
    ngx_pool_t                 *pool;           /* the task comes from it */
    ngx_log_t                  *log;
#if (NGX_THREADS)
    ngx_thread_pool_t          *threads;        /* NULL: on the spot */
    ngx_thread_task_t          *task;
#endif
} ngx_http_passport_report_io_t;


/* work: with fd NGX_INVALID_FILE, open path and fstat it; else pread */
typedef struct {
    u_char                     *path;           /* NUL-terminated */
    ngx_fd_t                    fd;
    ngx_file_info_t             info;           /* after the open */
    u_char                     *buf;
    size_t                      size;
    off_t                       offset;
    ssize_t                     n;              /* read; -1: failed */
    ngx_err_t                   err;
    const char                 *failed;         /* NULL, or the call */
} ngx_http_passport_report_read_t;


#if (NGX_ZLIB)

#include <zlib.h>

/* zlib's memory for one gzip'd file: its state and 32 KiB window */
#define NGX_HTTP_PASSPORT_REPORT_GZ_MEM     65536

/*
 * work: as read, for a gzip'd file: with rd.fd NGX_INVALID_FILE, open
 * and fstat; else up to rd.size inflated bytes into rd.buf (rd.n, 0 at
 * the end).  in and mem are CHUNK and GZ_MEM bytes.
 */
typedef struct {
    ngx_http_passport_report_read_t  rd;        /* rd.offset: in the file */
    z_stream                    zs;
    u_char                     *in;
    u_char                     *mem;
    size_t                      used;           /* of mem */
    ngx_uint_t                  state;          /* GZ_* */
} ngx_http_passport_report_gunzip_t;

#endif


/* work: data into tmp, fsync, rename to path */
typedef struct {
    u_char                     *path;           /* NUL-terminated */
    u_char                     *tmp;
    u_char                      data[NGX_INT64_LEN + 2];
    size_t                      len;
    ngx_err_t                   err;
    const char                 *failed;         /* NULL, or the call */
} ngx_http_passport_report_save_t;


/* ngx_http_passport_report_log.c */
char *ngx_http_passport_report_log(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
void ngx_http_passport_report_log_append(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx);
ngx_str_t *ngx_http_passport_report_log_path(
    ngx_http_passport_report_log_t *rl);
ngx_str_t *ngx_http_passport_report_log_state_dir(
    ngx_http_passport_report_log_t *rl);
void ngx_http_passport_report_log_threads(ngx_http_passport_report_log_t *rl,
    ngx_http_passport_report_io_t *io);

/* ngx_http_passport_report_query.c */
char *ngx_http_passport_report_query(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/* ngx_http_passport_report_push.c */
char *ngx_http_passport_report_push(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_passport_report_push_init_process(ngx_cycle_t *cycle,
    ngx_http_passport_main_conf_t *pmcf);
void ngx_http_passport_report_push_exit_process(ngx_cycle_t *cycle,
    ngx_http_passport_main_conf_t *pmcf);

/* ngx_http_passport_report_io.c */
ngx_int_t ngx_http_passport_report_io(ngx_http_passport_report_io_t *io);
ngx_uint_t ngx_http_passport_report_io_busy(
    ngx_http_passport_report_io_t *io);
void ngx_http_passport_report_io_read(void *data);
#if (NGX_ZLIB)
void ngx_http_passport_report_io_gunzip(void *data);
#endif
void ngx_http_passport_report_io_save(void *data);


#endif /* _NGX_HTTP_PASSPORT_REPORT_H_INCLUDED_ */
