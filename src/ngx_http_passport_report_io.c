
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport_report.h"


/*
 * The blocking file work of the regulator side (reading the log, saving
 * the push cursor) runs in a thread pool when the report log has one, as
 * "aio threads" does, and on the spot otherwise.  The work functions run
 * in a pool thread: they use the file calls only, and keep the error for
 * the worker to log.
 */


#if (NGX_THREADS)
static void ngx_http_passport_report_io_thread(void *data, ngx_log_t *log);
#endif
static void ngx_http_passport_report_io_open(
    ngx_http_passport_report_read_t *rd);

#if (NGX_ZLIB)

/* where a gzip'd file is */
#define NGX_HTTP_PASSPORT_GZ_MEMBER     0       /* in a member */
#define NGX_HTTP_PASSPORT_GZ_BETWEEN    1       /* after one */
#define NGX_HTTP_PASSPORT_GZ_END        2       /* the file is read */

static void ngx_http_passport_report_io_inflate_init(
    ngx_http_passport_report_gunzip_t *gz);
static ngx_int_t ngx_http_passport_report_io_gz_in(
    ngx_http_passport_report_gunzip_t *gz);
static voidpf ngx_http_passport_report_io_zalloc(voidpf opaque, uInt items,
    uInt size);
static void ngx_http_passport_report_io_zfree(voidpf opaque,
    voidpf address);

#endif


/*
 * NGX_OK: the work is done; NGX_AGAIN: a thread has it, io->resume runs
 * on the worker when it is over.
 */

ngx_int_t
ngx_http_passport_report_io(ngx_http_passport_report_io_t *io)
{
#if (NGX_THREADS)

    ngx_thread_task_t  *task;

    if (io->threads) {
        task = io->task;

        if (task == NULL) {
            task = ngx_thread_task_alloc(io->pool, 0);
            if (task == NULL) {
                /* no memory for a task: done here */
                io->work(io->data);
                return NGX_OK;
            }

            task->ctx = io;
            task->handler = ngx_http_passport_report_io_thread;
            task->event.handler = io->resume;
            task->event.data = io->resume_data;
            task->event.log = io->log;

            io->task = task;
        }

        if (ngx_thread_task_post(io->threads, task) == NGX_OK) {
            return NGX_AGAIN;
        }

        /* the queue is full (logged): done here this time */
    }

#endif

    io->work(io->data);

    return NGX_OK;
}


/* a thread has the work now */

ngx_uint_t
ngx_http_passport_report_io_busy(ngx_http_passport_report_io_t *io)
{
#if (NGX_THREADS)
    return io->task && io->task->event.active;
#else
    return 0;
#endif
}


#if (NGX_THREADS)

static void
ngx_http_passport_report_io_thread(void *data, ngx_log_t *log)
{
    ngx_http_passport_report_io_t  *io = data;

    io->work(io->data);
}

#endif


void
ngx_http_passport_report_io_read(void *data)
{
    ngx_http_passport_report_read_t  *rd = data;

    rd->failed = NULL;
    rd->err = 0;
    rd->n = 0;

    if (rd->fd == NGX_INVALID_FILE) {
        ngx_http_passport_report_io_open(rd);
        return;
    }

    rd->n = pread(rd->fd, rd->buf, rd->size, rd->offset);

    if (rd->n == -1) {
        rd->err = ngx_errno;
        rd->failed = "pread()";
    }
}


static void
ngx_http_passport_report_io_open(ngx_http_passport_report_read_t *rd)
{
    /* the log's name is not followed if it was made a link */

    rd->fd = ngx_open_file(rd->path,
                           NGX_FILE_RDONLY|NGX_FILE_NOFOLLOW
                           |NGX_FILE_NONBLOCK,
                           NGX_FILE_OPEN, 0);

    if (rd->fd == NGX_INVALID_FILE) {
        rd->err = ngx_errno;
        rd->failed = ngx_open_file_n;
        return;
    }

    if (ngx_fd_info(rd->fd, &rd->info) == NGX_FILE_ERROR) {
        rd->err = ngx_errno;
        rd->failed = ngx_fd_info_n;

    } else if (!S_ISREG(rd->info.st_mode)) {
        rd->err = NGX_EINVAL;
        rd->failed = "open() of a non-regular file";
    }
}


#if (NGX_ZLIB)

/*
 * A gzip'd rotated file (logrotate's "compress"), in a pool thread: zlib
 * takes its memory from gz->mem, GZ_MEM bytes given by the worker, and
 * never from malloc(); nothing is left to free but the descriptor.  A
 * file of several gzip members (files joined with cat) is read through.
 */

