
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport.h"

#include <openssl/err.h>


/*
 * The worker's HTTP client: one libcurl multi handle per worker, created
 * in init_process and driven by nginx events and timers (the "multi
 * socket" interface).  libcurl owns its sockets; each one it asks us to
 * watch gets an nginx connection (counted against worker_connections)
 * with level-triggered events.  Registry lookups and the report push run
 * their transfers here; each tells how it ended through its callback.
 *
 * libcurl opens at most passport_registry_connections connections: more
 * transfers wait in its queue, and never take the worker_connections
 * that clients need.  A transfer that fails here rather than at the other
 * end (no connection slot, its time limit spent in the queue, no memory)
 * is marked "local": it says nothing about the endpoint.
 */


typedef struct {
    CURLM                      *multi;
    ngx_event_t                 timer;
    ngx_uint_t                  active;        /* transfers with "keep" */
    ngx_log_t                  *log;
} ngx_http_passport_curl_t;


static int ngx_http_passport_curl_socket(CURL *easy, curl_socket_t s,
    int what, void *userp, void *socketp);
static int ngx_http_passport_curl_timer(CURLM *multi, long timeout_ms,
    void *userp);
static void ngx_http_passport_curl_timer_handler(ngx_event_t *ev);
static void ngx_http_passport_curl_event(ngx_event_t *ev);
static void ngx_http_passport_curl_close(ngx_connection_t *c);
static void ngx_http_passport_curl_drain(void);
static void ngx_http_passport_curl_fail_handler(ngx_event_t *ev);
static int ngx_http_passport_curl_sockopt(void *clientp, curl_socket_t fd,
    curlsocktype purpose);
static int ngx_http_passport_curl_prereq(void *clientp, char *primary_ip,
    char *local_ip, int primary_port, int local_port);
static void ngx_http_passport_curl_attempt(ngx_http_passport_transfer_t *t);
static ngx_uint_t ngx_http_passport_curl_local(
    ngx_http_passport_transfer_t *t, CURLcode code);


/* per worker: set in init_process, NULL in the master and when unused */
static ngx_http_passport_curl_t  *ngx_http_passport_curl;


ngx_int_t
ngx_http_passport_curl_init(ngx_cycle_t *cycle, ngx_uint_t connections)
{
    CURLM                     *multi;
    ngx_http_passport_curl_t  *cu;

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, 0,
                      "passport: curl_global_init() failed");
        return NGX_ERROR;
    }

    cu = ngx_pcalloc(cycle->pool, sizeof(ngx_http_passport_curl_t));
    if (cu == NULL) {
        return NGX_ERROR;
    }

    multi = curl_multi_init();
    if (multi == NULL) {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, 0,
                      "passport: curl_multi_init() failed");
        return NGX_ERROR;
    }

    cu->multi = multi;
    cu->log = cycle->log;

    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION,
                      ngx_http_passport_curl_socket);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, cu);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION,
                      ngx_http_passport_curl_timer);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, cu);
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, (long) CURLPIPE_MULTIPLEX);

    /* beyond these, transfers queue: the sockets of clients are kept */
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                      (long) connections);
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                      (long) connections);
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long) connections);

    cu->timer.handler = ngx_http_passport_curl_timer_handler;
    cu->timer.data = cu;
    cu->timer.log = cycle->log;
    cu->timer.cancelable = 1;

    ngx_http_passport_curl = cu;

    return NGX_OK;
}


/* after every transfer has been removed */

void
ngx_http_passport_curl_exit(ngx_cycle_t *cycle)
{
    ngx_http_passport_curl_t  *cu;

    cu = ngx_http_passport_curl;

    if (cu == NULL) {
        return;
    }

    if (cu->timer.timer_set) {
        ngx_del_timer(&cu->timer);
    }

    /* closes cached connections, calling the socket callback */
    curl_multi_cleanup(cu->multi);
    ERR_clear_error();
    curl_global_cleanup();

    ngx_http_passport_curl = NULL;
}


ngx_uint_t
ngx_http_passport_curl_running(void)
{
    return ngx_http_passport_curl != NULL;
}


ngx_log_t *
ngx_http_passport_curl_log(void)
{
    return ngx_http_passport_curl->log;
}


/*
 * Starts a transfer: t->done(t->data, code, cause) is called when it
 * ends.  A transfer with t->keep keeps a gracefully exiting worker alive
 * until it ends.
 */

