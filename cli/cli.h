/*
 * cli.h — internal interfaces of the campusmon command, grouped by the file
 * that owns them. Everything but main.c builds as cli/libcli.a, which the
 * unit tests link. libcurl and jansson types are forward-declared so their
 * headers reach only the files that use them.
 *
 * Exit codes (the same for every command): 0 success, 1 the collector
 * answered with an error (or an answer the CLI cannot read), 2 usage or
 * local configuration error, 3 the collector could not be reached.
 */
#ifndef CAMPUSMON_CLI_H
#define CAMPUSMON_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "common/cfg.h"

struct json_t;

enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_API = 1,
	CLI_EXIT_USAGE = 2,
	CLI_EXIT_UNREACHABLE = 3,
};

#define CLI_DEFAULT_URL "http://127.0.0.1:8080"
#define CLI_DEFAULT_TIMEOUT 30		/* seconds, per request */
#define CLI_MAX_PAGES 10000		/* pages of one list followed by Link rel="next" */
#define CLI_BACKUP_TIMEOUT 600		/* backup copies every RRD file */
#define CLI_MAX_REPLY (64L * 1024 * 1024) /* bytes of one reply body */

/* ---- args.c: options and positional arguments --------------------------- */

/* One long option. arg is the placeholder shown in help (NULL: a flag). */
struct cli_opt {
	const char *name;		/* without the leading "--" */
	const char *arg;
	const char *help;
};
#define CLI_OPT_END { NULL, NULL, NULL }

#define CLI_MAX_POS 16
#define CLI_MAX_SET 32

/* Result of parsing; every pointer points into argv or into the tables. */
struct cli_args {
	const char *pos[CLI_MAX_POS];
	size_t n_pos;
	struct {
		const char *name;	/* the table's own string */
		const char *value;	/* "" for a flag */
		const struct cli_opt *opt;	/* the table entry that matched */
	} set[CLI_MAX_SET];
	size_t n_set;
};

/*
 * Parse argv[0..argc) against up to two option tables (either may be NULL).
 * Options are "--name VALUE", "--name=VALUE" or "--name" for flags, and
 * may appear anywhere; "-h" is "--help" when a table defines "help"; "--"
 * ends options. A name in both tables is b's (the command's options come
 * before the global ones); set[].opt is the table entry that matched, so
 * callers can tell which. Returns 0, or -1 with a message for the user in
 * err.
 */
int cli_args_parse(const struct cli_opt *a, const struct cli_opt *b, int argc,
    char *const *argv, struct cli_args *out, char *err, size_t errlen);
/* Value of an option (the last one given), "" for a given flag, else NULL. */
const char *cli_args_get(const struct cli_args *args, const char *name);

/* ---- config.c: where the URL and token come from ------------------------- */

/* The user's file, ~/.config/campusmon/cli.yaml. */
struct cli_file_config {
	char *url;
	char *token;
	char *cacert;		/* PEM file of CAs to trust for https */
};
extern const struct cfg_key cli_file_schema[];

/*
 * Path of the user's file: $XDG_CONFIG_HOME/campusmon/cli.yaml, else
 * $HOME/.config/campusmon/cli.yaml. Returns a heap string the caller
 * frees, or NULL when neither variable is set.
 */
char *cli_config_path(void);
/*
 * Load the file into cfg (zeroed by the caller; free with cfg_free).
 * Returns 1 when the file does not exist, 0 when loaded, -1 with errs
 * filled when it cannot be used: unreadable, readable by group or others,
 * owned by someone else, or invalid.
 */
int cli_config_load(const char *path, struct cli_file_config *cfg,
    struct cfg_errors *errs);
/* Is text an http:// or https:// URL we can send a token to? NULL: yes. */
const char *cli_check_url(const char *text);

/* ---- http.c: a small libcurl client --------------------------------------- */

struct cli_http;

/* A query parameter; entries whose value is NULL are left out. */
struct cli_param {
	const char *key;
	const char *value;
};

struct cli_reply {
	long status;		/* HTTP status */
	char *body;		/* heap, NUL-terminated (may hold other NULs) */
	size_t len;
	char *next;		/* heap: the path of a Link rel="next" on this server, or NULL */
};

