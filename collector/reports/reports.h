/*
 * reports.h — coverage and compliance reports for auditors, and the asset
 * register they are measured against (DESIGN §9 "Reports").
 *
 *   csv.c         CSV in (any of UTF-8, UTF-8 with BOM, GBK/GB18030, UTF-16
 *                 as Excel writes them) and out (formulas neutralised)
 *   register.c    the asset register in memory and matching assets to devices
 *   coverage.c    what is inventoried, what is monitored, and why not
 *   compliance.c  the guide's indicators measured from live and stored data
 *   reports.c     the subsystem: register loaded at start, a daily snapshot
 *   api_reports.c /api/v1/reports/..., /api/v1/assets
 *
 * Everything but the *_run functions runs on the loop thread.
 */
#ifndef CAMPUSMON_REPORTS_H
#define CAMPUSMON_REPORTS_H

#include <stddef.h>
#include <stdint.h>

#include "common/cfg.h"
#include "collector/http/http.h"

struct collector;
struct json_t;
struct evbuffer;
struct device;
struct statedb;

/* ---- register.c: assets ------------------------------------------------- */
enum asset_col {
	AC_TAG, AC_SERIAL, AC_NAME, AC_MODEL, AC_KIND, AC_BUILDING, AC_ROOM, AC_RACK,
	AC_OWNER, AC_ADDRESS, AC_MAC, AC_N
};
/* The CSV and JSON names, in the contract's order. */
extern const char *const asset_col_names[AC_N];
#define ASSET_FIELD_MAX 256		/* bytes of one field */

struct asset {
	char *f[AC_N];			/* heap, never NULL ("" when empty) */
};

struct asset_list {
	struct asset *v;
	size_t n, cap;
};

void asset_list_clear(struct asset_list *l);
/* Append a copy of the fields (NULL → ""); -1 out of memory. */
int asset_list_add(struct asset_list *l, const char *const f[AC_N]);

/* How an asset matched a device: "serial", "mac", "address", "name", or NULL. */
struct asset_match {
	const struct device *device;
	const char *by;
};
/* Match every asset of l against the device table, most trusted key first:
 * serial, MAC, address, name. m has l->n entries. */
void assets_match(struct collector *c, const struct asset_list *l, struct asset_match *m);
/* Normalise a MAC to "aa:bb:cc:dd:ee:ff" into out[18]; 0, or -1 if it is none. */
int mac_normalise(const char *in, char out[18]);

/* ---- csv.c ------------------------------------------------------------------ */
/* The body as UTF-8 (heap, NUL-terminated, BOM removed) whatever Excel wrote:
 * UTF-8 with or without BOM, UTF-16 with BOM, else GB18030 (a superset of
 * GBK). NULL with err naming the row where it is neither. */
char *csv_to_utf8(const char *data, size_t len, const char **encoding, char *err,
    size_t errlen);
/* Parse an asset CSV (UTF-8 text): a header naming every column of
 * asset_col_names (any order, extra columns ignored), then one asset per
 * row; max_rows bounds the rows. 0, or -1 with err naming the row. */
int assets_csv_parse(const char *text, struct asset_list *out, long long max_rows, char *err,
    size_t errlen);
/* Append one CSV field, quoted when needed; a field that a spreadsheet would
 * run as a formula (= + - @ tab CR first) gets a leading '. */
void csv_field(struct evbuffer *out, const char *s, int last);

/* ---- coverage.c ------------------------------------------------------------ */
/* The DESIGN §9 coverage object (new ref) from the live state. items, when
 * not NULL, receives every inventoried item [{name, address, kind, monitored,
 * why, sources}] (new ref) for the CSV. */
struct json_t *coverage_build(struct collector *c, double now, struct json_t **items);
/* Addresses of this host (what the collector itself answers on). */
int coverage_is_own_address(const char *addr);

/* ---- compliance.c ---------------------------------------------------------- */
/* Build the compliance report for level ("JJ", "ZJ", "GJ") and call
 * done(arg, report) on the loop (report a new ref, NULL on failure). The
 * server headroom needs 30 days of RRD reads: they run as a store job,
 * and their figures are reused for up to two hours unless fresh is 1 (the
 * subsystem renews them every hour), in which case done may run before
 * this returns. -1 when the job could not be queued (done never runs). */
typedef void (*compliance_done_fn)(void *arg, struct json_t *report);
int compliance_start(struct collector *c, const char *level, int fresh,
    compliance_done_fn done, void *arg);
struct reports;
/* Forget the cached headroom figures (release). */
void compliance_cache_free(struct reports *rp);
/* 1 if level is JJ, ZJ or GJ. */
int compliance_level_ok(const char *level);

/* ---- reports.c: the subsystem ---------------------------------------------- */
struct reports {
	struct asset_list assets;	/* the register, as last imported */
	int loaded;			/* the register was read from the database */
	struct event *daily;		/* the snapshot timer */
	char last_day[16];		/* YYYY-MM-DD of the last snapshot */
	void *headroom;			/* compliance.c: the last 30-day reads */
};
extern const struct subsystem reports_subsystem;
/* Take over l as the register (l is left empty). */
void reports_set_assets(struct collector *c, struct asset_list *l);
/* Record today's coverage figures (store thread job); also at start. */
void reports_snapshot(struct collector *c);

/* ---- store side (store/assetdb.c, store thread only) ------------------------ */
int assetdb_replace(struct statedb *db, const struct asset_list *l);
int assetdb_load(struct statedb *db, struct asset_list *l);
int coverage_history_put(struct statedb *db, const char *day, double ts, long long inventoried,
    long long monitored, double percent, const char *by_kind);
/* [{"day", "ts", "inventoried", "monitored", "percent", "by_kind"}] oldest first (new ref). */
struct json_t *coverage_history_get(struct statedb *db, int days);

/* ---- api_reports.c, reports_keys.c ----------------------------------------- */
extern const struct route api_reports_routes[];
extern const struct cfg_key reports_keys[];
/* school.level as text. */
const char *reports_level_name(int level);

#endif
