
/*
 * Copyright (C) passport developers
 */


#include "ngx_http_passport_report_file.h"


/*
 * The report log's files.  The master (root) opens the log at every start
 * and reload, in a directory only root can write to, never through a
 * symbolic link, a regular file of one name created 0640, and makes the
 * workers' state directory; once "user" is known, it gives both to the
 * worker user through the descriptors.  The workers write to the
 * descriptor they inherit and follow a rotation by name, with the same
 * care.  Nobody who can write to the directory can make root append to
 * another file.
 */


static char *ngx_http_passport_report_file_open(ngx_conf_t *cf,
    ngx_http_passport_report_log_t *rl);
static char *ngx_http_passport_report_file_check(ngx_conf_t *cf,
    ngx_http_passport_report_log_t *rl);
static char *ngx_http_passport_report_file_irregular(ngx_conf_t *cf,
    ngx_http_passport_report_log_t *rl);
static char *ngx_http_passport_report_file_state(ngx_conf_t *cf,
    ngx_http_passport_report_log_t *rl);
static ngx_fd_t ngx_http_passport_report_file_dir(ngx_conf_t *cf,
    ngx_str_t *path, u_char **name);
static const char *ngx_http_passport_report_file_unsafe(ngx_file_info_t *fi);
static void ngx_http_passport_report_file_close(void *data);
static void ngx_http_passport_report_file_reopen(
    ngx_http_passport_report_log_t *rl, ngx_log_t *log);
static void ngx_http_passport_report_file_refused(
    ngx_http_passport_report_log_t *rl, const char *why, ngx_log_t *log);


/* the log (rl->path, a full path) and the state directory, opened */

char *
ngx_http_passport_report_file_init(ngx_conf_t *cf,
    ngx_http_passport_report_log_t *rl)
{
    char                *rv;
    ngx_pool_cleanup_t  *cln;

    rl->dir = NGX_INVALID_FILE;
    rl->state_fd = NGX_INVALID_FILE;

    rl->file = ngx_pcalloc(cf->pool, sizeof(ngx_open_file_t));
    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (rl->file == NULL || cln == NULL) {
        return NGX_CONF_ERROR;
    }

    rl->file->fd = NGX_INVALID_FILE;
    rl->file->name = rl->path;

    cln->handler = ngx_http_passport_report_file_close;
    cln->data = rl;

    rv = ngx_http_passport_report_file_open(cf, rl);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    return ngx_http_passport_report_file_state(cf, rl);
}


static char *
ngx_http_passport_report_file_open(ngx_conf_t *cf,
    ngx_http_passport_report_log_t *rl)
{
    ngx_fd_t         fd;
    ngx_err_t        err;
    ngx_file_info_t  fi;

    rl->dir = ngx_http_passport_report_file_dir(cf, &rl->path, &rl->name);
    if (rl->dir == NGX_INVALID_FILE) {
        return NGX_CONF_ERROR;
    }

    /* what is there now, for a plain message; the open checks again */

    if (fstatat(rl->dir, (char *) rl->name, &fi, AT_SYMLINK_NOFOLLOW) == 0
        && !S_ISREG(fi.st_mode) && !S_ISLNK(fi.st_mode))
    {
        return ngx_http_passport_report_file_irregular(cf, rl);
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

    return ngx_http_passport_report_file_check(cf, rl);
}


/* what was opened: a regular file of one name */

static char *
ngx_http_passport_report_file_check(ngx_conf_t *cf,
    ngx_http_passport_report_log_t *rl)
{
    ngx_file_info_t  fi;

    if (ngx_fd_info(rl->file->fd, &fi) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "\"passport_report_log\": " ngx_fd_info_n
                           " \"%V\" failed", &rl->path);
        return NGX_CONF_ERROR;
    }

    if (!S_ISREG(fi.st_mode)) {
        return ngx_http_passport_report_file_irregular(cf, rl);
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
}


static char *
ngx_http_passport_report_file_irregular(ngx_conf_t *cf,
    ngx_http_passport_report_log_t *rl)
{
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
ngx_http_passport_report_file_state(ngx_conf_t *cf,
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

    dir = ngx_http_passport_report_file_dir(cf, &rl->state, &name);
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
ngx_http_passport_report_file_dir(ngx_conf_t *cf, ngx_str_t *path,
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

    why = ngx_http_passport_report_file_unsafe(&fi);

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
ngx_http_passport_report_file_unsafe(ngx_file_info_t *fi)
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
ngx_http_passport_report_file_close(void *data)
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

ngx_int_t
ngx_http_passport_report_file_own(ngx_http_passport_report_log_t *rl,
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


/*
 * Rotation: when the log's name in its directory no longer is the file
 * written to (logrotate moved it), the worker goes on in the file found
 * there, or makes it (0640) when it may; never through a symbolic link,
 * never into anything but a regular file of one name.  Till then the
 * records go on in the moved file: the chain stays whole.  "nginx -s
 * reopen" does not touch the log: nginx's reopen follows links.
 */

void
ngx_http_passport_report_file_follow(ngx_http_passport_report_log_t *rl,
    ngx_log_t *log)
{
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
            ngx_http_passport_report_file_refused(rl,
                "is not a regular file (a symbolic link?)", log);
            return;
        }

    } else if (ngx_errno != NGX_ENOENT) {
        return;
    }

    ngx_http_passport_report_file_reopen(rl, log);
}


/* the file now at the log's name, or a new one, replaces the moved one */

static void
ngx_http_passport_report_file_reopen(ngx_http_passport_report_log_t *rl,
    ngx_log_t *log)
{
    ngx_fd_t         fd;
    ngx_file_info_t  now;

    fd = openat(rl->dir, (char *) rl->name,
                O_WRONLY|O_APPEND|O_CREAT|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC,
                0640);

    if (fd == NGX_INVALID_FILE) {
        if (!rl->stuck) {
            ngx_log_error(NGX_LOG_WARN, log, ngx_errno,
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
        ngx_http_passport_report_file_refused(rl,
            "is not a regular file of one name", log);
        return;
    }

    (void) ngx_close_file(rl->file->fd);
    rl->file->fd = fd;
    rl->stuck = 0;
}


static void
ngx_http_passport_report_file_refused(ngx_http_passport_report_log_t *rl,
    const char *why, ngx_log_t *log)
{
    if (!rl->stuck) {
        ngx_log_error(NGX_LOG_CRIT, log, 0,
                      "passport: the report log \"%V\" was replaced by "
                      "something that %s: refused, records go on in the "
                      "file it replaced; put a regular file there or "
                      "reload nginx", &rl->path, why);
        rl->stuck = 1;
    }
}
