/*
 * cmd_device.c — campusmon devices (the inventory) and device add / show /
 * edit / rm. SNMP secrets go to the collector in request bodies only: they
 * may come from files so they stay out of the process list, the buffers
 * that held them are wiped, and nothing here ever prints them (the
 * collector returns only which ones are set).
 */
#include "cli/cli.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"

#define SECRET_MAX 255		/* the collector's limit for a community or passphrase */

/* ---- reading a device --------------------------------------------------------- */

/*
 * GET /api/v1/devices/{id or name}. Returns CLI_EXIT_OK with *dev set (the
 * caller decrefs), or the exit code after printing why.
 */
static int
get_device(struct cli *c, const char *which, json_t **dev)
{
	*dev = NULL;
	char *path = cli_object_path(c, "/api/v1/devices", which);
	if (path == NULL)
		return CLI_EXIT_API;
	int rc = cli_call_json(c, "GET", path, NULL, "device", CLI_JSON_ID, dev);
	free(path);
	return rc;
}

/* The API path of a device fetched before, by its id. Heap, or NULL. */
static char *
device_path(struct cli *c, const json_t *dev, const char *suffix)
{
	char id[64], *base, *path = NULL;
	cli_id_text(json_object_get(dev, "id"), id, sizeof(id));
	if ((base = cli_object_path(c, "/api/v1/devices", id)) == NULL)
		return NULL;
	if (asprintf(&path, "%s%s", base, suffix) < 0)
		path = NULL;
	free(base);
	return path;
}

static const char *
str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s != NULL && s[0] != '\0' ? s : NULL;
}

/* "site/building/room" (what of it is set), or NULL. Heap. */
static char *
location_text(const json_t *dev)
{
	static const char *const keys[] = { "site", "building", "room" };
	char *out = NULL;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = str(dev, keys[i]);
		if (v == NULL)
			continue;
		char *g = NULL;
		if (asprintf(&g, "%s%s%s", out ? out : "", out ? "/" : "", v) < 0) {
			free(out);
			return NULL;
		}
		free(out);
		out = g;
	}
	return out;
}

/* "12s ago", or "never". */
static void
last_seen_text(const json_t *dev, char *buf, size_t len)
{
	const json_t *ls = json_object_get(dev, "last_seen");
	if (!json_is_number(ls) || json_number_value(ls) <= 0) {
		snprintf(buf, len, "never");
		return;
	}
	char age[32];
	cli_format_age(util_now() - json_number_value(ls), age, sizeof(age));
	snprintf(buf, len, "%s ago", age);
}

/* "addr:port", with brackets around an IPv6 address. */
static void
endpoint_text(const json_t *dev, char *buf, size_t len)
{
	const char *a = str(dev, "address");
	const json_t *p = json_object_get(dev, "port");
	int v6 = a != NULL && strchr(a, ':') != NULL;
	if (json_is_integer(p))
		snprintf(buf, len, "%s%s%s:%lld", v6 ? "[" : "", a ? a : "-", v6 ? "]" : "",
		    (long long)json_integer_value(p));
	else
		snprintf(buf, len, "%s", a ? a : "-");
}

/* ---- devices ------------------------------------------------------------------ */

static int
by_name(const void *a, const void *b)
{
	const char *x = str(*(json_t *const *)a, "name");
	const char *y = str(*(json_t *const *)b, "name");
	return strcmp(x ? x : "", y ? y : "");
}

