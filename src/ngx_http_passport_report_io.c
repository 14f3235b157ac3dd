
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

        return;
    }

    rd->n = pread(rd->fd, rd->buf, rd->size, rd->offset);

    if (rd->n == -1) {
        rd->err = ngx_errno;
        rd->failed = "pread()";
    }
}


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
