
/*
 * Copyright (C) passport developers
 *
 * passport-verify [--key PUBLIC.pem] FILE...
 *
 * Verifies regulator report logs (docs/reports.md): every hash, the chain
 * across the files given in order (rotated files oldest first), sequence
 * continuity and, with --key, every signature.  Prints one line; exit 0
 * intact, 1 tampered, 2 usage or I/O error.
 */


#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passport_report.h"


#define NGX_HTTP_PASSPORT_VERIFY_LINE_MAX  (16 * 1024 * 1024)
#define NGX_HTTP_PASSPORT_VERIFY_WHY       256


/* the lines of all the files, one after the other */

typedef struct {
    char                **files;
    int                   nfiles;
    int                   next;         /* file to open next */
    FILE                 *fp;
    const char           *name;         /* file of the current line */
    unsigned long         lineno;
    unsigned char        *buf;
    size_t                len;
    size_t                cap;
    int                   terminated;   /* the line ended with "\n" */
    int                   too_long;
} ngx_http_passport_verify_reader_t;


/* where a line is */

typedef struct {
    const char           *name;
    unsigned long         lineno;
} ngx_http_passport_verify_at_t;


/* what is known of the chain so far */

typedef struct {
    EVP_PKEY                          *key;        /* --key, or NULL */
    ngx_http_passport_report_chain_t   chain;      /* the last good record */
    int                                have;       /* there is one */
    unsigned long long                 first;      /* the first one's seq */
    unsigned long                      n;          /* good records */
    int                                nsigned;    /* of which signed */
    unsigned long                      nrecovered; /* crash recoveries */

    /* lines cut by a crash, waiting for a recovery record */
    unsigned long                      npending;
    ngx_http_passport_verify_at_t      pat;        /* the first of them */
    unsigned long long                 pseq;       /* the seq expected */
    char                               pwhy[NGX_HTTP_PASSPORT_VERIFY_WHY];
    int                                pterm;      /* it ended with "\n" */
} ngx_http_passport_verify_t;


static int ngx_http_passport_verify_open(
    ngx_http_passport_verify_reader_t *r);
static int ngx_http_passport_verify_read(
    ngx_http_passport_verify_reader_t *r);
static int ngx_http_passport_verify_next(
    ngx_http_passport_verify_reader_t *r);
static int ngx_http_passport_verify_find(
    ngx_http_passport_verify_reader_t *r, unsigned long long seq,
    ngx_http_passport_verify_at_t *at);
static void ngx_http_passport_verify_usage(FILE *f);
static int ngx_http_passport_verify_line(
    ngx_http_passport_verify_reader_t *r, ngx_http_passport_verify_t *v,
    ngx_http_passport_report_line_t *l, char *why);
static void ngx_http_passport_verify_pend(
    ngx_http_passport_verify_reader_t *r, ngx_http_passport_verify_t *v,
    const ngx_http_passport_verify_at_t *at, const char *why);
static void ngx_http_passport_verify_intact(
    ngx_http_passport_verify_reader_t *r, ngx_http_passport_verify_t *v);
static int ngx_http_passport_verify_tampered(
    ngx_http_passport_verify_reader_t *r, ngx_http_passport_verify_t *v,
    int rc, unsigned long long seq, const ngx_http_passport_verify_at_t *at,
    const char *why, const char *extra);
static int ngx_http_passport_verify_unrecovered(
    ngx_http_passport_verify_reader_t *r, ngx_http_passport_verify_t *v);
static int ngx_http_passport_verify_run(
    ngx_http_passport_verify_reader_t *r, ngx_http_passport_verify_t *v);
static int ngx_http_passport_verify_args(int argc, char **argv,
    const char **key_path);
static int ngx_http_passport_verify_readable(char **files, int n);


/* opens the next file: 1 done, 0 no more files, -1 error (reported) */

static int
ngx_http_passport_verify_open(ngx_http_passport_verify_reader_t *r)
{
    if (r->next == r->nfiles) {
        return 0;
    }

    r->name = r->files[r->next++];
    r->lineno = 0;

    r->fp = fopen(r->name, "rb");
    if (r->fp == NULL) {
        fprintf(stderr, "passport-verify: %s: %s\n", r->name,
                strerror(errno));
        return -1;
    }

    return 1;
}


