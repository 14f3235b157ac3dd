
/*
 * Copyright (C) passport developers
 */


#include <dirent.h>

#include "ngx_http_passport_report_receive_check.h"


/*
 * A push is checked whole here, before the store sees it: every line a
 * record, its node's name safe as a file name and the same on every line,
 * its hash right, its signature by a key of keys=DIR registered for its
 * node (by its kid; a record without kid: the node's first key), and each
 * record following the one before it.  Nothing here touches a file or the
 * zone.
 */


typedef struct {
    ngx_str_t                   node;
    char                        kid[NGX_HTTP_PASSPORT_REPORT_KID + 1];
    EVP_PKEY                   *key;
    ngx_uint_t                  plain;          /* NODE.pem, no KID */
} ngx_http_passport_receive_key_t;


static char *ngx_http_passport_receive_key(ngx_conf_t *cf, ngx_array_t *keys,
    ngx_str_t *dir, const char *file);
static char *ngx_http_passport_receive_key_name(ngx_conf_t *cf,
    ngx_http_passport_receive_key_t *k, u_char *path, size_t dir_len,
    size_t len);
static ngx_int_t ngx_http_passport_receive_line(ngx_pool_t *pool,
    ngx_array_t *keys, ngx_http_passport_receive_rec_t *rec,
    ngx_http_passport_receive_rec_t *before, ngx_uint_t lineno,
    ngx_http_passport_receive_answer_t *an);
static EVP_PKEY *ngx_http_passport_receive_line_key(ngx_array_t *keys,
    ngx_http_passport_receive_rec_t *rec,
    ngx_http_passport_receive_rec_t *before, ngx_uint_t *status,
    const char **detail);
static const char *ngx_http_passport_receive_line_signed(EVP_PKEY *key,
    ngx_http_passport_receive_rec_t *rec,
    ngx_http_passport_receive_rec_t *before);
static EVP_PKEY *ngx_http_passport_receive_find_key(ngx_array_t *keys,
    ngx_http_passport_report_line_t *l, ngx_uint_t *known_node);


/* keys=DIR: NODE.pem, or NODE.KID.pem while a node rotates its key */

char *
ngx_http_passport_receive_keys(ngx_conf_t *cf, ngx_array_t *keys,
    ngx_str_t *dir)
{
    DIR            *d;
    char           *rc;
    size_t          len;
    struct dirent  *de;

    if (ngx_array_init(keys, cf->pool, 4,
                       sizeof(ngx_http_passport_receive_key_t))
        != NGX_OK
        || ngx_conf_full_name(cf->cycle, dir, 1) != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    d = opendir((char *) dir->data);
    if (d == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "\"passport_report_receive\" cannot read the "
                           "key directory \"%V\"", dir);
        return NGX_CONF_ERROR;
    }

    rc = NGX_CONF_OK;

    while (rc == NGX_CONF_OK && (de = readdir(d)) != NULL) {
        len = ngx_strlen(de->d_name);

        if (len > 4 && de->d_name[0] != '.'
            && ngx_strcmp(de->d_name + len - 4, ".pem") == 0)
        {
            rc = ngx_http_passport_receive_key(cf, keys, dir, de->d_name);
        }
    }

    (void) closedir(d);

    if (rc == NGX_CONF_OK && keys->nelts == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"passport_report_receive\": no key in \"%V\"; "
                           "put each node's public key there as NODE.pem",
                           dir);
        return NGX_CONF_ERROR;
    }

    return rc;
}


static char *
ngx_http_passport_receive_key(ngx_conf_t *cf, ngx_array_t *keys,
    ngx_str_t *dir, const char *file)
{
    char                             why[256];
    u_char                          *path;
    size_t                           len;
    ngx_http_passport_receive_key_t *k;

    len = ngx_strlen(file) - 4;

    path = ngx_pnalloc(cf->pool, dir->len + len + 6);
    k = ngx_array_push(keys);
    if (path == NULL || k == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_sprintf(path, "%V/%s%Z", dir, file);

    k->key = ngx_http_passport_report_key_read((char *) path, 0, why,
                                               sizeof(why));
    if (k->key == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"passport_report_receive\": invalid key: %s",
                           why);
        keys->nelts--;
        return NGX_CONF_ERROR;
    }

    if (ngx_http_passport_report_kid(k->key, k->kid) != 0) {
        return NGX_CONF_ERROR;
    }

    return ngx_http_passport_receive_key_name(cf, k, path, dir->len, len);
}


/* the node of NODE.pem or NODE.KID.pem, whose KID must be the key's */

