/*
 * cmd_report.c — campusmon report coverage|compliance [--csv] [--level L]
 * [--pdf FILE]: the auditors' reports as tables, CSV or a printable PDF.
 *
 * The PDF is made without a desktop and without handing the token to a
 * browser: campusmon renders the report's JSON as a self-contained A4 HTML
 * page (every string escaped, no scripts) in a private temporary folder and
 * runs Chromium's headless print-to-PDF on that file (common/exec.c: fork +
 * execve, minimal environment, timeout; as root it runs as nobody).
 */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/exec.h"

#define PDF_TIMEOUT_MS 120000

static const char *
str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static void
num_text(const json_t *v, char *buf, size_t len)
{
	if (json_is_number(v))
		cli_format_value(json_number_value(v), buf, len);
	else if (json_is_boolean(v))
		snprintf(buf, len, "%s", json_is_true(v) ? "yes" : "no");
	else if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else
		snprintf(buf, len, "-");
}

static const char *
pass_text(const json_t *p)
{
	return json_is_true(p) ? "pass" : json_is_false(p) ? "FAIL" : "unknown";
}

/* ---- tables ------------------------------------------------------------------------ */

static void
print_coverage(struct cli *c, const json_t *r)
{
	const json_t *o = json_object_get(r, "overall");
	char pct[32];
	num_text(json_object_get(o, "percent"), pct, sizeof(pct));
	fprintf(c->out, "Coverage: %lld of %lld inventoried monitored, %s%% (target %lld%%): %s\n\n",
	    (long long)json_integer_value(json_object_get(o, "monitored")),
	    (long long)json_integer_value(json_object_get(o, "inventoried")), pct,
	    (long long)json_integer_value(json_object_get(o, "target")),
	    pass_text(json_object_get(o, "pass")));
	struct cli_table *t = cli_table_new(4, (const char *[]){ "KIND", "INVENTORIED",
	    "MONITORED", "PERCENT" });
	size_t i;
	json_t *k;
	json_array_foreach(json_object_get(r, "by_kind"), i, k) {
		char inv[32], mon[32], p[32];
		num_text(json_object_get(k, "inventoried"), inv, sizeof(inv));
		num_text(json_object_get(k, "monitored"), mon, sizeof(mon));
		num_text(json_object_get(k, "percent"), p, sizeof(p));
		cli_table_add(t, (const char *[]){ str(k, "kind"), inv, mon, p });
	}
	cli_table_align_right(t, 1);
	cli_table_align_right(t, 2);
	cli_table_align_right(t, 3);
	cli_table_print(t, c->out);
	cli_table_free(t);
	const json_t *u = json_object_get(r, "unmonitored");
	if (json_array_size(u) > 0) {
		fprintf(c->out, "\nNot monitored:\n");
		t = cli_table_new(4, (const char *[]){ "NAME", "ADDRESS", "KIND", "WHY" });
		json_array_foreach(u, i, k)
			cli_table_add(t, (const char *[]){ str(k, "name"), str(k, "address"),
			    str(k, "kind"), str(k, "why") });
		cli_table_print(t, c->out);
		cli_table_free(t);
	}
	json_array_foreach(json_object_get(r, "notes"), i, k) {
		char *s = cli_escape(json_string_value(k));
		fprintf(c->out, "note: %s\n", s ? s : "");
		free(s);
	}
}

static void
print_compliance(struct cli *c, const json_t *r)
{
	fprintf(c->out, "Compliance at level %s\n\n", str(r, "level"));
	struct cli_table *t = cli_table_new(6, (const char *[]){ "INDICATOR", "CODE",
	    "THRESHOLD", "VALUE", "UNIT", "RESULT" });
	size_t i, k;
	json_t *ind, *ev;
	json_array_foreach(json_object_get(r, "indicators"), i, ind) {
		char th[32], v[32];
		num_text(json_object_get(ind, "threshold"), th, sizeof(th));
		num_text(json_object_get(ind, "value"), v, sizeof(v));
		cli_table_add(t, (const char *[]){ str(ind, "id"), str(ind, "code"), th, v,
		    str(ind, "unit"), pass_text(json_object_get(ind, "pass")) });
	}
	cli_table_align_right(t, 2);
	cli_table_align_right(t, 3);
	cli_table_print(t, c->out);
	cli_table_free(t);
	fprintf(c->out, "\nEvidence:\n");
	t = cli_table_new(4, (const char *[]){ "INDICATOR", "DEVICE", "WHAT", "VALUE" });
	json_array_foreach(json_object_get(r, "indicators"), i, ind)
		json_array_foreach(json_object_get(ind, "evidence"), k, ev) {
			char v[64];
			num_text(json_object_get(ev, "value"), v, sizeof(v));
			cli_table_add(t, (const char *[]){ str(ind, "id"), str(ev, "device"),
			    str(ev, "what"), v });
		}
	cli_table_print(t, c->out);
	cli_table_free(t);
}