/*
 * A client for one collector. base_url has no trailing '/'; token may be
 * NULL (no Authorization header). Both strings are copied; the copy of the
 * token is wiped in cli_http_free. timeout is in seconds for a whole
 * request. Returns NULL if libcurl cannot start.
 */
struct cli_http *cli_http_new(const char *base_url, const char *token, long timeout);
void cli_http_set_timeout(struct cli_http *h, long timeout);
/* Trust the CAs in this PEM file (a private CA) for https. path is copied.
 * Returns 0, or -1 when out of memory. */
int cli_http_set_cainfo(struct cli_http *h, const char *path);
void cli_http_free(struct cli_http *h);
/*
 * Build base_url + path + "?k=v&..." with keys and values URL-encoded.
 * Returns a heap string or NULL.
 */
char *cli_http_url(struct cli_http *h, const char *path, const struct cli_param *params,
    size_t n_params);
/*
 * Send one request (method "GET", "POST", "PATCH" or "DELETE"; json_body
 * sent as application/json when not NULL). Returns 0 when an HTTP answer came back
 * (any status; reply filled, free it with cli_reply_free), or -1 when the
 * collector could not be reached or the answer was unreadable, with the
 * reason in err.
 */
int cli_http_request(struct cli_http *h, const char *method, const char *path,
    const struct cli_param *params, size_t n_params, const char *json_body,
    struct cli_reply *reply, char *err, size_t errlen);
/* The same with any body of body_len bytes, sent as content_type. */
int cli_http_request_raw(struct cli_http *h, const char *method, const char *path,
    const struct cli_param *params, size_t n_params, const char *body, size_t body_len,
    const char *content_type, struct cli_reply *reply, char *err, size_t errlen);
void cli_reply_free(struct cli_reply *reply);
/* URL-encode one path segment or value. Returns a heap string or NULL. */
char *cli_http_escape(struct cli_http *h, const char *text);

/* ---- table.c: aligned tables and safe text ------------------------------- */

struct cli_table;

/*
 * A table with ncols columns and these header texts (NULL: no header row).
 * Cells are copied and escaped as they are added; print aligns them by
 * display width.
 */
struct cli_table *cli_table_new(size_t ncols, const char *const *headers);
/* Right-align a column (numbers). */
void cli_table_align_right(struct cli_table *t, size_t col);
/* Add a row of ncols cells (NULL cells print as "-"). Returns 0 or -1. */
int cli_table_add(struct cli_table *t, const char *const *cells);
size_t cli_table_rows(const struct cli_table *t);
/* Columns are separated by two spaces; no trailing blanks. */
void cli_table_print(const struct cli_table *t, FILE *out);
void cli_table_free(struct cli_table *t);

/*
 * A copy of s safe to print on a terminal: bytes below 0x20 and 0x7f, C1
 * controls (U+0080..U+009F) and bytes that are not valid UTF-8 become '?'.
 * Returns a heap string or NULL.
 */
char *cli_escape(const char *s);
/* Escape in place (same rules; the result is never longer). */
void cli_escape_inplace(char *s);
/* Columns a valid UTF-8 string takes on a terminal (wide CJK counts 2). */
size_t cli_text_width(const char *s);

/* ---- format.c: numbers, times, Prometheus text (pure functions) --------- */

/* A value for a table: integers without decimals, else 6 significant digits. */
void cli_format_value(double v, char *buf, size_t len);
/* An age or duration in its largest units: "45s", "3m20s", "2h5m", "3d4h". */
void cli_format_age(double seconds, char *buf, size_t len);
/* Unix seconds as ISO 8601 local time with offset: 2024-05-01T12:00:00+08:00. */
void cli_format_time(double ts, char *buf, size_t len);
/*
 * Check a time argument and give the text to send: Unix seconds, "now" or
 * a relative time (-30m, -1h, -7d) pass unchanged; an ISO 8601 date or
 * time (2024-05-01, 2024-05-01T12:00[:SS], with Z or ±HH:MM, else local
 * time) becomes Unix seconds. Returns 0, or -1 if text is none of these.
 */
