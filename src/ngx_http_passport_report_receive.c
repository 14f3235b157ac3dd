
/*
 * Copyright (C) passport developers
 */


#include <dirent.h>

#include "ngx_http_passport_report_receive.h"
#include "ngx_http_passport_reply.h"
#include "passport_report.h"


/*
 * passport_report_receive DIR keys=KEYS [tokens=FILE] [max_body=SIZE]:
 * the regulator's end of passport_report_push.  A push is checked whole
 * (every line a record of one node, hash right, signed with a key of
 * KEYS registered for its node, the records following each other), then,
 * under the zone's lock, against the node's stored chain: records already
 * stored with the same hash are taken again, a fork or a gap is refused,
 * the new records are appended to DIR/NODE.ndjson and synced before the
 * 2xx.  Nothing of a refused push is stored.
 *
 * The file is the truth: the zone keeps, per node, the chain's end and
 * the file's identity and size as last seen.  When the file is not as
 * seen (the first push after a start, a crash while appending), its end
 * is read again with the tail check of the node's own start, and a line
 * cut by a crash is dropped: its records are received again.  The file
 * work runs in the worker, under the lock, as the report log's writing
 * does.
 */


#define NGX_HTTP_PASSPORT_RECEIVE_MAX_BODY  (8 * 1024 * 1024)
#define NGX_HTTP_PASSPORT_RECEIVE_TAIL      65536
#define NGX_HTTP_PASSPORT_RECEIVE_NODE_MAX  NGX_HTTP_PASSPORT_REPORT_NODE_MAX


typedef struct {
    ngx_str_t                   node;
    char                        kid[NGX_HTTP_PASSPORT_REPORT_KID + 1];
    EVP_PKEY                   *key;
} ngx_http_passport_receive_key_t;


typedef struct {
    ngx_str_t                   node;
    ngx_str_t                   token;
} ngx_http_passport_receive_token_t;


/* a node's stored chain, in the zone */

typedef struct ngx_http_passport_receive_node_s
    ngx_http_passport_receive_node_t;

struct ngx_http_passport_receive_node_s {
    ngx_http_passport_receive_node_t  *next;
    u_char                      name[NGX_HTTP_PASSPORT_RECEIVE_NODE_MAX];
    size_t                      len;
    dev_t                       dev;            /* the file as last seen */
    ino_t                       ino;
    off_t                       size;           /* -1: not seen yet */
    ngx_http_passport_report_chain_t  chain;
};


typedef struct {
    ngx_http_passport_receive_node_t  *nodes;
} ngx_http_passport_receive_sh_t;


struct ngx_http_passport_receive_s {
    ngx_str_t                   path;
    ngx_fd_t                    dir;
    ngx_array_t                 keys;           /* _receive_key_t */
    ngx_array_t                *tokens;         /* _receive_token_t */
    size_t                      max_body;
    ngx_shm_zone_t             *zone;
    ngx_cycle_t                *cycle;
};


/* one record of a push */

typedef struct {
    u_char                     *line;           /* "\n" included */
    size_t                      len;
    ngx_http_passport_report_line_t  l;
} ngx_http_passport_receive_rec_t;


/* what a push is answered */

typedef struct {
    ngx_uint_t                  status;
    const char                 *detail;
    u_char                     *extra;          /* more members, or NULL */
    size_t                      extra_len;
} ngx_http_passport_receive_answer_t;


static char *ngx_http_passport_receive_param(ngx_conf_t *cf,
    ngx_http_passport_receive_t *rv, ngx_str_t *value, ngx_str_t *keys,
    ngx_str_t *tokens);
static char *ngx_http_passport_receive_dir(ngx_conf_t *cf,
    ngx_http_passport_receive_t *rv);
static char *ngx_http_passport_receive_keys(ngx_conf_t *cf,
    ngx_http_passport_receive_t *rv, ngx_str_t *dir);
static char *ngx_http_passport_receive_key(ngx_conf_t *cf,
    ngx_http_passport_receive_t *rv, ngx_str_t *dir, const char *file);
static char *ngx_http_passport_receive_tokens(ngx_conf_t *cf,
    ngx_http_passport_receive_t *rv, ngx_str_t *file);
static char *ngx_http_passport_receive_zone(ngx_conf_t *cf,
    ngx_http_passport_receive_t *rv);
static ngx_int_t ngx_http_passport_receive_init_zone(ngx_shm_zone_t *zone,
    void *data);
static void ngx_http_passport_receive_cleanup(void *data);
static ngx_uint_t ngx_http_passport_receive_safe(u_char *p, size_t len);
static ngx_int_t ngx_http_passport_receive_handler(ngx_http_request_t *r);
static ngx_uint_t ngx_http_passport_receive_token(ngx_http_request_t *r,
    ngx_http_passport_receive_t *rv, ngx_str_t **node);
static void ngx_http_passport_receive_body(ngx_http_request_t *r);
static u_char *ngx_http_passport_receive_gather(ngx_http_request_t *r,
    size_t *len);
static ngx_array_t *ngx_http_passport_receive_check(ngx_http_request_t *r,
    ngx_http_passport_receive_t *rv, u_char *body, size_t len,
    ngx_http_passport_receive_answer_t *an);
static ngx_int_t ngx_http_passport_receive_line(ngx_http_request_t *r,
    ngx_http_passport_receive_t *rv, ngx_http_passport_receive_rec_t *rec,
    ngx_http_passport_receive_rec_t *before, ngx_uint_t lineno,
    ngx_http_passport_receive_answer_t *an);
static ngx_int_t ngx_http_passport_receive_read(ngx_conf_t *cf,
    ngx_str_t *file, ngx_str_t *text);
static EVP_PKEY *ngx_http_passport_receive_find_key(
    ngx_http_passport_receive_t *rv, ngx_http_passport_report_line_t *l,
    ngx_uint_t *known_node);
static void ngx_http_passport_receive_store(ngx_http_request_t *r,
    ngx_http_passport_receive_t *rv, ngx_array_t *recs,
    ngx_http_passport_receive_answer_t *an);