/* ---- HTML for print ----------------------------------------------------------------- */

static void
html_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\t')
				fputc(*s, f);
		}
	}
}

static void
html_cell(FILE *f, const char *tag, const char *s)
{
	fprintf(f, "<%s>", tag);
	html_text(f, s);
	fprintf(f, "</%s>", tag);
}

static void
html_num(FILE *f, const json_t *v)
{
	char buf[64];
	num_text(v, buf, sizeof(buf));
	html_cell(f, "td", buf);
}

static void
html_head(FILE *f, const char *title, const json_t *r)
{
	char day[32];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	fputs("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>", f);
	html_text(f, title);
	fputs("</title><style>@page{size:A4;margin:16mm}body{font:10.5pt sans-serif;color:#000}"
	    "h1{font-size:16pt;margin:0 0 4mm}h2{font-size:12pt;margin:6mm 0 2mm}"
	    "table{border-collapse:collapse;width:100%}th,td{border:1px solid #888;padding:2px 5px;"
	    "text-align:left;vertical-align:top}tr{break-inside:avoid}.fail{font-weight:bold}"
	    ".sig{margin-top:18mm;display:flex;gap:12mm}.sig span{flex:1;border-top:1px solid #000;"
	    "padding-top:2mm}</style></head><body><h1>", f);
	html_text(f, title);
	fputs("</h1><p>", f);
	const char *school = str(r, "school");
	if (school[0]) {
		html_text(f, school);
		fputs(" · ", f);
	}
	fprintf(f, "%s</p>", day);
}

static void
html_foot(FILE *f)
{
	fputs("<div class=\"sig\"><span>Checked by (name)</span><span>Signature</span>"
	    "<span>Date</span></div></body></html>\n", f);
}

static void
html_coverage(FILE *f, const json_t *r)
{
	const json_t *o = json_object_get(r, "overall");
	html_head(f, "Monitoring coverage report", r);
	fputs("<table><tr><th>Inventoried</th><th>Monitored</th><th>Percent</th><th>Target</th>"
	    "<th>Result</th></tr><tr>", f);
	html_num(f, json_object_get(o, "inventoried"));
	html_num(f, json_object_get(o, "monitored"));
	html_num(f, json_object_get(o, "percent"));
	html_num(f, json_object_get(o, "target"));
	html_cell(f, "td", pass_text(json_object_get(o, "pass")));
	fputs("</tr></table><h2>By kind</h2><table><tr><th>Kind</th><th>Inventoried</th>"
	    "<th>Monitored</th><th>Percent</th></tr>", f);
	size_t i;
	json_t *k;
	json_array_foreach(json_object_get(r, "by_kind"), i, k) {
		fputs("<tr>", f);
		html_cell(f, "td", str(k, "kind"));
		html_num(f, json_object_get(k, "inventoried"));
		html_num(f, json_object_get(k, "monitored"));
		html_num(f, json_object_get(k, "percent"));
		fputs("</tr>", f);
	}
	fputs("</table><h2>Not monitored</h2><table><tr><th>Name</th><th>Address</th><th>Kind</th>"
	    "<th>Why</th></tr>", f);
	json_array_foreach(json_object_get(r, "unmonitored"), i, k) {
		fputs("<tr>", f);
		html_cell(f, "td", str(k, "name"));
		html_cell(f, "td", str(k, "address"));
		html_cell(f, "td", str(k, "kind"));
		html_cell(f, "td", str(k, "why"));
		fputs("</tr>", f);
	}
	fputs("</table>", f);
	html_foot(f);
}

