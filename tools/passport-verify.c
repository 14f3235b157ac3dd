
/*
 * Copyright (C) passport developers
 *
 * passport-verify [--key PUBLIC.pem | --keys DIR] [--node NODE] [--json]
 *     FILE...
 *
 * Verifies regulator report logs (docs/reports.md): every hash, the chain
 * across the files given in order (rotated files oldest first), sequence
 * continuity and, with --key, every signature.  Prints one line; exit 0
 * intact, 1 tampered, 2 usage or I/O error, 3 intact in segments: the
 * node marked lines it did not trust (docs/reports.md).
 */


#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passport_report.h"


#define NGX_HTTP_PASSPORT_VERIFY_LINE_MAX  (16 * 1024 * 1024)
#define NGX_HTTP_PASSPORT_VERIFY_WHY       256
#define NGX_HTTP_PASSPORT_VERIFY_KEYS      16


/* where the summary goes: stdout, or a buffer for --json */
static FILE  *ngx_http_passport_verify_out;


/* a node's keys (--keys DIR: NODE.pem, NODE.KID.pem) */

typedef struct {
    char                  kid[NGX_HTTP_PASSPORT_REPORT_KID + 1];
    EVP_PKEY             *key;
} ngx_http_passport_verify_key_t;


/* the lines of all the files, one after the other */

typedef struct {
    char                **files;
    int                   nfiles;
    int                   next;         /* file to open next */
    FILE                 *fp;
    const char           *name;         /* file of the current line */
    unsigned long         lineno;
    unsigned long         index;        /* of the line in all the files */
    unsigned char        *buf;
    size_t                len;
    size_t                cap;
    int                   terminated;   /* the line ended with "\n" */
    int                   too_long;
    unsigned int         *node_of;      /* node of each line, or NULL */
    unsigned long         nlines;
    unsigned int          want;         /* the node whose lines are read */
} ngx_http_passport_verify_reader_t;


/* where a line is */

typedef struct {
    const char           *name;
    unsigned long         lineno;
} ngx_http_passport_verify_at_t;


/* a segment record with a right hash (and signature), found beforehand */

typedef struct {
    unsigned long                      index;
    unsigned long long                 seq;
    char                               prev[NGX_HTTP_PASSPORT_REPORT_HEX + 1];
} ngx_http_passport_verify_seg_t;


/* what is known of the chain so far */

typedef struct {
    EVP_PKEY                          *key;        /* --key, or NULL */
    ngx_http_passport_verify_key_t     keys[NGX_HTTP_PASSPORT_VERIFY_KEYS];
    int                                nkeys;      /* --keys: the node's */
    unsigned long                      flagged;
    unsigned long                      blocked;
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
    int                                pcut;       /* it can be a cut */

    /* segment records, and the lines they make the chain skip */
    ngx_http_passport_verify_seg_t    *segs;
    unsigned long                      nsegs;
    unsigned long                      skip_to;    /* index + 1, or 0 */
    int                                skip_fresh; /* it starts a chain */
    unsigned long                      nsegments;  /* segments begun */
    unsigned long                      nexcused;   /* lines skipped */
    ngx_http_passport_verify_at_t      ex_at;      /* the first of them */
    char                               ex_why[NGX_HTTP_PASSPORT_VERIFY_WHY];
    ngx_http_passport_verify_at_t      seg_at;     /* the first segment */
    unsigned long long                 seg_seq;
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
static EVP_PKEY *ngx_http_passport_verify_pick(
    ngx_http_passport_verify_reader_t *r, ngx_http_passport_verify_t *v);
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
static int ngx_http_passport_verify_segments(
    ngx_http_passport_verify_reader_t *r, ngx_http_passport_verify_t *v);
static int ngx_http_passport_verify_excuse(
    ngx_http_passport_verify_reader_t *r, ngx_http_passport_verify_t *v,
    const ngx_http_passport_verify_at_t *at, int rc, unsigned long long seq,
    const char *why, unsigned long lines);
static int ngx_http_passport_verify_segment(
    ngx_http_passport_verify_reader_t *r, ngx_http_passport_verify_t *v);
static int ngx_http_passport_verify_run(
    ngx_http_passport_verify_reader_t *r, ngx_http_passport_verify_t *v);

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
        r->index++;

        if (r->node_of && r->index <= r->nlines
            && r->node_of[r->index - 1] != r->want)
        {
            continue;
        }

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
        "usage: passport-verify [--key PUBLIC.pem | --keys DIR] "
        "[--node NODE] [--json] FILE...\n"
        "\n"
        "Verifies passport regulator report logs: hashes, the chain across\n"
        "the files in the order given (oldest first), sequence continuity\n"
        "and, with --key (an Ed25519 public or private key in PEM), every\n"
        "signature.  --keys DIR: each node's NODE.pem (or NODE.KID.pem).\n"
        "Each node's chain is checked on its own; --node checks one.\n"
        "--json: a summary per node.  Exit status: 0 intact, 1 tampered,\n"
        "2 usage or I/O error, 3 intact in segments.\n");
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
                                     ngx_http_passport_verify_pick(r, v),
                                     l, why, NGX_HTTP_PASSPORT_VERIFY_WHY);
}


