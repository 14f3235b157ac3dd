
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport.h"
#include "ngx_http_passport_metrics.h"

#include <openssl/evp.h>


/*
 * Registry objects.  An object is the set of settings lookups are made
 * with: the base URL, the token, TLS verification and trusted CAs, the
 * timeout, the breaker's thresholds and the cache zone.  Locations whose
 * settings are all the same share one object, kept in the main
 * configuration; any difference makes another, and no answer obtained
 * with one object's settings is given to another object's locations.
 * The object also holds its circuit breaker, here, and its lookups in
 * flight (registry_share.c).
 */


static ngx_uint_t ngx_http_passport_registry_same(
    ngx_http_passport_registry_t *a, ngx_http_passport_registry_t *b);
static ngx_uint_t ngx_http_passport_registry_eq(ngx_str_t *a, ngx_str_t *b);
static ngx_int_t ngx_http_passport_registry_id(ngx_conf_t *cf,
    ngx_http_passport_registry_t *reg);
static char *ngx_http_passport_lei_params(ngx_conf_t *cf,
    ngx_http_passport_loc_conf_t *plcf, ngx_str_t *params, ngx_uint_t n);


/* the object with these settings: an existing one, or a new one */

ngx_http_passport_registry_t *
ngx_http_passport_registry_add(ngx_conf_t *cf,
    ngx_http_passport_registry_t *settings)
{
    ngx_uint_t                      i;
    ngx_http_passport_registry_t   *reg, **regs;
    ngx_http_passport_main_conf_t  *pmcf;

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_passport_module);

    regs = pmcf->registries.elts;

    for (i = 0; i < pmcf->registries.nelts; i++) {
        if (ngx_http_passport_registry_same(regs[i], settings)) {
            return regs[i];
        }
    }

    reg = ngx_pcalloc(cf->pool, sizeof(ngx_http_passport_registry_t));
    if (reg == NULL) {
        return NULL;
    }

    reg->endpoint = settings->endpoint;
    reg->breaker_failures = settings->breaker_failures;
    reg->breaker_cooldown = settings->breaker_cooldown;
    reg->cache = settings->cache;
    reg->max_age = settings->max_age;
    reg->code_fallback = settings->code_fallback;
    reg->lei = settings->lei;

    ngx_http_passport_endpoint_clear_token(cf, &reg->endpoint,
                                           reg->lei ? "passport_lei_registry"
                                                    : "passport_registry");

    if (ngx_http_passport_endpoint_cert(cf, &reg->endpoint,
                                        "passport_registry_certificate",
                                        "passport_registry_certificate_key")
        != NGX_OK)
    {
        return NULL;
    }

    if (ngx_http_passport_registry_id(cf, reg) != NGX_OK) {
        return NULL;
    }

    ngx_rbtree_init(&reg->inflight, &reg->sentinel,
                    ngx_str_rbtree_insert_value);

    regs = ngx_array_push(&pmcf->registries);
    if (regs == NULL) {
        return NULL;
    }

    *regs = reg;

    return reg;
}


static ngx_uint_t
ngx_http_passport_registry_same(ngx_http_passport_registry_t *a,
    ngx_http_passport_registry_t *b)
{
    return a->endpoint.verify == b->endpoint.verify
           && a->endpoint.timeout == b->endpoint.timeout
           && a->breaker_failures == b->breaker_failures
           && a->breaker_cooldown == b->breaker_cooldown
           && a->cache == b->cache
           && a->max_age == b->max_age
           && a->code_fallback == b->code_fallback
           && a->lei == b->lei
           && ngx_http_passport_registry_eq(&a->endpoint.url,
                                            &b->endpoint.url)
           && ngx_http_passport_registry_eq(&a->endpoint.token,
                                            &b->endpoint.token)
           && ngx_http_passport_registry_eq(&a->endpoint.ca,
                                            &b->endpoint.ca)
           && ngx_http_passport_registry_eq(&a->endpoint.cert,
                                            &b->endpoint.cert)
           && ngx_http_passport_registry_eq(&a->endpoint.cert_key,
                                            &b->endpoint.cert_key);
}


static ngx_uint_t
ngx_http_passport_registry_eq(ngx_str_t *a, ngx_str_t *b)
{
    return a->len == b->len
           && (a->len == 0 || ngx_memcmp(a->data, b->data, a->len) == 0);
}


/*
 * The id: the first 8 bytes of the SHA-256 of the settings, in hex.  The
 * same settings make the same id after a reload or a restart, so that the
 * object finds its cache entries again; other settings, another id.
 */

