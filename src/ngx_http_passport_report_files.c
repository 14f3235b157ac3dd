
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport_report_files.h"


/*
 * Which files a query reads, and their lines.  A plain file is read up
 * to the size it had when opened (nginx may be appending to it), and
 * only whole lines: a last line without its "\n" is being written, not
 * yet a record.  A gzip'd one is read to its end.
 */


#define NGX_HTTP_PASSPORT_REPORT_ROTATED    100  /* LOG.1 to LOG.100 */


static ngx_int_t ngx_http_passport_report_files_dir(
    ngx_http_passport_report_files_t *f, ngx_str_t *dir, ngx_str_t *node);
static ngx_int_t ngx_http_passport_report_files_rotated(
    ngx_http_passport_report_files_t *f, ngx_str_t *path);
static ngx_int_t ngx_http_passport_report_files_add(
    ngx_http_passport_report_files_t *f, ngx_str_t *path, ngx_uint_t n,
    ngx_uint_t gzip);
static ngx_int_t ngx_http_passport_report_name_cmp(const ngx_str_t *a,
    const ngx_str_t *b);
static ngx_int_t ngx_http_passport_report_files_got(
    ngx_http_passport_report_files_t *f);
static ngx_int_t ngx_http_passport_report_files_opened(
    ngx_http_passport_report_files_t *f);
static ngx_int_t ngx_http_passport_report_files_room(
    ngx_http_passport_report_files_t *f);
static ngx_int_t ngx_http_passport_report_files_open(
    ngx_http_passport_report_files_t *f);
static void ngx_http_passport_report_files_ended(
    ngx_http_passport_report_files_t *f);