static void
html_compliance(FILE *f, const json_t *r)
{
	char title[64];
	snprintf(title, sizeof(title), "Compliance report (level %s)", str(r, "level"));
	html_head(f, title, r);
	fputs("<table><tr><th>Indicator</th><th>Code</th><th>Threshold</th><th>Value</th>"
	    "<th>Result</th><th>Evidence</th></tr>", f);
	size_t i, k;
	json_t *ind, *ev;
	json_array_foreach(json_object_get(r, "indicators"), i, ind) {
		fputs("<tr>", f);
		html_cell(f, "td", str(ind, "name"));
		html_cell(f, "td", str(ind, "code"));
		char th[48], v[48];
		num_text(json_object_get(ind, "threshold"), th, sizeof(th));
		num_text(json_object_get(ind, "value"), v, sizeof(v));
		snprintf(th + strlen(th), sizeof(th) - strlen(th), " %s", str(ind, "unit"));
		html_cell(f, "td", th);
		html_cell(f, "td", v);
		html_cell(f, "td", pass_text(json_object_get(ind, "pass")));
		fputs("<td>", f);
		json_array_foreach(json_object_get(ind, "evidence"), k, ev) {
			char val[64];
			num_text(json_object_get(ev, "value"), val, sizeof(val));
			if (k > 0)
				fputs("<br>", f);
			html_text(f, str(ev, "device"));
			fputs(str(ev, "device")[0] ? ": " : "", f);
			html_text(f, str(ev, "what"));
			fputs(" = ", f);
			html_text(f, val);
		}
		fputs("</td></tr>", f);
	}
	fputs("</table>", f);
	html_foot(f);
}

/* ---- Chromium --------------------------------------------------------------------- */

static char *
find_chromium(void)
{
	const char *env = getenv("CAMPUSMON_CHROMIUM");
	if (env != NULL && env[0] == '/')
		return access(env, X_OK) == 0 ? strdup(env) : NULL;
	static const char *const names[] = { "chromium", "chromium-browser", "google-chrome",
		"google-chrome-stable", "headless_shell" };
	static const char *const dirs[] = { "/usr/bin", "/usr/local/bin", "/snap/bin",
		"/opt/google/chrome" };
	for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++)
		for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
			char path[256];
			snprintf(path, sizeof(path), "%s/%s", dirs[d], names[n]);
			if (access(path, X_OK) == 0)
				return strdup(path);
		}
	return NULL;
}

