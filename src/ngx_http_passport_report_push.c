
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport_report.h"
#include "ngx_http_passport_endpoint.h"
#include "ngx_http_passport_metrics.h"
#include "passport_report.h"


/*
 * Delivery of the report log to the regulator (passport_report_push).
 * Worker 0 alone reads the records after the cursor from the current log
 * file and POSTs them, at most "batch" at a time, as application/x-ndjson
 * on the registry client's multi handle: a timer starts each batch, so
 * client requests never wait for it.  A 2xx moves the cursor, the last
 * seq delivered, kept in STATE/cursor (a temporary file, fsync, rename;
 * STATE: the state directory of passport_report_log, the workers' own);
 * anything else is tried again, the pause doubling from the interval up
 * to 5 minutes.  Delivery is at least once: the regulator de-duplicates
 * by node and seq.
 *
 * The file work (reading the log, saving the cursor) runs in the report
 * log's thread pool when it has one, in the worker otherwise.
 */


#define NGX_HTTP_PASSPORT_PUSH_CHUNK    NGX_HTTP_PASSPORT_REPORT_LINE_MAX
#define NGX_HTTP_PASSPORT_PUSH_BACKOFF  (5 * 60 * 1000)
#define NGX_HTTP_PASSPORT_PUSH_TIMEOUT  30000


typedef struct ngx_http_passport_report_pusher_s
    ngx_http_passport_report_pusher_t;


struct ngx_http_passport_report_push_s {
    ngx_http_passport_endpoint_t  endpoint;
    ngx_msec_t                  interval;
    ngx_uint_t                  batch;

    /* in worker 0's copy of the configuration: its state */
    ngx_http_passport_report_pusher_t  *pusher;
};


struct ngx_http_passport_report_pusher_s {
    ngx_http_passport_report_push_t  *conf;
    ngx_str_t                   path;           /* the log */
    u_char                     *legacy;         /* PATH.cursor, before 0.4 */
    ngx_log_t                  *log;

    unsigned long long          cursor;         /* last seq delivered */
    unsigned long long          warned;         /* gap already logged */
    dev_t                       dev;            /* the file read */
    ino_t                       ino;
    off_t                       off;            /* after the cursor's line */

    ngx_event_t                 timer;
    ngx_msec_t                  backoff;        /* 0: the last one went */
    ngx_uint_t                  failures;       /* since the last success */

    /* reading the next batch */
    ngx_http_passport_report_io_t    io;
    ngx_http_passport_report_read_t  rd;
    off_t                       size;           /* of the file, when opened */
    u_char                     *body;
    u_char                     *tail;           /* the end of body so far */

    /* saving the cursor */
    ngx_http_passport_report_io_t    save_io;
    ngx_http_passport_report_save_t  save;
    unsigned long long          saving;         /* the seq in save.data */
    unsigned                    resave:1;       /* once that one is over */

    /* the batch in flight */
    ngx_http_passport_exchange_t  ex;
    ngx_pool_t                 *pool;
    unsigned long long          last;           /* its last seq */
    off_t                       end;            /* after its last line */
    ngx_uint_t                  count;
    ngx_uint_t                  more;           /* records left behind */

    /* a line longer than a chunk, passed over up to its end */
    off_t                       long_line;      /* its offset */
    unsigned                    skipping:1;
};


static void ngx_http_passport_report_push_io(
    ngx_http_passport_report_pusher_t *ps, ngx_http_passport_report_io_t *io,
    ngx_http_passport_report_work_pt work, void *data,
    ngx_http_passport_report_log_t *rl, ngx_cycle_t *cycle);
static ngx_int_t ngx_http_passport_report_push_endpoint(ngx_conf_t *cf,
    ngx_http_passport_report_push_t *ph, ngx_str_t *arg);
static void ngx_http_passport_report_push_tick(ngx_event_t *ev);
static ngx_msec_t ngx_http_passport_report_push_backoff(
    ngx_http_passport_report_pusher_t *ps);
static void ngx_http_passport_report_push_read(
    ngx_http_passport_report_pusher_t *ps);
static void ngx_http_passport_report_push_resume(ngx_event_t *ev);
static ngx_int_t ngx_http_passport_report_push_opened(
    ngx_http_passport_report_pusher_t *ps);