static ngx_http_passport_receive_node_t *ngx_http_passport_receive_node(
    ngx_slab_pool_t *shpool, ngx_http_passport_report_line_t *l);
static ngx_int_t ngx_http_passport_receive_sync(ngx_http_request_t *r,
    ngx_http_passport_receive_t *rv, ngx_fd_t fd,
    ngx_http_passport_receive_node_t *nd);
static ngx_int_t ngx_http_passport_receive_compare(ngx_http_request_t *r,
    ngx_fd_t fd, ngx_http_passport_receive_node_t *nd, ngx_array_t *recs,
    ngx_uint_t *skip, ngx_http_passport_receive_answer_t *an);
static ngx_int_t ngx_http_passport_receive_stored(ngx_http_request_t *r,
    ngx_fd_t fd, off_t size, unsigned long long seq, char *hash);
static ngx_int_t ngx_http_passport_receive_append(ngx_http_request_t *r,
    ngx_http_passport_receive_t *rv, ngx_fd_t fd,
    ngx_http_passport_receive_node_t *nd, ngx_array_t *recs,
    ngx_uint_t skip);
static void ngx_http_passport_receive_refuse(
    ngx_http_passport_receive_answer_t *an, ngx_uint_t status,
    const char *detail);
static ngx_int_t ngx_http_passport_receive_reply(ngx_http_request_t *r,
    ngx_http_passport_receive_answer_t *an);


char *
ngx_http_passport_report_receive(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_passport_loc_conf_t *plcf = conf;

    char                         *rc;
    ngx_str_t                    *value, keys, tokens;
    ngx_uint_t                    i;
    ngx_pool_cleanup_t           *cln;
    ngx_http_core_loc_conf_t     *clcf;
    ngx_http_passport_receive_t  *rv;

    if (plcf->receive) {
        return "is duplicate";
    }

    value = cf->args->elts;

    rv = ngx_pcalloc(cf->pool, sizeof(ngx_http_passport_receive_t));
    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (rv == NULL || cln == NULL
        || ngx_array_init(&rv->keys, cf->pool, 4,
                          sizeof(ngx_http_passport_receive_key_t))
           != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    rv->path = value[1];
    rv->dir = NGX_INVALID_FILE;
    rv->max_body = NGX_HTTP_PASSPORT_RECEIVE_MAX_BODY;
    rv->cycle = cf->cycle;
    ngx_str_null(&keys);
    ngx_str_null(&tokens);

    cln->handler = ngx_http_passport_receive_cleanup;
    cln->data = rv;

    for (i = 2; i < cf->args->nelts; i++) {
        rc = ngx_http_passport_receive_param(cf, rv, &value[i], &keys,
                                             &tokens);
        if (rc != NGX_CONF_OK) {
            return rc;
        }
    }

    if (keys.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"passport_report_receive\" needs keys=DIR, the "
                           "directory of the nodes' public keys "
                           "(NODE.pem)");
        return NGX_CONF_ERROR;
    }

    if (ngx_http_passport_receive_keys(cf, rv, &keys) != NGX_CONF_OK
        || (tokens.len
            && ngx_http_passport_receive_tokens(cf, rv, &tokens)
               != NGX_CONF_OK)
        || ngx_http_passport_receive_dir(cf, rv) != NGX_CONF_OK
        || ngx_http_passport_receive_zone(cf, rv) != NGX_CONF_OK)
    {
        return NGX_CONF_ERROR;
    }

    /* a push is read whole, in memory */

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_passport_receive_handler;

    /*
     * nginx answers 413 to a longer Content-Length itself; a chunked
     * body of one byte more is answered here, with a problem document
     */

    if (clcf->client_max_body_size == NGX_CONF_UNSET) {
        clcf->client_max_body_size = (off_t) rv->max_body + 1;
    }

    if (clcf->client_body_buffer_size == NGX_CONF_UNSET_SIZE) {
        clcf->client_body_buffer_size = rv->max_body;
    }

    plcf->receive = rv;

    return NGX_CONF_OK;
}


static char *
ngx_http_passport_receive_param(ngx_conf_t *cf,
    ngx_http_passport_receive_t *rv, ngx_str_t *value, ngx_str_t *keys,
    ngx_str_t *tokens)
{
    ssize_t    n;
    ngx_str_t  s;

    if (ngx_strncmp(value->data, "keys=", 5) == 0 && value->len > 5
        && keys->len == 0)
    {
        keys->data = value->data + 5;
        keys->len = value->len - 5;
        return NGX_CONF_OK;
    }

    if (ngx_strncmp(value->data, "tokens=", 7) == 0 && value->len > 7
        && tokens->len == 0)
    {
        tokens->data = value->data + 7;
        tokens->len = value->len - 7;
        return NGX_CONF_OK;
    }

    if (ngx_strncmp(value->data, "max_body=", 9) == 0) {
        s.data = value->data + 9;
        s.len = value->len - 9;

        n = ngx_parse_size(&s);
        if (n >= NGX_HTTP_PASSPORT_REPORT_LINE_CAP) {
            rv->max_body = (size_t) n;
            return NGX_CONF_OK;
        }
    }

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid parameter \"%V\" in "
                       "\"passport_report_receive\": keys=DIR, "
                       "tokens=FILE and max_body=SIZE (at least 64k) are "
                       "known, each once", value);
    return NGX_CONF_ERROR;
}


/*
 * DIR: made 0700 here when missing, in a directory only root can write
 * to (when nginx runs as root); never a symbolic link.  The workers
 * write in it, through the descriptor opened here; the master never
 * opens a file in it.
 */

