/*
 * lineproto.h — InfluxDB line protocol parser (zero-copy where possible).
 *
 *   measurement[,tag=value...] field=value[,field=value...] [timestamp]
 *
 * Escaping as InfluxDB defines it: in measurements `\,` and `\ `; in tag keys,
 * tag values and field keys `\,` `\=` `\ `; in string field values `\"` and
 * `\\`. Field values: float (1, 1.5, -1e3), integer (12i), unsigned (12u),
 * boolean (t T true True TRUE f F false False FALSE), string ("...").
 *
 * A backslash before one of those characters or before another backslash
 * escapes it (so `\\` is one backslash everywhere); any other backslash is
 * literal. Refused: NaN and infinite floats (1e309), integers outside their
 * type, -1u, hex, a leading '+', duplicate tag or field keys, empty keys or
 * tag values, an unescaped '=' in a tag value, string values over 64 KiB,
 * NUL bytes and newlines. Lines may have leading and trailing blanks; lines
 * whose first non-blank byte is '#' are comments.
 *
 * Parsed names and values point into the input line when no unescaping was
 * needed, else into the parser's scratch buffer: both stay valid only until
 * the next lp_parse_line() call on the same parser.
 */
#ifndef CAMPUSMON_LINEPROTO_H
#define CAMPUSMON_LINEPROTO_H

#include <stddef.h>
#include <stdint.h>

#define LP_MAX_STRING	65536	/* longest string field value, unescaped */

/* Timestamp units, as InfluxDB's precision parameter names them (n/ns, u/us,
 * ms, s, m, h). */
enum lp_precision { LP_PREC_NS, LP_PREC_US, LP_PREC_MS, LP_PREC_S, LP_PREC_M, LP_PREC_H };
enum lp_field_type { LP_FLOAT, LP_INT, LP_UINT, LP_BOOL, LP_STRING };

struct lp_str {
	const char *p;
	size_t len;
};

struct lp_tag {
	struct lp_str key;
	struct lp_str value;
};

struct lp_field {
	struct lp_str key;
	enum lp_field_type type;
	union {
		double f;
		int64_t i;
		uint64_t u;
		int b;
		struct lp_str s;
	} v;
};

struct lp_point {
	struct lp_str measurement;
	struct lp_tag *tags;		/* sorted by key, duplicates refused */
	size_t n_tags;
	struct lp_field *fields;	/* in line order, duplicates refused */
	size_t n_fields;
	int has_time;
	int64_t time_ns;		/* converted from the request precision */
};

#define LP_DEFAULT_MAX_TAGS 256
#define LP_DEFAULT_MAX_FIELDS 1024

struct lp_limits {
	size_t max_tags;		/* per line; 0 = 256 */
	size_t max_fields;		/* per line; 0 = 1024 */
};

struct lp_parser;

/* limits may be NULL for the defaults. Returns NULL when out of memory. */
struct lp_parser *lp_parser_new(const struct lp_limits *limits);
void lp_parser_free(struct lp_parser *parser);

/*
 * Parse one line (without its newline). Returns 1 and fills *out for a
 * point, 0 for a blank or comment line, -1 on error with *err set to a
 * static, human-readable reason ("missing field set", "invalid integer
 * value for field \"x\"", "timestamp out of range", ...).
 */
int lp_parse_line(struct lp_parser *parser, const char *line, size_t len,
    enum lp_precision precision, struct lp_point *out, const char **err);

/*
 * Byte offset in the line where the last lp_parse_line() error was found
 * (for messages such as "line 3, column 17: invalid timestamp").
 */
size_t lp_parser_error_offset(const struct lp_parser *parser);

/*
 * Iterate over the lines of a body: sets *line and *len to the next line (with
 * a trailing \r stripped) and advances *pos past its newline. Returns 0 when
 * the body is exhausted.
 */
int lp_next_line(const char *buf, size_t buflen, size_t *pos,
    const char **line, size_t *len);

/* "ns", "us", "ms", "s" (also "n", "u"); returns -1 for anything else. */
int lp_precision_parse(const char *text, enum lp_precision *out);

#endif