static ngx_int_t ngx_http_passport_report_push_chunk(
    ngx_http_passport_report_pusher_t *ps);
static size_t ngx_http_passport_report_push_skip(
    ngx_http_passport_report_pusher_t *ps);
static size_t ngx_http_passport_report_push_lines(
    ngx_http_passport_report_pusher_t *ps);
static void ngx_http_passport_report_push_bad(
    ngx_http_passport_report_pusher_t *ps, int rc, off_t off, u_char *line,
    size_t len);
static void ngx_http_passport_report_push_batch(
    ngx_http_passport_report_pusher_t *ps, ngx_int_t rc);
static void ngx_http_passport_report_push_close(void *data);
static ngx_int_t ngx_http_passport_report_push_send(
    ngx_http_passport_report_pusher_t *ps, u_char *body, size_t len);
static void ngx_http_passport_report_push_done(void *data, CURLcode code,
    const char *cause);
static void ngx_http_passport_report_push_end(
    ngx_http_passport_report_pusher_t *ps);
static void ngx_http_passport_report_push_cursor_load(
    ngx_http_passport_report_pusher_t *ps);
static void ngx_http_passport_report_push_cursor_save(
    ngx_http_passport_report_pusher_t *ps, ngx_uint_t here);
static void ngx_http_passport_report_push_cursor_resume(ngx_event_t *ev);
static void ngx_http_passport_report_push_cursor_saved(
    ngx_http_passport_report_pusher_t *ps);


char *
ngx_http_passport_report_push(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_passport_main_conf_t *pmcf = conf;

    char                             *rv;
    ngx_int_t                         n, rc;
    ngx_str_t                        *value, s;
    ngx_uint_t                        i;
    ngx_http_passport_report_push_t  *ph;

    if (pmcf->push) {
        return "is duplicate";
    }

    value = cf->args->elts;

    ph = ngx_pcalloc(cf->pool, sizeof(ngx_http_passport_report_push_t));
    if (ph == NULL) {
        return NGX_CONF_ERROR;
    }

    /* the regulator's URL is logged: the credentials go in the token file */

    ph->endpoint.url = value[1];

    rv = ngx_http_passport_endpoint_url(cf, &ph->endpoint.url, 0, "push",
                                        "token_file=");
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    ph->endpoint.verify = 1;
    ph->endpoint.timeout = NGX_HTTP_PASSPORT_PUSH_TIMEOUT;
    ph->interval = 10000;
    ph->batch = 500;

    for (i = 2; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "interval=", 9) == 0) {
            s.data = value[i].data + 9;
            s.len = value[i].len - 9;

            ph->interval = ngx_parse_time(&s, 0);
            if (ph->interval == (ngx_msec_t) NGX_ERROR
                || ph->interval == 0)
            {
                goto invalid;
            }

            continue;
        }

        if (ngx_strncmp(value[i].data, "batch=", 6) == 0) {
            n = ngx_atoi(value[i].data + 6, value[i].len - 6);
            if (n < 1 || n > 100000) {
                goto invalid;
            }

            ph->batch = (ngx_uint_t) n;
            continue;
        }

        rc = ngx_http_passport_report_push_endpoint(cf, ph, &value[i]);

        if (rc == NGX_DECLINED) {
            goto invalid;
        }

        if (rc != NGX_OK) {
            return NGX_CONF_ERROR;
        }
    }

    ngx_http_passport_endpoint_clear_token(cf, &ph->endpoint,
                                           "passport_report_push");

    if (ngx_http_passport_endpoint_cert(cf, &ph->endpoint,
                                        "passport_report_push certificate=",
                                        "passport_report_push "
                                        "certificate_key=")
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    pmcf->push = ph;

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid parameter \"%V\" in \"%V\": interval=, "
                       "batch=, token_file=, trusted_certificate=, "
                       "certificate= and certificate_key= are known, each "
                       "once", &value[i], &value[0]);
    return NGX_CONF_ERROR;
}


/*
 * token_file=, trusted_certificate=, certificate= and certificate_key=;
 * NGX_DECLINED: none of them
 */

