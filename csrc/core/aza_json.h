/*
** aza_json.h
** A strict RFC 8259 JSON reader that hands each value to a caller's sink
** (no tree, no allocation, no globals): the fast path of the patient
** reader. Strings are valid UTF-8 (no overlongs, no surrogates), with
** every escape checked (\u surrogate pairs joined, lone surrogates
** refused); numbers follow the JSON grammar and must be finite; nesting
** is bounded. See docs/internals/json.md.
*/
#ifndef aza_json_h
#define aza_json_h

#include <stddef.h>

#include "aza_conf.h"
#include "aza_status.h"

/*
** The sink: each callback returns 0 to go on, anything else to stop the
** parse (aza_json_parse then returns AZA_EVALUE, "stopped"). Strings and keys
*are
** given unescaped as (s, n), valid until the callback returns (they may
** point into the text or into the caller's scratch buffer). A number
** comes as its double and, when its text has no fraction and no exponent
** and fits, as an integer too (integral = 1, iv).
*/
typedef struct aza_json_sink {
  int (*begin)(void *ud, int is_array);
  int (*end)(void *ud, int is_array);
  int (*key)(void *ud, const char *s, size_t n, size_t pos);
  int (*string)(void *ud, const char *s, size_t n);
  int (*number)(void *ud, double v, int integral, long long iv);
  int (*literal)(void *ud, int which); /* 0 false, 1 true, 2 null */
} aza_json_sink;

#define AZA_JSON_FALSE 0
#define AZA_JSON_TRUE  1
#define AZA_JSON_NULL  2

/*
** Parse text[0..len) as one JSON value with optional blanks around it (a
** UTF-8 byte order mark at the start is skipped), calling the sink in
** document order. `scratch` is caller memory of at least len bytes, for
** strings with escapes. Containers deeper than max_depth are refused.
** Returns AZA_OK; AZA_ESYNTAX with err->pos (1-based byte) for text that
** is not such JSON (AZA_ETOOBIG past max_depth); AZA_EVALUE when the
** sink stopped or a number is not finite; AZA_EARG for NULL arguments.
*/
AZA_API aza_status aza_json_parse(const char *text, size_t len, char *scratch,
                                  int max_depth, const aza_json_sink *sink,
                                  void *ud, aza_err *err);

#endif