static char *
ngx_http_passport_receive_key_name(ngx_conf_t *cf,
    ngx_http_passport_receive_key_t *k, u_char *path, size_t dir_len,
    size_t len)
{
    u_char  *dot;

    k->node.data = path + dir_len + 1;
    k->node.len = len;
    k->plain = 1;
    dot = (len > NGX_HTTP_PASSPORT_REPORT_KID + 1)
          ? k->node.data + len - NGX_HTTP_PASSPORT_REPORT_KID - 1 : NULL;

    if (dot && *dot == '.') {
        if (ngx_strncmp(dot + 1, k->kid, NGX_HTTP_PASSPORT_REPORT_KID)
            != 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"passport_report_receive\": \"%s\" holds "
                               "the key %s, not the key its name says; "
                               "name it NODE.%s.pem or NODE.pem", path,
                               k->kid, k->kid);
            return NGX_CONF_ERROR;
        }

        k->node.len = dot - k->node.data;
        k->plain = 0;
    }

    if (!ngx_http_passport_receive_safe(k->node.data, k->node.len)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"passport_report_receive\": \"%s\" does not "
                           "name a node: letters, digits, \".\", \"-\" and "
                           "\"_\" only, as NODE.pem", path);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


void
ngx_http_passport_receive_keys_free(ngx_array_t *keys)
{
    ngx_uint_t                        i;
    ngx_http_passport_receive_key_t  *k;

    k = keys->elts;

    for (i = 0; i < keys->nelts; i++) {
        EVP_PKEY_free(k[i].key);
    }

    keys->nelts = 0;
}


/* a node's name that is a file name of its own: [A-Za-z0-9._-], no "." */

