
/*
 * Copyright (C) passport developers
 */


#ifndef _PASSPORT_CATALOG_H_INCLUDED_
#define _PASSPORT_CATALOG_H_INCLUDED_


/*
 * The catalog: every sentence a seller, an operator or a regulator reads
 * in an answer of the module, English and Vietnamese side by side.
 *
 * An entry is a pair of string-literal macros, NGX_HTTP_PASSPORT_MSG_<NAME>_EN
 * and NGX_HTTP_PASSPORT_MSG_<NAME>_VI.  A sentence with arguments is a
 * printf format; both languages take the same arguments, in the same order,
 * with the same conversions.  Since the formats are literals, the compiler
 * sees them at each call and checks both against the arguments:
 *
 *     ngx_http_passport_error_detail(err, lang,
 *                                    NGX_HTTP_PASSPORT_MSG(RULE_CODE_STATUS),
 *                                    status);
 *
 *     n = ngx_http_passport_say(buf, size, lang,
 *                               NGX_HTTP_PASSPORT_MSG(TRACE_AI_DATE), ai);
 *
 *     snprintf(buf, size, NGX_HTTP_PASSPORT_TEXT(SUMMARY, lang), n);
 *
 * NGX_HTTP_PASSPORT_MSG(NAME) is the pair "en", "vi", for the functions
 * that take both formats and choose by language; they are declared with
 * NGX_HTTP_PASSPORT_FORMAT2() so that -Wformat checks both.
 * NGX_HTTP_PASSPORT_TEXT(NAME, lang) is the literal of the language, as a
 * conditional of the two literals: -Wformat checks both arms when it is
 * a format, and it is a plain string otherwise.  The _EN and _VI macros
 * can be used directly, in a string concatenation for instance.
 *
 * Some entries are English only: the answers of the operators' and the
 * regulators' endpoints, the causes of a failed registry lookup (for the
 * error log, never shown to a seller: REGISTRY_UNREACHABLE and
 * REGISTRY_BAD_ANSWER say what the seller can do instead) and the notes of
 * the report log.  They are listed in NGX_HTTP_PASSPORT_CATALOG_EN_ONLY
 * and must never reach a seller.  A Vietnamese sentence has no English
 * word in it: a status or a cause is shown through its own entry
 * (t/unit/test_catalog.c checks).
 *
 * To add a sentence:
 *   - define NGX_HTTP_PASSPORT_MSG_<NAME>_EN and _VI in its section below,
 *     with a comment naming its arguments, and add <NAME> to
 *     NGX_HTTP_PASSPORT_CATALOG at the end of this file (or only _EN, and
 *     NGX_HTTP_PASSPORT_CATALOG_EN_ONLY, for an English-only one);
 *   - give both languages the same conversions in the same order;
 *   - call it through NGX_HTTP_PASSPORT_MSG() or NGX_HTTP_PASSPORT_TEXT(),
 *     never through a variable, or the compiler cannot check it;
 *   - no trailing period: the sentences are parts of JSON documents.
 * The unit test (t/unit/test_verdict.c) walks both lists: each entry is
 * there and non-empty, both languages have the same conversions, and the
 * Vietnamese differs from the English except in the listed cases.
 *
 * The texts are part of the interface: the integration tests and
 * docs/reasons.md quote many of them word for word.
 *
 * Plain C99 with no nginx dependency: the glue uses the same macros.
 */


#include <stddef.h>

#include "passport_ids.h"        /* NGX_HTTP_PASSPORT_LANG_* */


#define NGX_HTTP_PASSPORT_MSG(name)                                           \
    NGX_HTTP_PASSPORT_MSG_ ## name ## _EN,                                    \
    NGX_HTTP_PASSPORT_MSG_ ## name ## _VI