static int
copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
	char buf[65536];
	size_t n;
	int ok = in && out;
	while (ok && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		ok = fwrite(buf, 1, n, out) == n;
	if (in)
		fclose(in);
	if (out && fclose(out) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

static int
make_pdf(struct cli *c, const json_t *r, int compliance, const char *pdf)
{
	char *chrome = find_chromium();
	if (chrome == NULL) {
		cli_error(c, "--pdf needs Chromium (apt-get install chromium, or set "
		    "CAMPUSMON_CHROMIUM to its path)");
		return CLI_EXIT_USAGE;
	}
	char tmpl[] = "/tmp/campusmon-report-XXXXXX";
	char html[128], out[128], profile[128], home[160], urlarg[160], pdfarg[160];
	if (mkdtemp(tmpl) == NULL) {
		free(chrome);
		cli_error(c, "cannot make a temporary folder: %s", strerror(errno));
		return CLI_EXIT_USAGE;
	}
	snprintf(html, sizeof(html), "%s/report.html", tmpl);
	snprintf(out, sizeof(out), "%s/report.pdf", tmpl);
	snprintf(profile, sizeof(profile), "--user-data-dir=%s/profile", tmpl);
	snprintf(home, sizeof(home), "HOME=%s", tmpl);
	snprintf(urlarg, sizeof(urlarg), "file://%s", html);
	snprintf(pdfarg, sizeof(pdfarg), "--print-to-pdf=%s", out);
	FILE *f = fopen(html, "w");
	int rc = CLI_EXIT_API;
	struct exec_spec spec = { 0 };
	struct exec_result res = { 0 };
	char err[256] = "";
	if (f == NULL) {
		cli_error(c, "cannot write %s: %s", html, strerror(errno));
		goto done;
	}
	if (compliance)
		html_compliance(f, r);
	else
		html_coverage(f, r);
	fclose(f);
	chmod(html, 0644);
	/* Chromium never runs as root: as root, run it as nobody in the folder */
	if (geteuid() == 0) {
		if (exec_lookup_user("nobody", &spec.uid, &spec.gid, err, sizeof(err)) < 0 ||
		    chown(tmpl, spec.uid, spec.gid) < 0) {
			cli_error(c, "cannot run Chromium as nobody: %s", err[0] ? err : strerror(errno));
			goto done;
		}
		spec.switch_user = 1;
	}
	char *argv[] = { chrome, "--headless", "--disable-gpu", "--no-first-run",
		"--no-pdf-header-footer", "--disable-extensions", profile, pdfarg, urlarg, NULL };
	char *envp[] = { EXEC_DEFAULT_PATH, home, "LANG=C.UTF-8", NULL };
	spec.argv = argv;
	spec.envp = envp;
	spec.cwd = tmpl;
	spec.timeout_ms = PDF_TIMEOUT_MS;
	spec.output_cap = 8192;
	spec.capture_stderr = 1;
	struct stat sb;
	if (exec_run(&spec, &res, err, sizeof(err)) < 0) {
		cli_error(c, "cannot run %s: %s", chrome, err);
	} else if (stat(out, &sb) < 0 || sb.st_size == 0) {
		cli_error(c, "Chromium made no PDF (%s)", res.outcome == EXEC_TIMEOUT ? "timed out" :
		    "see its output below");
		fprintf(c->err, "%s\n", res.output ? res.output : "");
	} else if (copy_file(out, pdf) < 0) {
		cli_error(c, "cannot write %s: %s", pdf, strerror(errno));
		rc = CLI_EXIT_USAGE;
	} else {
		fprintf(c->err, "campusmon: wrote %s\n", pdf);
		rc = CLI_EXIT_OK;
	}
	if (res.output != NULL)
		exec_result_free(&res);
done:
	/* the profile folder holds many files: leave removal to a child rm */
	{
		char *rm[] = { "/bin/rm", "-rf", tmpl, NULL };
		struct exec_spec rs = { .argv = rm, .timeout_ms = 30000, .output_cap = 1,
			.switch_user = spec.switch_user, .uid = spec.uid, .gid = spec.gid };
		struct exec_result rr = { 0 };
		if (exec_run(&rs, &rr, err, sizeof(err)) == 0)
			exec_result_free(&rr);
		unlink(html);
		unlink(out);
		rmdir(tmpl);
	}
	free(chrome);
	return rc;
}

/* ---- the command ------------------------------------------------------------------ */

int
cmd_report(struct cli *c, const struct cli_args *args)
{
	const char *which = args->pos[0];
	int compliance = strcmp(which, "compliance") == 0;
	if (!compliance && strcmp(which, "coverage") != 0) {
		cli_error(c, "report is coverage or compliance, not '%s'", which);
		return CLI_EXIT_USAGE;
	}
	const char *level = cli_args_get(args, "level");
	const char *pdf = cli_args_get(args, "pdf");
	int csv = cli_args_get(args, "csv") != NULL;
	if (level != NULL && !compliance) {
		cli_error(c, "--level goes with the compliance report");
		return CLI_EXIT_USAGE;
	}
	if (pdf != NULL && (csv || pdf[0] == '\0')) {
		cli_error(c, "--pdf FILE makes a PDF; it does not go with --csv");
		return CLI_EXIT_USAGE;
	}
	struct cli_param params[] = { { "level", level }, { "format", csv ? "csv" : NULL } };
	json_t *j;
	int rc = cli_get_csv_or_json(c, compliance ? "/api/v1/reports/compliance" :
	    "/api/v1/reports/coverage", params, 2, csv, &j);
	if (j == NULL)
		return rc;
	if (pdf != NULL)
		rc = make_pdf(c, j, compliance, pdf);
	else if (c->json)
		cli_print_json(c, j);
	else if (compliance)
		print_compliance(c, j);
	else
		print_coverage(c, j);
	json_decref(j);
	return rc;
}
