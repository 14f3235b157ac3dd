
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport_report.h"
#include "passport_report.h"


/*
 * Delivery of the report log to the regulator (passport_report_push).
 * Worker 0 alone reads the records after the cursor from the current log
 * file and POSTs them, at most "batch" at a time, as application/x-ndjson
 * on the registry client's multi handle: a timer starts each batch, so
 * client requests never wait for it.  A 2xx moves the cursor, the last
 * seq delivered, kept in PATH.cursor (a temporary file, fsync, rename);
 * anything else is tried again, the pause doubling from the interval up
 * to 5 minutes.  Delivery is at least once: the regulator de-duplicates
 * by node and seq.
 */


#define NGX_HTTP_PASSPORT_PUSH_CHUNK    (1024 * 1024)
#define NGX_HTTP_PASSPORT_PUSH_BACKOFF  (5 * 60 * 1000)
#define NGX_HTTP_PASSPORT_PUSH_TIMEOUT  30000


typedef struct ngx_http_passport_report_pusher_s
    ngx_http_passport_report_pusher_t;


struct ngx_http_passport_report_push_s {
    ngx_str_t                   url;            /* NUL-terminated */
    ngx_msec_t                  interval;
    ngx_uint_t                  batch;
    ngx_str_t                   token;

    /* in worker 0's copy of the configuration: its state */
    ngx_http_passport_report_pusher_t  *pusher;
};


struct ngx_http_passport_report_pusher_s {
    ngx_http_passport_report_push_t  *conf;
    ngx_str_t                   path;           /* the log */
    u_char                     *cursor_path;    /* PATH.cursor */
    u_char                     *tmp_path;       /* PATH.cursor.tmp */
    ngx_log_t                  *log;

    unsigned long long          cursor;         /* last seq delivered */
    unsigned long long          warned;         /* gap already logged */
    dev_t                       dev;            /* the file read */
    ino_t                       ino;
    off_t                       off;            /* after the cursor's line */

    ngx_event_t                 timer;
    ngx_msec_t                  backoff;        /* 0: the last one went */

    /* the batch in flight */
    CURL                       *easy;
    ngx_http_passport_transfer_t  transfer;
    struct curl_slist          *headers;
    ngx_pool_t                 *pool;
    unsigned long long          last;           /* its last seq */
    off_t                       end;            /* after its last line */
    ngx_uint_t                  count;
    ngx_uint_t                  more;           /* records left behind */
    char                        error[CURL_ERROR_SIZE];
};


static void ngx_http_passport_report_push_tick(ngx_event_t *ev);
static ngx_msec_t ngx_http_passport_report_push_backoff(
    ngx_http_passport_report_pusher_t *ps);
static ngx_int_t ngx_http_passport_report_push_read(
    ngx_http_passport_report_pusher_t *ps, u_char **body, size_t *len);
static ngx_int_t ngx_http_passport_report_push_send(
    ngx_http_passport_report_pusher_t *ps, u_char *body, size_t len);
static void ngx_http_passport_report_push_done(void *data, CURLcode code,
    const char *cause);
static void ngx_http_passport_report_push_end(
    ngx_http_passport_report_pusher_t *ps);
static void ngx_http_passport_report_push_cursor_load(
    ngx_http_passport_report_pusher_t *ps);
static ngx_int_t ngx_http_passport_report_push_cursor_save(
    ngx_http_passport_report_pusher_t *ps);
static size_t ngx_http_passport_report_push_discard(char *ptr, size_t size,
    size_t nmemb, void *userdata);


