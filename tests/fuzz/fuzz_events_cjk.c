/* fuzz_events_cjk.c — libFuzzer target: the events index's tokenizer
 * (cjk.c). The bytes go into an FTS5 table using it, as a row (document
 * tokenizing) and as a MATCH expression (query tokenizing; syntax errors
 * are fine), then the row is deleted again: FTS5 re-tokenizes it and
 * reports corruption if the two tokenizings differ. */
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "collector/events/events.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sqlite3 *db;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sqlite3_stmt *st;
	if (db == NULL) {
		if (sqlite3_open(":memory:", &db) != SQLITE_OK || ev_cjk_register(db) < 0 ||
		    sqlite3_exec(db, "CREATE VIRTUAL TABLE f USING fts5(t, tokenize='cjk')",
		    NULL, NULL, NULL) != SQLITE_OK)
			abort();
	}
	if (sqlite3_prepare_v2(db, "INSERT INTO f (rowid, t) VALUES (1, ?1)", -1, &st, NULL) !=
	    SQLITE_OK)
		abort();
	sqlite3_bind_text(st, 1, (const char *)data, (int)size, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		abort();
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, "SELECT rowid FROM f WHERE f MATCH ?1", -1, &st, NULL) !=
	    SQLITE_OK)
		abort();
	sqlite3_bind_text(st, 1, (const char *)data, (int)size, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		;
	sqlite3_finalize(st);
	if (sqlite3_exec(db, "DELETE FROM f", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "INSERT INTO f (f) VALUES ('integrity-check')", NULL, NULL,
	    NULL) != SQLITE_OK)
		abort();
	return 0;
}