static ngx_int_t
ngx_http_passport_report_push_endpoint(ngx_conf_t *cf,
    ngx_http_passport_report_push_t *ph, ngx_str_t *arg)
{
    char       *rv;
    ngx_str_t   s;

    if (ngx_strncmp(arg->data, "token_file=", 11) == 0
        && arg->len > 11 && ph->endpoint.token.data == NULL)
    {
        s.data = arg->data + 11;
        s.len = arg->len - 11;

        rv = ngx_http_passport_token_read(cf, &s, &ph->endpoint.token);

        return (rv == NGX_CONF_OK) ? NGX_OK : NGX_ERROR;
    }

    if (ngx_strncmp(arg->data, "trusted_certificate=", 20) == 0
        && arg->len > 20 && ph->endpoint.ca.data == NULL)
    {
        s.data = arg->data + 20;
        s.len = arg->len - 20;

        rv = ngx_http_passport_endpoint_ca(cf, &s, &ph->endpoint.ca);

        return (rv == NGX_CONF_OK) ? NGX_OK : NGX_ERROR;
    }

    if (ngx_strncmp(arg->data, "certificate=", 12) == 0
        && arg->len > 12 && ph->endpoint.cert.data == NULL)
    {
        s.data = arg->data + 12;
        s.len = arg->len - 12;

        rv = ngx_http_passport_endpoint_file(cf, &s, &ph->endpoint.cert);

        return (rv == NGX_CONF_OK) ? NGX_OK : NGX_ERROR;
    }

    if (ngx_strncmp(arg->data, "certificate_key=", 16) == 0
        && arg->len > 16 && ph->endpoint.cert_key.data == NULL)
    {
        s.data = arg->data + 16;
        s.len = arg->len - 16;

        rv = ngx_http_passport_endpoint_file(cf, &s, &ph->endpoint.cert_key);

        return (rv == NGX_CONF_OK) ? NGX_OK : NGX_ERROR;
    }

    return NGX_DECLINED;
}


