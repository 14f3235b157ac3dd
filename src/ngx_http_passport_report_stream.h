
/*
 * Copyright (C) passport developers
 */


#ifndef _NGX_HTTP_PASSPORT_REPORT_STREAM_H_INCLUDED_
#define _NGX_HTTP_PASSPORT_REPORT_STREAM_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


/*
 * An answer written as it is made, through nginx's output filters
 * (chunked for HTTP/1.1), in a fixed number of buffers: when the client
 * holds them all, the writer waits for it and resume() is called once it
 * has taken some.  The status line and headers go out with the first
 * full buffer, or at the end with a Content-Length when the answer fits
 * in one buffer: until then a failure can still be a 500.
 */


typedef struct ngx_http_passport_report_stream_s
    ngx_http_passport_report_stream_t;

/* the client took data: the writer may go on */
typedef void (*ngx_http_passport_report_resume_pt)(void *data);


/* the buffers, each of CHUNK bytes */
#define NGX_HTTP_PASSPORT_REPORT_STREAM_BUFS   4


/*
 * A stream for r, status 200 with Content-Type type (not copied); it
 * takes r's write events.  NULL: no memory.
 */
ngx_http_passport_report_stream_t *ngx_http_passport_report_stream_create(
    ngx_http_request_t *r, ngx_str_t *type,
    ngx_http_passport_report_resume_pt resume, void *data);

/*
 * Copies *len bytes from *p into the answer, moving *p and *len on.
 * NGX_OK: all in; NGX_AGAIN: the client is slow, the rest is left for
 * the call after resume(); NGX_ERROR: the client is gone or no memory.
 */
ngx_int_t ngx_http_passport_report_stream_write(
    ngx_http_passport_report_stream_t *s, u_char **p, size_t *len);

/*
 * The end of the answer (the header alone for HEAD): what the request
 * is finalized with.
 */
ngx_int_t ngx_http_passport_report_stream_end(
    ngx_http_passport_report_stream_t *s);

/* whether the status went out: a failure can only cut the answer */
ngx_uint_t ngx_http_passport_report_stream_started(
    ngx_http_passport_report_stream_t *s);


#endif /* _NGX_HTTP_PASSPORT_REPORT_STREAM_H_INCLUDED_ */
