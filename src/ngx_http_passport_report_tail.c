
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport_report_tail.h"
#include "ngx_http_passport_report_writer.h"


/*
 * The end of the report log's chain, at start (not at a reload, which
 * keeps the chain in shared memory): the last record that passes the
 * check (passport_report_check.c: hashes, signatures, seq) is where the
 * chain goes on.  A line cut by a crash after it is ended and noted in a
 * RECOVERY record; lines after it that do not pass are left out of the
 * chain by a SEGMENT record, and said at crit.
 */


#define NGX_HTTP_PASSPORT_TAIL_MIN  65536


static ngx_int_t ngx_http_passport_report_tail_resume(
    ngx_http_passport_report_log_t *rl,
    ngx_http_passport_report_tail_t *tail, ngx_pool_t *pool, ngx_log_t *log);
static void ngx_http_passport_report_tail_untrusted(
    ngx_http_passport_report_log_t *rl,
    ngx_http_passport_report_tail_t *tail, ngx_log_t *log);
static ngx_int_t ngx_http_passport_report_tail_read(ngx_fd_t fd,
    ngx_pool_t *pool, EVP_PKEY *key, ngx_http_passport_report_tail_t *tail);


ngx_int_t
ngx_http_passport_report_tail_recover(ngx_http_passport_report_log_t *rl,
    ngx_log_t *log)
{
    ngx_fd_t                          fd;
    ngx_int_t                         rc;
    ngx_pool_t                       *pool;
    ngx_http_passport_report_tail_t   tail;

    /* the file checked and opened for writing, not whatever the name is */

    fd = openat(rl->dir, (char *) rl->name, O_RDONLY|O_NOFOLLOW|O_CLOEXEC);

    if (fd == NGX_INVALID_FILE) {
        ngx_log_error(NGX_LOG_CRIT, log, ngx_errno,
                      "passport: cannot read the report log \"%V\"",
                      &rl->path);
        return NGX_ERROR;
    }

    pool = ngx_create_pool(4096, log);

    if (pool == NULL
        || ngx_http_passport_report_tail_read(fd, pool, rl->key, &tail)
           != NGX_OK)
    {
        ngx_log_error(NGX_LOG_CRIT, log, ngx_errno,
                      "passport: cannot find the end of the chain in the "
                      "report log \"%V\"", &rl->path);

        ngx_close_file(fd);

        if (pool) {
            ngx_destroy_pool(pool);
        }

        return NGX_ERROR;
    }

    ngx_close_file(fd);

    rc = ngx_http_passport_report_tail_resume(rl, &tail, pool, log);

    ngx_destroy_pool(pool);

    return rc;
}


/* the chain goes on from the tail: what it found is written first */

static ngx_int_t
ngx_http_passport_report_tail_resume(ngx_http_passport_report_log_t *rl,
    ngx_http_passport_report_tail_t *tail, ngx_pool_t *pool, ngx_log_t *log)
{
    rl->sh->chain = tail->chain;

    if (tail->newline && ngx_write_fd(rl->file->fd, "\n", 1) != 1) {
        ngx_log_error(NGX_LOG_CRIT, log, ngx_errno,
                      "passport: cannot write to the report log \"%V\"",
                      &rl->path);
        return NGX_ERROR;
    }

    if (tail->segment) {
        ngx_http_passport_report_tail_untrusted(rl, tail, log);

        if (ngx_http_passport_report_writer_note(rl,
                NGX_HTTP_PASSPORT_REPORT_SEGMENT,
                NGX_HTTP_PASSPORT_MSG_NOTE_UNTRUSTED_EN, pool, log)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    if (!tail->truncated) {
        return NGX_OK;
    }

    ngx_log_error(NGX_LOG_WARN, log, 0,
                  "passport: the report log \"%V\" ends with a cut "
                  "line after seq %uL; a recovery record follows it",
                  &rl->path, tail->chain.seq);

    return ngx_http_passport_report_writer_note(rl,
               NGX_HTTP_PASSPORT_REPORT_RECOVERY,
               NGX_HTTP_PASSPORT_MSG_NOTE_CUT_LINE_EN, pool, log);
}


/*
 * The end of the log did not pass the check (a forged or replayed line,
 * lines that are not records, a key put in or changed): said at crit,
 * and the chain goes on in a new segment, never from those lines.
 */

static void
ngx_http_passport_report_tail_untrusted(ngx_http_passport_report_log_t *rl,
    ngx_http_passport_report_tail_t *tail, ngx_log_t *log)
{
    ngx_log_error(NGX_LOG_CRIT, log, 0,
                  "passport: the report log \"%V\" ends with %uL line%s "
                  "that did not pass the check (the first: %s, seq %uL); "
                  "a new chain segment starts at seq %uL",
                  &rl->path, (uint64_t) tail->untrusted,
                  tail->untrusted == 1 ? "" : "s",
                  ngx_http_passport_report_result_name(tail->why),
                  (uint64_t) tail->why_seq, (uint64_t) tail->chain.seq + 1);
}


/* the chain's end: the file's last 64 KiB, more while not found */

static ngx_int_t
ngx_http_passport_report_tail_read(ngx_fd_t fd, ngx_pool_t *pool,
    EVP_PKEY *key, ngx_http_passport_report_tail_t *tail)
{
    int               rc;
    off_t             size, len;
    u_char           *buf;
    ssize_t           n;
    ngx_file_info_t   fi;

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        return NGX_ERROR;
    }

    size = ngx_file_size(&fi);

    if (size == 0) {
        ngx_memzero(tail, sizeof(ngx_http_passport_report_tail_t));
        ngx_http_passport_report_chain_init(&tail->chain);
        return NGX_OK;
    }

    rc = NGX_HTTP_PASSPORT_REPORT_ERROR;

    for (len = ngx_min(size, NGX_HTTP_PASSPORT_TAIL_MIN); len; len *= 2) {

        len = ngx_min(len, size);

        buf = ngx_pnalloc(pool, (size_t) len);
        if (buf == NULL) {
            return NGX_ERROR;
        }

        n = pread(fd, buf, (size_t) len, size - len);
        if (n != (ssize_t) len) {
            return NGX_ERROR;
        }

        rc = ngx_http_passport_report_tail(buf, (size_t) len, len == size,
                                           key, tail);

        if (rc != NGX_HTTP_PASSPORT_REPORT_AGAIN || len == size) {
            break;
        }
    }

    return (rc == NGX_HTTP_PASSPORT_REPORT_OK) ? NGX_OK : NGX_ERROR;
}
