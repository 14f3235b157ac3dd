
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_REPORT_FILES_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_REPORT_FILES_H_INCLUDED_


#include "ngx_http_passport_report.h"


/*
 * The files a passport_reports query reads and their whole lines, one
 * at a time: the node's log with its rotated files, or a receiving
 * directory's NODE.ndjson files with theirs.  The reads run through
 * report_io.c (in a thread pool when the log has one); the memory is
 * one buffer of CHUNK bytes (grown for a long line up to LINE_MAX) and,
 * for a gzip'd file, zlib's fixed one.
 */


typedef struct {
    ngx_str_t                   path;           /* NUL-terminated */
    ngx_uint_t                  gzip;           /* PATH.N.gz */
} ngx_http_passport_report_file_t;


typedef struct {
    ngx_array_t                 files;          /* of report_file_t */
    ngx_uint_t                  next;           /* the next to open */
    ngx_http_passport_report_file_t  *file;     /* being read, or NULL */

    ngx_http_passport_report_io_t     io;       /* its resume: the caller's */
    ngx_http_passport_report_read_t   rd;
    ngx_http_passport_report_read_t  *cur;      /* &rd, or &gz->rd */
#if (NGX_ZLIB)
    ngx_http_passport_report_gunzip_t  *gz;
#endif

    off_t                       end;            /* plain: size when opened */
    u_char                     *buf;
    size_t                      cap;            /* of buf */
    u_char                     *pos;            /* what is not yet a line */
    u_char                     *last;

    unsigned                    opened:1;
    unsigned                    pending:1;      /* io done, not looked at */
    unsigned                    eof:1;          /* of the file */
    unsigned                    skipping:1;     /* a line too long */
    ngx_uint_t                  skipped;        /* in this file */

    ngx_pool_t                 *pool;
    ngx_log_t                  *log;
} ngx_http_passport_report_files_t;


/*
 * The files, oldest first: with log, log.100 (or log.100.gz) ... log.1,
 * log; with dir, each NODE.ndjson there likewise, nodes in name order,
 * only node's when node is not empty.  f->io's resume is the caller's
 * to set.  NGX_ERROR: no memory.
 */
ngx_int_t ngx_http_passport_report_files_init(
    ngx_http_passport_report_files_t *f, ngx_pool_t *pool, ngx_log_t *log,
    ngx_str_t *path, ngx_str_t *dir, ngx_str_t *node);

/*
 * The next whole line, "\n" included, valid until the next call.
 * NGX_OK; NGX_AGAIN: a thread is at work, f->io.resume runs when it is
 * over, call again then; NGX_DONE: no line left; NGX_ERROR: a file could
 * not be read (logged at crit) or no memory.
 */
ngx_int_t ngx_http_passport_report_files_line(
    ngx_http_passport_report_files_t *f, ngx_str_t *line);

/* closes the file being read */
void ngx_http_passport_report_files_close(
    ngx_http_passport_report_files_t *f);


#endif /* _NGX_HTTP_PASSPORT_REPORT_FILES_H_INCLUDED_ */