static char *
ngx_http_passport_receive_dir(ngx_conf_t *cf, ngx_http_passport_receive_t *rv)
{
    ngx_err_t        err;
    ngx_file_info_t  fi;

    if (ngx_conf_full_name(cf->cycle, &rv->path, 0) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    while (rv->path.len > 1 && rv->path.data[rv->path.len - 1] == '/') {
        rv->path.data[--rv->path.len] = '\0';
    }

    if (mkdir((char *) rv->path.data, 0700) == -1
        && ngx_errno != NGX_EEXIST)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "\"passport_report_receive\" cannot make the "
                           "directory \"%V\"; make it, or give another",
                           &rv->path);
        return NGX_CONF_ERROR;
    }

    rv->dir = open((char *) rv->path.data,
                   O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
    err = ngx_errno;

    if (rv->dir == NGX_INVALID_FILE
        || ngx_fd_info(rv->dir, &fi) == NGX_FILE_ERROR)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, err,
                           "\"passport_report_receive\" refuses \"%V\": it "
                           "must be a directory, not a symbolic link",
                           &rv->path);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* keys=DIR: NODE.pem, or NODE.KID.pem while a node rotates its key */

static char *
ngx_http_passport_receive_keys(ngx_conf_t *cf,
    ngx_http_passport_receive_t *rv, ngx_str_t *dir)
{
    DIR            *d;
    char           *rc;
    size_t          len;
    struct dirent  *de;

    if (ngx_conf_full_name(cf->cycle, dir, 1) != NGX_OK) {
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
            rc = ngx_http_passport_receive_key(cf, rv, dir, de->d_name);
        }
    }

    (void) closedir(d);

    if (rc == NGX_CONF_OK && rv->keys.nelts == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"passport_report_receive\": no key in \"%V\"; "
                           "put each node's public key there as NODE.pem",
                           dir);
        return NGX_CONF_ERROR;
    }

    return rc;
}


static char *
ngx_http_passport_receive_key(ngx_conf_t *cf, ngx_http_passport_receive_t *rv,
    ngx_str_t *dir, const char *file)
{
    char                             why[256];
    u_char                          *path, *dot;
    size_t                           len;
    ngx_http_passport_receive_key_t *k;

    len = ngx_strlen(file) - 4;

    path = ngx_pnalloc(cf->pool, dir->len + len + 6);
    k = ngx_array_push(&rv->keys);
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
        rv->keys.nelts--;
        return NGX_CONF_ERROR;
    }

    if (ngx_http_passport_report_kid(k->key, k->kid) != 0) {
        return NGX_CONF_ERROR;
    }

    /* NODE.KID.pem: the KID must be the key's */

    k->node.data = path + dir->len + 1;
    k->node.len = len;
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


/* tokens=FILE: lines "NODE TOKEN"; "#" starts a comment */

