
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


static int ngx_http_passport_verify_next(
    ngx_http_passport_verify_reader_t *r);
static int ngx_http_passport_verify_find(
    ngx_http_passport_verify_reader_t *r, unsigned long long seq,
    ngx_http_passport_verify_at_t *at);
static void ngx_http_passport_verify_usage(FILE *f);
static int ngx_http_passport_verify_run(
    ngx_http_passport_verify_reader_t *r, EVP_PKEY *key);


/* 1: a line, 0: no more lines, -1: I/O error (reported) */

static int
ngx_http_passport_verify_next(ngx_http_passport_verify_reader_t *r)
{
    int             c;
    size_t          cap;
    unsigned char  *p;

    for ( ;; ) {
        if (r->fp == NULL) {
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
        }

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

        if (c == EOF) {
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


static int
ngx_http_passport_verify_run(ngx_http_passport_verify_reader_t *r,
    EVP_PKEY *key)
{
    int                                rc, have, nsigned, found, pterm;
    char                               why[NGX_HTTP_PASSPORT_VERIFY_WHY];
    char                               pwhy[NGX_HTTP_PASSPORT_VERIFY_WHY];
    const char                        *label, *extra;
    unsigned long                      n, npending, nrecovered;
    unsigned long long                 first, seq, pseq;
    ngx_http_passport_verify_at_t      at, pat, later;
    ngx_http_passport_report_line_t    l;
    ngx_http_passport_report_chain_t   chain;

    ngx_http_passport_report_chain_init(&chain);

    have = 0;
    nsigned = 0;
    n = 0;
    npending = 0;
    nrecovered = 0;
    first = 0;
    pseq = 0;
    pat.name = NULL;
    pat.lineno = 0;
    later = pat;
    pwhy[0] = '\0';
    pterm = 1;
    extra = "";

    for ( ;; ) {
        rc = ngx_http_passport_verify_next(r);

        if (rc == -1) {
            return 2;
        }

        if (rc == 0) {
            break;
        }

        at.name = r->name;
        at.lineno = r->lineno;

        if (r->too_long) {
            rc = NGX_HTTP_PASSPORT_REPORT_SYNTAX;
            snprintf(why, sizeof(why), "line longer than %d bytes",
                     NGX_HTTP_PASSPORT_VERIFY_LINE_MAX);

        } else {
            rc = ngx_http_passport_report_verify_line(r->buf, r->len,
                                                      have ? &chain : NULL,
                                                      key, &l, why,
                                                      sizeof(why));
        }

        if (rc == NGX_HTTP_PASSPORT_REPORT_ERROR) {
            fprintf(stderr, "passport-verify: %s:%lu: %s\n", at.name,
                    at.lineno, why);
            return 2;
        }

        /*
         * Lines cut by a crash are followed by a recovery record that
         * continues the chain from the last good record.
         */

        if (rc == NGX_HTTP_PASSPORT_REPORT_SYNTAX) {
            if (npending++ == 0) {
                pat = at;
                pseq = have ? chain.seq + 1 : 0;
                memcpy(pwhy, why, sizeof(why));
                pterm = r->terminated;
            }

            continue;
        }

        if (npending) {
            if (rc != NGX_HTTP_PASSPORT_REPORT_OK
                || l.type != NGX_HTTP_PASSPORT_REPORT_RECOVERY)
            {
                at = pat;
                seq = pseq;
                rc = NGX_HTTP_PASSPORT_REPORT_SYNTAX;
                goto unrecovered;
            }

            nrecovered++;
            npending = 0;
        }

        if (rc != NGX_HTTP_PASSPORT_REPORT_OK) {
            seq = (rc == NGX_HTTP_PASSPORT_REPORT_BACK || !have)
                  ? l.seq : chain.seq + 1;
            goto tampered;
        }

        if (!have) {
            first = l.seq;
            have = 1;
        }

        nsigned += l.has_sig;
        ngx_http_passport_report_chain_advance(&chain, &l);
        n++;
    }

    if (npending) {
        at = pat;
        seq = pseq;
        rc = NGX_HTTP_PASSPORT_REPORT_SYNTAX;
        goto unrecovered;
    }

    printf("OK: %lu record%s", n, n == 1 ? "" : "s");

    if (n) {
        printf(", seq %llu..%llu", first, chain.seq);
    }

    printf(" in %d file%s, chain intact", r->nfiles,
           r->nfiles == 1 ? "" : "s");

    if (first > 1) {
        printf(" from seq %llu (earlier records not given)", first);
    }

    if (nrecovered) {
        printf(", %lu crash recover%s", nrecovered,
               nrecovered == 1 ? "y" : "ies");
    }

    printf(", %s\n", key ? "all signatures verified"
                     : nsigned ? "signatures not checked (no --key)"
                     : "unsigned");

    return 0;

unrecovered:

    memcpy(why, pwhy, sizeof(why));
    extra = pterm ? ", and no recovery record follows"
                  : ", no newline, and no recovery record follows";

tampered:

    found = 0;
    label = ngx_http_passport_report_result_name(rc);

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

    printf("%s at %s:%lu: %s%s", label, at.name, at.lineno, why, extra);

    if (found) {
        printf("; seq %llu is at %s:%lu", seq, later.name, later.lineno);
    }

    printf("; %lu good record%s before it\n", n, n == 1 ? "" : "s");

    return 1;
}


int
main(int argc, char **argv)
{
    int                                i, rc;
    char                               why[NGX_HTTP_PASSPORT_VERIFY_WHY];
    FILE                              *f;
    EVP_PKEY                          *key;
    const char                        *key_path;
    ngx_http_passport_verify_reader_t  r;

    key_path = NULL;

    for (i = 1; i < argc; i++) {

        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }

        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            ngx_http_passport_verify_usage(stdout);
            return 0;
        }

        if (strcmp(argv[i], "--key") == 0 && i + 1 < argc && !key_path) {
            key_path = argv[++i];
            continue;
        }

        if (strncmp(argv[i], "--key=", 6) == 0 && argv[i][6] && !key_path) {
            key_path = argv[i] + 6;
            continue;
        }

        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            ngx_http_passport_verify_usage(stderr);
            return 2;
        }

        break;
    }

    if (i == argc) {
        ngx_http_passport_verify_usage(stderr);
        return 2;
    }

    /* every file must be readable before anything is said about them */

    for (rc = i; rc < argc; rc++) {
        f = fopen(argv[rc], "rb");
        if (f == NULL) {
            fprintf(stderr, "passport-verify: %s: %s\n", argv[rc],
                    strerror(errno));
            return 2;
        }

        fclose(f);
    }

    key = NULL;

    if (key_path) {
        key = ngx_http_passport_report_key_read(key_path, 0, why,
                                                sizeof(why));
        if (key == NULL) {
            fprintf(stderr, "passport-verify: %s\n", why);
            return 2;
        }
    }

    memset(&r, 0, sizeof(r));
    r.files = argv + i;
    r.nfiles = argc - i;

    rc = ngx_http_passport_verify_run(&r, key);

    if (r.fp) {
        fclose(r.fp);
    }

    free(r.buf);
    EVP_PKEY_free(key);

    return rc;
}
