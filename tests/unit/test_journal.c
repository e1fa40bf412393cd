/*
 * test_journal.c — the journal's record codec and replay: round trips, a torn
 * tail, CRC mismatches and damaged bytes in the middle (replay resyncs at the
 * next valid record), and a missing segment.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector/collector.h"
#include "collector/ingest/ingest.h"
#include "common/log.h"

/* ---- helpers ------------------------------------------------------------- */

/* A batch of seq with one def, n samples of series 7 (ts = seq*100+i) and a text. */
static struct batch *
make_batch(uint64_t seq, size_t n)
{
	struct batch *b = batch_new();
	cr_assert_not_null(b);
	b->seq = seq;
	struct series *s = calloc(1, sizeof(*s) + 32);
	s->id = 7;
	s->step = 10;
	s->kind = SERIES_NUMBER;
	strcpy(s->key, "cpu,host=a usage");
	cr_assert_eq(batch_add_def(b, s, "a", 123.5), 0);
	free(s);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(batch_add_sample(b, 7, (double)(seq * 100 + i), (double)i / 4), 0);
	cr_assert_eq(batch_add_text(b, 8, 99.0, "up \xe2\x9c\x93", strlen("up \xe2\x9c\x93")), 0);
	return b;
}

struct seg {
	unsigned char *p;
	size_t len;
	size_t at[16];			/* offset of each record */
	size_t n;
};

/* Records seq first..first+n-1 of 50 samples each, back to back. */
static void
make_segment(struct seg *g, uint64_t first, size_t n)
{
	memset(g, 0, sizeof(*g));
	for (size_t i = 0; i < n; i++) {
		struct batch *b = make_batch(first + i, 50);
		size_t len;
		unsigned char *rec = journal_encode(b, &len);
		cr_assert_not_null(rec);
		g->p = realloc(g->p, g->len + len);
		memcpy(g->p + g->len, rec, len);
		g->at[g->n++] = g->len;
		g->len += len;
		free(rec);
		batch_free(b);
	}
}

struct seen {
	uint64_t seqs[64];
	size_t n, samples;
};

static void
collect(struct batch *b, void *arg)
{
	struct seen *s = arg;
	if (s->n < 64)
		s->seqs[s->n++] = b->seq;
	s->samples += b->n_samples;
	batch_free(b);
}

static char logs[8192];

static void
capture(enum log_level lvl, const char *msg, void *arg)
{
	(void)lvl;
	(void)arg;
	size_t l = strlen(logs);
	snprintf(logs + l, sizeof(logs) - l, "%s\n", msg);
}

static void
setup(void)
{
	logs[0] = '\0';
	log_set_sink(capture, NULL);
}

/* ---- codec --------------------------------------------------------------- */

Test(journal_codec, round_trip)
{
	struct batch *b = make_batch(42, 3);
	size_t len, used;
	unsigned char *rec = journal_encode(b, &len);
	cr_assert_not_null(rec);
	struct batch *d;
	cr_assert_eq(journal_decode(rec, len, &d, &used), JOURNAL_REC_OK);
	cr_assert_eq(used, len);
	cr_assert_eq(d->seq, 42);
	cr_assert_eq(d->n_defs, 1);
	cr_assert_str_eq(d->defs[0].key, "cpu,host=a usage");
	cr_assert_str_eq(d->defs[0].host, "a");
	cr_assert_eq(d->defs[0].id, 7);
	cr_assert_eq(d->defs[0].step, 10);
	cr_assert_eq(d->defs[0].first_ts, 123.5);
	cr_assert_eq(d->n_samples, 3);
	for (size_t i = 0; i < 3; i++) {
		cr_assert_eq(d->samples[i].series_id, 7);
		cr_assert_eq(d->samples[i].ts, 4200.0 + (double)i);
		cr_assert_eq(d->samples[i].value, (double)i / 4);
	}
	cr_assert_eq(d->n_texts, 1);
	cr_assert_str_eq(d->texts[0].text, "up \xe2\x9c\x93");
	batch_free(d);
	batch_free(b);
	free(rec);
}