char *
ngx_http_passport_report_push(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_passport_main_conf_t *pmcf = conf;

    char                             *rv;
    ngx_int_t                         n;
    ngx_str_t                        *value, s;
    ngx_uint_t                        i;
    ngx_http_passport_report_push_t  *ph;

    if (pmcf->push) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (!((value[1].len > 7
           && ngx_strncasecmp(value[1].data, (u_char *) "http://", 7) == 0)
          || (value[1].len > 8
              && ngx_strncasecmp(value[1].data, (u_char *) "https://", 8)
                 == 0)))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid push URL \"%V\": an http:// or "
                           "https:// URL is expected", &value[1]);
        return NGX_CONF_ERROR;
    }

    for (i = 0; i < value[1].len; i++) {
        if (value[1].data[i] <= ' ' || value[1].data[i] >= 0x7f
            || value[1].data[i] == '@')
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid push URL \"%V\": no spaces and no "
                               "credentials (token_file=)", &value[1]);
            return NGX_CONF_ERROR;
        }
    }

    ph = ngx_pcalloc(cf->pool, sizeof(ngx_http_passport_report_push_t));
    if (ph == NULL) {
        return NGX_CONF_ERROR;
    }

    /* value[1] is NUL-terminated by the configuration parser */
    ph->url = value[1];
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

        if (ngx_strncmp(value[i].data, "token_file=", 11) == 0
            && value[i].len > 11 && ph->token.data == NULL)
        {
            s.data = value[i].data + 11;
            s.len = value[i].len - 11;

            rv = ngx_http_passport_token_read(cf, &s, &ph->token);
            if (rv != NGX_CONF_OK) {
                return rv;
            }

            continue;
        }

        goto invalid;
    }

    pmcf->push = ph;

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid parameter \"%V\"", &value[i]);
    return NGX_CONF_ERROR;
}


ngx_int_t
ngx_http_passport_report_push_init_process(ngx_cycle_t *cycle,
    ngx_http_passport_main_conf_t *pmcf)
{
    ngx_str_t                          *path;
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

    ps->cursor_path = ngx_pnalloc(cycle->pool,
                                  path->len + sizeof(".cursor"));
    ps->tmp_path = ngx_pnalloc(cycle->pool,
                               path->len + sizeof(".cursor.tmp"));
    if (ps->cursor_path == NULL || ps->tmp_path == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(ps->cursor_path, "%V.cursor%Z", path);
    ngx_sprintf(ps->tmp_path, "%V.cursor.tmp%Z", path);

    ngx_http_passport_report_push_cursor_load(ps);

    ps->timer.handler = ngx_http_passport_report_push_tick;
    ps->timer.data = ps;
    ps->timer.log = cycle->log;
    ps->timer.cancelable = 1;

    pmcf->push->pusher = ps;

    /* what was left undelivered goes first */
    ngx_add_timer(&ps->timer, 1);

    return NGX_OK;
}


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

    pmcf->push->pusher = NULL;
}


static void
ngx_http_passport_report_push_tick(ngx_event_t *ev)
{
    ngx_http_passport_report_pusher_t *ps = ev->data;

    u_char     *body;
    size_t      len;
    ngx_int_t   rc;

    if (ps->easy || ngx_exiting || ngx_quit || ngx_terminate) {
        return;
    }

    ps->pool = ngx_create_pool(4096, ps->log);
    if (ps->pool == NULL) {
        goto again;
    }

    rc = ngx_http_passport_report_push_read(ps, &body, &len);

    if (rc == NGX_OK) {
        rc = ngx_http_passport_report_push_send(ps, body, len);

        if (rc == NGX_OK) {
            return;
        }

        ngx_log_error(NGX_LOG_ERR, ps->log, 0,
                      "passport: report push to \"%V\" could not be "
                      "started", &ps->conf->url);
    }

    ngx_http_passport_report_push_end(ps);

    if (rc == NGX_DONE) {
        /* nothing new */
        ngx_add_timer(&ps->timer, ps->conf->interval);
        return;
    }

again:

    ngx_add_timer(&ps->timer, ngx_http_passport_report_push_backoff(ps));
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
 * they are.  NGX_DONE: nothing new.
 */

static ngx_int_t
ngx_http_passport_report_push_read(ngx_http_passport_report_pusher_t *ps,
    u_char **body, size_t *len)
{
    int                              rc;
    off_t                            size, off;
    u_char                          *buf, *p, *nl, *last, *b;
    size_t                           want;
    ssize_t                          n;
    ngx_fd_t                         fd;
    ngx_file_info_t                  fi;
    ngx_http_passport_report_line_t  line;

    fd = ngx_open_file(ps->path.data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);

    if (fd == NGX_INVALID_FILE) {
        ngx_log_error(NGX_LOG_ERR, ps->log, ngx_errno,
                      "passport: report push cannot read \"%V\"",
                      &ps->path);
        return NGX_ERROR;
    }

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_ERR, ps->log, ngx_errno,
                      ngx_fd_info_n " \"%V\" failed", &ps->path);
        ngx_close_file(fd);
        return NGX_ERROR;
    }

    size = ngx_file_size(&fi);

    if (fi.st_dev != ps->dev || fi.st_ino != ps->ino || size < ps->off) {
        /* another file (reopened) or a new one: from its start */
        ps->dev = fi.st_dev;
        ps->ino = fi.st_ino;
        ps->off = 0;
    }

    ps->count = 0;
    ps->more = 0;
    b = NULL;
    buf = NULL;
    off = ps->off;

    while (off < size) {

        want = (size_t) ngx_min(size - off, NGX_HTTP_PASSPORT_PUSH_CHUNK);

        if (buf == NULL) {
            buf = ngx_pnalloc(ps->pool, want);
            b = ngx_pnalloc(ps->pool, want);
            if (buf == NULL || b == NULL) {
                ngx_close_file(fd);
                return NGX_ERROR;
            }

            *body = b;
        }

        n = pread(fd, buf, want, off);

        if (n <= 0) {
            if (n == -1) {
                ngx_log_error(NGX_LOG_ERR, ps->log, ngx_errno,
                              "passport: report push cannot read \"%V\"",
                              &ps->path);
            }

            break;
        }

        p = buf;
        last = buf + n;

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

                b = ngx_cpymem(b, p, nl + 1 - p);
                ps->last = line.seq;
                ps->count++;
                ps->end = off + (nl + 1 - buf);

            } else if (ps->count == 0) {
                /* delivered already, or not a record */
                ps->off = off + (nl + 1 - buf);
            }

            p = nl + 1;

            if (ps->count == ps->conf->batch) {
                break;
            }
        }

        if (ps->count) {
            ps->more = (ps->end < size);
            break;
        }

        if (p == buf) {
            /* no whole line: one still being written, or a huge one */

            if (want == NGX_HTTP_PASSPORT_PUSH_CHUNK) {
                ngx_log_error(NGX_LOG_ERR, ps->log, 0,
                              "passport: report push: a line of \"%V\" "
                              "at offset %O is longer than %uz bytes",
                              &ps->path, off,
                              (size_t) NGX_HTTP_PASSPORT_PUSH_CHUNK);
            }

            break;
        }

        off += p - buf;
    }

    ngx_close_file(fd);

    if (ps->count == 0) {
        return NGX_DONE;
    }

    *len = b - *body;

    return NGX_OK;
}


