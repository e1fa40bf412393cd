/*
 * ncfg.c — what notify.channels (channels.c) and notify.routes (routes.c)
 * parse alike: a list of mappings, each key checked against the known
 * ones, and values that are one string or a list of them.
 */
#include <stdlib.h>
#include <string.h>

#include "collector/notify/notify.h"

int
ncfg_known(const char *const *known, const char *key)
{
	for (size_t i = 0; known[i] != NULL; i++)
		if (strcmp(known[i], key) == 0)
			return 1;
	return 0;
}

void
ncfg_check_keys(const struct cfg_node *map, const char *const *known, const char *where,
    struct cfg_errors *errs)
{
	for (size_t i = 0; i < map->n_items; i++)
		if (!ncfg_known(known, map->items[i]->key))
			cfg_errors_add(errs, "%s (line %d): unknown key '%s'", where,
			    map->items[i]->line, map->items[i]->key);
}

char **
ncfg_strings(const struct cfg_node *n, size_t *count)
{
	size_t k = 0;
	if (count != NULL)
		*count = 0;
	if (n == NULL)
		return NULL;
	size_t cnt = n->kind == CFG_N_SEQ ? n->n_items : 1;
	char **v = calloc(cnt + 1, sizeof(char *));
	if (v == NULL)
		return NULL;
	if (n->kind == CFG_N_SCALAR)
		v[k++] = strdup(n->value);
	for (size_t i = 0; n->kind == CFG_N_SEQ && i < n->n_items; i++)
		if (n->items[i]->kind == CFG_N_SCALAR)
			v[k++] = strdup(n->items[i]->value);
	if (count != NULL)
		*count = k;
	return v;
}

char **
ncfg_strings_dup(char *const *v)
{
	size_t cnt = 0;
	if (v == NULL)
		return NULL;
	while (v[cnt] != NULL)
		cnt++;
	char **out = calloc(cnt + 1, sizeof(char *));
	for (size_t i = 0; out != NULL && i < cnt; i++)
		if ((out[i] = strdup(v[i])) == NULL) {
			ncfg_strings_free(out);
			return NULL;
		}
	return out;
}

void
ncfg_strings_free(char **v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

int
ncfg_list(const struct cfg_node *node, const char *key, const char *item, ncfg_one_fn one,
    void *arg, struct cfg_errors *errs)
{
	size_t before = errs->n;
	if (node == NULL)
		return 0;
	if (node->kind != CFG_N_SEQ) {
		cfg_errors_add(errs, "%s (line %d): a list of %ss", key, node->line, item);
		return -1;
	}
	for (size_t i = 0; i < node->n_items; i++) {
		if (node->items[i]->kind != CFG_N_MAP)
			cfg_errors_add(errs, "%s (line %d): each %s is a mapping", key,
			    node->items[i]->line, item);
		else
			one(node->items[i], arg, errs);
	}
	return errs->n > before ? -1 : 0;
}
