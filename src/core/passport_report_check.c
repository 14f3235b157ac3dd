
/*
 * Copyright (C) passport developers
 */


#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "passport_report.h"


/*
 * Checking report lines: the hash, the signature and the place in the
 * chain of a line read by ngx_http_passport_report_parse(), and the chain
 * state at the end of a log.
 */


/* ngx_http_passport_report_trusted(): no trusted record in the file */
#define NGX_HTTP_PASSPORT_REPORT_DECLINED   9


static int ngx_http_passport_report_sig_check(EVP_PKEY *pub,
    const ngx_http_passport_report_span_t *sig, const unsigned char *md);
static int ngx_http_passport_report_check_hash(const unsigned char *line,
    size_t canon, const ngx_http_passport_report_line_t *l,
    unsigned char *md, char *why, size_t why_size);
static int ngx_http_passport_report_check_sig(EVP_PKEY *pub,
    const ngx_http_passport_report_line_t *l,
    const ngx_http_passport_report_span_t *sig, const unsigned char *md,
    char *why, size_t why_size);
static int ngx_http_passport_report_check_chain(
    const ngx_http_passport_report_chain_t *chain,
    const ngx_http_passport_report_line_t *l, char *why, size_t why_size);
static size_t ngx_http_passport_report_line_start(const unsigned char *buf,
    size_t end);
static int ngx_http_passport_report_linked(const unsigned char *buf,
    size_t start, int whole_file, const ngx_http_passport_report_line_t *l);
static int ngx_http_passport_report_trusted(const unsigned char *buf,
    size_t len, int whole_file, EVP_PKEY *pub,
    ngx_http_passport_report_tail_t *tail, int *cut);
static void ngx_http_passport_report_untrusted(const unsigned char *buf,
    size_t len, EVP_PKEY *pub, ngx_http_passport_report_tail_t *tail);


/* 1: verified, 0: not, -1: OpenSSL failed */

static int
ngx_http_passport_report_sig_check(EVP_PKEY *pub,
    const ngx_http_passport_report_span_t *sig, const unsigned char *md)
{
    int             rc;
    size_t          i;
    EVP_MD_CTX     *ctx;
    unsigned char   raw[NGX_HTTP_PASSPORT_REPORT_SIG];

    /* 86 base64 characters and "==": 64 bytes */

    if (sig->len != NGX_HTTP_PASSPORT_REPORT_SIG
        || sig->data[86] != '=' || sig->data[87] != '=')
    {
        return 0;
    }

    for (i = 0; i < 86; i++) {
        if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                   "0123456789+/", sig->data[i]) == NULL
            || sig->data[i] == '\0')
        {
            return 0;
        }
    }

    if (EVP_DecodeBlock(raw, sig->data, NGX_HTTP_PASSPORT_REPORT_SIG) != 66)
    {
        return 0;
    }

    ctx = EVP_MD_CTX_new();
    if (ctx == NULL) {
        return -1;
    }

    rc = -1;

    if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pub) == 1) {
        rc = EVP_DigestVerify(ctx, raw, 64, md, 32) == 1;
    }

    EVP_MD_CTX_free(ctx);

    return rc;
}


/* the hash of the line against its "hash" member; md gets the hash */

static int
ngx_http_passport_report_check_hash(const unsigned char *line, size_t canon,
    const ngx_http_passport_report_line_t *l, unsigned char *md, char *why,
    size_t why_size)
{
    char  hex[NGX_HTTP_PASSPORT_REPORT_HEX + 1];

    if (ngx_http_passport_report_digest(line, canon, md) != 0) {
        snprintf(why, why_size, "SHA-256 failed");
        return NGX_HTTP_PASSPORT_REPORT_ERROR;
    }

    ngx_http_passport_report_hex(hex, md);

    if (memcmp(hex, l->hash, NGX_HTTP_PASSPORT_REPORT_HEX) != 0) {
        snprintf(why, why_size,
                 "hash %.12s... does not match the record (%.12s...)",
                 l->hash, hex);
        return NGX_HTTP_PASSPORT_REPORT_EDITED;
    }

    return NGX_HTTP_PASSPORT_REPORT_OK;
}


/* the signature of the hash md with the key pub */

static int
ngx_http_passport_report_check_sig(EVP_PKEY *pub,
    const ngx_http_passport_report_line_t *l,
    const ngx_http_passport_report_span_t *sig, const unsigned char *md,
    char *why, size_t why_size)
{
    int  rc;

    rc = l->has_sig ? ngx_http_passport_report_sig_check(pub, sig, md) : 0;

    if (rc == 1) {
        return NGX_HTTP_PASSPORT_REPORT_OK;
    }

    snprintf(why, why_size, "%s",
             rc < 0 ? "signature check failed (OpenSSL)"
             : l->has_sig ? "signature does not verify with the key"
             : "no signature");

    return rc < 0 ? NGX_HTTP_PASSPORT_REPORT_ERROR
                  : NGX_HTTP_PASSPORT_REPORT_SIGNATURE;
}