static ngx_int_t
ngx_http_passport_registry_id(ngx_conf_t *cf,
    ngx_http_passport_registry_t *reg)
{
    u_char                        *buf, *p;
    size_t                         len;
    ngx_str_t                      zone;
    unsigned char                  md[EVP_MAX_MD_SIZE];
    ngx_http_passport_endpoint_t  *ep;

    ep = &reg->endpoint;

    ngx_str_null(&zone);

    if (reg->cache) {
        zone = reg->cache->shm.name;
    }

    len = ep->url.len + ep->token.len + ep->ca.len + zone.len
          + ep->cert.len + ep->cert_key.len + 20 * NGX_INT64_LEN;

    buf = ngx_pnalloc(cf->temp_pool, len);
    if (buf == NULL) {
        return NGX_ERROR;
    }

    /* each string with its length: no two settings make the same text */

    p = ngx_sprintf(buf, "%uz %V %uz %V %uz %V %i %M %ui %M %uz %V %T %i "
                    "%uz %V %uz %V %i",
                    ep->url.len, &ep->url, ep->token.len, &ep->token,
                    ep->ca.len, &ep->ca, (ngx_int_t) ep->verify,
                    ep->timeout, reg->breaker_failures,
                    reg->breaker_cooldown, zone.len, &zone, reg->max_age,
                    (ngx_int_t) reg->code_fallback, ep->cert.len, &ep->cert,
                    ep->cert_key.len, &ep->cert_key, (ngx_int_t) reg->lei);

    if (EVP_Digest(buf, p - buf, md, NULL, EVP_sha256(), NULL) != 1) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "passport: EVP_Digest() failed");
        return NGX_ERROR;
    }

    /* the text holds the token */
    ngx_explicit_memzero(buf, p - buf);

    ngx_hex_dump(reg->id, md, NGX_HTTP_PASSPORT_REGISTRY_ID_LEN / 2);
    ngx_memcpy(&reg->cache_ns, md, sizeof(uint64_t));

    return NGX_OK;
}


/*
 * The name of a lookup among the object's lookups in flight and in its
 * cache: "ID URL", where URL is {base}/entities/{id} or {base}/codes/{code
 * as one path segment}.  *url points into it; both end with a NUL.  A key
 * "." or ".." is percent-encoded too: as it is, it would be a dot-segment,
 * which takes the path up to another resource.
 */

ngx_int_t
ngx_http_passport_registry_key(ngx_pool_t *pool,
    ngx_http_passport_registry_t *reg, ngx_uint_t kind, ngx_str_t *key,
    ngx_str_t *name, ngx_str_t *url)
{
    u_char               c, *p;
    size_t               i;
    ngx_str_t           *base;
    ngx_uint_t           dots;
    static const u_char  hex[] = "0123456789ABCDEF";

    base = &reg->endpoint.url;

    name->data = ngx_pnalloc(pool, NGX_HTTP_PASSPORT_REGISTRY_ID_LEN + 1
                                   + base->len + sizeof("/lei-records/")
                                   + key->len * 3);
    if (name->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(name->data, reg->id, NGX_HTTP_PASSPORT_REGISTRY_ID_LEN);
    *p++ = ' ';

    url->data = p;
    p = ngx_cpymem(p, base->data, base->len);

    if (kind == NGX_HTTP_PASSPORT_ENTITY && reg->lei) {
        p = ngx_cpymem(p, "/lei-records/", sizeof("/lei-records/") - 1);

    } else if (kind == NGX_HTTP_PASSPORT_ENTITY) {
        p = ngx_cpymem(p, "/entities/", sizeof("/entities/") - 1);

    } else {
        p = ngx_cpymem(p, "/codes/", sizeof("/codes/") - 1);
    }

    dots = (key->len == 1 || key->len == 2)
           && key->data[0] == '.' && key->data[key->len - 1] == '.';

    for (i = 0; i < key->len; i++) {
        c = key->data[i];

        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
            || (c >= '0' && c <= '9') || c == '-' || (c == '.' && !dots)
            || c == '_' || c == '~')
        {
            *p++ = c;
            continue;
        }

        *p++ = '%';
        *p++ = hex[c >> 4];
        *p++ = hex[c & 0xf];
    }

    *p = '\0';

    url->len = p - url->data;
    name->len = p - name->data;

    return NGX_OK;
}


/*
 * passport_cache_purge: drops the cached answer to a lookup for every
 * object that uses reg's zone and base URL, whatever their other settings.
 * Returns how many entries were dropped, or NGX_ERROR; *url is the lookup
 * URL.
 */

