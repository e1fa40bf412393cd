/*
 * cfg.c — YAML (libyaml) into a cfg_node tree, then the tree into a typed
 * struct through a struct cfg_key table. Every problem is collected into a
 * struct cfg_errors; nothing here exits.
 */
#include "common/cfg.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#define CFG_MAX_DEPTH 32
#define CFG_MAX_FILE (4 * 1024 * 1024)
/*
 * Bounds on the tree built from one document. YAML aliases (*a) are copied
 * into the tree, so a few hundred bytes of nested aliases ("billion laughs")
 * would otherwise expand into gigabytes; these budgets count the expanded
 * tree, aliases included. Real configs and profiles are far below them.
 */
#define CFG_MAX_NODES 50000
#define CFG_MAX_ITEMS 10000		/* entries in one mapping or list */
#define CFG_MAX_TEXT (8 * 1024 * 1024)	/* bytes of scalars and keys */

/* State of one tree build: the document and what is left of the budgets. */
struct node_build {
	yaml_document_t *doc;
	size_t nodes, text;
	char *err;
	size_t errlen;
};

void
cfg_errors_add(struct cfg_errors *errs, const char *fmt, ...)
{
	char *msg;
	va_list ap;

	if (errs == NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg == NULL)
		return;
	char **grown = realloc(errs->msgs, (errs->n + 1) * sizeof(*grown));
	if (grown == NULL) {
		free(msg);
		return;
	}
	errs->msgs = grown;
	errs->msgs[errs->n++] = msg;
}

void
cfg_errors_print(const struct cfg_errors *errs, FILE *out, const char *prefix)
{
	for (size_t i = 0; i < errs->n; i++)
		fprintf(out, "%s%s\n", prefix ? prefix : "", errs->msgs[i]);
}

void
cfg_errors_clear(struct cfg_errors *errs)
{
	for (size_t i = 0; i < errs->n; i++)
		free(errs->msgs[i]);
	free(errs->msgs);
	errs->msgs = NULL;
	errs->n = 0;
}

/* ---- node tree ---------------------------------------------------------- */

void
cfg_node_free(struct cfg_node *node)
{
	if (node == NULL)
		return;
	for (size_t i = 0; i < node->n_items; i++)
		cfg_node_free(node->items[i]);
	free(node->items);
	free(node->key);
	free(node->value);
	free(node);
}

struct cfg_node *
cfg_node_dup(const struct cfg_node *node)
{
	struct cfg_node *copy = calloc(1, sizeof(*copy));
	if (copy == NULL)
		return NULL;
	copy->kind = node->kind;
	copy->line = node->line;
	if ((node->key && (copy->key = strdup(node->key)) == NULL) ||
	    (node->value && (copy->value = strdup(node->value)) == NULL))
		goto fail;
	if (node->n_items > 0) {
		copy->items = calloc(node->n_items, sizeof(*copy->items));
		if (copy->items == NULL)
			goto fail;
		for (size_t i = 0; i < node->n_items; i++) {
			if ((copy->items[i] = cfg_node_dup(node->items[i])) == NULL)
				goto fail;
			copy->n_items++;
		}
	}
	return copy;
fail:
	cfg_node_free(copy);
	return NULL;
}

const struct cfg_node *
cfg_node_get(const struct cfg_node *map, const char *key)
{
	if (map == NULL || map->kind != CFG_N_MAP)
		return NULL;
	for (size_t i = 0; i < map->n_items; i++)
		if (strcmp(map->items[i]->key, key) == 0)
			return map->items[i];
	return NULL;
}

static int
node_append(struct cfg_node *parent, struct cfg_node *child)
{
	struct cfg_node **grown = realloc(parent->items,
	    (parent->n_items + 1) * sizeof(*grown));
	if (grown == NULL)
		return -1;
	parent->items = grown;
	parent->items[parent->n_items++] = child;
	return 0;
}