static char *
ngx_http_passport_receive_tokens(ngx_conf_t *cf,
    ngx_http_passport_receive_t *rv, ngx_str_t *file)
{
    u_char                             *p, *end, *eol, *sp;
    ngx_str_t                           text;
    ngx_http_passport_receive_token_t  *t;

    if (ngx_conf_full_name(cf->cycle, file, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    rv->tokens = ngx_array_create(cf->pool, 4,
                                  sizeof(ngx_http_passport_receive_token_t));
    if (rv->tokens == NULL) {
        return NGX_CONF_ERROR;
    }

    if (ngx_http_passport_receive_read(cf, file, &text) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    for (p = text.data, end = p + text.len; p < end; p = eol + 1) {
        eol = ngx_strlchr(p, end, '\n');
        if (eol == NULL) {
            eol = end;
        }

        while (eol > p && (eol[-1] == '\r' || eol[-1] == ' ')) {
            eol--;
        }

        if (p == eol || *p == '#') {
            eol = ngx_strlchr(p, end, '\n');
            if (eol == NULL) {
                break;
            }
            continue;
        }

        sp = ngx_strlchr(p, eol, ' ');

        if (sp == NULL || sp == p || sp + 1 == eol
            || !ngx_http_passport_receive_safe(p, sp - p))
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"passport_report_receive\": a line of "
                               "\"%V\" is not \"NODE TOKEN\"", file);
            return NGX_CONF_ERROR;
        }

        t = ngx_array_push(rv->tokens);
        if (t == NULL) {
            return NGX_CONF_ERROR;
        }

        t->node.data = p;
        t->node.len = sp - p;
        t->token.data = sp + 1;
        t->token.len = eol - sp - 1;

        eol = ngx_strlchr(p, end, '\n');
        if (eol == NULL) {
            break;
        }
    }

    return NGX_CONF_OK;
}


/* one zone per directory: every location receiving into it shares it */

static char *
ngx_http_passport_receive_zone(ngx_conf_t *cf, ngx_http_passport_receive_t *rv)
{
    ngx_str_t  name;

    name.len = sizeof("passport_report_receive:") - 1 + rv->path.len;
    name.data = ngx_pnalloc(cf->pool, name.len);
    if (name.data == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_sprintf(name.data, "passport_report_receive:%V", &rv->path);

    rv->zone = ngx_shared_memory_add(cf, &name, 64 * ngx_pagesize,
                                     &ngx_http_passport_module);
    if (rv->zone == NULL) {
        return NGX_CONF_ERROR;
    }

    if (rv->zone->data == NULL) {
        rv->zone->init = ngx_http_passport_receive_init_zone;
        rv->zone->data = rv;
    }

    return NGX_CONF_OK;
}


/*
 * In the master: the directory is the worker user's (through the
 * descriptor); the zone is kept over a reload.  The chains are read from
 * the files by the workers, when first pushed to.
 */

static ngx_int_t
ngx_http_passport_receive_init_zone(ngx_shm_zone_t *zone, void *data)
{
    ngx_http_passport_receive_t  *rv = zone->data;

    ngx_slab_pool_t                 *shpool;
    ngx_core_conf_t                 *ccf;
    ngx_file_info_t                  fi;
    ngx_http_passport_receive_sh_t  *sh;

    ccf = (ngx_core_conf_t *) ngx_get_conf(rv->cycle->conf_ctx,
                                           ngx_core_module);

    if (geteuid() == 0 && ccf->user != (ngx_uid_t) NGX_CONF_UNSET_UINT
        && ngx_fd_info(rv->dir, &fi) != NGX_FILE_ERROR
        && fi.st_uid != ccf->user
        && fchown(rv->dir, ccf->user, -1) == -1)
    {
        ngx_log_error(NGX_LOG_EMERG, zone->shm.log, ngx_errno,
                      "passport_report_receive: fchown(\"%V\", %d) failed",
                      &rv->path, ccf->user);
        return NGX_ERROR;
    }

    shpool = (ngx_slab_pool_t *) zone->shm.addr;

    if (data || zone->shm.exists) {
        return NGX_OK;
    }

    sh = ngx_slab_calloc(shpool, sizeof(ngx_http_passport_receive_sh_t));
    if (sh == NULL) {
        return NGX_ERROR;
    }

    shpool->data = sh;

    return NGX_OK;
}


static void
ngx_http_passport_receive_cleanup(void *data)
{
    ngx_http_passport_receive_t  *rv = data;

    ngx_uint_t                        i;
    ngx_http_passport_receive_key_t  *k;

    k = rv->keys.elts;

    for (i = 0; i < rv->keys.nelts; i++) {
        EVP_PKEY_free(k[i].key);
    }

    if (rv->dir != NGX_INVALID_FILE) {
        (void) close(rv->dir);
    }
}


/* a node's name that is a file name of its own: [A-Za-z0-9._-], no "." */

static ngx_uint_t
ngx_http_passport_receive_safe(u_char *p, size_t len)
{
    size_t  i;

    if (len == 0 || len > NGX_HTTP_PASSPORT_RECEIVE_NODE_MAX
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


static ngx_int_t
ngx_http_passport_receive_handler(ngx_http_request_t *r)
{
    ngx_int_t                            rc;
    ngx_str_t                           *type;
    ngx_http_passport_loc_conf_t        *plcf;
    ngx_http_passport_receive_answer_t   an;

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_passport_module);

    ngx_memzero(&an, sizeof(an));

    if (r->method != NGX_HTTP_POST) {
        ngx_http_passport_receive_refuse(&an, NGX_HTTP_NOT_ALLOWED,
                                     NGX_HTTP_PASSPORT_MSG_RECEIVE_METHOD_EN);
        return ngx_http_passport_receive_reply(r, &an);
    }

    type = r->headers_in.content_type ? &r->headers_in.content_type->value
                                      : NULL;

    if (type == NULL || type->len < 20
        || ngx_strncasecmp(type->data, (u_char *) "application/x-ndjson",
                           20) != 0
        || (type->len > 20 && type->data[20] != ';'
            && type->data[20] != ' '))
    {
        ngx_http_passport_receive_refuse(&an,
                                     NGX_HTTP_UNSUPPORTED_MEDIA_TYPE,
                                     NGX_HTTP_PASSPORT_MSG_RECEIVE_TYPE_EN);
        return ngx_http_passport_receive_reply(r, &an);
    }

    if (r->headers_in.content_length_n > (off_t) plcf->receive->max_body) {
        ngx_http_passport_receive_refuse(&an,
                                 NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                                 NGX_HTTP_PASSPORT_MSG_RECEIVE_TOO_LARGE_EN);
        return ngx_http_passport_receive_reply(r, &an);
    }

    if (plcf->receive->tokens
        && ngx_http_passport_receive_token(r, plcf->receive, NULL) == 0)
    {
        ngx_http_passport_receive_refuse(&an, NGX_HTTP_UNAUTHORIZED,
                                     NGX_HTTP_PASSPORT_MSG_RECEIVE_TOKEN_EN);
        return ngx_http_passport_receive_reply(r, &an);
    }

    r->request_body_in_single_buf = 1;

    rc = ngx_http_read_client_request_body(r,
                                           ngx_http_passport_receive_body);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return rc;
    }

    return NGX_DONE;
}


/*
 * The node whose token the request bears (Authorization: Bearer): 1 and
 * *node, or 0 when none.  Every token is compared, whole.
 */

static ngx_uint_t
ngx_http_passport_receive_token(ngx_http_request_t *r,
    ngx_http_passport_receive_t *rv, ngx_str_t **node)
{
    u_char                             *p, diff;
    size_t                              len, j;
    ngx_uint_t                          i, found;
    ngx_table_elt_t                    *h;
    ngx_http_passport_receive_token_t  *t;

    h = r->headers_in.authorization;

    if (h == NULL || h->value.len <= 7
        || ngx_strncasecmp(h->value.data, (u_char *) "Bearer ", 7) != 0)
    {
        return 0;
    }

    p = h->value.data + 7;
    len = h->value.len - 7;
    t = rv->tokens->elts;
    found = 0;

    for (i = 0; i < rv->tokens->nelts; i++) {
        diff = (u_char) (t[i].token.len != len);

        for (j = 0; j < len; j++) {
            diff |= p[j] ^ t[i].token.data[j % t[i].token.len];
        }

        if (diff == 0 && !found) {
            found = 1;

            if (node) {
                *node = &t[i].node;
            }
        }
    }

    return found;
}


static void
ngx_http_passport_receive_body(ngx_http_request_t *r)
{
    u_char                              *body;
    size_t                               len;
    ngx_array_t                         *recs;
    ngx_http_passport_loc_conf_t        *plcf;
    ngx_http_passport_receive_answer_t   an;

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_passport_module);

    ngx_memzero(&an, sizeof(an));

    body = ngx_http_passport_receive_gather(r, &len);

    if (body == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    if (len > plcf->receive->max_body) {
        ngx_http_passport_receive_refuse(&an,
                                 NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                                 NGX_HTTP_PASSPORT_MSG_RECEIVE_TOO_LARGE_EN);
        ngx_http_finalize_request(r,
                                  ngx_http_passport_receive_reply(r, &an));
        return;
    }

    recs = ngx_http_passport_receive_check(r, plcf->receive, body, len, &an);

    if (recs) {
        ngx_http_passport_receive_store(r, plcf->receive, recs, &an);
    }

    ngx_http_finalize_request(r, ngx_http_passport_receive_reply(r, &an));
}


/* the body in one piece of memory (read from its file when there) */

static u_char *
ngx_http_passport_receive_gather(ngx_http_request_t *r, size_t *len)
{
    u_char       *body, *p;
    off_t         size;
    ssize_t       n;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    size = 0;

    for (cl = r->request_body ? r->request_body->bufs : NULL;
         cl;
         cl = cl->next)
    {
        size += ngx_buf_size(cl->buf);
    }

    body = ngx_pnalloc(r->pool, (size_t) size + 1);
    if (body == NULL) {
        return NULL;
    }

    p = body;

    for (cl = r->request_body ? r->request_body->bufs : NULL;
         cl;
         cl = cl->next)
    {
        b = cl->buf;

        if (!b->in_file) {
            p = ngx_cpymem(p, b->pos, b->last - b->pos);
            continue;
        }

        n = ngx_read_file(b->file, p, (size_t) (b->file_last - b->file_pos),
                          b->file_pos);
        if (n != b->file_last - b->file_pos) {
            return NULL;
        }

        p += n;
    }

    *len = p - body;

    return body;
}


/*
 * Every line of the body checked, before anything is stored: returns
 * the records, or NULL with the answer in an.
 */

static ngx_array_t *
ngx_http_passport_receive_check(ngx_http_request_t *r,
    ngx_http_passport_receive_t *rv, u_char *body, size_t len,
    ngx_http_passport_receive_answer_t *an)
{
    u_char                           *p, *end, *eol;
    ngx_str_t                        *node;
    ngx_array_t                      *recs;
    ngx_http_passport_receive_rec_t  *rec, *before;

    recs = ngx_array_create(r->pool, 64,
                            sizeof(ngx_http_passport_receive_rec_t));
    if (recs == NULL) {
        ngx_http_passport_receive_refuse(an, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                     NGX_HTTP_PASSPORT_MSG_RECEIVE_STORE_EN);
        return NULL;
    }

    for (p = body, end = body + len; p < end; p = eol + 1) {
        eol = ngx_strlchr(p, end, '\n');
        if (eol == NULL) {
            eol = end;
        }

        rec = ngx_array_push(recs);
        if (rec == NULL) {
            ngx_http_passport_receive_refuse(an,
                                     NGX_HTTP_INTERNAL_SERVER_ERROR,
                                     NGX_HTTP_PASSPORT_MSG_RECEIVE_STORE_EN);
            return NULL;
        }

        /* the array may have moved: the record before is the one below */

        before = (recs->nelts > 1) ? rec - 1 : NULL;
        rec->line = p;
        rec->len = eol - p;

        if (ngx_http_passport_receive_line(r, rv, rec, before, recs->nelts,
                                           an)
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

    /* with tokens=, the records are the token's node's */

    if (rv->tokens) {
        rec = recs->elts;

        if (!ngx_http_passport_receive_token(r, rv, &node)
            || node->len != rec->l.node.len
            || ngx_strncmp(node->data, rec->l.node.data, node->len) != 0)
        {
            ngx_http_passport_receive_refuse(an, NGX_HTTP_FORBIDDEN,
                               NGX_HTTP_PASSPORT_MSG_RECEIVE_TOKEN_NODE_EN);
            return NULL;
        }
    }

    return recs;
}


/*
 * One line: a record, its node's name safe and the same as the line
 * before's, its hash right, its signature by a key of its node, and
 * following the record before it.
 */

static ngx_int_t
ngx_http_passport_receive_line(ngx_http_request_t *r,
    ngx_http_passport_receive_t *rv, ngx_http_passport_receive_rec_t *rec,
    ngx_http_passport_receive_rec_t *before, ngx_uint_t lineno,
    ngx_http_passport_receive_answer_t *an)
{
    int                                rc;
    EVP_PKEY                          *key;
    ngx_uint_t                         status, known;
    const char                        *detail;
    ngx_http_passport_report_chain_t   chain;

    rc = ngx_http_passport_report_verify_line(rec->line, rec->len, NULL,
                                              NULL, &rec->l, NULL, 0);

    status = 422;
    detail = NULL;
    key = NULL;

    if (rc == NGX_HTTP_PASSPORT_REPORT_SYNTAX) {
        detail = NGX_HTTP_PASSPORT_MSG_RECEIVE_LINE_EN;

    } else if (rc != NGX_HTTP_PASSPORT_REPORT_OK) {
        detail = NGX_HTTP_PASSPORT_MSG_RECEIVE_EDITED_EN;

    } else if (!ngx_http_passport_receive_safe((u_char *) rec->l.node.data,
                                               rec->l.node.len))
    {
        detail = NGX_HTTP_PASSPORT_MSG_RECEIVE_NODE_NAME_EN;

    } else if (before
               && (before->l.node.len != rec->l.node.len
                   || ngx_strncmp(before->l.node.data, rec->l.node.data,
                                  rec->l.node.len) != 0))
    {
        detail = NGX_HTTP_PASSPORT_MSG_RECEIVE_NODES_EN;

    } else {
        key = ngx_http_passport_receive_find_key(rv, &rec->l, &known);

        if (key == NULL) {
            status = NGX_HTTP_FORBIDDEN;
            detail = known ? NGX_HTTP_PASSPORT_MSG_RECEIVE_UNKNOWN_KEY_EN
                           : NGX_HTTP_PASSPORT_MSG_RECEIVE_UNKNOWN_NODE_EN;
        }
    }

    if (key) {
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
            detail = NGX_HTTP_PASSPORT_MSG_RECEIVE_SIGNATURE_EN;

        } else if (rc != NGX_HTTP_PASSPORT_REPORT_OK) {
            detail = NGX_HTTP_PASSPORT_MSG_RECEIVE_ORDER_EN;
        }
    }

    rec->len++;     /* the "\n" that is written back */

    if (detail == NULL) {
        return NGX_OK;
    }

    ngx_http_passport_receive_refuse(an, status, detail);

    an->extra = ngx_pnalloc(r->pool, NGX_INT_T_LEN + 16);
    if (an->extra) {
        an->extra_len = ngx_sprintf(an->extra, ",\"line\":%ui", lineno)
                        - an->extra;
    }

    return NGX_ERROR;
}


/* a small configuration file, whole */

static ngx_int_t
ngx_http_passport_receive_read(ngx_conf_t *cf, ngx_str_t *file,
    ngx_str_t *text)
{
    ssize_t          n;
    ngx_file_t       f;
    ngx_file_info_t  fi;

    ngx_memzero(&f, sizeof(ngx_file_t));
    f.name = *file;
    f.log = cf->log;

    f.fd = ngx_open_file(file->data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);

    if (f.fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "\"passport_report_receive\" cannot open the "
                           "tokens file \"%V\"", file);
        return NGX_ERROR;
    }

    n = -1;

    if (ngx_fd_info(f.fd, &fi) != NGX_FILE_ERROR
        && ngx_file_size(&fi) <= 1024 * 1024)
    {
        text->len = (size_t) ngx_file_size(&fi);
        text->data = ngx_pnalloc(cf->pool, text->len + 1);

        if (text->data) {
            n = ngx_read_file(&f, text->data, text->len, 0);
        }
    }

    (void) ngx_close_file(f.fd);

    if (n != (ssize_t) text->len) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"passport_report_receive\" cannot read the "
                           "tokens file \"%V\" (at most 1m)", file);
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * The key of a record: the node's key of its kid; a record with no kid
 * (a node before kid) is checked with the node's first key.
 * *known_node: the node has a key.
 */

static EVP_PKEY *
ngx_http_passport_receive_find_key(ngx_http_passport_receive_t *rv,
    ngx_http_passport_report_line_t *l, ngx_uint_t *known_node)
{
    ngx_uint_t                        i;
    ngx_http_passport_receive_key_t  *k;

    k = rv->keys.elts;
    *known_node = 0;

    for (i = 0; i < rv->keys.nelts; i++) {
        if (k[i].node.len != l->node.len
            || ngx_strncmp(k[i].node.data, l->node.data, l->node.len) != 0)
        {
            continue;
        }

        *known_node = 1;

        if (l->kid[0] == '\0'
            || ngx_strcmp(k[i].kid, l->kid) == 0)
        {
            return k[i].key;
        }
    }

    return NULL;
}


/*
 * Under the lock: the node's file opened (never through a link), its
 * chain read when not known, the push compared with it, the new records
 * appended and synced.
 */

static void
ngx_http_passport_receive_store(ngx_http_request_t *r,
    ngx_http_passport_receive_t *rv, ngx_array_t *recs,
    ngx_http_passport_receive_answer_t *an)
{
    u_char                            *name;
    ngx_fd_t                           fd;
    ngx_int_t                          rc;
    ngx_uint_t                         skip;
    ngx_slab_pool_t                   *shpool;
    ngx_http_passport_receive_rec_t   *rec;
    ngx_http_passport_receive_node_t  *nd;

    rec = recs->elts;
    shpool = (ngx_slab_pool_t *) rv->zone->shm.addr;

    name = ngx_pnalloc(r->pool, rec->l.node.len + sizeof(".ndjson"));
    if (name == NULL) {
        goto failed;
    }

    ngx_sprintf(name, "%*s.ndjson%Z", rec->l.node.len, rec->l.node.data);

    ngx_shmtx_lock(&shpool->mutex);

    fd = openat(rv->dir, (char *) name,
                O_RDWR|O_APPEND|O_CREAT|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC,
                0640);

    if (fd == NGX_INVALID_FILE) {
        ngx_log_error(NGX_LOG_CRIT, r->connection->log, ngx_errno,
                      "passport_report_receive: cannot open \"%V/%s\"",
                      &rv->path, name);
        ngx_shmtx_unlock(&shpool->mutex);
        goto failed;
    }

    nd = ngx_http_passport_receive_node(shpool, &rec->l);

    rc = (nd == NULL) ? NGX_ERROR
                      : ngx_http_passport_receive_sync(r, rv, fd, nd);

    if (rc == NGX_OK) {
        rc = ngx_http_passport_receive_compare(r, fd, nd, recs, &skip, an);
    }

    if (rc == NGX_OK) {
        rc = ngx_http_passport_receive_append(r, rv, fd, nd, recs, skip);

        if (rc == NGX_OK) {
            an->status = NGX_HTTP_OK;
            an->extra = ngx_pnalloc(r->pool, 3 * NGX_INT64_LEN + 64);

            if (an->extra) {
                an->extra_len = ngx_sprintf(an->extra,
                                    "{\"stored\":%ui,\"again\":%ui,"
                                    "\"last_seq\":%uL}\n",
                                    recs->nelts - skip, skip,
                                    (uint64_t) nd->chain.seq)
                                - an->extra;
            }
        }
    }

    (void) ngx_close_file(fd);

    ngx_shmtx_unlock(&shpool->mutex);

    if (rc == NGX_OK || rc == NGX_DECLINED) {
        return;
    }

    if (rc == NGX_ABORT) {
        ngx_http_passport_receive_refuse(an, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                   NGX_HTTP_PASSPORT_MSG_RECEIVE_DAMAGED_EN);
        return;
    }

failed:

    ngx_http_passport_receive_refuse(an, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                     NGX_HTTP_PASSPORT_MSG_RECEIVE_STORE_EN);
}


/* the node's entry in the zone, made when new; called with the lock */

static ngx_http_passport_receive_node_t *
ngx_http_passport_receive_node(ngx_slab_pool_t *shpool,
    ngx_http_passport_report_line_t *l)
{
    ngx_http_passport_receive_sh_t    *sh;
    ngx_http_passport_receive_node_t  *nd;

    sh = shpool->data;

    for (nd = sh->nodes; nd; nd = nd->next) {
        if (nd->len == l->node.len
            && ngx_memcmp(nd->name, l->node.data, nd->len) == 0)
        {
            return nd;
        }
    }

    nd = ngx_slab_calloc_locked(shpool,
                                sizeof(ngx_http_passport_receive_node_t));
    if (nd == NULL) {
        return NULL;
    }

    ngx_memcpy(nd->name, l->node.data, l->node.len);
    nd->len = l->node.len;
    nd->size = -1;
    ngx_http_passport_report_chain_init(&nd->chain);

    nd->next = sh->nodes;
    sh->nodes = nd;

    return nd;
}


/*
 * The chain's end as the file has it: known when the file is as last
 * seen, else read from its end (the node's own start check, hashes
 * only: every stored line was verified when received).  A line cut by
 * a crash is dropped.  NGX_ABORT: the file's end is not a chain.
 */

static ngx_int_t
ngx_http_passport_receive_sync(ngx_http_request_t *r,
    ngx_http_passport_receive_t *rv, ngx_fd_t fd,
    ngx_http_passport_receive_node_t *nd)
{
    int                              rc;
    off_t                            size, len;
    u_char                          *buf;
    ngx_file_info_t                  fi;
    ngx_http_passport_report_tail_t  tail;

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR || !S_ISREG(fi.st_mode)
        || fi.st_nlink != 1)
    {
        ngx_log_error(NGX_LOG_CRIT, r->connection->log, 0,
                      "passport_report_receive: \"%V/%*s.ndjson\" is not "
                      "a regular file of one name", &rv->path, nd->len,
                      nd->name);
        return NGX_ABORT;
    }

    size = ngx_file_size(&fi);

    if (nd->size == size && nd->dev == fi.st_dev && nd->ino == fi.st_ino) {
        return NGX_OK;
    }

    ngx_memzero(&tail, sizeof(tail));
    ngx_http_passport_report_chain_init(&tail.chain);
    rc = NGX_HTTP_PASSPORT_REPORT_OK;

    for (len = ngx_min(size, NGX_HTTP_PASSPORT_RECEIVE_TAIL); len; len *= 2) {
        len = ngx_min(len, size);

        buf = ngx_pnalloc(r->pool, (size_t) len);
        if (buf == NULL || pread(fd, buf, (size_t) len, size - len) != len) {
            return NGX_ERROR;
        }

        rc = ngx_http_passport_report_tail(buf, (size_t) len, len == size,
                                           NULL, &tail);

        if (rc != NGX_HTTP_PASSPORT_REPORT_AGAIN || len == size) {
            break;
        }
    }

    if (rc != NGX_HTTP_PASSPORT_REPORT_OK || tail.segment) {
        ngx_log_error(NGX_LOG_CRIT, r->connection->log, 0,
                      "passport_report_receive: \"%V/%*s.ndjson\" does not "
                      "end with a chain (%uL lines after seq %uL); check it "
                      "with passport-verify", &rv->path, nd->len, nd->name,
                      (uint64_t) tail.untrusted, (uint64_t) tail.chain.seq);
        return NGX_ABORT;
    }

    if (tail.truncated || tail.newline) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "passport_report_receive: \"%V/%*s.ndjson\" ends with "
                      "a cut line after seq %uL; it is dropped and its "
                      "records are received again", &rv->path, nd->len,
                      nd->name, (uint64_t) tail.chain.seq);

        /* tail.end counts from the start of the window read */

        size = size - len + (off_t) tail.end;

        if (ftruncate(fd, size) == -1 || fsync(fd) == -1) {
            return NGX_ERROR;
        }
    }

    nd->dev = fi.st_dev;
    nd->ino = fi.st_ino;
    nd->size = size;
    nd->chain = tail.chain;

    return NGX_OK;
}