ngx_int_t
ngx_http_passport_report_push_init_process(ngx_cycle_t *cycle,
    ngx_http_passport_main_conf_t *pmcf)
{
    ngx_str_t                          *path, *state;
    ngx_http_passport_report_pusher_t  *ps;

    if (pmcf == NULL || pmcf->push == NULL || pmcf->reports == NULL) {
        return NGX_OK;
    }

    /* exactly one worker pushes */

    if (!(ngx_process == NGX_PROCESS_SINGLE
          || (ngx_process == NGX_PROCESS_WORKER && ngx_worker == 0)))
    {
        return NGX_OK;
    }

    ps = ngx_pcalloc(cycle->pool, sizeof(ngx_http_passport_report_pusher_t));
    if (ps == NULL) {
        return NGX_ERROR;
    }

    path = ngx_http_passport_report_log_path(pmcf->reports);

    ps->conf = pmcf->push;
    ps->path = *path;
    ps->log = cycle->log;

    /* the cursor is in the state directory, never beside the log */

    state = ngx_http_passport_report_log_state_dir(pmcf->reports);

    ps->save.path = ngx_pnalloc(cycle->pool, state->len + sizeof("/cursor"));
    ps->save.tmp = ngx_pnalloc(cycle->pool,
                               state->len + sizeof("/cursor.tmp"));
    ps->legacy = ngx_pnalloc(cycle->pool, path->len + sizeof(".cursor"));
    if (ps->save.path == NULL || ps->save.tmp == NULL || ps->legacy == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(ps->save.path, "%V/cursor%Z", state);
    ngx_sprintf(ps->save.tmp, "%V/cursor.tmp%Z", state);
    ngx_sprintf(ps->legacy, "%V.cursor%Z", path);

    ps->rd.path = ps->path.data;
    ps->rd.fd = NGX_INVALID_FILE;

    ngx_http_passport_report_push_io(ps, &ps->io,
                                     ngx_http_passport_report_io_read,
                                     &ps->rd, pmcf->reports, cycle);
    ps->io.resume = ngx_http_passport_report_push_resume;

    ngx_http_passport_report_push_io(ps, &ps->save_io,
                                     ngx_http_passport_report_io_save,
                                     &ps->save, pmcf->reports, cycle);
    ps->save_io.resume = ngx_http_passport_report_push_cursor_resume;

    ngx_http_passport_report_push_cursor_load(ps);
    ngx_http_passport_metrics_push_cursor(ps->cursor, 0);

    ps->timer.handler = ngx_http_passport_report_push_tick;
    ps->timer.data = ps;
    ps->timer.log = cycle->log;
    ps->timer.cancelable = 1;

    pmcf->push->pusher = ps;

    /* what was left undelivered goes first */
    ngx_add_timer(&ps->timer, 1);

    return NGX_OK;
}


static void
ngx_http_passport_report_push_io(ngx_http_passport_report_pusher_t *ps,
    ngx_http_passport_report_io_t *io, ngx_http_passport_report_work_pt work,
    void *data, ngx_http_passport_report_log_t *rl, ngx_cycle_t *cycle)
{
    io->work = work;
    io->data = data;
    io->resume_data = ps;
    io->pool = cycle->pool;
    io->log = cycle->log;

    ngx_http_passport_report_log_threads(rl, io);
}


/*
 * nginx stops its thread pools before this (their module comes first):
 * no file work of the push is running any more.
 */

void
ngx_http_passport_report_push_exit_process(ngx_cycle_t *cycle,
    ngx_http_passport_main_conf_t *pmcf)
{
    ngx_http_passport_report_pusher_t  *ps;

    if (pmcf == NULL || pmcf->push == NULL || pmcf->push->pusher == NULL) {
        return;
    }

    ps = pmcf->push->pusher;

    /* a batch in flight is sent again by the next worker 0 */

    ngx_http_passport_report_push_end(ps);

    if (ps->timer.timer_set) {
        ngx_del_timer(&ps->timer);
    }

    /* a cursor a thread was to save, or was saving: saved here */

    if (ps->resave || ngx_http_passport_report_io_busy(&ps->save_io)) {
        ngx_http_passport_report_push_cursor_save(ps, 1);
    }

    pmcf->push->pusher = NULL;
}


static void
ngx_http_passport_report_push_tick(ngx_event_t *ev)
{
    ngx_http_passport_report_pusher_t *ps = ev->data;

    if (ps->pool || ngx_exiting || ngx_quit || ngx_terminate) {
        /* a batch is being read or sent */
        return;
    }

    ps->pool = ngx_create_pool(4096, ps->log);
    if (ps->pool == NULL) {
        ngx_add_timer(&ps->timer, ngx_http_passport_report_push_backoff(ps));
        return;
    }

    ps->rd.fd = NGX_INVALID_FILE;
    ps->rd.buf = NULL;
    ps->rd.size = 0;
    ps->body = NULL;
    ps->tail = NULL;
    ps->skipping = 0;

    ngx_http_passport_report_push_read(ps);
}


/* after a failure: the interval, then twice the last pause, to 5 min */

static ngx_msec_t
ngx_http_passport_report_push_backoff(ngx_http_passport_report_pusher_t *ps)
{
    ngx_msec_t  max;

    max = ngx_max(ps->conf->interval, NGX_HTTP_PASSPORT_PUSH_BACKOFF);

    ps->backoff = ps->backoff ? ngx_min(ps->backoff * 2, max)
                              : ps->conf->interval;

    return ps->backoff;
}


/*
 * The next batch from the current log file: the whole lines after the
 * cursor, verified (a line cut by a crash is not a record), copied as
 * they are.  The file is opened, then read a chunk at a time until the
 * batch is there, each step in a thread when the log has a pool.
 */

static void
ngx_http_passport_report_push_read(ngx_http_passport_report_pusher_t *ps)
{
    ngx_int_t  rc;

    do {
        if (ngx_http_passport_report_io(&ps->io) == NGX_AGAIN) {
            /* ngx_http_passport_report_push_resume() goes on */
            return;
        }

        rc = (ps->rd.buf == NULL) ? ngx_http_passport_report_push_opened(ps)
                                  : ngx_http_passport_report_push_chunk(ps);

    } while (rc == NGX_AGAIN);

    ngx_http_passport_report_push_batch(ps, rc);
}


static void
ngx_http_passport_report_push_resume(ngx_event_t *ev)
{
    ngx_http_passport_report_pusher_t *ps = ev->data;

    ngx_int_t  rc;

    rc = (ps->rd.buf == NULL) ? ngx_http_passport_report_push_opened(ps)
                              : ngx_http_passport_report_push_chunk(ps);

    if (rc == NGX_AGAIN) {
        ngx_http_passport_report_push_read(ps);
        return;
    }

    ngx_http_passport_report_push_batch(ps, rc);
}


/* the log is open: NGX_AGAIN to read from the cursor on, NGX_DONE: no */

static ngx_int_t
ngx_http_passport_report_push_opened(ngx_http_passport_report_pusher_t *ps)
{
    off_t                             size;
    size_t                            want;
    ngx_pool_cleanup_t               *cln;
    ngx_http_passport_report_read_t  *rd;

    rd = &ps->rd;

    if (rd->fd != NGX_INVALID_FILE) {
        cln = ngx_pool_cleanup_add(ps->pool, 0);
        if (cln == NULL) {
            ngx_http_passport_report_push_close(rd);
            return NGX_ERROR;
        }

        cln->handler = ngx_http_passport_report_push_close;
        cln->data = rd;
    }

    if (rd->failed) {
        if (rd->fd == NGX_INVALID_FILE && rd->err == NGX_ENOENT) {
            /* moved by a rotation, the next record makes it again */
            ngx_log_error(NGX_LOG_INFO, ps->log, rd->err,
                          "passport: report push: no \"%V\" yet",
                          &ps->path);

        } else if (rd->fd == NGX_INVALID_FILE) {
            ngx_log_error(NGX_LOG_ERR, ps->log, rd->err,
                          "passport: report push cannot read \"%V\"",
                          &ps->path);

        } else {
            ngx_log_error(NGX_LOG_ERR, ps->log, rd->err,
                          "%s \"%V\" failed", rd->failed, &ps->path);
        }

        return NGX_ERROR;
    }

    size = ngx_file_size(&rd->info);

    if (rd->info.st_dev != ps->dev || rd->info.st_ino != ps->ino
        || size < ps->off)
    {
        /* another file (reopened) or a new one: from its start */
        ps->dev = rd->info.st_dev;
        ps->ino = rd->info.st_ino;
        ps->off = 0;
    }

    ps->size = size;
    ps->count = 0;
    ps->more = 0;

    if (ps->off >= size) {
        return NGX_DONE;
    }

    want = (size_t) ngx_min(size - ps->off, NGX_HTTP_PASSPORT_PUSH_CHUNK);

    rd->buf = ngx_pnalloc(ps->pool, want);
    ps->body = ngx_pnalloc(ps->pool, want);
    if (rd->buf == NULL || ps->body == NULL) {
        return NGX_ERROR;
    }

    ps->tail = ps->body;
    rd->size = want;
    rd->offset = ps->off;

    return NGX_AGAIN;
}


/*
 * The chunk read at rd->offset.  NGX_OK: a batch is there; NGX_AGAIN:
 * read on; NGX_DONE: nothing new.
 */

static ngx_int_t
ngx_http_passport_report_push_chunk(ngx_http_passport_report_pusher_t *ps)
{
    size_t                            used;
    ngx_http_passport_report_read_t  *rd;

    rd = &ps->rd;

    if (rd->n <= 0) {
        if (rd->n == -1) {
            ngx_log_error(NGX_LOG_ERR, ps->log, rd->err,
                          "passport: report push cannot read \"%V\"",
                          &ps->path);
        }

        return NGX_DONE;
    }

    if (ps->skipping) {
        used = ngx_http_passport_report_push_skip(ps);

    } else {
        used = ngx_http_passport_report_push_lines(ps);

        if (ps->count) {
            ps->more = (ps->end < ps->size);
            return NGX_OK;
        }

        if (used == 0) {
            /* no whole line: one still being written, or a huge one */

            if (rd->size < NGX_HTTP_PASSPORT_PUSH_CHUNK) {
                return NGX_DONE;
            }

            ps->skipping = 1;
            ps->long_line = rd->offset;
            used = (size_t) rd->n;
        }
    }

    rd->offset += used;

    if (rd->offset >= ps->size) {
        return NGX_DONE;
    }

    rd->size = (size_t) ngx_min(ps->size - rd->offset,
                                NGX_HTTP_PASSPORT_PUSH_CHUNK);

    return NGX_AGAIN;
}


/*
 * A line longer than a chunk is no record of ours (records are capped at
 * 64 KiB): it is passed over, up to its "\n", and delivery goes on after
 * it.  Returns the bytes of the chunk passed over.
 */

static size_t
ngx_http_passport_report_push_skip(ngx_http_passport_report_pusher_t *ps)
{
    u_char                           *nl;
    ngx_http_passport_report_read_t  *rd;

    rd = &ps->rd;

    nl = ngx_strlchr(rd->buf, rd->buf + rd->n, '\n');

    if (nl == NULL) {
        if (rd->offset + rd->n >= ps->size) {
            /* not ended yet: looked at again next time */
            ps->skipping = 0;
        }

        return (size_t) rd->n;
    }

    ps->skipping = 0;
    ps->off = rd->offset + (nl + 1 - rd->buf);

    ngx_log_error(NGX_LOG_ERR, ps->log, 0,
                  "passport: report push: the line of \"%V\" at offset %O "
                  "is %O bytes long, more than %uz: it is not a record and "
                  "is not pushed; check the log with passport-verify",
                  &ps->path, ps->long_line, ps->off - ps->long_line,
                  (size_t) NGX_HTTP_PASSPORT_PUSH_CHUNK);

    return nl + 1 - rd->buf;
}


/*
 * The whole lines of the chunk: the records after the cursor go into the
 * batch, up to "batch" of them.  Returns the bytes of the lines looked at.
 */

static size_t
ngx_http_passport_report_push_lines(ngx_http_passport_report_pusher_t *ps)
{
    int                               rc;
    off_t                             off;
    u_char                           *buf, *p, *nl, *last;
    ngx_http_passport_report_line_t   line;

    buf = ps->rd.buf;
    off = ps->rd.offset;
    p = buf;
    last = buf + ps->rd.n;

    while (p < last && (nl = ngx_strlchr(p, last, '\n')) != NULL) {

        rc = ngx_http_passport_report_verify_line(p, nl - p, NULL, NULL,
                                                  &line, NULL, 0);

        if (rc == NGX_HTTP_PASSPORT_REPORT_OK && line.seq > ps->cursor) {

            if (ps->count == 0 && line.seq != ps->cursor + 1
                && line.seq != ps->warned)
            {
                ps->warned = line.seq;
                ngx_log_error(NGX_LOG_WARN, ps->log, 0,
                              "passport: records %uL to %uL are not "
                              "in \"%V\" (rotated away?) and are not "
                              "pushed", ps->cursor + 1, line.seq - 1,
                              &ps->path);
            }

            ngx_http_passport_metrics_push_seen(line.seq);
            ps->tail = ngx_cpymem(ps->tail, p, nl + 1 - p);
            ps->last = line.seq;
            ps->count++;
            ps->end = off + (nl + 1 - buf);

        } else if (ps->count == 0) {
            /* delivered already, or not a record */
            ps->off = off + (nl + 1 - buf);

            if (rc != NGX_HTTP_PASSPORT_REPORT_OK) {
                ngx_http_passport_report_push_bad(ps, rc, off + (p - buf),
                                                  p, nl - p);
            }
        }

        p = nl + 1;

        if (ps->count == ps->conf->batch) {
            break;
        }
    }

    return p - buf;
}


/*
 * A line that is not a record is passed over (once: the cursor's offset
 * moves past it) and said at error, but for what a crash left, which a
 * recovery record follows.
 */

static void
ngx_http_passport_report_push_bad(ngx_http_passport_report_pusher_t *ps,
    int rc, off_t off, u_char *line, size_t len)
{
    if (rc == NGX_HTTP_PASSPORT_REPORT_SYNTAX
        && ngx_http_passport_report_is_cut(line, len))
    {
        return;
    }

    ngx_log_error(NGX_LOG_ERR, ps->log, 0,
                  "passport: report push: the line of \"%V\" at offset %O "
                  "is not a record (%s) and is not pushed; check the log "
                  "with passport-verify", &ps->path, off,
                  ngx_http_passport_report_result_name(rc));
}


/* the reading is over: the batch goes, or the timer waits */

static void
ngx_http_passport_report_push_batch(ngx_http_passport_report_pusher_t *ps,
    ngx_int_t rc)
{
    ngx_http_passport_report_push_close(&ps->rd);

    if (ngx_exiting || ngx_quit || ngx_terminate) {
        /* read while the worker was told to exit: the next one sends */
        ngx_http_passport_report_push_end(ps);
        return;
    }

    if (rc == NGX_OK) {
        rc = ngx_http_passport_report_push_send(ps, ps->body,
                                                ps->tail - ps->body);

        if (rc == NGX_OK) {
            return;
        }

        ngx_log_error(NGX_LOG_ERR, ps->log, 0,
                      "passport: report push to \"%V\" could not be "
                      "started", &ps->conf->endpoint.url);
    }

    ngx_http_passport_report_push_end(ps);

    if (rc == NGX_DONE) {
        /* nothing new */
        ngx_add_timer(&ps->timer, ps->conf->interval);
        return;
    }

    ngx_add_timer(&ps->timer, ngx_http_passport_report_push_backoff(ps));
}


static void
ngx_http_passport_report_push_close(void *data)
{
    ngx_http_passport_report_read_t  *rd = data;

    if (rd->fd != NGX_INVALID_FILE) {
        (void) ngx_close_file(rd->fd);
        rd->fd = NGX_INVALID_FILE;
    }
}


static ngx_int_t
ngx_http_passport_report_push_send(ngx_http_passport_report_pusher_t *ps,
    u_char *body, size_t len)
{
    CURL                             *easy;
    ngx_http_passport_report_push_t  *ph;

    static const char  *headers[] = {
        "Content-Type: application/x-ndjson",
        "Expect:",                      /* no "100 Continue" round trip */
        NULL
    };

    ph = ps->conf;

    if (ngx_http_passport_endpoint_easy(&ph->endpoint, &ps->ex, ps->pool,
                                        ph->endpoint.url.data, headers)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    easy = ps->ex.easy;

    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, (char *) body);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) len);

    /* the push does not hold an exiting worker: the cursor says it all */

    return ngx_http_passport_endpoint_start(&ps->ex,
                                            ngx_http_passport_report_push_done,
                                            ps, 0);
}


