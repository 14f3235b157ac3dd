
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport_report_receive_store.h"


/*
 * The file is the truth: the zone keeps, per node, the chain's end and
 * the file's identity and size as last seen.  When the file is not as
 * seen (the first push after a start, a crash while appending), its end
 * is read again with the tail check of the node's own start, and a line
 * cut by a crash is dropped: its records are received again.  Everything
 * from the open to the fsync runs under the zone's lock, in the worker:
 * two workers never interleave a node's records.
 */


#define NGX_HTTP_PASSPORT_RECEIVE_TAIL      65536
#define NGX_HTTP_PASSPORT_RECEIVE_TIME      24  /* YYYY-MM-DDTHH:MM:SS.mmmZ */


/* a node's stored chain, in the zone */

typedef struct ngx_http_passport_receive_node_s
    ngx_http_passport_receive_node_t;

struct ngx_http_passport_receive_node_s {
    ngx_http_passport_receive_node_t  *next;
    u_char                      name[NGX_HTTP_PASSPORT_REPORT_NODE_MAX];
    size_t                      len;
    dev_t                       dev;            /* the file as last seen */
    ino_t                       ino;
    off_t                       size;           /* -1: not seen yet */
    ngx_http_passport_report_chain_t  chain;
    char                        start[NGX_HTTP_PASSPORT_REPORT_HEX + 1];
                                                /* the chain's seq 1, when
                                                   stored since the start */
};


typedef struct {
    ngx_http_passport_receive_node_t  *nodes;
} ngx_http_passport_receive_sh_t;


static ngx_int_t ngx_http_passport_receive_init_zone(ngx_shm_zone_t *zone,
    void *data);
static ngx_int_t ngx_http_passport_receive_locked(ngx_http_request_t *r,
    ngx_http_passport_receive_store_t *st, ngx_fd_t fd, ngx_array_t *recs,
    ngx_http_passport_receive_answer_t *an);
static ngx_http_passport_receive_node_t *ngx_http_passport_receive_node(
    ngx_slab_pool_t *shpool, ngx_http_passport_report_line_t *l);
static ngx_int_t ngx_http_passport_receive_sync(ngx_http_request_t *r,
    ngx_http_passport_receive_store_t *st, ngx_fd_t fd,
    ngx_http_passport_receive_node_t *nd);
static int ngx_http_passport_receive_tail(ngx_http_request_t *r, ngx_fd_t fd,
    off_t size, ngx_http_passport_report_tail_t *tail, off_t *len);
static ngx_int_t ngx_http_passport_receive_compare(ngx_http_request_t *r,
    ngx_fd_t fd, ngx_http_passport_receive_node_t *nd, ngx_array_t *recs,
    ngx_uint_t *skip, ngx_http_passport_receive_answer_t *an);
static ngx_int_t ngx_http_passport_receive_new_chain(ngx_http_request_t *r,
    ngx_fd_t fd, ngx_http_passport_receive_node_t *nd,
    ngx_http_passport_report_line_t *first);
static ngx_int_t ngx_http_passport_receive_gap(ngx_http_request_t *r,
    ngx_http_passport_receive_node_t *nd, unsigned long long seq,
    ngx_http_passport_receive_answer_t *an);
static ngx_int_t ngx_http_passport_receive_fork(ngx_http_request_t *r,
    ngx_http_passport_receive_node_t *nd, unsigned long long seq,
    const char *stored, const char *received,
    ngx_http_passport_receive_answer_t *an);
static ngx_int_t ngx_http_passport_receive_stored(ngx_http_request_t *r,
    ngx_fd_t fd, off_t size, unsigned long long seq, char *hash,
    u_char *time);
static ngx_int_t ngx_http_passport_receive_append(ngx_http_request_t *r,
    ngx_http_passport_receive_store_t *st, ngx_fd_t fd,
    ngx_http_passport_receive_node_t *nd, ngx_array_t *recs,
    ngx_uint_t skip);


/*
 * DIR: made 0700 here when missing; never a symbolic link.  The workers
 * write in it, through the descriptor opened here; the master never
 * opens a file in it.  One zone per directory: every location receiving
 * into it shares it.
 */