ngx_int_t
ngx_http_passport_report_files_init(ngx_http_passport_report_files_t *f,
    ngx_pool_t *pool, ngx_log_t *log, ngx_str_t *path, ngx_str_t *dir,
    ngx_str_t *node)
{
    f->pool = pool;
    f->log = log;
    f->rd.fd = NGX_INVALID_FILE;
    f->cur = &f->rd;

    f->io.data = &f->rd;
    f->io.work = ngx_http_passport_report_io_read;
    f->io.pool = pool;
    f->io.log = log;

    if (ngx_array_init(&f->files, pool, 4,
                       sizeof(ngx_http_passport_report_file_t))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (path) {
        return ngx_http_passport_report_files_rotated(f, path);
    }

    return ngx_http_passport_report_files_dir(f, dir, node);
}


/* each NODE.ndjson of dir, in name order, with its rotated files */

static ngx_int_t
ngx_http_passport_report_files_dir(ngx_http_passport_report_files_t *f,
    ngx_str_t *dir, ngx_str_t *node)
{
    size_t        len;
    u_char       *name;
    ngx_dir_t     d;
    ngx_str_t    *path;
    ngx_uint_t    i;
    ngx_array_t   nodes;

    if (ngx_array_init(&nodes, f->pool, 4, sizeof(ngx_str_t)) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_open_dir(dir, &d) == NGX_ERROR) {
        ngx_log_error(NGX_LOG_CRIT, f->log, ngx_errno,
                      "passport: cannot read the receiving directory "
                      "\"%V\"", dir);
        return NGX_OK;
    }

    /* a small directory, one entry per node: read here */

    while (ngx_read_dir(&d) == NGX_OK) {
        len = ngx_de_namelen(&d);
        name = ngx_de_name(&d);

        if (len <= 7 || name[0] == '.'
            || ngx_strncmp(name + len - 7, ".ndjson", 7) != 0
            || (node->len
                && (len != node->len + 7
                    || ngx_strncmp(name, node->data, node->len) != 0)))
        {
            continue;
        }

        path = ngx_array_push(&nodes);
        if (path == NULL) {
            break;
        }

        path->len = dir->len + 1 + len;
        path->data = ngx_pnalloc(f->pool, path->len + 1);
        if (path->data == NULL) {
            break;
        }

        ngx_sprintf(path->data, "%V/%*s%Z", dir, len, name);
    }

    ngx_close_dir(&d);

    path = nodes.elts;

    ngx_sort(path, nodes.nelts, sizeof(ngx_str_t),
             (ngx_int_t (*)(const void *, const void *))
             ngx_http_passport_report_name_cmp);

    for (i = 0; i < nodes.nelts; i++) {
        if (ngx_http_passport_report_files_rotated(f, &path[i]) != NGX_OK) {
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


/*
 * path.N ... path.1, path: those that are there, path.N or, when it is
 * not there, path.N.gz (logrotate's "compress"; while gzip is at work
 * both are there, and path.N is whole).
 */

static ngx_int_t
ngx_http_passport_report_files_rotated(ngx_http_passport_report_files_t *f,
    ngx_str_t *path)
{
    ngx_uint_t        n, gzip[NGX_HTTP_PASSPORT_REPORT_ROTATED + 1];
    ngx_file_info_t   fi;
    u_char            name[NGX_MAX_PATH];

    for (n = 1; n <= NGX_HTTP_PASSPORT_REPORT_ROTATED; n++) {
        if (path->len + NGX_INT_T_LEN + 5 > NGX_MAX_PATH) {
            break;
        }

        ngx_sprintf(name, "%V.%ui%Z", path, n);
        gzip[n] = 0;

        if (ngx_file_info(name, &fi) != NGX_FILE_ERROR) {
            continue;
        }

#if (NGX_ZLIB)
        ngx_sprintf(name, "%V.%ui.gz%Z", path, n);
        gzip[n] = 1;

        if (ngx_file_info(name, &fi) != NGX_FILE_ERROR) {
            continue;
        }
#endif

        break;
    }

    while (--n > 0) {
        if (ngx_http_passport_report_files_add(f, path, n, gzip[n])
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return ngx_http_passport_report_files_add(f, path, 0, 0);
}


/* path, or path.n[.gz] */

static ngx_int_t
ngx_http_passport_report_files_add(ngx_http_passport_report_files_t *f,
    ngx_str_t *path, ngx_uint_t n, ngx_uint_t gzip)
{
    u_char                           *p;
    ngx_http_passport_report_file_t  *file;

    file = ngx_array_push(&f->files);
    if (file == NULL) {
        return NGX_ERROR;
    }

    p = ngx_pnalloc(f->pool, path->len + NGX_INT_T_LEN + 5);
    if (p == NULL) {
        return NGX_ERROR;
    }

    file->path.data = p;
    file->gzip = gzip;

    p = ngx_cpymem(p, path->data, path->len);

    if (n) {
        p = ngx_sprintf(p, ".%ui%s", n, gzip ? ".gz" : "");
    }

    file->path.len = p - file->path.data;
    *p = '\0';

    return NGX_OK;
}


ngx_int_t
ngx_http_passport_report_files_line(ngx_http_passport_report_files_t *f,
    ngx_str_t *line)
{
    u_char     *nl;
    ngx_int_t   rc;

    for ( ;; ) {

        if (f->pending) {
            f->pending = 0;

            rc = ngx_http_passport_report_files_got(f);
            if (rc != NGX_OK) {
                return rc;
            }
        }

        if (f->file && f->pos < f->last) {
            nl = ngx_strlchr(f->pos, f->last, '\n');

            if (nl && f->skipping) {
                /* the end of a line too long */
                f->skipping = 0;
                f->pos = nl + 1;
                continue;
            }

            if (nl) {
                line->data = f->pos;
                line->len = nl + 1 - f->pos;
                f->pos = nl + 1;
                return NGX_OK;
            }
        }

        rc = (f->file && !f->eof) ? ngx_http_passport_report_files_room(f)
                                  : ngx_http_passport_report_files_open(f);
        if (rc != NGX_OK) {
            return rc;
        }

        f->pending = 1;

        if (ngx_http_passport_report_io(&f->io) == NGX_AGAIN) {
            return NGX_AGAIN;
        }
    }
}


/*
 * Room for the next read after what is not yet a line: moved to the
 * start of buf, which grows for a long line; a line longer than
 * LINE_MAX is skipped to its end.
 */

static ngx_int_t
ngx_http_passport_report_files_room(ngx_http_passport_report_files_t *f)
{
    size_t   kept;
    u_char  *buf;

    kept = f->skipping ? 0 : f->last - f->pos;

    if (kept == f->cap && f->cap < NGX_HTTP_PASSPORT_REPORT_LINE_MAX) {
        buf = ngx_pnalloc(f->pool, 2 * f->cap);
        if (buf == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(buf, f->pos, kept);
        ngx_pfree(f->pool, f->buf);

        f->buf = buf;
        f->cap *= 2;

    } else if (kept == f->cap) {
        f->skipped++;
        f->skipping = 1;
        kept = 0;

    } else if (kept && f->pos != f->buf) {
        ngx_memmove(f->buf, f->pos, kept);
    }

    f->pos = f->buf;
    f->last = f->buf + kept;

    f->cur->buf = f->last;
    f->cur->size = f->cap - kept;

    if (!f->file->gzip) {
        f->cur->size = (size_t) ngx_min((off_t) f->cur->size,
                                        f->end - f->cur->offset);
    }

    return NGX_OK;
}


/* the next file to open; NGX_DONE: none is left */

static ngx_int_t
ngx_http_passport_report_files_open(ngx_http_passport_report_files_t *f)
{
    ngx_http_passport_report_file_t  *files;

    ngx_http_passport_report_files_ended(f);

    if (f->next == f->files.nelts) {
        return NGX_DONE;
    }

    files = f->files.elts;
    f->file = &files[f->next++];

    f->cur = &f->rd;
    f->rd.path = f->file->path.data;
    f->rd.offset = 0;
    f->opened = 0;
    f->eof = 0;
    f->skipping = 0;
    f->skipped = 0;
    f->pos = f->buf;
    f->last = f->buf;

    f->io.data = &f->rd;
    f->io.work = ngx_http_passport_report_io_read;

#if (NGX_ZLIB)
    if (f->file->gzip) {
        if (f->gz == NULL) {
            f->gz = ngx_pcalloc(f->pool,
                                sizeof(ngx_http_passport_report_gunzip_t));
            if (f->gz == NULL) {
                return NGX_ERROR;
            }

            f->gz->in = ngx_pnalloc(f->pool, NGX_HTTP_PASSPORT_REPORT_CHUNK);
            f->gz->mem = ngx_pnalloc(f->pool, NGX_HTTP_PASSPORT_REPORT_GZ_MEM);
            if (f->gz->in == NULL || f->gz->mem == NULL) {
                return NGX_ERROR;
            }
        }

        f->gz->rd = f->rd;
        f->cur = &f->gz->rd;
        f->io.data = f->gz;
        f->io.work = ngx_http_passport_report_io_gunzip;
    }
#endif

    return NGX_OK;
}


/* the file being read is over */

static void
ngx_http_passport_report_files_ended(ngx_http_passport_report_files_t *f)
{
    ngx_http_passport_report_files_close(f);

    f->file = NULL;
}


/*
 * What the last open or read brought, on the worker.  NGX_OK: go on;
 * NGX_ERROR: logged.
 */

static ngx_int_t
ngx_http_passport_report_files_got(ngx_http_passport_report_files_t *f)
{
    ngx_http_passport_report_read_t  *rd;

    rd = f->cur;

    if (rd->failed && !f->opened && rd->err == NGX_ENOENT) {
        /* rotated away, the new file not made yet: no records there */
        ngx_log_error(NGX_LOG_INFO, f->log, rd->err,
                      "passport: the report log \"%V\" is not there, "
                      "as after a rotation: no records", &f->file->path);
        f->eof = 1;
        return NGX_OK;
    }

    if (rd->failed) {
        ngx_log_error(NGX_LOG_CRIT, f->log, rd->err,
                      "passport: cannot read the report log \"%V\": %s%s",
                      &f->file->path, rd->failed,
                      rd->err ? " failed" : "");
        return NGX_ERROR;
    }

    if (!f->opened) {
        return ngx_http_passport_report_files_opened(f);
    }

    if (rd->n == 0) {
        /* the end; a plain file shorter than it was is read too */
        f->eof = 1;
        return NGX_OK;
    }

    if (!f->file->gzip) {
        rd->offset += rd->n;
    }

    f->last += rd->n;

    if (!f->file->gzip && rd->offset >= f->end) {
        /* a last line without its "\n" is being written: not a record */
        f->eof = 1;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_passport_report_files_opened(ngx_http_passport_report_files_t *f)
{
    f->opened = 1;
    f->end = ngx_file_size(&f->cur->info);

    if (f->buf == NULL) {
        f->cap = NGX_HTTP_PASSPORT_REPORT_CHUNK;

        f->buf = ngx_pnalloc(f->pool, f->cap);
        if (f->buf == NULL) {
            return NGX_ERROR;
        }

        f->pos = f->buf;
        f->last = f->buf;
    }

    if (!f->file->gzip && f->end == 0) {
        f->eof = 1;
    }

    return NGX_OK;
}


/* closed, its long lines told */

void
ngx_http_passport_report_files_close(ngx_http_passport_report_files_t *f)
{
    if (f->file && f->skipped) {
        ngx_log_error(NGX_LOG_WARN, f->log, 0,
                      "passport: %ui line(s) of the report log \"%V\" "
                      "longer than %uz bytes skipped", f->skipped,
                      &f->file->path,
                      (size_t) NGX_HTTP_PASSPORT_REPORT_LINE_MAX);
        f->skipped = 0;
    }

    if (f->cur && f->cur->fd != NGX_INVALID_FILE) {
        (void) ngx_close_file(f->cur->fd);
        f->cur->fd = NGX_INVALID_FILE;
    }
}
