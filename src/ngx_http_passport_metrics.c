
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport.h"
#include "ngx_http_passport_metrics.h"
#include "ngx_http_passport_reply.h"


/*
 * Counters summed over the workers: atomics in one shared zone, made by
 * the module whenever there is an http block, and found again on a
 * reload (as limit_req finds its zone), so the totals go on counting.
 * Registries get an entry of the zone, by label (their URL without
 * credentials or query), when the configuration is loaded; an entry
 * stays for the life of the zone.  The cache's own counters are read
 * from its zone.
 */


#define NGX_HTTP_PASSPORT_METRICS_SIZE        (256 * 1024)
#define NGX_HTTP_PASSPORT_METRICS_REGISTRIES  32
#define NGX_HTTP_PASSPORT_METRICS_WORKERS     128
#define NGX_HTTP_PASSPORT_METRICS_LABEL       256
#define NGX_HTTP_PASSPORT_METRICS_REASONS     64
#define NGX_HTTP_PASSPORT_METRICS_LINE        160

#define NGX_HTTP_PASSPORT_METRICS_OK          0     /* 2xx */
#define NGX_HTTP_PASSPORT_METRICS_NOT_FOUND   1     /* 404 */
#define NGX_HTTP_PASSPORT_METRICS_ERROR       2     /* other, network */
#define NGX_HTTP_PASSPORT_METRICS_LOCAL       3     /* not asked */
#define NGX_HTTP_PASSPORT_METRICS_NRESULTS    4


typedef struct {
    size_t                      len;
    u_char                      label[NGX_HTTP_PASSPORT_METRICS_LABEL];
    ngx_atomic_t                results[NGX_HTTP_PASSPORT_METRICS_NRESULTS];
    /* each worker's breaker, by ngx_worker */
    ngx_atomic_t                open[NGX_HTTP_PASSPORT_METRICS_WORKERS];
} ngx_http_passport_metrics_registry_t;


typedef struct {
    ngx_atomic_t                requests[3][3];     /* verdict, mode */
    ngx_atomic_t                reasons[NGX_HTTP_PASSPORT_METRICS_REASONS];
    ngx_atomic_t                checks[3];          /* verdict */
    ngx_atomic_t                reports;
    ngx_atomic_t                pushed;
    ngx_atomic_t                push_failures;
    ngx_atomic_t                report_seq;         /* the highest seen */
    ngx_atomic_t                cursor;             /* the last delivered */
    ngx_atomic_t                nregistries;
    ngx_http_passport_metrics_registry_t
                        registries[NGX_HTTP_PASSPORT_METRICS_REGISTRIES];
} ngx_http_passport_metrics_sh_t;


struct ngx_http_passport_metrics_s {
    ngx_http_passport_metrics_sh_t  *sh;
    ngx_array_t                *registries;     /* pmcf's, of _registry_t * */
    ngx_int_t                  *slots;          /* of each, -1: none */
};


static ngx_int_t ngx_http_passport_metrics_init_zone(ngx_shm_zone_t *shm_zone,
    void *data);
static void ngx_http_passport_metrics_slots(ngx_http_passport_metrics_t *m,
    ngx_log_t *log);
static size_t ngx_http_passport_metrics_label(u_char *dst, ngx_str_t *url);
static ngx_http_passport_metrics_t *ngx_http_passport_metrics_get(void);
static ngx_http_passport_metrics_registry_t *
    ngx_http_passport_metrics_registry(ngx_http_passport_metrics_t *m,
    void *reg);
static ngx_int_t ngx_http_passport_metrics_handler(ngx_http_request_t *r);
static size_t ngx_http_passport_metrics_size(ngx_http_passport_metrics_t *m);
static u_char *ngx_http_passport_metrics_write(u_char *p,
    ngx_http_passport_metrics_t *m);
static u_char *ngx_http_passport_metrics_write_registries(u_char *p,
    ngx_http_passport_metrics_t *m);
static u_char *ngx_http_passport_metrics_write_caches(u_char *p,
    ngx_http_passport_metrics_t *m);
static ngx_http_passport_cache_t *ngx_http_passport_metrics_cache(
    ngx_http_passport_metrics_t *m, ngx_uint_t i);
static void ngx_http_passport_metrics_max(ngx_atomic_t *a,
    unsigned long long v);
