
/*
 * Copyright (C) passport developers
 */


#ifndef _PASSPORT_REPORT_H_INCLUDED_
#define _PASSPORT_REPORT_H_INCLUDED_


/*
 * Regulator reports: records of the tamper-evident log (docs/reports.md),
 * their canonical serialisation, SHA-256 hash chain and Ed25519
 * signatures, verification of one line and the chain state found at the
 * end of an existing log.
 *
 * Pure C on OpenSSL (libcrypto), no nginx dependency: unit-tested in
 * t/unit/test_report.c and used by tools/passport-verify.c.  Writing is in
 * passport_report.c, reading back in _report_parse.c, checking what was
 * read in _report_check.c.
 */


#include <stddef.h>

#include <openssl/evp.h>

#include "passport_verdict.h"


/* record types */
#define NGX_HTTP_PASSPORT_REPORT_VERDICT    0
#define NGX_HTTP_PASSPORT_REPORT_RECOVERY   1
#define NGX_HTTP_PASSPORT_REPORT_ROTATION   2
#define NGX_HTTP_PASSPORT_REPORT_SEGMENT    3   /* the end of the log was
                                                   not trusted */

/* results of verification; 0 is success */
#define NGX_HTTP_PASSPORT_REPORT_OK         0
#define NGX_HTTP_PASSPORT_REPORT_SYNTAX     1   /* unparseable, truncated */
#define NGX_HTTP_PASSPORT_REPORT_EDITED     2   /* hash mismatch */
#define NGX_HTTP_PASSPORT_REPORT_SIGNATURE  3   /* bad or missing sig */
#define NGX_HTTP_PASSPORT_REPORT_GAP        4   /* seq jumps forward */
#define NGX_HTTP_PASSPORT_REPORT_BACK       5   /* seq goes back */
#define NGX_HTTP_PASSPORT_REPORT_BROKEN     6   /* prev mismatch */
#define NGX_HTTP_PASSPORT_REPORT_ERROR      7   /* OpenSSL failure */

/* ngx_http_passport_report_tail() */
#define NGX_HTTP_PASSPORT_REPORT_AGAIN      8   /* give more of the file */

#define NGX_HTTP_PASSPORT_REPORT_HEX        64  /* hash, prev: hex digits */
#define NGX_HTTP_PASSPORT_REPORT_SIG        88  /* sig: base64 characters */
#define NGX_HTTP_PASSPORT_REPORT_KID        16  /* kid: hex digits */

/* prev of the first record of a chain */
#define NGX_HTTP_PASSPORT_REPORT_ZERO                                        \
    "00000000000000000000000000000000" "00000000000000000000000000000000"

/* the greatest seq: 2^53 - 1, exact in every JSON implementation */
#define NGX_HTTP_PASSPORT_REPORT_SEQ_MAX    9007199254740991ULL

/* the greatest time_ms: 9999-12-31T23:59:59.999Z */
#define NGX_HTTP_PASSPORT_REPORT_TIME_MAX   253402300799999LL

/*
 * The longest line written, "\n" included: past it the items are cut and
 * "items_omitted" says how many were left out.  A line cut by a crash is
 * a piece of one, so never longer either.
 */
#define NGX_HTTP_PASSPORT_REPORT_LINE_CAP   65536

/* input bytes taken from each string member; longer values are cut */
#define NGX_HTTP_PASSPORT_REPORT_NODE_MAX   128
#define NGX_HTTP_PASSPORT_REPORT_ID_MAX     128
#define NGX_HTTP_PASSPORT_REPORT_METHOD_MAX 32
#define NGX_HTTP_PASSPORT_REPORT_URI_MAX    2048
#define NGX_HTTP_PASSPORT_REPORT_PTR_MAX    256
#define NGX_HTTP_PASSPORT_REPORT_DETAIL_MAX 512
#define NGX_HTTP_PASSPORT_REPORT_OPERATOR_MAX  128
#define NGX_HTTP_PASSPORT_REPORT_NAME_MAX   256 /* a seller's name */
#define NGX_HTTP_PASSPORT_REPORT_STATUS_MAX 32  /* a registry status */
#define NGX_HTTP_PASSPORT_REPORT_COUNTRY_MAX 2  /* ISO 3166-1 alpha-2 */
#define NGX_HTTP_PASSPORT_REPORT_CAUSE_MAX  256
/* seller, code and owner: NGX_HTTP_PASSPORT_VALUE_MAX */


/* the end of a chain: last seq written (0: none) and its hash */
typedef struct {
    unsigned long long    seq;
    char                  hash[NGX_HTTP_PASSPORT_REPORT_HEX + 1];
} ngx_http_passport_report_chain_t;