static ngx_int_t
ngx_http_passport_report_push_send(ngx_http_passport_report_pusher_t *ps,
    u_char *body, size_t len)
{
    u_char             *auth;
    CURL               *easy;
    ngx_int_t           rc;
    struct curl_slist  *h;

    h = curl_slist_append(NULL, "Content-Type: application/x-ndjson");
    if (h == NULL) {
        return NGX_ERROR;
    }

    ps->headers = h;

    /* no "100 Continue" round trip */
    if (curl_slist_append(h, "Expect:") == NULL) {
        return NGX_ERROR;
    }

    if (ps->conf->token.len) {
        auth = ngx_pnalloc(ps->pool, sizeof("Authorization: Bearer ")
                                     + ps->conf->token.len);
        if (auth == NULL) {
            return NGX_ERROR;
        }

        *ngx_sprintf(auth, "Authorization: Bearer %V",
                     &ps->conf->token) = '\0';

        if (curl_slist_append(h, (char *) auth) == NULL) {
            return NGX_ERROR;
        }
    }

    easy = curl_easy_init();
    if (easy == NULL) {
        return NGX_ERROR;
    }

    ps->error[0] = '\0';

    curl_easy_setopt(easy, CURLOPT_URL, (char *) ps->conf->url.data);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, (char *) body);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) len);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "ngx_http_passport_module/"
                     NGX_HTTP_PASSPORT_VERSION " nginx/" NGINX_VERSION);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION,
                     ngx_http_passport_report_push_discard);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, ps->error);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS,
                     (long) NGX_HTTP_PASSPORT_PUSH_TIMEOUT);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                     (long) NGX_HTTP_PASSPORT_PUSH_TIMEOUT);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");

    /* the push does not hold an exiting worker: the cursor says it all */

    ps->transfer.done = ngx_http_passport_report_push_done;
    ps->transfer.data = ps;
    ps->transfer.keep = 0;

    rc = ngx_http_passport_curl_add(easy, &ps->transfer);
    if (rc != NGX_OK) {
        curl_easy_cleanup(easy);
        return NGX_ERROR;
    }

    ps->easy = easy;

    return NGX_OK;
}