/*
 * The push against the stored chain: *skip records already stored (same
 * hash); a fork or a gap is refused (NGX_DECLINED, with the answer).
 */

static ngx_int_t
ngx_http_passport_receive_compare(ngx_http_request_t *r, ngx_fd_t fd,
    ngx_http_passport_receive_node_t *nd, ngx_array_t *recs,
    ngx_uint_t *skip, ngx_http_passport_receive_answer_t *an)
{
    char                              hash[NGX_HTTP_PASSPORT_REPORT_HEX + 1];
    ngx_int_t                         rc;
    ngx_uint_t                        i;
    ngx_http_passport_report_line_t  *l, *first;
    ngx_http_passport_receive_rec_t  *rec;

    rec = recs->elts;
    first = &rec[0].l;

    if (first->seq > nd->chain.seq + 1) {
        ngx_http_passport_receive_refuse(an, NGX_HTTP_CONFLICT,
                                     NGX_HTTP_PASSPORT_MSG_RECEIVE_GAP_EN);
        an->extra = ngx_pnalloc(r->pool, 2 * NGX_INT64_LEN + 200);
        if (an->extra) {
            an->extra_len = ngx_sprintf(an->extra,
                                ",\"node\":\"%*s\",\"missing\":"
                                "{\"first\":%uL,\"last\":%uL}",
                                nd->len, nd->name,
                                (uint64_t) nd->chain.seq + 1,
                                (uint64_t) first->seq - 1)
                            - an->extra;
        }
        return NGX_DECLINED;
    }

    for (i = 0; i < recs->nelts; i++) {
        l = &rec[i].l;

        if (l->seq > nd->chain.seq) {
            /* the first new one must continue the stored chain */
            if (ngx_strcmp(l->prev, nd->chain.hash) == 0) {
                break;
            }

            l = &rec[i].l;
            ngx_memcpy(hash, nd->chain.hash, sizeof(hash));
            goto fork;
        }

        rc = ngx_http_passport_receive_stored(r, fd, nd->size, l->seq, hash);

        if (rc == NGX_ERROR) {
            return NGX_ERROR;
        }

        if (rc == NGX_DECLINED || ngx_strcmp(hash, l->hash) != 0) {
            goto fork;
        }
    }

    *skip = i;

    return NGX_OK;

fork:

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "passport_report_receive: node \"%*s\" forked at seq %uL: "
                  "stored %s, received %s; the push is refused",
                  nd->len, nd->name, (uint64_t) l->seq,
                  l->seq > nd->chain.seq ? "prev" : "hash", l->hash);

    ngx_http_passport_receive_refuse(an, NGX_HTTP_CONFLICT,
                                     NGX_HTTP_PASSPORT_MSG_RECEIVE_FORK_EN);
    an->extra = ngx_pnalloc(r->pool, NGX_INT64_LEN + 400);
    if (an->extra) {
        an->extra_len = ngx_sprintf(an->extra,
                            ",\"node\":\"%*s\",\"seq\":%uL,"
                            "\"stored_hash\":\"%s\",\"received_hash\":\"%s\"",
                            nd->len, nd->name,
                            (uint64_t) (l->seq > nd->chain.seq
                                        ? nd->chain.seq : l->seq),
                            hash,
                            l->seq > nd->chain.seq ? l->prev : l->hash)
                        - an->extra;
    }

    return NGX_DECLINED;
}


