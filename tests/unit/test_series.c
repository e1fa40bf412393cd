/* test_series.c — canonical series keys and RRD file names for hostile input. */
#include <criterion/criterion.h>
#include <unistd.h>
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "collector/collector.h"
#include "collector/http/http.h"
#include "collector/ingest/ingest.h"
#include "collector/store/store.h"
#include "collector/store/store_internal.h"

static struct lp_str
S(const char *s)
{
	return (struct lp_str){ s, strlen(s) };
}

static size_t
key_of(char *buf, size_t cap, const char *meas, const char *tk, const char *tv,
    const char *field)
{
	struct lp_str m = S(meas), f = S(field);
	struct lp_tag tag = { S(tk), S(tv) };
	return series_key_build(buf, cap, &m, &tag, tk ? 1 : 0, &f);
}

Test(series_key, distinct_inputs_never_collide)
{
	/* Pairs that a naive "join with separators" would map to one key. */
	static const char *cases[][4] = {
		{ "m", "a", "b,c=d", "v" }, { "m,c=d", "a", "b", "v" },
		{ "m", "a", "b c", "v" }, { "m", "a", "b", "c v" },
		{ "m", "a=b", "c", "v" }, { "m", "a", "b=c", "v" },
		{ "m", "a", "b\\", "v" }, { "m", "a", "b\\\\", "v" },
		{ "m", "a", "../../etc", "v" }, { "m", "a", "..", "v" },
	};
	size_t n = sizeof(cases) / sizeof(cases[0]);
	char keys[10][256];
	size_t lens[10];
	for (size_t i = 0; i < n; i++)
		lens[i] = key_of(keys[i], sizeof(keys[i]), cases[i][0], cases[i][1],
		    cases[i][2], cases[i][3]);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			cr_assert(lens[i] != lens[j] || memcmp(keys[i], keys[j], lens[i]) != 0,
			    "cases %zu and %zu collide: %.*s", i, j, (int)lens[i], keys[i]);
}

Test(series_key, split_inverts_build)
{
	char key[256];
	size_t n = key_of(key, sizeof(key), "if, x", "port name", "Gi0/1 = up", "in bps");
	key[n] = '\0';
	char *meas, *field;
	json_t *tags;
	cr_assert_eq(series_key_split(key, &meas, &field, &tags), 0);
	cr_assert_str_eq(meas, "if, x");
	cr_assert_str_eq(field, "in bps");
	cr_assert_str_eq(json_string_value(json_object_get(tags, "port name")), "Gi0/1 = up");
	free(meas);
	free(field);
	json_decref(tags);
}

Test(series_key, reports_needed_length_when_buffer_small)
{
	char small[8];
	size_t n = key_of(small, sizeof(small), "measurement", "tag", "value", "field");
	cr_assert_gt(n, sizeof(small));
}

Test(series_catalog, remove_and_text_bytes)
{
	struct series_catalog *cat = series_catalog_new();
	struct series *a = series_add(cat, 0, "m v", 3, "h1", 10, SERIES_NUMBER);
	struct series *t = series_add(cat, 0, "m s", 3, "h1", 10, SERIES_TEXT);
	cr_assert(a && t);
	series_set_text(cat, t, strdup("hello"));
	cr_assert_eq(series_text_bytes(cat), 5);
	series_set_text(cat, t, strdup("hi"));
	cr_assert_eq(series_text_bytes(cat), 2);
	cr_assert(series_add(cat, 0, "m w", 3, "h2", 10, SERIES_NUMBER) != NULL);
	cr_assert_eq(series_host_max(cat), 2);
	series_remove(cat, t);
	cr_assert_eq(series_text_bytes(cat), 0);
	cr_assert_null(series_find(cat, "m s", 3));
	cr_assert_null(series_by_id(cat, 2));
	cr_assert_eq(series_count(cat), 2);
	cr_assert_eq(series_host_count(cat, "h1"), 1);
	/* The key is free again; the id is not handed out twice. */
	struct series *again = series_add(cat, 0, "m s", 3, "h1", 10, SERIES_TEXT);
	cr_assert(again != NULL);
	cr_assert_eq(again->id, 4);
	cr_assert_eq(series_find(cat, "m s", 3), again);
	series_catalog_free(cat);
}