static u_char *ngx_http_passport_metrics_head(u_char *p, const char *name,
    const char *type, const char *help);
static u_char *ngx_http_passport_metrics_escape(u_char *p, u_char *s,
    size_t len);


static const char  *ngx_http_passport_metrics_verdicts[] = {
    "pass", "flag", "block"
};

static const char  *ngx_http_passport_metrics_modes[] = {
    "enforce", "flag", "monitor"
};

static const char  *ngx_http_passport_metrics_results[] = {
    "ok", "not_found", "error", "local"
};


/* after the merge, from the postconfiguration: the registries are known */

ngx_int_t
ngx_http_passport_metrics_init_conf(ngx_conf_t *cf)
{
    ngx_str_t                       name = ngx_string("passport_metrics");
    ngx_shm_zone_t                 *shm_zone;
    ngx_http_passport_metrics_t    *m;
    ngx_http_passport_main_conf_t  *pmcf;

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_passport_module);

    m = ngx_pcalloc(cf->pool, sizeof(ngx_http_passport_metrics_t));
    if (m == NULL) {
        return NGX_ERROR;
    }

    m->registries = &pmcf->registries;
    m->slots = ngx_pcalloc(cf->pool,
                           (pmcf->registries.nelts + 1) * sizeof(ngx_int_t));
    if (m->slots == NULL) {
        return NGX_ERROR;
    }

    shm_zone = ngx_shared_memory_add(cf, &name,
                                     NGX_HTTP_PASSPORT_METRICS_SIZE,
                                     &ngx_http_passport_module);
    if (shm_zone == NULL) {
        return NGX_ERROR;
    }

    if (shm_zone->data) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"passport_cache_zone\": the zone name "
                           "\"passport_metrics\" is the module's own: "
                           "give the cache zone another name");
        return NGX_ERROR;
    }

    shm_zone->init = ngx_http_passport_metrics_init_zone;
    shm_zone->data = m;

    pmcf->metrics = m;

    return NGX_OK;
}


static ngx_int_t
ngx_http_passport_metrics_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_http_passport_metrics_t  *om = data;

    ngx_slab_pool_t              *shpool;
    ngx_http_passport_metrics_t  *m;

    m = shm_zone->data;
    shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (om) {
        m->sh = om->sh;

    } else if (shm_zone->shm.exists) {
        m->sh = shpool->data;

    } else {
        m->sh = ngx_slab_calloc(shpool,
                                sizeof(ngx_http_passport_metrics_sh_t));
        if (m->sh == NULL) {
            return NGX_ERROR;
        }

        shpool->data = m->sh;
    }

    ngx_http_passport_metrics_slots(m, shm_zone->shm.log);

    return NGX_OK;
}


/* each registry's entry: found by its label, or added */

static void
ngx_http_passport_metrics_slots(ngx_http_passport_metrics_t *m,
    ngx_log_t *log)
{
    u_char                                *label;
    size_t                                 len;
    ngx_uint_t                             i, j, n;
    ngx_http_passport_registry_t         **regs;
    ngx_http_passport_metrics_registry_t  *e;
    u_char  buf[NGX_HTTP_PASSPORT_METRICS_LABEL];

    label = buf;

    regs = m->registries->elts;

    for (i = 0; i < m->registries->nelts; i++) {
        len = ngx_http_passport_metrics_label(label, &regs[i]->endpoint.url);
        n = m->sh->nregistries;

        for (j = 0; j < n; j++) {
            e = &m->sh->registries[j];

            if (e->len == len && ngx_memcmp(e->label, label, len) == 0) {
                break;
            }
        }

        if (j == n && n == NGX_HTTP_PASSPORT_METRICS_REGISTRIES) {
            ngx_log_error(NGX_LOG_WARN, log, 0,
                          "passport: no room for the metrics of registry "
                          "\"%*s\": at most %d registries are counted",
                          len, label, NGX_HTTP_PASSPORT_METRICS_REGISTRIES);
            m->slots[i] = -1;
            continue;
        }

        if (j == n) {
            e = &m->sh->registries[n];
            ngx_memcpy(e->label, label, len);
            e->len = len;
            ngx_memory_barrier();
            m->sh->nregistries = n + 1;
        }

        m->slots[i] = j;
    }
}


/* the URL without "user:password@", query or fragment, cut to fit */

