/*
 * cfg.h — typed, bounded configuration from YAML.
 *
 * A daemon describes its configuration as a table of struct cfg_key, one
 * row per key: dotted path, type, offset of the field in the daemon's own
 * config struct, default, bounds and doc. Loading fills that struct and
 * reports every problem (unknown key, wrong type, out of range) at once in
 * a struct cfg_errors; nothing here exits or keeps global state.
 */
#ifndef CAMPUSMON_CFG_H
#define CAMPUSMON_CFG_H

#include <stddef.h>
#include <stdio.h>

enum cfg_type {
	CFG_BOOL,	/* int: 0/1; yes/no/true/false/on/off */
	CFG_INT,	/* long long within [min, max] */
	CFG_SIZE,	/* long long bytes; accepts 512, 64k, 16MiB, 2GB */
	CFG_DURATION,	/* long long seconds; accepts 30, 30s, 5m, 2h, 7d */
	CFG_STRING,	/* char *, heap; length <= max when max > 0 */
	CFG_ENUM,	/* int: index into choices */
	CFG_STRLIST,	/* struct cfg_strlist: a sequence of scalars */
	CFG_NODE,	/* struct cfg_node *: the raw subtree, for its owner to read */
};

/* A parsed YAML subtree (mappings keep their order; line is 1-based). */
struct cfg_node {
	enum { CFG_N_SCALAR, CFG_N_MAP, CFG_N_SEQ } kind;
	char *key;		/* key within the parent mapping, else NULL */
	char *value;		/* scalars only */
	struct cfg_node **items;
	size_t n_items;
	int line;
};

struct cfg_strlist {
	char **v;
	size_t n;
};

struct cfg_key {
	const char *path;		/* "http.listen" */
	enum cfg_type type;
	size_t offset;			/* offsetof(struct x_config, field) */
	const char *def;		/* default as YAML text; NULL: unset */
	long long min, max;		/* numeric bounds; strings: max length */
	const char *const *choices;	/* CFG_ENUM, NULL-terminated */
	/* Extra check on the parsed field; returns an error text or NULL. */
	const char *(*check)(const void *field);
	const char *doc;
};
#define CFG_END { NULL, 0, 0, NULL, 0, 0, NULL, NULL, NULL }

struct cfg_errors {
	char **msgs;
	size_t n;
};

/* Set every key to its default. Returns 0, or -1 if a default is invalid. */
int cfg_defaults(const struct cfg_key *schema, void *target, struct cfg_errors *errs);
/* Parse a YAML file/buffer and apply it over the current values. */
int cfg_load_file(const struct cfg_key *schema, void *target, const char *path,
    struct cfg_errors *errs);
/*
 * The same, and when the file sets a key of secrets (NULL-terminated dotted
 * paths, e.g. "discovery.communities"), check on the open
 * descriptor (no window for a swap between the check and the read) that
 * the file is private: owned by root or by us, no access for others, no
 * write for the group. Every problem is reported; -1 if any.
 */
int cfg_load_private_file(const struct cfg_key *schema, void *target, const char *path,
    const char *const *secrets, struct cfg_errors *errs);
int cfg_load_buffer(const struct cfg_key *schema, void *target, const char *buf,
    size_t len, const char *name, struct cfg_errors *errs);
/* Apply one mapping node (e.g. one plugin instance) against a schema. */
int cfg_apply_node(const struct cfg_key *schema, void *target,
    const struct cfg_node *map, const char *name, struct cfg_errors *errs);
/* Set one key from text, as a command-line override does. */
int cfg_set(const struct cfg_key *schema, void *target, const char *path,
    const char *value, struct cfg_errors *errs);
/* Free every heap field the schema owns in target. */
void cfg_free(const struct cfg_key *schema, void *target);
/* Write a Markdown reference of the schema. */
void cfg_write_doc(const struct cfg_key *schema, FILE *out);

/* Refuse a file that holds secrets but others can read or write. */
int cfg_check_secrecy(const char *path, struct cfg_errors *errs);

struct cfg_node *cfg_node_parse(const char *buf, size_t len, char *err, size_t errlen);
const struct cfg_node *cfg_node_get(const struct cfg_node *map, const char *key);
void cfg_node_free(struct cfg_node *node);
struct cfg_node *cfg_node_dup(const struct cfg_node *node);

void cfg_errors_add(struct cfg_errors *errs, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cfg_errors_print(const struct cfg_errors *errs, FILE *out, const char *prefix);
void cfg_errors_clear(struct cfg_errors *errs);

/* Parsers shared with command-line handling; return 0 or -1. */
int cfg_parse_size(const char *text, long long *out);
int cfg_parse_duration(const char *text, long long *out);
int cfg_parse_bool(const char *text, int *out);

#endif
