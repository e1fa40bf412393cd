/*
 * plugin.h — the agent's plugin API: the only header a plugin includes.
 *
 * A plugin is a descriptor in the static table of plugins/registry.c. The
 * agent config lists instances ("plugins:" is a list of mappings); each
 * instance names its plugin and carries the host keys (plugin, name,
 * interval, timeout) plus the plugin's own keys, which the host validates
 * against desc->schema into a zeroed heap struct of desc->config_size bytes
 * before calling configure(). Every instance is independent: a plugin keeps
 * no state in statics.
 *
 * Lifecycle and ownership:
 *   configure(config, info)  on the main thread; returns the instance state
 *                            (heap) or NULL with err set. config stays valid
 *                            and unchanged until free() returns; the host
 *                            owns and frees it.
 *   read(state, ctx)         on a worker thread, never concurrently for one
 *                            instance. Must return by plugin_deadline_ms();
 *                            a read that overruns is reported and the
 *                            instance is not scheduled again until it returns.
 *                            Submits samples with plugin_submit(); returns 0,
 *                            or -1 when the reading failed (the host logs it).
 *   free(state)              on the main thread, never during a read.
 *
 * The API is versioned: desc->abi must equal PLUGIN_ABI or the host refuses
 * the plugin. The schema types come from common/cfg.h and the safe external
 * program runner from common/exec.h; both are part of this API.
 */
#ifndef CAMPUSMON_PLUGIN_H
#define CAMPUSMON_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include "common/cfg.h"
#include "common/exec.h"

#define PLUGIN_ABI 1

/* Valid during one read() call only; owned by the host. */
struct plugin_ctx;

enum plugin_value_type { PLUGIN_FLOAT, PLUGIN_INT, PLUGIN_STRING, PLUGIN_BOOL };

struct plugin_tag {
	const char *key;
	const char *value;	/* empty values are left out */
};

struct plugin_field {
	const char *key;
	enum plugin_value_type type;
	double f;		/* PLUGIN_FLOAT; NaN and infinities are left out */
	long long i;		/* PLUGIN_INT, PLUGIN_BOOL (0/1) */
	const char *s;		/* PLUGIN_STRING */
};

/* A sample; the host adds the tags host= and instance=, and the time. */
struct plugin_sample {
	const char *measurement;
	const struct plugin_tag *tags;
	size_t n_tags;
	const struct plugin_field *fields;
	size_t n_fields;
};

/* What configure() learns about the instance. */
struct plugin_info {
	const char *name;	/* the instance name (unique per plugin) */
	int interval_s;		/* how often read() runs */
	int timeout_ms;		/* how long one read() may take */
	int host_is_root;	/* the agent runs as root: drop for externals */
};

struct plugin_desc {
	const char *name;			/* "nagios" */
	unsigned abi;				/* PLUGIN_ABI */
	const struct cfg_key *schema;		/* the instance's own keys */
	size_t config_size;			/* sizeof the struct schema fills */
	void *(*configure)(const void *config, const struct plugin_info *info,
	    char *err, size_t errlen);
	int (*read)(void *state, struct plugin_ctx *ctx);
	void (*free)(void *state);
};

/*
 * Host services. plugin_submit() copies the sample (strings included) into
 * the host's buffer: the caller keeps ownership of everything it passes.
 * Returns 0, or -1 if the sample was refused (no fields, bad names, batch
 * full) — already logged by the host.
 */
int plugin_submit(struct plugin_ctx *ctx, const struct plugin_sample *sample);
/* Milliseconds left before this read must return (>= 0). */
long long plugin_deadline_ms(const struct plugin_ctx *ctx);
/* Log through the agent's log, prefixed with plugin and instance names. */
enum plugin_log_level { PLUGIN_LOG_WARN, PLUGIN_LOG_INFO, PLUGIN_LOG_DEBUG };
void plugin_log(const struct plugin_ctx *ctx, enum plugin_log_level level,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The registry (plugins/registry.c): NULL-terminated, and a lookup. */
extern const struct plugin_desc *const plugin_registry[];
const struct plugin_desc *plugin_find(const char *name);

#endif