static size_t
ngx_http_passport_metrics_label(u_char *dst, ngx_str_t *url)
{
    u_char  *p, *last, *host, *at, *end;
    size_t   n;

    p = url->data;
    last = url->data + url->len;

    host = ngx_strlchr(p, last, ':');
    host = (host && last - host > 2 && host[1] == '/' && host[2] == '/')
           ? host + 3 : p;

    for (end = host; end < last && *end != '?' && *end != '#'; end++) {
        /* void */
    }

    at = NULL;

    for (p = host; p < end && *p != '/'; p++) {
        if (*p == '@') {
            at = p;
        }
    }

    n = ngx_min((size_t) (host - url->data),
                NGX_HTTP_PASSPORT_METRICS_LABEL);
    ngx_memcpy(dst, url->data, n);

    p = at ? at + 1 : host;

    end = ngx_min(end, p + (NGX_HTTP_PASSPORT_METRICS_LABEL - n));
    ngx_memcpy(dst + n, p, end - p);

    return n + (end - p);
}


/* a new worker's breakers are closed */

void
ngx_http_passport_metrics_init_process(ngx_cycle_t *cycle)
{
    ngx_uint_t                    i, w;
    ngx_http_passport_metrics_t  *m;

    m = ngx_http_passport_metrics_get();

    if (m == NULL) {
        return;
    }

    w = (ngx_uint_t) ngx_worker % NGX_HTTP_PASSPORT_METRICS_WORKERS;

    for (i = 0; i < m->sh->nregistries; i++) {
        m->sh->registries[i].open[w] = 0;
    }
}


static ngx_http_passport_metrics_t *
ngx_http_passport_metrics_get(void)
{
    ngx_http_passport_main_conf_t  *pmcf;

    if (ngx_cycle->conf_ctx == NULL) {
        return NULL;
    }

    pmcf = ngx_http_cycle_get_module_main_conf(ngx_cycle,
                                               ngx_http_passport_module);

    if (pmcf == NULL || pmcf->metrics == NULL || pmcf->metrics->sh == NULL) {
        return NULL;
    }

    return pmcf->metrics;
}


static ngx_http_passport_metrics_registry_t *
ngx_http_passport_metrics_registry(ngx_http_passport_metrics_t *m, void *reg)
{
    ngx_uint_t                      i;
    ngx_http_passport_registry_t  **regs;

    regs = m->registries->elts;

    for (i = 0; i < m->registries->nelts; i++) {
        if (regs[i] == reg) {
            return m->slots[i] < 0 ? NULL
                                   : &m->sh->registries[m->slots[i]];
        }
    }

    return NULL;
}


void
ngx_http_passport_metrics_verdict(ngx_uint_t check, ngx_uint_t verdict,
    ngx_uint_t mode, void *errors, ngx_uint_t nerrors)
{
    uint64_t                      seen, bit;
    ngx_uint_t                    i, v;
    ngx_http_passport_error_t    *err;
    ngx_http_passport_metrics_t  *m;

    m = ngx_http_passport_metrics_get();

    if (m == NULL || verdict < NGX_HTTP_PASSPORT_VERDICT_PASS
        || verdict > NGX_HTTP_PASSPORT_VERDICT_BLOCK || mode > 2)
    {
        return;
    }

    v = verdict - NGX_HTTP_PASSPORT_VERDICT_PASS;

    if (check) {
        (void) ngx_atomic_fetch_add(&m->sh->checks[v], 1);
        return;
    }

    (void) ngx_atomic_fetch_add(&m->sh->requests[v][mode], 1);

    /* each reason once a request */

    err = errors;
    seen = 0;

    for (i = 0; i < nerrors; i++) {
        if (err[i].reason < 0
            || err[i].reason >= NGX_HTTP_PASSPORT_METRICS_REASONS)
        {
            continue;
        }

        bit = (uint64_t) 1 << err[i].reason;

        if (!(seen & bit)) {
            seen |= bit;
            (void) ngx_atomic_fetch_add(&m->sh->reasons[err[i].reason], 1);
        }
    }
}


