
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport_report_log.h"
#include "ngx_http_passport_report_file.h"
#include "ngx_http_passport_report_tail.h"
#include "ngx_http_passport_report_writer.h"
#include "ngx_http_passport_problems.h"
#include "ngx_http_passport_metrics.h"


/*
 * The report log (passport_report_log): one signed, hash-chained record
 * per flagged or blocked request, written before the response goes out.
 * All workers append to one chain: its state (last seq and hash) lives in
 * shared memory and is advanced under the zone's lock, only once a whole
 * line was written (report_writer.c).  Here: the directive and its
 * parameters, the chain's zone, and what a verdict's record holds.  The
 * files are report_file.c's; the chain's end at start report_tail.c's.
 */


static char *ngx_http_passport_report_log_param(ngx_conf_t *cf,
    ngx_http_passport_report_log_t *rl, ngx_str_t *value, ngx_str_t *key);
static char *ngx_http_passport_report_log_key(ngx_conf_t *cf,
    ngx_http_passport_report_log_t *rl, ngx_str_t *key);
static char *ngx_http_passport_report_log_threads_param(ngx_conf_t *cf,
    ngx_http_passport_report_log_t *rl, ngx_str_t *name);
static ngx_int_t ngx_http_passport_report_log_init_zone(
    ngx_shm_zone_t *zone, void *data);
static void ngx_http_passport_report_log_key_cleanup(void *data);
static void ngx_http_passport_report_log_verdict(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx, ngx_http_passport_report_log_t *rl,
    ngx_http_passport_report_t *rec);
static ngx_int_t ngx_http_passport_report_log_items(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx, ngx_http_passport_report_t *rec);
static ngx_uint_t ngx_http_passport_report_log_known(
    ngx_http_passport_item_t *it, ngx_http_passport_report_code_t *c,
    ngx_uint_t checked);


char *
ngx_http_passport_report_log(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_passport_main_conf_t *pmcf = conf;

    char                            *rv;
    ngx_str_t                       *value, name, key;
    ngx_uint_t                       i;
    ngx_http_passport_report_log_t  *rl;

    if (pmcf->reports) {
        return "is duplicate";
    }

    value = cf->args->elts;

    rl = ngx_pcalloc(cf->pool, sizeof(ngx_http_passport_report_log_t));
    if (rl == NULL) {
        return NGX_CONF_ERROR;
    }

    rl->path = value[1];
    rl->node = cf->cycle->hostname;
    rl->cycle = cf->cycle;
    ngx_str_null(&key);

    for (i = 2; i < cf->args->nelts; i++) {
        rv = ngx_http_passport_report_log_param(cf, rl, &value[i], &key);
        if (rv != NGX_CONF_OK) {
            return rv;
        }
    }

    if (ngx_conf_full_name(cf->cycle, &rl->path, 0) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    rv = ngx_http_passport_report_file_init(cf, rl);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    if (key.len) {
        rv = ngx_http_passport_report_log_key(cf, rl, &key);
        if (rv != NGX_CONF_OK) {
            return rv;
        }
    }

    ngx_str_set(&name, "passport_report_log");

    rl->shm_zone = ngx_shared_memory_add(cf, &name, 8 * ngx_pagesize,
                                         &ngx_http_passport_module);
    if (rl->shm_zone == NULL) {
        return NGX_CONF_ERROR;
    }

    rl->shm_zone->init = ngx_http_passport_report_log_init_zone;
    rl->shm_zone->data = rl;

    pmcf->reports = rl;

    return NGX_CONF_OK;
}


static char *
ngx_http_passport_report_log_param(ngx_conf_t *cf,
    ngx_http_passport_report_log_t *rl, ngx_str_t *value, ngx_str_t *key)
{
    ngx_str_t  name;

    if (ngx_strncmp(value->data, "key=", 4) == 0) {
        key->data = value->data + 4;
        key->len = value->len - 4;
        return NGX_CONF_OK;
    }

    if (ngx_strncmp(value->data, "node=", 5) == 0
        && value->len > 5 && value->len <= 5 + 128)
    {
        rl->node.data = value->data + 5;
        rl->node.len = value->len - 5;
        return NGX_CONF_OK;
    }

    if (ngx_strncmp(value->data, "operator=", 9) == 0
        && value->len > 9 && value->len <= 9 + 128 && rl->oper.len == 0)
    {
        rl->oper.data = value->data + 9;
        rl->oper.len = value->len - 9;
        return NGX_CONF_OK;
    }

    if (ngx_strncmp(value->data, "state=", 6) == 0 && value->len > 6
        && rl->state.len == 0)
    {
        rl->state.data = value->data + 6;
        rl->state.len = value->len - 6;
        return NGX_CONF_OK;
    }

    if (value->len == 14
        && ngx_strncmp(value->data, "body_errors=on", 14) == 0)
    {
        rl->body_errors = 1;
        return NGX_CONF_OK;
    }

    if (value->len == 15
        && ngx_strncmp(value->data, "body_errors=off", 15) == 0)
    {
        rl->body_errors = 0;
        return NGX_CONF_OK;
    }

    if (ngx_strncmp(value->data, "threads=", 8) == 0
        && value->len > 8 && !rl->threads_set)
    {
        name.data = value->data + 8;
        name.len = value->len - 8;

        return ngx_http_passport_report_log_threads_param(cf, rl, &name);
    }

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid parameter \"%V\" in \"passport_report_log\": "
                       "key=, node= and operator= (1 to 128 bytes), "
                       "state=, body_errors=on|off and threads= are "
                       "known, each once", value);
    return NGX_CONF_ERROR;
}