/*
 * The hash of the stored record seq (before size): from the end of the
 * file, a growing window; NGX_DECLINED: not there.
 */

static ngx_int_t
ngx_http_passport_receive_stored(ngx_http_request_t *r, ngx_fd_t fd,
    off_t size, unsigned long long seq, char *hash)
{
    off_t                            len;
    u_char                          *buf, *p, *s;
    ngx_http_passport_report_line_t  l;

    for (len = ngx_min(size, NGX_HTTP_PASSPORT_RECEIVE_TAIL); len; len *= 2) {
        len = ngx_min(len, size);

        buf = ngx_pnalloc(r->pool, (size_t) len);
        if (buf == NULL || pread(fd, buf, (size_t) len, size - len) != len) {
            return NGX_ERROR;
        }

        /* whole lines from the end; the first only when the file starts */

        for (p = buf + len; p > buf; p = s) {
            for (s = p - 1; s > buf && s[-1] != '\n'; s--) { /* void */ }

            if (s == buf && len != size) {
                break;
            }

            if (ngx_http_passport_report_verify_line(s, p - 1 - s, NULL,
                                                     NULL, &l, NULL, 0)
                == NGX_HTTP_PASSPORT_REPORT_OK)
            {
                if (l.seq == seq) {
                    ngx_memcpy(hash, l.hash, NGX_HTTP_PASSPORT_REPORT_HEX + 1);
                    return NGX_OK;
                }

                if (l.seq < seq) {
                    return NGX_DECLINED;
                }
            }
        }

        if (len == size) {
            break;
        }
    }

    ngx_memcpy(hash, "unknown", sizeof("unknown"));

    return NGX_DECLINED;
}