/*
 * The key of the current line: --key; with --keys the node's key its
 * kid names (no kid: NODE.pem, else its first key), or NULL when none,
 * which the check then reports as a bad signature.
 */

static EVP_PKEY *
ngx_http_passport_verify_pick(ngx_http_passport_verify_reader_t *r,
    ngx_http_passport_verify_t *v)
{
    int                              i;
    ngx_http_passport_report_line_t  l;
    static EVP_PKEY                 *none;

    if (v->nkeys == 0) {
        return v->key;
    }

    (void) ngx_http_passport_report_verify_line(r->buf, r->len, NULL, NULL,
                                                &l, NULL, 0);

    for (i = 0; i < v->nkeys; i++) {
        if (l.kid[0] == '\0' || strcmp(l.kid, v->keys[i].kid) == 0) {
            return v->keys[i].key;
        }
    }

    /* a key that verifies nothing: a fresh one */

    if (none == NULL) {
        none = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    }

    return none;
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
        v->pcut = !r->too_long
                  && ngx_http_passport_report_is_cut(r->buf, r->len);
    }
}


static void
ngx_http_passport_verify_intact(ngx_http_passport_verify_reader_t *r,
    ngx_http_passport_verify_t *v)
{
    fprintf(ngx_http_passport_verify_out,
            "%s: %lu record%s", v->nsegments ? "SEGMENTED" : "OK", v->n,
           v->n == 1 ? "" : "s");

    if (v->n) {
        fprintf(ngx_http_passport_verify_out,
                ", seq %llu..%llu", v->first, v->chain.seq);
    }

    fprintf(ngx_http_passport_verify_out,
            " in %d file%s, chain intact", r->nfiles,
           r->nfiles == 1 ? "" : "s");

    if (v->first > 1) {
        fprintf(ngx_http_passport_verify_out,
                " from seq %llu (earlier records not given)", v->first);
    }

    if (v->nrecovered) {
        fprintf(ngx_http_passport_verify_out,
                ", %lu crash recover%s", v->nrecovered,
               v->nrecovered == 1 ? "y" : "ies");
    }

    if (v->nsegments) {
        fprintf(ngx_http_passport_verify_out,
                ", %lu new segment%s (the first at %s:%lu, seq %llu)",
               v->nsegments, v->nsegments == 1 ? "" : "s", v->seg_at.name,
               v->seg_at.lineno, v->seg_seq);

        if (v->nexcused) {
            fprintf(ngx_http_passport_verify_out,
                    ", %lu line%s left out of the chain (the first at "
                   "%s:%lu: %s)", v->nexcused, v->nexcused == 1 ? "" : "s",
                   v->ex_at.name, v->ex_at.lineno, v->ex_why);
        }
    }

    fprintf(ngx_http_passport_verify_out, ", %s\n",
            (v->key || v->nkeys) ? "all signatures verified"
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

    fprintf(ngx_http_passport_verify_out, "TAMPERED: ");

    if (seq) {
        fprintf(ngx_http_passport_verify_out, "seq %llu: ", seq);

    } else {
        fprintf(ngx_http_passport_verify_out, "first record: ");
    }

    fprintf(ngx_http_passport_verify_out,
            "%s at %s:%lu: %s%s", label, at->name, at->lineno, why, extra);

    if (found) {
        fprintf(ngx_http_passport_verify_out,
                "; seq %llu is at %s:%lu", seq, later.name, later.lineno);
    }

    fprintf(ngx_http_passport_verify_out,
            "; %lu good record%s before it\n", v->n, v->n == 1 ? "" : "s");

    return 1;
}


/* the pending cut lines were not followed by a recovery record */

static int
ngx_http_passport_verify_unrecovered(ngx_http_passport_verify_reader_t *r,
    ngx_http_passport_verify_t *v)
{
    return ngx_http_passport_verify_tampered(r, v,
               NGX_HTTP_PASSPORT_REPORT_SYNTAX, v->pseq, &v->pat, v->pwhy,
               v->npending > 1 ? ", and more lines that are not records "
                                 "follow it (a crash cuts one line only)"
               : !v->pcut ? ", and it is not the beginning of a record "
                            "that a crash could leave"
               : v->pterm ? ", and no recovery record follows"
                          : ", no newline, and no recovery record follows");
}


/*
 * Finds the segment records of the files beforehand (a right hash and,
 * with --key, signature): they may end runs of lines the node did not
 * trust.  0, or -1 on an error (reported).
 */

static int
ngx_http_passport_verify_segments(ngx_http_passport_verify_reader_t *r,
    ngx_http_passport_verify_t *v)
{
    int                              rc;
    unsigned long                    cap;
    ngx_http_passport_verify_seg_t  *p;
    ngx_http_passport_report_line_t  l;

    cap = 0;

    while ((rc = ngx_http_passport_verify_next(r)) == 1) {

        if (r->too_long
            || ngx_http_passport_report_verify_line(r->buf, r->len, NULL,
                                      ngx_http_passport_verify_pick(r, v),
                                      &l, NULL, 0)
               != NGX_HTTP_PASSPORT_REPORT_OK
            || l.type != NGX_HTTP_PASSPORT_REPORT_SEGMENT)
        {
            continue;
        }

        if (v->nsegs == cap) {
            cap = cap ? 2 * cap : 16;

            p = realloc(v->segs, cap * sizeof(ngx_http_passport_verify_seg_t));
            if (p == NULL) {
                fprintf(stderr, "passport-verify: out of memory\n");
                return -1;
            }

            v->segs = p;
        }

        p = &v->segs[v->nsegs++];
        p->index = r->index;
        p->seq = l.seq;
        memcpy(p->prev, l.prev, sizeof(p->prev));
    }

    return rc;
}


/*
 * A line failed (rc, at at, for seq, why) with lines more lines before
 * it since the last good record: when a segment record comes at or after
 * the current line and goes on from the last good record (or starts a
 * chain, or nothing good came yet), they are left out of the chain and
 * counted.  1: so; 0: not.
 */

static int
ngx_http_passport_verify_excuse(ngx_http_passport_verify_reader_t *r,
    ngx_http_passport_verify_t *v, const ngx_http_passport_verify_at_t *at,
    int rc, unsigned long long seq, const char *why, unsigned long lines)
{
    unsigned long                    i;
    ngx_http_passport_verify_seg_t  *sg;

    for (i = 0; i < v->nsegs; i++) {
        sg = &v->segs[i];

        if (sg->index < r->index) {
            continue;
        }

        if (!v->have || sg->seq == 1
            || (sg->seq == v->chain.seq + 1
                && strcmp(sg->prev, v->chain.hash) == 0))
        {
            break;
        }
    }

    if (i == v->nsegs) {
        return 0;
    }

    v->skip_to = sg->index + 1;
    v->skip_fresh = !v->have || sg->seq == 1;

    if (v->nexcused == 0) {
        v->ex_at = *at;

        if (seq) {
            snprintf(v->ex_why, sizeof(v->ex_why), "seq %llu: %s: %.200s",
                     seq, ngx_http_passport_report_result_name(rc), why);

        } else {
            snprintf(v->ex_why, sizeof(v->ex_why), "%s: %.200s",
                     ngx_http_passport_report_result_name(rc), why);
        }
    }

    v->nexcused += lines;
    v->npending = 0;

    return 1;
}


/*
 * While the lines before a segment record are left out: 0 for one of
 * them, 1 for the segment record, to be checked after the last good
 * record, or as the first of a new chain.
 */

static int
ngx_http_passport_verify_segment(ngx_http_passport_verify_reader_t *r,
    ngx_http_passport_verify_t *v)
{
    if (r->index + 1 < v->skip_to) {
        v->nexcused++;
        return 0;
    }

    v->skip_to = 0;

    if (v->skip_fresh) {
        v->have = 0;
    }

    return 1;
}


/* reads every line of every file; returns the exit status */

static int
ngx_http_passport_verify_run(ngx_http_passport_verify_reader_t *r,
    ngx_http_passport_verify_t *v)
{
    int                              rc, recovered;
    char                             why[NGX_HTTP_PASSPORT_VERIFY_WHY];
    unsigned long long               seq, first;
    ngx_http_passport_verify_at_t    at;
    ngx_http_passport_report_line_t  l;

    while ((rc = ngx_http_passport_verify_next(r)) == 1) {
        at.name = r->name;
        at.lineno = r->lineno;

        if (v->skip_to
            && !ngx_http_passport_verify_segment(r, v))
        {
            continue;
        }

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
            recovered = (rc == NGX_HTTP_PASSPORT_REPORT_OK
                         && l.type == NGX_HTTP_PASSPORT_REPORT_RECOVERY
                         && v->npending == 1 && v->pcut);

            if (!recovered) {
                if (ngx_http_passport_verify_excuse(r, v, &v->pat,
                        NGX_HTTP_PASSPORT_REPORT_SYNTAX, v->pseq, v->pwhy,
                        v->npending))
                {
                    goto excused;
                }

                return ngx_http_passport_verify_unrecovered(r, v);
            }

            v->nrecovered++;
            v->npending = 0;
        }

        if (rc != NGX_HTTP_PASSPORT_REPORT_OK) {
            seq = (rc == NGX_HTTP_PASSPORT_REPORT_BACK || !v->have)
                  ? l.seq : v->chain.seq + 1;

            if (ngx_http_passport_verify_excuse(r, v, &at, rc, seq, why, 0))
            {
                goto excused;
            }

            return ngx_http_passport_verify_tampered(r, v, rc, seq, &at, why,
                                                     "");
        }

        goto good;

    excused:

        /* the current line: left out too, or the segment record itself */

        if (!ngx_http_passport_verify_segment(r, v)) {
            continue;
        }

        rc = ngx_http_passport_verify_line(r, v, &l, why);

        if (rc != NGX_HTTP_PASSPORT_REPORT_OK) {
            return ngx_http_passport_verify_tampered(r, v, rc, l.seq, &at,
                                                     why, "");
        }

    good:

        if (l.type == NGX_HTTP_PASSPORT_REPORT_SEGMENT
            && v->nsegments++ == 0)
        {
            v->seg_at = at;
            v->seg_seq = l.seq;
        }

        if (!v->have) {
            first = v->n ? v->first : l.seq;
            v->first = first;
            v->have = 1;
        }

        v->nsigned += l.has_sig;
        v->flagged += (l.type == NGX_HTTP_PASSPORT_REPORT_VERDICT
                       && l.verdict == NGX_HTTP_PASSPORT_VERDICT_FLAG);
        v->blocked += (l.type == NGX_HTTP_PASSPORT_REPORT_VERDICT
                       && l.verdict == NGX_HTTP_PASSPORT_VERDICT_BLOCK);
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

    return v->nsegments ? 3 : 0;
}


/* the options */

typedef struct {
    const char           *key;          /* --key */
    const char           *keys;         /* --keys DIR */
    const char           *node;         /* --node NODE */
    int                   json;         /* --json */
} ngx_http_passport_verify_opts_t;


/* --NAME VALUE or --NAME=VALUE: 1 taken, 0 not this option */

static int
ngx_http_passport_verify_opt(int argc, char **argv, int *i, const char *name,
    const char **value)
{
    size_t  n;

    n = strlen(name);

    if (strcmp(argv[*i], name) == 0 && *i + 1 < argc && *value == NULL) {
        *value = argv[++*i];
        return 1;
    }

    if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '='
        && argv[*i][n + 1] && *value == NULL)
    {
        *value = argv[*i] + n + 1;
        return 1;
    }

    return 0;
}


