
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport.h"


/*
 * What registry lookups and the report push have in common: the checks of
 * an endpoint's URL, token file and trusted CAs at configuration time, and
 * the libcurl options of every request made to it.
 */


#define NGX_HTTP_PASSPORT_TOKEN_MAX  4096


static const char  ngx_http_passport_url_credentials[] =
    "remove the credentials, URLs are logged; a bearer token goes in ";


static const char *ngx_http_passport_endpoint_url_fix(ngx_str_t *url,
    ngx_uint_t flags);
static ngx_int_t ngx_http_passport_token_line(u_char *p, u_char *last,
    ngx_str_t *token);
static size_t ngx_http_passport_endpoint_discard(char *ptr, size_t size,
    size_t nmemb, void *userdata);


/*
 * Checks the URL given to the directive being parsed and copies it,
 * NUL-terminated: http:// or https:// with a host; no credentials (URLs
 * are logged, a token file holds the secret), no fragment, no spaces,
 * control characters or non-ASCII bytes.  A base (URL_BASE), which lookup
 * paths are appended to, has no query either and loses its trailing "/".
 */

char *
ngx_http_passport_endpoint_url(ngx_conf_t *cf, ngx_str_t *url,
    ngx_uint_t flags, const char *what, const char *token_how)
{
    u_char      *p;
    CURLU       *u;
    CURLUcode    uc;
    ngx_str_t   *value;
    const char  *fix, *tail;

    fix = ngx_http_passport_endpoint_url_fix(url, flags);

    if (fix) {
        tail = (fix == ngx_http_passport_url_credentials) ? token_how : "";
        goto invalid;
    }

    p = ngx_pnalloc(cf->pool, url->len + 1);
    if (p == NULL) {
        return NGX_CONF_ERROR;
    }

    *ngx_cpymem(p, url->data, url->len) = '\0';

    u = curl_url();
    if (u == NULL) {
        return NGX_CONF_ERROR;
    }

    uc = curl_url_set(u, CURLUPART_URL, (char *) p, 0);
    curl_url_cleanup(u);

    if (uc != CURLUE_OK) {
        fix = "libcurl does not take it: ";
        tail = curl_url_strerror(uc);
        goto invalid;
    }

    url->data = p;

    if (flags & NGX_HTTP_PASSPORT_URL_BASE) {
        while (url->data[url->len - 1] == '/') {
            url->len--;
        }

        url->data[url->len] = '\0';
    }

    return NGX_CONF_OK;

invalid:

    value = cf->args->elts;

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid %s URL \"%V\" in \"%V\": %s%s",
                       what, url, &value[0], fix, tail);
    return NGX_CONF_ERROR;
}


/* what to do about a URL that breaks a rule, or NULL */

static const char *
ngx_http_passport_endpoint_url_fix(ngx_str_t *url, ngx_uint_t flags)
{
    u_char      c;
    size_t      host;
    ngx_uint_t  i;

    if (url->len > 7
        && ngx_strncasecmp(url->data, (u_char *) "http://", 7) == 0)
    {
        host = 7;

    } else if (url->len > 8
               && ngx_strncasecmp(url->data, (u_char *) "https://", 8) == 0)
    {
        host = 8;

    } else {
        host = 0;
    }

    if (host == 0 || url->data[host] == '/') {
        return "use http:// or https:// and a host";
    }

    for (i = 0; i < url->len; i++) {
        c = url->data[i];

        if (c <= ' ' || c >= 0x7f) {
            return "percent-encode spaces, control characters and "
                   "non-ASCII bytes";
        }

        if (c == '@') {
            return ngx_http_passport_url_credentials;
        }

        if (c == '#') {
            return "remove the fragment (\"#...\")";
        }

        if (c == '?' && (flags & NGX_HTTP_PASSPORT_URL_BASE)) {
            return "remove the query (\"?...\"): lookup paths are appended "
                   "to this URL";
        }
    }

    return NULL;
}


/*
 * A bearer token sent over plain http:// travels in clear text, to anyone
 * on the way: a warning at "nginx -t", not an error (a registry on the
 * same host or a private network may be meant).
 */