/* the records after skip, in one write, synced; undone when cut */

static ngx_int_t
ngx_http_passport_receive_append(ngx_http_request_t *r,
    ngx_http_passport_receive_t *rv, ngx_fd_t fd,
    ngx_http_passport_receive_node_t *nd, ngx_array_t *recs,
    ngx_uint_t skip)
{
    u_char                           *start, *end;
    ssize_t                           n;
    ngx_http_passport_receive_rec_t  *rec;

    rec = recs->elts;

    if (skip == recs->nelts) {
        return NGX_OK;
    }

    /* the lines follow each other in the body, each with its "\n" */

    start = rec[skip].line;
    end = rec[recs->nelts - 1].line + rec[recs->nelts - 1].len;

    if (end[-1] != '\n') {
        /* the body's last line had none: a copy with one */
        start = ngx_pnalloc(r->pool, end - rec[skip].line);
        if (start == NULL) {
            return NGX_ERROR;
        }

        end = ngx_cpymem(start, rec[skip].line, end - rec[skip].line - 1);
        *end++ = '\n';
    }

    n = ngx_write_fd(fd, start, end - start);

    if (n != end - start || fsync(fd) == -1) {
        ngx_log_error(NGX_LOG_CRIT, r->connection->log, ngx_errno,
                      "passport_report_receive: writing \"%V/%*s.ndjson\" "
                      "failed; the push is refused", &rv->path, nd->len,
                      nd->name);

        if (ftruncate(fd, nd->size) == -1) {
            nd->size = -1;
        }

        return NGX_ERROR;
    }

    nd->size += n;
    nd->chain.seq = rec[recs->nelts - 1].l.seq;
    ngx_memcpy(nd->chain.hash, rec[recs->nelts - 1].l.hash,
               NGX_HTTP_PASSPORT_REPORT_HEX + 1);

    return NGX_OK;
}