/* one failing item of a verdict record */
typedef struct {
    const unsigned char  *pointer;      /* RFC 6901, as in the problem */
    size_t                pointer_len;
    const unsigned char  *code;         /* canonical trace code or as
                                           sent; NULL: "" */
    size_t                code_len;
    const int            *reasons;      /* NGX_HTTP_PASSPORT_* reasons */
    size_t                nreasons;

    /* optional members, left out when NULL (docs/reports.md) */
    const unsigned char  *seller;       /* the item's own seller */
    size_t                seller_len;
    const char           *seller_status;    /* the registry's, of it */
    const unsigned char  *seller_name;      /* the registry's, of it */
    size_t                seller_name_len;
    const char           *seller_country;   /* the registry's, alpha-2 */
    const char           *status;       /* the code record's status */
    const char           *owner;        /* the code record's owner */
    const char           *cause;        /* why the registry could not
                                           answer (REGISTRY_UNAVAILABLE) */
} ngx_http_passport_report_item_t;


/*
 * One record to write.  Strings are raw bytes (escaped when written,
 * invalid UTF-8 becomes U+FFFD, cut at the *_MAX above); NULL with length
 * 0 writes "".  Members unused by a type are ignored.
 */
typedef struct {
    int                   type;         /* NGX_HTTP_PASSPORT_REPORT_* */
    unsigned long long    seq;          /* chain.seq + 1 */
    const char           *prev;         /* 64 lowercase hex (chain.hash);
                                           NULL: 64 zeros */
    long long             time_ms;      /* ms since the epoch, UTC */

    const unsigned char  *node;
    size_t                node_len;
    const char           *kid;          /* 16 lowercase hex of the
                                           signing key, or NULL: no "kid"
                                           member */
    const unsigned char  *oper;         /* "operator"; NULL: left out */
    size_t                oper_len;

    /* type VERDICT */
    const unsigned char  *request_id;
    size_t                request_id_len;
    int                   verdict;      /* NGX_HTTP_PASSPORT_VERDICT_FLAG
                                           or _BLOCK */
    int                   mode;         /* NGX_HTTP_PASSPORT_MODE_* */
    const unsigned char  *seller;       /* NULL: null */
    size_t                seller_len;
    const char           *seller_status;    /* NULL: left out */
    const unsigned char  *seller_name;      /* NULL: left out */
    size_t                seller_name_len;
    const char           *seller_country;   /* alpha-2; NULL: left out */
    const char           *cause;        /* of a problem with no pointer;
                                           NULL: left out */
    const int            *reasons;
    size_t                nreasons;
    const ngx_http_passport_report_item_t  *items;
    size_t                nitems;
    const unsigned char  *method;
    size_t                method_len;
    const unsigned char  *uri;          /* written up to the first '?' */
    size_t                uri_len;

    /* types RECOVERY, ROTATION and SEGMENT */
    const unsigned char  *detail;
    size_t                detail_len;
} ngx_http_passport_report_t;


/* a JSON string member of a parsed line: its escaped bytes in the line */
typedef struct {
    const unsigned char  *data;         /* NULL: absent or null */
    size_t                len;
} ngx_http_passport_report_span_t;


/* what ngx_http_passport_report_verify_line() found in a line */
typedef struct {
    int                   type;
    unsigned long long    seq;          /* 0 until parsed */
    char                  prev[NGX_HTTP_PASSPORT_REPORT_HEX + 1];
    char                  hash[NGX_HTTP_PASSPORT_REPORT_HEX + 1];
    int                   has_sig;      /* has a "sig" member */
    char                  kid[NGX_HTTP_PASSPORT_REPORT_KID + 1];
                                        /* "kid", or "" when absent */
    unsigned long long    omitted;      /* "items_omitted", or 0 */
    int                   verdict;      /* NGX_HTTP_PASSPORT_VERDICT_* */
    int                   mode;         /* NGX_HTTP_PASSPORT_MODE_* */
    unsigned long         reasons;      /* bit 1 << reason for the known
                                           record-level reasons */
    ngx_http_passport_report_span_t  time;
    ngx_http_passport_report_span_t  node;
    ngx_http_passport_report_span_t  oper;      /* "operator" */
    ngx_http_passport_report_span_t  request_id;
    ngx_http_passport_report_span_t  seller;
    ngx_http_passport_report_span_t  method;
    ngx_http_passport_report_span_t  uri;
    ngx_http_passport_report_span_t  detail;
    ngx_http_passport_report_span_t  items;     /* "[...]", as it is */
} ngx_http_passport_report_line_t;