int
cmd_devices(struct cli *c, const struct cli_args *args)
{
	const struct cli_param params[] = {
		{ "kind", cli_args_get(args, "kind") },
		{ "status", cli_args_get(args, "status") },
		{ "q", cli_args_get(args, "search") },
	};
	json_t *j;
	int rc = cli_get_array(c, "/api/v1/devices", params, 3, "device", 1, &j);
	if (j == NULL)
		return rc;
	size_t n = json_array_size(j);
	json_t **rows = calloc(n ? n : 1, sizeof(*rows));
	struct cli_table *t = cli_table_new(8, (const char *[]){ "ID", "NAME", "ADDRESS",
	    "KIND", "STATUS", "LOCATION", "LAST SEEN", "MONITORED" });
	if (rows == NULL || t == NULL) {
		free(rows);
		cli_table_free(t);
		json_decref(j);
		return CLI_EXIT_API;
	}
	for (size_t i = 0; i < n; i++)
		rows[i] = json_array_get(j, i);
	qsort(rows, n, sizeof(*rows), by_name);
	cli_table_align_right(t, 0);
	for (size_t i = 0; i < n; i++) {
		const json_t *d = rows[i];
		char id[64], seen[48];
		cli_id_text(json_object_get(d, "id"), id, sizeof(id));
		last_seen_text(d, seen, sizeof(seen));
		char *loc = location_text(d);
		cli_table_add(t, (const char *[]){ id, str(d, "name"), str(d, "address"),
		    str(d, "kind"), str(d, "status"), loc, seen,
		    json_is_true(json_object_get(d, "monitored")) ? "yes" : "no" });
		free(loc);
	}
	if (n > 0)
		cli_table_print(t, c->out);
	else if (params[0].value || params[1].value || params[2].value)
		fprintf(c->err, "campusmon: no devices match\n");
	else
		fprintf(c->err, "campusmon: no devices yet; add one with 'campusmon device add "
		    "ADDR' or sweep a range with 'campusmon discover CIDR'\n");
	cli_table_free(t);
	free(rows);
	json_decref(j);
	return CLI_EXIT_OK;
}

/* ---- the identity block of one device ----------------------------------------- */

static void
row(struct cli_table *t, const char *label, const char *value)
{
	cli_table_add(t, (const char *[]){ label, value });
}

/* "v3, user ops, auth SHA, priv AES" and the secrets that are set. */
static void
snmp_rows(struct cli_table *t, const json_t *snmp)
{
	const char *ver = str(snmp, "version");
	char buf[512];
	int v3 = ver != NULL && strcmp(ver, "3") == 0;
	if (v3) {
		const char *user = str(snmp, "user"), *ap = str(snmp, "auth_proto");
		const char *pp = str(snmp, "priv_proto");
		snprintf(buf, sizeof(buf), "v3, user %s%s%s%s%s", user ? user : "-",
		    ap ? ", auth " : "", ap ? ap : "", pp ? ", privacy " : "", pp ? pp : "");
	} else {
		snprintf(buf, sizeof(buf), "v%s", ver ? ver : "2c");
	}
	row(t, "snmp", buf);
	static const struct {
		const char *key, *label;
	} secrets[] = {
		{ "community_set", "community" },
		{ "auth_pass_set", "auth passphrase" },
		{ "priv_pass_set", "privacy passphrase" },
	};
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		if (json_is_true(json_object_get(snmp, secrets[i].key)))
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", o ? ", " : "",
			    secrets[i].label);
	row(t, "secrets set", o ? buf : "none");
}