static void
ngx_http_passport_report_push_done(void *data, CURLcode code,
    const char *cause)
{
    ngx_http_passport_report_pusher_t *ps = data;

    long  status;

    status = ngx_http_passport_endpoint_status(&ps->ex);

    if (code == CURLE_OK && status >= 200 && status < 300) {

        ps->cursor = ps->last;
        ps->off = ps->end;
        ps->backoff = 0;

        ngx_http_passport_metrics_push_cursor(ps->cursor, ps->count);

        if (ps->failures) {
            ngx_log_error(NGX_LOG_NOTICE, ps->log, 0,
                          "passport: report push to \"%V\" delivered again "
                          "after %ui failures", &ps->conf->endpoint.url,
                          ps->failures);
            ps->failures = 0;
        }

        ngx_http_passport_report_push_cursor_save(ps, 0);

        ngx_log_debug3(NGX_LOG_DEBUG_HTTP, ps->log, 0,
                       "passport push: %ui records delivered, up to seq %uL"
                       "%s", ps->count, ps->cursor, ps->more ? ", more" : "");

        ngx_add_timer(&ps->timer, ps->more ? 1 : ps->conf->interval);

        ngx_http_passport_report_push_end(ps);
        return;
    }

    (void) ngx_http_passport_report_push_backoff(ps);

    ps->failures++;
    ngx_http_passport_metrics_push_failed();

    if (code != CURLE_OK) {
        ngx_log_error(NGX_LOG_ERR, ps->log, 0,
                      "passport: report push to \"%V\" failed: %s; "
                      "retrying in %M ms", &ps->conf->endpoint.url,
                      cause ? cause
                            : ngx_http_passport_endpoint_cause(&ps->ex, code),
                      ps->backoff);

    } else {
        ngx_log_error(NGX_LOG_ERR, ps->log, 0,
                      "passport: report push to \"%V\" failed: status %l; "
                      "retrying in %M ms", &ps->conf->endpoint.url, status,
                      ps->backoff);
    }

    ngx_add_timer(&ps->timer, ps->backoff);

    ngx_http_passport_report_push_end(ps);
}