Test(journal_codec, every_cut_is_short_and_every_flip_is_bad)
{
	struct batch *b = make_batch(5, 4);
	size_t len, used;
	unsigned char *rec = journal_encode(b, &len);
	struct batch *d;
	for (size_t cut = 1; cut < len; cut++) {
		cr_assert_eq(journal_decode(rec, cut, &d, &used), JOURNAL_REC_SHORT, "cut %zu", cut);
		cr_assert_null(d);
	}
	/* any flipped bit outside the sequence number is caught (magic, length, CRC) */
	for (size_t i = 0; i < len; i++) {
		if (i >= 8 && i < 16)
			continue;	/* seq is not under the CRC */
		for (int bit = 0; bit < 8; bit++) {
			rec[i] ^= (unsigned char)(1u << bit);
			enum journal_rec rc = journal_decode(rec, len, &d, &used);
			cr_assert(rc != JOURNAL_REC_OK, "byte %zu bit %d", i, bit);
			rec[i] ^= (unsigned char)(1u << bit);
		}
	}
	cr_assert_eq(journal_decode(rec, len, &d, &used), JOURNAL_REC_OK);
	batch_free(d);
	batch_free(b);
	free(rec);
}

Test(journal_codec, crc_mismatch_is_bad)
{
	struct batch *b = make_batch(6, 2);
	size_t len, used;
	unsigned char *rec = journal_encode(b, &len);
	struct batch *d;
	rec[len - 1] ^= 0x40;		/* the last payload byte */
	cr_assert_eq(journal_decode(rec, len, &d, &used), JOURNAL_REC_BAD);
	cr_assert_null(d);
	batch_free(b);
	free(rec);
}

/* ---- scanning a segment -------------------------------------------------- */

Test(journal_scan, all_records_in_order, .init = setup)
{
	struct seg g;
	make_segment(&g, 10, 5);
	struct seen s = { 0 };
	struct journal_scan rep;
	journal_scan("seg", g.p, g.len, collect, &s, &rep);
	cr_assert_eq(s.n, 5);
	for (size_t i = 0; i < 5; i++)
		cr_assert_eq(s.seqs[i], 10 + i);
	cr_assert_eq(rep.records, 5);
	cr_assert_eq(rep.last_seq, 14);
	cr_assert_eq(rep.damaged_bytes, 0);
	cr_assert_eq(rep.torn_tail, 0);
	cr_assert_str_eq(logs, "");
	free(g.p);
}

Test(journal_scan, torn_tail_is_reported_as_never_acknowledged, .init = setup)
{
	struct seg g;
	make_segment(&g, 1, 4);
	size_t cut = g.at[3] + 30;	/* the last record half written */
	struct seen s = { 0 };
	struct journal_scan rep;
	journal_scan("seg", g.p, cut, collect, &s, &rep);
	cr_assert_eq(s.n, 3);
	cr_assert_eq(rep.torn_tail, 1);
	cr_assert_eq(rep.damaged_bytes, 0);
	cr_assert(strstr(logs, "incomplete record at offset") != NULL, "%s", logs);
	cr_assert(strstr(logs, "never acknowledged") != NULL);
	free(g.p);
}