static void
print_device(struct cli *c, const json_t *d)
{
	struct cli_table *t = cli_table_new(2, NULL);
	if (t == NULL)
		return;
	char buf[256];
	row(t, "name", str(d, "name"));
	cli_id_text(json_object_get(d, "id"), buf, sizeof(buf));
	row(t, "id", buf);
	endpoint_text(d, buf, sizeof(buf));
	row(t, "address", buf);
	if (str(d, "resolved_address") != NULL)	/* the address was a host name */
		row(t, "resolved", str(d, "resolved_address"));
	row(t, "kind", str(d, "kind"));
	row(t, "status", str(d, "status"));
	const json_t *iv = json_object_get(d, "interval");
	if (!json_is_true(json_object_get(d, "monitored")))
		snprintf(buf, sizeof(buf), "no");
	else if (json_is_integer(iv))
		snprintf(buf, sizeof(buf), "yes, every %llds", (long long)json_integer_value(iv));
	else
		snprintf(buf, sizeof(buf), "yes");
	row(t, "monitored", buf);
	last_seen_text(d, buf, sizeof(buf));
	row(t, "last seen", buf);
	const json_t *pd = json_object_get(d, "poll_duration");
	if (json_is_number(pd) && json_number_value(pd) > 0) {
		double s = json_number_value(pd);
		if (s < 1)
			snprintf(buf, sizeof(buf), "%.0f ms", s * 1000);
		else
			snprintf(buf, sizeof(buf), "%.2f s", s);
		row(t, "poll duration", buf);
	} else {
		row(t, "poll duration", NULL);
	}
	row(t, "sysDescr", str(d, "sys_descr"));
	row(t, "sysName", str(d, "sys_name"));
	row(t, "sysObjectID", str(d, "sys_object_id"));
	row(t, "sysLocation", str(d, "sys_location"));
	row(t, "sysContact", str(d, "sys_contact"));
	char *loc = location_text(d);
	row(t, "location", loc);
	free(loc);
	row(t, "rack", str(d, "rack"));
	row(t, "vendor", str(d, "vendor"));
	row(t, "model", str(d, "model"));
	row(t, "serial", str(d, "serial"));
	row(t, "asset tag", str(d, "asset_tag"));
	row(t, "firmware", str(d, "firmware"));
	/* the profiles that matched its last poll */
	const json_t *prof = json_object_get(d, "profiles");
	size_t o = 0, i;
	const json_t *p;
	buf[0] = '\0';
	json_array_foreach(prof, i, p)
		if (json_is_string(p) && o < sizeof(buf))
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", o ? ", " : "",
			    json_string_value(p));
	row(t, "profiles", o ? buf : NULL);
	snmp_rows(t, json_object_get(d, "snmp"));
	cli_table_print(t, c->out);
	cli_table_free(t);
}

/* ---- device show ---------------------------------------------------------------- */

/* GET a list under the device; *out is an array (the caller decrefs). */
static int
get_list(struct cli *c, const json_t *dev, const char *suffix, json_t **out)
{
	*out = NULL;
	char *path = device_path(c, dev, suffix);
	if (path == NULL)
		return CLI_EXIT_API;
	int rc = cli_get_array(c, path, NULL, 0, suffix + 1, 0, out);
	free(path);
	return rc;
}

static double
num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static void
print_interfaces(struct cli *c, const json_t *ifaces)
{
	if (json_array_size(ifaces) == 0) {
		fprintf(c->out, "\nNo interfaces (none polled yet).\n");
		return;
	}
	struct cli_table *t = cli_table_new(10, (const char *[]){ "INDEX", "NAME", "ALIAS",
	    "SPEED", "ADMIN", "OPER", "IN", "OUT", "IN ERR/S", "OUT ERR/S" });
	if (t == NULL)
		return;
	static const size_t right[] = { 0, 3, 6, 7, 8, 9 };
	for (size_t i = 0; i < sizeof(right) / sizeof(right[0]); i++)
		cli_table_align_right(t, right[i]);
	size_t i;
	const json_t *f;
	json_array_foreach(ifaces, i, f) {
		char idx[32], speed[32], in[32], out[32], ie[32], oe[32];
		cli_id_text(json_object_get(f, "index"), idx, sizeof(idx));
		cli_format_speed(num(f, "speed_bps"), speed, sizeof(speed));
		cli_format_si(num(f, "in_bps"), "bit/s", in, sizeof(in));
		cli_format_si(num(f, "out_bps"), "bit/s", out, sizeof(out));
		cli_format_si(num(f, "in_errors_ps"), "", ie, sizeof(ie));
		cli_format_si(num(f, "out_errors_ps"), "", oe, sizeof(oe));
		cli_table_add(t, (const char *[]){ idx, str(f, "name"), str(f, "alias"), speed,
		    str(f, "admin_status"), str(f, "oper_status"), in, out, ie, oe });
	}
	fprintf(c->out, "\nInterfaces:\n");
	cli_table_print(t, c->out);
	cli_table_free(t);
}