/* the batch is over, or is abandoned: everything it held is freed */

static void
ngx_http_passport_report_push_end(ngx_http_passport_report_pusher_t *ps)
{
    ngx_http_passport_endpoint_close(&ps->ex);

    if (ps->pool) {
        ngx_destroy_pool(ps->pool);
        ps->pool = NULL;
    }
}


static void
ngx_http_passport_report_push_cursor_load(
    ngx_http_passport_report_pusher_t *ps)
{
    u_char              buf[32], *p, *path;
    ssize_t             n;
    ngx_fd_t            fd;
    unsigned long long  seq;

    ps->cursor = 0;
    path = ps->save.path;

    fd = ngx_open_file(path, NGX_FILE_RDONLY|NGX_FILE_NOFOLLOW,
                       NGX_FILE_OPEN, 0);

    if (fd == NGX_INVALID_FILE && ngx_errno == NGX_ENOENT) {
        /* the cursor of an older version, beside the log: read once */

        path = ps->legacy;
        fd = ngx_open_file(path, NGX_FILE_RDONLY|NGX_FILE_NOFOLLOW,
                           NGX_FILE_OPEN, 0);
    }

    if (fd == NGX_INVALID_FILE) {
        if (ngx_errno != NGX_ENOENT) {
            ngx_log_error(NGX_LOG_ERR, ps->log, ngx_errno,
                          "passport: cannot read the push cursor \"%s\", "
                          "pushing the whole log", path);
        }

        return;
    }

    n = ngx_read_fd(fd, buf, sizeof(buf) - 1);
    ngx_close_file(fd);

    seq = 0;

    for (p = buf; n > 0 && p < buf + n && *p >= '0' && *p <= '9'; p++) {
        seq = seq * 10 + (*p - '0');
    }

    if (n <= 0 || p == buf || p == buf + n || *p != '\n'
        || p - buf > 18)
    {
        ngx_log_error(NGX_LOG_ERR, ps->log, 0,
                      "passport: the push cursor \"%s\" is not valid, "
                      "pushing the whole log", path);
        return;
    }

    ps->cursor = seq;
}