ngx_int_t
ngx_http_passport_registry_purge(ngx_http_request_t *r,
    ngx_http_passport_registry_t *reg, ngx_uint_t kind, ngx_str_t *key,
    ngx_str_t *url)
{
    ngx_int_t                       removed;
    ngx_str_t                       name;
    ngx_uint_t                      i;
    ngx_http_passport_registry_t  **regs;
    ngx_http_passport_cache_key_t   ck;
    ngx_http_passport_main_conf_t  *pmcf;

    if (ngx_http_passport_registry_key(r->pool, reg, kind, key, &name, url)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_passport_module);

    regs = pmcf->registries.elts;
    removed = 0;

    for (i = 0; i < pmcf->registries.nelts; i++) {

        if (regs[i]->cache != reg->cache
            || !ngx_http_passport_registry_eq(&regs[i]->endpoint.url,
                                              &reg->endpoint.url))
        {
            continue;
        }

        /* the same lookup under that object's id */
        ck.ns = ngx_http_passport_registry_ns(regs[i], kind);
        ck.key = *key;

        removed += ngx_http_passport_cache_purge(reg->cache->data, &ck);
    }

    return removed;
}


/*
 * Whether the breaker is open: after breaker_failures consecutive
 * failures a worker fails fast for the cool-down, then lets one probe
 * through while the other lookups keep failing fast.
 */

ngx_uint_t
ngx_http_passport_registry_open(ngx_http_passport_registry_t *reg,
    time_t *retry_after)
{
    ngx_msec_int_t  left;

    if (reg->open_until == 0) {
        return 0;
    }

    left = (ngx_msec_int_t) (reg->open_until - ngx_current_msec);

    if (retry_after) {
        *retry_after = left > 0 ? (left + 999) / 1000 : 1;
    }

    return left > 0 || reg->probing;
}


/* a fetch starts: when the breaker is half-open, it is the probe */

ngx_uint_t
ngx_http_passport_registry_probe(ngx_http_passport_registry_t *reg)
{
    if (reg->failures < reg->breaker_failures) {
        return 0;
    }

    reg->probing = 1;

    return 1;
}


/* a fetch ended: a success closes the breaker, failures open it */

void
ngx_http_passport_registry_breaker(ngx_http_passport_registry_t *reg,
    ngx_uint_t probe, ngx_uint_t failed, ngx_log_t *log)
{
    if (probe) {
        reg->probing = 0;
    }

    if (!failed) {
        if (reg->failures >= reg->breaker_failures) {
            ngx_log_error(NGX_LOG_NOTICE, log, 0,
                          "passport: registry \"%V\" answers again, "
                          "breaker closed", &reg->endpoint.url);
        }

        reg->failures = 0;
        reg->open_until = 0;
        ngx_http_passport_metrics_breaker(reg, 0);
        return;
    }

    reg->failures++;

    if (reg->failures < reg->breaker_failures) {
        return;
    }

    if (reg->failures == reg->breaker_failures || probe) {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "passport: registry \"%V\" failed %ui times in a row, "
                      "failing fast for %M ms", &reg->endpoint.url,
                      reg->failures, reg->breaker_cooldown);
    }

    reg->open_until = ngx_current_msec + reg->breaker_cooldown;

    if (reg->open_until == 0) {
        reg->open_until = 1;
    }

    ngx_http_passport_metrics_breaker(reg, 1);
}


char *
ngx_http_passport_set_registry(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_passport_loc_conf_t *plcf = conf;

    char       *rv;
    ngx_str_t  *value, *url;

    if (plcf->registry_url != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        plcf->registry_url = NULL;
        return NGX_CONF_OK;
    }

    url = ngx_palloc(cf->pool, sizeof(ngx_str_t));
    if (url == NULL) {
        return NGX_CONF_ERROR;
    }

    *url = value[1];

    /* lookup URLs are logged: the credentials go in the token file */

    rv = ngx_http_passport_endpoint_url(cf, url, NGX_HTTP_PASSPORT_URL_BASE,
                                        "registry",
                                        "passport_registry_token_file");
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    plcf->registry_url = url;

    return NGX_CONF_OK;
}


