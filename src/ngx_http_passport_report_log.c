
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport_report.h"
#include "ngx_http_passport_problems.h"
#include "ngx_http_passport_metrics.h"
#include "passport_report.h"


/*
 * The report log (passport_report_log): one signed, hash-chained record
 * per flagged or blocked request, written before the response goes out.
 * All workers append to one chain: its state (last seq and hash) lives in
 * shared memory and is advanced under the zone's lock, only once a whole
 * line was written.  The record format is passport_report.c's.
 */


#define NGX_HTTP_PASSPORT_TAIL_MIN  65536


typedef struct {
    ngx_http_passport_report_chain_t   chain;
    dev_t                               dev;     /* the file written to */
    ino_t                               ino;
    ngx_uint_t                          damaged; /* a line was cut */
} ngx_http_passport_report_log_sh_t;


struct ngx_http_passport_report_log_s {
    ngx_str_t                           path;
    /* not in cycle->open_files: "nginx -s reopen" would follow links */
    ngx_open_file_t                    *file;
    ngx_fd_t                            dir;     /* the log's directory */
    u_char                             *name;    /* the log's name in it */
    ngx_str_t                           state;   /* the workers' directory */
    ngx_fd_t                            state_fd;
    ngx_cycle_t                        *cycle;
    ngx_str_t                           node;
    ngx_str_t                           oper;    /* operator=, or empty */
    EVP_PKEY                           *key;
    char                                kid[NGX_HTTP_PASSPORT_REPORT_KID + 1];
    ngx_shm_zone_t                     *shm_zone;
    ngx_slab_pool_t                    *shpool;
    ngx_http_passport_report_log_sh_t  *sh;
#if (NGX_THREADS)
    ngx_thread_pool_t                  *threads;   /* for the file work */
#endif
    unsigned                            threads_off:1;
    unsigned                            threads_set:1;
    unsigned                            body_errors:1;
    unsigned                            stuck:1; /* a move was logged */
};


static char *ngx_http_passport_report_log_param(ngx_conf_t *cf,
    ngx_http_passport_report_log_t *rl, ngx_str_t *value, ngx_str_t *key);
static char *ngx_http_passport_report_log_open(ngx_conf_t *cf,
    ngx_http_passport_report_log_t *rl);
static char *ngx_http_passport_report_log_state(ngx_conf_t *cf,
    ngx_http_passport_report_log_t *rl);
static ngx_fd_t ngx_http_passport_report_log_dir(ngx_conf_t *cf,
    ngx_str_t *path, u_char **name);
static const char *ngx_http_passport_report_log_unsafe(ngx_file_info_t *fi);
static void ngx_http_passport_report_log_close(void *data);
static ngx_int_t ngx_http_passport_report_log_own(
    ngx_http_passport_report_log_t *rl, ngx_log_t *log);
static void ngx_http_passport_report_log_follow(
    ngx_http_passport_report_log_t *rl, ngx_log_t *log);
static char *ngx_http_passport_report_log_key(ngx_conf_t *cf,
    ngx_http_passport_report_log_t *rl, ngx_str_t *key);
static char *ngx_http_passport_report_log_threads_param(ngx_conf_t *cf,
    ngx_http_passport_report_log_t *rl, ngx_str_t *name);
static ngx_int_t ngx_http_passport_report_log_init_zone(
    ngx_shm_zone_t *zone, void *data);
static ngx_int_t ngx_http_passport_report_log_recover(
    ngx_http_passport_report_log_t *rl, ngx_log_t *log);
static void ngx_http_passport_report_log_untrusted(
    ngx_http_passport_report_log_t *rl,
    ngx_http_passport_report_tail_t *tail, ngx_log_t *log);
static ngx_int_t ngx_http_passport_report_log_tail(ngx_fd_t fd,
    ngx_pool_t *pool, EVP_PKEY *key, ngx_http_passport_report_tail_t *tail);
static ngx_int_t ngx_http_passport_report_log_mend(
    ngx_http_passport_report_log_t *rl, ngx_http_passport_report_t *rec,
    ngx_pool_t *pool, ngx_log_t *log);
static ngx_int_t ngx_http_passport_report_log_write(
    ngx_http_passport_report_log_t *rl, ngx_http_passport_report_t *rec,
    ngx_pool_t *pool, ngx_log_t *log);
static ngx_int_t ngx_http_passport_report_log_note(
    ngx_http_passport_report_log_t *rl, int type, const char *detail,
    ngx_pool_t *pool, ngx_log_t *log);
static void ngx_http_passport_report_log_key_cleanup(void *data);
static ngx_int_t ngx_http_passport_report_log_items(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx, ngx_http_passport_report_t *rec);
static ngx_uint_t ngx_http_passport_report_log_known(
    ngx_http_passport_item_t *it, ngx_http_passport_report_code_t *c,
    ngx_uint_t checked);