/* key=: the private key records are signed with, freed with the cycle */

static char *
ngx_http_passport_report_log_key(ngx_conf_t *cf,
    ngx_http_passport_report_log_t *rl, ngx_str_t *key)
{
    char                 why[256];
    ngx_file_info_t      fi;
    ngx_pool_cleanup_t  *cln;

    if (ngx_conf_full_name(cf->cycle, key, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    /* the master reads it; the workers sign with the copy they inherit */

    if (ngx_file_info(key->data, &fi) != NGX_FILE_ERROR
        && (fi.st_mode & (S_IRWXG|S_IRWXO)))
    {
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "\"passport_report_log\": the signing key \"%V\" "
                           "is readable or writable by group or others "
                           "(mode 0%ui%ui%ui); \"chmod 600 %V\": only root "
                           "needs to read it", key,
                           (ngx_uint_t) (fi.st_mode >> 6) & 7,
                           (ngx_uint_t) (fi.st_mode >> 3) & 7,
                           (ngx_uint_t) fi.st_mode & 7, key);
    }

    rl->key = ngx_http_passport_report_key_read((char *) key->data, 1,
                                                why, sizeof(why));
    if (rl->key == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid report key \"%V\": %s", key, why);
        return NGX_CONF_ERROR;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        EVP_PKEY_free(rl->key);
        return NGX_CONF_ERROR;
    }

    cln->handler = ngx_http_passport_report_log_key_cleanup;
    cln->data = rl->key;

    /* every record names its key: the regulator picks the public key */

    if (ngx_http_passport_report_kid(rl->key, rl->kid) != 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"passport_report_log\": the ID of the key "
                           "\"%V\" cannot be computed (OpenSSL)", key);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * threads=NAME: the file work of the log's readers runs in nginx's
 * thread pool NAME ("thread_pool" directive; "default" needs none);
 * threads=off: in the worker.  Without it: in the pool "default" when
 * the configuration has one, else in the worker.
 */

static char *
ngx_http_passport_report_log_threads_param(ngx_conf_t *cf,
    ngx_http_passport_report_log_t *rl, ngx_str_t *name)
{
    rl->threads_set = 1;

    if (name->len == 3 && ngx_strncmp(name->data, "off", 3) == 0) {
        rl->threads_off = 1;
        return NGX_CONF_OK;
    }

#if (NGX_THREADS)

    rl->threads = ngx_thread_pool_add(cf, name);
    if (rl->threads == NULL) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;

#else

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "\"threads=%V\" of \"passport_report_log\" needs "
                       "nginx built with thread pools (--with-threads)",
                       name);
    return NGX_CONF_ERROR;

#endif
}


/* the thread pool for io, looked up once per worker; none: NULL */