void
ngx_http_passport_endpoint_clear_token(ngx_conf_t *cf,
    ngx_http_passport_endpoint_t *ep, const char *directive)
{
    if (ep->token.len == 0 || ep->url.len < 7
        || ngx_strncasecmp(ep->url.data, (u_char *) "http://", 7) != 0)
    {
        return;
    }

    ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                       "\"%s\" sends its bearer token to \"%V\" in clear "
                       "text: use an https:// URL", directive, &ep->url);
}


/* a bearer token: the one line of a file, read with the configuration */

char *
ngx_http_passport_token_read(ngx_conf_t *cf, ngx_str_t *path,
    ngx_str_t *token)
{
    u_char           *p;
    ssize_t           n;
    ngx_str_t         name, *value;
    ngx_file_t        file;
    ngx_file_info_t   fi;

    value = cf->args->elts;
    name = *path;

    if (ngx_conf_full_name(cf->cycle, &name, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(&file, sizeof(ngx_file_t));
    file.name = name;
    file.log = cf->log;

    file.fd = ngx_open_file(name.data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);

    if (file.fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "\"%V\": the token file must be readable by "
                           "the master process: " ngx_open_file_n
                           " \"%V\" failed", &value[0], &name);
        return NGX_CONF_ERROR;
    }

    if (ngx_fd_info(file.fd, &fi) == NGX_FILE_ERROR
        || !ngx_is_file(&fi)
        || ngx_file_size(&fi) > NGX_HTTP_PASSPORT_TOKEN_MAX)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": token file \"%V\" is not a file of at "
                           "most %d bytes", &value[0], &name,
                           NGX_HTTP_PASSPORT_TOKEN_MAX);
        goto failed;
    }

    p = ngx_pnalloc(cf->pool, NGX_HTTP_PASSPORT_TOKEN_MAX);
    if (p == NULL) {
        goto failed;
    }

    n = ngx_read_file(&file, p, NGX_HTTP_PASSPORT_TOKEN_MAX, 0);
    if (n == NGX_ERROR) {
        goto failed;
    }

    ngx_close_file(file.fd);

    if (ngx_http_passport_token_line(p, p + n, token) != NGX_OK) {
        /* the token itself is never logged */
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": token file \"%V\" must hold one "
                           "non-empty line, the bearer token",
                           &value[0], &name);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;

failed:

    ngx_close_file(file.fd);

    return NGX_CONF_ERROR;
}


/* one line: surrounding white space is not part of the token */