char *
ngx_http_passport_set_registry_token(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_passport_loc_conf_t *plcf = conf;

    ngx_str_t  *value;

    if (plcf->registry_token.data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    return ngx_http_passport_token_read(cf, &value[1],
                                        &plcf->registry_token);
}


char *
ngx_http_passport_set_registry_ca(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_passport_loc_conf_t *plcf = conf;

    ngx_str_t  *value;

    if (plcf->registry_ca.data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    return ngx_http_passport_endpoint_ca(cf, &value[1], &plcf->registry_ca);
}


/*
 * passport_lei_registry URL [token_file=FILE] [trusted_certificate=FILE]:
 * GLEIF's API, or a copy of it, for sellers identified by an LEI.  It is
 * a registry object of its own, made by the merge with the location's
 * registry settings less the token and the trusted CAs, which are its
 * own: the national registry's never go to GLEIF.
 */

char *
ngx_http_passport_set_lei_registry(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_passport_loc_conf_t *plcf = conf;

    char       *rv;
    ngx_str_t  *value, *url;

    if (plcf->lei_url != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        if (cf->args->nelts > 2) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"passport_lei_registry off\" takes no "
                               "parameter, \"%V\" given: remove it",
                               &value[2]);
            return NGX_CONF_ERROR;
        }

        plcf->lei_url = NULL;
        return NGX_CONF_OK;
    }

    url = ngx_palloc(cf->pool, sizeof(ngx_str_t));
    if (url == NULL) {
        return NGX_CONF_ERROR;
    }

    *url = value[1];

    rv = ngx_http_passport_endpoint_url(cf, url, NGX_HTTP_PASSPORT_URL_BASE,
                                        "LEI registry",
                                        "the token_file= parameter");
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    rv = ngx_http_passport_lei_params(cf, plcf, &value[2],
                                      cf->args->nelts - 2);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    plcf->lei_url = url;

    return NGX_CONF_OK;
}


/* token_file= and trusted_certificate=, each at most once */

static char *
ngx_http_passport_lei_params(ngx_conf_t *cf,
    ngx_http_passport_loc_conf_t *plcf, ngx_str_t *params, ngx_uint_t n)
{
    char        *rv;
    ngx_str_t    s, *dst;
    ngx_uint_t   i;

    for (i = 0; i < n; i++) {

        if (params[i].len > 11
            && ngx_strncmp(params[i].data, "token_file=", 11) == 0)
        {
            dst = &plcf->lei_token;
            s.data = params[i].data + 11;
            s.len = params[i].len - 11;

        } else if (params[i].len > 20
                   && ngx_strncmp(params[i].data, "trusted_certificate=", 20)
                      == 0)
        {
            dst = &plcf->lei_ca;
            s.data = params[i].data + 20;
            s.len = params[i].len - 20;

        } else {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"passport_lei_registry\": invalid "
                               "parameter \"%V\": token_file=FILE and "
                               "trusted_certificate=FILE are known",
                               &params[i]);
            return NGX_CONF_ERROR;
        }

        if (dst->data) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"passport_lei_registry\": duplicate "
                               "parameter \"%V\": give it once",
                               &params[i]);
            return NGX_CONF_ERROR;
        }

        rv = (dst == &plcf->lei_token)
             ? ngx_http_passport_token_read(cf, &s, dst)
             : ngx_http_passport_endpoint_ca(cf, &s, dst);

        if (rv != NGX_CONF_OK) {
            return rv;
        }
    }

    return NGX_CONF_OK;
}


/* passport_registry_certificate and _key: checked as a pair by the merge */

char *
ngx_http_passport_set_registry_cert(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_passport_loc_conf_t *plcf = conf;

    ngx_str_t  *value, *file;

    file = (cmd->offset == 0) ? &plcf->registry_cert
                              : &plcf->registry_cert_key;

    if (file->data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    return ngx_http_passport_endpoint_file(cf, &value[1], file);
}


char *
ngx_http_passport_set_registry_breaker(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_passport_loc_conf_t *plcf = conf;

    ngx_int_t    n;
    ngx_str_t   *value;
    ngx_msec_t   ms;

    if (plcf->breaker_failures != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    n = ngx_atoi(value[1].data, value[1].len);
    if (n < 1 || n > 1000) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": invalid number of failures \"%V\": "
                           "use 1 to 1000", &cmd->name, &value[1]);
        return NGX_CONF_ERROR;
    }

    ms = ngx_parse_time(&value[2], 0);
    if (ms == (ngx_msec_t) NGX_ERROR || ms == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": invalid cool-down \"%V\": use a time "
                           "above 0, such as 10s", &cmd->name, &value[2]);
        return NGX_CONF_ERROR;
    }

    plcf->breaker_failures = n;
    plcf->breaker_cooldown = ms;

    return NGX_CONF_OK;
}