void
ngx_http_passport_metrics_fetch(void *reg, ngx_uint_t local, long status)
{
    ngx_uint_t                             result;
    ngx_http_passport_metrics_t           *m;
    ngx_http_passport_metrics_registry_t  *e;

    m = ngx_http_passport_metrics_get();

    if (m == NULL || (e = ngx_http_passport_metrics_registry(m, reg)) == NULL)
    {
        return;
    }

    if (local) {
        result = NGX_HTTP_PASSPORT_METRICS_LOCAL;

    } else if (status >= 200 && status < 300) {
        result = NGX_HTTP_PASSPORT_METRICS_OK;

    } else if (status == 404) {
        result = NGX_HTTP_PASSPORT_METRICS_NOT_FOUND;

    } else {
        result = NGX_HTTP_PASSPORT_METRICS_ERROR;
    }

    (void) ngx_atomic_fetch_add(&e->results[result], 1);
}


void
ngx_http_passport_metrics_breaker(void *reg, ngx_uint_t open)
{
    ngx_http_passport_metrics_t           *m;
    ngx_http_passport_metrics_registry_t  *e;

    m = ngx_http_passport_metrics_get();

    if (m == NULL || (e = ngx_http_passport_metrics_registry(m, reg)) == NULL)
    {
        return;
    }

    e->open[(ngx_uint_t) ngx_worker % NGX_HTTP_PASSPORT_METRICS_WORKERS] =
        open ? 1 : 0;
}


/* the highest seq: raised, never lowered, by whoever saw a higher one */

static void
ngx_http_passport_metrics_max(ngx_atomic_t *a, unsigned long long v)
{
    ngx_atomic_uint_t  old;

    for ( ;; ) {
        old = *a;

        if ((unsigned long long) old >= v
            || ngx_atomic_cmp_set(a, old, (ngx_atomic_uint_t) v))
        {
            return;
        }
    }
}


void
ngx_http_passport_metrics_report(unsigned long long seq)
{
    ngx_http_passport_metrics_t  *m;

    m = ngx_http_passport_metrics_get();

    if (m == NULL) {
        return;
    }

    (void) ngx_atomic_fetch_add(&m->sh->reports, 1);
    ngx_http_passport_metrics_max(&m->sh->report_seq, seq);
}


void
ngx_http_passport_metrics_push_seen(unsigned long long seq)
{
    ngx_http_passport_metrics_t  *m;

    m = ngx_http_passport_metrics_get();

    if (m) {
        ngx_http_passport_metrics_max(&m->sh->report_seq, seq);
    }
}


/* the cursor, loaded (delivered 0) or moved by a delivered batch */

void
ngx_http_passport_metrics_push_cursor(unsigned long long cursor,
    ngx_uint_t delivered)
{
    ngx_http_passport_metrics_t  *m;

    m = ngx_http_passport_metrics_get();

    if (m == NULL) {
        return;
    }

    m->sh->cursor = (ngx_atomic_uint_t) cursor;
    (void) ngx_atomic_fetch_add(&m->sh->pushed, delivered);
}


void
ngx_http_passport_metrics_push_failed(void)
{
    ngx_http_passport_metrics_t  *m;

    m = ngx_http_passport_metrics_get();

    if (m) {
        (void) ngx_atomic_fetch_add(&m->sh->push_failures, 1);
    }
}


/* passport_metrics: a content handler, as stub_status is */