Test(series_path, named_by_id_only)
{
	char rel[64];
	store_rrd_relpath(1, rel, sizeof(rel));
	cr_assert_str_eq(rel, "rrd/01/1.rrd");
	store_rrd_relpath(4294967295u, rel, sizeof(rel));
	cr_assert_str_eq(rel, "rrd/ff/4294967295.rrd");
	store_rrd_relpath(256, rel, sizeof(rel));
	cr_assert_str_eq(rel, "rrd/00/256.rrd");
}

Test(series_catalog, ids_keys_and_host_counts)
{
	struct series_catalog *cat = series_catalog_new();
	struct series *a = series_add(cat, 0, "m v", 3, "h1", 10, SERIES_NUMBER);
	struct series *b = series_add(cat, 0, "m w", 3, "h1", 10, SERIES_NUMBER);
	struct series *c = series_add(cat, 7, "m x", 3, "h2", 60, SERIES_TEXT);
	cr_assert(a && b && c);
	cr_assert_eq(a->id, 1);
	cr_assert_eq(b->id, 2);
	cr_assert_eq(c->id, 7);
	cr_assert_eq(series_add(cat, 0, "m y", 3, "h2", 10, SERIES_NUMBER)->id, 8);
	cr_assert_null(series_add(cat, 7, "m z", 3, "h2", 10, SERIES_NUMBER), "id reused");
	cr_assert_eq(series_find(cat, "m w", 3), b);
	cr_assert_null(series_find(cat, "m q", 3));
	cr_assert_eq(series_by_id(cat, 7), c);
	cr_assert_null(series_by_id(cat, 5));
	cr_assert_eq(series_host_count(cat, "h1"), 2);
	cr_assert_eq(series_host_count(cat, "h2"), 2);
	cr_assert_eq(series_host_count(cat, "nobody"), 0);
	cr_assert_str_eq(series_host_name(cat, c->host_id), "h2");
	uint32_t cursor = 0;
	size_t seen = 0;
	while (series_next(cat, &cursor) != NULL)
		seen++;
	cr_assert_eq(seen, series_count(cat));
	series_catalog_free(cat);
}

Test(json_safe, invalid_utf8_and_nul_replaced)
{
	json_t *j = json_string_safe("ok\xd6\xd0\x00z", 6);
	cr_assert_not_null(j);
	const char *s = json_string_value(j);
	cr_assert(strstr(s, "\xef\xbf\xbd") != NULL);
	cr_assert_eq(strncmp(s, "ok", 2), 0);
	json_decref(j);
	j = json_string_safe("名字", strlen("名字"));
	cr_assert_str_eq(json_string_value(j), "名字");
	json_decref(j);
}

Test(gunzip, bounded_inflate)
{
	/* gzip of 1000 'a' bytes */
	static const unsigned char gz[] = { 0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x02, 0x03, 0x4b, 0x4c, 0x1c, 0x05, 0xa3, 0x60, 0x14, 0x0c, 0x77, 0x00, 0x00,
		0x03, 0xda, 0x38, 0x9a, 0xe8, 0x03, 0x00, 0x00 };
	unsigned char *out = NULL;
	size_t len = 0;
	int rc = ingest_gunzip(gz, sizeof(gz), 1000, &out, &len);
	cr_assert_eq(rc, 0);
	cr_assert_eq(len, 1000);
	cr_assert_eq(out[999], 'a');
	free(out);
	cr_assert_eq(ingest_gunzip(gz, sizeof(gz), 999, &out, &len), -1);
	cr_assert_eq(ingest_gunzip((const unsigned char *)"junkjunkjunk", 12, 1000, &out, &len),
	    -2);
	cr_assert_eq(ingest_gunzip(gz, sizeof(gz) - 6, 1000, &out, &len), -2, "truncated");
}

/* gzip of "ab\n" and of "cd\n", as `printf 'ab\n' | gzip -n` writes them. */
static const unsigned char gz_ab[] = { 0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x03, 0x4b, 0x4c, 0xe2, 0x02, 0x00, 0x3e, 0x98, 0x4a, 0x01, 0x03, 0x00, 0x00,
	0x00 };