ngx_int_t
ngx_http_passport_curl_add(CURL *easy, ngx_http_passport_transfer_t *t)
{
    ngx_http_passport_curl_t  *cu;

    cu = ngx_http_passport_curl;

    if (cu == NULL) {
        return NGX_DECLINED;
    }

    t->fail.handler = ngx_http_passport_curl_fail_handler;
    t->fail.data = t;
    t->fail.log = cu->log;
    t->attempted = 0;
    t->local = 0;

    curl_easy_setopt(easy, CURLOPT_PRIVATE, t);

    /* when it leaves libcurl's queue: a new connection, or a kept one */
    curl_easy_setopt(easy, CURLOPT_SOCKOPTFUNCTION,
                     ngx_http_passport_curl_sockopt);
    curl_easy_setopt(easy, CURLOPT_SOCKOPTDATA, t);
    curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION,
                     ngx_http_passport_curl_prereq);
    curl_easy_setopt(easy, CURLOPT_PREREQDATA, t);

    if (curl_multi_add_handle(cu->multi, easy) != CURLM_OK) {
        return NGX_ERROR;
    }

    if (t->keep) {
        cu->active++;
    }

    return NGX_OK;
}


/* the transfer leaves the multi handle: ended, or aborted */

void
ngx_http_passport_curl_remove(CURL *easy, ngx_http_passport_transfer_t *t)
{
    ngx_http_passport_curl_t  *cu;

    cu = ngx_http_passport_curl;

    if (t->fail.posted) {
        ngx_delete_posted_event(&t->fail);
    }

    curl_multi_remove_handle(cu->multi, easy);

    if (t->keep && --cu->active == 0) {
        /* nothing in flight: the timer must not delay an exit */
        cu->timer.cancelable = 1;
    }

    /*
     * libcurl may leave errors in OpenSSL's queue of this thread (a
     * refused certificate, a shutdown during a handshake); nginx's own TLS
     * in the same worker would take them for its own.
     */

    ERR_clear_error();
}


static int
ngx_http_passport_curl_socket(CURL *easy, curl_socket_t s, int what,
    void *userp, void *socketp)
{
    ngx_http_passport_curl_t *cu = userp;

    ngx_int_t                      rc;
    ngx_connection_t              *c;
    ngx_http_passport_transfer_t  *t;

    c = socketp;

    if (what == CURL_POLL_REMOVE) {
        if (c) {
            ngx_http_passport_curl_close(c);
            curl_multi_assign(cu->multi, s, NULL);
        }

        return 0;
    }

    if (c == NULL) {
        c = ngx_get_connection(s, cu->log);

        if (c == NULL) {
            /*
             * No worker_connections slot: this transfer fails, the others
             * go on (-1 here would abort every transfer).  The failure is
             * posted: libcurl must not be called from its own callback.
             */

            t = NULL;

            if (easy) {
                curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **) &t);
            }

            if (t && !t->fail.posted) {
                ngx_post_event(&t->fail, &ngx_posted_events);
            }

            return 0;
        }

        c->data = cu;
        c->log = cu->log;
        c->read->log = cu->log;
        c->write->log = cu->log;
        c->read->handler = ngx_http_passport_curl_event;
        c->write->handler = ngx_http_passport_curl_event;

        curl_multi_assign(cu->multi, s, c);
    }

    /* level-triggered: libcurl may not drain a socket in one call */

    rc = NGX_OK;

    if ((what & CURL_POLL_IN) && !c->read->active) {
        rc = ngx_add_event(c->read, NGX_READ_EVENT, 0);

    } else if (!(what & CURL_POLL_IN) && c->read->active) {
        rc = ngx_del_event(c->read, NGX_READ_EVENT, 0);
    }

    if (rc == NGX_OK) {
        if ((what & CURL_POLL_OUT) && !c->write->active) {
            rc = ngx_add_event(c->write, NGX_WRITE_EVENT, 0);

        } else if (!(what & CURL_POLL_OUT) && c->write->active) {
            rc = ngx_del_event(c->write, NGX_WRITE_EVENT, 0);
        }
    }

    return rc == NGX_OK ? 0 : -1;
}