static void
ngx_http_passport_receive_refuse(ngx_http_passport_receive_answer_t *an,
    ngx_uint_t status, const char *detail)
{
    an->status = status;
    an->detail = detail;
    an->extra = NULL;
    an->extra_len = 0;
}


/* a 200 with what was stored, or a problem document (RFC 9457) */

static ngx_int_t
ngx_http_passport_receive_reply(ngx_http_request_t *r,
    ngx_http_passport_receive_answer_t *an)
{
    ngx_buf_t                  *b;
    ngx_http_passport_reply_t   rp;

    ngx_memzero(&rp, sizeof(ngx_http_passport_reply_t));
    rp.status = an->status;

    if (an->status == NGX_HTTP_OK) {
        b = ngx_calloc_buf(r->pool);
        if (b == NULL || an->extra == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        b->pos = an->extra;
        b->last = an->extra + an->extra_len;
        b->memory = 1;
        ngx_str_set(&rp.type, "application/json");

    } else {
        b = ngx_create_temp_buf(r->pool, 200 + ngx_strlen(an->detail)
                                         + an->extra_len);
        if (b == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        b->last = ngx_sprintf(b->last,
                              "{\"type\":\"about:blank\",\"title\":\""
                              NGX_HTTP_PASSPORT_MSG_RECEIVE_TITLE_EN
                              "\",\"status\":%ui,\"detail\":\"%s\"%*s}\n",
                              an->status, an->detail, an->extra_len,
                              an->extra ? an->extra : (u_char *) "");
        ngx_str_set(&rp.type, "application/problem+json");
    }

    if (ngx_http_passport_reply_buf(r, &rp, b) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_passport_reply(r, &rp);
}
