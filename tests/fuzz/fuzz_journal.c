/*
 * fuzz_journal.c — libFuzzer target: arbitrary bytes as a journal segment.
 * journal_decode() on the start must not crash and must agree with itself;
 * journal_scan() over the whole must hand on only records that encode back
 * to the very bytes they came from, and account for every byte it skips.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/collector.h"
#include "collector/ingest/ingest.h"
#include "common/log.h"

#define CHECK(cond)	do { if (!(cond)) { \
			    fprintf(stderr, "%s:%d: %s\n", __FILE__, \
			    __LINE__, #cond); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct ctx {
	uint64_t records;
};

static void
check_record(struct batch *b, void *arg)
{
	struct ctx *c = arg;
	size_t len, used;
	unsigned char *again = journal_encode(b, &len);
	CHECK(again != NULL);
	struct batch *d;
	CHECK(journal_decode(again, len, &d, &used) == JOURNAL_REC_OK && used == len);
	CHECK(d->seq == b->seq && d->n_samples == b->n_samples && d->n_defs == b->n_defs &&
	    d->n_texts == b->n_texts);
	batch_free(d);
	free(again);
	batch_free(b);
	c->records++;
}

static void
quiet(enum log_level lvl, const char *msg, void *arg)
{
	(void)lvl;
	(void)msg;
	(void)arg;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	log_set_sink(quiet, NULL);
	if (size == 0)
		return 0;
	struct batch *b;
	size_t used;
	enum journal_rec rc = journal_decode(data, size, &b, &used);
	CHECK(rc == JOURNAL_REC_OK || b == NULL);
	if (rc == JOURNAL_REC_OK) {
		CHECK(used >= 20 && used <= size);
		size_t len;
		unsigned char *again = journal_encode(b, &len);
		CHECK(again != NULL && len == used && memcmp(again, data, len) == 0);
		free(again);
		batch_free(b);
	}
	struct ctx c = { 0 };
	struct journal_scan rep;
	journal_scan("fuzz", data, size, check_record, &c, &rep);
	CHECK(rep.records == c.records);
	CHECK(rep.damaged_bytes <= size);
	return 0;
}
