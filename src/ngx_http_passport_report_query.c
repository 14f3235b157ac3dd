
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport_report.h"
#include "ngx_http_passport_reply.h"
#include "passport_report.h"


/*
 * passport_reports: the records of the current log file for regulators,
 * filtered (?since=SEQ&limit=N&seller=ID&verdict=flag|block), or per
 * seller (?view=sellers).  Access is for nginx's own allow/deny,
 * auth_basic or client certificates to control.  The file is read as a
 * whole on each query: it is the source of truth, so the answer is right
 * after a restart.
 */


typedef struct {
    ngx_str_node_t              sn;             /* the seller */
    ngx_uint_t                  flagged;
    ngx_uint_t                  blocked;
    ngx_uint_t                  reasons[NGX_HTTP_PASSPORT_NREASONS];
    ngx_str_t                   first;
    ngx_str_t                   last;
} ngx_http_passport_report_seller_t;


static ngx_int_t ngx_http_passport_report_query_handler(
    ngx_http_request_t *r);
static ngx_int_t ngx_http_passport_report_query_bad(ngx_http_request_t *r,
    const char *detail);
static ngx_int_t ngx_http_passport_report_query_send(ngx_http_request_t *r,
    ngx_chain_t *out, const char *type);
static ngx_int_t ngx_http_passport_report_query_sellers(ngx_http_request_t *r,
    ngx_rbtree_t *tree, ngx_uint_t n, ngx_chain_t **out);