static const unsigned char gz_cd[] = { 0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x03, 0x4b, 0x4e, 0xe1, 0x02, 0x00, 0xd6, 0xeb, 0x94, 0x54, 0x03, 0x00, 0x00,
	0x00 };

static int
gunzip_parts(const unsigned char *const *parts, const size_t *lens, size_t n, size_t max,
    unsigned char **out, size_t *outlen)
{
	unsigned char all[256];
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		memcpy(all + len, parts[i], lens[i]);
		len += lens[i];
	}
	return ingest_gunzip(all, len, max, out, outlen);
}

Test(gunzip, every_member_decoded)
{
	const unsigned char *parts[] = { gz_ab, gz_cd, gz_ab };
	const size_t lens[] = { sizeof(gz_ab), sizeof(gz_cd), sizeof(gz_ab) };
	unsigned char *out = NULL;
	size_t len = 0;
	cr_assert_eq(gunzip_parts(parts, lens, 3, 1000, &out, &len), 0);
	cr_assert_eq(len, 9);
	cr_assert_arr_eq(out, "ab\ncd\nab\n", 9);
	free(out);
	/* The size limit holds over all members together. */
	cr_assert_eq(gunzip_parts(parts, lens, 3, 8, &out, &len), -1);
	cr_assert_eq(gunzip_parts(parts, lens, 3, 9, &out, &len), 0);
	free(out);
}

Test(gunzip, trailing_bytes_refused)
{
	static const unsigned char junk[] = "junk", zeros[8], magic[] = { 0x1f };
	static const unsigned char half[] = { 0x1f, 0x8b, 0x08, 0x00 };
	const unsigned char *tails[] = { junk, zeros, magic, half };
	const size_t tlens[] = { 4, sizeof(zeros), 1, sizeof(half) };
	const int want[] = { -3, -3, -3, -2 };
	for (size_t i = 0; i < 4; i++) {
		const unsigned char *parts[] = { gz_ab, tails[i] };
		const size_t lens[] = { sizeof(gz_ab), tlens[i] };
		unsigned char *out = NULL;
		size_t len = 0;
		cr_expect_eq(gunzip_parts(parts, lens, 2, 1000, &out, &len), want[i],
		    "tail %zu", i);
		cr_expect_null(out, "tail %zu", i);
	}
}