char *
ngx_http_passport_report_log(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_passport_main_conf_t *pmcf = conf;

    char                            *rv;
    ngx_str_t                       *value, name, key;
    ngx_uint_t                       i;
    ngx_pool_cleanup_t              *cln;
    ngx_http_passport_report_log_t  *rl;

    if (pmcf->reports) {
        return "is duplicate";
    }

    value = cf->args->elts;

    rl = ngx_pcalloc(cf->pool, sizeof(ngx_http_passport_report_log_t));
    if (rl == NULL) {
        return NGX_CONF_ERROR;
    }

    rl->path = value[1];
    rl->node = cf->cycle->hostname;
    rl->cycle = cf->cycle;
    rl->dir = NGX_INVALID_FILE;
    rl->state_fd = NGX_INVALID_FILE;
    ngx_str_null(&key);

    for (i = 2; i < cf->args->nelts; i++) {
        rv = ngx_http_passport_report_log_param(cf, rl, &value[i], &key);
        if (rv != NGX_CONF_OK) {
            return rv;
        }
    }

    if (ngx_conf_full_name(cf->cycle, &rl->path, 0) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    rl->file = ngx_pcalloc(cf->pool, sizeof(ngx_open_file_t));
    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (rl->file == NULL || cln == NULL) {
        return NGX_CONF_ERROR;
    }

    rl->file->fd = NGX_INVALID_FILE;
    rl->file->name = rl->path;

    cln->handler = ngx_http_passport_report_log_close;
    cln->data = rl;

    rv = ngx_http_passport_report_log_open(cf, rl);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    rv = ngx_http_passport_report_log_state(cf, rl);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    if (key.len) {
        rv = ngx_http_passport_report_log_key(cf, rl, &key);
        if (rv != NGX_CONF_OK) {
            return rv;
        }
    }

    ngx_str_set(&name, "passport_report_log");

    rl->shm_zone = ngx_shared_memory_add(cf, &name, 8 * ngx_pagesize,
                                         &ngx_http_passport_module);
    if (rl->shm_zone == NULL) {
        return NGX_CONF_ERROR;
    }

    rl->shm_zone->init = ngx_http_passport_report_log_init_zone;
    rl->shm_zone->data = rl;

    pmcf->reports = rl;

    return NGX_CONF_OK;
}


static char *
ngx_http_passport_report_log_param(ngx_conf_t *cf,
    ngx_http_passport_report_log_t *rl, ngx_str_t *value, ngx_str_t *key)
{
    ngx_str_t  name;

    if (ngx_strncmp(value->data, "key=", 4) == 0) {
        key->data = value->data + 4;
        key->len = value->len - 4;
        return NGX_CONF_OK;
    }

    if (ngx_strncmp(value->data, "node=", 5) == 0
        && value->len > 5 && value->len <= 5 + 128)
    {
        rl->node.data = value->data + 5;
        rl->node.len = value->len - 5;
        return NGX_CONF_OK;
    }

    if (ngx_strncmp(value->data, "operator=", 9) == 0
        && value->len > 9 && value->len <= 9 + 128 && rl->oper.len == 0)
    {
        rl->oper.data = value->data + 9;
        rl->oper.len = value->len - 9;
        return NGX_CONF_OK;
    }

    if (ngx_strncmp(value->data, "state=", 6) == 0 && value->len > 6
        && rl->state.len == 0)
    {
        rl->state.data = value->data + 6;
        rl->state.len = value->len - 6;
        return NGX_CONF_OK;
    }

    if (value->len == 14
        && ngx_strncmp(value->data, "body_errors=on", 14) == 0)
    {
        rl->body_errors = 1;
        return NGX_CONF_OK;
    }

    if (value->len == 15
        && ngx_strncmp(value->data, "body_errors=off", 15) == 0)
    {
        rl->body_errors = 0;
        return NGX_CONF_OK;
    }

    if (ngx_strncmp(value->data, "threads=", 8) == 0
        && value->len > 8 && !rl->threads_set)
    {
        name.data = value->data + 8;
        name.len = value->len - 8;

        return ngx_http_passport_report_log_threads_param(cf, rl, &name);
    }

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid parameter \"%V\" in \"passport_report_log\": "
                       "key=, node= and operator= (1 to 128 bytes), "
                       "state=, body_errors=on|off and threads= are "
                       "known, each once", value);
    return NGX_CONF_ERROR;
}


/*
 * The master (root) opens the log, here at every start and reload: in a
 * directory only root can write to, not through a symbolic link, a
 * regular file with no other name, created 0640.  The workers write to
 * the descriptor they inherit; nobody who can write to the directory can
 * make root append to another file.
 */

static char *
ngx_http_passport_report_log_open(ngx_conf_t *cf,
    ngx_http_passport_report_log_t *rl)
{
    ngx_fd_t         fd;
    ngx_err_t        err;
    ngx_file_info_t  fi;

    rl->dir = ngx_http_passport_report_log_dir(cf, &rl->path, &rl->name);
    if (rl->dir == NGX_INVALID_FILE) {
        return NGX_CONF_ERROR;
    }

    /* what is there now, for a plain message; the open checks again */

    if (fstatat(rl->dir, (char *) rl->name, &fi, AT_SYMLINK_NOFOLLOW) == 0
        && !S_ISREG(fi.st_mode) && !S_ISLNK(fi.st_mode))
    {
        goto irregular;
    }

    fd = openat(rl->dir, (char *) rl->name,
                O_WRONLY|O_APPEND|O_CREAT|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC,
                0640);

    if (fd == NGX_INVALID_FILE) {
        err = ngx_errno;

        if (err == NGX_ELOOP) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"passport_report_log\" refuses \"%V\": it "
                               "is a symbolic link; remove it, or give the "
                               "path of the file itself, in a directory "
                               "only root can write to", &rl->path);
            return NGX_CONF_ERROR;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, err,
                           "\"passport_report_log\" cannot open \"%V\"; "
                           "check the path and its directory's rights",
                           &rl->path);
        return NGX_CONF_ERROR;
    }

    rl->file->fd = fd;

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "\"passport_report_log\": " ngx_fd_info_n
                           " \"%V\" failed", &rl->path);
        return NGX_CONF_ERROR;
    }

    if (!S_ISREG(fi.st_mode)) {
        goto irregular;
    }

    if (fi.st_nlink != 1) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"passport_report_log\" refuses \"%V\": it has "
                           "%uL names (hard links); give the log a file of "
                           "its own", &rl->path,
                           (unsigned long long) fi.st_nlink);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;