static struct cfg_node *
node_from_yaml(struct node_build *b, yaml_node_t *yn, int depth)
{
	if (depth > CFG_MAX_DEPTH) {
		snprintf(b->err, b->errlen, "line %zu: nesting too deep (more than %d levels)",
		    yn->start_mark.line + 1, CFG_MAX_DEPTH);
		return NULL;
	}
	if (++b->nodes > CFG_MAX_NODES) {
		snprintf(b->err, b->errlen, "line %zu: more than %d values (aliases count each time)",
		    yn->start_mark.line + 1, CFG_MAX_NODES);
		return NULL;
	}
	struct cfg_node *node = calloc(1, sizeof(*node));
	if (node == NULL)
		return NULL;
	node->line = (int)yn->start_mark.line + 1;
	switch (yn->type) {
	case YAML_SCALAR_NODE:
		node->kind = CFG_N_SCALAR;
		if (memchr(yn->data.scalar.value, '\0', yn->data.scalar.length) != NULL) {
			snprintf(b->err, b->errlen, "line %d: NUL byte in value", node->line);
			goto fail;
		}
		if ((b->text += yn->data.scalar.length) > CFG_MAX_TEXT)
			goto too_much_text;
		node->value = strndup((char *)yn->data.scalar.value,
		    yn->data.scalar.length);
		if (node->value == NULL)
			goto fail;
		return node;
	case YAML_SEQUENCE_NODE:
		node->kind = CFG_N_SEQ;
		if (yn->data.sequence.items.top - yn->data.sequence.items.start > CFG_MAX_ITEMS)
			goto too_many_items;
		for (yaml_node_item_t *it = yn->data.sequence.items.start;
		    it < yn->data.sequence.items.top; it++) {
			struct cfg_node *child = node_from_yaml(b,
			    yaml_document_get_node(b->doc, *it), depth + 1);
			if (child == NULL || node_append(node, child) < 0) {
				cfg_node_free(child);
				goto fail;
			}
		}
		return node;
	case YAML_MAPPING_NODE:
		node->kind = CFG_N_MAP;
		if (yn->data.mapping.pairs.top - yn->data.mapping.pairs.start > CFG_MAX_ITEMS)
			goto too_many_items;
		for (yaml_node_pair_t *p = yn->data.mapping.pairs.start;
		    p < yn->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(b->doc, p->key);
			if (k == NULL || k->type != YAML_SCALAR_NODE) {
				snprintf(b->err, b->errlen, "line %d: mapping keys must be plain words",
				    node->line);
				goto fail;
			}
			if ((b->text += k->data.scalar.length) > CFG_MAX_TEXT)
				goto too_much_text;
			char *key = strndup((char *)k->data.scalar.value, k->data.scalar.length);
			if (key == NULL)
				goto fail;
			if (cfg_node_get(node, key) != NULL) {
				snprintf(b->err, b->errlen, "line %zu: duplicate key '%s'",
				    k->start_mark.line + 1, key);
				free(key);
				goto fail;
			}
			struct cfg_node *child = node_from_yaml(b,
			    yaml_document_get_node(b->doc, p->value), depth + 1);
			if (child == NULL) {
				free(key);
				goto fail;
			}
			child->key = key;
			if (node_append(node, child) < 0) {
				cfg_node_free(child);
				goto fail;
			}
		}
		return node;
	default:
		snprintf(b->err, b->errlen, "line %d: empty node", node->line);
		goto fail;
	}
too_many_items:
	snprintf(b->err, b->errlen, "line %d: more than %d entries in one mapping or list",
	    node->line, CFG_MAX_ITEMS);
	goto fail;
too_much_text:
	snprintf(b->err, b->errlen, "line %d: more than %d bytes of text (aliases count each time)",
	    node->line, CFG_MAX_TEXT);
fail:
	cfg_node_free(node);
	return NULL;
}

struct cfg_node *
cfg_node_parse(const char *buf, size_t len, char *err, size_t errlen)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct cfg_node *root = NULL;

	err[0] = '\0';
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "line %zu: %s", parser.problem_mark.line + 1,
		    parser.problem ? parser.problem : "invalid YAML");
		yaml_parser_delete(&parser);
		return NULL;
	}
	yaml_node_t *top = yaml_document_get_root_node(&doc);
	if (top == NULL) {
		/* An empty file is an empty mapping: all defaults. */
		root = calloc(1, sizeof(*root));
		if (root != NULL)
			root->kind = CFG_N_MAP;
	} else {
		struct node_build b = { &doc, 0, 0, err, errlen };
		root = node_from_yaml(&b, top, 0);
		if (root != NULL && root->kind == CFG_N_SCALAR && root->value[0] == '\0') {
			root->kind = CFG_N_MAP;
			free(root->value);
			root->value = NULL;
		}
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (root == NULL && err[0] == '\0')
		snprintf(err, errlen, "out of memory");
	return root;
}