ngx_uint_t
ngx_http_passport_receive_safe(u_char *p, size_t len)
{
    size_t  i;

    if (len == 0 || len > NGX_HTTP_PASSPORT_REPORT_NODE_MAX
        || p[0] == '.')
    {
        return 0;
    }

    for (i = 0; i < len; i++) {
        if (!(((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z')
              || (p[i] >= '0' && p[i] <= '9')) || p[i] == '.' || p[i] == '-'
              || p[i] == '_'))
        {
            return 0;
        }
    }

    return 1;
}


/*
 * Every line of the body checked, before anything is stored: returns
 * the records, or NULL with the answer in an.
 */

ngx_array_t *
ngx_http_passport_receive_check(ngx_pool_t *pool, ngx_array_t *keys,
    u_char *body, size_t len, ngx_http_passport_receive_answer_t *an)
{
    u_char                           *p, *end, *eol;
    ngx_array_t                      *recs;
    ngx_http_passport_receive_rec_t  *rec, *before;

    recs = ngx_array_create(pool, 64, sizeof(ngx_http_passport_receive_rec_t));
    if (recs == NULL) {
        goto failed;
    }

    for (p = body, end = body + len; p < end; p = eol + 1) {
        eol = ngx_strlchr(p, end, '\n');
        if (eol == NULL) {
            eol = end;
        }

        rec = ngx_array_push(recs);
        if (rec == NULL) {
            goto failed;
        }

        /* the array may have moved: the record before is the one below */

        before = (recs->nelts > 1) ? rec - 1 : NULL;
        rec->line = p;
        rec->len = eol - p;

        if (ngx_http_passport_receive_line(pool, keys, rec, before,
                                           recs->nelts, an)
            != NGX_OK)
        {
            return NULL;
        }
    }

    if (recs->nelts == 0) {
        ngx_http_passport_receive_refuse(an, NGX_HTTP_BAD_REQUEST,
                                     NGX_HTTP_PASSPORT_MSG_RECEIVE_EMPTY_EN);
        return NULL;
    }

    return recs;

failed:

    ngx_http_passport_receive_refuse(an, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                     NGX_HTTP_PASSPORT_MSG_RECEIVE_STORE_EN);
    return NULL;
}


/*
 * One line: its key found (a record of a safe node name, the node of the
 * line before), then its signature and its place after the line before.
 * NGX_ERROR with the answer, naming the line.
 */

static ngx_int_t
ngx_http_passport_receive_line(ngx_pool_t *pool, ngx_array_t *keys,
    ngx_http_passport_receive_rec_t *rec,
    ngx_http_passport_receive_rec_t *before, ngx_uint_t lineno,
    ngx_http_passport_receive_answer_t *an)
{
    EVP_PKEY    *key;
    ngx_uint_t   status;
    const char  *detail;

    status = 422;
    detail = NULL;

    key = ngx_http_passport_receive_line_key(keys, rec, before, &status,
                                             &detail);
    if (key) {
        detail = ngx_http_passport_receive_line_signed(key, rec, before);
    }

    rec->len++;     /* the "\n" that is written back */

    if (detail == NULL) {
        return NGX_OK;
    }

    ngx_http_passport_receive_refuse(an, status, detail);

    an->extra = ngx_pnalloc(pool, NGX_INT_T_LEN + 16);
    if (an->extra) {
        an->extra_len = ngx_sprintf(an->extra, ",\"line\":%ui", lineno)
                        - an->extra;
    }

    return NGX_ERROR;
}


/* the key that must have signed the line, or NULL with why */

static EVP_PKEY *
ngx_http_passport_receive_line_key(ngx_array_t *keys,
    ngx_http_passport_receive_rec_t *rec,
    ngx_http_passport_receive_rec_t *before, ngx_uint_t *status,
    const char **detail)
{
    int                               rc;
    EVP_PKEY                         *key;
    ngx_uint_t                        known;
    ngx_http_passport_report_line_t  *l;

    l = &rec->l;
    rc = ngx_http_passport_report_verify_line(rec->line, rec->len, NULL,
                                              NULL, l, NULL, 0);

    if (rc == NGX_HTTP_PASSPORT_REPORT_SYNTAX) {
        *detail = NGX_HTTP_PASSPORT_MSG_RECEIVE_LINE_EN;
        return NULL;
    }

    if (rc != NGX_HTTP_PASSPORT_REPORT_OK) {
        *detail = NGX_HTTP_PASSPORT_MSG_RECEIVE_EDITED_EN;
        return NULL;
    }

    if (!ngx_http_passport_receive_safe((u_char *) l->node.data,
                                        l->node.len))
    {
        *detail = NGX_HTTP_PASSPORT_MSG_RECEIVE_NODE_NAME_EN;
        return NULL;
    }

    if (before
        && (before->l.node.len != l->node.len
            || ngx_strncmp(before->l.node.data, l->node.data, l->node.len)
               != 0))
    {
        *detail = NGX_HTTP_PASSPORT_MSG_RECEIVE_NODES_EN;
        return NULL;
    }

    key = ngx_http_passport_receive_find_key(keys, l, &known);

    if (key == NULL) {
        *status = NGX_HTTP_FORBIDDEN;
        *detail = known ? NGX_HTTP_PASSPORT_MSG_RECEIVE_UNKNOWN_KEY_EN
                        : NGX_HTTP_PASSPORT_MSG_RECEIVE_UNKNOWN_NODE_EN;
    }

    return key;
}


/* the signature, and the line's place after the line before: NULL if so */

static const char *
ngx_http_passport_receive_line_signed(EVP_PKEY *key,
    ngx_http_passport_receive_rec_t *rec,
    ngx_http_passport_receive_rec_t *before)
{
    int                               rc;
    ngx_http_passport_report_chain_t  chain;

    if (before) {
        chain.seq = before->l.seq;
        ngx_memcpy(chain.hash, before->l.hash, sizeof(chain.hash));
    }

    rc = ngx_http_passport_report_verify_line(rec->line, rec->len,
                                              before ? &chain : NULL,
                                              key, &rec->l, NULL, 0);

    if (rc == NGX_HTTP_PASSPORT_REPORT_SIGNATURE
        || rc == NGX_HTTP_PASSPORT_REPORT_ERROR)
    {
        return NGX_HTTP_PASSPORT_MSG_RECEIVE_SIGNATURE_EN;
    }

    if (rc != NGX_HTTP_PASSPORT_REPORT_OK) {
        return NGX_HTTP_PASSPORT_MSG_RECEIVE_ORDER_EN;
    }

    return NULL;
}


/*
 * The key of a record: the node's key of its kid; a record with no kid
 * (a node before kid) is checked with NODE.pem, else the node's first
 * key.  *known_node: the node has a key.
 */

static EVP_PKEY *
ngx_http_passport_receive_find_key(ngx_array_t *keys,
    ngx_http_passport_report_line_t *l, ngx_uint_t *known_node)
{
    EVP_PKEY                         *first;
    ngx_uint_t                        i;
    ngx_http_passport_receive_key_t  *k;

    k = keys->elts;
    *known_node = 0;
    first = NULL;

    for (i = 0; i < keys->nelts; i++) {
        if (k[i].node.len != l->node.len
            || ngx_strncmp(k[i].node.data, l->node.data, l->node.len) != 0)
        {
            continue;
        }

        *known_node = 1;

        if (l->kid[0] == '\0') {
            if (k[i].plain) {
                return k[i].key;
            }

            first = first ? first : k[i].key;
            continue;
        }

        if (ngx_strcmp(k[i].kid, l->kid) == 0) {
            return k[i].key;
        }
    }

    return first;
}