char *
ngx_http_passport_receive_store_conf(ngx_conf_t *cf,
    ngx_http_passport_receive_store_t *st)
{
    ngx_err_t   err;
    ngx_str_t   name;

    st->dir = NGX_INVALID_FILE;
    st->cycle = cf->cycle;

    if (ngx_conf_full_name(cf->cycle, &st->path, 0) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    while (st->path.len > 1 && st->path.data[st->path.len - 1] == '/') {
        st->path.data[--st->path.len] = '\0';
    }

    if (mkdir((char *) st->path.data, 0700) == -1
        && ngx_errno != NGX_EEXIST)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "\"passport_report_receive\" cannot make the "
                           "directory \"%V\"; make it, or give another",
                           &st->path);
        return NGX_CONF_ERROR;
    }

    st->dir = open((char *) st->path.data,
                   O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
    err = ngx_errno;

    if (st->dir == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, err,
                           "\"passport_report_receive\" refuses \"%V\": it "
                           "must be a directory, not a symbolic link",
                           &st->path);
        return NGX_CONF_ERROR;
    }

    name.len = sizeof("passport_report_receive:") - 1 + st->path.len;
    name.data = ngx_pnalloc(cf->pool, name.len);
    if (name.data == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_sprintf(name.data, "passport_report_receive:%V", &st->path);

    st->zone = ngx_shared_memory_add(cf, &name, 64 * ngx_pagesize,
                                     &ngx_http_passport_module);
    if (st->zone == NULL) {
        return NGX_CONF_ERROR;
    }

    if (st->zone->data == NULL) {
        st->zone->init = ngx_http_passport_receive_init_zone;
        st->zone->data = st;
    }

    return NGX_CONF_OK;
}


void
ngx_http_passport_receive_store_close(ngx_http_passport_receive_store_t *st)
{
    if (st->dir != NGX_INVALID_FILE) {
        (void) close(st->dir);
        st->dir = NGX_INVALID_FILE;
    }
}


/*
 * In the master: the directory is the worker user's (through the
 * descriptor); the zone is kept over a reload.  The chains are read from
 * the files by the workers, when first pushed to.
 */