/* what ngx_http_passport_report_tail() found at the end of a log */
typedef struct {
    ngx_http_passport_report_chain_t  chain;  /* last trusted record */
    size_t                end;          /* bytes up to the end of it */
    int                   newline;      /* 1: a "\n" must be written
                                           before the next record */
    int                   truncated;    /* 1: one line cut by a crash
                                           after it; write a RECOVERY
                                           record next */
    int                   segment;      /* 1: lines after it are not
                                           trusted; write a SEGMENT
                                           record next */
    unsigned long         untrusted;    /* those lines */
    int                   why;          /* what failed first, REPORT_* */
    unsigned long long    why_seq;      /* in the record of that seq */
} ngx_http_passport_report_tail_t;


/*
 * What is known of an item, by a pointer into it (its code, its seller,
 * its origin): the canonical trace code (NULL: the problem's value is
 * kept) and the optional members of ngx_http_passport_report_item_t.
 */
typedef struct {
    const unsigned char  *pointer;
    size_t                pointer_len;
    const unsigned char  *code;
    size_t                code_len;
    const unsigned char  *seller;
    size_t                seller_len;
    const char           *seller_status;
    const unsigned char  *seller_name;
    size_t                seller_name_len;
    const char           *seller_country;
    const char           *status;
    const char           *owner;
} ngx_http_passport_report_code_t;


/*
 * Use by the nginx glue (docs/reports.md, "Writing the log"):
 *
 *   start:   read the end of the file, ngx_http_passport_report_tail()
 *            with the key; if tail.newline write "\n"; if tail.segment
 *            say so at crit and append a SEGMENT record; if
 *            tail.truncated append a RECOVERY record; keep tail.chain in
 *            shared memory.
 *   record:  under the lock, rec.seq = chain.seq + 1, rec.prev =
 *            chain.hash; report_size(), report_write(); write(2) the
 *            line; only when all of it was written, chain.seq = rec.seq
 *            and chain.hash = the hash report_write() returned.
 *   reopen:  the chain goes on in the new file; a ROTATION record as its
 *            first line lets a restart find the chain there.
 */


/* seq 0 and 64 zeros: the state before the first record of a chain */
void ngx_http_passport_report_chain_init(ngx_http_passport_report_chain_t *c);

/* sets chain to the end of a line verify_line() accepted */
void ngx_http_passport_report_chain_advance(
    ngx_http_passport_report_chain_t *c,
    const ngx_http_passport_report_line_t *line);

/*
 * The size of the line for rec, signature and "\n" included: an upper
 * bound of what ngx_http_passport_report_write() writes, exact with a key.
 * A verdict record keeps the items that fit in LINE_CAP and writes
 * "items_omitted" for the rest.
 */
size_t ngx_http_passport_report_size(const ngx_http_passport_report_t *rec);

/*
 * Writes the line for rec into buf (report_size() bytes): the canonical
 * serialisation, "hash", "sig" when key (an Ed25519 private key) is not
 * NULL, and "\n".  hash (65 bytes) gets the record's hash as 64 hex
 * digits and a NUL: the next record's prev; it may be rec->prev itself,
 * which is read first.  Returns the end of the line, or NULL when rec is
 * not valid (type, verdict flag or block, mode, seq 1..SEQ_MAX, time in
 * years 1970..9999) or OpenSSL fails (out of memory, key cannot sign).
 */
unsigned char *ngx_http_passport_report_write(unsigned char *buf,
    const ngx_http_passport_report_t *rec, EVP_PKEY *key, char *hash);

/*
 * Checks one line (without its "\n"): the record grammar, the hash, the
 * signature when pub (an Ed25519 public or private key) is not NULL, then
 * the place in the chain.  chain NULL accepts any seq and prev (the first
 * record looked at); otherwise the line must have seq chain->seq + 1
 * (GAP when greater, BACK when not greater than chain->seq) and prev
 * chain->hash (BROKEN).  A seq 1 record must have prev 64 zeros (BROKEN).
 * out (may be NULL) is filled as far as the line was parsed.  why (may be
 * NULL) gets a one-line explanation.  Returns NGX_HTTP_PASSPORT_REPORT_OK
 * or the first of SYNTAX, EDITED, SIGNATURE, GAP, BACK, BROKEN found in
 * that order, or ERROR when OpenSSL fails.
 */
int ngx_http_passport_report_verify_line(const unsigned char *line,
    size_t len, const ngx_http_passport_report_chain_t *chain,
    EVP_PKEY *pub, ngx_http_passport_report_line_t *out, char *why,
    size_t why_size);