/*
 * "SEQ\n" into STATE/cursor.tmp, fsync, rename to STATE/cursor, in a thread
 * when the log has a pool; one save at a time, the last cursor saved.
 * here: in the worker, now.
 */

static void
ngx_http_passport_report_push_cursor_save(
    ngx_http_passport_report_pusher_t *ps, ngx_uint_t here)
{
    if (!here && ngx_http_passport_report_io_busy(&ps->save_io)) {
        ps->resave = 1;
        return;
    }

    ps->resave = 0;
    ps->saving = ps->cursor;
    ps->save.len = ngx_sprintf(ps->save.data, "%uL\n", ps->cursor)
                   - ps->save.data;

    if (here) {
        ngx_http_passport_report_io_save(&ps->save);

    } else if (ngx_http_passport_report_io(&ps->save_io) == NGX_AGAIN) {
        return;
    }

    ngx_http_passport_report_push_cursor_saved(ps);
}


static void
ngx_http_passport_report_push_cursor_resume(ngx_event_t *ev)
{
    ngx_http_passport_report_pusher_t *ps = ev->data;

    ngx_http_passport_report_push_cursor_saved(ps);

    if (ps->resave) {
        ngx_http_passport_report_push_cursor_save(ps, 0);
    }
}


static void
ngx_http_passport_report_push_cursor_saved(
    ngx_http_passport_report_pusher_t *ps)
{
    if (ps->save.failed) {
        ngx_log_error(NGX_LOG_ERR, ps->log, ps->save.err,
                      "passport: the push cursor \"%s\" could not be "
                      "saved; records up to seq %uL may be pushed again",
                      ps->save.path, ps->saving);
    }
}
