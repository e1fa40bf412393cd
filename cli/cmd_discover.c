/*
 * cmd_discover.c — campusmon discover: start a sweep (CIDR) or a seeded
 * discovery (--seed, --allow) on the collector, show its progress (rewritten
 * in place on a terminal, a line every few seconds otherwise), then what it
 * found and, for seeded runs, what it skipped and why. The communities tried
 * are secrets: they go in the request body only and are never printed.
 */
#include "cli/cli.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"

#define POLL_INTERVAL_MS 500
#define LOG_EVERY 5.0			/* seconds between progress lines off a terminal */
#define MAX_COMMUNITIES 16
#define COMMUNITY_MAX 255

static json_int_t
int_of(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? json_integer_value(v) : 0;
}

static void
wipe_list(json_t *list)
{
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v)
		if (json_is_string(v))
			explicit_bzero((char *)json_string_value(v), json_string_length(v));
}

/* Add one community to list; CLI_EXIT_USAGE after saying why. */
static int
add_community(struct cli *c, json_t *list, const char *s, size_t len, const char *from)
{
	char buf[COMMUNITY_MAX + 1];
	if (len == 0 || len > COMMUNITY_MAX || memchr(s, '\0', len) != NULL) {
		cli_error(c, "%s: a community is 1 to %d bytes", from, COMMUNITY_MAX);
		return CLI_EXIT_USAGE;
	}
	if (json_array_size(list) >= MAX_COMMUNITIES) {
		cli_error(c, "at most %d communities per sweep", MAX_COMMUNITIES);
		return CLI_EXIT_USAGE;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	json_t *j = json_string(buf);
	explicit_bzero(buf, sizeof(buf));
	if (j == NULL) {
		cli_error(c, "%s: a community must be UTF-8 text", from);
		return CLI_EXIT_USAGE;
	}
	json_array_append_new(list, j);
	return CLI_EXIT_OK;
}

/* --community (repeated) and --community-file (one per line) into *out, or
 * NULL when neither was given (the collector's own list is used). */
static int
communities(struct cli *c, const struct cli_args *args, json_t **out)
{
	json_t *list = json_array();
	int rc = CLI_EXIT_OK;
	*out = NULL;
	if (list == NULL)
		return CLI_EXIT_API;
	for (size_t i = 0; i < args->n_set && rc == CLI_EXIT_OK; i++)
		if (strcmp(args->set[i].name, "community") == 0)
			rc = add_community(c, list, args->set[i].value, strlen(args->set[i].value),
			    "--community");
	const char *file = cli_args_get(args, "community-file");
	if (rc == CLI_EXIT_OK && file != NULL) {
		char buf[8192];
		size_t len;
		FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
		if (f == NULL) {
			cli_error(c, "--community-file: cannot open %s: %s", file, strerror(errno));
			rc = CLI_EXIT_USAGE;
		} else {
			len = fread(buf, 1, sizeof(buf), f);
			if (len == sizeof(buf) && !feof(f)) {
				cli_error(c, "--community-file: %s is larger than %zu bytes", file,
				    sizeof(buf) - 1);
				rc = CLI_EXIT_USAGE;
			}
			if (f != stdin)
				fclose(f);
			for (size_t at = 0; rc == CLI_EXIT_OK && at < len;) {
				size_t n = 0;
				while (at + n < len && buf[at + n] != '\n')
					n++;
				size_t l = n > 0 && buf[at + n - 1] == '\r' ? n - 1 : n;
				if (l > 0)	/* blank lines are skipped */
					rc = add_community(c, list, buf + at, l, "--community-file");
				at += n + 1;
			}
			explicit_bzero(buf, sizeof(buf));
			if (rc == CLI_EXIT_OK && json_array_size(list) == 0) {
				cli_error(c, "--community-file: %s holds no community", file);
				rc = CLI_EXIT_USAGE;
			}
		}
	}
	if (rc != CLI_EXIT_OK || json_array_size(list) == 0) {
		wipe_list(list);
		json_decref(list);
		return rc;
	}
	*out = list;
	return CLI_EXIT_OK;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* elapsed: seconds since we asked (our clock, not the collector's) */
static void
progress_text(const json_t *job, double elapsed, char *buf, size_t len)
{
	char id[64];
	cli_id_text(json_object_get(job, "id"), id, sizeof(id));
	cli_escape_inplace(id);
	char age[32];
	cli_format_age(elapsed, age, sizeof(age));
	const char *type = json_string_value(json_object_get(job, "type"));
	if (type != NULL && strcmp(type, "seeded") == 0) {
		snprintf(buf, len, "discovery %s: tried %lld, found %lld, added %lld, skipped "
		    "%lld, %lld queued (%s)", id, (long long)int_of(job, "tried"),
		    (long long)int_of(job, "found_count"), (long long)int_of(job, "added"),
		    (long long)int_of(job, "skipped_count"), (long long)int_of(job, "queued"), age);
		return;
	}
	snprintf(buf, len, "discovery %s: %lld/%lld addresses probed, %lld SNMP, %lld seen "
	    "without SNMP (%s)", id, (long long)int_of(job, "probed"),
	    (long long)int_of(job, "total"), (long long)int_of(job, "snmp"),
	    (long long)int_of(job, "seen"), age);
}

/* snmp first, then icmp, tcp; by address within each. */
static int
via_rank(const json_t *f)
{
	const char *v = json_string_value(json_object_get(f, "via"));
	return v == NULL ? 3 : strcmp(v, "snmp") == 0 ? 0 : strcmp(v, "icmp") == 0 ? 1 : 2;
}

static int
by_found(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int rx = via_rank(x), ry = via_rank(y);
	if (rx != ry)
		return rx - ry;
	const char *ax = json_string_value(json_object_get(x, "address"));
	const char *ay = json_string_value(json_object_get(y, "address"));
	unsigned char bx[16] = { 0 }, by[16] = { 0 };
	int fx = ax == NULL ? 0 : inet_pton(AF_INET, ax, bx) == 1 ? 4 :
	    inet_pton(AF_INET6, ax, bx) == 1 ? 6 : 0;
	int fy = ay == NULL ? 0 : inet_pton(AF_INET, ay, by) == 1 ? 4 :
	    inet_pton(AF_INET6, ay, by) == 1 ? 6 : 0;
	if (fx != fy)
		return fx - fy;
	if (fx != 0)
		return memcmp(bx, by, sizeof(bx));
	return strcmp(ax ? ax : "", ay ? ay : "");
}

/* Seconds the job ran, by the collector's clock (0 while it runs). */
static double
took_of(const json_t *job)
{
	const json_t *st = json_object_get(job, "started"), *fin = json_object_get(job, "finished");
	double took = json_is_number(st) && json_is_number(fin) ?
	    json_number_value(fin) - json_number_value(st) : 0;
	return took < 0 ? 0 : took;
}

static void
print_found(struct cli *c, const json_t *job)
{
	const json_t *found = json_object_get(job, "found");
	size_t n = json_array_size(found), added = 0;
	if (n > 0) {
		json_t **rows = calloc(n, sizeof(*rows));
		struct cli_table *t = cli_table_new(5, (const char *[]){ "ADDRESS", "NAME",
		    "KIND", "VIA", "ADDED" });
		if (rows != NULL && t != NULL) {
			for (size_t i = 0; i < n; i++)
				rows[i] = json_array_get(found, i);
			qsort(rows, n, sizeof(*rows), by_found);
			for (size_t i = 0; i < n; i++) {
				const json_t *f = rows[i];
				int add = json_is_true(json_object_get(f, "added"));
				added += add;
				cli_table_add(t, (const char *[]){
				    json_string_value(json_object_get(f, "address")),
				    json_string_value(json_object_get(f, "name")),
				    json_string_value(json_object_get(f, "kind")),
				    json_string_value(json_object_get(f, "via")), add ? "yes" : "no" });
			}
			cli_table_print(t, c->out);
			fputc('\n', c->out);
		}
		cli_table_free(t);
		free(rows);
	}
	long long total = int_of(job, "total");
	fprintf(c->out, "Swept %lld address%s in %.1fs: %lld answered SNMP, %lld seen without "
	    "SNMP; %zu new in the inventory.\n", total, total == 1 ? "" : "es", took_of(job),
	    (long long)int_of(job, "snmp"), (long long)int_of(job, "seen"), added);
}

static const char *
jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void
print_seeded(struct cli *c, const json_t *job)
{
	const json_t *found = json_object_get(job, "found"), *skipped = json_object_get(job,
	    "skipped");
	size_t i;
	json_t *f;
	if (json_array_size(found) > 0) {
		struct cli_table *t = cli_table_new(6, (const char *[]){ "ADDRESS", "NAME", "KIND",
		    "CREDENTIAL", "ADDED", "VIA" });
		json_array_foreach(found, i, f)
			cli_table_add(t, (const char *[]){ jstr(f, "address"), jstr(f, "name"),
			    jstr(f, "kind"), jstr(f, "credential"),
			    json_is_true(json_object_get(f, "added")) ? "yes" : "no",
			    jstr(f, "via") ? jstr(f, "via") : "(seed)" });
		cli_table_print(t, c->out);
		cli_table_free(t);
		fputc('\n', c->out);
	}
	if (json_array_size(skipped) > 0) {
		struct cli_table *t = cli_table_new(3, (const char *[]){ "SKIPPED", "WHY", "VIA" });
		json_array_foreach(skipped, i, f)
			cli_table_add(t, (const char *[]){ jstr(f, "address"), jstr(f, "reason"),
			    jstr(f, "via") ? jstr(f, "via") : "(seed)" });
		cli_table_print(t, c->out);
		cli_table_free(t);
		fputc('\n', c->out);
	}
	fprintf(c->out, "Seeded discovery in %.1fs: tried %lld, found %lld, added %lld, "
	    "skipped %lld.\n", took_of(job), (long long)int_of(job, "tried"),
	    (long long)int_of(job, "found_count"), (long long)int_of(job, "added"),
	    (long long)int_of(job, "skipped_count"));
}

/* --allow (repeated, or commas) into a JSON list. */
static json_t *
allow_list(const struct cli_args *args)
{
	json_t *list = json_array();
	for (size_t i = 0; list != NULL && i < args->n_set; i++) {
		if (strcmp(args->set[i].name, "allow") != 0)
			continue;
		char *copy = strdup(args->set[i].value), *save = NULL;
		for (char *tok = copy ? strtok_r(copy, ", ", &save) : NULL; tok;
		    tok = strtok_r(NULL, ", ", &save))
			json_array_append_new(list, json_string(tok));
		free(copy);
	}
	return list;
}

/* --credentials-file F: a JSON list as in the API (v2c and v3 entries). */
static int
credentials_file(struct cli *c, const char *file, json_t **out)
{
	json_error_t e;
	*out = strcmp(file, "-") == 0 ? json_loadf(stdin, 0, &e) : json_load_file(file, 0, &e);
	if (!json_is_array(*out)) {
		cli_error(c, "--credentials-file: %s: a JSON list such as [{\"version\": \"2c\", "
		    "\"community\": \"...\"}] (%s)", file, *out ? "not a list" : e.text);
		json_decref(*out);
		*out = NULL;
		return CLI_EXIT_USAGE;
	}
	return CLI_EXIT_OK;
}

static int wait_job(struct cli *c, const char *path, json_t *job, json_t **out);

/* How a kind of job is told: started (with --no-wait; id is escaped) and done. */
struct job_kind {
	void (*started)(struct cli *c, const json_t *job, const char *id);
	void (*done)(struct cli *c, const json_t *job);
};

/*
 * POST body (taken; secrets, a list of strings in it or NULL, is wiped with
 * the request text) to /api/v1/discovery, then with --no-wait say the job
 * started, else show its progress until it is done and print it (--json:
 * the API's objects).
 */
static int
run_job(struct cli *c, const struct cli_args *args, json_t *body, json_t *secrets,
    const struct job_kind *kind)
{
	char *text = json_dumps(body, JSON_COMPACT);
	wipe_list(secrets);
	json_decref(body);
	if (text == NULL)
		return CLI_EXIT_API;
	json_t *job;
	int rc = cli_call_json(c, "POST", "/api/v1/discovery", text, "discovery job", CLI_JSON_ID,
	    &job);
	explicit_bzero(text, strlen(text));
	free(text);
	if (rc != CLI_EXIT_OK)
		return rc;
	char id[64];
	cli_id_text(json_object_get(job, "id"), id, sizeof(id));
	if (cli_args_get(args, "no-wait") != NULL) {
		if (c->json) {
			cli_print_json(c, job);
		} else {
			cli_escape_inplace(id);
			kind->started(c, job, id);
		}
		json_decref(job);
		return CLI_EXIT_OK;
	}
	char *path = cli_object_path(c, "/api/v1/discovery", id);
	json_t *final = NULL;
	rc = path ? wait_job(c, path, job, &final) : CLI_EXIT_API;
	free(path);
	json_decref(job);
	if (rc != CLI_EXIT_OK)
		return rc;
	if (c->json)
		cli_print_json(c, final);
	else
		kind->done(c, final);
	json_decref(final);
	return CLI_EXIT_OK;
}

static void
seeded_started(struct cli *c, const json_t *job, const char *id)
{
	(void)job;
	fprintf(c->out, "Started seeded discovery %s; its progress is at GET "
	    "/api/v1/discovery/%s, and devices appear as they answer ('campusmon "
	    "devices').\n", id, id);
}

static void
sweep_started(struct cli *c, const json_t *job, const char *id)
{
	long long total = int_of(job, "total");
	fprintf(c->out, "Started discovery %s over %lld address%s; the collector "
	    "adds what answers SNMP as it goes ('campusmon devices').\n", id,
	    total, total == 1 ? "" : "es");
}

static int
discover_seeded(struct cli *c, const struct cli_args *args, long port)
{
	json_t *body = json_object(), *seeds = json_array(), *comm = NULL, *creds = NULL;
	for (size_t i = 0; i < args->n_set; i++)
		if (strcmp(args->set[i].name, "seed") == 0)
			json_array_append_new(seeds, json_string(args->set[i].value));
	json_t *allow = allow_list(args);
	if (json_array_size(allow) == 0) {
		cli_error(c, "--seed needs --allow CIDR: the ranges discovery may send to");
		json_decref(allow);
		json_decref(seeds);
		json_decref(body);
		return CLI_EXIT_USAGE;
	}
	int rc = communities(c, args, &comm);
	const char *cf = cli_args_get(args, "credentials-file");
	if (rc == CLI_EXIT_OK && cf != NULL)
		rc = credentials_file(c, cf, &creds);
	if (rc != CLI_EXIT_OK) {
		json_decref(allow);
		json_decref(seeds);
		json_decref(body);
		return rc;
	}
	if (comm != NULL) {
		if (creds == NULL)
			creds = json_array();
		size_t i;
		json_t *v;
		json_array_foreach(comm, i, v)
			json_array_append_new(creds, json_pack("{s:s, s:s}", "version", "2c",
			    "community", json_string_value(v)));	/* a copy: comm is wiped */
		wipe_list(comm);
		json_decref(comm);
	}
	json_object_set_new(body, "seeds", seeds);
	json_object_set_new(body, "allowed", allow);
	json_object_set_new(body, "recursive", json_boolean(cli_args_get(args, "no-recurse") == NULL));
	if (creds != NULL)
		json_object_set_new(body, "credentials", creds);
	if (port > 0)
		json_object_set_new(body, "port", json_integer(port));
	static const struct job_kind seeded = { seeded_started, print_seeded };
	return run_job(c, args, body, NULL, &seeded);
}

/* Poll the job until it is done; returns it (the caller decrefs) in *out. */
static int
wait_job(struct cli *c, const char *path, json_t *job, json_t **out)
{
	int tty = isatty(fileno(c->err));
	size_t shown = 0;		/* length of the line on the terminal */
	double last_line = 0, t0 = util_monotonic();
	char line[256];
	json_incref(job);
	for (;;) {
		const char *state = json_string_value(json_object_get(job, "state"));
		int done = state != NULL && strcmp(state, "done") == 0;
		progress_text(job, util_monotonic() - t0, line, sizeof(line));
		if (tty) {
			size_t len = strlen(line);
			fprintf(c->err, "\r%s%*s", line, shown > len ? (int)(shown - len) : 0, "");
			shown = len;
		} else if (!done && util_monotonic() - last_line >= LOG_EVERY) {
			fprintf(c->err, "campusmon: %s\n", line);
			last_line = util_monotonic();
		}
		fflush(c->err);
		if (done)
			break;
		sleep_ms(POLL_INTERVAL_MS);
		struct cli_reply r;
		int rc = cli_call(c, "GET", path, NULL, 0, NULL, &r);
		json_t *next = rc == CLI_EXIT_OK ? cli_reply_json(c, &r) : NULL;
		if (rc == CLI_EXIT_OK)
			cli_reply_free(&r);
		if (!json_is_object(next)) {
			if (tty && shown)
				fputc('\n', c->err);
			if (rc == CLI_EXIT_OK && next != NULL)
				cli_error(c, "the collector's discovery job is not a JSON object");
			json_decref(next);
			json_decref(job);
			return rc == CLI_EXIT_OK ? CLI_EXIT_API : rc;
		}
		json_decref(job);
		job = next;
	}
	if (tty)	/* the summary says it all: clear the progress line */
		fprintf(c->err, "\r%*s\r", (int)shown, "");
	*out = job;
	return CLI_EXIT_OK;
}

int
cmd_discover(struct cli *c, const struct cli_args *args)
{
	const char *ranges = args->n_pos > 0 ? args->pos[0] : NULL;
	const char *port = cli_args_get(args, "port");
	long p = 0;
	int seeded = cli_args_get(args, "seed") != NULL;
	if (seeded && ranges != NULL) {
		cli_error(c, "give either CIDR (a sweep) or --seed (seeded discovery), not both");
		return CLI_EXIT_USAGE;
	}
	if (!seeded && ranges == NULL) {
		cli_error(c, "usage: campusmon discover CIDR[,CIDR...] | --seed ADDR --allow "
		    "CIDR... [options] (see 'campusmon help discover')");
		return CLI_EXIT_USAGE;
	}
	if (!seeded && (ranges[0] == '\0' || strlen(ranges) > 4096)) {
		cli_error(c, "CIDR must be a range such as 10.1.2.0/24, or several separated "
		    "by commas");
		return CLI_EXIT_USAGE;
	}
	if (port != NULL) {
		char *end;
		p = strtol(port, &end, 10);
		if (end == port || *end != '\0' || p < 1 || p > 65535) {
			cli_error(c, "--port must be a UDP port from 1 to 65535");
			return CLI_EXIT_USAGE;
		}
	}
	if (seeded)
		return discover_seeded(c, args, p);
	json_t *comm;
	int rc = communities(c, args, &comm);
	if (rc != CLI_EXIT_OK)
		return rc;
	json_t *body = json_object();
	if (body == NULL || json_object_set_new(body, "ranges", json_string(ranges)) < 0) {
		cli_error(c, "CIDR must be UTF-8 text");
		wipe_list(comm);
		json_decref(comm);
		json_decref(body);
		return CLI_EXIT_USAGE;
	}
	if (comm != NULL)
		json_object_set_new(body, "communities", comm);
	if (p > 0)
		json_object_set_new(body, "port", json_integer(p));
	static const struct job_kind sweep = { sweep_started, print_found };
	return run_job(c, args, body, comm, &sweep);
}