irregular:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "\"passport_report_log\" refuses \"%V\": it is not "
                       "a regular file; remove it or give another path",
                       &rl->path);
    return NGX_CONF_ERROR;
}


/*
 * state=DIR, by default PATH.state: what the workers write (the push
 * cursor), in a directory of their own, made here and given to the
 * worker user before the workers start (_own()).  Its parent is checked
 * as the log's directory is.
 */

static char *
ngx_http_passport_report_log_state(ngx_conf_t *cf,
    ngx_http_passport_report_log_t *rl)
{
    u_char           *name;
    ngx_fd_t          dir;
    ngx_err_t         err;
    ngx_file_info_t   fi;

    if (rl->state.len == 0) {
        rl->state.len = rl->path.len + sizeof(".state") - 1;
        rl->state.data = ngx_pnalloc(cf->pool, rl->state.len + 1);
        if (rl->state.data == NULL) {
            return NGX_CONF_ERROR;
        }

        ngx_sprintf(rl->state.data, "%V.state%Z", &rl->path);

    } else if (ngx_conf_full_name(cf->cycle, &rl->state, 0) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    while (rl->state.len > 1 && rl->state.data[rl->state.len - 1] == '/') {
        rl->state.data[--rl->state.len] = '\0';
    }

    dir = ngx_http_passport_report_log_dir(cf, &rl->state, &name);
    if (dir == NGX_INVALID_FILE) {
        return NGX_CONF_ERROR;
    }

    if (mkdirat(dir, (char *) name, 0700) == -1 && ngx_errno != NGX_EEXIST) {
        err = ngx_errno;
        (void) close(dir);
        ngx_conf_log_error(NGX_LOG_EMERG, cf, err,
                           "\"passport_report_log\" cannot make the state "
                           "directory \"%V\"; give another with state=",
                           &rl->state);
        return NGX_CONF_ERROR;
    }

    rl->state_fd = openat(dir, (char *) name,
                          O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
    err = ngx_errno;
    (void) close(dir);

    if (rl->state_fd == NGX_INVALID_FILE
        || ngx_fd_info(rl->state_fd, &fi) == NGX_FILE_ERROR)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, err,
                           "\"passport_report_log\" refuses the state "
                           "directory \"%V\": it must be a directory, not "
                           "a symbolic link; remove it or give another "
                           "with state=", &rl->state);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * The directory of path, opened and checked; *name: the last part of
 * path.  Only root can write to it, when nginx runs as root: else
 * whoever could would swap the file nginx opens as root.
 */

static ngx_fd_t
ngx_http_passport_report_log_dir(ngx_conf_t *cf, ngx_str_t *path,
    u_char **name)
{
    u_char           *p, *dirname;
    size_t            len;
    ngx_fd_t          fd;
    const char       *why;
    ngx_file_info_t   fi;

    for (p = path->data + path->len; p > path->data && p[-1] != '/'; p--) {
        /* void */
    }

    if (*p == '\0' || ngx_strcmp(p, ".") == 0 || ngx_strcmp(p, "..") == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"passport_report_log\": \"%V\" names no file; "
                           "give a file's path", path);
        return NGX_INVALID_FILE;
    }

    *name = p;
    len = (p - 1 > path->data) ? (size_t) (p - 1 - path->data) : 1;

    dirname = ngx_pnalloc(cf->temp_pool, len + 1);
    if (dirname == NULL) {
        return NGX_INVALID_FILE;
    }

    ngx_cpystrn(dirname, path->data, len + 1);

    fd = open((char *) dirname, O_RDONLY|O_DIRECTORY|O_CLOEXEC);

    if (fd == NGX_INVALID_FILE || ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "\"passport_report_log\" cannot open the "
                           "directory \"%s\" of \"%V\"; make it, or give "
                           "another path", dirname, path);
        if (fd != NGX_INVALID_FILE) {
            (void) close(fd);
        }
        return NGX_INVALID_FILE;
    }

    why = ngx_http_passport_report_log_unsafe(&fi);

    if (why) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"passport_report_log\" refuses \"%V\": its "
                           "directory \"%s\" %s, so the worker user could "
                           "swap the file; \"chown root %s\" and \"chmod "
                           "go-w %s\", or choose a directory only root can "
                           "write to", path, dirname, why, dirname, dirname);
        (void) close(fd);
        return NGX_INVALID_FILE;
    }

    return fd;
}


/* NULL: root alone can change what the directory holds, or not root */