static void
print_sensors(struct cli *c, const json_t *sensors)
{
	if (json_array_size(sensors) == 0) {
		fprintf(c->out, "\nNo sensors.\n");
		return;
	}
	struct cli_table *t = cli_table_new(4, (const char *[]){ "NAME", "TYPE", "VALUE",
	    "STATE" });
	if (t == NULL)
		return;
	cli_table_align_right(t, 2);
	size_t i;
	const json_t *s;
	json_array_foreach(sensors, i, s) {
		char v[64], value[128];
		const char *unit = str(s, "unit");
		cli_format_value(num(s, "value"), v, sizeof(v));
		if (unit == NULL || strcmp(v, "-") == 0)
			snprintf(value, sizeof(value), "%s", v);
		else		/* "45%" but "23.5 °C" */
			snprintf(value, sizeof(value), "%s%s%.32s", v, strcmp(unit, "%") ? " " : "",
			    unit);
		cli_table_add(t, (const char *[]){ str(s, "name"), str(s, "type"), value,
		    str(s, "state") });
	}
	fprintf(c->out, "\nSensors:\n");
	cli_table_print(t, c->out);
	cli_table_free(t);
}

int
cmd_device_show(struct cli *c, const struct cli_args *args)
{
	json_t *dev, *ifaces = NULL, *sensors = NULL;
	int rc = get_device(c, args->pos[0], &dev);
	if (rc == CLI_EXIT_OK)
		rc = get_list(c, dev, "/interfaces", &ifaces);
	if (rc == CLI_EXIT_OK)
		rc = get_list(c, dev, "/sensors", &sensors);
	if (rc == CLI_EXIT_OK && c->json) {
		json_t *all = json_pack("{s:O, s:O, s:O}", "device", dev, "interfaces", ifaces,
		    "sensors", sensors);
		cli_print_json(c, all);
		json_decref(all);
	} else if (rc == CLI_EXIT_OK) {
		print_device(c, dev);
		print_interfaces(c, ifaces);
		print_sensors(c, sensors);
	}
	json_decref(dev);
	json_decref(ifaces);
	json_decref(sensors);
	return rc;
}

/* ---- device add / edit: options to a JSON body ------------------------------------ */

static int
one_of_ci(const char *v, const char *const *choices, const char **canon)
{
	for (size_t i = 0; choices[i] != NULL; i++)
		if (strcasecmp(v, choices[i]) == 0) {
			*canon = choices[i];
			return 1;
		}
	return 0;
}

/* Wipe a JSON string's bytes in place before it is freed (jansson owns a copy). */
static void
wipe_json_string(json_t *s)
{
	if (json_is_string(s))
		explicit_bzero((char *)json_string_value(s), json_string_length(s));
}

/*
 * The secret for one field: --OPT VALUE or --OPT-file F (first line of F;
 * "-" reads standard input, once). *out is a JSON string, or NULL when
 * neither was given. Returns CLI_EXIT_OK or CLI_EXIT_USAGE after saying why
 * (never with the secret in the message).
 */
