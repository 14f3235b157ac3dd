
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport_report_receive.h"
#include "ngx_http_passport_report_receive_check.h"
#include "ngx_http_passport_report_receive_store.h"
#include "ngx_http_passport_reply.h"


/*
 * passport_report_receive DIR keys=KEYS [tokens=FILE] [max_body=SIZE]:
 * the regulator's end of passport_report_push.  This file holds the
 * directive, the HTTP side (method, type, size, token, the body) and the
 * answer.  A push is checked whole by report_receive_check.c (every line
 * a record of one node, hash right, signed with a key of KEYS registered
 * for its node, the records following each other), then stored by
 * report_receive_store.c: against the node's stored chain, records
 * already stored with the same hash are taken again, a fork or a gap is
 * refused, the new records are appended to DIR/NODE.ndjson and synced
 * before the 2xx.  Nothing of a refused push is stored.  Neither of the
 * two calls the other, nor this file.
 */


#define NGX_HTTP_PASSPORT_RECEIVE_MAX_BODY  (8 * 1024 * 1024)


typedef struct {
    ngx_str_t                   node;
    ngx_str_t                   token;
} ngx_http_passport_receive_token_t;


struct ngx_http_passport_receive_s {
    ngx_array_t                 keys;           /* report_receive_check.c */
    ngx_array_t                *tokens;         /* _receive_token_t */
    size_t                      max_body;
    ngx_http_passport_receive_store_t  store;
};


static char *ngx_http_passport_receive_param(ngx_conf_t *cf,
    ngx_http_passport_receive_t *rv, ngx_str_t *value, ngx_str_t *keys,
    ngx_str_t *tokens);
static void ngx_http_passport_receive_location(ngx_conf_t *cf,
    ngx_http_passport_receive_t *rv);
static char *ngx_http_passport_receive_tokens(ngx_conf_t *cf,
    ngx_http_passport_receive_t *rv, ngx_str_t *file);
static ngx_int_t ngx_http_passport_receive_read(ngx_conf_t *cf,
    ngx_str_t *file, ngx_str_t *text);
static void ngx_http_passport_receive_cleanup(void *data);
static ngx_int_t ngx_http_passport_receive_handler(ngx_http_request_t *r);
static ngx_uint_t ngx_http_passport_receive_token(ngx_http_request_t *r,
    ngx_http_passport_receive_t *rv, ngx_str_t **node);
static void ngx_http_passport_receive_body(ngx_http_request_t *r);
static ngx_uint_t ngx_http_passport_receive_tokens_node(
    ngx_http_request_t *r, ngx_http_passport_receive_t *rv,
    ngx_array_t *recs);
static u_char *ngx_http_passport_receive_gather(ngx_http_request_t *r,
    size_t *len);
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
    ngx_http_passport_receive_t  *rv;

    if (plcf->receive) {
        return "is duplicate";
    }

    value = cf->args->elts;

    rv = ngx_pcalloc(cf->pool, sizeof(ngx_http_passport_receive_t));
    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (rv == NULL || cln == NULL) {
        return NGX_CONF_ERROR;
    }

    rv->store.path = value[1];
    rv->store.dir = NGX_INVALID_FILE;
    rv->max_body = NGX_HTTP_PASSPORT_RECEIVE_MAX_BODY;
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

    if (ngx_http_passport_receive_keys(cf, &rv->keys, &keys) != NGX_CONF_OK
        || (tokens.len
            && ngx_http_passport_receive_tokens(cf, rv, &tokens)
               != NGX_CONF_OK)
        || ngx_http_passport_receive_store_conf(cf, &rv->store)
           != NGX_CONF_OK)
    {
        return NGX_CONF_ERROR;
    }

    ngx_http_passport_receive_location(cf, rv);

    plcf->receive = rv;

    return NGX_CONF_OK;
}


/* a push is read whole, in memory */

static void
ngx_http_passport_receive_location(ngx_conf_t *cf,
    ngx_http_passport_receive_t *rv)
{
    ngx_http_core_loc_conf_t  *clcf;

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


static void
ngx_http_passport_receive_cleanup(void *data)
{
    ngx_http_passport_receive_t  *rv = data;

    if (rv->keys.elts) {
        ngx_http_passport_receive_keys_free(&rv->keys);
    }

    ngx_http_passport_receive_store_close(&rv->store);
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

    recs = ngx_http_passport_receive_check(r->pool, &plcf->receive->keys,
                                           body, len, &an);

    if (recs && plcf->receive->tokens
        && !ngx_http_passport_receive_tokens_node(r, plcf->receive, recs))
    {
        ngx_http_passport_receive_refuse(&an, NGX_HTTP_FORBIDDEN,
                               NGX_HTTP_PASSPORT_MSG_RECEIVE_TOKEN_NODE_EN);
        recs = NULL;
    }

    if (recs) {
        ngx_http_passport_receive_store(r, &plcf->receive->store, recs, &an);
    }

    ngx_http_finalize_request(r, ngx_http_passport_receive_reply(r, &an));
}


/* with tokens=, the records must be the token's node's */

static ngx_uint_t
ngx_http_passport_receive_tokens_node(ngx_http_request_t *r,
    ngx_http_passport_receive_t *rv, ngx_array_t *recs)
{
    ngx_str_t                        *node;
    ngx_http_passport_receive_rec_t  *rec;

    rec = recs->elts;

    return ngx_http_passport_receive_token(r, rv, &node)
           && node->len == rec->l.node.len
           && ngx_strncmp(node->data, rec->l.node.data, node->len) == 0;
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
    *p = '\0';

    return body;
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