/*
 * Returns the index of the first file, 0 when the usage was asked for,
 * -1 on a usage error; the usage is printed for both.
 */

static int
ngx_http_passport_verify_args(int argc, char **argv,
    ngx_http_passport_verify_opts_t *o)
{
    int  i;

    memset(o, 0, sizeof(*o));

    for (i = 1; i < argc; i++) {

        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }

        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            ngx_http_passport_verify_usage(stdout);
            return 0;
        }

        if (strcmp(argv[i], "--json") == 0) {
            o->json = 1;
            continue;
        }

        if (ngx_http_passport_verify_opt(argc, argv, &i, "--key", &o->key)
            || ngx_http_passport_verify_opt(argc, argv, &i, "--keys",
                                            &o->keys)
            || ngx_http_passport_verify_opt(argc, argv, &i, "--node",
                                            &o->node))
        {
            continue;
        }

        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            ngx_http_passport_verify_usage(stderr);
            return -1;
        }

        break;
    }

    if (i == argc || (o->key && o->keys)) {
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


/*
 * The nodes of the files, and the node of every line: a line that is no
 * record (a cut line) belongs to the node of the next record, or of the
 * last one at the end.  0, or -1 on an error (reported).
 */

static int
ngx_http_passport_verify_nodes(ngx_http_passport_verify_reader_t *r,
    char ***names, unsigned int *nnames)
{
    int                              rc;
    char                           **nm;
    unsigned int                     k, *p;
    unsigned long                    cap, i, from;
    ngx_http_passport_report_line_t  l;

    cap = 0;
    from = 0;

    while ((rc = ngx_http_passport_verify_next(r)) == 1) {
        if (r->nlines == cap) {
            cap = cap ? 2 * cap : 1024;
            p = realloc(r->node_of, cap * sizeof(unsigned int));
            if (p == NULL) {
                goto nomem;
            }
            r->node_of = p;
        }

        r->node_of[r->nlines++] = (unsigned int) -1;

        if (r->too_long
            || ngx_http_passport_report_parse_node(r->buf, r->len, &l) != 0)
        {
            continue;
        }

        for (k = 0; k < *nnames; k++) {
            if (strlen((*names)[k]) == l.node.len
                && memcmp((*names)[k], l.node.data, l.node.len) == 0)
            {
                break;
            }
        }

        if (k == *nnames) {
            nm = realloc(*names, (k + 1) * sizeof(char *));
            if (nm == NULL) {
                goto nomem;
            }
            *names = nm;
            nm[k] = strndup((const char *) l.node.data, l.node.len);
            if (nm[k] == NULL) {
                goto nomem;
            }
            (*nnames)++;
        }

        for (i = from; i < r->nlines; i++) {
            r->node_of[i] = k;
        }

        from = r->nlines;
    }

    for (i = from; i < r->nlines; i++) {
        r->node_of[i] = (from > 0) ? r->node_of[from - 1] : 0;
    }

    if (*nnames == 0) {
        *names = calloc(1, sizeof(char *));
        if (*names == NULL) {
            goto nomem;
        }
        (*names)[0] = strdup("");
        *nnames = 1;
    }

    return rc;

nomem:

    fprintf(stderr, "passport-verify: out of memory\n");
    return -1;
}


/* --keys DIR: the node's NODE.pem and NODE.KID.pem; 0, or -1 (reported) */

static int
ngx_http_passport_verify_keys(const char *dir, const char *node,
    ngx_http_passport_verify_t *v)
{
    DIR                             *d;
    char                             path[4096];
    char                             why[NGX_HTTP_PASSPORT_VERIFY_WHY];
    size_t                           n, len;
    EVP_PKEY                        *key;
    struct dirent                   *de;
    ngx_http_passport_verify_key_t   tmp;

    d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "passport-verify: %s: %s\n", dir, strerror(errno));
        return -1;
    }

    n = strlen(node);

    while ((de = readdir(d)) != NULL
           && v->nkeys < NGX_HTTP_PASSPORT_VERIFY_KEYS)
    {
        len = strlen(de->d_name);

        if (n == 0 || strncmp(de->d_name, node, n) != 0
            || !(len == n + 4
                 || len == n + 1 + NGX_HTTP_PASSPORT_REPORT_KID + 4)
            || strcmp(de->d_name + len - 4, ".pem") != 0
            || (len > n + 4 && de->d_name[n] != '.'))
        {
            continue;
        }

        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);

        key = ngx_http_passport_report_key_read(path, 0, why, sizeof(why));
        if (key == NULL) {
            fprintf(stderr, "passport-verify: %s\n", why);
            closedir(d);
            return -1;
        }

        v->keys[v->nkeys].key = key;
        (void) ngx_http_passport_report_kid(key, v->keys[v->nkeys].kid);
        v->nkeys++;

        if (len == n + 4 && v->nkeys > 1) {
            /* NODE.pem first: it checks the records without a kid */
            tmp = v->keys[0];
            v->keys[0] = v->keys[v->nkeys - 1];
            v->keys[v->nkeys - 1] = tmp;
        }
    }

    closedir(d);

    return 0;
}