static int
secret_option(struct cli *c, const struct cli_args *args, const char *opt, int *stdin_used,
    json_t **out)
{
	char file_opt[64];
	snprintf(file_opt, sizeof(file_opt), "%s-file", opt);
	const char *value = cli_args_get(args, opt), *file = cli_args_get(args, file_opt);
	*out = NULL;
	if (value != NULL && file != NULL) {
		cli_error(c, "give --%s or --%s, not both", opt, file_opt);
		return CLI_EXIT_USAGE;
	}
	if (value != NULL) {
		if (value[0] == '\0' || strlen(value) > SECRET_MAX) {
			cli_error(c, "--%s must be 1 to %d bytes", opt, SECRET_MAX);
			return CLI_EXIT_USAGE;
		}
		if ((*out = json_string(value)) == NULL) {
			cli_error(c, "--%s must be UTF-8 text", opt);
			return CLI_EXIT_USAGE;
		}
		return CLI_EXIT_OK;
	}
	if (file == NULL)
		return CLI_EXIT_OK;
	char buf[4096], line[SECRET_MAX + 1];
	size_t len;
	if (strcmp(file, "-") == 0) {
		if ((*stdin_used)++) {
			cli_error(c, "only one option may read standard input");
			return CLI_EXIT_USAGE;
		}
		len = fread(buf, 1, sizeof(buf) - 1, stdin);
	} else {
		struct stat st;
		FILE *f = fopen(file, "r");
		if (f == NULL) {
			cli_error(c, "--%s: cannot open %s: %s", file_opt, file, strerror(errno));
			return CLI_EXIT_USAGE;
		}
		if (fstat(fileno(f), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)))
			fprintf(c->err, "campusmon: warning: %s holds a secret but others may "
			    "read it (mode %03o); run: chmod 600 %s\n", file,
			    (unsigned)(st.st_mode & 0777), file);
		len = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	int bad = cli_first_line(buf, len, line, sizeof(line));
	explicit_bzero(buf, sizeof(buf));
	if (bad < 0) {
		cli_error(c, "--%s: the first line of %s must hold the secret (1 to %d bytes)",
		    file_opt, strcmp(file, "-") ? file : "standard input", SECRET_MAX);
		return CLI_EXIT_USAGE;
	}
	*out = json_string(line);
	explicit_bzero(line, sizeof(line));
	if (*out == NULL) {
		cli_error(c, "--%s: the secret must be UTF-8 text", file_opt);
		return CLI_EXIT_USAGE;
	}
	return CLI_EXIT_OK;
}

/* Wipe the secrets of an "snmp" object before it is freed. */
static void
wipe_snmp(json_t *snmp)
{
	wipe_json_string(json_object_get(snmp, "community"));
	wipe_json_string(json_object_get(snmp, "auth_pass"));
	wipe_json_string(json_object_get(snmp, "priv_pass"));
}

/* Wipe the secrets in a body made by device_body (once sent, or unused). */
static void
wipe_body(json_t *body)
{
	wipe_snmp(json_object_get(body, "snmp"));
}

/*
 * The JSON body for POST (creating) or PATCH from the options given.
 * Returns CLI_EXIT_OK with *out set, or CLI_EXIT_USAGE after saying why.
 * Ranges the collector checks (interval, kind) are left to it, so its
 * message is the one the user sees.
 */