static void
ngx_http_passport_curl_close(ngx_connection_t *c)
{
    if (c->read->posted) {
        ngx_delete_posted_event(c->read);
    }

    if (c->write->posted) {
        ngx_delete_posted_event(c->write);
    }

    /*
     * libcurl may have closed the socket already (aborting a transfer):
     * the kernel then dropped it from epoll, and a DEL would fail.
     */

    if (c->read->active || c->write->active) {
        ngx_del_conn(c, (fcntl(c->fd, F_GETFD) == -1 && ngx_errno == EBADF)
                        ? NGX_CLOSE_EVENT : 0);
    }

    /* libcurl owns and closes the socket: only the slot is given back */

    ngx_free_connection(c);
    c->fd = (ngx_socket_t) -1;
}


static int
ngx_http_passport_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
    ngx_http_passport_curl_t *cu = userp;

    if (cu->timer.timer_set) {
        ngx_del_timer(&cu->timer);
    }

    if (timeout_ms < 0) {
        return 0;
    }

    /*
     * Not calling libcurl from here even for 0: the timer fires on the
     * next turn of the event loop.  While lookups are in flight the timer
     * keeps a gracefully exiting worker alive until they end.
     */

    cu->timer.cancelable = (cu->active == 0);

    ngx_add_timer(&cu->timer, (ngx_msec_t) timeout_ms);

    return 0;
}


static void
ngx_http_passport_curl_timer_handler(ngx_event_t *ev)
{
    int                        running;
    ngx_http_passport_curl_t  *cu = ev->data;

    curl_multi_socket_action(cu->multi, CURL_SOCKET_TIMEOUT, 0, &running);

    ngx_http_passport_curl_drain();
}


static void
ngx_http_passport_curl_event(ngx_event_t *ev)
{
    int                        running, action;
    ngx_connection_t          *c;
    ngx_http_passport_curl_t  *cu;

    c = ev->data;
    cu = c->data;

    action = ev->write ? CURL_CSELECT_OUT : CURL_CSELECT_IN;

    /* c may be freed by the socket callback from here on */

    curl_multi_socket_action(cu->multi, c->fd, action, &running);

    ngx_http_passport_curl_drain();
}


static void
ngx_http_passport_curl_drain(void)
{
    int                            left;
    CURL                          *easy;
    CURLMsg                       *msg;
    CURLcode                       code;
    ngx_http_passport_transfer_t  *t;

    ERR_clear_error();

    while ((msg = curl_multi_info_read(ngx_http_passport_curl->multi,
                                       &left)))
    {
        if (msg->msg != CURLMSG_DONE) {
            continue;
        }

        easy = msg->easy_handle;
        code = msg->data.result;

        t = NULL;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **) &t);

        if (t) {
            t->local = ngx_http_passport_curl_local(t, code);
            t->done(t->data, code, NULL);
        }
    }
}


/*
 * Whether a failure is ours: no memory, or the time limit ran out while
 * the transfer waited for one of our connections.  The endpoint failed
 * only if it had (nearly) the whole time limit to answer.
 */

static ngx_uint_t
ngx_http_passport_curl_local(ngx_http_passport_transfer_t *t, CURLcode code)
{
    if (code == CURLE_OUT_OF_MEMORY) {
        return 1;
    }

    if (code != CURLE_OPERATION_TIMEDOUT) {
        return 0;
    }

    if (!t->attempted) {
        return 1;
    }

    return (ngx_msec_t) (ngx_current_msec - t->attempt)
           < t->timeout - t->timeout / 10;
}


static int
ngx_http_passport_curl_sockopt(void *clientp, curl_socket_t fd,
    curlsocktype purpose)
{
    ngx_http_passport_curl_attempt(clientp);

    return CURL_SOCKOPT_OK;
}


static int
ngx_http_passport_curl_prereq(void *clientp, char *primary_ip,
    char *local_ip, int primary_port, int local_port)
{
    ngx_http_passport_curl_attempt(clientp);

    return CURL_PREREQFUNC_OK;
}


static void
ngx_http_passport_curl_attempt(ngx_http_passport_transfer_t *t)
{
    if (!t->attempted) {
        t->attempted = 1;
        t->attempt = ngx_current_msec;
    }
}


static void
ngx_http_passport_curl_fail_handler(ngx_event_t *ev)
{
    ngx_http_passport_transfer_t  *t = ev->data;

    t->local = 1;
    t->done(t->data, CURLE_COULDNT_CONNECT,
            NGX_HTTP_PASSPORT_MSG_CAUSE_NO_CONNECTION_EN);
}