static ngx_int_t
ngx_http_passport_receive_init_zone(ngx_shm_zone_t *zone, void *data)
{
    ngx_http_passport_receive_store_t  *st = zone->data;

    ngx_slab_pool_t                 *shpool;
    ngx_core_conf_t                 *ccf;
    ngx_file_info_t                  fi;
    ngx_http_passport_receive_sh_t  *sh;

    ccf = (ngx_core_conf_t *) ngx_get_conf(st->cycle->conf_ctx,
                                           ngx_core_module);

    if (geteuid() == 0 && ccf->user != (ngx_uid_t) NGX_CONF_UNSET_UINT
        && ngx_fd_info(st->dir, &fi) != NGX_FILE_ERROR
        && fi.st_uid != ccf->user
        && fchown(st->dir, ccf->user, -1) == -1)
    {
        ngx_log_error(NGX_LOG_EMERG, zone->shm.log, ngx_errno,
                      "passport_report_receive: fchown(\"%V\", %d) failed",
                      &st->path, ccf->user);
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


/*
 * Under the lock: the node's file opened (never through a link), its
 * chain read when not known, the push compared with it, the new records
 * appended and synced.
 */

void
ngx_http_passport_receive_store(ngx_http_request_t *r,
    ngx_http_passport_receive_store_t *st, ngx_array_t *recs,
    ngx_http_passport_receive_answer_t *an)
{
    u_char                           *name;
    ngx_fd_t                          fd;
    ngx_int_t                         rc;
    ngx_slab_pool_t                  *shpool;
    ngx_http_passport_receive_rec_t  *rec;

    rec = recs->elts;
    shpool = (ngx_slab_pool_t *) st->zone->shm.addr;

    name = ngx_pnalloc(r->pool, rec->l.node.len + sizeof(".ndjson"));
    if (name == NULL) {
        goto failed;
    }

    ngx_sprintf(name, "%*s.ndjson%Z", rec->l.node.len, rec->l.node.data);

    ngx_shmtx_lock(&shpool->mutex);

    fd = openat(st->dir, (char *) name,
                O_RDWR|O_APPEND|O_CREAT|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC,
                0640);

    if (fd == NGX_INVALID_FILE) {
        ngx_log_error(NGX_LOG_CRIT, r->connection->log, ngx_errno,
                      "passport_report_receive: cannot open \"%V/%s\"",
                      &st->path, name);
        ngx_shmtx_unlock(&shpool->mutex);
        goto failed;
    }

    rc = ngx_http_passport_receive_locked(r, st, fd, recs, an);

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


/* the work under the lock, the file open: the answer when NGX_OK */

static ngx_int_t
ngx_http_passport_receive_locked(ngx_http_request_t *r,
    ngx_http_passport_receive_store_t *st, ngx_fd_t fd, ngx_array_t *recs,
    ngx_http_passport_receive_answer_t *an)
{
    ngx_int_t                          rc;
    ngx_uint_t                         skip;
    ngx_http_passport_receive_rec_t   *rec;
    ngx_http_passport_receive_node_t  *nd;

    rec = recs->elts;

    nd = ngx_http_passport_receive_node(
             (ngx_slab_pool_t *) st->zone->shm.addr, &rec->l);
    if (nd == NULL) {
        return NGX_ERROR;
    }

    rc = ngx_http_passport_receive_sync(r, st, fd, nd);

    if (rc == NGX_OK) {
        rc = ngx_http_passport_receive_compare(r, fd, nd, recs, &skip, an);
    }

    if (rc == NGX_OK) {
        rc = ngx_http_passport_receive_append(r, st, fd, nd, recs, skip);
    }

    if (rc != NGX_OK) {
        return rc;
    }

    an->status = NGX_HTTP_OK;
    an->extra = ngx_pnalloc(r->pool, 3 * NGX_INT64_LEN + 64);
    if (an->extra == NULL) {
        return NGX_OK;
    }

    an->extra_len = ngx_sprintf(an->extra,
                                "{\"stored\":%ui,\"again\":%ui,"
                                "\"last_seq\":%uL}\n",
                                recs->nelts - skip, skip,
                                (uint64_t) nd->chain.seq)
                    - an->extra;

    return NGX_OK;
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
    ngx_http_passport_receive_store_t *st, ngx_fd_t fd,
    ngx_http_passport_receive_node_t *nd)
{
    int                              rc;
    off_t                            size, len;
    ngx_file_info_t                  fi;
    ngx_http_passport_report_tail_t  tail;

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR || !S_ISREG(fi.st_mode)
        || fi.st_nlink != 1)
    {
        ngx_log_error(NGX_LOG_CRIT, r->connection->log, 0,
                      "passport_report_receive: \"%V/%*s.ndjson\" is not "
                      "a regular file of one name", &st->path, nd->len,
                      nd->name);
        return NGX_ABORT;
    }

    size = ngx_file_size(&fi);

    if (nd->size == size && nd->dev == fi.st_dev && nd->ino == fi.st_ino) {
        return NGX_OK;
    }

    rc = ngx_http_passport_receive_tail(r, fd, size, &tail, &len);

    if (rc == NGX_HTTP_PASSPORT_REPORT_ERROR && len == -1) {
        return NGX_ERROR;
    }

    if (rc != NGX_HTTP_PASSPORT_REPORT_OK || tail.segment) {
        ngx_log_error(NGX_LOG_CRIT, r->connection->log, 0,
                      "passport_report_receive: \"%V/%*s.ndjson\" does not "
                      "end with a chain (%uL lines after seq %uL); check it "
                      "with passport-verify", &st->path, nd->len, nd->name,
                      (uint64_t) tail.untrusted, (uint64_t) tail.chain.seq);
        return NGX_ABORT;
    }

    if (tail.truncated || tail.newline) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "passport_report_receive: \"%V/%*s.ndjson\" ends with "
                      "a cut line after seq %uL; it is dropped and its "
                      "records are received again", &st->path, nd->len,
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
    nd->start[0] = '\0';

    return NGX_OK;
}


/*
 * The end of the file checked as a node checks its log at start: from
 * a window of the file's end, doubled until the check has what it needs.
 * *len: the window, or -1 when it could not be read.
 */

static int
ngx_http_passport_receive_tail(ngx_http_request_t *r, ngx_fd_t fd,
    off_t size, ngx_http_passport_report_tail_t *tail, off_t *len)
{
    int      rc;
    off_t    n;
    u_char  *buf;

    ngx_memzero(tail, sizeof(ngx_http_passport_report_tail_t));
    ngx_http_passport_report_chain_init(&tail->chain);
    rc = NGX_HTTP_PASSPORT_REPORT_OK;
    *len = 0;

    for (n = ngx_min(size, NGX_HTTP_PASSPORT_RECEIVE_TAIL); n; n *= 2) {
        n = ngx_min(n, size);
        *len = n;

        buf = ngx_pnalloc(r->pool, (size_t) n);
        if (buf == NULL || pread(fd, buf, (size_t) n, size - n) != n) {
            *len = -1;
            return NGX_HTTP_PASSPORT_REPORT_ERROR;
        }

        rc = ngx_http_passport_report_tail(buf, (size_t) n, n == size, NULL,
                                           tail);

        if (rc != NGX_HTTP_PASSPORT_REPORT_AGAIN || n == size) {
            break;
        }
    }

    return rc;
}


/*
 * The push against the stored chain: *skip records already stored (same
 * hash); a fork or a gap is refused (NGX_DECLINED, with the answer).  A
 * segment record at seq 1 may start a new chain instead (new_chain()).
 */

static ngx_int_t
ngx_http_passport_receive_compare(ngx_http_request_t *r, ngx_fd_t fd,
    ngx_http_passport_receive_node_t *nd, ngx_array_t *recs,
    ngx_uint_t *skip, ngx_http_passport_receive_answer_t *an)
{
    char                              hash[NGX_HTTP_PASSPORT_REPORT_HEX + 1];
    ngx_int_t                         rc;
    ngx_uint_t                        i;
    ngx_http_passport_report_line_t  *l;
    ngx_http_passport_receive_rec_t  *rec;

    rec = recs->elts;
    *skip = 0;

    if (rec[0].l.seq > nd->chain.seq + 1) {
        return ngx_http_passport_receive_gap(r, nd, rec[0].l.seq, an);
    }

    rc = ngx_http_passport_receive_new_chain(r, fd, nd, &rec[0].l);
    if (rc != NGX_DECLINED) {
        return rc;
    }

    for (i = 0; i < recs->nelts; i++) {
        l = &rec[i].l;

        if (l->seq > nd->chain.seq) {
            /* the first new one must continue the stored chain */
            if (ngx_strcmp(l->prev, nd->chain.hash) == 0) {
                break;
            }

            return ngx_http_passport_receive_fork(r, nd, nd->chain.seq,
                                                  nd->chain.hash, l->prev,
                                                  an);
        }

        rc = ngx_http_passport_receive_stored(r, fd, nd->size, l->seq, hash,
                                              NULL);
        if (rc == NGX_ERROR) {
            return NGX_ERROR;
        }

        if (rc == NGX_DECLINED || ngx_strcmp(hash, l->hash) != 0) {
            return ngx_http_passport_receive_fork(r, nd, l->seq, hash,
                                                  l->hash, an);
        }
    }

    *skip = i;

    return NGX_OK;
}


/*
 * A node that starts its chain again (its log held no record it could
 * go on from: docs/reports.md) writes a segment record at seq 1.  It is
 * taken as a new chain, appended after the stored one, when it is later
 * than the stored chain's last record (by its time: an earlier one is a
 * replay of an older chain) and not this chain's own start.  NGX_OK: a
 * new chain; NGX_DECLINED: compare as usual.
 */

static ngx_int_t
ngx_http_passport_receive_new_chain(ngx_http_request_t *r, ngx_fd_t fd,
    ngx_http_passport_receive_node_t *nd,
    ngx_http_passport_report_line_t *first)
{
    char       hash[NGX_HTTP_PASSPORT_REPORT_HEX + 1];
    u_char     time[NGX_HTTP_PASSPORT_RECEIVE_TIME];
    ngx_int_t  rc;

    if (first->type != NGX_HTTP_PASSPORT_REPORT_SEGMENT || first->seq != 1
        || nd->chain.seq == 0
        || first->time.len != NGX_HTTP_PASSPORT_RECEIVE_TIME
        || ngx_strcmp(first->hash, nd->start) == 0)
    {
        return NGX_DECLINED;
    }

    rc = ngx_http_passport_receive_stored(r, fd, nd->size, nd->chain.seq,
                                          hash, time);
    if (rc != NGX_OK) {
        return rc;
    }

    if (ngx_memcmp(first->time.data, time, NGX_HTTP_PASSPORT_RECEIVE_TIME)
        <= 0)
    {
        return NGX_DECLINED;
    }

    ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                  "passport_report_receive: node \"%*s\" starts a new chain "
                  "at seq 1 (a segment record of %*s) after seq %uL",
                  nd->len, nd->name, first->time.len, first->time.data,
                  (uint64_t) nd->chain.seq);

    return NGX_OK;
}


/* a push that starts after the stored chain's end + 1 */

static ngx_int_t
ngx_http_passport_receive_gap(ngx_http_request_t *r,
    ngx_http_passport_receive_node_t *nd, unsigned long long seq,
    ngx_http_passport_receive_answer_t *an)
{
    ngx_http_passport_receive_refuse(an, NGX_HTTP_CONFLICT,
                                     NGX_HTTP_PASSPORT_MSG_RECEIVE_GAP_EN);

    an->extra = ngx_pnalloc(r->pool, 2 * NGX_INT64_LEN + 200);
    if (an->extra) {
        an->extra_len = ngx_sprintf(an->extra,
                                    ",\"node\":\"%*s\",\"missing\":"
                                    "{\"first\":%uL,\"last\":%uL}",
                                    nd->len, nd->name,
                                    (uint64_t) nd->chain.seq + 1,
                                    (uint64_t) seq - 1)
                        - an->extra;
    }

    return NGX_DECLINED;
}


/* seq is stored with another hash (or the chain's end has another) */

static ngx_int_t
ngx_http_passport_receive_fork(ngx_http_request_t *r,
    ngx_http_passport_receive_node_t *nd, unsigned long long seq,
    const char *stored, const char *received,
    ngx_http_passport_receive_answer_t *an)
{
    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "passport_report_receive: node \"%*s\" forked at seq %uL: "
                  "stored %s, received %s; the push is refused",
                  nd->len, nd->name, (uint64_t) seq, stored, received);

    ngx_http_passport_receive_refuse(an, NGX_HTTP_CONFLICT,
                                     NGX_HTTP_PASSPORT_MSG_RECEIVE_FORK_EN);

    an->extra = ngx_pnalloc(r->pool, NGX_INT64_LEN + 400);
    if (an->extra) {
        an->extra_len = ngx_sprintf(an->extra,
                                    ",\"node\":\"%*s\",\"seq\":%uL,"
                                    "\"stored_hash\":\"%s\","
                                    "\"received_hash\":\"%s\"",
                                    nd->len, nd->name, (uint64_t) seq,
                                    stored, received)
                        - an->extra;
    }

    return NGX_DECLINED;
}