int cli_parse_time(const char *text, char *out, size_t outlen);
/*
 * Find an unlabelled sample "name value" in Prometheus exposition text.
 * Returns 0 with *value set, or -1 if the metric is absent or malformed.
 */
int cli_prom_find(const char *text, size_t len, const char *name, double *value);
/*
 * v with an SI prefix (k, M, G, T, P, E: powers of 1000) and three
 * significant digits, trailing zeros dropped, then unit: "1.23 Mbit/s",
 * "2.5 Gbit/s", "950 bit/s", "0 bit/s"; below 1 two significant digits
 * ("0.017"). With unit "" there is no blank: "1.5k". NaN or negative: "-".
 */
void cli_format_si(double v, const char *unit, char *buf, size_t len);
/* A link speed in bit/s ("100 Mbit/s"); 0 (the device does not say) is "-". */
void cli_format_speed(double bps, char *buf, size_t len);
/*
 * Copy the first line of buf[0..len) (without "\n" or "\r\n") into out.
 * Returns 0, or -1 when that line is empty, holds a NUL or does not fit
 * in outlen - 1 bytes. Used for secrets read from files.
 */
int cli_first_line(const char *buf, size_t len, char *out, size_t outlen);
/*
 * dir made absolute against cwd (when relative) and cleaned lexically:
 * no empty, "." or ".." segments, no trailing '/'. Returns 0, or -1 if
 * the result does not fit in outlen or dir is empty.
 */
int cli_abs_path(const char *cwd, const char *dir, char *out, size_t outlen);

/* ---- cli.c: context, dispatch, help, calls ------------------------------- */

struct cli {
	char *url;			/* resolved base URL, no trailing '/' */
	char *token;			/* NULL when none was given; wiped at exit */
	const char *token_source;	/* where it came from, for hints */
	char *cacert;			/* --cacert / CAMPUSMON_CA / file, or NULL */
	int json;			/* --json */
	long timeout;			/* seconds */
	int timeout_given;
	struct cli_http *http;
	FILE *out;
	FILE *err;
};

/* One command; "token create" style names take two words. */
struct cli_command {
	const char *name;
	const char *usage;		/* arguments after the name */
	const char *help;		/* one line for the command list */
	const char *details;		/* paragraphs for "help COMMAND", or NULL */
	const struct cli_opt *opts;	/* its own options, or NULL */
	size_t min_pos, max_pos;	/* positional arguments */
	unsigned flags;
	int (*run)(struct cli *c, const struct cli_args *args);
};
#define CLI_CMD_LOCAL 0x1		/* needs no collector (help) */

extern const struct cli_command cli_commands[];
extern const size_t cli_n_commands;

int cli_main(int argc, char **argv);
/* Help for everything (cmd == NULL), one command, or a group ("token"). */
void cli_print_help(FILE *out, const struct cli_command *cmd, const char *group);

