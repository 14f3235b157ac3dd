
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport_report.h"
#include "ngx_http_passport_report_view.h"
#include "ngx_http_passport_reply.h"
#include "passport_report.h"


/*
 * passport_reports: the records of the node's log and its rotated files
 * (LOG.N, oldest first), or of a receiving directory (NODE.ndjson and
 * its rotated files, every node), filtered, or per seller (view=sellers,
 * ngx_http_passport_report_view.c), as ndjson or CSV.  Access is for
 * nginx's own allow/deny, auth_basic or auth_request to control.  The
 * files are the source of truth, so the answer is right after a restart.
 *
 * The file is read up to the size it has when opened, a chunk at a time,
 * in the report log's thread pool when there is one: a query holds one
 * buffer of the file (grown for a long line, up to LINE_MAX; a longer
 * line is skipped and counted) and the answer it builds.
 */


#define NGX_HTTP_PASSPORT_REPORT_HOLD      60000
#define NGX_HTTP_PASSPORT_REPORT_ROTATED    100  /* LOG.1 to LOG.100 */
#define NGX_HTTP_PASSPORT_REPORT_ROWS       10000 /* view=sellers */


/* passport_reports [DIR] */
typedef struct {
    ngx_str_t                   dir;            /* empty: the node's log */
} ngx_http_passport_report_query_conf_t;


typedef struct {
    ngx_http_request_t         *request;
    ngx_str_t                  *path;           /* the file being read */
    ngx_array_t                 files;          /* of ngx_str_t, in order */
    ngx_uint_t                  file;           /* the next one */

    /* the parameters; strings escaped as in the records */
    unsigned long long          since;
    ngx_int_t                   limit;
    ngx_int_t                   verdict;
    ngx_int_t                   mode;           /* -1: any */
    unsigned long               reason;         /* 1 << reason, 0: any */
    ngx_str_t                   seller;
    ngx_str_t                   seller_item;    /* "seller":"ID */
    ngx_str_t                   code;           /* "code":"CODE */
    ngx_str_t                   node;
    u_char                      from[24];       /* "": none */
    u_char                      to[24];
    ngx_uint_t                  csv;
    ngx_uint_t                  sellers;        /* view=sellers */
    ngx_uint_t                  seen;           /* parameters, 1 << i */
    ngx_uint_t                  opened;         /* the file being read */
    ngx_http_passport_report_view_t  *view;

    /* the file */
    ngx_http_passport_report_io_t    io;
    ngx_http_passport_report_read_t  rd;
    off_t                       end;            /* its size when opened */
    u_char                     *buf;
    size_t                      cap;            /* of buf */
    size_t                      kept;           /* a line's start, in buf */
    ngx_uint_t                  skipping;       /* a line too long */
    ngx_uint_t                  skipped;

    /* the answer */
    ngx_chain_t                *out;
    ngx_chain_t               **last;
    ngx_buf_t                  *b;              /* the one filled */
    off_t                       length;
    ngx_uint_t                  count;          /* records */

    ngx_event_t                 hold;           /* while a thread reads */
} ngx_http_passport_report_query_t;


static ngx_int_t ngx_http_passport_report_query_handler(
    ngx_http_request_t *r);
static u_char *ngx_http_passport_report_query_args(ngx_http_request_t *r,
    ngx_http_passport_report_query_t *q);
static const char *ngx_http_passport_report_query_arg(
    ngx_http_passport_report_query_t *q, ngx_str_t *name, ngx_str_t *value);
static const char *ngx_http_passport_report_query_time(ngx_str_t *value,
    u_char *out);
static ngx_int_t ngx_http_passport_report_query_escaped(ngx_pool_t *pool,
    const char *prefix, ngx_str_t *value, ngx_str_t *out);
static ngx_int_t ngx_http_passport_report_query_files(
    ngx_http_passport_report_query_t *q, ngx_str_t *log, ngx_str_t *dir);
static ngx_int_t ngx_http_passport_report_query_rotated(
    ngx_http_passport_report_query_t *q, ngx_str_t *path);
static ngx_int_t ngx_http_passport_report_name_cmp(const ngx_str_t *a,
    const ngx_str_t *b);
static ngx_int_t ngx_http_passport_report_query_open(
    ngx_http_passport_report_query_t *q);
static ngx_uint_t ngx_http_passport_report_query_match(
    ngx_http_passport_report_query_t *q,
    ngx_http_passport_report_line_t *line);
static ngx_int_t ngx_http_passport_report_query_read(
    ngx_http_passport_report_query_t *q);
static void ngx_http_passport_report_query_resume(ngx_event_t *ev);
static ngx_int_t ngx_http_passport_report_query_got(
    ngx_http_passport_report_query_t *q);