#define NGX_HTTP_PASSPORT_TEXT(name, lang)                                    \
    ((lang) == NGX_HTTP_PASSPORT_LANG_VI                                      \
     ? NGX_HTTP_PASSPORT_MSG_ ## name ## _VI                                  \
     : NGX_HTTP_PASSPORT_MSG_ ## name ## _EN)


/*
 * printf-like functions: NGX_HTTP_PASSPORT_FORMAT(fmt, first) for one
 * format, NGX_HTTP_PASSPORT_FORMAT2(en, vi, first) for a pair (first is 0
 * for a va_list).
 */

#if (defined __GNUC__ || defined __clang__)
#define NGX_HTTP_PASSPORT_FORMAT(fmt, first)                                  \
    __attribute__((format(printf, fmt, first)))
#define NGX_HTTP_PASSPORT_FORMAT2(en, vi, first)                              \
    __attribute__((format(printf, en, first), format(printf, vi, first)))
#else
#define NGX_HTTP_PASSPORT_FORMAT(fmt, first)
#define NGX_HTTP_PASSPORT_FORMAT2(en, vi, first)
#endif


/*
 * Writes the sentence of the language (NGX_HTTP_PASSPORT_LANG_*) into buf,
 * NUL terminated and cut to fit on a UTF-8 character boundary; returns its
 * length.  In passport_explain.c.
 */
size_t ngx_http_passport_say(char *buf, size_t size, int lang,
    const char *en, const char *vi, ...) NGX_HTTP_PASSPORT_FORMAT2(4, 5, 6);


/*
 * Reason titles: the "title" of a problem document, by reason code
 * (passport_verdict.c).
 */

#define NGX_HTTP_PASSPORT_MSG_TITLE_BODY_NOT_JSON_EN                          \
    "Request body is not JSON"
#define NGX_HTTP_PASSPORT_MSG_TITLE_BODY_NOT_JSON_VI                          \
    "Nội dung yêu cầu không phải JSON"

#define NGX_HTTP_PASSPORT_MSG_TITLE_BODY_MALFORMED_EN                         \
    "Request body is malformed"
#define NGX_HTTP_PASSPORT_MSG_TITLE_BODY_MALFORMED_VI                         \
    "Nội dung yêu cầu không đúng định dạng"

#define NGX_HTTP_PASSPORT_MSG_TITLE_BODY_TOO_COMPLEX_EN                       \
    "Request body has too many values"
#define NGX_HTTP_PASSPORT_MSG_TITLE_BODY_TOO_COMPLEX_VI                       \
    "Nội dung yêu cầu có quá nhiều giá trị"

#define NGX_HTTP_PASSPORT_MSG_TITLE_TOO_MANY_ITEMS_EN                         \
    "Too many items in one request"
#define NGX_HTTP_PASSPORT_MSG_TITLE_TOO_MANY_ITEMS_VI                         \
    "Quá nhiều sản phẩm trong một yêu cầu"

#define NGX_HTTP_PASSPORT_MSG_TITLE_SELLER_MISSING_EN                         \
    "Seller ID is missing"
#define NGX_HTTP_PASSPORT_MSG_TITLE_SELLER_MISSING_VI                         \
    "Thiếu mã định danh người bán"

#define NGX_HTTP_PASSPORT_MSG_TITLE_SELLER_ID_INVALID_EN                      \
    "Seller ID is not valid"
#define NGX_HTTP_PASSPORT_MSG_TITLE_SELLER_ID_INVALID_VI                      \
    "Mã định danh người bán không hợp lệ"

#define NGX_HTTP_PASSPORT_MSG_TITLE_CODE_MISSING_EN                           \
    "Trace code is missing"
#define NGX_HTTP_PASSPORT_MSG_TITLE_CODE_MISSING_VI                           \
    "Thiếu mã truy xuất nguồn gốc"

#define NGX_HTTP_PASSPORT_MSG_TITLE_CODE_INVALID_EN                           \
    "Trace code is not valid"
#define NGX_HTTP_PASSPORT_MSG_TITLE_CODE_INVALID_VI                           \
    "Mã truy xuất nguồn gốc không hợp lệ"

#define NGX_HTTP_PASSPORT_MSG_TITLE_CODE_EXPIRED_EN                           \
    "Product is past its expiry date"
#define NGX_HTTP_PASSPORT_MSG_TITLE_CODE_EXPIRED_VI                           \
    "Sản phẩm đã quá hạn sử dụng"

#define NGX_HTTP_PASSPORT_MSG_TITLE_ORIGIN_MISMATCH_EN                        \
    "Claimed origin does not match the product"
#define NGX_HTTP_PASSPORT_MSG_TITLE_ORIGIN_MISMATCH_VI                        \
    "Xuất xứ khai báo không khớp với sản phẩm"

#define NGX_HTTP_PASSPORT_MSG_TITLE_ORIGIN_INVALID_EN                         \
    "Claimed origin is not a country code"
#define NGX_HTTP_PASSPORT_MSG_TITLE_ORIGIN_INVALID_VI                         \
    "Xuất xứ khai báo không phải mã quốc gia"

#define NGX_HTTP_PASSPORT_MSG_TITLE_SELLER_NOT_REGISTERED_EN                  \
    "Seller is not in the traceability registry"
#define NGX_HTTP_PASSPORT_MSG_TITLE_SELLER_NOT_REGISTERED_VI                  \
    "Người bán chưa có trong cơ sở dữ liệu truy xuất nguồn gốc"

#define NGX_HTTP_PASSPORT_MSG_TITLE_SELLER_INACTIVE_EN                        \
    "Seller is not active in the registry"
#define NGX_HTTP_PASSPORT_MSG_TITLE_SELLER_INACTIVE_VI                        \
    "Người bán không còn hoạt động theo cơ sở dữ liệu"

#define NGX_HTTP_PASSPORT_MSG_TITLE_CODE_NOT_REGISTERED_EN                    \
    "Trace code is not in the traceability registry"
#define NGX_HTTP_PASSPORT_MSG_TITLE_CODE_NOT_REGISTERED_VI                    \
    "Mã truy xuất chưa có trong cơ sở dữ liệu truy xuất nguồn gốc"

#define NGX_HTTP_PASSPORT_MSG_TITLE_CODE_RECALLED_EN                          \
    "Product has been recalled"
#define NGX_HTTP_PASSPORT_MSG_TITLE_CODE_RECALLED_VI                          \
    "Sản phẩm đã bị thu hồi"

#define NGX_HTTP_PASSPORT_MSG_TITLE_CODE_REVOKED_EN                           \
    "Trace code has been revoked"
#define NGX_HTTP_PASSPORT_MSG_TITLE_CODE_REVOKED_VI                           \
    "Mã truy xuất đã bị thu hồi hiệu lực"

#define NGX_HTTP_PASSPORT_MSG_TITLE_CODE_OWNER_MISMATCH_EN                    \
    "Seller is not authorised to sell this product"
#define NGX_HTTP_PASSPORT_MSG_TITLE_CODE_OWNER_MISMATCH_VI                    \
    "Người bán không được phép bán sản phẩm này"

#define NGX_HTTP_PASSPORT_MSG_TITLE_REGISTRY_UNAVAILABLE_EN                   \
    "Traceability registry is unavailable"
#define NGX_HTTP_PASSPORT_MSG_TITLE_REGISTRY_UNAVAILABLE_VI                   \
    "Không kết nối được cơ sở dữ liệu truy xuất nguồn gốc"

#define NGX_HTTP_PASSPORT_MSG_TITLE_REGISTRY_BUSY_EN                          \
    "Too many checks at the moment, please try again shortly"
#define NGX_HTTP_PASSPORT_MSG_TITLE_REGISTRY_BUSY_VI                          \
    "Hệ thống đang kiểm tra quá nhiều tin đăng, vui lòng thử lại sau ít phút"


/*
 * The "detail" of a problem document with several errors
 * (passport_problem.c).
 */

/* SUMMARY: the number of errors (unsigned) */
#define NGX_HTTP_PASSPORT_MSG_SUMMARY_EN                                      \
    "%u problems were found, see errors"
#define NGX_HTTP_PASSPORT_MSG_SUMMARY_VI                                      \
    "Phát hiện %u vấn đề, xem chi tiết trong danh sách lỗi"


/*
 * Trace codes that fail to parse: the detail of CODE_INVALID, by
 * NGX_HTTP_PASSPORT_ID_* error (passport_explain.c).  A part of the code is
 * named in plain words first, its GS1 AI in brackets: one of the AI_*
 * below.  A position counts bytes from 1 (unsigned long).
 */

#define NGX_HTTP_PASSPORT_MSG_TRACE_VALID_EN                                  \
    "valid GS1 trace code"
#define NGX_HTTP_PASSPORT_MSG_TRACE_VALID_VI                                  \
    "mã truy xuất GS1 hợp lệ"

#define NGX_HTTP_PASSPORT_MSG_TRACE_EMPTY_EN                                  \
    "trace code is empty"
#define NGX_HTTP_PASSPORT_MSG_TRACE_EMPTY_VI                                  \
    "mã truy xuất đang để trống"

#define NGX_HTTP_PASSPORT_MSG_TRACE_SHAPE_EN                                  \
    "not a trace code: send a barcode number (GTIN) of 8, 12, 13 or 14 "      \
    "digits, a GS1 element string such as (01)08934673577038(10)A123, "       \
    "or a GS1 Digital Link URI"
#define NGX_HTTP_PASSPORT_MSG_TRACE_SHAPE_VI                                  \
    "không phải mã truy xuất: hãy gửi mã số mã vạch (GTIN) gồm 8, 12, 13 "    \
    "hoặc 14 chữ số, chuỗi dữ liệu GS1 như (01)08934673577038(10)A123, "      \
    "hoặc URI GS1 Digital Link"

/* TRACE_PATTERN: a passport_code_pattern (length, text), after TRACE_SHAPE */
#define NGX_HTTP_PASSPORT_MSG_TRACE_PATTERN_EN                                \
    "or a code of the form %.*s"
#define NGX_HTTP_PASSPORT_MSG_TRACE_PATTERN_VI                                \
    "hoặc mã có dạng %.*s"

/* TRACE_CHECK_DIGIT: the part (AI_*), check digit found, expected (int) */
#define NGX_HTTP_PASSPORT_MSG_TRACE_CHECK_DIGIT_EN                            \
    "check digit of the %s is %d, expected %d"
#define NGX_HTTP_PASSPORT_MSG_TRACE_CHECK_DIGIT_VI                            \
    "số kiểm tra của %s là %d, đúng ra phải là %d"

/* TRACE_UNKNOWN_AI: the AI, at most 4 digits */
#define NGX_HTTP_PASSPORT_MSG_TRACE_UNKNOWN_AI_EN                             \
    "unknown GS1 Application Identifier (AI %s)"
#define NGX_HTTP_PASSPORT_MSG_TRACE_UNKNOWN_AI_VI                             \
    "số phân định ứng dụng GS1 (AI %s) không xác định"

/* TRACE_AI_LENGTH: the part (AI_*) */
#define NGX_HTTP_PASSPORT_MSG_TRACE_AI_LENGTH_EN                              \
    "the %s has the wrong length"
#define NGX_HTTP_PASSPORT_MSG_TRACE_AI_LENGTH_VI                              \
    "%s có độ dài không đúng"

/* TRACE_AI_CHARSET: position, the part (AI_*) */
#define NGX_HTTP_PASSPORT_MSG_TRACE_AI_CHARSET_EN                             \
    "invalid character at position %lu in the %s"
#define NGX_HTTP_PASSPORT_MSG_TRACE_AI_CHARSET_VI                             \
    "ký tự không hợp lệ ở vị trí %lu trong %s"

/* TRACE_AI_DATE: the part (AI_*) */
#define NGX_HTTP_PASSPORT_MSG_TRACE_AI_DATE_EN                                \
    "the %s is not a valid date"
#define NGX_HTTP_PASSPORT_MSG_TRACE_AI_DATE_VI                                \
    "%s không phải là ngày hợp lệ"

/* TRACE_AI_COUNTRY: the part (AI_*) */
#define NGX_HTTP_PASSPORT_MSG_TRACE_AI_COUNTRY_EN                             \
    "the %s holds an unassigned ISO 3166 country code"
#define NGX_HTTP_PASSPORT_MSG_TRACE_AI_COUNTRY_VI                             \
    "%s chứa mã quốc gia ISO 3166 không tồn tại"

/* TRACE_AI_DUPLICATE: the part (AI_*) */
#define NGX_HTTP_PASSPORT_MSG_TRACE_AI_DUPLICATE_EN                           \
    "the %s appears twice with different values"
#define NGX_HTTP_PASSPORT_MSG_TRACE_AI_DUPLICATE_VI                           \
    "%s xuất hiện hai lần với giá trị khác nhau"

/* TRACE_AI_REPEATED: the part (AI_*) */
#define NGX_HTTP_PASSPORT_MSG_TRACE_AI_REPEATED_EN                            \
    "the %s appears more than once in the Digital Link"
#define NGX_HTTP_PASSPORT_MSG_TRACE_AI_REPEATED_VI                            \
    "%s xuất hiện nhiều lần trong Digital Link"

/* TRACE_AI_REQUIRES: the part (AI_*), the part it needs */
#define NGX_HTTP_PASSPORT_MSG_TRACE_AI_REQUIRES_EN                            \
    "the %s needs the %s"
#define NGX_HTTP_PASSPORT_MSG_TRACE_AI_REQUIRES_VI                            \
    "%s phải đi kèm %s"

/* TRACE_AI_EXCLUDES: the part (AI_*), the part it excludes */
#define NGX_HTTP_PASSPORT_MSG_TRACE_AI_EXCLUDES_EN                            \
    "the %s cannot be used together with the %s"
#define NGX_HTTP_PASSPORT_MSG_TRACE_AI_EXCLUDES_VI                            \
    "%s không được dùng cùng với %s"

#define NGX_HTTP_PASSPORT_MSG_TRACE_NO_KEY_EN                                 \
    "no barcode number (GTIN, AI 01) or other GS1 key"
#define NGX_HTTP_PASSPORT_MSG_TRACE_NO_KEY_VI                                 \
    "thiếu mã số mã vạch (GTIN, AI 01) hay khóa GS1 khác"

/* TRACE_DL_SYNTAX: position */
#define NGX_HTTP_PASSPORT_MSG_TRACE_DL_SYNTAX_EN                              \
    "malformed GS1 Digital Link URI at position %lu"
#define NGX_HTTP_PASSPORT_MSG_TRACE_DL_SYNTAX_VI                              \
    "URI GS1 Digital Link sai cú pháp ở vị trí %lu"

/* TRACE_PERCENT: position */
#define NGX_HTTP_PASSPORT_MSG_TRACE_PERCENT_EN                                \
    "malformed percent escape at position %lu"
#define NGX_HTTP_PASSPORT_MSG_TRACE_PERCENT_VI                                \
    "mã thoát phần trăm sai ở vị trí %lu"

#define NGX_HTTP_PASSPORT_MSG_TRACE_TOO_LONG_EN                               \
    "trace code is too long"
#define NGX_HTTP_PASSPORT_MSG_TRACE_TOO_LONG_VI                               \
    "mã truy xuất quá dài"

/* TRACE_OVERSIZE: the limit in bytes (unsigned long) */
#define NGX_HTTP_PASSPORT_MSG_TRACE_OVERSIZE_EN                               \
    "trace code is longer than %lu bytes"
#define NGX_HTTP_PASSPORT_MSG_TRACE_OVERSIZE_VI                               \
    "mã truy xuất dài hơn %lu byte"

#define NGX_HTTP_PASSPORT_MSG_TRACE_INVALID_EN                                \
    "invalid trace code"
#define NGX_HTTP_PASSPORT_MSG_TRACE_INVALID_VI                                \
    "mã truy xuất không hợp lệ"

/* The parts of a trace code, by GS1 AI (passport_explain.c). */

#define NGX_HTTP_PASSPORT_MSG_AI_00_EN                                        \
    "shipping container code (SSCC, AI 00)"
#define NGX_HTTP_PASSPORT_MSG_AI_00_VI                                        \
    "mã công-te-nơ vận chuyển (SSCC, AI 00)"

#define NGX_HTTP_PASSPORT_MSG_AI_01_EN                                        \
    "barcode number (GTIN, AI 01)"
#define NGX_HTTP_PASSPORT_MSG_AI_01_VI                                        \
    "mã số mã vạch (GTIN, AI 01)"

#define NGX_HTTP_PASSPORT_MSG_AI_10_EN                                        \
    "lot (AI 10)"
#define NGX_HTTP_PASSPORT_MSG_AI_10_VI                                        \
    "số lô (AI 10)"

#define NGX_HTTP_PASSPORT_MSG_AI_11_EN                                        \
    "production date (AI 11)"
#define NGX_HTTP_PASSPORT_MSG_AI_11_VI                                        \
    "ngày sản xuất (AI 11)"

#define NGX_HTTP_PASSPORT_MSG_AI_13_EN                                        \
    "packaging date (AI 13)"
#define NGX_HTTP_PASSPORT_MSG_AI_13_VI                                        \
    "ngày đóng gói (AI 13)"

#define NGX_HTTP_PASSPORT_MSG_AI_15_EN                                        \
    "best before date (AI 15)"
#define NGX_HTTP_PASSPORT_MSG_AI_15_VI                                        \
    "hạn dùng tốt nhất (AI 15)"

#define NGX_HTTP_PASSPORT_MSG_AI_17_EN                                        \
    "expiry date (AI 17)"
#define NGX_HTTP_PASSPORT_MSG_AI_17_VI                                        \
    "hạn sử dụng (AI 17)"

#define NGX_HTTP_PASSPORT_MSG_AI_21_EN                                        \
    "serial number (AI 21)"
#define NGX_HTTP_PASSPORT_MSG_AI_21_VI                                        \
    "số sê-ri (AI 21)"

#define NGX_HTTP_PASSPORT_MSG_AI_422_EN                                       \
    "country of origin (AI 422)"
#define NGX_HTTP_PASSPORT_MSG_AI_422_VI                                       \
    "nước xuất xứ (AI 422)"

/* AI_OTHER: any other AI, at most 4 digits */
#define NGX_HTTP_PASSPORT_MSG_AI_OTHER_EN                                     \
    "AI %s"
#define NGX_HTTP_PASSPORT_MSG_AI_OTHER_VI                                     \
    "trường AI %s"


/*
 * Seller IDs that fail to parse: the detail of SELLER_ID_INVALID, by
 * NGX_HTTP_PASSPORT_ID_* error and seller kind (passport_explain.c).
 */

/* SELLER_VALID: the kind, one of the KIND_* below */
#define NGX_HTTP_PASSPORT_MSG_SELLER_VALID_EN                                 \
    "%s is valid"
#define NGX_HTTP_PASSPORT_MSG_SELLER_VALID_VI                                 \
    "%s hợp lệ"

#define NGX_HTTP_PASSPORT_MSG_SELLER_EMPTY_EN                                 \
    "seller ID is empty"
#define NGX_HTTP_PASSPORT_MSG_SELLER_EMPTY_VI                                 \
    "mã định danh người bán đang để trống"

#define NGX_HTTP_PASSPORT_MSG_SELLER_SHAPE_EN                                 \
    "not a Vietnamese tax code, citizen ID or LEI"
#define NGX_HTTP_PASSPORT_MSG_SELLER_SHAPE_VI                                 \
    "không phải mã số thuế, số định danh cá nhân hay mã LEI"

#define NGX_HTTP_PASSPORT_MSG_SELLER_TAX_ZEROS_EN                             \
    "tax code digits 3 to 9 cannot all be zero"
#define NGX_HTTP_PASSPORT_MSG_SELLER_TAX_ZEROS_VI                             \
    "chữ số thứ 3 đến thứ 9 của mã số thuế không được đều bằng 0"

/* SELLER_TAX_CHECK_DIGIT: check digit found, expected (int) */
#define NGX_HTTP_PASSPORT_MSG_SELLER_TAX_CHECK_DIGIT_EN                       \
    "tax code check digit is %d, expected %d"
#define NGX_HTTP_PASSPORT_MSG_SELLER_TAX_CHECK_DIGIT_VI                       \
    "số kiểm tra của mã số thuế là %d, đúng ra phải là %d"

/* SELLER_LEI_CHECK_DIGIT: check digits found, expected (int) */
#define NGX_HTTP_PASSPORT_MSG_SELLER_LEI_CHECK_DIGIT_EN                       \
    "LEI check digits are %02d, expected %02d"
#define NGX_HTTP_PASSPORT_MSG_SELLER_LEI_CHECK_DIGIT_VI                       \
    "hai số kiểm tra của mã LEI là %02d, đúng ra phải là %02d"

#define NGX_HTTP_PASSPORT_MSG_SELLER_BRANCH_EN                                \
    "tax code branch suffix must be -001 to -999"
#define NGX_HTTP_PASSPORT_MSG_SELLER_BRANCH_VI                                \
    "mã đơn vị phụ thuộc của mã số thuế phải từ -001 đến -999"

/* SELLER_PROVINCE: province code (int) */
#define NGX_HTTP_PASSPORT_MSG_SELLER_PROVINCE_EN                              \
    "citizen ID province code %03d is not in use"
#define NGX_HTTP_PASSPORT_MSG_SELLER_PROVINCE_VI                              \
    "mã tỉnh %03d của số định danh cá nhân không tồn tại"

/* SELLER_CENTURY: the 4th digit (int) */
#define NGX_HTTP_PASSPORT_MSG_SELLER_CENTURY_EN                               \
    "citizen ID 4th digit %d means a birth year after 2099"
#define NGX_HTTP_PASSPORT_MSG_SELLER_CENTURY_VI                               \
    "chữ số thứ tư %d của số định danh cá nhân ứng với năm sinh sau 2099"

/* SELLER_NO_VALID_CODE: the ID, of which the first 9 characters show */
#define NGX_HTTP_PASSPORT_MSG_SELLER_NO_VALID_CODE_EN                         \
    "tax code prefix %.9s has no valid check digit"
#define NGX_HTTP_PASSPORT_MSG_SELLER_NO_VALID_CODE_VI                         \
    "tiền tố %.9s của mã số thuế không có số kiểm tra hợp lệ"

#define NGX_HTTP_PASSPORT_MSG_SELLER_TOO_LONG_EN                              \
    "seller ID is too long"
#define NGX_HTTP_PASSPORT_MSG_SELLER_TOO_LONG_VI                              \
    "mã định danh người bán quá dài"

/* SELLER_OVERSIZE: the limit in bytes (unsigned long) */
#define NGX_HTTP_PASSPORT_MSG_SELLER_OVERSIZE_EN                              \
    "seller ID is longer than %lu bytes"
#define NGX_HTTP_PASSPORT_MSG_SELLER_OVERSIZE_VI                              \
    "mã định danh người bán dài hơn %lu byte"

#define NGX_HTTP_PASSPORT_MSG_SELLER_INVALID_EN                               \
    "invalid seller ID"
#define NGX_HTTP_PASSPORT_MSG_SELLER_INVALID_VI                               \
    "mã định danh người bán không hợp lệ"

#define NGX_HTTP_PASSPORT_MSG_KIND_SELLER_EN                                  \
    "seller ID"
#define NGX_HTTP_PASSPORT_MSG_KIND_SELLER_VI                                  \
    "mã định danh người bán"

#define NGX_HTTP_PASSPORT_MSG_KIND_TAX_CODE_EN                                \
    "tax code"
#define NGX_HTTP_PASSPORT_MSG_KIND_TAX_CODE_VI                                \
    "mã số thuế"

#define NGX_HTTP_PASSPORT_MSG_KIND_CITIZEN_EN                                 \
    "citizen ID"
#define NGX_HTTP_PASSPORT_MSG_KIND_CITIZEN_VI                                 \
    "số định danh cá nhân"

#define NGX_HTTP_PASSPORT_MSG_KIND_LEI_EN                                     \
    "LEI"
#define NGX_HTTP_PASSPORT_MSG_KIND_LEI_VI                                     \
    "mã LEI"


/* Local rules on a parsed trace code (passport_verdict.c). */

/*
 * RULE_EXPIRED: expiry year, month, day, then today's year, month, day
 * (long)
 */
#define NGX_HTTP_PASSPORT_MSG_RULE_EXPIRED_EN                                 \
    "expiry date (AI 17) is %04ld-%02ld-%02ld, "                              \
    "before today %04ld-%02ld-%02ld"
#define NGX_HTTP_PASSPORT_MSG_RULE_EXPIRED_VI                                 \
    "hạn sử dụng (AI 17) là %04ld-%02ld-%02ld, "                              \
    "trước ngày hôm nay %04ld-%02ld-%02ld"

/* RULE_ORIGIN_CODE: claimed alpha-2 and numeric (int), then those of AI 422 */
#define NGX_HTTP_PASSPORT_MSG_RULE_ORIGIN_CODE_EN                             \
    "claimed origin %s (%03d) differs from the country "                      \
    "of origin %s (%03d) in the trace code (AI 422)"
#define NGX_HTTP_PASSPORT_MSG_RULE_ORIGIN_CODE_VI                             \
    "xuất xứ khai báo %s (%03d) khác với nước xuất "                          \
    "xứ %s (%03d) ghi trong mã truy xuất (AI 422)"


/* Registry cross-checks (passport_record.c). */

/* RULE_SELLER_NOT_REGISTERED: the ID (may be empty), then " " or "" after it */
#define NGX_HTTP_PASSPORT_MSG_RULE_SELLER_NOT_REGISTERED_EN                   \
    "seller %s%sis not registered in the traceability registry"
#define NGX_HTTP_PASSPORT_MSG_RULE_SELLER_NOT_REGISTERED_VI                   \
    "người bán %s%schưa có trong cơ sở dữ liệu truy xuất nguồn gốc"

/* RULE_SELLER_LEI_NOT_REGISTERED: the LEI (may be empty), then " " or "" */
#define NGX_HTTP_PASSPORT_MSG_RULE_SELLER_LEI_NOT_REGISTERED_EN               \
    "the LEI %s%sis not in the global LEI register (GLEIF)"
#define NGX_HTTP_PASSPORT_MSG_RULE_SELLER_LEI_NOT_REGISTERED_VI               \
    "mã LEI %s%skhông có trong sổ đăng ký LEI toàn cầu (GLEIF)"

/*
 * RULE_SELLER_INACTIVE: the ID, " " or "", the registry's status in the
 * language (ngx_http_passport_status_text(): a STATUS_* below)
 */
#define NGX_HTTP_PASSPORT_MSG_RULE_SELLER_INACTIVE_EN                         \
    "seller %s%sis %s in the registry"
#define NGX_HTTP_PASSPORT_MSG_RULE_SELLER_INACTIVE_VI                         \
    "người bán %s%sđang ở trạng thái %s trong cơ sở dữ liệu"

/*
 * RULE_SELLER_LEI_INACTIVE: the ID, " " or "", an LEI_ENTITY_* phrase, an
 * LEI_REG_* phrase (an LEI record of GLEIF that is not in force)
 */
#define NGX_HTTP_PASSPORT_MSG_RULE_SELLER_LEI_INACTIVE_EN                     \
    "seller %s%sis not in force in the global LEI system: %s, %s"
#define NGX_HTTP_PASSPORT_MSG_RULE_SELLER_LEI_INACTIVE_VI                     \
    "người bán %s%skhông còn hiệu lực trong hệ thống mã LEI toàn cầu: %s, %s"

#define NGX_HTTP_PASSPORT_MSG_LEI_ENTITY_ACTIVE_EN                            \
    "the legal entity is active"
#define NGX_HTTP_PASSPORT_MSG_LEI_ENTITY_ACTIVE_VI                            \
    "pháp nhân đang hoạt động"
#define NGX_HTTP_PASSPORT_MSG_LEI_ENTITY_INACTIVE_EN                          \
    "the legal entity is inactive"
#define NGX_HTTP_PASSPORT_MSG_LEI_ENTITY_INACTIVE_VI                          \
    "pháp nhân đã ngừng hoạt động"
/* LEI_ENTITY_OTHER: the status, lower case */
#define NGX_HTTP_PASSPORT_MSG_LEI_ENTITY_OTHER_EN                             \
    "the legal entity has the status %s"
#define NGX_HTTP_PASSPORT_MSG_LEI_ENTITY_OTHER_VI                             \
    "pháp nhân ở trạng thái %s"
#define NGX_HTTP_PASSPORT_MSG_LEI_REG_ISSUED_EN                               \
    "the LEI registration is current"
#define NGX_HTTP_PASSPORT_MSG_LEI_REG_ISSUED_VI                               \
    "mã LEI đang có hiệu lực"
#define NGX_HTTP_PASSPORT_MSG_LEI_REG_LAPSED_EN                               \
    "the LEI registration has lapsed"
#define NGX_HTTP_PASSPORT_MSG_LEI_REG_LAPSED_VI                               \
    "mã LEI đã quá hạn gia hạn"
#define NGX_HTTP_PASSPORT_MSG_LEI_REG_RETIRED_EN                              \
    "the LEI registration has been retired"
#define NGX_HTTP_PASSPORT_MSG_LEI_REG_RETIRED_VI                              \
    "mã LEI đã ngừng sử dụng"
#define NGX_HTTP_PASSPORT_MSG_LEI_REG_ANNULLED_EN                             \
    "the LEI registration has been annulled"
#define NGX_HTTP_PASSPORT_MSG_LEI_REG_ANNULLED_VI                             \
    "mã LEI đã bị hủy"
#define NGX_HTTP_PASSPORT_MSG_LEI_REG_MERGED_EN                               \
    "the LEI registration has been merged into another"
#define NGX_HTTP_PASSPORT_MSG_LEI_REG_MERGED_VI                               \
    "mã LEI đã được gộp vào một mã khác"
#define NGX_HTTP_PASSPORT_MSG_LEI_REG_DUPLICATE_EN                            \
    "the LEI registration is a duplicate of another"
#define NGX_HTTP_PASSPORT_MSG_LEI_REG_DUPLICATE_VI                            \
    "mã LEI trùng với một mã khác"
/* LEI_REG_OTHER: the status, lower case */
#define NGX_HTTP_PASSPORT_MSG_LEI_REG_OTHER_EN                                \
    "the LEI registration has the status %s"
#define NGX_HTTP_PASSPORT_MSG_LEI_REG_OTHER_VI                                \
    "mã LEI ở trạng thái %s"

#define NGX_HTTP_PASSPORT_MSG_RULE_CODE_NOT_REGISTERED_EN                     \
    "trace code is not registered in the traceability registry"
#define NGX_HTTP_PASSPORT_MSG_RULE_CODE_NOT_REGISTERED_VI                     \
    "mã truy xuất chưa có trong cơ sở dữ liệu truy xuất nguồn gốc"

#define NGX_HTTP_PASSPORT_MSG_RULE_CODE_RECALLED_EN                           \
    "the registry lists this product as recalled"
#define NGX_HTTP_PASSPORT_MSG_RULE_CODE_RECALLED_VI                           \
    "cơ sở dữ liệu ghi nhận sản phẩm này đã bị thu hồi"

#define NGX_HTTP_PASSPORT_MSG_RULE_CODE_REVOKED_EN                            \
    "the registry lists this trace code as revoked"
#define NGX_HTTP_PASSPORT_MSG_RULE_CODE_REVOKED_VI                            \
    "cơ sở dữ liệu ghi nhận mã truy xuất này đã bị thu hồi hiệu lực"

/* RULE_CODE_STATUS: the registry's status in the language (STATUS_*) */
#define NGX_HTTP_PASSPORT_MSG_RULE_CODE_STATUS_EN                             \
    "trace code is %s in the registry, not active"
#define NGX_HTTP_PASSPORT_MSG_RULE_CODE_STATUS_VI                             \
    "mã truy xuất đang ở trạng thái %s trong cơ sở dữ liệu "                  \
    "nên không còn hiệu lực"

/* RULE_CODE_OWNER: the seller, the code's owner */
#define NGX_HTTP_PASSPORT_MSG_RULE_CODE_OWNER_EN                              \
    "seller %s is neither the owner %s of this "                              \
    "code nor one of its authorized sellers"
#define NGX_HTTP_PASSPORT_MSG_RULE_CODE_OWNER_VI                              \
    "người bán %s không phải chủ sở hữu %s của mã này và "                    \
    "cũng không có trong danh sách người bán được ủy quyền"

/*
 * RULE_ORIGIN_REGISTRY: claimed alpha-2 and numeric (int), then the
 * registry's
 */
#define NGX_HTTP_PASSPORT_MSG_RULE_ORIGIN_REGISTRY_EN                         \
    "claimed origin %s (%03d) differs from the registry's origin %s (%03d)"
#define NGX_HTTP_PASSPORT_MSG_RULE_ORIGIN_REGISTRY_VI                         \
    "xuất xứ khai báo %s (%03d) khác với xuất xứ %s "                         \
    "(%03d) trong cơ sở dữ liệu truy xuất nguồn gốc"


/*
 * A registry status in words (ngx_http_passport_status_text(), in
 * passport_verdict.c).  Any other status is shown as sent in English and
 * as STATUS_OTHER in Vietnamese.
 */

#define NGX_HTTP_PASSPORT_MSG_STATUS_SUSPENDED_EN                             \
    "suspended"
#define NGX_HTTP_PASSPORT_MSG_STATUS_SUSPENDED_VI                             \
    "tạm ngừng hoạt động"

#define NGX_HTTP_PASSPORT_MSG_STATUS_DISSOLVED_EN                             \
    "dissolved"
#define NGX_HTTP_PASSPORT_MSG_STATUS_DISSOLVED_VI                             \
    "đã giải thể"

#define NGX_HTTP_PASSPORT_MSG_STATUS_INACTIVE_EN                              \
    "inactive"
#define NGX_HTTP_PASSPORT_MSG_STATUS_INACTIVE_VI                              \
    "không hoạt động"

#define NGX_HTTP_PASSPORT_MSG_STATUS_CLOSED_EN                                \
    "closed"
#define NGX_HTTP_PASSPORT_MSG_STATUS_CLOSED_VI                                \
    "đã đóng"

#define NGX_HTTP_PASSPORT_MSG_STATUS_TERMINATED_EN                            \
    "terminated"
#define NGX_HTTP_PASSPORT_MSG_STATUS_TERMINATED_VI                            \
    "đã chấm dứt hoạt động"

#define NGX_HTTP_PASSPORT_MSG_STATUS_BANKRUPT_EN                              \
    "bankrupt"
#define NGX_HTTP_PASSPORT_MSG_STATUS_BANKRUPT_VI                              \
    "đã phá sản"

#define NGX_HTTP_PASSPORT_MSG_STATUS_BLOCKED_EN                               \
    "blocked"
#define NGX_HTTP_PASSPORT_MSG_STATUS_BLOCKED_VI                               \
    "bị khóa"

#define NGX_HTTP_PASSPORT_MSG_STATUS_PENDING_EN                               \
    "pending"
#define NGX_HTTP_PASSPORT_MSG_STATUS_PENDING_VI                               \
    "đang chờ duyệt"

#define NGX_HTTP_PASSPORT_MSG_STATUS_EXPIRED_EN                               \
    "expired"
#define NGX_HTTP_PASSPORT_MSG_STATUS_EXPIRED_VI                               \
    "đã hết hạn"

#define NGX_HTTP_PASSPORT_MSG_STATUS_LAPSED_EN                                \
    "lapsed"
#define NGX_HTTP_PASSPORT_MSG_STATUS_LAPSED_VI                                \
    "quá hạn gia hạn"

#define NGX_HTTP_PASSPORT_MSG_STATUS_RETIRED_EN                               \
    "retired"
#define NGX_HTTP_PASSPORT_MSG_STATUS_RETIRED_VI                               \
    "đã ngừng sử dụng"

#define NGX_HTTP_PASSPORT_MSG_STATUS_WITHDRAWN_EN                             \
    "withdrawn"
#define NGX_HTTP_PASSPORT_MSG_STATUS_WITHDRAWN_VI                             \
    "đã bị rút"

#define NGX_HTTP_PASSPORT_MSG_STATUS_RECALLED_EN                              \
    "recalled"
#define NGX_HTTP_PASSPORT_MSG_STATUS_RECALLED_VI                              \
    "bị thu hồi"

#define NGX_HTTP_PASSPORT_MSG_STATUS_REVOKED_EN                               \
    "revoked"
#define NGX_HTTP_PASSPORT_MSG_STATUS_REVOKED_VI                               \
    "bị thu hồi hiệu lực"

#define NGX_HTTP_PASSPORT_MSG_STATUS_OTHER_EN                                 \
    "not active"
#define NGX_HTTP_PASSPORT_MSG_STATUS_OTHER_VI                                 \
    "không hoạt động"


/*
 * Checks of the request by the glue (ngx_http_passport_handler.c,
 * _extract.c).  A JSON type is one of the TYPE_* below, in the request's
 * language.
 */

#define NGX_HTTP_PASSPORT_MSG_REQ_NOT_JSON_EN                                 \
    "the Content-Type is not application/json or application/*+json"
#define NGX_HTTP_PASSPORT_MSG_REQ_NOT_JSON_VI                                 \
    "Content-Type không phải application/json hay application/*+json"

#define NGX_HTTP_PASSPORT_MSG_REQ_BODY_EMPTY_EN                               \
    "the request body is empty"
#define NGX_HTTP_PASSPORT_MSG_REQ_BODY_EMPTY_VI                               \
    "nội dung yêu cầu bị trống"

/*
 * REQ_JSON_SYNTAX: line, column (int), what is wrong (a JSON_ERR_* below,
 * in the language; the parser's own English message goes to the error
 * log only)
 */
#define NGX_HTTP_PASSPORT_MSG_REQ_JSON_SYNTAX_EN                              \
    "JSON syntax error at line %d, column %d: %s"
#define NGX_HTTP_PASSPORT_MSG_REQ_JSON_SYNTAX_VI                              \
    "lỗi cú pháp JSON tại dòng %d, cột %d: %s"

#define NGX_HTTP_PASSPORT_MSG_JSON_ERR_SYNTAX_EN                              \
    "unexpected character"
#define NGX_HTTP_PASSPORT_MSG_JSON_ERR_SYNTAX_VI                              \
    "ký tự không đúng chỗ"

#define NGX_HTTP_PASSPORT_MSG_JSON_ERR_UTF8_EN                                \
    "the text is not valid UTF-8"
#define NGX_HTTP_PASSPORT_MSG_JSON_ERR_UTF8_VI                                \
    "văn bản không đúng mã hóa UTF-8"

#define NGX_HTTP_PASSPORT_MSG_JSON_ERR_DUPLICATE_EN                           \
    "duplicate key in an object"
#define NGX_HTTP_PASSPORT_MSG_JSON_ERR_DUPLICATE_VI                           \
    "một khóa xuất hiện hai lần trong cùng đối tượng"

#define NGX_HTTP_PASSPORT_MSG_JSON_ERR_DEPTH_EN                               \
    "nesting depth over the limit"
#define NGX_HTTP_PASSPORT_MSG_JSON_ERR_DEPTH_VI                               \
    "lồng nhau quá nhiều cấp"

#define NGX_HTTP_PASSPORT_MSG_JSON_ERR_END_EN                                 \
    "the document ends too early"
#define NGX_HTTP_PASSPORT_MSG_JSON_ERR_END_VI                                 \
    "tài liệu kết thúc quá sớm"

#define NGX_HTTP_PASSPORT_MSG_JSON_ERR_TRAILING_EN                            \
    "more data after the end of the document"
#define NGX_HTTP_PASSPORT_MSG_JSON_ERR_TRAILING_VI                            \
    "còn dữ liệu sau khi tài liệu đã kết thúc"

#define NGX_HTTP_PASSPORT_MSG_JSON_ERR_NUMBER_EN                              \
    "invalid number"
#define NGX_HTTP_PASSPORT_MSG_JSON_ERR_NUMBER_VI                              \
    "số không hợp lệ"

#define NGX_HTTP_PASSPORT_MSG_JSON_ERR_OTHER_EN                               \
    "invalid JSON"
#define NGX_HTTP_PASSPORT_MSG_JSON_ERR_OTHER_VI                               \
    "JSON không hợp lệ"

/* REQ_NOT_ARRAY: JSON type */
#define NGX_HTTP_PASSPORT_MSG_REQ_NOT_ARRAY_EN                                \
    "expected a JSON array, found %s"
#define NGX_HTTP_PASSPORT_MSG_REQ_NOT_ARRAY_VI                                \
    "cần một mảng JSON, nhận được %s"

/* REQ_NOT_OBJECT: JSON type */
#define NGX_HTTP_PASSPORT_MSG_REQ_NOT_OBJECT_EN                               \
    "expected a JSON object, found %s"
#define NGX_HTTP_PASSPORT_MSG_REQ_NOT_OBJECT_VI                               \
    "cần một đối tượng JSON, nhận được %s"

/* REQ_BODY_TOO_COMPLEX: values allowed (size_t) */
#define NGX_HTTP_PASSPORT_MSG_REQ_BODY_TOO_COMPLEX_EN                         \
    "the JSON document holds more than %zu values (objects, arrays, "       \
    "strings, numbers, true, false, null)"
#define NGX_HTTP_PASSPORT_MSG_REQ_BODY_TOO_COMPLEX_VI                         \
    "tài liệu JSON có hơn %zu giá trị (đối tượng, mảng, chuỗi, số, true, "  \
    "false, null)"

#define NGX_HTTP_PASSPORT_MSG_REQ_NO_SELLER_EN                                \
    "the listing has no seller ID"
#define NGX_HTTP_PASSPORT_MSG_REQ_NO_SELLER_VI                                \
    "tin đăng không có mã người bán"

#define NGX_HTTP_PASSPORT_MSG_REQ_NO_ITEMS_EN                                 \
    "the listing has no items"
#define NGX_HTTP_PASSPORT_MSG_REQ_NO_ITEMS_VI                                 \
    "tin đăng không có sản phẩm nào"

/* REQ_ITEMS_NOT_ARRAY: JSON type */
#define NGX_HTTP_PASSPORT_MSG_REQ_ITEMS_NOT_ARRAY_EN                          \
    "expected an array of items, found %s"
#define NGX_HTTP_PASSPORT_MSG_REQ_ITEMS_NOT_ARRAY_VI                          \
    "cần một mảng sản phẩm, nhận được %s"

/* REQ_TOO_MANY_ITEMS: items sent, items allowed (size_t) */
#define NGX_HTTP_PASSPORT_MSG_REQ_TOO_MANY_ITEMS_EN                           \
    "%zu items, at most %zu are allowed"
#define NGX_HTTP_PASSPORT_MSG_REQ_TOO_MANY_ITEMS_VI                           \
    "%zu sản phẩm, tối đa cho phép %zu"

#define NGX_HTTP_PASSPORT_MSG_REQ_ITEMS_EMPTY_EN                              \
    "the list of items is empty"
#define NGX_HTTP_PASSPORT_MSG_REQ_ITEMS_EMPTY_VI                              \
    "danh sách sản phẩm trống"

/* REQ_SELLER_NOT_STRING: JSON type */
#define NGX_HTTP_PASSPORT_MSG_REQ_SELLER_NOT_STRING_EN                        \
    "the seller ID must be a JSON string, found %s"
#define NGX_HTTP_PASSPORT_MSG_REQ_SELLER_NOT_STRING_VI                        \
    "mã người bán phải là chuỗi JSON, nhận được %s"

#define NGX_HTTP_PASSPORT_MSG_REQ_ITEM_NO_SELLER_EN                           \
    "the item has no seller ID and the listing has none either"
#define NGX_HTTP_PASSPORT_MSG_REQ_ITEM_NO_SELLER_VI                           \
    "sản phẩm không có mã người bán và tin đăng cũng không có"

#define NGX_HTTP_PASSPORT_MSG_REQ_ITEM_NO_CODE_EN                             \
    "the item has no trace code"
#define NGX_HTTP_PASSPORT_MSG_REQ_ITEM_NO_CODE_VI                             \
    "sản phẩm không có mã truy xuất"

/* REQ_ITEM_NOT_OBJECT: JSON type */
#define NGX_HTTP_PASSPORT_MSG_REQ_ITEM_NOT_OBJECT_EN                          \
    "the item is a JSON %s, not an object"
#define NGX_HTTP_PASSPORT_MSG_REQ_ITEM_NOT_OBJECT_VI                          \
    "sản phẩm là %s JSON, không phải đối tượng"

/* REQ_CODE_NOT_STRING: JSON type */
#define NGX_HTTP_PASSPORT_MSG_REQ_CODE_NOT_STRING_EN                          \
    "the trace code must be a JSON string, found %s"
#define NGX_HTTP_PASSPORT_MSG_REQ_CODE_NOT_STRING_VI                          \
    "mã truy xuất phải là chuỗi JSON, nhận được %s"

#define NGX_HTTP_PASSPORT_MSG_REQ_ORIGIN_NOT_COUNTRY_EN                       \
    "the claimed origin is not an ISO 3166-1 country code: use two "          \
    "letters such as VN or three digits such as 704"
#define NGX_HTTP_PASSPORT_MSG_REQ_ORIGIN_NOT_COUNTRY_VI                       \
    "xuất xứ khai báo không phải mã quốc gia ISO 3166-1: hãy dùng hai "       \
    "chữ cái như VN hoặc ba chữ số như 704"

#define NGX_HTTP_PASSPORT_MSG_TYPE_OBJECT_EN                                  \
    "object"
#define NGX_HTTP_PASSPORT_MSG_TYPE_OBJECT_VI                                  \
    "đối tượng"

#define NGX_HTTP_PASSPORT_MSG_TYPE_ARRAY_EN                                   \
    "array"
#define NGX_HTTP_PASSPORT_MSG_TYPE_ARRAY_VI                                   \
    "mảng"

#define NGX_HTTP_PASSPORT_MSG_TYPE_STRING_EN                                  \
    "string"
#define NGX_HTTP_PASSPORT_MSG_TYPE_STRING_VI                                  \
    "chuỗi"

#define NGX_HTTP_PASSPORT_MSG_TYPE_NUMBER_EN                                  \
    "number"
#define NGX_HTTP_PASSPORT_MSG_TYPE_NUMBER_VI                                  \
    "số"

#define NGX_HTTP_PASSPORT_MSG_TYPE_BOOLEAN_EN                                 \
    "boolean"
#define NGX_HTTP_PASSPORT_MSG_TYPE_BOOLEAN_VI                                 \
    "giá trị logic"

#define NGX_HTTP_PASSPORT_MSG_TYPE_NULL_EN                                    \
    "null"
#define NGX_HTTP_PASSPORT_MSG_TYPE_NULL_VI                                    \
    "null"


/*
 * A lookup the registry could not answer: the detail of REGISTRY_UNAVAILABLE
 * (ngx_http_passport_registry_rules(), passport_verdict.c).  The cause is
 * never shown: it is in the error log.
 */

/* REGISTRY_UNREACHABLE: LOOKUP_SELLER or LOOKUP_CODE, seconds (unsigned) */
#define NGX_HTTP_PASSPORT_MSG_REGISTRY_UNREACHABLE_EN                         \
    "the traceability registry could not be reached to confirm this %s; "     \
    "send the listing again in %u seconds"
#define NGX_HTTP_PASSPORT_MSG_REGISTRY_UNREACHABLE_VI                         \
    "không kết nối được cơ sở dữ liệu truy xuất nguồn gốc để xác nhận %s "    \
    "này; hãy gửi lại tin đăng sau %u giây"

/* REGISTRY_BAD_ANSWER: LOOKUP_SELLER or LOOKUP_CODE, seconds (unsigned) */
#define NGX_HTTP_PASSPORT_MSG_REGISTRY_BAD_ANSWER_EN                          \
    "the traceability registry gave an answer that could not be used to "     \
    "confirm this %s; send the listing again in %u seconds"
#define NGX_HTTP_PASSPORT_MSG_REGISTRY_BAD_ANSWER_VI                          \
    "cơ sở dữ liệu truy xuất nguồn gốc trả lời không dùng được để xác nhận "  \
    "%s này; hãy gửi lại tin đăng sau %u giây"

/*
 * REGISTRY_NOT_ASKED: LOOKUP_SELLER or LOOKUP_CODE; the detail of
 * REGISTRY_BUSY (the marketplace had too many lookups at once).
 */
#define NGX_HTTP_PASSPORT_MSG_REGISTRY_NOT_ASKED_EN                           \
    "this %s could not be checked yet: too many checks at the moment"
#define NGX_HTTP_PASSPORT_MSG_REGISTRY_NOT_ASKED_VI                           \
    "chưa kiểm tra được %s này: hệ thống đang kiểm tra quá nhiều tin đăng"

#define NGX_HTTP_PASSPORT_MSG_LOOKUP_SELLER_EN                                \
    "seller"
#define NGX_HTTP_PASSPORT_MSG_LOOKUP_SELLER_VI                                \
    "người bán"

#define NGX_HTTP_PASSPORT_MSG_LOOKUP_CODE_EN                                  \
    "code"
#define NGX_HTTP_PASSPORT_MSG_LOOKUP_CODE_VI                                  \
    "mã"


/*
 * English only, never shown to a seller.  Causes of a failed registry
 * lookup: in the error log (the seller reads REGISTRY_UNREACHABLE or
 * REGISTRY_BAD_ANSWER).  From the
 * registry's answer (passport_record.c); a key is a member name, a value is
 * shown as printable ASCII, cut.
 */

/* CAUSE_HTTP_STATUS: the HTTP status (long) */
#define NGX_HTTP_PASSPORT_MSG_CAUSE_HTTP_STATUS_EN                            \
    "unexpected HTTP status %ld"

/* CAUSE_NOT_JSON: the parser's message */
#define NGX_HTTP_PASSPORT_MSG_CAUSE_NOT_JSON_EN                               \
    "response is not JSON: %s"

#define NGX_HTTP_PASSPORT_MSG_CAUSE_NOT_OBJECT_EN                             \
    "response is not a JSON object"

/* CAUSE_NO_STRING: key */
#define NGX_HTTP_PASSPORT_MSG_CAUSE_NO_STRING_EN                              \
    "record has no \"%s\" string"

/* CAUSE_EMPTY: key */
#define NGX_HTTP_PASSPORT_MSG_CAUSE_EMPTY_EN                                  \
    "record has an empty \"%s\""

/* CAUSE_TOO_LONG: key, length (unsigned long) */
#define NGX_HTTP_PASSPORT_MSG_CAUSE_TOO_LONG_EN                               \
    "record \"%s\" is too long (%lu bytes)"

/* CAUSE_INVALID: key, value */
#define NGX_HTTP_PASSPORT_MSG_CAUSE_INVALID_EN                                \
    "record has an invalid \"%s\" \"%s\""

/* CAUSE_OTHER_ID: the value, the asked one */
#define NGX_HTTP_PASSPORT_MSG_CAUSE_OTHER_ID_EN                               \
    "record is for \"%s\", not the asked \"%s\""

/* CAUSE_NOT_STRING: key */
#define NGX_HTTP_PASSPORT_MSG_CAUSE_NOT_STRING_EN                             \
    "record \"%s\" is not a string"

/* CAUSE_NOT_ARRAY: key */
#define NGX_HTTP_PASSPORT_MSG_CAUSE_NOT_ARRAY_EN                              \
    "record \"%s\" is not an array"

/* CAUSE_ITEM_NOT_STRING: key, index (unsigned long) */
#define NGX_HTTP_PASSPORT_MSG_CAUSE_ITEM_NOT_STRING_EN                        \
    "record \"%s\" item %lu is not a string"

#define NGX_HTTP_PASSPORT_MSG_CAUSE_NO_ORIGIN_EN                              \
    "record has no \"origin\""

#define NGX_HTTP_PASSPORT_MSG_CAUSE_ORIGIN_NOT_CODE_EN                        \
    "record \"origin\" is not a country code"

/* CAUSE_ORIGIN_UNKNOWN: value */
#define NGX_HTTP_PASSPORT_MSG_CAUSE_ORIGIN_UNKNOWN_EN                         \
    "record has an unknown \"origin\" \"%s\""

/* CAUSE_ORIGIN_NUMBER: value (long long) */
#define NGX_HTTP_PASSPORT_MSG_CAUSE_ORIGIN_NUMBER_EN                          \
    "record has an unknown \"origin\" %lld"


/*
 * English only, never shown to a seller.  Causes found by the glue
 * (ngx_http_passport_lookup.c, _registry.c, _curl.c).
 */

#define NGX_HTTP_PASSPORT_MSG_CAUSE_CLIENT_DOWN_EN                            \
    "the registry client is not running"

#define NGX_HTTP_PASSPORT_MSG_CAUSE_BREAKER_OPEN_EN                           \
    "the registry keeps failing, not contacted"

#define NGX_HTTP_PASSPORT_MSG_CAUSE_NOT_STARTED_EN                            \
    "the lookup could not be started"

#define NGX_HTTP_PASSPORT_MSG_CAUSE_BODY_TOO_LARGE_EN                         \
    "response body larger than 65536 bytes"

#define NGX_HTTP_PASSPORT_MSG_CAUSE_NO_CONNECTION_EN                          \
    "no free worker_connections for the connection"

#define NGX_HTTP_PASSPORT_MSG_CAUSE_CACHE_UNREADABLE_EN                       \
    "the cached record is unreadable"


/*
 * English only.  Answers of passport_cache_purge, the "error" of a 400
 * (ngx_http_passport_purge.c).  No %: safe in an ngx_sprintf() format.
 */

#define NGX_HTTP_PASSPORT_MSG_PURGE_USAGE_EN                                  \
    "entity=ID or code=CODE is expected"

#define NGX_HTTP_PASSPORT_MSG_PURGE_BAD_SELLER_EN                             \
    "not a valid seller ID"

#define NGX_HTTP_PASSPORT_MSG_PURGE_BAD_CODE_EN                               \
    "not a valid trace code"


/*
 * English only.  Answers of passport_reports, the "title" of a 400
 * (ngx_http_passport_report_query_args.c; its "detail" names the
 * parameter).  No %: safe in an ngx_sprintf() format.
 */

#define NGX_HTTP_PASSPORT_MSG_QUERY_TITLE_EN                                  \
    "Bad Request"


/*
 * English only.  Answers of passport_report_receive to a node's push, the
 * "title" and "detail" of its problem documents, read by the operators of
 * the nodes (ngx_http_passport_report_receive.c).  No %.
 */

#define NGX_HTTP_PASSPORT_MSG_RECEIVE_TITLE_EN                                \
    "Report push refused"

#define NGX_HTTP_PASSPORT_MSG_RECEIVE_METHOD_EN                               \
    "only POST is accepted here"

#define NGX_HTTP_PASSPORT_MSG_RECEIVE_TYPE_EN                                 \
    "the body must be application/x-ndjson"

#define NGX_HTTP_PASSPORT_MSG_RECEIVE_TOO_LARGE_EN                            \
    "the push is larger than this receiver accepts; send fewer records "    \
    "a push (batch=)"

#define NGX_HTTP_PASSPORT_MSG_RECEIVE_TOKEN_EN                                \
    "a bearer token of a registered node is needed"

#define NGX_HTTP_PASSPORT_MSG_RECEIVE_TOKEN_NODE_EN                           \
    "the token is not the token of the node that wrote the record"

#define NGX_HTTP_PASSPORT_MSG_RECEIVE_EMPTY_EN                                \
    "the push holds no record"

#define NGX_HTTP_PASSPORT_MSG_RECEIVE_LINE_EN                                 \
    "the line is not a report record"

#define NGX_HTTP_PASSPORT_MSG_RECEIVE_EDITED_EN                               \
    "the record's hash does not match its contents"

#define NGX_HTTP_PASSPORT_MSG_RECEIVE_NODE_NAME_EN                            \
    "the node's name is not accepted here: letters, digits, dot, dash "     \
    "and underscore only"

#define NGX_HTTP_PASSPORT_MSG_RECEIVE_NODES_EN                                \
    "the records of one push must all come from one node"

#define NGX_HTTP_PASSPORT_MSG_RECEIVE_UNKNOWN_NODE_EN                         \
    "no public key is registered for this node"

#define NGX_HTTP_PASSPORT_MSG_RECEIVE_UNKNOWN_KEY_EN                          \
    "the record names a key that is not registered for its node"

#define NGX_HTTP_PASSPORT_MSG_RECEIVE_SIGNATURE_EN                            \
    "the record's signature does not verify with the node's key"

#define NGX_HTTP_PASSPORT_MSG_RECEIVE_ORDER_EN                                \
    "the records of the push do not follow each other in the chain"

#define NGX_HTTP_PASSPORT_MSG_RECEIVE_FORK_EN                                 \
    "a record with this seq is already stored with another hash: the "      \
    "node's chain forked; nothing of the push was stored"

#define NGX_HTTP_PASSPORT_MSG_RECEIVE_GAP_EN                                  \
    "records are missing before the push; send them first"

#define NGX_HTTP_PASSPORT_MSG_RECEIVE_STORE_EN                                \
    "the records could not be stored; try again later"

#define NGX_HTTP_PASSPORT_MSG_RECEIVE_DAMAGED_EN                              \
    "the node's stored chain does not pass the check; the regulator must "  \
    "look at it"


/*
 * English only.  The "detail" of the RECOVERY, ROTATION and SEGMENT
 * records of the report log, read by regulators
 * (ngx_http_passport_report_log.c).
 */

#define NGX_HTTP_PASSPORT_MSG_NOTE_CUT_LINE_EN                                \
    "the last line of the log was cut (a "                                    \
    "crash?) and is not part of the chain"

#define NGX_HTTP_PASSPORT_MSG_NOTE_PARTIAL_WRITE_EN                           \
    "a line could not be written whole and is not part of the chain"

#define NGX_HTTP_PASSPORT_MSG_NOTE_REOPENED_EN                                \
    "the log was reopened; the chain goes on here"

#define NGX_HTTP_PASSPORT_MSG_NOTE_UNTRUSTED_EN                               \
    "the lines before this record did not pass the check at start "         \
    "(signature, link or form) and are not part of the chain"

#define NGX_HTTP_PASSPORT_MSG_NOTE_SEQ_LIMIT_EN                               \
    "the chain reached the greatest seq; a new chain starts here"


/* Every entry with both languages, in the order above. */
#define NGX_HTTP_PASSPORT_CATALOG(X)                                          \
    X(TITLE_BODY_NOT_JSON)                                                    \
    X(TITLE_BODY_MALFORMED)                                                   \
    X(TITLE_BODY_TOO_COMPLEX)                                                 \
    X(TITLE_TOO_MANY_ITEMS)                                                   \
    X(TITLE_SELLER_MISSING)                                                   \
    X(TITLE_SELLER_ID_INVALID)                                                \
    X(TITLE_CODE_MISSING)                                                     \
    X(TITLE_CODE_INVALID)                                                     \
    X(TITLE_CODE_EXPIRED)                                                     \
    X(TITLE_ORIGIN_MISMATCH)                                                  \
    X(TITLE_ORIGIN_INVALID)                                                   \
    X(TITLE_SELLER_NOT_REGISTERED)                                            \
    X(TITLE_SELLER_INACTIVE)                                                  \
    X(TITLE_CODE_NOT_REGISTERED)                                              \
    X(TITLE_CODE_RECALLED)                                                    \
    X(TITLE_CODE_REVOKED)                                                     \
    X(TITLE_CODE_OWNER_MISMATCH)                                              \
    X(TITLE_REGISTRY_UNAVAILABLE)                                             \
    X(TITLE_REGISTRY_BUSY)                                                    \
    X(SUMMARY)                                                                \
    X(TRACE_VALID)                                                            \
    X(TRACE_EMPTY)                                                            \
    X(TRACE_SHAPE)                                                            \
    X(TRACE_PATTERN)                                                          \
    X(TRACE_CHECK_DIGIT)                                                      \
    X(TRACE_UNKNOWN_AI)                                                       \
    X(TRACE_AI_LENGTH)                                                        \
    X(TRACE_AI_CHARSET)                                                       \
    X(TRACE_AI_DATE)                                                          \
    X(TRACE_AI_COUNTRY)                                                       \
    X(TRACE_AI_DUPLICATE)                                                     \
    X(TRACE_AI_REPEATED)                                                      \
    X(TRACE_AI_REQUIRES)                                                      \
    X(TRACE_AI_EXCLUDES)                                                      \
    X(TRACE_NO_KEY)                                                           \
    X(TRACE_DL_SYNTAX)                                                        \
    X(TRACE_PERCENT)                                                          \
    X(TRACE_TOO_LONG)                                                         \
    X(TRACE_OVERSIZE)                                                         \
    X(TRACE_INVALID)                                                          \
    X(AI_00)                                                                  \
    X(AI_01)                                                                  \
    X(AI_10)                                                                  \
    X(AI_11)                                                                  \
    X(AI_13)                                                                  \
    X(AI_15)                                                                  \
    X(AI_17)                                                                  \
    X(AI_21)                                                                  \
    X(AI_422)                                                                 \
    X(AI_OTHER)                                                               \
    X(SELLER_VALID)                                                           \
    X(SELLER_EMPTY)                                                           \
    X(SELLER_SHAPE)                                                           \
    X(SELLER_TAX_ZEROS)                                                       \
    X(SELLER_TAX_CHECK_DIGIT)                                                 \
    X(SELLER_LEI_CHECK_DIGIT)                                                 \
    X(SELLER_BRANCH)                                                          \
    X(SELLER_PROVINCE)                                                        \
    X(SELLER_CENTURY)                                                         \
    X(SELLER_NO_VALID_CODE)                                                   \
    X(SELLER_TOO_LONG)                                                        \
    X(SELLER_OVERSIZE)                                                        \
    X(SELLER_INVALID)                                                         \
    X(KIND_SELLER)                                                            \
    X(KIND_TAX_CODE)                                                          \
    X(KIND_CITIZEN)                                                           \
    X(KIND_LEI)                                                               \
    X(RULE_EXPIRED)                                                           \
    X(RULE_ORIGIN_CODE)                                                       \
    X(RULE_SELLER_NOT_REGISTERED)                                             \
    X(RULE_SELLER_LEI_NOT_REGISTERED)                                         \
    X(RULE_SELLER_INACTIVE)                                                   \
    X(RULE_SELLER_LEI_INACTIVE)                                               \
    X(LEI_ENTITY_ACTIVE)                                                      \
    X(LEI_ENTITY_INACTIVE)                                                    \
    X(LEI_ENTITY_OTHER)                                                       \
    X(LEI_REG_ISSUED)                                                         \
    X(LEI_REG_LAPSED)                                                         \
    X(LEI_REG_RETIRED)                                                        \
    X(LEI_REG_ANNULLED)                                                       \
    X(LEI_REG_MERGED)                                                         \
    X(LEI_REG_DUPLICATE)                                                      \
    X(LEI_REG_OTHER)                                                          \
    X(RULE_CODE_NOT_REGISTERED)                                               \
    X(RULE_CODE_RECALLED)                                                     \
    X(RULE_CODE_REVOKED)                                                      \
    X(RULE_CODE_STATUS)                                                       \
    X(RULE_CODE_OWNER)                                                        \
    X(RULE_ORIGIN_REGISTRY)                                                   \
    X(STATUS_SUSPENDED)                                                       \
    X(STATUS_DISSOLVED)                                                       \
    X(STATUS_INACTIVE)                                                        \
    X(STATUS_CLOSED)                                                          \
    X(STATUS_TERMINATED)                                                      \
    X(STATUS_BANKRUPT)                                                        \
    X(STATUS_BLOCKED)                                                         \
    X(STATUS_PENDING)                                                         \
    X(STATUS_EXPIRED)                                                         \
    X(STATUS_LAPSED)                                                          \
    X(STATUS_RETIRED)                                                         \
    X(STATUS_WITHDRAWN)                                                       \
    X(STATUS_RECALLED)                                                        \
    X(STATUS_REVOKED)                                                         \
    X(STATUS_OTHER)                                                           \
    X(REQ_NOT_JSON)                                                           \
    X(REQ_BODY_EMPTY)                                                         \
    X(REQ_JSON_SYNTAX)                                                        \
    X(JSON_ERR_SYNTAX)                                                        \
    X(JSON_ERR_UTF8)                                                          \
    X(JSON_ERR_DUPLICATE)                                                     \
    X(JSON_ERR_DEPTH)                                                         \
    X(JSON_ERR_END)                                                           \
    X(JSON_ERR_TRAILING)                                                      \
    X(JSON_ERR_NUMBER)                                                        \
    X(JSON_ERR_OTHER)                                                         \
    X(REQ_NOT_ARRAY)                                                          \
    X(REQ_NOT_OBJECT)                                                         \
    X(REQ_BODY_TOO_COMPLEX)                                                   \
    X(REQ_NO_SELLER)                                                          \
    X(REQ_NO_ITEMS)                                                           \
    X(REQ_ITEMS_NOT_ARRAY)                                                    \
    X(REQ_TOO_MANY_ITEMS)                                                     \
    X(REQ_ITEMS_EMPTY)                                                        \
    X(REQ_SELLER_NOT_STRING)                                                  \
    X(REQ_ITEM_NO_SELLER)                                                     \
    X(REQ_ITEM_NO_CODE)                                                       \
    X(REQ_ITEM_NOT_OBJECT)                                                    \
    X(REQ_CODE_NOT_STRING)                                                    \
    X(REQ_ORIGIN_NOT_COUNTRY)                                                 \
    X(TYPE_OBJECT)                                                            \
    X(TYPE_ARRAY)                                                             \
    X(TYPE_STRING)                                                            \
    X(TYPE_NUMBER)                                                            \
    X(TYPE_BOOLEAN)                                                           \
    X(TYPE_NULL)                                                              \
    X(REGISTRY_UNREACHABLE)                                                   \
    X(REGISTRY_BAD_ANSWER)                                                    \
    X(REGISTRY_NOT_ASKED)                                                     \
    X(LOOKUP_SELLER)                                                          \
    X(LOOKUP_CODE)

/*
 * The entries in English only: operators, regulators and the error log
 * read them, a seller never does.
 */
#define NGX_HTTP_PASSPORT_CATALOG_EN_ONLY(X)                                  \
    X(CAUSE_HTTP_STATUS)                                                      \
    X(CAUSE_NOT_JSON)                                                         \
    X(CAUSE_NOT_OBJECT)                                                       \
    X(CAUSE_NO_STRING)                                                        \
    X(CAUSE_EMPTY)                                                            \
    X(CAUSE_TOO_LONG)                                                         \
    X(CAUSE_INVALID)                                                          \
    X(CAUSE_OTHER_ID)                                                         \
    X(CAUSE_NOT_STRING)                                                       \
    X(CAUSE_NOT_ARRAY)                                                        \
    X(CAUSE_ITEM_NOT_STRING)                                                  \
    X(CAUSE_NO_ORIGIN)                                                        \
    X(CAUSE_ORIGIN_NOT_CODE)                                                  \
    X(CAUSE_ORIGIN_UNKNOWN)                                                   \
    X(CAUSE_ORIGIN_NUMBER)                                                    \
    X(CAUSE_CLIENT_DOWN)                                                      \
    X(CAUSE_BREAKER_OPEN)                                                     \
    X(CAUSE_NOT_STARTED)                                                      \
    X(CAUSE_BODY_TOO_LARGE)                                                   \
    X(CAUSE_NO_CONNECTION)                                                    \
    X(CAUSE_CACHE_UNREADABLE)                                                 \
    X(PURGE_USAGE)                                                            \
    X(PURGE_BAD_SELLER)                                                       \
    X(PURGE_BAD_CODE)                                                         \
    X(QUERY_TITLE)                                                            \
    X(NOTE_CUT_LINE)                                                          \
    X(NOTE_PARTIAL_WRITE)                                                     \
    X(NOTE_REOPENED)                                                          \
    X(NOTE_UNTRUSTED)                                                         \
    X(NOTE_SEQ_LIMIT)                                                         \
    X(RECEIVE_TITLE)                                                          \
    X(RECEIVE_METHOD)                                                         \
    X(RECEIVE_TYPE)                                                           \
    X(RECEIVE_TOO_LARGE)                                                      \
    X(RECEIVE_TOKEN)                                                          \
    X(RECEIVE_TOKEN_NODE)                                                     \
    X(RECEIVE_EMPTY)                                                          \
    X(RECEIVE_LINE)                                                           \
    X(RECEIVE_EDITED)                                                         \
    X(RECEIVE_NODE_NAME)                                                      \
    X(RECEIVE_NODES)                                                          \
    X(RECEIVE_UNKNOWN_NODE)                                                   \
    X(RECEIVE_UNKNOWN_KEY)                                                    \
    X(RECEIVE_SIGNATURE)                                                      \
    X(RECEIVE_ORDER)                                                          \
    X(RECEIVE_FORK)                                                           \
    X(RECEIVE_GAP)                                                            \
    X(RECEIVE_STORE)                                                          \
    X(RECEIVE_DAMAGED)


#endif /* _PASSPORT_CATALOG_H_INCLUDED_ */