void
ngx_http_passport_report_log_threads(ngx_http_passport_report_log_t *rl,
    ngx_http_passport_report_io_t *io)
{
#if (NGX_THREADS)

    ngx_str_t  name;

    if (!rl->threads_set) {
        /* the worker's own copy of the configuration */

        ngx_str_set(&name, "default");
        rl->threads = ngx_thread_pool_get((ngx_cycle_t *) ngx_cycle, &name);
        rl->threads_set = 1;
    }

    io->threads = rl->threads_off ? NULL : rl->threads;

#endif
}


static void
ngx_http_passport_report_log_key_cleanup(void *data)
{
    EVP_PKEY_free(data);
}


/* the workers' state directory, NUL-terminated: for the push cursor */

ngx_str_t *
ngx_http_passport_report_log_state_dir(ngx_http_passport_report_log_t *rl)
{
    return &rl->state;
}


/* the log's full path, NUL-terminated: for its readers */

ngx_str_t *
ngx_http_passport_report_log_path(ngx_http_passport_report_log_t *rl)
{
    return &rl->path;
}


/*
 * In the master, before the workers start: a reload keeps the chain; a
 * start finds it at the end of the file, and notes a line cut by a crash.
 */

static ngx_int_t
ngx_http_passport_report_log_init_zone(ngx_shm_zone_t *zone, void *data)
{
    ngx_http_passport_report_log_t  *orl = data;

    ngx_http_passport_report_log_t  *rl;

    rl = zone->data;
    rl->shpool = (ngx_slab_pool_t *) zone->shm.addr;

    if (ngx_http_passport_report_file_own(rl, zone->shm.log) != NGX_OK) {
        return NGX_ERROR;
    }

    if (orl) {
        rl->sh = orl->sh;
        return NGX_OK;
    }

    if (zone->shm.exists) {
        rl->sh = rl->shpool->data;
        return NGX_OK;
    }

    rl->sh = ngx_slab_calloc(rl->shpool,
                             sizeof(ngx_http_passport_report_log_sh_t));
    if (rl->sh == NULL) {
        return NGX_ERROR;
    }

    rl->shpool->data = rl->sh;

    ngx_http_passport_report_chain_init(&rl->sh->chain);

    return ngx_http_passport_report_tail_recover(rl, zone->shm.log);
}


/* the record of a flagged or blocked request, before its response */

void
ngx_http_passport_report_log_append(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx)
{
    ngx_http_passport_report_t       rec;
    ngx_http_passport_report_log_t  *rl;
    ngx_http_passport_main_conf_t   *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_passport_module);
    rl = pmcf->reports;

    if (rl == NULL || ctx->verdict == NGX_HTTP_PASSPORT_VERDICT_PASS) {
        return;
    }

    /* junk (not JSON, malformed, too many items) only when asked */

    if (!rl->body_errors
        && ngx_http_passport_errors_whole_body(ctx->errors.elts,
                                               ctx->errors.nelts))
    {
        return;
    }

    ngx_memzero(&rec, sizeof(ngx_http_passport_report_t));

    if (ngx_http_passport_report_log_items(r, ctx, &rec) != NGX_OK) {
        return;
    }

    ngx_http_passport_report_log_verdict(r, ctx, rl, &rec);

    ngx_shmtx_lock(&rl->shpool->mutex);

    ngx_http_passport_report_file_follow(rl, r->connection->log);

    if (ngx_http_passport_report_writer_write(rl, &rec, r->pool,
                                              r->connection->log)
        == NGX_OK)
    {
        ngx_http_passport_metrics_report(rec.seq);
    }

    ngx_shmtx_unlock(&rl->shpool->mutex);
}


/*
 * Which fields of the request go into its verdict record: the verdict
 * and mode, the request's ID, method and path (no query), the seller as
 * shown to it and what the registry said of that seller.
 */