char *
ngx_http_passport_metrics(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->handler) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"passport_metrics\": the location already "
                           "has a content handler: give the metrics a "
                           "location of their own");
        return NGX_CONF_ERROR;
    }

    clcf->handler = ngx_http_passport_metrics_handler;

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_passport_metrics_handler(ngx_http_request_t *r)
{
    ngx_buf_t                      *b;
    ngx_http_passport_reply_t       rp;
    ngx_http_passport_metrics_t    *m;
    ngx_http_passport_main_conf_t  *pmcf;

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_passport_module);
    m = pmcf->metrics;

    if (m == NULL || m->sh == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b = ngx_create_temp_buf(r->pool, ngx_http_passport_metrics_size(m));
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->last = ngx_http_passport_metrics_write(b->pos, m);

    ngx_memzero(&rp, sizeof(ngx_http_passport_reply_t));

    rp.status = NGX_HTTP_OK;
    ngx_str_set(&rp.type, "text/plain; version=0.0.4; charset=utf-8");

    if (ngx_http_passport_reply_buf(r, &rp, b) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_passport_reply(r, &rp);
}


/* a bound: every line of a label is at most LINE bytes and its label */

static size_t
ngx_http_passport_metrics_size(ngx_http_passport_metrics_t *m)
{
    size_t                      size;
    ngx_uint_t                  i;
    ngx_http_passport_cache_t  *c;

    size = 24 * 2 * NGX_HTTP_PASSPORT_METRICS_LINE
           + (9 + 3 + NGX_HTTP_PASSPORT_METRICS_REASONS)
             * NGX_HTTP_PASSPORT_METRICS_LINE;

    size += m->sh->nregistries * (NGX_HTTP_PASSPORT_METRICS_NRESULTS + 1)
            * (NGX_HTTP_PASSPORT_METRICS_LINE
               + 2 * NGX_HTTP_PASSPORT_METRICS_LABEL);

    for (i = 0; i < m->registries->nelts; i++) {
        c = ngx_http_passport_metrics_cache(m, i);

        if (c) {
            size += 5 * (NGX_HTTP_PASSPORT_METRICS_LINE
                         + 2 * c->shm_zone->shm.name.len);
        }
    }

    return size;
}


static u_char *
ngx_http_passport_metrics_write(u_char *p, ngx_http_passport_metrics_t *m)
{
    ngx_uint_t                       v, i;
    const char                      *name;
    ngx_http_passport_metrics_sh_t  *sh;

    sh = m->sh;

    p = ngx_http_passport_metrics_head(p, "passport_requests_total",
            "counter", "Requests checked, by verdict and mode.");

    for (v = 0; v < 3; v++) {
        for (i = 0; i < 3; i++) {
            p = ngx_sprintf(p, "passport_requests_total{verdict=\"%s\","
                            "mode=\"%s\"} %uA\n",
                            ngx_http_passport_metrics_verdicts[v],
                            ngx_http_passport_metrics_modes[i],
                            sh->requests[v][i]);
        }
    }

    p = ngx_http_passport_metrics_head(p, "passport_reasons_total",
            "counter", "Requests checked that had a problem of the reason.");

    for (i = 0; i < NGX_HTTP_PASSPORT_NREASONS
                && i < NGX_HTTP_PASSPORT_METRICS_REASONS; i++)
    {
        name = ngx_http_passport_reason_name((int) i);
        p = ngx_sprintf(p, "passport_reasons_total{reason=\"%s\"} %uA\n",
                        name, sh->reasons[i]);
    }

    p = ngx_http_passport_metrics_head(p, "passport_checks_total",
            "counter", "Self-checks (passport_check), by verdict.");

    for (v = 0; v < 3; v++) {
        p = ngx_sprintf(p, "passport_checks_total{verdict=\"%s\"} %uA\n",
                        ngx_http_passport_metrics_verdicts[v],
                        sh->checks[v]);
    }

    p = ngx_http_passport_metrics_write_registries(p, m);
    p = ngx_http_passport_metrics_write_caches(p, m);

    p = ngx_http_passport_metrics_head(p, "passport_reports_written_total",
            "counter", "Records written to the report log.");
    p = ngx_sprintf(p, "passport_reports_written_total %uA\n", sh->reports);

    p = ngx_http_passport_metrics_head(p,
            "passport_report_push_records_total", "counter",
            "Report records delivered to the regulator.");
    p = ngx_sprintf(p, "passport_report_push_records_total %uA\n",
                    sh->pushed);

    p = ngx_http_passport_metrics_head(p,
            "passport_report_push_failures_total", "counter",
            "Report push batches that failed.");
    p = ngx_sprintf(p, "passport_report_push_failures_total %uA\n",
                    sh->push_failures);

    p = ngx_http_passport_metrics_head(p, "passport_report_push_pending",
            "gauge", "Report records known and not delivered yet.");

    return ngx_sprintf(p, "passport_report_push_pending %uA\n",
                       sh->report_seq > sh->cursor
                       ? sh->report_seq - sh->cursor : 0);
}


static u_char *
ngx_http_passport_metrics_write_registries(u_char *p,
    ngx_http_passport_metrics_t *m)
{
    ngx_uint_t                             i, j, n, open;
    ngx_http_passport_metrics_registry_t  *e;

    n = m->sh->nregistries;

    p = ngx_http_passport_metrics_head(p,
            "passport_registry_requests_total", "counter",
            "Registry lookups, by registry and result.");

    for (i = 0; i < n; i++) {
        e = &m->sh->registries[i];

        for (j = 0; j < NGX_HTTP_PASSPORT_METRICS_NRESULTS; j++) {
            p = ngx_cpymem(p, "passport_registry_requests_total{registry=\"",
                           sizeof("passport_registry_requests_total"
                                  "{registry=\"") - 1);
            p = ngx_http_passport_metrics_escape(p, e->label, e->len);
            p = ngx_sprintf(p, "\",result=\"%s\"} %uA\n",
                            ngx_http_passport_metrics_results[j],
                            e->results[j]);
        }
    }

    p = ngx_http_passport_metrics_head(p, "passport_registry_breaker_open",
            "gauge", "1 while the breaker of any worker is open.");

    for (i = 0; i < n; i++) {
        e = &m->sh->registries[i];
        open = 0;

        for (j = 0; j < NGX_HTTP_PASSPORT_METRICS_WORKERS; j++) {
            open |= e->open[j];
        }

        p = ngx_cpymem(p, "passport_registry_breaker_open{registry=\"",
                       sizeof("passport_registry_breaker_open{registry=\"")
                       - 1);
        p = ngx_http_passport_metrics_escape(p, e->label, e->len);
        p = ngx_sprintf(p, "\"} %ui\n", open ? 1 : 0);
    }

    return p;
}


/* the registries' cache zones, each once */

static ngx_http_passport_cache_t *
ngx_http_passport_metrics_cache(ngx_http_passport_metrics_t *m, ngx_uint_t i)
{
    ngx_uint_t                      j;
    ngx_http_passport_registry_t  **regs;

    regs = m->registries->elts;

    if (regs[i]->cache == NULL) {
        return NULL;
    }

    for (j = 0; j < i; j++) {
        if (regs[j]->cache == regs[i]->cache) {
            return NULL;
        }
    }

    return regs[i]->cache->data;
}


static u_char *
ngx_http_passport_metrics_write_caches(u_char *p,
    ngx_http_passport_metrics_t *m)
{
    ngx_uint_t                     i, k, v[5];
    ngx_http_passport_cache_t     *c;
    ngx_http_passport_cache_sh_t  *sh;

    static const char  *names[] = {
        "passport_cache_hits_total", "passport_cache_misses_total",
        "passport_cache_stale_total", "passport_cache_evictions_total",
        "passport_cache_entries"
    };

    static const char  *helps[] = {
        "Lookups answered fresh from the cache.",
        "Lookups the cache had no fresh answer for.",
        "Failed lookups answered by a stale entry.",
        "Entries removed to make room.",
        "Entries in the cache."
    };

    for (k = 0; k < 5; k++) {
        p = ngx_http_passport_metrics_head(p, names[k],
                                           k == 4 ? "gauge" : "counter",
                                           helps[k]);

        for (i = 0; i < m->registries->nelts; i++) {
            c = ngx_http_passport_metrics_cache(m, i);

            if (c == NULL || c->sh == NULL) {
                continue;
            }

            sh = c->sh;

            ngx_shmtx_lock(&c->shpool->mutex);
            v[0] = sh->hits;
            v[1] = sh->misses;
            v[2] = sh->stale;
            v[3] = sh->evictions;
            v[4] = sh->entries;
            ngx_shmtx_unlock(&c->shpool->mutex);

            p = ngx_sprintf(p, "%s{zone=\"", names[k]);
            p = ngx_http_passport_metrics_escape(p,
                                                 c->shm_zone->shm.name.data,
                                                 c->shm_zone->shm.name.len);
            p = ngx_sprintf(p, "\"} %ui\n", v[k]);
        }
    }

    return p;
}


static u_char *
ngx_http_passport_metrics_head(u_char *p, const char *name, const char *type,
    const char *help)
{
    return ngx_sprintf(p, "# HELP %s %s\n# TYPE %s %s\n",
                       name, help, name, type);
}


/* a label value: backslash, double quote and line feed are escaped */

static u_char *
ngx_http_passport_metrics_escape(u_char *p, u_char *s, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if (s[i] == '\\' || s[i] == '"') {
            *p++ = '\\';
            *p++ = s[i];

        } else if (s[i] == '\n') {
            *p++ = '\\';
            *p++ = 'n';

        } else {
            *p++ = s[i];
        }
    }

    return p;
}