static const char *
ngx_http_passport_report_log_unsafe(ngx_file_info_t *fi)
{
    if (geteuid() != 0) {
        /* nobody to take root from */
        return NULL;
    }

    if (fi->st_uid != 0) {
        return "is not owned by root";
    }

    if (fi->st_mode & (S_IWGRP|S_IWOTH)) {
        return "is writable by group or others";
    }

    return NULL;
}


static void
ngx_http_passport_report_log_close(void *data)
{
    ngx_http_passport_report_log_t  *rl = data;

    if (rl->file->fd != NGX_INVALID_FILE) {
        (void) ngx_close_file(rl->file->fd);
    }

    if (rl->dir != NGX_INVALID_FILE) {
        (void) close(rl->dir);
    }

    if (rl->state_fd != NGX_INVALID_FILE) {
        (void) close(rl->state_fd);
    }
}


/*
 * In the master, once "user" is known: the log and the state directory
 * belong to the worker user, who writes them (the log through the
 * descriptor, the cursor by name) and reads the log for the query and
 * the push.  Through the descriptors: no name is followed.
 */

static ngx_int_t
ngx_http_passport_report_log_own(ngx_http_passport_report_log_t *rl,
    ngx_log_t *log)
{
    ngx_fd_t          fd[2];
    ngx_uint_t        i;
    ngx_core_conf_t  *ccf;
    ngx_file_info_t   fi;

    ccf = (ngx_core_conf_t *) ngx_get_conf(rl->cycle->conf_ctx,
                                           ngx_core_module);

    if (geteuid() != 0 || ccf->user == (ngx_uid_t) NGX_CONF_UNSET_UINT) {
        return NGX_OK;
    }

    fd[0] = rl->file->fd;
    fd[1] = rl->state_fd;

    for (i = 0; i < 2; i++) {
        if (ngx_fd_info(fd[i], &fi) == NGX_FILE_ERROR) {
            ngx_log_error(NGX_LOG_EMERG, log, ngx_errno,
                          "passport_report_log: " ngx_fd_info_n " \"%V\" "
                          "failed", i ? &rl->state : &rl->path);
            return NGX_ERROR;
        }

        if (fi.st_uid != ccf->user && fchown(fd[i], ccf->user, -1) == -1) {
            ngx_log_error(NGX_LOG_EMERG, log, ngx_errno,
                          "passport_report_log: fchown(\"%V\", %d) failed",
                          i ? &rl->state : &rl->path, ccf->user);
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* key=: the private key records are signed with, freed with the cycle */

static char *
ngx_http_passport_report_log_key(ngx_conf_t *cf,
    ngx_http_passport_report_log_t *rl, ngx_str_t *key)
{
    char                 why[256];
    ngx_file_info_t      fi;
    ngx_pool_cleanup_t  *cln;

    if (ngx_conf_full_name(cf->cycle, key, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    /* the master reads it; the workers sign with the copy they inherit */

    if (ngx_file_info(key->data, &fi) != NGX_FILE_ERROR
        && (fi.st_mode & (S_IRWXG|S_IRWXO)))
    {
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "\"passport_report_log\": the signing key \"%V\" "
                           "is readable or writable by group or others "
                           "(mode 0%ui%ui%ui); \"chmod 600 %V\": only root "
                           "needs to read it", key,
                           (ngx_uint_t) (fi.st_mode >> 6) & 7,
                           (ngx_uint_t) (fi.st_mode >> 3) & 7,
                           (ngx_uint_t) fi.st_mode & 7, key);
    }

    rl->key = ngx_http_passport_report_key_read((char *) key->data, 1,
                                                why, sizeof(why));
    if (rl->key == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid report key \"%V\": %s", key, why);
        return NGX_CONF_ERROR;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        EVP_PKEY_free(rl->key);
        return NGX_CONF_ERROR;
    }

    cln->handler = ngx_http_passport_report_log_key_cleanup;
    cln->data = rl->key;

    /* every record names its key: the regulator picks the public key */

    if (ngx_http_passport_report_kid(rl->key, rl->kid) != 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"passport_report_log\": the ID of the key "
                           "\"%V\" cannot be computed (OpenSSL)", key);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * threads=NAME: the file work of the log's readers runs in nginx's
 * thread pool NAME ("thread_pool" directive; "default" needs none);
 * threads=off: in the worker.  Without it: in the pool "default" when
 * the configuration has one, else in the worker.
 */

static char *
ngx_http_passport_report_log_threads_param(ngx_conf_t *cf,
    ngx_http_passport_report_log_t *rl, ngx_str_t *name)
{
    rl->threads_set = 1;

    if (name->len == 3 && ngx_strncmp(name->data, "off", 3) == 0) {
        rl->threads_off = 1;
        return NGX_CONF_OK;
    }

#if (NGX_THREADS)

    rl->threads = ngx_thread_pool_add(cf, name);
    if (rl->threads == NULL) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;

#else

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "\"threads=%V\" of \"passport_report_log\" needs "
                       "nginx built with thread pools (--with-threads)",
                       name);
    return NGX_CONF_ERROR;

#endif
}


/* the thread pool for io, looked up once per worker; none: NULL */

void
ngx_http_passport_report_log_threads(ngx_http_passport_report_log_t *rl,
    ngx_http_passport_report_io_t *io)
{
#if (NGX_THREADS)

    ngx_str_t  name;

    if (!rl->threads_set) {
        /* the worker's own copy of the configuration */

        ngx_str_set(&name, "default");
        rl->threads = ngx_thread_pool_get((ngx_cycle_t *) ngx_cycle, &name);
        rl->threads_set = 1;
    }

    io->threads = rl->threads_off ? NULL : rl->threads;

#endif
}


static void
ngx_http_passport_report_log_key_cleanup(void *data)
{
    EVP_PKEY_free(data);
}


/* the workers' state directory, NUL-terminated: for the push cursor */

ngx_str_t *
ngx_http_passport_report_log_state_dir(ngx_http_passport_report_log_t *rl)
{
    return &rl->state;
}


/* the log's full path, NUL-terminated: for its readers */

ngx_str_t *
ngx_http_passport_report_log_path(ngx_http_passport_report_log_t *rl)
{
    return &rl->path;
}


/*
 * In the master, before the workers start: a reload keeps the chain; a
 * start finds it at the end of the file, and notes a line cut by a crash.
 */

static ngx_int_t
ngx_http_passport_report_log_init_zone(ngx_shm_zone_t *zone, void *data)
{
    ngx_http_passport_report_log_t  *orl = data;

    ngx_http_passport_report_log_t  *rl;

    rl = zone->data;
    rl->shpool = (ngx_slab_pool_t *) zone->shm.addr;

    if (ngx_http_passport_report_log_own(rl, zone->shm.log) != NGX_OK) {
        return NGX_ERROR;
    }

    if (orl) {
        rl->sh = orl->sh;
        return NGX_OK;
    }

    if (zone->shm.exists) {
        rl->sh = rl->shpool->data;
        return NGX_OK;
    }

    rl->sh = ngx_slab_calloc(rl->shpool,
                             sizeof(ngx_http_passport_report_log_sh_t));
    if (rl->sh == NULL) {
        return NGX_ERROR;
    }

    rl->shpool->data = rl->sh;

    ngx_http_passport_report_chain_init(&rl->sh->chain);

    return ngx_http_passport_report_log_recover(rl, zone->shm.log);
}


static ngx_int_t
ngx_http_passport_report_log_recover(ngx_http_passport_report_log_t *rl,
    ngx_log_t *log)
{
    ngx_fd_t                          fd;
    ngx_pool_t                       *pool;
    ngx_http_passport_report_tail_t   tail;

    /* the file checked and opened for writing, not whatever the name is */

    fd = openat(rl->dir, (char *) rl->name, O_RDONLY|O_NOFOLLOW|O_CLOEXEC);

    if (fd == NGX_INVALID_FILE) {
        ngx_log_error(NGX_LOG_CRIT, log, ngx_errno,
                      "passport: cannot read the report log \"%V\"",
                      &rl->path);
        return NGX_ERROR;
    }

    pool = ngx_create_pool(4096, log);

    if (pool == NULL
        || ngx_http_passport_report_log_tail(fd, pool, rl->key, &tail)
           != NGX_OK)
    {
        ngx_log_error(NGX_LOG_CRIT, log, ngx_errno,
                      "passport: cannot find the end of the chain in the "
                      "report log \"%V\"", &rl->path);

        ngx_close_file(fd);

        if (pool) {
            ngx_destroy_pool(pool);
        }

        return NGX_ERROR;
    }

    ngx_close_file(fd);

    rl->sh->chain = tail.chain;

    if (tail.newline && ngx_write_fd(rl->file->fd, "\n", 1) != 1) {
        ngx_log_error(NGX_LOG_CRIT, log, ngx_errno,
                      "passport: cannot write to the report log \"%V\"",
                      &rl->path);
        ngx_destroy_pool(pool);
        return NGX_ERROR;
    }

    if (tail.segment) {
        ngx_http_passport_report_log_untrusted(rl, &tail, log);

        if (ngx_http_passport_report_log_note(rl,
                NGX_HTTP_PASSPORT_REPORT_SEGMENT,
                NGX_HTTP_PASSPORT_MSG_NOTE_UNTRUSTED_EN, pool, log)
            != NGX_OK)
        {
            ngx_destroy_pool(pool);
            return NGX_ERROR;
        }
    }

    if (tail.truncated) {
        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "passport: the report log \"%V\" ends with a cut "
                      "line after seq %uL; a recovery record follows it",
                      &rl->path, tail.chain.seq);

        if (ngx_http_passport_report_log_note(rl,
                NGX_HTTP_PASSPORT_REPORT_RECOVERY,
                NGX_HTTP_PASSPORT_MSG_NOTE_CUT_LINE_EN, pool, log)
            != NGX_OK)
        {
            ngx_destroy_pool(pool);
            return NGX_ERROR;
        }
    }

    ngx_destroy_pool(pool);

    return NGX_OK;
}


/*
 * The end of the log did not pass the check (a forged or replayed line,
 * lines that are not records, a key put in or changed): said at crit,
 * and the chain goes on in a new segment, never from those lines.
 */

static void
ngx_http_passport_report_log_untrusted(ngx_http_passport_report_log_t *rl,
    ngx_http_passport_report_tail_t *tail, ngx_log_t *log)
{
    ngx_log_error(NGX_LOG_CRIT, log, 0,
                  "passport: the report log \"%V\" ends with %uL line%s "
                  "that did not pass the check (the first: %s, seq %uL); "
                  "a new chain segment starts at seq %uL",
                  &rl->path, (uint64_t) tail->untrusted,
                  tail->untrusted == 1 ? "" : "s",
                  ngx_http_passport_report_result_name(tail->why),
                  (uint64_t) tail->why_seq, (uint64_t) tail->chain.seq + 1);
}


/* the chain's end: the file's last 64 KiB, more while not found */

static ngx_int_t
ngx_http_passport_report_log_tail(ngx_fd_t fd, ngx_pool_t *pool,
    EVP_PKEY *key, ngx_http_passport_report_tail_t *tail)
{
    int               rc;
    off_t             size, len;
    u_char           *buf;
    ssize_t           n;
    ngx_file_info_t   fi;

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        return NGX_ERROR;
    }

    size = ngx_file_size(&fi);

    if (size == 0) {
        ngx_memzero(tail, sizeof(ngx_http_passport_report_tail_t));
        ngx_http_passport_report_chain_init(&tail->chain);
        return NGX_OK;
    }

    rc = NGX_HTTP_PASSPORT_REPORT_ERROR;

    for (len = ngx_min(size, NGX_HTTP_PASSPORT_TAIL_MIN); len; len *= 2) {

        len = ngx_min(len, size);

        buf = ngx_pnalloc(pool, (size_t) len);
        if (buf == NULL) {
            return NGX_ERROR;
        }

        n = pread(fd, buf, (size_t) len, size - len);
        if (n != (ssize_t) len) {
            return NGX_ERROR;
        }

        rc = ngx_http_passport_report_tail(buf, (size_t) len, len == size,
                                           key, tail);

        if (rc != NGX_HTTP_PASSPORT_REPORT_AGAIN || len == size) {
            break;
        }
    }

    return (rc == NGX_HTTP_PASSPORT_REPORT_OK) ? NGX_OK : NGX_ERROR;
}


/* a RECOVERY or ROTATION record; called with the lock held or alone */

static ngx_int_t
ngx_http_passport_report_log_note(ngx_http_passport_report_log_t *rl, int type,
    const char *detail, ngx_pool_t *pool, ngx_log_t *log)
{
    ngx_http_passport_report_t  rec;

    ngx_memzero(&rec, sizeof(ngx_http_passport_report_t));

    rec.type = type;
    rec.detail = (u_char *) detail;
    rec.detail_len = ngx_strlen(detail);

    return ngx_http_passport_report_log_write(rl, &rec, pool, log);
}


/*
 * Before a verdict record: a line cut earlier is ended and a RECOVERY
 * record says so; a file new since the last record (a reopen) starts
 * with a ROTATION record.  NGX_DECLINED: the log cannot be written.
 */

static ngx_int_t
ngx_http_passport_report_log_mend(ngx_http_passport_report_log_t *rl,
    ngx_http_passport_report_t *rec, ngx_pool_t *pool, ngx_log_t *log)
{
    ngx_file_info_t  fi;

    if (rl->sh->chain.seq >= NGX_HTTP_PASSPORT_REPORT_SEQ_MAX) {

        /* no seq after it: never reached but by a forged chain */

        ngx_log_error(NGX_LOG_CRIT, log, 0,
                      "passport: the report log \"%V\" reached seq %uL; "
                      "a new chain starts at seq 1", &rl->path,
                      (uint64_t) rl->sh->chain.seq);

        ngx_http_passport_report_chain_init(&rl->sh->chain);

        if (ngx_http_passport_report_log_note(rl,
                NGX_HTTP_PASSPORT_REPORT_SEGMENT,
                NGX_HTTP_PASSPORT_MSG_NOTE_SEQ_LIMIT_EN, pool, log)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    if (rl->sh->damaged && rec->type == NGX_HTTP_PASSPORT_REPORT_VERDICT) {

        /* end the cut line, then say so in the chain */

        if (ngx_write_fd(rl->file->fd, "\n", 1) != 1) {
            return NGX_DECLINED;
        }

        rl->sh->damaged = 0;

        if (ngx_http_passport_report_log_note(rl,
                NGX_HTTP_PASSPORT_REPORT_RECOVERY,
                NGX_HTTP_PASSPORT_MSG_NOTE_PARTIAL_WRITE_EN, pool, log)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    /* after "nginx -s reopen": the new file starts with a rotation */

    if (ngx_fd_info(rl->file->fd, &fi) != NGX_FILE_ERROR
        && (fi.st_dev != rl->sh->dev || fi.st_ino != rl->sh->ino))
    {
        rl->sh->dev = fi.st_dev;
        rl->sh->ino = fi.st_ino;

        if (ngx_file_size(&fi) > 0 || rl->sh->chain.seq == 0) {
            /* the file of the chain so far: nothing to note */

        } else if (rec->type == NGX_HTTP_PASSPORT_REPORT_VERDICT
                   && ngx_http_passport_report_log_note(rl,
                          NGX_HTTP_PASSPORT_REPORT_ROTATION,
                          NGX_HTTP_PASSPORT_MSG_NOTE_REOPENED_EN,
                          pool, log)
                      != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/*
 * Writes one record at the end of the chain.  The chain advances only
 * when the whole line reached the file; a cut line (disk full) is
 * followed by a RECOVERY record once writing works again.
 */

static ngx_int_t
ngx_http_passport_report_log_write(ngx_http_passport_report_log_t *rl,
    ngx_http_passport_report_t *rec, ngx_pool_t *pool, ngx_log_t *log)
{
    char         hash[NGX_HTTP_PASSPORT_REPORT_HEX + 1];
    u_char      *buf, *last;
    size_t       size;
    ssize_t      n;
    ngx_int_t    rc;
    ngx_time_t  *tp;

    rc = ngx_http_passport_report_log_mend(rl, rec, pool, log);

    if (rc == NGX_DECLINED) {
        goto failed;
    }

    if (rc != NGX_OK) {
        return NGX_ERROR;
    }

    tp = ngx_timeofday();

    rec->seq = rl->sh->chain.seq + 1;
    rec->prev = rl->sh->chain.hash;
    rec->time_ms = (long long) tp->sec * 1000 + tp->msec;
    rec->node = rl->node.data;
    rec->node_len = rl->node.len;
    rec->kid = rl->key ? rl->kid : NULL;

    size = ngx_http_passport_report_size(rec);

    buf = ngx_pnalloc(pool, size);
    if (buf == NULL) {
        return NGX_ERROR;
    }

    last = ngx_http_passport_report_write(buf, rec, rl->key, hash);
    if (last == NULL) {
        ngx_log_error(NGX_LOG_CRIT, log, 0,
                      "passport: a report record could not be built");
        return NGX_ERROR;
    }

    n = ngx_write_fd(rl->file->fd, buf, last - buf);

    if (n == last - buf) {
        rl->sh->chain.seq = rec->seq;
        ngx_memcpy(rl->sh->chain.hash, hash, sizeof(hash));
        return NGX_OK;
    }

    if (n > 0) {
        rl->sh->damaged = 1;
    }

failed:

    ngx_log_error(NGX_LOG_CRIT, log, ngx_errno,
                  "passport: writing the report log \"%V\" failed; "
                  "the request was decided, its record is lost",
                  &rl->path);

    return NGX_ERROR;
}


/*
 * Rotation: when the log's name in its directory no longer is the file
 * written to (logrotate moved it), the worker goes on in the file found
 * there, or makes it (0640) when it may; never through a symbolic link,
 * never into anything but a regular file of one name.  Till then the
 * records go on in the moved file: the chain stays whole.  "nginx -s
 * reopen" does not touch the log: nginx's reopen follows links.
 */

static void
ngx_http_passport_report_log_follow(ngx_http_passport_report_log_t *rl,
    ngx_log_t *log)
{
    ngx_fd_t         fd;
    ngx_err_t        err;
    const char      *why;
    ngx_file_info_t  fi, now;

    if (ngx_fd_info(rl->file->fd, &fi) == NGX_FILE_ERROR) {
        return;
    }

    if (fstatat(rl->dir, (char *) rl->name, &now, AT_SYMLINK_NOFOLLOW)
        == 0)
    {
        if (now.st_dev == fi.st_dev && now.st_ino == fi.st_ino) {
            rl->stuck = 0;
            return;
        }

        if (!S_ISREG(now.st_mode)) {
            why = "is not a regular file (a symbolic link?)";
            goto refused;
        }

    } else if (ngx_errno != NGX_ENOENT) {
        return;
    }

    fd = openat(rl->dir, (char *) rl->name,
                O_WRONLY|O_APPEND|O_CREAT|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC,
                0640);

    if (fd == NGX_INVALID_FILE) {
        err = ngx_errno;

        if (!rl->stuck) {
            ngx_log_error(NGX_LOG_WARN, log, err,
                          "passport: the report log \"%V\" was moved and "
                          "cannot be opened again; records go on in the "
                          "moved file until a new one is there (logrotate's "
                          "\"create 0640\" with the worker user) or nginx "
                          "is reloaded", &rl->path);
            rl->stuck = 1;
        }

        return;
    }

    if (ngx_fd_info(fd, &now) == NGX_FILE_ERROR
        || !S_ISREG(now.st_mode) || now.st_nlink != 1)
    {
        (void) ngx_close_file(fd);
        why = "is not a regular file of one name";
        goto refused;
    }

    (void) ngx_close_file(rl->file->fd);
    rl->file->fd = fd;
    rl->stuck = 0;

    return;

refused:

    if (!rl->stuck) {
        ngx_log_error(NGX_LOG_CRIT, log, 0,
                      "passport: the report log \"%V\" was replaced by "
                      "something that %s: refused, records go on in the "
                      "file it replaced; put a regular file there or "
                      "reload nginx", &rl->path, why);
        rl->stuck = 1;
    }
}


/* the record of a flagged or blocked request, before its response */

void
ngx_http_passport_report_log_append(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx)
{
    u_char                          *p;
    ngx_str_t                        id, seller;
    ngx_http_passport_report_t       rec;
    ngx_http_passport_report_log_t  *rl;
    ngx_http_passport_main_conf_t   *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_passport_module);
    rl = pmcf->reports;

    if (rl == NULL || ctx->verdict == NGX_HTTP_PASSPORT_VERDICT_PASS) {
        return;
    }

    /* junk (not JSON, malformed, too many items) only when asked */

    if (!rl->body_errors
        && ngx_http_passport_errors_whole_body(ctx->errors.elts,
                                               ctx->errors.nelts))
    {
        return;
    }

    ngx_memzero(&rec, sizeof(ngx_http_passport_report_t));

    if (ngx_http_passport_report_log_items(r, ctx, &rec) != NGX_OK) {
        return;
    }

    rec.type = NGX_HTTP_PASSPORT_REPORT_VERDICT;
    rec.oper = rl->oper.len ? rl->oper.data : NULL;
    rec.oper_len = rl->oper.len;
    rec.seller_status = ctx->seller_status;
    rec.seller_name = (u_char *) ctx->seller_name;
    rec.seller_name_len = ctx->seller_name ? ngx_strlen(ctx->seller_name) : 0;
    rec.seller_country = ctx->seller_country;
    rec.verdict = (int) ctx->verdict;
    rec.mode = (int) ctx->mode;

    ngx_http_passport_request_id(r, &id);
    rec.request_id = id.data;
    rec.request_id_len = id.len;

    ngx_http_passport_seller_shown(ctx, &seller);

    if (seller.len) {
        rec.seller = seller.data;
        rec.seller_len = seller.len;
    }

    rec.method = r->method_name.data;
    rec.method_len = r->method_name.len;

    p = ngx_strlchr(r->unparsed_uri.data,
                    r->unparsed_uri.data + r->unparsed_uri.len, '?');
    rec.uri = r->unparsed_uri.data;
    rec.uri_len = p ? (size_t) (p - r->unparsed_uri.data)
                    : r->unparsed_uri.len;

    ngx_shmtx_lock(&rl->shpool->mutex);

    ngx_http_passport_report_log_follow(rl, r->connection->log);

    if (ngx_http_passport_report_log_write(rl, &rec, r->pool,
                                           r->connection->log)
        == NGX_OK)
    {
        ngx_http_passport_metrics_report(rec.seq);
    }

    ngx_shmtx_unlock(&rl->shpool->mutex);
}


/*
 * The record's reasons and items (passport_report.c builds them in time
 * linear in the problems and items): what is known of each item by the
 * pointers into it (its code, its own seller, its claimed origin), the
 * items checked first (their codes canonical, the registry's answers),
 * then those not checked for their own seller.
 */

static ngx_int_t
ngx_http_passport_report_log_items(ngx_http_request_t *r,
    ngx_http_passport_ctx_t *ctx, ngx_http_passport_report_t *rec)
{
    void                             *mem;
    size_t                            n;
    ngx_uint_t                        i;
    ngx_http_passport_item_t         *it;
    ngx_http_passport_report_code_t  *codes;

    n = 3 * (ctx->items.nelts + ctx->others.nelts);

    codes = ngx_palloc(r->pool,
                       (n + 1) * sizeof(ngx_http_passport_report_code_t));
    mem = ngx_palloc(r->pool,
                     ngx_http_passport_report_build_size(ctx->errors.nelts,
                                                         n));
    if (codes == NULL || mem == NULL) {
        return NGX_ERROR;
    }

    n = 0;
    it = ctx->items.elts;

    for (i = 0; i < ctx->items.nelts; i++) {
        n += ngx_http_passport_report_log_known(&it[i], &codes[n], 1);
    }

    it = ctx->others.elts;

    for (i = 0; i < ctx->others.nelts; i++) {
        n += ngx_http_passport_report_log_known(&it[i], &codes[n], 0);
    }

    ngx_http_passport_report_build(rec, mem, ctx->errors.elts,
                                   ctx->errors.nelts, codes, n,
                                   (unsigned long) ngx_random());

    return NGX_OK;
}


/* what is known of an item, by its pointers (1 to 3 of them) */

static ngx_uint_t
ngx_http_passport_report_log_known(ngx_http_passport_item_t *it,
    ngx_http_passport_report_code_t *c, ngx_uint_t checked)
{
    ngx_uint_t  n;

    ngx_memzero(c, sizeof(ngx_http_passport_report_code_t));

    if (it->own_seller) {
        /* normalised, or as it was sent */
        c->seller = it->seller.len ? it->seller.data : it->seller_value;
        c->seller_len = it->seller.len ? it->seller.len
                                       : it->seller_value_len;
        c->seller_status = it->seller_status;
        c->seller_name = (u_char *) it->seller_name;
        c->seller_name_len = it->seller_name ? ngx_strlen(it->seller_name)
                                             : 0;
        c->seller_country = it->seller_country;
    }

    c->status = it->status;
    c->owner = it->owner;

    c[1] = c[0];
    c[2] = c[0];

    c[0].pointer = it->pointer.data;
    c[0].pointer_len = it->pointer.len;

    if (checked) {
        c[0].code = it->code.data;
        c[0].code_len = it->code.len;
    }

    n = 1;

    if (it->seller_pointer.len) {
        c[n].pointer = it->seller_pointer.data;
        c[n++].pointer_len = it->seller_pointer.len;
    }

    if (it->origin_pointer.len) {
        c[n].pointer = it->origin_pointer.data;
        c[n++].pointer_len = it->origin_pointer.len;
    }

    return n;
}
