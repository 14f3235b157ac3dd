
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport.h"
#include "passport_cache_control.h"
#include "ngx_http_passport_metrics.h"


/*
 * The GET of a registry lookup, a transfer of the worker's HTTP client
 * (ngx_http_passport_curl.c) set up as every request to an endpoint
 * (ngx_http_passport_endpoint.c).  The answer's body is kept, up to
 * 65536 bytes, and its Cache-Control is read for the cache.
 */


#define NGX_HTTP_PASSPORT_BODY_MAX  65536


static size_t ngx_http_passport_fetch_header(char *buf, size_t size,
    size_t nitems, void *userdata);
static size_t ngx_http_passport_fetch_write(char *ptr, size_t size,
    size_t nmemb, void *userdata);


/* done(data, code, cause) is called when it ends, unless it is closed */

ngx_int_t
ngx_http_passport_fetch_start(ngx_http_passport_fetch_t *f,
    ngx_http_passport_registry_t *reg, ngx_pool_t *pool, u_char *url,
    ngx_http_passport_transfer_done_pt done, void *data)
{
    CURL               *easy;
    u_char             *base;
    static const char  *headers[] = { "Accept: application/json", NULL };

    f->pool = pool;
    f->reg = reg;
    f->max_age = -1;

    if (ngx_http_passport_endpoint_easy(&reg->endpoint, &f->ex, pool, url,
                                        headers)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    easy = f->ex.easy;

    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION,
                     ngx_http_passport_fetch_write);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, f);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION,
                     ngx_http_passport_fetch_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, f);

    base = reg->endpoint.url.data;

    if (base[4] == 's' || base[4] == 'S') {
        /* over TLS the registry may offer HTTP/2: wait to multiplex */
        curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
    }

    /* while lookups are in flight a worker finishes them before exiting */

    return ngx_http_passport_endpoint_start(&f->ex, done, data, 1);
}


/*
 * The answer's status, and in *cause why there is none, if not given;
 * counted for the metrics.
 */

long
ngx_http_passport_fetch_result(ngx_http_passport_fetch_t *f, CURLcode code,
    const char **cause)
{
    long  status;

    if (*cause == NULL && code != CURLE_OK) {
        *cause = f->too_big ? NGX_HTTP_PASSPORT_MSG_CAUSE_BODY_TOO_LARGE_EN
                            : ngx_http_passport_endpoint_cause(&f->ex, code);
    }

    status = ngx_http_passport_endpoint_status(&f->ex);

    ngx_http_passport_metrics_fetch(f->reg, f->ex.transfer.local,
                                    code == CURLE_OK ? status : 0);

    return status;
}


/*
 * How long the cache keeps the answer: the zone's time, or the registry's
 * max-age up to max (passport_registry_max_age): a registry, or whoever
 * answers in its name, cannot have an answer kept for years.
 */

time_t
ngx_http_passport_fetch_ttl(ngx_http_passport_fetch_t *f,
    ngx_http_passport_cache_t *cache, long status, time_t max)
{
    if (f->no_store) {
        return 0;
    }

    if (f->max_age >= 0) {
        return ngx_min(f->max_age, max);
    }

    return (status == 404) ? cache->not_found : cache->valid;
}


void
ngx_http_passport_fetch_close(ngx_http_passport_fetch_t *f)
{
    ngx_http_passport_endpoint_close(&f->ex);
}


/*
 * Cache-Control: max-age=N and no-store (or no-cache) decide the TTL, as
 * core/passport_cache_control.c reads them (RFC 9111)
 */

static size_t
ngx_http_passport_fetch_header(char *buf, size_t size, size_t nitems,
    void *userdata)
{
    ngx_http_passport_fetch_t *f = userdata;

    size_t                              n;
    ngx_http_passport_cache_control_t   cc;

    n = size * nitems;

    if (n > 5 && ngx_strncmp(buf, "HTTP/", 5) == 0) {
        /* a new response: forget what an earlier one said */
        f->max_age = -1;
        f->no_store = 0;
        return n;
    }

    cc.max_age = f->max_age;
    cc.no_store = f->no_store;

    if (ngx_http_passport_cache_control_header((u_char *) buf, n, &cc)) {
        f->max_age = (time_t) cc.max_age;
        f->no_store = cc.no_store;
    }

    return n;
}


static size_t
ngx_http_passport_fetch_write(char *ptr, size_t size, size_t nmemb,
    void *userdata)
{
    ngx_http_passport_fetch_t *f = userdata;

    u_char  *p;
    size_t   n, want;

    n = size * nmemb;

    if (n > NGX_HTTP_PASSPORT_BODY_MAX - f->len) {
        f->too_big = 1;
        return 0;
    }

    if (f->len + n > f->size) {
        want = ngx_max(f->size * 2, f->len + n);
        want = ngx_min(want, NGX_HTTP_PASSPORT_BODY_MAX);

        p = ngx_pnalloc(f->pool, want);
        if (p == NULL) {
            return 0;
        }

        if (f->len) {
            ngx_memcpy(p, f->body, f->len);
        }

        f->body = p;
        f->size = want;
    }

    ngx_memcpy(f->body + f->len, ptr, n);
    f->len += n;

    return n;
}