static ngx_int_t
ngx_http_passport_token_line(u_char *p, u_char *last, ngx_str_t *token)
{
    while (p < last && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
    {
        p++;
    }

    while (last > p && (last[-1] == ' ' || last[-1] == '\t'
                        || last[-1] == '\r' || last[-1] == '\n'))
    {
        last--;
    }

    if (p == last || ngx_strlchr(p, last, '\n') || ngx_strlchr(p, last, '\r')
        || ngx_strlchr(p, last, '\0'))
    {
        return NGX_DECLINED;
    }

    token->data = p;
    token->len = last - p;

    return NGX_OK;
}


/*
 * A file of trusted CA certificates (PEM).  Only its existence is checked
 * here: the workers read it when they connect.
 */

char *
ngx_http_passport_endpoint_ca(ngx_conf_t *cf, ngx_str_t *path,
    ngx_str_t *ca)
{
    ngx_str_t        *value;
    ngx_file_info_t   fi;

    value = cf->args->elts;
    *ca = *path;

    if (ngx_conf_full_name(cf->cycle, ca, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (ngx_file_info(ca->data, &fi) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "\"%V\": a PEM file of CA certificates is "
                           "expected: " ngx_file_info_n " \"%V\" failed",
                           &value[0], ca);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * An easy handle for one request to the endpoint, with what every request
 * of the module has: the time limit (connection included), HTTP and HTTPS
 * only, TLS verification with the trusted CAs (a CA file replaces the
 * system's CAs), the user agent, the headers (a NULL-terminated list) and
 * the bearer token.  The answer's body is discarded unless the caller
 * sets its own write function; then the caller starts it.
 */

ngx_int_t
ngx_http_passport_endpoint_easy(ngx_http_passport_endpoint_t *ep,
    ngx_http_passport_exchange_t *ex, ngx_pool_t *pool, u_char *url,
    const char **headers)
{
    u_char             *auth;
    CURL               *easy;
    struct curl_slist  *h;

    for ( /* void */ ; *headers; headers++) {
        h = curl_slist_append(ex->headers, *headers);
        if (h == NULL) {
            return NGX_ERROR;
        }

        ex->headers = h;
    }

    if (ep->token.len) {
        auth = ngx_pnalloc(pool, sizeof("Authorization: Bearer ")
                                 + ep->token.len);
        if (auth == NULL) {
            return NGX_ERROR;
        }

        *ngx_sprintf(auth, "Authorization: Bearer %V", &ep->token) = '\0';

        h = curl_slist_append(ex->headers, (char *) auth);
        if (h == NULL) {
            return NGX_ERROR;
        }

        ex->headers = h;
    }

    easy = curl_easy_init();
    if (easy == NULL) {
        return NGX_ERROR;
    }

    ex->easy = easy;
    ex->error[0] = '\0';
    ex->transfer.timeout = ep->timeout;

    curl_easy_setopt(easy, CURLOPT_URL, (char *) url);

    /* the path goes as it is: no "." or ".." segment is resolved away */
    curl_easy_setopt(easy, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, ex->headers);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "ngx_http_passport_module/"
                     NGX_HTTP_PASSPORT_VERSION " nginx/" NGINX_VERSION);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION,
                     ngx_http_passport_endpoint_discard);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, ex->error);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long) ep->timeout);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, (long) ep->timeout);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION,
                     (long) CURL_HTTP_VERSION_2TLS);

    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, (long) ep->verify);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, ep->verify ? 2L : 0L);

    if (ep->ca.len) {
        /* only these CAs: not the system's directory of CAs as well */
        curl_easy_setopt(easy, CURLOPT_CAINFO, (char *) ep->ca.data);
        curl_easy_setopt(easy, CURLOPT_CAPATH, NULL);
    }

    return NGX_OK;
}


/*
 * Hands the request to the worker's HTTP client: done(data, code, cause)
 * is called when it ends.  With "keep", a gracefully exiting worker waits
 * for it.
 */

ngx_int_t
ngx_http_passport_endpoint_start(ngx_http_passport_exchange_t *ex,
    ngx_http_passport_transfer_done_pt done, void *data, ngx_uint_t keep)
{
    ex->transfer.done = done;
    ex->transfer.data = data;
    ex->transfer.keep = keep ? 1 : 0;

    if (ngx_http_passport_curl_add(ex->easy, &ex->transfer) != NGX_OK) {
        return NGX_ERROR;
    }

    ex->started = 1;

    return NGX_OK;
}


/* the HTTP status of the answer, 0 if none came */

long
ngx_http_passport_endpoint_status(ngx_http_passport_exchange_t *ex)
{
    long  status;

    status = 0;
    curl_easy_getinfo(ex->easy, CURLINFO_RESPONSE_CODE, &status);

    return status;
}


const char *
ngx_http_passport_endpoint_cause(ngx_http_passport_exchange_t *ex,
    CURLcode code)
{
    return ex->error[0] ? ex->error : curl_easy_strerror(code);
}


/* the request is over, or is abandoned: everything it held is freed */

void
ngx_http_passport_endpoint_close(ngx_http_passport_exchange_t *ex)
{
    if (ex->started) {
        ngx_http_passport_curl_remove(ex->easy, &ex->transfer);
        ex->started = 0;
    }

    if (ex->easy) {
        curl_easy_cleanup(ex->easy);
        ex->easy = NULL;
    }

    if (ex->headers) {
        curl_slist_free_all(ex->headers);
        ex->headers = NULL;
    }
}


static size_t
ngx_http_passport_endpoint_discard(char *ptr, size_t size, size_t nmemb,
    void *userdata)
{
    return size * nmemb;
}