Test(journal_scan, crc_mismatch_in_the_middle_skips_one_record, .init = setup)
{
	struct seg g;
	make_segment(&g, 100, 10);
	g.p[g.at[1] + 200] ^= 0x01;	/* a payload byte of the 2nd of 10 (at ~10 %) */
	struct seen s = { 0 };
	struct journal_scan rep;
	journal_scan("seg-x", g.p, g.len, collect, &s, &rep);
	cr_assert_eq(s.n, 9, "replay stopped at the damage: %zu records", s.n);
	cr_assert_eq(s.seqs[0], 100);
	cr_assert_eq(s.seqs[1], 102);
	cr_assert_eq(s.seqs[8], 109);
	cr_assert_eq(s.samples, 9 * 50);
	cr_assert_eq(rep.damaged_bytes, g.at[2] - g.at[1]);
	cr_assert_eq(rep.damaged_runs, 1);
	cr_assert_eq(rep.torn_tail, 0);
	char want[128];
	snprintf(want, sizeof(want), "seg-x: %zu damaged bytes at offsets %zu to %zu skipped",
	    g.at[2] - g.at[1], g.at[1], g.at[2]);
	cr_assert(strstr(logs, want) != NULL, "%s", logs);
	cr_assert(strstr(logs, "never acknowledged") == NULL, "%s", logs);
	free(g.p);
}

Test(journal_scan, damaged_length_and_garbage_are_skipped, .init = setup)
{
	struct seg g;
	make_segment(&g, 1, 6);
	memset(g.p + g.at[1] + 4, 0x7f, 4);		/* a huge length */
	memset(g.p + g.at[3] + 2, 0xff, g.at[4] - g.at[3] + 10);	/* 3rd..5th hit */
	struct seen s = { 0 };
	struct journal_scan rep;
	journal_scan("seg", g.p, g.len, collect, &s, &rep);
	cr_assert_eq(s.n, 3);
	cr_assert_eq(s.seqs[0], 1);
	cr_assert_eq(s.seqs[1], 3);
	cr_assert_eq(s.seqs[2], 6);
	cr_assert_eq(rep.damaged_runs, 2);
	free(g.p);
}

Test(journal_scan, garbage_only_yields_nothing, .init = setup)
{
	unsigned char junk[4096];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 131 + 7);
	struct seen s = { 0 };
	struct journal_scan rep;
	journal_scan("junk", junk, sizeof(junk), collect, &s, &rep);
	cr_assert_eq(s.n, 0);
	cr_assert_eq(rep.damaged_bytes, sizeof(junk));
}

/* ---- replay of a journal folder ----------------------------------------- */

static void
write_file(const char *dir, uint64_t first, const unsigned char *p, size_t len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%020llu.wal", dir, (unsigned long long)first);
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(p, 1, len, f), len);
	fclose(f);
}

static void
remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[512];
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	if (d != NULL)
		closedir(d);
	rmdir(dir);
}

Test(journal_replay, damage_and_a_missing_segment, .init = setup)
{
	char dir[] = "/tmp/test-journal-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	struct seg a, b, c;
	make_segment(&a, 1, 5);		/* 1..5 */
	make_segment(&b, 6, 5);		/* 6..10: lost */
	make_segment(&c, 11, 5);	/* 11..15 */
	a.p[a.at[2] + 100] ^= 0x10;
	write_file(dir, 1, a.p, a.len);
	write_file(dir, 11, c.p, c.len);
	struct seen s = { 0 };
	uint64_t last;
	cr_assert_eq(journal_replay(dir, collect, &s, &last), 0);
	cr_assert_eq(s.n, 9);
	cr_assert_eq(last, 15);
	cr_assert(strstr(logs, "damaged bytes at offsets") != NULL, "%s", logs);
	cr_assert(strstr(logs, "sequences 6 to 10 are in no segment") != NULL, "%s", logs);
	cr_assert(strstr(logs, "journal segment before it is missing") != NULL, "%s", logs);
	remove_dir(dir);
	free(a.p);
	free(b.p);
	free(c.p);
}

Test(journal_replay, an_empty_last_segment_keeps_the_sequence, .init = setup)
{
	char dir[] = "/tmp/test-journal-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	write_file(dir, 500, (const unsigned char *)"", 0);
	struct seen s = { 0 };
	uint64_t last;
	cr_assert_eq(journal_replay(dir, collect, &s, &last), 0);
	cr_assert_eq(s.n, 0);
	cr_assert_eq(last, 499, "sequences would restart below an existing segment");
	cr_assert_str_eq(logs, "");
	remove_dir(dir);
}