/*
 * Reads up to a "\n" or the end of the file, keeping at most LINE_MAX
 * bytes: 0, or -1 out of memory (reported).
 */

static int
ngx_http_passport_verify_read(ngx_http_passport_verify_reader_t *r)
{
    int             c;
    size_t          cap;
    unsigned char  *p;

    r->len = 0;
    r->too_long = 0;

    while ((c = getc(r->fp)) != EOF && c != '\n') {

        if (r->len == NGX_HTTP_PASSPORT_VERIFY_LINE_MAX) {
            r->too_long = 1;
            continue;
        }

        if (r->len == r->cap) {
            cap = r->cap ? 2 * r->cap : 4096;

            p = realloc(r->buf, cap);
            if (p == NULL) {
                fprintf(stderr, "passport-verify: out of memory\n");
                return -1;
            }

            r->buf = p;
            r->cap = cap;
        }

        r->buf[r->len++] = (unsigned char) c;
    }

    r->terminated = (c == '\n');

    return 0;
}


/* 1: a line, 0: no more lines, -1: I/O error (reported) */

static int
ngx_http_passport_verify_next(ngx_http_passport_verify_reader_t *r)
{
    int  rc;

    for ( ;; ) {
        if (r->fp == NULL) {
            rc = ngx_http_passport_verify_open(r);
            if (rc != 1) {
                return rc;
            }
        }

        if (ngx_http_passport_verify_read(r) != 0) {
            return -1;
        }

        if (!r->terminated) {
            if (ferror(r->fp)) {
                fprintf(stderr, "passport-verify: %s: read error\n",
                        r->name);
                fclose(r->fp);
                r->fp = NULL;
                return -1;
            }

            fclose(r->fp);
            r->fp = NULL;

            if (r->len == 0 && !r->too_long) {
                continue;
            }
        }

        r->lineno++;

        return 1;
    }
}


/* looks for seq in the lines still to come: 1 found, 0 not, -1 error */

static int
ngx_http_passport_verify_find(ngx_http_passport_verify_reader_t *r,
    unsigned long long seq, ngx_http_passport_verify_at_t *at)
{
    int                              rc;
    ngx_http_passport_report_line_t  l;

    while ((rc = ngx_http_passport_verify_next(r)) == 1) {

        if (r->too_long) {
            continue;
        }

        (void) ngx_http_passport_report_verify_line(r->buf, r->len, NULL,
                                                    NULL, &l, NULL, 0);

        if (l.seq == seq) {
            at->name = r->name;
            at->lineno = r->lineno;
            return 1;
        }
    }

    return rc;
}


static void
ngx_http_passport_verify_usage(FILE *f)
{
    fprintf(f,
        "usage: passport-verify [--key PUBLIC.pem] FILE...\n"
        "\n"
        "Verifies passport regulator report logs: hashes, the chain across\n"
        "the files in the order given (oldest first), sequence continuity\n"
        "and, with --key (an Ed25519 public or private key in PEM), every\n"
        "signature.  Exit status: 0 intact, 1 tampered, 2 usage or I/O\n"
        "error.\n");
}


/* checks the current line against the chain so far; why says what failed */

static int
ngx_http_passport_verify_line(ngx_http_passport_verify_reader_t *r,
    ngx_http_passport_verify_t *v, ngx_http_passport_report_line_t *l,
    char *why)
{
    if (r->too_long) {
        snprintf(why, NGX_HTTP_PASSPORT_VERIFY_WHY,
                 "line longer than %d bytes",
                 NGX_HTTP_PASSPORT_VERIFY_LINE_MAX);
        return NGX_HTTP_PASSPORT_REPORT_SYNTAX;
    }

    return ngx_http_passport_report_verify_line(r->buf, r->len,
                                                v->have ? &v->chain : NULL,
                                                v->key, l, why,
                                                NGX_HTTP_PASSPORT_VERIFY_WHY);
}