/* Print "campusmon: error: ..." on c->err. */
void cli_error(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Call the API. On a 2xx answer returns 0 with reply filled (the caller
 * frees it). Otherwise prints why (the collector's {"error"} message, or
 * that it cannot be reached at the URL) and returns the exit code.
 */
int cli_call(struct cli *c, const char *method, const char *path,
    const struct cli_param *params, size_t n_params, const char *json_body,
    struct cli_reply *reply);
/* The same, taking the status accept (e.g. 503 for a health answer) as an answer too. */
int cli_call_accept(struct cli *c, const char *method, const char *path,
    const struct cli_param *params, size_t n_params, const char *json_body,
    struct cli_reply *reply, long accept);
/* cli_call with a body of another type (a CSV file). */
int cli_call_raw(struct cli *c, const char *method, const char *path, const char *body,
    size_t len, const char *content_type, struct cli_reply *reply);
/* Parse a reply body as JSON; prints an error and returns NULL if it is not. */
struct json_t *cli_reply_json(struct cli *c, const struct cli_reply *reply);
/*
 * cli_call with a JSON body (or NULL) and no parameters, then its answer
 * parsed into *out (the caller owns it). With what, the answer must be a
 * JSON object (with an "id" when flags has CLI_JSON_ID), else "the
 * collector's WHAT is not a JSON object [with an id]" is printed; with
 * what NULL any JSON value will do. CLI_JSON_SECRET: the answer holds a
 * secret, its text is wiped. Returns the exit code; *out is NULL unless 0.
 */
#define CLI_JSON_ID 0x1
#define CLI_JSON_SECRET 0x2
int cli_call_json(struct cli *c, const char *method, const char *path, const char *json_body,
    const char *what, unsigned flags, struct json_t **out);
/*
 * GET path and parse the answer as a JSON array into *out (the caller owns
 * it), following Link rel="next" headers to the last page (up to
 * CLI_MAX_PAGES) and joining the pages. what names the list in an error.
 * With print_json and --json, the array is printed instead and *out is
 * NULL. Returns the exit code.
 */
int cli_get_array(struct cli *c, const char *path, const struct cli_param *params,
    size_t n_params, const char *what, int print_json, struct json_t **out);
/*
 * GET path for a command with --csv (params then ask for format=csv): with
 * csv the answer goes to the output as it came and *out is NULL; otherwise
 * *out is the JSON answer (the caller owns it). Returns the exit code.
 */
int cli_get_csv_or_json(struct cli *c, const char *path, const struct cli_param *params,
    size_t n_params, int csv, struct json_t **out);
/* --json: print a JSON value compactly, ASCII-only, on one line. */
void cli_print_json(struct cli *c, const struct json_t *j);
/* An id as text: ids are opaque (integers today, maybe strings later). */
void cli_id_text(const struct json_t *id, char *buf, size_t len);
/*
 * The path of an API object: prefix + "/" + the URL-encoded id or name.
 * Returns a heap string, or NULL when out of memory.
 */
char *cli_object_path(struct cli *c, const char *prefix, const char *id);

/* ---- cmd_*.c: the handlers ------------------------------------------------ */

int cmd_help(struct cli *c, const struct cli_args *args);
int cmd_status(struct cli *c, const struct cli_args *args);
int cmd_token_create(struct cli *c, const struct cli_args *args);
int cmd_token_list(struct cli *c, const struct cli_args *args);
int cmd_token_revoke(struct cli *c, const struct cli_args *args);
int cmd_user_unlock(struct cli *c, const struct cli_args *args);
int cmd_series(struct cli *c, const struct cli_args *args);
int cmd_query(struct cli *c, const struct cli_args *args);
int cmd_backup(struct cli *c, const struct cli_args *args);
int cmd_devices(struct cli *c, const struct cli_args *args);
int cmd_device_add(struct cli *c, const struct cli_args *args);
int cmd_device_show(struct cli *c, const struct cli_args *args);
int cmd_device_edit(struct cli *c, const struct cli_args *args);
int cmd_device_rm(struct cli *c, const struct cli_args *args);
int cmd_discover(struct cli *c, const struct cli_args *args);
int cmd_seen(struct cli *c, const struct cli_args *args);
int cmd_seen_adopt(struct cli *c, const struct cli_args *args);
int cmd_seen_rm(struct cli *c, const struct cli_args *args);
int cmd_report(struct cli *c, const struct cli_args *args);
int cmd_assets(struct cli *c, const struct cli_args *args);
int cmd_assets_import(struct cli *c, const struct cli_args *args);
int cmd_topology(struct cli *c, const struct cli_args *args);
int cmd_events(struct cli *c, const struct cli_args *args);
int cmd_alerts(struct cli *c, const struct cli_args *args);
int cmd_channels(struct cli *c, const struct cli_args *args);
int cmd_channel_test(struct cli *c, const struct cli_args *args);
int cmd_channel_retry(struct cli *c, const struct cli_args *args);
int cmd_ack(struct cli *c, const struct cli_args *args);

/* ---- cmd_topology.c: the tree, printable without a collector (tests) ------ */

/*
 * Print GET /api/v1/topology's answer as an indented tree from the root
 * (or from the node whose id or name is from, when not NULL), max_depth
 * levels deep (-1: all). Returns 0, 1 when from names no node, -1 when out
 * of memory.
 */
int cli_topology_print(FILE *out, const struct json_t *topo, const char *from, int max_depth);

#endif