/* a JSON string of ours or of the files: escaped for control bytes */

static void
ngx_http_passport_verify_json_str(const char *s, size_t len)
{
    size_t  i;

    putchar('"');

    for (i = 0; i < len; i++) {
        if (s[i] == '"' || s[i] == '\\') {
            printf("\\%c", s[i]);

        } else if ((unsigned char) s[i] < 0x20) {
            printf("\\u%04x", (unsigned char) s[i]);

        } else {
            putchar(s[i]);
        }
    }

    putchar('"');
}


/* checks the lines of one node; returns its exit status */

static int
ngx_http_passport_verify_node(ngx_http_passport_verify_reader_t *r,
    const ngx_http_passport_verify_opts_t *o, EVP_PKEY *key,
    const char *name, unsigned int id, int first)
{
    int                          rc, i;
    char                        *text;
    size_t                       size;
    ngx_http_passport_verify_t   v;

    memset(&v, 0, sizeof(v));
    ngx_http_passport_report_chain_init(&v.chain);
    v.key = key;

    if (o->keys && ngx_http_passport_verify_keys(o->keys, name, &v) != 0) {
        return 2;
    }

    text = NULL;
    size = 0;
    ngx_http_passport_verify_out = o->json ? open_memstream(&text, &size)
                                           : stdout;
    if (ngx_http_passport_verify_out == NULL) {
        return 2;
    }

    r->want = id;
    r->next = 0;
    r->index = 0;

    rc = ngx_http_passport_verify_segments(r, &v);

    if (rc == 0) {
        r->next = 0;
        r->index = 0;
        rc = ngx_http_passport_verify_run(r, &v);

    } else {
        rc = 2;
    }

    if (r->fp) {
        fclose(r->fp);
        r->fp = NULL;
    }

    if (o->json) {
        fclose(ngx_http_passport_verify_out);
        size -= (size && text[size - 1] == '\n');

        printf("%s{\"node\":", first ? "" : ",");
        ngx_http_passport_verify_json_str(name, strlen(name));
        printf(",\"first_seq\":%llu,\"last_seq\":%llu,\"records\":%lu,"
               "\"verdicts\":{\"flag\":%lu,\"block\":%lu},"
               "\"result\":\"%s\",\"exit\":%d,\"summary\":",
               v.n ? v.first : 0ULL, v.n ? v.chain.seq : 0ULL, v.n,
               v.flagged, v.blocked,
               rc == 0 ? "intact" : rc == 1 ? "tampered"
               : rc == 3 ? "segmented" : "error", rc);
        ngx_http_passport_verify_json_str(text ? text : "", size);
        printf(",\"problems\":[");
        if (rc != 0 && text) {
            ngx_http_passport_verify_json_str(text, size);
        }
        printf("]}");
        free(text);
    }

    for (i = 0; i < v.nkeys; i++) {
        EVP_PKEY_free(v.keys[i].key);
    }

    free(v.segs);

    return rc;
}