Test(rrd_format, exact_update_strings)
{
	static const struct { double ts, v; const char *want; } cases[] = {
		{ 1700000000.0, 42, "1700000000.000:42" },
		{ 1700000000.5, -7, "1700000000.500:-7" },
		{ 1700000000.0015, 0, "1700000000.002:0" },
		{ 1700000000.007, 12.5, "1700000000.007:12.5" },
		{ 1700000001.0, 1e15, "1700000001.000:1000000000000000" },
		{ 1700000001.0, 0.1, "1700000001.000:0.1" },
		{ 1700000001.0, 812.53, "1700000001.000:812.53" },
		{ 1700000001.0, 0.05, "1700000001.000:0.05" },
		{ 1700000001.0, -3.25, "1700000001.000:-3.25" },
		{ 1700000001.0, -0.000001, "1700000001.000:-0.000001" },
		{ 1700000001.0, 123456.789012, "1700000001.000:123456.789012" },
		{ 1700000001.0, 1e-7, "1700000001.000:9.9999999999999995e-08" },
		{ 1700000001.0, 1.0 / 3, "1700000001.000:0.33333333333333331" },
		{ 1700000001.0, 2e9 + 0.5, "1700000001.000:2000000000.5" },
		{ 1700000001.0, 18446744073709551615.0, "1700000001.000:1.8446744073709552e+19" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[64];
		rrdfile_format_row(out, sizeof(out), cases[i].ts, &cases[i].v, 1);
		cr_expect_str_eq(out, cases[i].want, "case %zu", i);
		/* Whatever the path, the text reads back as the same double. */
		cr_expect_eq(strtod(strchr(out, ':') + 1, NULL), cases[i].v, "case %zu", i);
	}
	char tiny[8];
	double one = 1;
	rrdfile_format_row(tiny, sizeof(tiny), 1700000000.0, &one, 1);
	cr_assert_lt(strlen(tiny), sizeof(tiny));
}

Test(rrd_format, every_text_reads_back_as_the_same_double)
{
	unsigned seed = 42;
	for (int i = 0; i < 200000; i++) {
		double scale[] = { 1, 10, 100, 1000, 1e6, 1e-3 };
		double v = (double)rand_r(&seed) / RAND_MAX * 2e6 - 1e6;
		if (i % 2 == 0)		/* decimals, as agents send them */
			v = nearbyint(v * scale[i % 6]) / scale[i % 6];
		char out[64];
		rrdfile_format_row(out, sizeof(out), 1700000000.0, &v, 1);
		cr_assert_eq(strtod(strchr(out, ':') + 1, NULL), v, "%.17g written as %s", v, out);
	}
}

Test(rrd_format, rows_of_several_values_with_unknowns)
{
	char out[128];
	const double v[] = { 1, NAN, -2.5, 0 };
	rrdfile_format_row(out, sizeof(out), 1700000010.0, v, 4);
	cr_assert_str_eq(out, "1700000010.000:1:U:-2.5:0");
}

Test(series_key, group_is_the_key_without_its_field)
{
	const char *k = "if,host=sw1,ifName=Gi0/1 in_bps";
	cr_assert_eq(series_key_group_len(k, strlen(k)), strlen("if,host=sw1,ifName=Gi0/1"));
	/* An escaped space in a tag value does not end the group. */
	const char *e = "m,t=a\\ b\\\\ f\\ x";
	char buf[64];
	struct lp_str m = S("m"), f = S("f x");
	struct lp_tag tag = { S("t"), S("a b\\") };
	size_t n = series_key_build(buf, sizeof(buf), &m, &tag, 1, &f);
	buf[n] = '\0';
	cr_assert_str_eq(buf, e);
	cr_assert_eq(series_key_group_len(buf, n), strlen("m,t=a\\ b\\\\"));
	cr_assert_eq(series_key_group_len("nofield", 7), 7);
}

/* Join series id to f under the name file_ds_name chooses for field. */
static void
join(struct store_file *f, struct store_series *tab, uint32_t id, const char *field, char *name)
{
	file_ds_name(f, tab, field, strlen(field), name);
	tab[id].file = 1;
	cr_assert_eq(file_add_ds(f, tab, id, name), 0);
}

Test(store_file, data_source_names_are_valid_and_unique)
{
	struct store_series tab[16] = { { 0 } };
	struct store_file f;
	file_init(&f, 60);
	char name[20];
	join(&f, tab, 1, "in_bps", name);
	cr_assert_str_eq(name, "in_bps");
	join(&f, tab, 2, "in_bps", name);	/* taken */
	cr_assert_str_eq(name, "ds1");
	file_ds_name(&f, tab, "../../etc", 9, name);
	cr_assert_str_eq(name, "ds2");
	const char *longer = "a_field_name_longer_than_nineteen";
	file_ds_name(&f, tab, longer, strlen(longer), name);
	cr_assert_str_eq(name, "ds2");
	file_ds_name(&f, tab, "with\\ space", 11, name);
	cr_assert_str_eq(name, "ds2");
	file_ds_name(&f, tab, "", 0, name);
	cr_assert_str_eq(name, "ds2");
	join(&f, tab, 5, "\u6e29\u5ea6", name);
	cr_assert_str_eq(name, "ds2");
	cr_assert_eq(file_add_ds(&f, tab, 6, longer), -1, "too long for librrd");
	char template[64];
	cr_assert_eq(file_template(&f, tab, template, sizeof(template)), strlen("in_bps:ds1:ds2"));
	cr_assert_str_eq(template, "in_bps:ds1:ds2");
	cr_assert_eq(file_template(&f, tab, template, 8), 0, "does not fit");
	cr_assert_eq(f.last, 5);
	cr_assert_eq(tab[5].ds, 2);
	cr_assert_eq(f.n_ds, 3);
	cr_assert(file_has_ds(&f, tab, "ds1") && !file_has_ds(&f, tab, "ds3"));
}

Test(store_file, rows_merge_by_time_and_widen_for_new_fields)
{
	struct store_series tab[8] = { { 0 } };
	struct store_file file, *f = &file;
	file_init(f, 10);
	char name[20];
	join(f, tab, 1, "a", name);
	join(f, tab, 2, "b", name);
	cr_assert_eq(file_put(f, 0, 20, 1, 7), 0);
	cr_assert_eq(file_put(f, 1, 20, 2, 8), 0);	/* same row */
	cr_assert_eq(file_put(f, 0, 40, 3, 9), 0);
	cr_assert_eq(file_put(f, 1, 30, 4, 9), 0);	/* late: inserted in order */
	cr_assert_eq(file_put(f, 2, 30, 4, 9), -1, "no such data source");
	cr_assert_eq(f->n_rows, 3);
	cr_assert_eq(f->first_seq, 7);
	join(f, tab, 3, "c", name);		/* rows waiting: widened */
	cr_assert_eq(file_put(f, 2, 40, 5, 10), 0);
	char out[3][64];
	for (uint32_t r = 0; r < f->n_rows; r++)
		rrdfile_format_row(out[r], sizeof(out[r]), f->rows[r * 4], f->rows + r * 4 + 1, 3);
	cr_assert_str_eq(out[0], "20.000:1:2:U");
	cr_assert_str_eq(out[1], "30.000:U:4:U");
	cr_assert_str_eq(out[2], "40.000:3:U:5");
	cr_assert_gt(file_drop_rows(f), 0);
	cr_assert_eq(f->n_rows, 0);
}

/* The key index (open addressing, grown by doubling or reserved at start). */
Test(series_catalog, finds_every_key_after_growth_and_reserve)
{
	for (int reserve = 0; reserve < 2; reserve++) {
		struct series_catalog *cat = series_catalog_new();
		cr_assert_not_null(cat);
		enum { N = 50000 };
		if (reserve)
			cr_assert_eq(series_catalog_reserve(cat, N), 0);
		char key[64], host[16];
		for (uint32_t i = 1; i <= N; i++) {
			size_t len = (size_t)snprintf(key, sizeof(key), "m,host=h%u v%u", i / 7, i % 7);
			snprintf(host, sizeof(host), "h%u", i / 7);
			struct series *s = series_add(cat, i, key, len, host, 10, SERIES_NUMBER);
			cr_assert_not_null(s);
			cr_assert_eq(s->id, i);
		}
		cr_assert_eq(series_count(cat), N);
		for (uint32_t i = 1; i <= N; i++) {
			size_t len = (size_t)snprintf(key, sizeof(key), "m,host=h%u v%u", i / 7, i % 7);
			struct series *s = series_find(cat, key, len);
			cr_assert_not_null(s, "key %s", key);
			cr_assert_eq(s->id, i);
			cr_assert_eq(series_by_id(cat, i), s);
			cr_assert_eq(series_host_count(cat, series_host_name(cat, s->host_id)),
			    i / 7 == 0 ? 6 : i / 7 == N / 7 ? (size_t)(N % 7 + 1) : 7);
			/* a prefix or an extension of a key is another key */
			cr_assert_null(series_find(cat, key, len - 1));
		}
		cr_assert_null(series_find(cat, "nosuch", 6));
		/* an id in use is refused; id 0 takes the next */
		cr_assert_null(series_add(cat, 5, "x y", 3, "h", 10, SERIES_NUMBER));
		struct series *s = series_add(cat, 0, "x y", 3, "h", 10, SERIES_NUMBER);
		cr_assert(s != NULL && s->id == N + 1);
		series_catalog_free(cat);
	}
}

/* A series whose defining batch never became durable is forgotten; with open
 * addressing every other key, in the same probe runs, must still be found. */
Test(series_catalog, removal_keeps_every_other_key_findable)
{
	struct series_catalog *cat = series_catalog_new();
	enum { N = 20000 };
	char key[64];
	for (uint32_t i = 1; i <= N; i++) {
		size_t len = (size_t)snprintf(key, sizeof(key), "r,host=h v%u", i);
		cr_assert_not_null(series_add(cat, i, key, len, "h", 10, SERIES_NUMBER));
	}
	for (uint32_t i = 1; i <= N; i += 3) {	/* every third one goes */
		size_t len = (size_t)snprintf(key, sizeof(key), "r,host=h v%u", i);
		series_remove(cat, series_find(cat, key, len));
	}
	cr_assert_eq(series_count(cat), N - (N + 2) / 3);
	cr_assert_eq(series_host_count(cat, "h"), (size_t)(N - (N + 2) / 3));
	for (uint32_t i = 1; i <= N; i++) {
		size_t len = (size_t)snprintf(key, sizeof(key), "r,host=h v%u", i);
		struct series *s = series_find(cat, key, len);
		if (i % 3 == 1) {
			cr_assert_null(s, "%s was removed", key);
			cr_assert_null(series_by_id(cat, i));
		} else {
			cr_assert_not_null(s, "%s lost after removals", key);
			cr_assert_eq(s->id, i);
		}
	}
	/* a removed key can be defined again */
	size_t len = (size_t)snprintf(key, sizeof(key), "r,host=h v%u", 1u);
	cr_assert_not_null(series_add(cat, 0, key, len, "h", 10, SERIES_NUMBER));
	cr_assert_not_null(series_find(cat, key, len));
	series_catalog_free(cat);
}

/* ---- store/stmt.c: one statement without rows in one call ------------------ */

Test(statedb, db_exec_binds_counts_and_refuses)
{
	char dir[] = "/tmp/cm-stmt-XXXXXX", path[64];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state.db", dir);
	char *err = NULL;
	struct statedb *db = statedb_open(path, &err);
	cr_assert_not_null(db, "%s", err ? err : "");
	cr_assert_eq(db_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, "
	    "v REAL)", NULL), 0);
	cr_assert_eq(db_exec(db, "INSERT INTO t VALUES (?, ?, ?)", "itd", (int64_t)1, "a", 1.5), 1);
	cr_assert_eq(db_exec(db, "INSERT INTO t VALUES (?, ?, ?)", "itd", (int64_t)2, NULL, 2.0), 1);
	cr_assert_eq(db_exec(db, "INSERT INTO t VALUES (?, ?, ?)", "itd", (int64_t)3, "a", 0.0), -2,
	    "a constraint violation is told apart");
	cr_assert_eq(db_exec(db, "UPDATE t SET v = v * 2 WHERE v > ?", "d", 1.0), 2);
	cr_assert_eq(db_exec(db, "DELETE FROM t WHERE name IS NULL", ""), 1);
	cr_assert_eq(db_exec(db, "DELETE FROM t WHERE id = ?", "i", (int64_t)99), 0);
	cr_assert_eq(db_exec(db, "NOT SQL AT ALL", NULL), -1);
	statedb_close(db);
	unlink(path);
	rmdir(dir);
}

/* ---- store/alertdb.c: pruning never loses the highest alert id ------------- */

Test(statedb, alert_prune_keeps_the_id_high_water_mark)
{
	char dir[] = "/tmp/cm-alertdb-XXXXXX", path[64];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state.db", dir);
	char *err = NULL;
	struct statedb *db = statedb_open(path, &err);
	cr_assert_not_null(db, "%s", err ? err : "");
	const struct alert_row rows[] = {
		{ 1, "resolved", 10, 20, 20, "{}" },
		{ 2, "firing", 30, 30, 0, "{}" },
		{ 3, "resolved", 40, 50, 50, "{}" },
	};
	cr_assert_eq(alerts_db_save(db, rows, 3), 0);
	cr_assert_eq(alerts_db_max_id(db), 3);
	/* everything resolved is old: the open one stays, and so does the newest */
	alerts_db_prune(db, 1000);
	cr_assert_eq(alerts_db_max_id(db), 3, "the next alert must not be given id 3 again");
	cr_assert_eq(db_exec(db, "DELETE FROM alerts WHERE id = 1", ""), 0, "1 was pruned");
	statedb_close(db);
	char cmd[96];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}