/* ---- scalar parsers ----------------------------------------------------- */

int
cfg_parse_bool(const char *text, int *out)
{
	static const char *yes[] = { "yes", "true", "on", "1" };
	static const char *no[] = { "no", "false", "off", "0" };
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(text, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(text, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/* A whole number followed by an optional unit from the table. */
struct cfg_unit {
	const char *suffix;
	long long factor;
};

static int
parse_with_units(const char *text, const struct cfg_unit *units, long long *out)
{
	char *end;
	errno = 0;
	if (text[0] == '\0' || text[0] == ' ')
		return -1;
	long long v = strtoll(text, &end, 10);
	if (errno != 0 || end == text)
		return -1;
	while (*end == ' ')
		end++;
	if (*end == '\0') {
		*out = v;
		return 0;
	}
	for (const struct cfg_unit *u = units; u->suffix != NULL; u++) {
		if (strcasecmp(end, u->suffix) == 0) {
			if (v != 0 && (v > LLONG_MAX / u->factor || v < LLONG_MIN / u->factor))
				return -1;
			*out = v * u->factor;
			return 0;
		}
	}
	return -1;
}

int
cfg_parse_size(const char *text, long long *out)
{
	static const struct cfg_unit units[] = {
		{ "b", 1 }, { "k", 1024 }, { "kb", 1000 }, { "kib", 1024 },
		{ "m", 1024 * 1024 }, { "mb", 1000 * 1000 }, { "mib", 1024 * 1024 },
		{ "g", 1024LL * 1024 * 1024 }, { "gb", 1000LL * 1000 * 1000 },
		{ "gib", 1024LL * 1024 * 1024 }, { NULL, 0 },
	};
	return parse_with_units(text, units, out);
}

int
cfg_parse_duration(const char *text, long long *out)
{
	static const struct cfg_unit units[] = {
		{ "s", 1 }, { "m", 60 }, { "min", 60 }, { "h", 3600 },
		{ "d", 86400 }, { "w", 7 * 86400 }, { "y", 365 * 86400 }, { NULL, 0 },
	};
	return parse_with_units(text, units, out);
}

/* ---- schema ------------------------------------------------------------- */

static void *
field_at(void *target, const struct cfg_key *k)
{
	return (char *)target + k->offset;
}

static void
free_field(void *target, const struct cfg_key *k)
{
	void *f = field_at(target, k);
	switch (k->type) {
	case CFG_STRING:
		free(*(char **)f);
		*(char **)f = NULL;
		break;
	case CFG_STRLIST: {
		struct cfg_strlist *l = f;
		for (size_t i = 0; i < l->n; i++)
			free(l->v[i]);
		free(l->v);
		l->v = NULL;
		l->n = 0;
		break;
	}
	case CFG_NODE:
		cfg_node_free(*(struct cfg_node **)f);
		*(struct cfg_node **)f = NULL;
		break;
	default:
		break;
	}
}

static const char *
type_word(enum cfg_type t)
{
	static const char *words[] = { "a boolean (yes/no)", "a whole number",
		"a size (e.g. 64MiB)", "a duration (e.g. 30s, 5m)", "a string",
		"one of the listed words", "a list of strings", "a section" };
	return words[t];
}

/* Parse one scalar into a temporary, check bounds, then store it. */
static int
set_scalar(void *target, const struct cfg_key *k, const char *text,
    const char *where, struct cfg_errors *errs)
{
	void *f = field_at(target, k);
	long long n = 0;
	int b = 0;

	switch (k->type) {
	case CFG_BOOL:
		if (cfg_parse_bool(text, &b) < 0)
			goto badtype;
		*(int *)f = b;
		break;
	case CFG_INT:
	case CFG_SIZE:
	case CFG_DURATION: {
		int rc = k->type == CFG_INT ? (parse_with_units(text,
		    (const struct cfg_unit[]){ { NULL, 0 } }, &n)) :
		    k->type == CFG_SIZE ? cfg_parse_size(text, &n) :
		    cfg_parse_duration(text, &n);
		if (rc < 0)
			goto badtype;
		if (n < k->min || n > k->max) {
			cfg_errors_add(errs, "%s: %s = %s is out of range (%lld to %lld)",
			    where, k->path, text, k->min, k->max);
			return -1;
		}
		*(long long *)f = n;
		break;
	}
	case CFG_STRING:
		if (k->max > 0 && (long long)strlen(text) > k->max) {
			cfg_errors_add(errs, "%s: %s is longer than %lld characters",
			    where, k->path, k->max);
			return -1;
		}
		if (k->min > 0 && (long long)strlen(text) < k->min) {
			cfg_errors_add(errs, "%s: %s is shorter than %lld characters",
			    where, k->path, k->min);
			return -1;
		}
		char *copy = strdup(text);
		if (copy == NULL)
			return -1;
		free(*(char **)f);
		*(char **)f = copy;
		break;
	case CFG_ENUM:
		for (int i = 0; k->choices[i] != NULL; i++) {
			if (strcmp(k->choices[i], text) == 0) {
				*(int *)f = i;
				goto checked;
			}
		}
		{
			char list[256] = "";
			for (int i = 0; k->choices[i] != NULL; i++) {
				size_t len = strlen(list);
				snprintf(list + len, sizeof(list) - len, "%s%s",
				    i ? ", " : "", k->choices[i]);
			}
			cfg_errors_add(errs, "%s: %s = '%s' is not one of: %s", where,
			    k->path, text, list);
		}
		return -1;
	default:
		goto badtype;
	}
checked:
	if (k->check != NULL) {
		const char *why = k->check(f);
		if (why != NULL) {
			cfg_errors_add(errs, "%s: %s: %s", where, k->path, why);
			return -1;
		}
	}
	return 0;
badtype:
	cfg_errors_add(errs, "%s: %s = '%s' is not %s", where, k->path, text,
	    type_word(k->type));
	return -1;
}

static int
set_from_node(void *target, const struct cfg_key *k, const struct cfg_node *node,
    const char *name, struct cfg_errors *errs)
{
	char where[320];
	snprintf(where, sizeof(where), "%s:%d", name, node->line);

	if (k->type == CFG_NODE) {
		struct cfg_node *copy = cfg_node_dup(node);
		if (copy == NULL)
			return -1;
		free_field(target, k);
		*(struct cfg_node **)field_at(target, k) = copy;
		if (k->check != NULL) {		/* the owner's validator sees the subtree */
			const char *why = k->check(field_at(target, k));
			if (why != NULL) {
				cfg_errors_add(errs, "%s: %s: %s", where, k->path, why);
				return -1;
			}
		}
		return 0;
	}
	if (k->type == CFG_STRLIST) {
		if (node->kind != CFG_N_SEQ) {
			cfg_errors_add(errs, "%s: %s must be a list", where, k->path);
			return -1;
		}
		if (k->max > 0 && (long long)node->n_items > k->max) {
			cfg_errors_add(errs, "%s: %s has more than %lld entries", where,
			    k->path, k->max);
			return -1;
		}
		struct cfg_strlist l = { calloc(node->n_items + 1, sizeof(char *)), 0 };
		if (l.v == NULL)
			return -1;
		int bad = 0;
		for (size_t i = 0; i < node->n_items; i++) {
			if (node->items[i]->kind != CFG_N_SCALAR) {
				cfg_errors_add(errs, "%s: %s entries must be strings", where, k->path);
				bad = 1;
				break;
			}
			if ((l.v[l.n] = strdup(node->items[i]->value)) == NULL) {
				bad = 1;
				break;
			}
			l.n++;
		}
		free_field(target, k);
		*(struct cfg_strlist *)field_at(target, k) = l;
		if (!bad && k->check != NULL) {
			const char *why = k->check(field_at(target, k));
			if (why != NULL) {
				cfg_errors_add(errs, "%s: %s: %s", where, k->path, why);
				bad = 1;
			}
		}
		return bad ? -1 : 0;
	}
	if (node->kind != CFG_N_SCALAR) {
		cfg_errors_add(errs, "%s: %s must be %s", where, k->path, type_word(k->type));
		return -1;
	}
	return set_scalar(target, k, node->value, where, errs);
}

static const struct cfg_key *
find_key(const struct cfg_key *schema, const char *path)
{
	for (const struct cfg_key *k = schema; k->path != NULL; k++)
		if (strcmp(k->path, path) == 0)
			return k;
	return NULL;
}

/* Is path a prefix section of some key ("http" for "http.listen")? */
static int
is_section(const struct cfg_key *schema, const char *path)
{
	size_t n = strlen(path);
	for (const struct cfg_key *k = schema; k->path != NULL; k++)
		if (strncmp(k->path, path, n) == 0 && k->path[n] == '.')
			return 1;
	return 0;
}

static int
apply_map(const struct cfg_key *schema, void *target, const struct cfg_node *map,
    const char *prefix, const char *name, struct cfg_errors *errs)
{
	int rc = 0;
	for (size_t i = 0; i < map->n_items; i++) {
		const struct cfg_node *item = map->items[i];
		char path[512];
		snprintf(path, sizeof(path), "%s%s%s", prefix, prefix[0] ? "." : "", item->key);
		const struct cfg_key *k = find_key(schema, path);
		if (k != NULL) {
			if (set_from_node(target, k, item, name, errs) < 0)
				rc = -1;
		} else if (item->kind == CFG_N_MAP && is_section(schema, path)) {
			if (apply_map(schema, target, item, path, name, errs) < 0)
				rc = -1;
		} else {
			cfg_errors_add(errs, "%s:%d: unknown key '%s'", name, item->line, path);
			rc = -1;
		}
	}
	return rc;
}

int
cfg_apply_node(const struct cfg_key *schema, void *target, const struct cfg_node *map,
    const char *name, struct cfg_errors *errs)
{
	if (map->kind != CFG_N_MAP) {
		cfg_errors_add(errs, "%s:%d: expected a mapping of key: value", name, map->line);
		return -1;
	}
	return apply_map(schema, target, map, "", name, errs);
}

int
cfg_defaults(const struct cfg_key *schema, void *target, struct cfg_errors *errs)
{
	int rc = 0;
	for (const struct cfg_key *k = schema; k->path != NULL; k++) {
		if (k->def == NULL)
			continue;
		if (k->type == CFG_STRLIST || k->type == CFG_NODE) {
			char err[256];
			struct cfg_node *n = cfg_node_parse(k->def, strlen(k->def), err, sizeof(err));
			if (n == NULL || set_from_node(target, k, n, "defaults", errs) < 0)
				rc = -1;
			cfg_node_free(n);
		} else if (set_scalar(target, k, k->def, "defaults", errs) < 0) {
			rc = -1;
		}
	}
	return rc;
}

int
cfg_load_buffer(const struct cfg_key *schema, void *target, const char *buf, size_t len,
    const char *name, struct cfg_errors *errs)
{
	char err[256];
	struct cfg_node *root = cfg_node_parse(buf, len, err, sizeof(err));
	if (root == NULL) {
		cfg_errors_add(errs, "%s: %s", name, err);
		return -1;
	}
	int rc = cfg_apply_node(schema, target, root, name, errs);
	cfg_node_free(root);
	return rc;
}

/* The first of secrets that the YAML text sets, or NULL. */
static const char *
secret_key_set(const char *const *secrets, const char *buf, size_t len)
{
	char err[256];
	struct cfg_node *root = cfg_node_parse(buf, len, err, sizeof(err));
	const char *found = NULL;
	for (size_t i = 0; root && secrets && secrets[i] && !found; i++) {
		/* Walk the dotted path through nested mappings. */
		const struct cfg_node *n = root;
		char part[128];
		for (const char *p = secrets[i]; n != NULL && *p;) {
			size_t seg = strcspn(p, ".");
			if (seg >= sizeof(part))
				break;
			memcpy(part, p, seg);
			part[seg] = '\0';
			n = cfg_node_get(n, part);
			p += seg + (p[seg] == '.');
			if (n != NULL && *p == '\0')
				found = secrets[i];
		}
	}
	cfg_node_free(root);
	return found;
}

static int
check_private(const char *path, const struct stat *st, const char *why,
    struct cfg_errors *errs)
{
	int rc = 0;
	if (st->st_mode & (S_IRWXO | S_IWGRP)) {
		cfg_errors_add(errs, "%s: sets %s (a secret) but is readable or writable by "
		    "others (mode %03o); chmod 600 or 640 it", path, why,
		    (unsigned)(st->st_mode & 0777));
		rc = -1;
	}
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		cfg_errors_add(errs, "%s: sets %s (a secret) but is owned by uid %u, who could "
		    "change it; chown it to root", path, why, (unsigned)st->st_uid);
		rc = -1;
	}
	return rc;
}

static int
load_file(const struct cfg_key *schema, void *target, const char *path,
    const char *const *secrets, struct cfg_errors *errs)
{
	FILE *fp = fopen(path, "re");
	if (fp == NULL) {
		cfg_errors_add(errs, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	char *buf = malloc(CFG_MAX_FILE + 1);
	size_t len = buf ? fread(buf, 1, CFG_MAX_FILE + 1, fp) : 0;
	int rc = -1;
	if (buf == NULL || ferror(fp) || fstat(fileno(fp), &st) < 0) {
		cfg_errors_add(errs, "%s: cannot read: %s", path, strerror(errno));
	} else if (len > CFG_MAX_FILE) {
		cfg_errors_add(errs, "%s: larger than %d bytes", path, CFG_MAX_FILE);
	} else {
		/* Keep going after a secrecy error: -t reports everything at once. */
		const char *secret = secret_key_set(secrets, buf, len);
		int bad = secret != NULL && check_private(path, &st, secret, errs) < 0;
		rc = cfg_load_buffer(schema, target, buf, len, path, errs);
		if (bad)
			rc = -1;
	}
	free(buf);
	fclose(fp);
	return rc;
}

int
cfg_load_file(const struct cfg_key *schema, void *target, const char *path,
    struct cfg_errors *errs)
{
	return load_file(schema, target, path, NULL, errs);
}

int
cfg_load_private_file(const struct cfg_key *schema, void *target, const char *path,
    const char *const *secrets, struct cfg_errors *errs)
{
	return load_file(schema, target, path, secrets, errs);
}

int
cfg_set(const struct cfg_key *schema, void *target, const char *path, const char *value,
    struct cfg_errors *errs)
{
	const struct cfg_key *k = find_key(schema, path);
	if (k == NULL) {
		cfg_errors_add(errs, "unknown key '%s'", path);
		return -1;
	}
	return set_scalar(target, k, value, "command line", errs);
}

void
cfg_free(const struct cfg_key *schema, void *target)
{
	for (const struct cfg_key *k = schema; k->path != NULL; k++)
		free_field(target, k);
}

void
cfg_write_doc(const struct cfg_key *schema, FILE *out)
{
	fprintf(out, "| key | type | default | range | meaning |\n| --- | --- | --- | --- | --- |\n");
	for (const struct cfg_key *k = schema; k->path != NULL; k++) {
		char range[96] = "";
		if (k->type == CFG_INT || k->type == CFG_SIZE || k->type == CFG_DURATION)
			snprintf(range, sizeof(range), "%lld – %lld", k->min, k->max);
		else if (k->type == CFG_ENUM) {
			for (int i = 0; k->choices[i] != NULL; i++) {
				size_t len = strlen(range);
				snprintf(range + len, sizeof(range) - len, "%s%s", i ? ", " : "",
				    k->choices[i]);
			}
		}
		fprintf(out, "| `%s` | %s | %s | %s | %s |\n", k->path, type_word(k->type),
		    k->def ? k->def : "(unset)", range, k->doc ? k->doc : "");
	}
}

int
cfg_check_secrecy(const char *path, struct cfg_errors *errs)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		cfg_errors_add(errs, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (st.st_mode & (S_IRWXO | S_IWGRP)) {
		cfg_errors_add(errs, "%s: holds secrets but is readable or writable by others "
		    "(mode %03o); chmod 600 or 640 it", path, st.st_mode & 0777);
		return -1;
	}
	return 0;
}