static void
ngx_http_passport_report_push_done(void *data, CURLcode code,
    const char *cause)
{
    ngx_http_passport_report_pusher_t *ps = data;

    long  status;

    status = 0;
    curl_easy_getinfo(ps->easy, CURLINFO_RESPONSE_CODE, &status);

    if (code == CURLE_OK && status >= 200 && status < 300) {

        ps->cursor = ps->last;
        ps->off = ps->end;
        ps->backoff = 0;

        (void) ngx_http_passport_report_push_cursor_save(ps);

        ngx_log_debug3(NGX_LOG_DEBUG_HTTP, ps->log, 0,
                       "passport push: %ui records delivered, up to seq %uL"
                       "%s", ps->count, ps->cursor, ps->more ? ", more" : "");

        ngx_add_timer(&ps->timer, ps->more ? 1 : ps->conf->interval);

        ngx_http_passport_report_push_end(ps);
        return;
    }

    (void) ngx_http_passport_report_push_backoff(ps);

    if (code != CURLE_OK) {
        ngx_log_error(NGX_LOG_ERR, ps->log, 0,
                      "passport: report push to \"%V\" failed: %s; "
                      "retrying in %M ms", &ps->conf->url,
                      cause ? cause
                            : ps->error[0] ? ps->error
                                           : curl_easy_strerror(code),
                      ps->backoff);

    } else {
        ngx_log_error(NGX_LOG_ERR, ps->log, 0,
                      "passport: report push to \"%V\" failed: status %l; "
                      "retrying in %M ms", &ps->conf->url, status,
                      ps->backoff);
    }

    ngx_add_timer(&ps->timer, ps->backoff);

    ngx_http_passport_report_push_end(ps);
}


/* the batch is over, or is abandoned: everything it held is freed */

static void
ngx_http_passport_report_push_end(ngx_http_passport_report_pusher_t *ps)
{
    if (ps->easy) {
        ngx_http_passport_curl_remove(ps->easy, &ps->transfer);
        curl_easy_cleanup(ps->easy);
        ps->easy = NULL;
    }

    if (ps->headers) {
        curl_slist_free_all(ps->headers);
        ps->headers = NULL;
    }

    if (ps->pool) {
        ngx_destroy_pool(ps->pool);
        ps->pool = NULL;
    }
}


static void
ngx_http_passport_report_push_cursor_load(
    ngx_http_passport_report_pusher_t *ps)
{
    u_char              buf[32], *p;
    ssize_t             n;
    ngx_fd_t            fd;
    unsigned long long  seq;

    ps->cursor = 0;

    fd = ngx_open_file(ps->cursor_path, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);

    if (fd == NGX_INVALID_FILE) {
        if (ngx_errno != NGX_ENOENT) {
            ngx_log_error(NGX_LOG_ERR, ps->log, ngx_errno,
                          "passport: cannot read the push cursor \"%s\", "
                          "pushing the whole log", ps->cursor_path);
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
                      "pushing the whole log", ps->cursor_path);
        return;
    }

    ps->cursor = seq;
}


/* "SEQ\n" into PATH.cursor.tmp, fsync, rename to PATH.cursor */

static ngx_int_t
ngx_http_passport_report_push_cursor_save(
    ngx_http_passport_report_pusher_t *ps)
{
    u_char    buf[NGX_INT64_LEN + 2], *p;
    ngx_fd_t  fd;

    p = ngx_sprintf(buf, "%uL\n", ps->cursor);

    fd = ngx_open_file(ps->tmp_path, NGX_FILE_WRONLY, NGX_FILE_TRUNCATE,
                       NGX_FILE_DEFAULT_ACCESS);

    if (fd == NGX_INVALID_FILE) {
        goto failed;
    }

    if (ngx_write_fd(fd, buf, p - buf) != p - buf || fsync(fd) == -1) {
        ngx_close_file(fd);
        goto failed;
    }

    if (ngx_close_file(fd) == NGX_FILE_ERROR) {
        goto failed;
    }

    if (ngx_rename_file(ps->tmp_path, ps->cursor_path) == NGX_FILE_ERROR) {
        goto failed;
    }

    return NGX_OK;

failed:

    ngx_log_error(NGX_LOG_ERR, ps->log, ngx_errno,
                  "passport: the push cursor \"%s\" could not be saved; "
                  "records up to seq %uL may be pushed again",
                  ps->cursor_path, ps->cursor);

    return NGX_ERROR;
}


static size_t
ngx_http_passport_report_push_discard(char *ptr, size_t size, size_t nmemb,
    void *userdata)
{
    return size * nmemb;
}