/* the place of the line after chain (NULL: the first line looked at) */

static int
ngx_http_passport_report_check_chain(
    const ngx_http_passport_report_chain_t *chain,
    const ngx_http_passport_report_line_t *l, char *why, size_t why_size)
{
    if (chain && l->seq > chain->seq + 1) {
        snprintf(why, why_size, "expected seq %llu, found seq %llu",
                 chain->seq + 1, l->seq);
        return NGX_HTTP_PASSPORT_REPORT_GAP;
    }

    if (chain && l->seq <= chain->seq) {
        snprintf(why, why_size, "seq %llu %s seq %llu", l->seq,
                 l->seq == chain->seq ? "again after" : "after", chain->seq);
        return NGX_HTTP_PASSPORT_REPORT_BACK;
    }

    if (l->seq == 1 && strcmp(l->prev, NGX_HTTP_PASSPORT_REPORT_ZERO) != 0) {
        snprintf(why, why_size, "seq 1 with prev %.12s..., not zeros",
                 l->prev);
        return NGX_HTTP_PASSPORT_REPORT_BROKEN;
    }

    if (chain && strcmp(l->prev, chain->hash) != 0) {
        snprintf(why, why_size,
                 "prev %.12s... is not the hash of seq %llu (%.12s...)",
                 l->prev, chain->seq, chain->hash);
        return NGX_HTTP_PASSPORT_REPORT_BROKEN;
    }

    return NGX_HTTP_PASSPORT_REPORT_OK;
}


int
ngx_http_passport_report_verify_line(const unsigned char *line, size_t len,
    const ngx_http_passport_report_chain_t *chain, EVP_PKEY *pub,
    ngx_http_passport_report_line_t *out, char *why, size_t why_size)
{
    int                              rc;
    char                             dummy[1];
    size_t                           canon, stop;
    unsigned char                    md[32];
    ngx_http_passport_report_span_t  sig;
    ngx_http_passport_report_line_t  l;

    if (why == NULL || why_size == 0) {
        why = dummy;
        why_size = sizeof(dummy);
    }

    memset(&l, 0, sizeof(l));
    memset(&sig, 0, sizeof(sig));
    why[0] = '\0';

    canon = 0;

    if (ngx_http_passport_report_parse(line, len, &l, &canon, &sig, &stop)
        != 0)
    {
        snprintf(why, why_size, "%s at byte %lu of %lu",
                 (len && line[len - 1] == '}') ? "unparseable" : "cut short",
                 (unsigned long) stop, (unsigned long) len);
        rc = NGX_HTTP_PASSPORT_REPORT_SYNTAX;

    } else {
        rc = ngx_http_passport_report_check_hash(line, canon, &l, md, why,
                                                 why_size);

        if (rc == NGX_HTTP_PASSPORT_REPORT_OK && pub) {
            rc = ngx_http_passport_report_check_sig(pub, &l, &sig, md, why,
                                                    why_size);
        }

        if (rc == NGX_HTTP_PASSPORT_REPORT_OK) {
            rc = ngx_http_passport_report_check_chain(chain, &l, why,
                                                      why_size);
        }
    }

    if (out) {
        *out = l;
    }

    return rc;
}


int
ngx_http_passport_report_is_cut(const unsigned char *line, size_t len)
{
    size_t                           canon, stop;
    ngx_http_passport_report_span_t  sig;
    ngx_http_passport_report_line_t  l;
    static const char                head[] = "{\"seq\":";

    if (len == 0 || len >= NGX_HTTP_PASSPORT_REPORT_LINE_CAP
        || memcmp(line, head, len < sizeof(head) - 1 ? len
                                                     : sizeof(head) - 1)
           != 0)
    {
        return 0;
    }

    memset(&l, 0, sizeof(l));

    return ngx_http_passport_report_parse(line, len, &l, &canon, &sig, &stop)
           != 0;
}


/* the start of the line that ends at end (before its "\n") */

static size_t
ngx_http_passport_report_line_start(const unsigned char *buf, size_t end)
{
    while (end > 0 && buf[end - 1] != '\n') {
        end--;
    }

    return end;
}


/*
 * 1 when the record l, whose line starts at start, links to the line
 * before it: that line is a record with a right hash, seq l->seq - 1 and
 * hash l->prev.  A RECOVERY record may skip one cut line.  The first line
 * of the file has nothing to link to; seq 1 elsewhere only in a SEGMENT
 * record.  -1: the line before is not wholly in buf.
 */