char *
ngx_http_passport_report_query(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_core_loc_conf_t       *clcf;
    ngx_http_passport_main_conf_t  *pmcf;

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_passport_module);

    /* the log is defined at http level, before the servers */

    if (pmcf->reports == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"passport_reports\" needs "
                           "\"passport_report_log\" before it");
        return NGX_CONF_ERROR;
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_passport_report_query_handler;

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_passport_report_query_handler(ngx_http_request_t *r)
{
    u_char                             *buf, *p, *last, *nl;
    off_t                               size;
    ssize_t                             n;
    uint32_t                            hash;
    ngx_fd_t                            fd;
    ngx_int_t                           rc, since, limit, verdict, sellers;
    ngx_str_t                           arg, seller, key;
    ngx_uint_t                          count, r_;
    ngx_buf_t                          *b;
    ngx_chain_t                        *out, **ll, *cl;
    ngx_rbtree_t                        tree;
    ngx_file_info_t                     fi;
    ngx_rbtree_node_t                   sentinel;
    ngx_str_node_t                     *sn;
    ngx_str_t                          *path;
    ngx_http_passport_main_conf_t      *pmcf;
    ngx_http_passport_report_seller_t  *st;
    ngx_http_passport_report_line_t     line;

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_passport_module);
    path = ngx_http_passport_report_log_path(pmcf->reports);

    since = 0;
    limit = 100;
    verdict = 0;
    sellers = 0;
    ngx_str_null(&seller);

    if (ngx_http_arg(r, (u_char *) "since", 5, &arg) == NGX_OK) {
        since = ngx_atoi(arg.data, arg.len);
        if (since == NGX_ERROR) {
            return ngx_http_passport_report_query_bad(r,
                                   "since must be a record sequence number");
        }
    }

    if (ngx_http_arg(r, (u_char *) "limit", 5, &arg) == NGX_OK) {
        limit = ngx_atoi(arg.data, arg.len);
        if (limit < 1 || limit > 10000) {
            return ngx_http_passport_report_query_bad(r,
                                   "limit must be a number from 1 to 10000");
        }
    }

    if (ngx_http_arg(r, (u_char *) "verdict", 7, &arg) == NGX_OK) {
        if (arg.len == 4 && ngx_strncmp(arg.data, "flag", 4) == 0) {
            verdict = NGX_HTTP_PASSPORT_VERDICT_FLAG;

        } else if (arg.len == 5 && ngx_strncmp(arg.data, "block", 5) == 0) {
            verdict = NGX_HTTP_PASSPORT_VERDICT_BLOCK;

        } else {
            return ngx_http_passport_report_query_bad(r,
                                   "verdict must be flag or block");
        }
    }

    if (ngx_http_arg(r, (u_char *) "seller", 6, &arg) == NGX_OK) {
        if (arg.len == 0 || arg.len > NGX_HTTP_PASSPORT_SELLER_MAX) {
            return ngx_http_passport_report_query_bad(r,
                                   "seller is not an ID");
        }

        seller = arg;
    }

    if (ngx_http_arg(r, (u_char *) "view", 4, &arg) == NGX_OK) {
        if (arg.len != 7 || ngx_strncmp(arg.data, "sellers", 7) != 0) {
            return ngx_http_passport_report_query_bad(r,
                                   "view must be sellers");
        }

        sellers = 1;
    }

    fd = ngx_open_file(path->data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);

    if (fd == NGX_INVALID_FILE || ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_CRIT, r->connection->log, ngx_errno,
                      "passport: cannot read the report log \"%V\"",
                      path);
        if (fd != NGX_INVALID_FILE) {
            ngx_close_file(fd);
        }
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    size = ngx_file_size(&fi);

    buf = ngx_pnalloc(r->pool, (size_t) size + 1);
    if (buf == NULL) {
        ngx_close_file(fd);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    n = size ? pread(fd, buf, (size_t) size, 0) : 0;
    ngx_close_file(fd);

    if (n < 0) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    out = NULL;
    ll = &out;
    count = 0;

    ngx_rbtree_init(&tree, &sentinel, ngx_str_rbtree_insert_value);

    last = buf + n;

    for (p = buf; p < last; p = nl + 1) {

        nl = ngx_strlchr(p, last, '\n');
        if (nl == NULL) {
            break;                      /* a line being written */
        }

        if (ngx_http_passport_report_verify_line(p, nl - p, NULL, NULL,
                                                 &line, NULL, 0)
            != NGX_HTTP_PASSPORT_REPORT_OK
            || line.type != NGX_HTTP_PASSPORT_REPORT_VERDICT)
        {
            continue;
        }

        if (sellers) {
            key.data = (u_char *) (line.seller.data ? line.seller.data
                                                    : (u_char *) "");
            key.len = line.seller.data ? line.seller.len : 0;

            hash = ngx_crc32_short(key.data, key.len);
            sn = ngx_str_rbtree_lookup(&tree, &key, hash);

            if (sn == NULL) {
                st = ngx_pcalloc(r->pool,
                                 sizeof(ngx_http_passport_report_seller_t));
                if (st == NULL) {
                    return NGX_HTTP_INTERNAL_SERVER_ERROR;
                }

                st->sn.str = key;
                st->sn.node.key = hash;
                st->first.data = (u_char *) line.time.data;
                st->first.len = line.time.len;
                ngx_rbtree_insert(&tree, &st->sn.node);
                count++;

            } else {
                st = (ngx_http_passport_report_seller_t *) sn;
            }

            if (line.verdict == NGX_HTTP_PASSPORT_VERDICT_BLOCK) {
                st->blocked++;

            } else {
                st->flagged++;
            }

            for (r_ = 0; r_ < NGX_HTTP_PASSPORT_NREASONS; r_++) {
                if (line.reasons & (1UL << r_)) {
                    st->reasons[r_]++;
                }
            }

            st->last.data = (u_char *) line.time.data;
            st->last.len = line.time.len;
            continue;
        }

        if ((ngx_int_t) line.seq <= since
            || (verdict && line.verdict != (int) verdict)
            || (seller.len
                && (line.seller.data == NULL
                    || line.seller.len != seller.len
                    || ngx_strncmp(line.seller.data, seller.data,
                                   seller.len) != 0)))
        {
            continue;
        }

        b = ngx_calloc_buf(r->pool);
        cl = ngx_alloc_chain_link(r->pool);
        if (b == NULL || cl == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        b->pos = p;
        b->last = nl + 1;
        b->memory = 1;
        cl->buf = b;
        cl->next = NULL;
        *ll = cl;
        ll = &cl->next;

        if (++count == (ngx_uint_t) limit) {
            break;
        }
    }

    if (sellers) {
        if (ngx_http_passport_report_query_sellers(r, &tree, count, &out)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_passport_report_query_send(r, out, "application/json");
    }

    return ngx_http_passport_report_query_send(r, out, "application/x-ndjson");
}


/* most reported first */

static int ngx_libc_cdecl
ngx_http_passport_report_seller_cmp(const void *one, const void *two)
{
    ngx_http_passport_report_seller_t  *a, *b;

    a = *(ngx_http_passport_report_seller_t **) one;
    b = *(ngx_http_passport_report_seller_t **) two;

    return (int) ((b->flagged + b->blocked) - (a->flagged + a->blocked));
}


static ngx_int_t
ngx_http_passport_report_query_sellers(ngx_http_request_t *r,
    ngx_rbtree_t *tree, ngx_uint_t n, ngx_chain_t **out)
{
    u_char                              *p;
    size_t                               size;
    ngx_buf_t                           *b;
    ngx_uint_t                           i, k, first;
    ngx_rbtree_node_t                   *node;
    ngx_http_passport_report_seller_t  **all, *st;

    all = ngx_palloc(r->pool, (n + 1) * sizeof(void *));
    if (all == NULL) {
        return NGX_ERROR;
    }

    size = sizeof("[]\n");
    i = 0;

    if (tree->root != tree->sentinel) {
        for (node = ngx_rbtree_min(tree->root, tree->sentinel);
             node;
             node = ngx_rbtree_next(tree, node))
        {
            st = (ngx_http_passport_report_seller_t *) node;
            all[i++] = st;

            size += sizeof("{\"seller\":\"\",\"flagged\":,\"blocked\":,"
                           "\"reasons\":{},\"first\":\"\",\"last\":\"\"},")
                    + ngx_http_passport_json_escape_size(st->sn.str.data,
                                                         st->sn.str.len,
                                                         st->sn.str.len)
                    + 2 * NGX_INT_T_LEN + st->first.len + st->last.len
                    + NGX_HTTP_PASSPORT_NREASONS * (32 + NGX_INT_T_LEN);
        }
    }

    ngx_qsort(all, i, sizeof(void *), ngx_http_passport_report_seller_cmp);

    b = ngx_create_temp_buf(r->pool, size);
    if (b == NULL) {
        return NGX_ERROR;
    }

    p = b->last;
    *p++ = '[';

    for (k = 0; k < i; k++) {
        st = all[k];

        p = ngx_sprintf(p, "%s{\"seller\":\"", k ? "," : "");
        p = ngx_http_passport_json_escape(p, st->sn.str.data, st->sn.str.len,
                                          st->sn.str.len);
        p = ngx_sprintf(p, "\",\"flagged\":%ui,\"blocked\":%ui,"
                        "\"reasons\":{", st->flagged, st->blocked);

        first = 1;

        for (n = 0; n < NGX_HTTP_PASSPORT_NREASONS; n++) {
            if (st->reasons[n]) {
                p = ngx_sprintf(p, "%s\"%s\":%ui", first ? "" : ",",
                                ngx_http_passport_reason_name((int) n),
                                st->reasons[n]);
                first = 0;
            }
        }

        p = ngx_sprintf(p, "},\"first\":\"%V\",\"last\":\"%V\"}",
                        &st->first, &st->last);
    }

    *p++ = ']';
    *p++ = '\n';
    b->last = p;

    *out = ngx_alloc_chain_link(r->pool);
    if (*out == NULL) {
        return NGX_ERROR;
    }

    (*out)->buf = b;
    (*out)->next = NULL;

    return NGX_OK;
}


static ngx_int_t
ngx_http_passport_report_query_send(ngx_http_request_t *r, ngx_chain_t *out,
    const char *type)
{
    ngx_chain_t                *cl;
    ngx_http_passport_reply_t   rp;

    ngx_memzero(&rp, sizeof(ngx_http_passport_reply_t));

    rp.status = NGX_HTTP_OK;
    rp.type.data = (u_char *) type;
    rp.type.len = ngx_strlen(type);
    rp.body = out;

    for (cl = out; cl; cl = cl->next) {
        rp.length += cl->buf->last - cl->buf->pos;
    }

    return ngx_http_passport_reply(r, &rp);
}


static ngx_int_t
ngx_http_passport_report_query_bad(ngx_http_request_t *r, const char *detail)
{
    ngx_buf_t                  *b;
    ngx_http_passport_reply_t   rp;

    b = ngx_create_temp_buf(r->pool, 200 + ngx_strlen(detail));
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->last = ngx_sprintf(b->last, "{\"type\":\"about:blank\",\"title\":"
                          "\"Bad Request\",\"status\":400,\"detail\":\"%s\"}"
                          "\n", detail);

    ngx_memzero(&rp, sizeof(ngx_http_passport_reply_t));

    rp.status = NGX_HTTP_BAD_REQUEST;
    ngx_str_set(&rp.type, "application/problem+json");

    if (ngx_http_passport_reply_buf(r, &rp, b) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_passport_reply(r, &rp);
}