static void
ngx_http_passport_report_log_verdict(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx, ngx_http_passport_report_log_t *rl,
    ngx_http_passport_report_t *rec)
{
    u_char     *p;
    ngx_str_t   id, seller;

    rec->type = NGX_HTTP_PASSPORT_REPORT_VERDICT;
    rec->oper = rl->oper.len ? rl->oper.data : NULL;
    rec->oper_len = rl->oper.len;
    rec->seller_status = ctx->seller_status;
    rec->seller_name = (u_char *) ctx->seller_name;
    rec->seller_name_len = ctx->seller_name ? ngx_strlen(ctx->seller_name)
                                            : 0;
    rec->seller_country = ctx->seller_country;
    rec->verdict = (int) ctx->verdict;
    rec->mode = (int) ctx->mode;

    ngx_http_passport_request_id(r, &id);
    rec->request_id = id.data;
    rec->request_id_len = id.len;

    ngx_http_passport_seller_shown(ctx, &seller);

    if (seller.len) {
        rec->seller = seller.data;
        rec->seller_len = seller.len;
    }

    rec->method = r->method_name.data;
    rec->method_len = r->method_name.len;

    p = ngx_strlchr(r->unparsed_uri.data,
                    r->unparsed_uri.data + r->unparsed_uri.len, '?');
    rec->uri = r->unparsed_uri.data;
    rec->uri_len = p ? (size_t) (p - r->unparsed_uri.data)
                     : r->unparsed_uri.len;
}


/*
 * The record's reasons and items (passport_report.c builds them in time
 * linear in the problems and items): what is known of each item by the
 * pointers into it (its code, its own seller, its claimed origin), the
 * items checked first (their codes canonical, the registry's answers),
 * then those not checked for their own seller.
 */

static ngx_int_t
ngx_http_passport_report_log_items(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx, ngx_http_passport_report_t *rec)
{
    void                             *mem;
    size_t                            n;
    ngx_uint_t                        i;
    ngx_http_passport_item_t         *it;
    ngx_http_passport_report_code_t  *codes;

    n = 3 * (ctx->items.nelts + ctx->others.nelts);

    codes = ngx_palloc(r->pool,
                       (n + 1) * sizeof(ngx_http_passport_report_code_t));
    mem = ngx_palloc(r->pool,
                     ngx_http_passport_report_build_size(ctx->errors.nelts,
                                                         n));
    if (codes == NULL || mem == NULL) {
        return NGX_ERROR;
    }

    n = 0;
    it = ctx->items.elts;

    for (i = 0; i < ctx->items.nelts; i++) {
        n += ngx_http_passport_report_log_known(&it[i], &codes[n], 1);
    }

    it = ctx->others.elts;

    for (i = 0; i < ctx->others.nelts; i++) {
        n += ngx_http_passport_report_log_known(&it[i], &codes[n], 0);
    }

    ngx_http_passport_report_build(rec, mem, ctx->errors.elts,
                                   ctx->errors.nelts, codes, n,
                                   (unsigned long) ngx_random());

    return NGX_OK;
}


/* what is known of an item, by its pointers (1 to 3 of them) */

static ngx_uint_t
ngx_http_passport_report_log_known(ngx_http_passport_item_t *it,
    ngx_http_passport_report_code_t *c, ngx_uint_t checked)
{
    ngx_uint_t  n;

    ngx_memzero(c, sizeof(ngx_http_passport_report_code_t));

    if (it->own_seller) {
        /* normalised, or as it was sent */
        c->seller = it->seller.len ? it->seller.data : it->seller_value;
        c->seller_len = it->seller.len ? it->seller.len
                                       : it->seller_value_len;
        c->seller_status = it->seller_status;
        c->seller_name = (u_char *) it->seller_name;
        c->seller_name_len = it->seller_name ? ngx_strlen(it->seller_name)
                                             : 0;
        c->seller_country = it->seller_country;
    }

    c->status = it->status;
    c->owner = it->owner;

    c[1] = c[0];
    c[2] = c[0];

    c[0].pointer = it->pointer.data;
    c[0].pointer_len = it->pointer.len;

    if (checked) {
        c[0].code = it->code.data;
        c[0].code_len = it->code.len;
    }

    n = 1;

    if (it->seller_pointer.len) {
        c[n].pointer = it->seller_pointer.data;
        c[n++].pointer_len = it->seller_pointer.len;
    }

    if (it->origin_pointer.len) {
        c[n].pointer = it->origin_pointer.data;
        c[n++].pointer_len = it->origin_pointer.len;
    }

    return n;
}