/*
 * Finds the chain state at the end of a log: buf holds the last len bytes
 * of the file, whole_file says whether they are all of it.  The end of
 * the chain is the last trusted record: its hash is right, its signature
 * verifies with pub (when not NULL), and it links to the line before it
 * (seq + 1 and prev; a RECOVERY record may skip one cut line; seq 1 needs
 * prev 64 zeros; the first line of a file has nothing to link to).  One
 * line cut by a crash after it (ngx_http_passport_report_is_cut()) sets
 * truncated; anything else after it sets segment and counts untrusted.
 * With no trusted record in the whole file, segment is set and the chain
 * goes on from the last record that links, signature aside, or from the
 * start; so it does from a trusted record at seq SEQ_MAX.  Returns
 * NGX_HTTP_PASSPORT_REPORT_OK; AGAIN when the buffer is not the whole
 * file and holds no trusted record with the line before it: call again
 * with more of the file; ERROR when OpenSSL fails.
 */
int ngx_http_passport_report_tail(const unsigned char *buf, size_t len,
    int whole_file, EVP_PKEY *pub, ngx_http_passport_report_tail_t *tail);

/*
 * 1 when a line (without its "\n") can be what a crash left of a record:
 * a beginning of {"seq": and no longer than LINE_CAP, not a record.
 */
int ngx_http_passport_report_is_cut(const unsigned char *line, size_t len);

/*
 * A verdict record's reasons and items from a request's problems, in
 * time linear in nerrors + ncodes: each reason once, in the order of the
 * problems; one item per pointer, in the order of its first problem, with
 * the reasons of its problems; its code from codes when its pointer is
 * there (the first entry of a pointer counts), else the problem's value;
 * the other members from that entry; the cause of its first
 * REGISTRY_UNAVAILABLE problem.  The cause of such a problem with no
 * pointer goes to rec->cause.  Reasons outside 0..NREASONS-1 are
 * left out.  mem: report_build_size() bytes, aligned for a pointer, which
 * rec's arrays then point into; seed: varies the hash of pointers.
 */
size_t ngx_http_passport_report_build_size(size_t nerrors, size_t ncodes);
void ngx_http_passport_report_build(ngx_http_passport_report_t *rec,
    void *mem, const ngx_http_passport_error_t *errors, size_t nerrors,
    const ngx_http_passport_report_code_t *codes, size_t ncodes,
    unsigned long seed);

/*
 * Reads an Ed25519 key from a PEM file (no pass phrase): need_private 1
 * wants a private key (for writing); 0 takes a public key, or a private
 * key whose public half is used (for verifying).  Returns NULL with why
 * filled on failure; free the key with EVP_PKEY_free().
 */
EVP_PKEY *ngx_http_passport_report_key_read(const char *path,
    int need_private, char *why, size_t why_size);

/*
 * The key ID of an Ed25519 key (public, or the public half of a private
 * one): the first 16 lowercase hex digits of the SHA-256 of the DER of
 * its public key (SubjectPublicKeyInfo), and a NUL.  0, or -1.
 */
int ngx_http_passport_report_kid(EVP_PKEY *key, char *kid);

/*
 * The node of a line, even one cut short after "node": 0 with l->node
 * set, or -1 when the line does not get that far.
 */
int ngx_http_passport_report_parse_node(const unsigned char *line,
    size_t len, ngx_http_passport_report_line_t *l);

/* "edited", "deleted", "reordered", ... for a verification result */
const char *ngx_http_passport_report_result_name(int rc);

/*
 * "verdict", "recovery", "rotation", "segment"; "enforce", "flag",
 * "monitor"; or ""
 */
const char *ngx_http_passport_report_type_name(int type);
const char *ngx_http_passport_report_mode_name(int mode);

/*
 * Shared by the report files: the SHA-256 of p[0..len) followed by "}"
 * (the canonical serialisation of a record whose line starts at p and
 * whose "hash" member starts at p + len) into md[32], 0 or -1; and md as
 * 64 lowercase hex digits and a NUL.
 */
int ngx_http_passport_report_digest(const unsigned char *p, size_t len,
    unsigned char *md);
void ngx_http_passport_report_hex(char *dst, const unsigned char *md);

/*
 * Also shared: a line (without its "\n") against the record grammar.
 * Returns 0, or -1 when it does not parse; l is filled as far as it was
 * parsed, canon gets the length of the serialisation before ,"hash":, sig
 * the "sig" member, stop where parsing ended (for the explanation).
 */
int ngx_http_passport_report_parse(const unsigned char *line, size_t len,
    ngx_http_passport_report_line_t *l, size_t *canon,
    ngx_http_passport_report_span_t *sig, size_t *stop);


#endif /* _PASSPORT_REPORT_H_INCLUDED_ */