static int
ngx_http_passport_report_linked(const unsigned char *buf, size_t start,
    int whole_file, const ngx_http_passport_report_line_t *l)
{
    int                              rc, cut;
    size_t                           s;
    ngx_http_passport_report_line_t  p;

    if (l->seq == 1) {
        /* verify_line() checked its prev; a chain starts again only so */
        return start == 0 || l->type == NGX_HTTP_PASSPORT_REPORT_SEGMENT;
    }

    for (cut = 0; ; cut = 1) {
        if (start == 0) {
            return whole_file ? 1 : -1;
        }

        s = ngx_http_passport_report_line_start(buf, start - 1);

        if (s == 0 && !whole_file) {
            return -1;
        }

        rc = ngx_http_passport_report_verify_line(buf + s, start - 1 - s,
                                                  NULL, NULL, &p, NULL, 0);

        if (rc == NGX_HTTP_PASSPORT_REPORT_SYNTAX && !cut
            && l->type == NGX_HTTP_PASSPORT_REPORT_RECOVERY
            && ngx_http_passport_report_is_cut(buf + s, start - 1 - s))
        {
            start = s;
            continue;
        }

        return rc == NGX_HTTP_PASSPORT_REPORT_OK && p.seq + 1 == l->seq
               && strcmp(p.hash, l->prev) == 0;
    }
}


/*
 * The last trusted record, from the end of buf: OK with tail->chain and
 * tail->end set, tail->untrusted lines after it, *cut when the last of
 * them could be a cut line; AGAIN: need more of the file; DECLINED: none
 * in the whole file; ERROR.
 */

static int
ngx_http_passport_report_trusted(const unsigned char *buf, size_t len,
    int whole_file, EVP_PKEY *pub, ngx_http_passport_report_tail_t *tail,
    int *cut)
{
    int                              rc, linked;
    size_t                           pos, lend, s;
    ngx_http_passport_report_line_t  l;

    tail->untrusted = 0;
    *cut = 0;

    for (pos = len; pos > 0; pos = s) {
        lend = (buf[pos - 1] == '\n') ? pos - 1 : pos;
        s = ngx_http_passport_report_line_start(buf, lend);

        if (s == 0 && !whole_file) {
            return NGX_HTTP_PASSPORT_REPORT_AGAIN;
        }

        rc = ngx_http_passport_report_verify_line(buf + s, lend - s, NULL,
                                                  pub, &l, NULL, 0);

        if (rc == NGX_HTTP_PASSPORT_REPORT_ERROR) {
            return rc;
        }

        if (rc == NGX_HTTP_PASSPORT_REPORT_OK) {
            linked = ngx_http_passport_report_linked(buf, s, whole_file, &l);

            if (linked == -1) {
                return NGX_HTTP_PASSPORT_REPORT_AGAIN;
            }

            if (linked) {
                ngx_http_passport_report_chain_advance(&tail->chain, &l);
                tail->end = pos;
                return NGX_HTTP_PASSPORT_REPORT_OK;
            }

            rc = NGX_HTTP_PASSPORT_REPORT_BROKEN;
        }

        if (tail->untrusted++ == 0) {
            *cut = ngx_http_passport_report_is_cut(buf + s, lend - s);
        }

        /* the earliest of them is kept */

        tail->why = rc;
        tail->why_seq = l.seq;
    }

    return whole_file ? NGX_HTTP_PASSPORT_REPORT_DECLINED
                      : NGX_HTTP_PASSPORT_REPORT_AGAIN;
}


/*
 * Nothing trusted in the whole file: the chain goes on from the last
 * record that links, its signature aside (a key put in or changed), when
 * there is one.
 */

static void
ngx_http_passport_report_untrusted(const unsigned char *buf, size_t len,
    EVP_PKEY *pub, ngx_http_passport_report_tail_t *tail)
{
    int                              cut;
    ngx_http_passport_report_tail_t  t;

    ngx_http_passport_report_chain_init(&t.chain);

    if (pub
        && ngx_http_passport_report_trusted(buf, len, 1, NULL, &t, &cut)
           == NGX_HTTP_PASSPORT_REPORT_OK)
    {
        tail->chain = t.chain;
        tail->end = t.end;
    }
}


int
ngx_http_passport_report_tail(const unsigned char *buf, size_t len,
    int whole_file, EVP_PKEY *pub, ngx_http_passport_report_tail_t *tail)
{
    int  rc, cut;

    memset(tail, 0, sizeof(ngx_http_passport_report_tail_t));
    ngx_http_passport_report_chain_init(&tail->chain);

    rc = ngx_http_passport_report_trusted(buf, len, whole_file, pub, tail,
                                          &cut);

    if (rc == NGX_HTTP_PASSPORT_REPORT_AGAIN
        || rc == NGX_HTTP_PASSPORT_REPORT_ERROR)
    {
        return rc;
    }

    tail->newline = (len > 0 && buf[len - 1] != '\n');

    if (tail->untrusted == 1 && cut) {
        /* what a crash left of the record after it */
        tail->truncated = 1;

    } else if (tail->untrusted) {
        tail->segment = 1;

        if (rc == NGX_HTTP_PASSPORT_REPORT_DECLINED) {
            ngx_http_passport_report_untrusted(buf, len, pub, tail);
        }
    }

    if (tail->chain.seq >= NGX_HTTP_PASSPORT_REPORT_SEQ_MAX) {
        /* no seq after it: a chain starts again */
        ngx_http_passport_report_chain_init(&tail->chain);
        tail->segment = 1;
        tail->truncated = 0;
    }

    return NGX_HTTP_PASSPORT_REPORT_OK;
}