void
ngx_http_passport_report_io_gunzip(void *data)
{
    ngx_http_passport_report_gunzip_t  *gz = data;

    int                               rc;
    ngx_http_passport_report_read_t  *rd;

    rd = &gz->rd;
    rd->failed = NULL;
    rd->err = 0;
    rd->n = 0;

    if (rd->fd == NGX_INVALID_FILE) {
        ngx_http_passport_report_io_open(rd);

        if (rd->failed == NULL) {
            ngx_http_passport_report_io_inflate_init(gz);
        }

        return;
    }

    gz->zs.next_out = rd->buf;
    gz->zs.avail_out = rd->size;

    while (gz->zs.avail_out && gz->state != NGX_HTTP_PASSPORT_GZ_END) {

        if (gz->zs.avail_in == 0
            && ngx_http_passport_report_io_gz_in(gz) != NGX_OK)
        {
            return;
        }

        if (gz->state == NGX_HTTP_PASSPORT_GZ_END) {
            break;
        }

        rc = inflate(&gz->zs, Z_NO_FLUSH);

        if (rc == Z_STREAM_END) {
            /* a member is over: another may follow */
            gz->state = NGX_HTTP_PASSPORT_GZ_BETWEEN;
            (void) inflateReset(&gz->zs);
            continue;
        }

        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            rd->err = 0;
            rd->failed = gz->zs.msg ? gz->zs.msg : "inflate()";
            return;
        }

        gz->state = NGX_HTTP_PASSPORT_GZ_MEMBER;
    }

    rd->n = rd->size - gz->zs.avail_out;
}


static void
ngx_http_passport_report_io_inflate_init(ngx_http_passport_report_gunzip_t *gz)
{
    ngx_memzero(&gz->zs, sizeof(z_stream));

    gz->zs.zalloc = ngx_http_passport_report_io_zalloc;
    gz->zs.zfree = ngx_http_passport_report_io_zfree;
    gz->zs.opaque = gz;
    gz->used = 0;
    gz->state = NGX_HTTP_PASSPORT_GZ_MEMBER;

    /* 16 + 15: a gzip header and trailer, a window of 32 KiB at most */

    if (inflateInit2(&gz->zs, 16 + MAX_WBITS) != Z_OK) {
        gz->rd.err = 0;
        gz->rd.failed = "inflateInit2()";
    }
}


/* the next CHUNK of the file; the end between members is the end */

static ngx_int_t
ngx_http_passport_report_io_gz_in(ngx_http_passport_report_gunzip_t *gz)
{
    ssize_t                           n;
    ngx_http_passport_report_read_t  *rd;

    rd = &gz->rd;

    n = pread(rd->fd, gz->in, NGX_HTTP_PASSPORT_REPORT_CHUNK, rd->offset);

    if (n == -1) {
        rd->err = ngx_errno;
        rd->failed = "pread()";
        return NGX_ERROR;
    }

    if (n == 0) {
        if (gz->state != NGX_HTTP_PASSPORT_GZ_BETWEEN) {
            rd->err = 0;
            rd->failed = "the gzip'd file ends before its data";
            return NGX_ERROR;
        }

        gz->state = NGX_HTTP_PASSPORT_GZ_END;
        return NGX_OK;
    }

    rd->offset += n;
    gz->zs.next_in = gz->in;
    gz->zs.avail_in = (uInt) n;

    return NGX_OK;
}


static voidpf
ngx_http_passport_report_io_zalloc(voidpf opaque, uInt items, uInt size)
{
    ngx_http_passport_report_gunzip_t  *gz = opaque;

    size_t   len;
    u_char  *p;

    len = ngx_align((size_t) items * size, 16);

    if (len > NGX_HTTP_PASSPORT_REPORT_GZ_MEM - gz->used) {
        return Z_NULL;
    }

    p = gz->mem + gz->used;
    gz->used += len;

    return p;
}


static void
ngx_http_passport_report_io_zfree(voidpf opaque, voidpf address)
{
    /* gz->mem is the request's, given back with its pool */
}

#endif


void
ngx_http_passport_report_io_save(void *data)
{
    ngx_http_passport_report_save_t  *sv = data;

    ngx_fd_t  fd;

    sv->failed = NULL;
    sv->err = 0;

    fd = ngx_open_file(sv->tmp, NGX_FILE_WRONLY|NGX_FILE_NOFOLLOW,
                       NGX_FILE_TRUNCATE, 0640);

    if (fd == NGX_INVALID_FILE) {
        sv->failed = ngx_open_file_n;
        goto failed;
    }

    if (ngx_write_fd(fd, sv->data, sv->len) != (ssize_t) sv->len) {
        sv->failed = ngx_write_fd_n;

    } else if (fsync(fd) == -1) {
        sv->failed = "fsync()";
    }

    if (sv->failed) {
        sv->err = ngx_errno;
        (void) ngx_close_file(fd);
        return;
    }

    if (ngx_close_file(fd) == NGX_FILE_ERROR) {
        sv->failed = ngx_close_file_n;
        goto failed;
    }

    if (ngx_rename_file(sv->tmp, sv->path) == NGX_FILE_ERROR) {
        sv->failed = ngx_rename_file_n;
        goto failed;
    }

    return;

failed:

    sv->err = ngx_errno;
}
