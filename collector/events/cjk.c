/*
 * cjk.c — the events index's tokenizer, "cjk": SQLite's unicode61 with
 * Chinese, Japanese and Korean text made searchable.
 *
 * unicode61 takes a run of Han characters (and any letters or digits
 * touching it) as one token: "1状态变为down" is a single term, so neither
 * "状态" nor "down" finds the line. Here such a token is cut into its
 * non-CJK parts, kept whole, and its CJK runs, indexed the way Lucene's
 * CJK bigram filter does: every character as a one-character term, and at
 * the same position (FTS5_TOKEN_COLOCATED) the pair it starts. A search
 * for "状态变为" becomes the phrase 状态 态变 变为 为 (pairs, then the
 * last character alone), which matches exactly the lines holding that
 * text; a one-character search matches the single-character terms.
 *
 * Text without a byte that could start a CJK character goes straight to
 * unicode61, so ASCII logs pay nothing.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "collector/events/events.h"

struct cjk_tokenizer {
	fts5_tokenizer inner_api;
	Fts5Tokenizer *inner;
};

/* A token from unicode61 being cut, and where its pieces go. */
struct cjk_split {
	void *ctx;
	int (*emit)(void *ctx, int tflags, const char *tok, int n, int start, int end);
	int query;
};

static int
is_cjk(unsigned cp)
{
	return (cp >= 0x2E80 && cp <= 0x2FDF) ||	/* radicals */
	    (cp >= 0x3040 && cp <= 0x312F) ||		/* kana, bopomofo */
	    (cp >= 0x3400 && cp <= 0x4DBF) ||		/* Han extension A */
	    (cp >= 0x4E00 && cp <= 0x9FFF) ||		/* Han */
	    (cp >= 0xAC00 && cp <= 0xD7AF) ||		/* Hangul */
	    (cp >= 0xF900 && cp <= 0xFAFF) ||		/* compatibility ideographs */
	    (cp >= 0x20000 && cp <= 0x3134F);		/* Han extensions B.. */
}

/* The code point at s[0..n) and its length (unicode61's output is valid
 * UTF-8; a stray byte counts as one non-CJK character). */
static unsigned
next_cp(const unsigned char *s, int n, int *len)
{
	int need = s[0] < 0x80 ? 1 : s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 1;
	if (need > n)
		need = 1;
	unsigned cp = need == 1 ? s[0] : s[0] & (0x7F >> need);
	for (int i = 1; i < need; i++)
		cp = (cp << 6) | (s[i] & 0x3F);
	*len = need;
	return cp;
}

static int
may_hold_cjk(const char *text, int n)
{
	for (int i = 0; i < n; i++)
		if ((unsigned char)text[i] >= 0xE2)
			return 1;
	return 0;
}

/* One CJK run: characters at off[0..k) (off[k] its end). */
static int
emit_run(struct cjk_split *s, const char *tok, const int *off, int k, int start, int end)
{
	int rc = SQLITE_OK;
	for (int i = 0; i < k && rc == SQLITE_OK; i++) {
		const char *c = tok + off[i];
		int one = off[i + 1] - off[i];
		int two = i + 1 < k ? off[i + 2] - off[i] : 0;
		if (s->query) {
			/* pairs, then the last character alone */
			if (two > 0)
				rc = s->emit(s->ctx, 0, c, two, start, end);
			else
				rc = s->emit(s->ctx, 0, c, one, start, end);
			continue;
		}
		rc = s->emit(s->ctx, 0, c, one, start, end);
		if (rc == SQLITE_OK && two > 0)
			rc = s->emit(s->ctx, FTS5_TOKEN_COLOCATED, c, two, start, end);
	}
	return rc;
}

#define RUN_MAX 256

static int
split_token(void *arg, int tflags, const char *tok, int n, int start, int end)
{
	struct cjk_split *s = arg;
	const unsigned char *u = (const unsigned char *)tok;
	if (!may_hold_cjk(tok, n))
		return s->emit(s->ctx, tflags, tok, n, start, end);
	int off[RUN_MAX + 2], k = 0, plain = -1, rc = SQLITE_OK;
	for (int i = 0; i <= n && rc == SQLITE_OK;) {
		int len = 1;
		int cjk = i < n && is_cjk(next_cp(u + i, n - i, &len));
		if (cjk && plain >= 0) {		/* a plain part ends */
			rc = s->emit(s->ctx, 0, tok + plain, i - plain, start, end);
			plain = -1;
		}
		if (!cjk && k > 0) {			/* a CJK run ends */
			off[k] = i;
			rc = emit_run(s, tok, off, k, start, end);
			k = 0;
		}
		if (i == n)
			break;
		if (cjk) {
			if (k == RUN_MAX) {		/* cut very long runs */
				off[k] = i;
				rc = emit_run(s, tok, off, k, start, end);
				k = 0;
			}
			off[k++] = i;
		} else if (plain < 0) {
			plain = i;
		}
		i += len;
	}
	if (rc == SQLITE_OK && plain >= 0)
		rc = s->emit(s->ctx, 0, tok + plain, n - plain, start, end);
	return rc;
}

static int
cjk_create(void *api_arg, const char **argv, int argc, Fts5Tokenizer **out)
{
	fts5_api *api = api_arg;
	void *inner_arg = NULL;
	struct cjk_tokenizer *t = calloc(1, sizeof(*t));
	if (t == NULL)
		return SQLITE_NOMEM;
	int rc = api->xFindTokenizer(api, "unicode61", &inner_arg, &t->inner_api);
	if (rc == SQLITE_OK)
		rc = t->inner_api.xCreate(inner_arg, argv, argc, &t->inner);
	if (rc != SQLITE_OK) {
		free(t);
		return rc;
	}
	*out = (Fts5Tokenizer *)t;
	return SQLITE_OK;
}

static void
cjk_delete(Fts5Tokenizer *tk)
{
	struct cjk_tokenizer *t = (struct cjk_tokenizer *)tk;
	t->inner_api.xDelete(t->inner);
	free(t);
}

static int
cjk_tokenize(Fts5Tokenizer *tk, void *ctx, int flags, const char *text, int n,
    int (*emit)(void *, int, const char *, int, int, int))
{
	struct cjk_tokenizer *t = (struct cjk_tokenizer *)tk;
	if (!may_hold_cjk(text, n))
		return t->inner_api.xTokenize(t->inner, ctx, flags, text, n, emit);
	struct cjk_split s = { ctx, emit, (flags & FTS5_TOKENIZE_QUERY) != 0 };
	return t->inner_api.xTokenize(t->inner, &s, flags, text, n, split_token);
}

int
ev_cjk_register(sqlite3 *db)
{
	static fts5_tokenizer methods = { cjk_create, cjk_delete, cjk_tokenize };
	fts5_api *api = NULL;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_pointer(st, 1, &api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	if (api == NULL || api->iVersion < 2)
		return -1;
	return api->xCreateTokenizer(api, "cjk", api, &methods, NULL) == SQLITE_OK ? 0 : -1;
}