static ngx_int_t ngx_http_passport_report_query_next(
    ngx_http_passport_report_query_t *q);
static ngx_int_t ngx_http_passport_report_query_lines(
    ngx_http_passport_report_query_t *q);
static ngx_int_t ngx_http_passport_report_query_line(
    ngx_http_passport_report_query_t *q, u_char *p, size_t len);
static ngx_int_t ngx_http_passport_report_query_copy(
    ngx_http_passport_report_query_t *q, u_char *p, size_t len);
static ngx_int_t ngx_http_passport_report_query_answer(
    ngx_http_passport_report_query_t *q);
static ngx_int_t ngx_http_passport_report_query_bad(ngx_http_request_t *r,
    u_char *detail);
static void ngx_http_passport_report_query_hold(ngx_event_t *ev);
static void ngx_http_passport_report_query_close(void *data);


char *
ngx_http_passport_report_query(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_passport_loc_conf_t *plcf = conf;

    ngx_str_t                              *value;
    ngx_http_core_loc_conf_t               *clcf;
    ngx_http_passport_main_conf_t          *pmcf;
    ngx_http_passport_report_query_conf_t  *qc;

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_passport_module);
    value = cf->args->elts;

    qc = ngx_pcalloc(cf->pool, sizeof(ngx_http_passport_report_query_conf_t));
    if (qc == NULL) {
        return NGX_CONF_ERROR;
    }

    if (cf->args->nelts == 2) {
        qc->dir = value[1];

        if (qc->dir.len == 0
            || ngx_conf_full_name(cf->cycle, &qc->dir, 0) != NGX_OK)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid directory \"%V\" in "
                               "\"passport_reports\": give the receiving "
                               "directory, or nothing for this node's log",
                               &value[1]);
            return NGX_CONF_ERROR;
        }

    } else if (pmcf->reports == NULL) {

        /* the log is defined at http level, before the servers */

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"passport_reports\" needs "
                           "\"passport_report_log\" before it, or a "
                           "receiving directory");
        return NGX_CONF_ERROR;
    }

    if (plcf->reports_query) {
        return "is duplicate";
    }

    plcf->reports_query = qc;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_passport_report_query_handler;

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_passport_report_query_handler(ngx_http_request_t *r)
{
    u_char                                 *bad;
    ngx_int_t                               rc;
    ngx_pool_cleanup_t                     *cln;
    ngx_http_passport_loc_conf_t           *plcf;
    ngx_http_passport_main_conf_t          *pmcf;
    ngx_http_passport_report_query_t       *q;
    ngx_http_passport_report_query_conf_t  *qc;

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    q = ngx_pcalloc(r->pool, sizeof(ngx_http_passport_report_query_t));
    if (q == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    q->request = r;

    bad = ngx_http_passport_report_query_args(r, q);
    if (bad == (u_char *) NGX_ERROR) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (bad) {
        return ngx_http_passport_report_query_bad(r, bad);
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_passport_module);
    plcf = ngx_http_get_module_loc_conf(r, ngx_http_passport_module);
    qc = plcf->reports_query;

    q->rd.fd = NGX_INVALID_FILE;

    cln->handler = ngx_http_passport_report_query_close;
    cln->data = q;

    if (ngx_http_passport_report_query_files(q,
            qc->dir.len ? NULL : ngx_http_passport_report_log_path(
                                                             pmcf->reports),
            qc->dir.len ? &qc->dir : NULL)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (q->sellers) {
        q->view = ngx_http_passport_report_view_create(r->pool,
                                          NGX_HTTP_PASSPORT_REPORT_ROWS);
        if (q->view == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    q->io.work = ngx_http_passport_report_io_read;
    q->io.data = &q->rd;
    q->io.resume = ngx_http_passport_report_query_resume;
    q->io.resume_data = q;
    q->io.pool = r->pool;
    q->io.log = r->connection->log;

    if (pmcf->reports) {
        ngx_http_passport_report_log_threads(pmcf->reports, &q->io);
    }

    q->last = &q->out;

    rc = ngx_http_passport_report_query_open(q);

    if (rc == NGX_AGAIN) {
        rc = ngx_http_passport_report_query_read(q);
    }

    if (rc == NGX_AGAIN) {
        r->main->count++;

        q->hold.handler = ngx_http_passport_report_query_hold;
        q->hold.data = q;
        q->hold.log = r->connection->log;
        ngx_add_timer(&q->hold, NGX_HTTP_PASSPORT_REPORT_HOLD);

        return NGX_DONE;
    }

    if (rc != NGX_OK) {
        return rc;
    }

    return ngx_http_passport_report_query_answer(q);
}


/*
 * The query string: each parameter known, once, with a good value.
 * NULL, the detail of a 400 naming what is wrong, or NGX_ERROR.
 */

static u_char *
ngx_http_passport_report_query_args(ngx_http_request_t *r,
    ngx_http_passport_report_query_t *q)
{
    u_char       *p, *last, *amp, *eq, *bad;
    ngx_str_t     name, value;
    const char   *why;

    q->limit = 100;
    q->mode = -1;

    p = r->args.data;
    last = p + r->args.len;

    while (p < last) {
        amp = ngx_strlchr(p, last, '&');
        amp = amp ? amp : last;
        eq = ngx_strlchr(p, amp, '=');

        name.data = p;
        name.len = (eq ? eq : amp) - p;
        value.data = eq ? eq + 1 : amp;
        value.len = amp - value.data;
        p = amp + 1;

        if (name.len == 0) {
            continue;
        }

        why = ngx_http_passport_report_query_arg(q, &name, &value);

        if (why == (const char *) NGX_ERROR) {
            return (u_char *) NGX_ERROR;
        }

        if (why) {
            bad = ngx_pnalloc(r->pool, 64 + 2 * ngx_min(name.len, 64)
                                      + ngx_strlen(why));
            if (bad == NULL) {
                return (u_char *) NGX_ERROR;
            }

            /* the name as sent, escaped, cut */
            p = ngx_http_passport_json_escape(bad, name.data, name.len, 64);
            ngx_sprintf(p, ": %s%Z", why);

            return bad;
        }
    }

    return NULL;
}


static const char  *ngx_http_passport_report_query_names[] = {
    "since", "from", "to", "node", "seller", "code", "reason", "verdict",
    "mode", "limit", "view", "format", NULL
};


/* one parameter; NULL, why it is refused, or NGX_ERROR */

static const char *
ngx_http_passport_report_query_arg(ngx_http_passport_report_query_t *q,
    ngx_str_t *name, ngx_str_t *value)
{
    u_char      *dst, *src;
    ngx_int_t    n, i;
    ngx_pool_t  *pool;

    pool = q->request->pool;

    for (i = 0; ngx_http_passport_report_query_names[i]; i++) {
        if (name->len == ngx_strlen(ngx_http_passport_report_query_names[i])
            && ngx_strncmp(name->data,
                           ngx_http_passport_report_query_names[i],
                           name->len) == 0)
        {
            break;
        }
    }

    if (ngx_http_passport_report_query_names[i] == NULL) {
        return "unknown parameter; since, from, to, node, seller, code, "
               "reason, verdict, mode, limit, view and format are known";
    }

    if (q->seen & (1 << i)) {
        return "given twice";
    }

    q->seen |= 1 << i;

    /* the value, %-decoded */

    dst = ngx_pnalloc(pool, value->len + 1);
    if (dst == NULL) {
        return (const char *) NGX_ERROR;
    }

    src = value->data;
    value->data = dst;
    ngx_unescape_uri(&dst, &src, value->len, 0);
    value->len = dst - value->data;

    switch (i) {

    case 0: /* since */
        n = ngx_atoi(value->data, value->len);
        if (n == NGX_ERROR) {
            return "must be a record sequence number";
        }

        q->since = (unsigned long long) n;
        return NULL;

    case 1: /* from */
        return ngx_http_passport_report_query_time(value, q->from);

    case 2: /* to */
        return ngx_http_passport_report_query_time(value, q->to);

    case 3: /* node */
        if (value->len == 0 || value->len > NGX_HTTP_PASSPORT_REPORT_NODE_MAX)
        {
            return "must be a node name of 1 to 128 bytes";
        }

        return ngx_http_passport_report_query_escaped(pool, "", value,
                                                      &q->node)
               ? (const char *) NGX_ERROR : NULL;

    case 4: /* seller */
        if (value->len == 0 || value->len > NGX_HTTP_PASSPORT_VALUE_MAX) {
            return "must be a seller ID";
        }

        return (ngx_http_passport_report_query_escaped(pool, "", value,
                                                       &q->seller)
                || ngx_http_passport_report_query_escaped(pool,
                                          "\"seller\":\"", value,
                                          &q->seller_item))
               ? (const char *) NGX_ERROR : NULL;

    case 5: /* code */
        if (value->len == 0 || value->len > NGX_HTTP_PASSPORT_VALUE_MAX) {
            return "must be a trace code as recorded (canonical)";
        }

        return ngx_http_passport_report_query_escaped(pool, "\"code\":\"",
                                                      value, &q->code)
               ? (const char *) NGX_ERROR : NULL;

    case 6: /* reason */
        for (n = 0; n < NGX_HTTP_PASSPORT_NREASONS; n++) {
            if (value->len == ngx_strlen(ngx_http_passport_reason_name(n))
                && ngx_strncmp(value->data, ngx_http_passport_reason_name(n),
                               value->len) == 0)
            {
                q->reason = 1UL << n;
                return NULL;
            }
        }

        return "must be a reason code, as CODE_RECALLED";

    case 7: /* verdict */
        if (value->len == 4 && ngx_strncmp(value->data, "flag", 4) == 0) {
            q->verdict = NGX_HTTP_PASSPORT_VERDICT_FLAG;
            return NULL;
        }

        if (value->len == 5 && ngx_strncmp(value->data, "block", 5) == 0) {
            q->verdict = NGX_HTTP_PASSPORT_VERDICT_BLOCK;
            return NULL;
        }

        return "must be flag or block";

    case 8: /* mode */
        for (n = 0; n <= NGX_HTTP_PASSPORT_MODE_MONITOR; n++) {
            if (value->len == ngx_strlen(ngx_http_passport_report_mode_name(n))
                && ngx_strncmp(value->data,
                               ngx_http_passport_report_mode_name(n),
                               value->len) == 0)
            {
                q->mode = n;
                return NULL;
            }
        }

        return "must be enforce, flag or monitor";

    case 9: /* limit */
        q->limit = ngx_atoi(value->data, value->len);
        if (q->limit < 1 || q->limit > 10000) {
            return "must be a number from 1 to 10000";
        }

        return NULL;

    case 10: /* view */
        if (value->len != 7 || ngx_strncmp(value->data, "sellers", 7) != 0) {
            return "must be sellers";
        }

        q->sellers = 1;
        return NULL;

    default: /* format */
        if (value->len == 3 && ngx_strncmp(value->data, "csv", 3) == 0) {
            q->csv = 1;
            return NULL;
        }

        if (value->len == 6 && ngx_strncmp(value->data, "ndjson", 6) == 0) {
            return NULL;
        }

        return "must be ndjson or csv";
    }
}


/* prefix and the value escaped as the log writes it */

static ngx_int_t
ngx_http_passport_report_query_escaped(ngx_pool_t *pool, const char *prefix,
    ngx_str_t *value, ngx_str_t *out)
{
    size_t   len;
    u_char  *p;

    len = ngx_strlen(prefix);

    p = ngx_pnalloc(pool, len + ngx_http_passport_json_escape_size(
                                    value->data, value->len, value->len));
    if (p == NULL) {
        return NGX_ERROR;
    }

    out->data = p;
    p = ngx_cpymem(p, prefix, len);
    p = ngx_http_passport_json_escape(p, value->data, value->len,
                                      value->len);
    out->len = p - out->data;

    return NGX_OK;
}


/*
 * An RFC 3339 time (YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM)) as the
 * records write it, in UTC with milliseconds, which then compare as
 * strings.
 */

static const char *
ngx_http_passport_report_query_time(ngx_str_t *value, u_char *out)
{
    u_char     *p, *last;
    time_t      t;
    ngx_tm_t    tm;
    ngx_int_t   v[6], ms, off, n, k;

    static const char  *bad = "must be an RFC 3339 time, as "
                              "2026-11-25T22:14:03Z or "
                              "2026-11-26T05:14:03.5+07:00";
    static const int    at[] = { 0, 5, 8, 11, 14, 17 };
    static const int    len[] = { 4, 2, 2, 2, 2, 2 };
    static const char   sep[] = "--T::";

    p = value->data;
    last = p + value->len;

    if (value->len < 20) {
        return bad;
    }

    for (k = 0; k < 6; k++) {
        v[k] = ngx_atoi(p + at[k], len[k]);

        if (v[k] == NGX_ERROR
            || (k < 5 && p[at[k] + len[k]] != sep[k]
                && !(k == 2 && (p[10] == 't' || p[10] == ' '))))
        {
            return bad;
        }
    }

    p += 19;
    ms = 0;

    if (*p == '.') {
        for (n = 100, p++; p < last && *p >= '0' && *p <= '9'; p++) {
            ms += (*p - '0') * n;
            n /= 10;
        }
    }

    if (p < last && (*p == 'Z' || *p == 'z') && p + 1 == last) {
        off = 0;

    } else if (last - p == 6 && (*p == '+' || *p == '-') && p[3] == ':'
               && (n = ngx_atoi(p + 1, 2)) != NGX_ERROR
               && (k = ngx_atoi(p + 4, 2)) != NGX_ERROR
               && n < 24 && k < 60)
    {
        off = (*p == '-' ? -1 : 1) * (n * 3600 + k * 60);

    } else {
        return bad;
    }

    if (v[0] < 1970 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31
        || v[3] > 23 || v[4] > 59 || v[5] > 60)
    {
        return bad;
    }

    /* days from the civil date, as passport_report.c counts them back */

    n = v[0] - (v[1] <= 2);
    k = (n >= 0 ? n : n - 399) / 400;
    t = (time_t) (k * 146097 + (n - k * 400) * 365 + (n - k * 400) / 4
                  - (n - k * 400) / 100
                  + (153 * (v[1] + (v[1] > 2 ? -3 : 9)) + 2) / 5 + v[2] - 1
                  - 719468);
    t = t * 86400 + v[3] * 3600 + v[4] * 60 + v[5] - off;

    if (t < 0) {
        return bad;
    }

    ngx_gmtime(t, &tm);

    ngx_sprintf(out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                tm.ngx_tm_year, tm.ngx_tm_mon, tm.ngx_tm_mday,
                tm.ngx_tm_hour, tm.ngx_tm_min, tm.ngx_tm_sec, (int) ms);

    return NULL;
}


/*
 * The files to read, oldest first: LOG.100 ... LOG.1 then LOG (each
 * LOG.N.gz is named but not read: gzip is not supported yet); or, for a
 * directory, each NODE.ndjson with its rotated files, nodes in name
 * order (only node= when given).
 */

static ngx_int_t
ngx_http_passport_report_query_files(ngx_http_passport_report_query_t *q,
    ngx_str_t *log, ngx_str_t *dir)
{
    size_t        len;
    ngx_dir_t     d;
    ngx_str_t    *names, path;
    ngx_uint_t    i, n;
    ngx_array_t   nodes;
    ngx_pool_t   *pool;

    pool = q->request->pool;

    if (ngx_array_init(&q->files, pool, 4, sizeof(ngx_str_t)) != NGX_OK) {
        return NGX_ERROR;
    }

    if (log) {
        return ngx_http_passport_report_query_rotated(q, log);
    }

    if (ngx_array_init(&nodes, pool, 4, sizeof(ngx_str_t)) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_open_dir(dir, &d) == NGX_ERROR) {
        ngx_log_error(NGX_LOG_CRIT, q->request->connection->log, ngx_errno,
                      "passport: cannot read the receiving directory "
                      "\"%V\"", dir);
        return NGX_OK;
    }

    /* a small directory, one entry per node: read here */

    while (ngx_read_dir(&d) == NGX_OK) {
        len = ngx_de_namelen(&d);

        if (len <= 7 || ngx_de_name(&d)[0] == '.'
            || ngx_strncmp(ngx_de_name(&d) + len - 7, ".ndjson", 7) != 0)
        {
            continue;
        }

        names = ngx_array_push(&nodes);
        if (names == NULL) {
            break;
        }

        names->len = dir->len + 1 + len;
        names->data = ngx_pnalloc(pool, names->len + 1);
        if (names->data == NULL) {
            break;
        }

        ngx_sprintf(names->data, "%V/%*s%Z", dir, len, ngx_de_name(&d));
    }

    ngx_close_dir(&d);

    names = nodes.elts;
    n = nodes.nelts;

    ngx_sort(names, n, sizeof(ngx_str_t),
             (ngx_int_t (*)(const void *, const void *))
             ngx_http_passport_report_name_cmp);

    for (i = 0; i < n; i++) {
        path = names[i];

        if (q->node.len
            && (path.len != dir->len + 1 + q->node.len + 7
                || ngx_strncmp(path.data + dir->len + 1, q->node.data,
                               q->node.len) != 0))
        {
            continue;
        }

        if (ngx_http_passport_report_query_rotated(q, &path) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_passport_report_name_cmp(const ngx_str_t *a, const ngx_str_t *b)
{
    return ngx_memn2cmp(a->data, b->data, a->len, b->len);
}


/* path.N ... path.1, path: the rotated ones that are there */

static ngx_int_t
ngx_http_passport_report_query_rotated(ngx_http_passport_report_query_t *q,
    ngx_str_t *path)
{
    ngx_str_t        *f;
    ngx_uint_t        n, i;
    ngx_file_info_t   fi;
    u_char            name[NGX_MAX_PATH];

    /* how many: LOG.1, LOG.2, ... while they are there */

    for (n = 0; n < NGX_HTTP_PASSPORT_REPORT_ROTATED; n++) {
        if (path->len + NGX_INT_T_LEN + 2 > NGX_MAX_PATH) {
            break;
        }

        ngx_sprintf(name, "%V.%ui%Z", path, n + 1);

        if (ngx_file_info(name, &fi) == NGX_FILE_ERROR) {
            break;
        }
    }

    for (i = n + 1; i > 0; i--) {
        f = ngx_array_push(&q->files);
        if (f == NULL) {
            return NGX_ERROR;
        }

        f->data = ngx_pnalloc(q->request->pool, path->len + NGX_INT_T_LEN + 2);
        if (f->data == NULL) {
            return NGX_ERROR;
        }

        f->len = (i == 1)
                 ? (size_t) (ngx_sprintf(f->data, "%V%Z", path) - f->data)
                 : (size_t) (ngx_sprintf(f->data, "%V.%ui%Z", path, i - 1)
                             - f->data);
        f->len--;
    }

    return NGX_OK;
}


/* opens the next file; NGX_OK: there is none left */

static ngx_int_t
ngx_http_passport_report_query_open(ngx_http_passport_report_query_t *q)
{
    ngx_str_t  *files;

    if (q->rd.fd != NGX_INVALID_FILE) {
        (void) ngx_close_file(q->rd.fd);
        q->rd.fd = NGX_INVALID_FILE;
    }

    if (q->file == q->files.nelts) {
        return NGX_OK;
    }

    files = q->files.elts;
    q->path = &files[q->file++];

    q->rd.path = q->path->data;
    q->rd.offset = 0;
    q->rd.n = 0;
    q->rd.failed = NULL;
    q->rd.err = 0;
    q->end = 0;
    q->kept = 0;
    q->skipping = 0;
    q->opened = 0;

    return NGX_AGAIN;
}
/*
 * Reads on until a thread has the next read (NGX_AGAIN: the request is
 * blocked until it is over) or the file is read (NGX_OK); otherwise the
 * status to fail with.
 */

static ngx_int_t
ngx_http_passport_report_query_read(ngx_http_passport_report_query_t *q)
{
    ngx_int_t  rc;

    do {
        if (ngx_http_passport_report_io(&q->io) == NGX_AGAIN) {
            q->request->main->blocked++;
            return NGX_AGAIN;
        }

        rc = ngx_http_passport_report_query_got(q);

    } while (rc == NGX_AGAIN);

    return rc;
}


/* on the worker, after a read in a thread */

static void
ngx_http_passport_report_query_resume(ngx_event_t *ev)
{
    ngx_http_passport_report_query_t  *q = ev->data;

    ngx_int_t            rc;
    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    r = q->request;
    c = r->connection;

    ngx_http_set_log_request(c->log, r);

    r->main->blocked--;

    if (c->error) {
        /* terminated while the thread read: nothing to answer */
        rc = NGX_ERROR;

    } else {
        rc = ngx_http_passport_report_query_got(q);

        if (rc == NGX_AGAIN) {
            rc = ngx_http_passport_report_query_read(q);

            if (rc == NGX_AGAIN) {
                return;
            }
        }

        if (rc == NGX_OK) {
            rc = ngx_http_passport_report_query_answer(q);
        }
    }

    ngx_http_passport_report_query_close(q);

    ngx_http_finalize_request(r, rc);
    ngx_http_run_posted_requests(c);
}


/*
 * What the last open or read brought.  NGX_AGAIN: read on; NGX_OK: the
 * file is read; otherwise the status to fail with.
 */

static ngx_int_t
ngx_http_passport_report_query_got(ngx_http_passport_report_query_t *q)
{
    ngx_int_t                         rc;
    ngx_http_request_t               *r;
    ngx_http_passport_report_read_t  *rd;

    r = q->request;
    rd = &q->rd;

    if (rd->failed && !q->opened && rd->err == NGX_ENOENT) {
        /* rotated away, the new file not made yet: no records there */
        ngx_log_error(NGX_LOG_INFO, r->connection->log, rd->err,
                      "passport: the report log \"%V\" is not there, "
                      "as after a rotation: no records", q->path);
        return ngx_http_passport_report_query_open(q);
    }

    if (rd->failed) {
        ngx_log_error(NGX_LOG_CRIT, r->connection->log, rd->err,
                      "passport: cannot read the report log \"%V\": "
                      "%s failed", q->path, rd->failed);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (!q->opened) {
        q->opened = 1;
        q->end = ngx_file_size(&rd->info);

        if (q->buf == NULL) {
            q->cap = NGX_HTTP_PASSPORT_REPORT_CHUNK;

            q->buf = ngx_pnalloc(r->pool, q->cap);
            if (q->buf == NULL) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }
        }

        return ngx_http_passport_report_query_next(q);
    }

    if (rd->n == 0) {
        /* the file is shorter than it was: it is read */
        return ngx_http_passport_report_query_open(q);
    }

    rd->offset += rd->n;
    q->kept += rd->n;

    rc = ngx_http_passport_report_query_lines(q);

    if (rc == NGX_DONE) {
        return NGX_OK;
    }

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_passport_report_query_next(q);
}


/* the next read, after the start of a line kept in buf */

static ngx_int_t
ngx_http_passport_report_query_next(ngx_http_passport_report_query_t *q)
{
    u_char  *buf;

    if (q->rd.offset >= q->end) {
        /* a last line without its "\n" is being written: not yet a record */
        return ngx_http_passport_report_query_open(q);
    }

    if (q->kept == q->cap) {

        /* a line longer than the buffer */

        if (q->cap < NGX_HTTP_PASSPORT_REPORT_LINE_MAX) {
            buf = ngx_pnalloc(q->request->pool, 2 * q->cap);
            if (buf == NULL) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            ngx_memcpy(buf, q->buf, q->kept);
            ngx_pfree(q->request->pool, q->buf);

            q->buf = buf;
            q->cap *= 2;

        } else {
            q->skipped++;
            q->skipping = 1;
            q->kept = 0;
        }
    }

    q->rd.buf = q->buf + q->kept;
    q->rd.size = (size_t) ngx_min((off_t) (q->cap - q->kept),
                                  q->end - q->rd.offset);

    return NGX_AGAIN;
}


/* the whole lines in buf; the start of the next one is kept */

static ngx_int_t
ngx_http_passport_report_query_lines(ngx_http_passport_report_query_t *q)
{
    u_char     *p, *nl, *last;
    ngx_int_t   rc;

    p = q->buf;
    last = q->buf + q->kept;

    if (q->skipping) {
        nl = ngx_strlchr(p, last, '\n');

        if (nl == NULL) {
            q->kept = 0;
            return NGX_OK;
        }

        q->skipping = 0;
        p = nl + 1;
    }

    while ((nl = ngx_strlchr(p, last, '\n')) != NULL) {

        rc = ngx_http_passport_report_query_line(q, p, nl + 1 - p);
        if (rc != NGX_OK) {
            return rc;
        }

        p = nl + 1;
    }

    q->kept = last - p;

    if (q->kept && p != q->buf) {
        ngx_memmove(q->buf, p, q->kept);
    }

    return NGX_OK;
}


/* one line, "\n" included; NGX_DONE: limit records are in */

static ngx_int_t
ngx_http_passport_report_query_line(ngx_http_passport_report_query_t *q,
    u_char *p, size_t len)
{
    ngx_http_passport_report_line_t  line;

    ngx_memzero(&line, sizeof(ngx_http_passport_report_line_t));

    if (ngx_http_passport_report_verify_line(p, len - 1, NULL, NULL, &line,
                                             NULL, 0)
        != NGX_HTTP_PASSPORT_REPORT_OK
        || line.type != NGX_HTTP_PASSPORT_REPORT_VERDICT
        || !ngx_http_passport_report_query_match(q, &line))
    {
        return NGX_OK;
    }

    if (q->sellers) {
        return ngx_http_passport_report_view_count(q->view, &line);
    }

    if (q->csv) {
        if (ngx_http_passport_report_query_copy(q, NULL,
                               ngx_http_passport_report_csv_size(p, len))
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        q->b->last = ngx_http_passport_report_csv(q->b->last, &line);

    } else if (ngx_http_passport_report_query_copy(q, p, len) != NGX_OK) {
        return NGX_ERROR;
    }

    return (++q->count == (ngx_uint_t) q->limit) ? NGX_DONE : NGX_OK;
}


static ngx_uint_t
ngx_http_passport_report_query_match(ngx_http_passport_report_query_t *q,
    ngx_http_passport_report_line_t *line)
{
    size_t      pos;
    ngx_str_t   seller;
    ngx_uint_t  found;

    if (line->seq <= q->since
        || (q->verdict && line->verdict != (int) q->verdict)
        || (q->mode >= 0 && line->mode != (int) q->mode)
        || (q->reason && !(line->reasons & q->reason))
        || (q->from[0] && ngx_memcmp(line->time.data, q->from, 24) < 0)
        || (q->to[0] && ngx_memcmp(line->time.data, q->to, 24) > 0)
        || (q->node.len
            && (line->node.len != q->node.len
                || ngx_memcmp(line->node.data, q->node.data, q->node.len)
                   != 0))
        || (q->code.len
            && !ngx_http_passport_report_item_has(line, &q->code)))
    {
        return 0;
    }

    if (q->seller.len == 0) {
        return 1;
    }

    /* the listing's seller, or an item's own */

    pos = 0;
    found = 0;

    while (!found
           && ngx_http_passport_report_seller_next(line, &pos, &seller)
              == NGX_OK)
    {
        found = (seller.len == q->seller.len
                 && ngx_memcmp(seller.data, q->seller.data, seller.len)
                    == 0);
    }

    return found;
}


/* room for len bytes of the answer; p: and these bytes into it */

static ngx_int_t
ngx_http_passport_report_query_copy(ngx_http_passport_report_query_t *q,
    u_char *p, size_t len)
{
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    b = q->b;

    if (b == NULL || (size_t) (b->end - b->last) < len) {
        b = ngx_create_temp_buf(q->request->pool,
                                ngx_max(len, NGX_HTTP_PASSPORT_REPORT_CHUNK));
        cl = ngx_alloc_chain_link(q->request->pool);
        if (b == NULL || cl == NULL) {
            return NGX_ERROR;
        }

        cl->buf = b;
        cl->next = NULL;
        *q->last = cl;
        q->last = &cl->next;
        q->b = b;
    }

    if (p) {
        b->last = ngx_cpymem(b->last, p, len);
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_passport_report_query_answer(ngx_http_passport_report_query_t *q)
{
    u_char                     *p;
    ngx_buf_t                  *b;
    ngx_str_t                   name, value;
    ngx_uint_t                  n;
    ngx_chain_t                *cl;
    ngx_http_request_t         *r;
    ngx_http_passport_reply_t   rp;

    r = q->request;

    ngx_http_passport_report_query_close(q);

    if (q->skipped) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "passport: %ui line(s) of the report log \"%V\" "
                      "longer than %uz bytes skipped", q->skipped, q->path,
                      (size_t) NGX_HTTP_PASSPORT_REPORT_LINE_MAX);
    }

    ngx_memzero(&rp, sizeof(ngx_http_passport_reply_t));

    rp.status = NGX_HTTP_OK;

    if (q->csv) {
        ngx_str_set(&rp.type, "text/csv; charset=utf-8");

    } else {
        ngx_str_set(&rp.type, "application/x-ndjson");
    }

    if (q->sellers) {
        b = ngx_http_passport_report_view_answer(q->view, q->csv);
        if (b == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        n = ngx_http_passport_report_view_left_out(q->view);

        if (n) {
            ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                          "passport: view=sellers has %ui rows, the most it "
                          "keeps: %ui seller(s) left out; narrow the query",
                          (ngx_uint_t) NGX_HTTP_PASSPORT_REPORT_ROWS, n);

            p = ngx_pnalloc(r->pool, NGX_INT_T_LEN);
            if (p == NULL) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            ngx_str_set(&name, "Passport-Sellers-Left-Out");
            value.data = p;
            value.len = ngx_sprintf(p, "%ui", n) - p;

            if (ngx_http_passport_reply_header(r, &name, &value) != NGX_OK) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }
        }

        if (ngx_http_passport_reply_buf(r, &rp, b) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_passport_reply(r, &rp);
    }

    if (q->csv) {
        /* the header row first */

        b = ngx_calloc_buf(r->pool);
        cl = ngx_alloc_chain_link(r->pool);
        if (b == NULL || cl == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        b->pos = (u_char *) NGX_HTTP_PASSPORT_REPORT_CSV_RECORDS;
        b->last = b->pos + sizeof(NGX_HTTP_PASSPORT_REPORT_CSV_RECORDS) - 1;
        b->memory = 1;
        cl->buf = b;
        cl->next = q->out;
        q->out = cl;
    }

    rp.length = 0;

    for (cl = q->out; cl; cl = cl->next) {
        rp.length += ngx_buf_size(cl->buf);
    }

    rp.body = q->out;

    return ngx_http_passport_reply(r, &rp);
}


static ngx_int_t
ngx_http_passport_report_query_bad(ngx_http_request_t *r, u_char *detail)
{
    ngx_buf_t                  *b;
    ngx_http_passport_reply_t   rp;

    b = ngx_create_temp_buf(r->pool, 200 + ngx_strlen(detail));
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->last = ngx_sprintf(b->last, "{\"type\":\"about:blank\",\"title\":\""
                          NGX_HTTP_PASSPORT_MSG_QUERY_TITLE_EN
                          "\",\"status\":400,\"detail\":\"%s\"}\n",
                          detail);

    ngx_memzero(&rp, sizeof(ngx_http_passport_reply_t));

    rp.status = NGX_HTTP_BAD_REQUEST;
    ngx_str_set(&rp.type, "application/problem+json");

    if (ngx_http_passport_reply_buf(r, &rp, b) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_passport_reply(r, &rp);
}


/*
 * A request waiting for a thread has no timer of its own: this one keeps
 * a worker that is told to exit (a reload) until the query is answered.
 */

static void
ngx_http_passport_report_query_hold(ngx_event_t *ev)
{
    ngx_add_timer(ev, NGX_HTTP_PASSPORT_REPORT_HOLD);
}


static void
ngx_http_passport_report_query_close(void *data)
{
    ngx_http_passport_report_query_t  *q = data;

    if (q->hold.timer_set) {
        ngx_del_timer(&q->hold);
    }

    if (q->rd.fd != NGX_INVALID_FILE) {
        (void) ngx_close_file(q->rd.fd);
        q->rd.fd = NGX_INVALID_FILE;
    }
}
