
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport_report_writer.h"


/*
 * Writing one record at the end of the report log's chain.  Before a
 * verdict record, the chain is mended: a line cut earlier is ended and
 * noted, a reopened file starts with a ROTATION record, and a chain at
 * the last seq starts again.  The record format is passport_report.c's.
 */


static ngx_int_t ngx_http_passport_report_writer_mend(
    ngx_http_passport_report_log_t *rl, ngx_http_passport_report_t *rec,
    ngx_pool_t *pool, ngx_log_t *log);
static ngx_int_t ngx_http_passport_report_writer_seq_limit(
    ngx_http_passport_report_log_t *rl, ngx_pool_t *pool, ngx_log_t *log);
static ngx_int_t ngx_http_passport_report_writer_rotation(
    ngx_http_passport_report_log_t *rl, ngx_http_passport_report_t *rec,
    ngx_pool_t *pool, ngx_log_t *log);


/*
 * Writes one record at the end of the chain.  The chain advances only
 * when the whole line reached the file; a cut line (disk full) is
 * followed by a RECOVERY record once writing works again.
 */

ngx_int_t
ngx_http_passport_report_writer_write(ngx_http_passport_report_log_t *rl,
    ngx_http_passport_report_t *rec, ngx_pool_t *pool, ngx_log_t *log)
{
    char         hash[NGX_HTTP_PASSPORT_REPORT_HEX + 1];
    u_char      *buf, *last;
    ssize_t      n;
    ngx_int_t    rc;
    ngx_time_t  *tp;

    rc = ngx_http_passport_report_writer_mend(rl, rec, pool, log);

    if (rc == NGX_DECLINED) {
        goto failed;
    }

    if (rc != NGX_OK) {
        return NGX_ERROR;
    }

    tp = ngx_timeofday();

    rec->seq = rl->sh->chain.seq + 1;
    rec->prev = rl->sh->chain.hash;
    rec->time_ms = (long long) tp->sec * 1000 + tp->msec;
    rec->node = rl->node.data;
    rec->node_len = rl->node.len;
    rec->kid = rl->key ? rl->kid : NULL;

    buf = ngx_pnalloc(pool, ngx_http_passport_report_size(rec));
    if (buf == NULL) {
        return NGX_ERROR;
    }

    last = ngx_http_passport_report_write(buf, rec, rl->key, hash);
    if (last == NULL) {
        ngx_log_error(NGX_LOG_CRIT, log, 0,
                      "passport: a report record could not be built");
        return NGX_ERROR;
    }

    n = ngx_write_fd(rl->file->fd, buf, last - buf);

    if (n == last - buf) {
        rl->sh->chain.seq = rec->seq;
        ngx_memcpy(rl->sh->chain.hash, hash, sizeof(hash));
        return NGX_OK;
    }

    if (n > 0) {
        rl->sh->damaged = 1;
    }

failed:

    ngx_log_error(NGX_LOG_CRIT, log, ngx_errno,
                  "passport: writing the report log \"%V\" failed; "
                  "the request was decided, its record is lost",
                  &rl->path);

    return NGX_ERROR;
}


/* a RECOVERY, ROTATION or SEGMENT record; the lock held or alone */

ngx_int_t
ngx_http_passport_report_writer_note(ngx_http_passport_report_log_t *rl,
    int type, const char *detail, ngx_pool_t *pool, ngx_log_t *log)
{
    ngx_http_passport_report_t  rec;

    ngx_memzero(&rec, sizeof(ngx_http_passport_report_t));

    rec.type = type;
    rec.detail = (u_char *) detail;
    rec.detail_len = ngx_strlen(detail);

    return ngx_http_passport_report_writer_write(rl, &rec, pool, log);
}


/*
 * Before a verdict record: a line cut earlier is ended and a RECOVERY
 * record says so; a file new since the last record (a reopen) starts
 * with a ROTATION record.  NGX_DECLINED: the log cannot be written.
 */

static ngx_int_t
ngx_http_passport_report_writer_mend(ngx_http_passport_report_log_t *rl,
    ngx_http_passport_report_t *rec, ngx_pool_t *pool, ngx_log_t *log)
{
    if (rl->sh->chain.seq >= NGX_HTTP_PASSPORT_REPORT_SEQ_MAX
        && ngx_http_passport_report_writer_seq_limit(rl, pool, log)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (rl->sh->damaged && rec->type == NGX_HTTP_PASSPORT_REPORT_VERDICT) {

        /* end the cut line, then say so in the chain */

        if (ngx_write_fd(rl->file->fd, "\n", 1) != 1) {
            return NGX_DECLINED;
        }

        rl->sh->damaged = 0;

        if (ngx_http_passport_report_writer_note(rl,
                NGX_HTTP_PASSPORT_REPORT_RECOVERY,
                NGX_HTTP_PASSPORT_MSG_NOTE_PARTIAL_WRITE_EN, pool, log)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return ngx_http_passport_report_writer_rotation(rl, rec, pool, log);
}


/* no seq after the last: never reached but by a forged chain */

static ngx_int_t
ngx_http_passport_report_writer_seq_limit(ngx_http_passport_report_log_t *rl,
    ngx_pool_t *pool, ngx_log_t *log)
{
    ngx_log_error(NGX_LOG_CRIT, log, 0,
                  "passport: the report log \"%V\" reached seq %uL; "
                  "a new chain starts at seq 1", &rl->path,
                  (uint64_t) rl->sh->chain.seq);

    ngx_http_passport_report_chain_init(&rl->sh->chain);

    return ngx_http_passport_report_writer_note(rl,
               NGX_HTTP_PASSPORT_REPORT_SEGMENT,
               NGX_HTTP_PASSPORT_MSG_NOTE_SEQ_LIMIT_EN, pool, log);
}


/* after a rotation (report_file.c follows it): the new file starts so */

static ngx_int_t
ngx_http_passport_report_writer_rotation(ngx_http_passport_report_log_t *rl,
    ngx_http_passport_report_t *rec, ngx_pool_t *pool, ngx_log_t *log)
{
    ngx_file_info_t  fi;

    if (ngx_fd_info(rl->file->fd, &fi) == NGX_FILE_ERROR
        || (fi.st_dev == rl->sh->dev && fi.st_ino == rl->sh->ino))
    {
        return NGX_OK;
    }

    rl->sh->dev = fi.st_dev;
    rl->sh->ino = fi.st_ino;

    if (ngx_file_size(&fi) > 0 || rl->sh->chain.seq == 0
        || rec->type != NGX_HTTP_PASSPORT_REPORT_VERDICT)
    {
        /* the file of the chain so far: nothing to note */
        return NGX_OK;
    }

    return ngx_http_passport_report_writer_note(rl,
               NGX_HTTP_PASSPORT_REPORT_ROTATION,
               NGX_HTTP_PASSPORT_MSG_NOTE_REOPENED_EN, pool, log);
}