static int
device_body(struct cli *c, const struct cli_args *args, const char *address, json_t **out)
{
	static const struct {
		const char *opt, *key;
	} texts[] = {
		{ "address", "address" }, { "name", "name" }, { "kind", "kind" },
		{ "site", "site" }, { "building", "building" }, { "room", "room" },
		{ "rack", "rack" }, { "serial", "serial" }, { "model", "model" },
		{ "asset-tag", "asset_tag" },
	};
	static const char *const versions[] = { "1", "2c", "3", NULL };
	static const char *const auths[] = { "MD5", "SHA", "SHA-224", "SHA-256", "SHA-384",
		"SHA-512", NULL };
	static const char *const privs[] = { "DES", "AES", "AES-192", "AES-256", "AES-192C",
		"AES-256C", NULL };
	json_t *body = json_object(), *snmp = json_object();
	int rc = CLI_EXIT_USAGE, stdin_used = 0;
	*out = NULL;
	if (body == NULL || snmp == NULL) {
		cli_error(c, "out of memory");
		rc = CLI_EXIT_API;
		goto done;
	}
	if (address != NULL && json_object_set_new(body, "address", json_string(address)) < 0) {
		cli_error(c, "ADDR must be UTF-8 text");
		goto done;
	}
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		const char *v = cli_args_get(args, texts[i].opt);
		if (v != NULL && json_object_set_new(body, texts[i].key, json_string(v)) < 0) {
			cli_error(c, "--%s must be UTF-8 text", texts[i].opt);
			goto done;
		}
	}
	const char *port = cli_args_get(args, "port");
	if (port != NULL) {
		char *end;
		long p = strtol(port, &end, 10);
		if (end == port || *end != '\0' || p < 1 || p > 65535) {
			cli_error(c, "--port must be a UDP port from 1 to 65535");
			goto done;
		}
		json_object_set_new(body, "port", json_integer(p));
	}
	const char *interval = cli_args_get(args, "interval");
	if (interval != NULL) {
		char *end;
		errno = 0;
		long long s = strtoll(interval, &end, 10);
		if (end == interval || *end != '\0' || errno != 0 || !isdigit((unsigned char)*interval)) {
			cli_error(c, "--interval must be whole seconds, e.g. 60");
			goto done;
		}
		json_object_set_new(body, "interval", json_integer(s));
	}
	int mon = cli_args_get(args, "monitored") != NULL;
	int unmon = cli_args_get(args, "unmonitored") != NULL;
	if (mon && unmon) {
		cli_error(c, "give --monitored or --unmonitored, not both");
		goto done;
	}
	if (mon || unmon)
		json_object_set_new(body, "monitored", json_boolean(mon));

	/* SNMP */
	const char *ver = cli_args_get(args, "version");
	const char *user = cli_args_get(args, "v3-user");
	const char *ap = cli_args_get(args, "auth-proto"), *pp = cli_args_get(args, "priv-proto");
	if (ver != NULL && strcasecmp(ver, "v2c") == 0)
		ver = "2c";
	else if (ver != NULL && (strcasecmp(ver, "v1") == 0 || strcasecmp(ver, "v3") == 0))
		ver++;
	if (ver != NULL && !one_of_ci(ver, versions, &ver)) {
		cli_error(c, "--version must be 1, 2c or 3");
		goto done;
	}
	if (ver == NULL && user != NULL)
		ver = "3";
	if (ap != NULL && !one_of_ci(ap, auths, &ap)) {
		cli_error(c, "--auth-proto must be MD5, SHA, SHA-224, SHA-256, SHA-384 or SHA-512");
		goto done;
	}
	if (pp != NULL && !one_of_ci(pp, privs, &pp)) {
		cli_error(c, "--priv-proto must be DES, AES, AES-192, AES-256, AES-192C or "
		    "AES-256C");
		goto done;
	}
	json_t *community, *auth_pass, *priv_pass;
	if ((rc = secret_option(c, args, "community", &stdin_used, &community)) != CLI_EXIT_OK)
		goto done;
	rc = CLI_EXIT_USAGE;
	if (community != NULL)
		json_object_set_new(snmp, "community", community);
	if ((rc = secret_option(c, args, "auth-pass", &stdin_used, &auth_pass)) != CLI_EXIT_OK)
		goto done;
	rc = CLI_EXIT_USAGE;
	if (auth_pass != NULL)
		json_object_set_new(snmp, "auth_pass", auth_pass);
	if ((rc = secret_option(c, args, "priv-pass", &stdin_used, &priv_pass)) != CLI_EXIT_OK)
		goto done;
	rc = CLI_EXIT_USAGE;
	if (priv_pass != NULL)
		json_object_set_new(snmp, "priv_pass", priv_pass);
	int v3_opts = user || ap || pp || auth_pass || priv_pass;
	if (ver != NULL && strcmp(ver, "3") != 0 && v3_opts) {
		cli_error(c, "--v3-user, --auth-* and --priv-* are for SNMP version 3, not %s",
		    ver);
		goto done;
	}
	if (ver != NULL && strcmp(ver, "3") == 0 && community != NULL) {
		cli_error(c, "--community is for SNMP versions 1 and 2c; version 3 uses "
		    "--v3-user and passphrases");
		goto done;
	}
	if (user != NULL && json_object_set_new(snmp, "user", json_string(user)) < 0) {
		cli_error(c, "--v3-user must be UTF-8 text");
		goto done;
	}
	if (ver != NULL)
		json_object_set_new(snmp, "version", json_string(ver));
	if (ap != NULL)
		json_object_set_new(snmp, "auth_proto", json_string(ap));
	if (pp != NULL)
		json_object_set_new(snmp, "priv_proto", json_string(pp));
	if (json_object_size(snmp) > 0)
		json_object_set(body, "snmp", snmp);
	if (json_object_size(body) == 0) {
		cli_error(c, "nothing to change: give at least one option (see 'campusmon help "
		    "device edit')");
		goto done;
	}
	*out = body;
	body = NULL;
	rc = CLI_EXIT_OK;