/*
 * Lines cut by a crash must be followed by a recovery record, which
 * continues the chain from the last good record: the first of them is
 * kept until one comes.
 */

static void
ngx_http_passport_verify_pend(ngx_http_passport_verify_reader_t *r,
    ngx_http_passport_verify_t *v, const ngx_http_passport_verify_at_t *at,
    const char *why)
{
    if (v->npending++ == 0) {
        v->pat = *at;
        v->pseq = v->have ? v->chain.seq + 1 : 0;
        memcpy(v->pwhy, why, sizeof(v->pwhy));
        v->pterm = r->terminated;
    }
}


static void
ngx_http_passport_verify_intact(ngx_http_passport_verify_reader_t *r,
    ngx_http_passport_verify_t *v)
{
    printf("OK: %lu record%s", v->n, v->n == 1 ? "" : "s");

    if (v->n) {
        printf(", seq %llu..%llu", v->first, v->chain.seq);
    }

    printf(" in %d file%s, chain intact", r->nfiles,
           r->nfiles == 1 ? "" : "s");

    if (v->first > 1) {
        printf(" from seq %llu (earlier records not given)", v->first);
    }

    if (v->nrecovered) {
        printf(", %lu crash recover%s", v->nrecovered,
               v->nrecovered == 1 ? "y" : "ies");
    }

    printf(", %s\n", v->key ? "all signatures verified"
                     : v->nsigned ? "signatures not checked (no --key)"
                     : "unsigned");
}


/*
 * Says where the chain breaks: rc at the line at, where seq was expected,
 * why and extra.  A deleted record found later in the files was moved.
 * Returns the exit status.
 */

static int
ngx_http_passport_verify_tampered(ngx_http_passport_verify_reader_t *r,
    ngx_http_passport_verify_t *v, int rc, unsigned long long seq,
    const ngx_http_passport_verify_at_t *at, const char *why,
    const char *extra)
{
    int                            found;
    const char                    *label;
    ngx_http_passport_verify_at_t  later;

    found = 0;
    label = ngx_http_passport_report_result_name(rc);
    later.name = NULL;
    later.lineno = 0;

    if (rc == NGX_HTTP_PASSPORT_REPORT_GAP) {
        found = ngx_http_passport_verify_find(r, seq, &later);

        if (found == -1) {
            return 2;
        }

        if (found) {
            label = ngx_http_passport_report_result_name(
                                             NGX_HTTP_PASSPORT_REPORT_BACK);
        }
    }

    printf("TAMPERED: ");

    if (seq) {
        printf("seq %llu: ", seq);

    } else {
        printf("first record: ");
    }

    printf("%s at %s:%lu: %s%s", label, at->name, at->lineno, why, extra);

    if (found) {
        printf("; seq %llu is at %s:%lu", seq, later.name, later.lineno);
    }

    printf("; %lu good record%s before it\n", v->n, v->n == 1 ? "" : "s");

    return 1;
}


/* the pending cut lines were not followed by a recovery record */

static int
ngx_http_passport_verify_unrecovered(ngx_http_passport_verify_reader_t *r,
    ngx_http_passport_verify_t *v)
{
    return ngx_http_passport_verify_tampered(r, v,
               NGX_HTTP_PASSPORT_REPORT_SYNTAX, v->pseq, &v->pat, v->pwhy,
               v->pterm ? ", and no recovery record follows"
                        : ", no newline, and no recovery record follows");
}


/* reads every line of every file; returns the exit status */