int
main(int argc, char **argv)
{
    int                                i, rc, worst, one;
    char                               why[NGX_HTTP_PASSPORT_VERIFY_WHY];
    char                             **names;
    EVP_PKEY                          *key;
    unsigned int                       k, nnames;
    ngx_http_passport_verify_opts_t    o;
    ngx_http_passport_verify_reader_t  r;

    i = ngx_http_passport_verify_args(argc, argv, &o);
    if (i <= 0) {
        return (i == 0) ? 0 : 2;
    }

    if (ngx_http_passport_verify_readable(argv + i, argc - i) != 0) {
        return 2;
    }

    key = NULL;

    if (o.key) {
        key = ngx_http_passport_report_key_read(o.key, 0, why, sizeof(why));
        if (key == NULL) {
            fprintf(stderr, "passport-verify: %s\n", why);
            return 2;
        }
    }

    memset(&r, 0, sizeof(r));
    r.files = argv + i;
    r.nfiles = argc - i;

    names = NULL;
    nnames = 0;

    if (ngx_http_passport_verify_nodes(&r, &names, &nnames) != 0) {
        return 2;
    }

    if (r.fp) {
        fclose(r.fp);
        r.fp = NULL;
    }

    /* one node and no --node: the lines as they are, as before */

    if (nnames == 1 && o.node == NULL) {
        free(r.node_of);
        r.node_of = NULL;
    }

    if (o.json) {
        printf("{\"nodes\":[");
    }

    worst = 0;
    one = 1;

    for (k = 0; k < nnames; k++) {
        if (o.node && strcmp(o.node, names[k]) != 0) {
            continue;
        }

        if (!o.json && (nnames > 1 || o.node)) {
            printf("%s: ", names[k]);
        }

        fflush(stdout);

        rc = ngx_http_passport_verify_node(&r, &o, key, names[k], k, one);
        one = 0;

        worst = (rc == 2 || worst == 2) ? 2
                : (rc == 1 || worst == 1) ? 1
                : (rc == 3 || worst == 3) ? 3 : 0;
    }

    if (one && o.node) {
        fprintf(stderr, "passport-verify: no record of node \"%s\"\n",
                o.node);
        worst = 2;
    }

    if (o.json) {
        printf("],\"exit\":%d}\n", worst);
    }

    for (k = 0; k < nnames; k++) {
        free(names[k]);
    }

    free(names);
    free(r.node_of);
    free(r.buf);
    EVP_PKEY_free(key);

    return worst;
}