/*
 * The hash (and time, when not NULL) of the stored record seq (before
 * size): from the end of the file, a growing window; NGX_DECLINED: not
 * there.
 */

static ngx_int_t
ngx_http_passport_receive_stored(ngx_http_request_t *r, ngx_fd_t fd,
    off_t size, unsigned long long seq, char *hash, u_char *time)
{
    off_t                            len;
    u_char                          *buf, *p, *s;
    ngx_http_passport_report_line_t  l;

    ngx_memcpy(hash, "unknown", sizeof("unknown"));

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
                != NGX_HTTP_PASSPORT_REPORT_OK
                || l.seq > seq)
            {
                continue;
            }

            if (l.seq < seq) {
                return NGX_DECLINED;
            }

            ngx_memcpy(hash, l.hash, NGX_HTTP_PASSPORT_REPORT_HEX + 1);

            if (time && l.time.len == NGX_HTTP_PASSPORT_RECEIVE_TIME) {
                ngx_memcpy(time, l.time.data, l.time.len);

            } else if (time) {
                return NGX_DECLINED;
            }

            return NGX_OK;
        }

        if (len == size) {
            break;
        }
    }

    return NGX_DECLINED;
}


/* the records after skip, in one write, synced; undone when cut */

static ngx_int_t
ngx_http_passport_receive_append(ngx_http_request_t *r,
    ngx_http_passport_receive_store_t *st, ngx_fd_t fd,
    ngx_http_passport_receive_node_t *nd, ngx_array_t *recs,
    ngx_uint_t skip)
{
    u_char                           *start, *end;
    ssize_t                           n;
    ngx_http_passport_receive_rec_t  *rec, *last;

    rec = recs->elts;
    last = &rec[recs->nelts - 1];

    if (skip == recs->nelts) {
        return NGX_OK;
    }

    /* the lines follow each other in the body, each with its "\n" */

    start = rec[skip].line;
    end = last->line + last->len;

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
                      "failed; the push is refused", &st->path, nd->len,
                      nd->name);

        if (ftruncate(fd, nd->size) == -1) {
            nd->size = -1;
        }

        return NGX_ERROR;
    }

    if (rec[skip].l.seq == 1) {
        ngx_memcpy(nd->start, rec[skip].l.hash,
                   NGX_HTTP_PASSPORT_REPORT_HEX + 1);
    }

    nd->size += n;
    nd->chain.seq = last->l.seq;
    ngx_memcpy(nd->chain.hash, last->l.hash,
               NGX_HTTP_PASSPORT_REPORT_HEX + 1);

    return NGX_OK;
}