static int
ngx_http_passport_verify_run(ngx_http_passport_verify_reader_t *r,
    ngx_http_passport_verify_t *v)
{
    int                              rc;
    char                             why[NGX_HTTP_PASSPORT_VERIFY_WHY];
    unsigned long long               seq;
    ngx_http_passport_verify_at_t    at;
    ngx_http_passport_report_line_t  l;

    while ((rc = ngx_http_passport_verify_next(r)) == 1) {
        at.name = r->name;
        at.lineno = r->lineno;

        rc = ngx_http_passport_verify_line(r, v, &l, why);

        if (rc == NGX_HTTP_PASSPORT_REPORT_ERROR) {
            fprintf(stderr, "passport-verify: %s:%lu: %s\n", at.name,
                    at.lineno, why);
            return 2;
        }

        if (rc == NGX_HTTP_PASSPORT_REPORT_SYNTAX) {
            ngx_http_passport_verify_pend(r, v, &at, why);
            continue;
        }

        if (v->npending) {
            if (rc != NGX_HTTP_PASSPORT_REPORT_OK
                || l.type != NGX_HTTP_PASSPORT_REPORT_RECOVERY)
            {
                return ngx_http_passport_verify_unrecovered(r, v);
            }

            v->nrecovered++;
            v->npending = 0;
        }

        if (rc != NGX_HTTP_PASSPORT_REPORT_OK) {
            seq = (rc == NGX_HTTP_PASSPORT_REPORT_BACK || !v->have)
                  ? l.seq : v->chain.seq + 1;
            return ngx_http_passport_verify_tampered(r, v, rc, seq, &at, why,
                                                     "");
        }

        if (!v->have) {
            v->first = l.seq;
            v->have = 1;
        }

        v->nsigned += l.has_sig;
        ngx_http_passport_report_chain_advance(&v->chain, &l);
        v->n++;
    }

    if (rc == -1) {
        return 2;
    }

    if (v->npending) {
        return ngx_http_passport_verify_unrecovered(r, v);
    }

    ngx_http_passport_verify_intact(r, v);

    return 0;
}


/*
 * The options: *key_path gets the --key file.  Returns the index of the
 * first file, 0 when the usage was asked for, -1 on a usage error; the
 * usage is printed for both.
 */

static int
ngx_http_passport_verify_args(int argc, char **argv, const char **key_path)
{
    int  i;

    *key_path = NULL;

    for (i = 1; i < argc; i++) {

        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }

        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            ngx_http_passport_verify_usage(stdout);
            return 0;
        }

        if (strcmp(argv[i], "--key") == 0 && i + 1 < argc && !*key_path) {
            *key_path = argv[++i];
            continue;
        }

        if (strncmp(argv[i], "--key=", 6) == 0 && argv[i][6] && !*key_path) {
            *key_path = argv[i] + 6;
            continue;
        }

        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            ngx_http_passport_verify_usage(stderr);
            return -1;
        }

        break;
    }

    if (i == argc) {
        ngx_http_passport_verify_usage(stderr);
        return -1;
    }

    return i;
}


/* every file must be readable before anything is said about them */

static int
ngx_http_passport_verify_readable(char **files, int n)
{
    int    i;
    FILE  *f;

    for (i = 0; i < n; i++) {
        f = fopen(files[i], "rb");
        if (f == NULL) {
            fprintf(stderr, "passport-verify: %s: %s\n", files[i],
                    strerror(errno));
            return -1;
        }

        fclose(f);
    }

    return 0;
}


int
main(int argc, char **argv)
{
    int                                i, rc;
    char                               why[NGX_HTTP_PASSPORT_VERIFY_WHY];
    const char                        *key_path;
    ngx_http_passport_verify_t         v;
    ngx_http_passport_verify_reader_t  r;

    i = ngx_http_passport_verify_args(argc, argv, &key_path);
    if (i <= 0) {
        return (i == 0) ? 0 : 2;
    }

    if (ngx_http_passport_verify_readable(argv + i, argc - i) != 0) {
        return 2;
    }

    memset(&v, 0, sizeof(v));
    ngx_http_passport_report_chain_init(&v.chain);

    if (key_path) {
        v.key = ngx_http_passport_report_key_read(key_path, 0, why,
                                                  sizeof(why));
        if (v.key == NULL) {
            fprintf(stderr, "passport-verify: %s\n", why);
            return 2;
        }
    }

    memset(&r, 0, sizeof(r));
    r.files = argv + i;
    r.nfiles = argc - i;

    rc = ngx_http_passport_verify_run(&r, &v);

    if (r.fp) {
        fclose(r.fp);
    }

    free(r.buf);
    EVP_PKEY_free(v.key);

    return rc;
}