done:
	if (rc != CLI_EXIT_OK)
		wipe_snmp(snmp);	/* on success *out holds it, to be sent */
	json_decref(snmp);
	json_decref(body);
	return rc;
}

/* Send a device body; on success print the device as the collector has it. */
static int
send_device(struct cli *c, const char *method, const char *path, json_t *body,
    const char *verb)
{
	char *text = json_dumps(body, JSON_COMPACT);
	wipe_body(body);
	if (text == NULL) {
		cli_error(c, "out of memory");
		return CLI_EXIT_API;
	}
	json_t *dev;
	int rc = cli_call_json(c, method, path, text, "device", 0, &dev);
	explicit_bzero(text, strlen(text));
	free(text);
	if (rc != CLI_EXIT_OK)
		return rc;
	if (c->json) {
		cli_print_json(c, dev);
	} else {
		char id[64];
		char *name = cli_escape(str(dev, "name"));
		cli_id_text(json_object_get(dev, "id"), id, sizeof(id));
		cli_escape_inplace(id);
		fprintf(c->out, "%s device %s (id %s).\n", verb, name ? name : "-", id);
		free(name);
		print_device(c, dev);
	}
	json_decref(dev);
	return CLI_EXIT_OK;
}

int
cmd_device_add(struct cli *c, const struct cli_args *args)
{
	json_t *body;
	int rc = device_body(c, args, args->pos[0], &body);
	if (rc != CLI_EXIT_OK)
		return rc;
	rc = send_device(c, "POST", "/api/v1/devices", body, "Added");
	json_decref(body);
	return rc;
}

int
cmd_device_edit(struct cli *c, const struct cli_args *args)
{
	json_t *body, *dev;
	int rc = device_body(c, args, NULL, &body);	/* usage errors before any request */
	if (rc != CLI_EXIT_OK)
		return rc;
	if ((rc = get_device(c, args->pos[0], &dev)) == CLI_EXIT_OK) {
		char *path = device_path(c, dev, "");
		rc = path ? send_device(c, "PATCH", path, body, "Changed") : CLI_EXIT_API;
		free(path);
		json_decref(dev);
	}
	wipe_body(body);
	json_decref(body);
	return rc;
}

int
cmd_device_rm(struct cli *c, const struct cli_args *args)
{
	json_t *dev;
	int rc = get_device(c, args->pos[0], &dev);
	if (rc != CLI_EXIT_OK)
		return rc;
	char *path = device_path(c, dev, "");
	struct cli_reply r;
	rc = path ? cli_call(c, "DELETE", path, NULL, 0, NULL, &r) : CLI_EXIT_API;
	free(path);
	if (rc == CLI_EXIT_OK) {
		cli_reply_free(&r);
		if (!c->json) {
			char id[64];
			char *name = cli_escape(str(dev, "name"));
			cli_id_text(json_object_get(dev, "id"), id, sizeof(id));
			cli_escape_inplace(id);
			fprintf(c->out, "Removed device %s (id %s).\n", name ? name : "-", id);
			free(name);
		}
	}
	json_decref(dev);
	return rc;
}
