/*
 * stmt.c — one SQLite statement that returns no rows, in one call: prepare,
 * bind from a format, step, count the changes, finalize. Store thread only
 * (the connection is the state database's). Statements run per row in a
 * hot loop keep their own prepared handles instead (statedb.c).
 */
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>

#include "collector/store/store.h"

int
db_exec(struct statedb *db, const char *sql, const char *fmt, ...)
{
	sqlite3 *h = statedb_sqlite(db);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	for (int at = 1; fmt != NULL && fmt[at - 1] != '\0'; at++) {
		switch (fmt[at - 1]) {
		case 'i':
			sqlite3_bind_int64(st, at, va_arg(ap, int64_t));
			break;
		case 'd':
			sqlite3_bind_double(st, at, va_arg(ap, double));
			break;
		case 't': {
			const char *s = va_arg(ap, const char *);
			if (s != NULL)
				sqlite3_bind_text(st, at, s, -1, SQLITE_TRANSIENT);
			else
				sqlite3_bind_null(st, at);
			break;
		}
		default:
			sqlite3_bind_null(st, at);
			break;
		}
	}
	va_end(ap);
	int rc = sqlite3_step(st);
	int changed = sqlite3_changes(h);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT)
		return -2;
	return rc == SQLITE_DONE ? changed : -1;
}
