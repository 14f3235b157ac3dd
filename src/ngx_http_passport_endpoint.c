
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>


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
static int ngx_http_passport_endpoint_no_password(char *buf, int size,
    int rwflag, void *u);
static void ngx_http_passport_endpoint_ssl_error(ngx_conf_t *cf,
    const char *directive, const char *what, ngx_str_t *file);
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
 * A file given to a directive (a client certificate or its key), as a full
 * path with a NUL after it; it must be readable by the master process.
 */

char *
ngx_http_passport_endpoint_file(ngx_conf_t *cf, ngx_str_t *path,
    ngx_str_t *file)
{
    ngx_str_t  *value;

    value = cf->args->elts;
    *file = *path;

    if (ngx_conf_full_name(cf->cycle, file, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (access((char *) file->data, R_OK) != 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "\"%V\": a PEM file readable by the master "
                           "process is expected: access() \"%V\" failed",
                           &value[0], file);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * A client certificate for mutual TLS: both files or neither; the
 * certificate and the key (PEM, without a pass phrase) are read now, and
 * the key must be the certificate's, so that "nginx -t" finds what the
 * TLS handshake would fail on.  cert and key name the directives.
 */

ngx_int_t
ngx_http_passport_endpoint_cert(ngx_conf_t *cf,
    ngx_http_passport_endpoint_t *ep, const char *cert, const char *key)
{
    BIO        *bio;
    X509       *x509;
    EVP_PKEY   *pkey;
    ngx_int_t   rc;

    if (ep->cert.len == 0 && ep->cert_key.len == 0) {
        return NGX_OK;
    }

    if (ep->cert.len == 0 || ep->cert_key.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%s\" needs \"%s\" too: give both the client "
                           "certificate and its key",
                           ep->cert.len ? cert : key,
                           ep->cert.len ? key : cert);
        return NGX_ERROR;
    }

    ERR_clear_error();

    x509 = NULL;
    pkey = NULL;
    rc = NGX_ERROR;

    bio = BIO_new_file((char *) ep->cert.data, "r");
    if (bio) {
        x509 = PEM_read_bio_X509(bio, NULL,
                                 ngx_http_passport_endpoint_no_password,
                                 NULL);
        BIO_free(bio);
    }

    if (x509 == NULL) {
        ngx_http_passport_endpoint_ssl_error(cf, cert,
                                             "a PEM certificate", &ep->cert);
        goto done;
    }

    bio = BIO_new_file((char *) ep->cert_key.data, "r");
    if (bio) {
        pkey = PEM_read_bio_PrivateKey(bio, NULL,
                                       ngx_http_passport_endpoint_no_password,
                                       NULL);
        BIO_free(bio);
    }

    if (pkey == NULL) {
        ngx_http_passport_endpoint_ssl_error(cf, key,
                                             "a PEM private key without a "
                                             "pass phrase", &ep->cert_key);
        goto done;
    }

    if (X509_check_private_key(x509, pkey) != 1) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%s\": the key \"%V\" does not match the "
                           "certificate \"%V\" of \"%s\": give the key of "
                           "that certificate", key, &ep->cert_key,
                           &ep->cert, cert);
        goto done;
    }

    rc = NGX_OK;

done:

    X509_free(x509);
    EVP_PKEY_free(pkey);
    ERR_clear_error();

    return rc;
}


static int
ngx_http_passport_endpoint_no_password(char *buf, int size, int rwflag,
    void *u)
{
    return 0;
}


static void
ngx_http_passport_endpoint_ssl_error(ngx_conf_t *cf, const char *directive,
    const char *what, ngx_str_t *file)
{
    char           text[256];
    unsigned long  e;

    e = ERR_peek_last_error();
    text[0] = '\0';

    if (e) {
        ERR_error_string_n(e, text, sizeof(text));
    }

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "\"%s\": cannot read %s from \"%V\"%s%s",
                       directive, what, file, text[0] ? ": " : "", text);
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

    if (ep->cert.len) {
        /* mutual TLS; libcurl reuses a connection only with the same one */
        curl_easy_setopt(easy, CURLOPT_SSLCERT, (char *) ep->cert.data);
        curl_easy_setopt(easy, CURLOPT_SSLCERTTYPE, "PEM");
        curl_easy_setopt(easy, CURLOPT_SSLKEY, (char *) ep->cert_key.data);
        curl_easy_setopt(easy, CURLOPT_SSLKEYTYPE, "PEM");
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
