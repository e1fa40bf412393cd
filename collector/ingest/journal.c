/*
 * journal.c — the write-ahead journal that makes a 204 mean "durable".
 *
 * The loop hands accepted batches to journal_append(); the journal thread
 * serialises every batch waiting at that moment, appends them to the
 * current segment with one write() and one fdatasync() (group commit), then
 * posts each batch's on_durable callback to the loop. The store thread
 * later reports, through journal_checkpoint(), the highest sequence whose
 * samples are all in RRD files; whole segments below it are deleted.
 *
 * Segment files: DIR/<first seq, 20 digits>.wal. Record: magic, payload
 * length, seq, CRC-32 of the payload, payload. Replay hands on every valid
 * record: damaged bytes are skipped up to the next valid record (magic,
 * length and CRC), and reported with their segment and offsets; an
 * incomplete record at the very end is a write cut by a crash, never
 * acknowledged. Sequences are consecutive across segments, so a gap between
 * two segments means records were lost (a segment file removed or damaged).
 */
#include "collector/collector.h"
#include "collector/ingest/ingest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "common/log.h"
#include "common/util.h"

#define JOURNAL_MAGIC 0x314a4d43u		/* "CMJ1" */
#define JOURNAL_SEGMENT_MAX (64u * 1024 * 1024)
#define JOURNAL_RECORD_MAX (256u * 1024 * 1024)

struct segment {
	uint64_t first_seq, last_seq;
	struct segment *next;
};

struct journal {
	char *dir;
	struct loopq *loopq;
	struct collector_metrics *metrics;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct batch *queue_head, *queue_tail;
	uint64_t next_seq;
	uint64_t checkpoint;		/* highest seq applied to RRD */
	int stopping;
	/* journal thread only */
	int fd;
	size_t seg_size;
	struct segment *segments;	/* oldest first; the last is open */
};

/* ---- batches ------------------------------------------------------------ */

struct batch *
batch_new(void)
{
	return calloc(1, sizeof(struct batch));
}

void
batch_free(struct batch *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < b->n_defs; i++) {
		free(b->defs[i].key);
		free(b->defs[i].host);
	}
	for (size_t i = 0; i < b->n_texts; i++)
		free(b->texts[i].text);
	free(b->samples);
	free(b->defs);
	free(b->texts);
	free(b);
}

#define GROW(arr, n, cap) do {						\
	if ((n) == (cap)) {						\
		size_t ncap = (cap) ? (cap) * 2 : 64;			\
		void *g = realloc((arr), ncap * sizeof(*(arr)));	\
		if (g == NULL)						\
			return -1;					\
		(arr) = g;						\
		(cap) = ncap;						\
	}								\
} while (0)

int
batch_add_sample(struct batch *b, uint32_t id, double ts, double value)
{
	GROW(b->samples, b->n_samples, b->cap_samples);
	b->samples[b->n_samples++] = (struct sample){ id, ts, value };
	return 0;
}

int
batch_add_def(struct batch *b, const struct series *s, const char *host, double first_ts)
{
	GROW(b->defs, b->n_defs, b->cap_defs);
	struct series_def *d = &b->defs[b->n_defs];
	d->id = s->id;
	d->step = s->step;
	d->kind = s->kind;
	d->first_ts = first_ts;
	d->key = strdup(s->key);
	d->host = strdup(host ? host : "");
	if (d->key == NULL || d->host == NULL) {
		free(d->key);
		free(d->host);
		return -1;
	}
	b->n_defs++;
	return 0;
}

int
batch_add_text(struct batch *b, uint32_t id, double ts, const char *text, size_t len)
{
	GROW(b->texts, b->n_texts, b->cap_texts);
	char *copy = strndup(text, len);
	if (copy == NULL)
		return -1;
	b->texts[b->n_texts++] = (struct text_update){ id, ts, copy };
	return 0;
}

/* ---- encoding ------------------------------------------------------------ */

struct wbuf {
	unsigned char *p;
	size_t len, cap;
};

static int
wbuf_put(struct wbuf *w, const void *data, size_t n)
{
	if (w->len + n > w->cap) {
		size_t cap = w->cap ? w->cap : 65536;
		while (cap < w->len + n)
			cap *= 2;
		unsigned char *g = realloc(w->p, cap);
		if (g == NULL)
			return -1;
		w->p = g;
		w->cap = cap;
	}
	memcpy(w->p + w->len, data, n);
	w->len += n;
	return 0;
}

static int
wbuf_u32(struct wbuf *w, uint32_t v)
{
	return wbuf_put(w, &v, 4);
}

static int
wbuf_str(struct wbuf *w, const char *s)
{
	uint32_t n = (uint32_t)strlen(s);
	return wbuf_u32(w, n) || wbuf_put(w, s, n);
}

/* Append one record (header + payload) for b to w. */
static int
encode_batch(struct wbuf *w, const struct batch *b)
{
	size_t start = w->len;
	uint32_t hdr[2] = { JOURNAL_MAGIC, 0 };
	uint64_t seq = b->seq;
	uint32_t crc = 0;
	if (wbuf_put(w, hdr, 8) || wbuf_put(w, &seq, 8) || wbuf_u32(w, crc))
		return -1;
	size_t payload = w->len;
	if (wbuf_u32(w, (uint32_t)b->n_defs) || wbuf_u32(w, (uint32_t)b->n_samples) ||
	    wbuf_u32(w, (uint32_t)b->n_texts))
		return -1;
	for (size_t i = 0; i < b->n_defs; i++) {
		const struct series_def *d = &b->defs[i];
		if (wbuf_u32(w, d->id) || wbuf_u32(w, d->step) || wbuf_put(w, &d->kind, 1) ||
		    wbuf_put(w, &d->first_ts, 8) || wbuf_str(w, d->key) || wbuf_str(w, d->host))
			return -1;
	}
	for (size_t i = 0; i < b->n_samples; i++) {
		const struct sample *s = &b->samples[i];
		if (wbuf_u32(w, s->series_id) || wbuf_put(w, &s->ts, 8) ||
		    wbuf_put(w, &s->value, 8))
			return -1;
	}
	for (size_t i = 0; i < b->n_texts; i++) {
		const struct text_update *t = &b->texts[i];
		if (wbuf_u32(w, t->series_id) || wbuf_put(w, &t->ts, 8) || wbuf_str(w, t->text))
			return -1;
	}
	uint32_t plen = (uint32_t)(w->len - payload);
	crc = (uint32_t)crc32(0L, w->p + payload, plen);
	memcpy(w->p + start + 4, &plen, 4);
	memcpy(w->p + start + 16, &crc, 4);
	return 0;
}

unsigned char *
journal_encode(const struct batch *b, size_t *len)
{
	struct wbuf w = { 0 };
	if (encode_batch(&w, b) < 0) {
		free(w.p);
		return NULL;
	}
	*len = w.len;
	return w.p;
}

struct rbuf {
	const unsigned char *p;
	size_t len, at;
};

static int
rbuf_get(struct rbuf *r, void *out, size_t n)
{
	if (r->len - r->at < n)
		return -1;
	memcpy(out, r->p + r->at, n);
	r->at += n;
	return 0;
}

static char *
rbuf_str(struct rbuf *r)
{
	uint32_t n;
	if (rbuf_get(r, &n, 4) || r->len - r->at < n || memchr(r->p + r->at, '\0', n) != NULL)
		return NULL;		/* encode_batch never writes a NUL inside */
	char *s = strndup((const char *)r->p + r->at, n);
	r->at += n;
	return s;
}

static struct batch *
decode_batch(const unsigned char *p, size_t len, uint64_t seq)
{
	struct rbuf r = { p, len, 0 };
	uint32_t nd, ns, nt;
	struct batch *b = batch_new();
	if (b == NULL || rbuf_get(&r, &nd, 4) || rbuf_get(&r, &ns, 4) || rbuf_get(&r, &nt, 4))
		goto bad;
	b->seq = seq;
	for (uint32_t i = 0; i < nd; i++) {
		if (b->n_defs == b->cap_defs) {
			size_t cap = b->cap_defs ? b->cap_defs * 2 : 16;
			void *g = realloc(b->defs, cap * sizeof(*b->defs));
			if (g == NULL)
				goto bad;
			b->defs = g;
			b->cap_defs = cap;
		}
		struct series_def *d = &b->defs[b->n_defs];
		memset(d, 0, sizeof(*d));
		if (rbuf_get(&r, &d->id, 4) || rbuf_get(&r, &d->step, 4) ||
		    rbuf_get(&r, &d->kind, 1) || rbuf_get(&r, &d->first_ts, 8))
			goto bad;
		d->key = rbuf_str(&r);
		d->host = rbuf_str(&r);
		b->n_defs++;
		if (d->key == NULL || d->host == NULL)
			goto bad;
	}
	for (uint32_t i = 0; i < ns; i++) {
		uint32_t id;
		double ts, v;
		if (rbuf_get(&r, &id, 4) || rbuf_get(&r, &ts, 8) || rbuf_get(&r, &v, 8) ||
		    batch_add_sample(b, id, ts, v) < 0)
			goto bad;
	}
	for (uint32_t i = 0; i < nt; i++) {
		uint32_t id;
		double ts;
		if (rbuf_get(&r, &id, 4) || rbuf_get(&r, &ts, 8))
			goto bad;
		char *text = rbuf_str(&r);
		if (text == NULL)
			goto bad;
		int rc = batch_add_text(b, id, ts, text, strlen(text));
		free(text);
		if (rc < 0)
			goto bad;
	}
	if (r.at != r.len)
		goto bad;		/* trailing bytes: not what encode_batch wrote */
	return b;
bad:
	batch_free(b);
	return NULL;
}

/* ---- segments ------------------------------------------------------------ */

static char *
segment_path(const char *dir, uint64_t first_seq)
{
	char *path;
	if (asprintf(&path, "%s/%020" PRIu64 ".wal", dir, first_seq) < 0)
		return NULL;
	return path;
}

static void
fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static int
segment_open_new(struct journal *j, uint64_t first_seq)
{
	char *path = segment_path(j->dir, first_seq);
	if (path == NULL)
		return -1;
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_warn("journal: cannot create %s", path);
		free(path);
		return -1;
	}
	free(path);
	fsync_dir(j->dir);
	struct segment *seg = calloc(1, sizeof(*seg));
	if (seg == NULL) {
		close(fd);
		return -1;
	}
	seg->first_seq = first_seq;
	seg->last_seq = first_seq ? first_seq - 1 : 0;
	struct segment **tail = &j->segments;
	while (*tail)
		tail = &(*tail)->next;
	*tail = seg;
	if (j->fd >= 0)
		close(j->fd);
	j->fd = fd;
	j->seg_size = 0;
	return 0;
}

/* Delete closed segments entirely at or below the checkpoint. */
static void
segments_trim(struct journal *j, uint64_t applied)
{
	while (j->segments != NULL && j->segments->next != NULL &&
	    j->segments->last_seq <= applied) {
		struct segment *seg = j->segments;
		char *path = segment_path(j->dir, seg->first_seq);
		if (path != NULL && unlink(path) < 0 && errno != ENOENT)
			log_warn("journal: cannot remove %s", path);
		free(path);
		j->segments = seg->next;
		free(seg);
	}
}

/* Runs on the loop: tell the batch's owner how the commit went. */
static void
journal_deliver(void *arg)
{
	struct batch *b = arg;
	b->on_durable(b, b->durable_ok, b->arg);
}

/* Write every queued batch with one fdatasync, then report them durable. */
static void
journal_commit(struct journal *j, struct batch *list)
{
	struct wbuf w = { 0 };
	int ok = 1;
	uint64_t last = 0;

	for (struct batch *b = list; b != NULL; b = b->next) {
		if (encode_batch(&w, b) < 0) {
			ok = 0;
			break;
		}
		last = b->seq;
	}
	if (ok && j->fd < 0 && segment_open_new(j, list->seq) < 0)
		ok = 0;
	size_t off = 0;
	while (ok && off < w.len) {
		ssize_t n = write(j->fd, w.p + off, w.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_warn("journal: write failed");
			ok = 0;
			break;
		}
		off += (size_t)n;
	}
	if (ok && fdatasync(j->fd) < 0) {
		log_warn("journal: fdatasync failed");
		ok = 0;
	}
	if (!ok && off > 0) {
		/* Cut the partial records so later appends stay readable. */
		off_t end = lseek(j->fd, 0, SEEK_END);
		if (end >= (off_t)off && ftruncate(j->fd, end - (off_t)off) < 0)
			log_warn("journal: cannot truncate after a failed write");
	}
	free(w.p);
	if (ok) {
		struct segment *cur = j->segments;
		while (cur->next)
			cur = cur->next;
		cur->last_seq = last;
		j->seg_size += w.len;
		__atomic_add_fetch(&j->metrics->journal_fsyncs, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&j->metrics->journal_bytes, w.len, __ATOMIC_RELAXED);
		if (j->seg_size >= JOURNAL_SEGMENT_MAX)
			segment_open_new(j, last + 1);
	}
	while (list != NULL) {
		struct batch *next = list->next;
		list->next = NULL;
		list->durable_ok = ok;
		loopq_post(j->loopq, &list->durable_item, journal_deliver, list);
		list = next;
	}
}

static void *
journal_thread(void *arg)
{
	struct journal *j = arg;
	pthread_mutex_lock(&j->lock);
	for (;;) {
		while (j->queue_head == NULL && !j->stopping)
			pthread_cond_wait(&j->cond, &j->lock);
		struct batch *list = j->queue_head;
		j->queue_head = j->queue_tail = NULL;
		uint64_t applied = j->checkpoint;
		int stopping = j->stopping;
		pthread_mutex_unlock(&j->lock);
		if (list != NULL)
			journal_commit(j, list);
		segments_trim(j, applied);
		pthread_mutex_lock(&j->lock);
		if (stopping && j->queue_head == NULL)
			break;
	}
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

struct journal *
journal_open(const char *dir, struct loopq *q, uint64_t first_seq,
    struct collector_metrics *metrics)
{
	struct journal *j = calloc(1, sizeof(*j));
	if (j == NULL)
		return NULL;
	j->dir = strdup(dir);
	j->loopq = q;
	j->metrics = metrics;
	j->fd = -1;
	j->next_seq = first_seq + 1;
	/* Replayed segments stay until the store says their samples are in RRD. */
	j->checkpoint = 0;
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->cond, NULL);
	if (j->dir == NULL || util_mkdirs(dir, 0700) < 0) {
		log_warn("journal: cannot create %s", dir);
		goto fail;
	}
	/* Segments from before the restart were replayed; list them for trimming. */
	DIR *d = opendir(dir);
	if (d != NULL) {
		struct dirent *de;
		uint64_t firsts[4096];
		size_t n = 0;
		while ((de = readdir(d)) != NULL && n < 4096) {
			uint64_t v;
			char tail[8];
			if (sscanf(de->d_name, "%20" SCNu64 "%7s", &v, tail) == 2 &&
			    strcmp(tail, ".wal") == 0)
				firsts[n++] = v;
		}
		closedir(d);
		for (size_t a = 0; a < n; a++)	/* few files: selection sort */
			for (size_t b2 = a + 1; b2 < n; b2++)
				if (firsts[b2] < firsts[a]) {
					uint64_t t = firsts[a];
					firsts[a] = firsts[b2];
					firsts[b2] = t;
				}
		struct segment **tail = &j->segments;
		for (size_t a = 0; a < n; a++) {
			struct segment *seg = calloc(1, sizeof(*seg));
			if (seg == NULL)
				break;
			seg->first_seq = firsts[a];
			seg->last_seq = first_seq;	/* all replayed: <= first_seq */
			*tail = seg;
			tail = &seg->next;
		}
	}
	if (segment_open_new(j, j->next_seq) < 0)
		goto fail;
	if (pthread_create(&j->thread, NULL, journal_thread, j) != 0)
		goto fail;
	return j;
fail:
	free(j->dir);
	free(j);
	return NULL;
}

void
journal_append(struct journal *j, struct batch *b)
{
	b->next = NULL;
	pthread_mutex_lock(&j->lock);
	b->seq = j->next_seq++;
	if (j->queue_tail)
		j->queue_tail->next = b;
	else
		j->queue_head = b;
	j->queue_tail = b;
	pthread_cond_signal(&j->cond);
	pthread_mutex_unlock(&j->lock);
}

void
journal_checkpoint(struct journal *j, uint64_t applied)
{
	pthread_mutex_lock(&j->lock);
	if (applied > j->checkpoint)
		j->checkpoint = applied;
	pthread_cond_signal(&j->cond);
	pthread_mutex_unlock(&j->lock);
}

void
journal_close(struct journal *j)
{
	if (j == NULL)
		return;
	pthread_mutex_lock(&j->lock);
	j->stopping = 1;
	pthread_cond_signal(&j->cond);
	pthread_mutex_unlock(&j->lock);
	pthread_join(j->thread, NULL);
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
}

void
journal_free(struct journal *j)
{
	if (j == NULL)
		return;
	while (j->segments) {
		struct segment *next = j->segments->next;
		free(j->segments);
		j->segments = next;
	}
	pthread_mutex_destroy(&j->lock);
	pthread_cond_destroy(&j->cond);
	free(j->dir);
	free(j);
}

/* ---- decoding and replay (startup, before the loop runs) ---------------- */

#define HDR 20				/* magic, length, seq, CRC */

enum journal_rec
journal_decode(const unsigned char *p, size_t len, struct batch **out, size_t *used)
{
	static const uint32_t magic_v = JOURNAL_MAGIC;
	uint32_t magic, plen, crc;
	uint64_t seq;
	*out = NULL;
	*used = 0;
	if (len < HDR)		/* a torn header, if what there is could start one */
		return memcmp(p, &magic_v, len < 4 ? len : 4) == 0 ? JOURNAL_REC_SHORT :
		    JOURNAL_REC_BAD;
	memcpy(&magic, p, 4);
	memcpy(&plen, p + 4, 4);
	memcpy(&seq, p + 8, 8);
	memcpy(&crc, p + 16, 4);
	if (magic != JOURNAL_MAGIC || plen > JOURNAL_RECORD_MAX)
		return JOURNAL_REC_BAD;
	if (len - HDR < plen)
		return JOURNAL_REC_SHORT;
	if ((uint32_t)crc32(0L, p + HDR, plen) != crc)
		return JOURNAL_REC_BAD;
	*out = decode_batch(p + HDR, plen, seq);
	if (*out == NULL)
		return JOURNAL_REC_BAD;
	*used = HDR + plen;
	return JOURNAL_REC_OK;
}

/*
 * The offset of the next valid record after at (len if none); *b: that
 * record decoded, *used its size.
 */
static size_t
next_valid(const unsigned char *buf, size_t len, size_t at, struct batch **b, size_t *used)
{
	static const uint32_t magic_v = JOURNAL_MAGIC;
	for (size_t k = at + 1; k + HDR <= len; k++) {
		const unsigned char *m = memmem(buf + k, len - k, &magic_v, 4);
		if (m == NULL)
			break;
		k = (size_t)(m - buf);
		if (journal_decode(buf + k, len - k, b, used) == JOURNAL_REC_OK)
			return k;
	}
	*b = NULL;
	return len;
}

void
journal_scan(const char *name, const unsigned char *buf, size_t len,
    void (*cb)(struct batch *b, void *arg), void *arg, struct journal_scan *rep)
{
	memset(rep, 0, sizeof(*rep));
	size_t at = 0;
	while (at < len) {
		struct batch *b;
		size_t used;
		enum journal_rec rc = journal_decode(buf + at, len - at, &b, &used);
		if (rc != JOURNAL_REC_OK) {
			size_t next = next_valid(buf, len, at, &b, &used);
			if (next == len && rc == JOURNAL_REC_SHORT) {
				log_warnx("journal: %s: incomplete record at offset %zu (%zu bytes) "
				    "at the end: a write cut short by a crash, never acknowledged",
				    name, at, len - at);
				rep->torn_tail = 1;
			} else {
				log_warnx("journal: %s: %zu damaged bytes at offsets %zu to %zu "
				    "skipped%s", name, next - at, at, next,
				    next < len ? "; replay goes on with the next valid record" :
				    " (the rest of the segment)");
				rep->damaged_bytes += next - at;
				rep->damaged_runs++;
			}
			if (b == NULL)
				break;
			at = next;
		}
		if (b->seq > rep->last_seq)
			rep->last_seq = b->seq;
		rep->records++;
		cb(b, arg);
		at += used;
	}
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replay one segment file; its first sequence (from its name) is first. */
static void
replay_segment(const char *dir, const char *name, void (*cb)(struct batch *, void *),
    void *arg, struct journal_scan *rep)
{
	char *path;
	memset(rep, 0, sizeof(*rep));
	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return;
	size_t len;
	unsigned char *buf = (unsigned char *)util_read_file(path, 1u << 30, &len);
	if (buf == NULL)
		log_warn("journal: cannot read %s; its records are lost", path);
	else
		journal_scan(path, buf, len, cb, arg, rep);
	free(buf);
	free(path);
}

int
journal_replay(const char *dir, void (*cb)(struct batch *, void *), void *arg,
    uint64_t *last_seq)
{
	DIR *d = opendir(dir);
	*last_seq = 0;
	if (d == NULL) {
		if (errno == ENOENT)
			return 0;
		log_warn("journal: cannot open %s; nothing replayed", dir);
		return -1;
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		uint64_t v;
		char tail[8];
		if (sscanf(de->d_name, "%20" SCNu64 "%7s", &v, tail) != 2 ||
		    strcmp(tail, ".wal") != 0)
			continue;
		char **g = realloc(names, (n + 1) * sizeof(*g));
		if (g == NULL || (g[n] = strdup(de->d_name)) == NULL) {
			names = g ? g : names;
			break;
		}
		names = g;
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_names);
	uint64_t damaged = 0, expect = 0;	/* expect: the next segment's first seq */
	for (size_t i = 0; i < n; i++) {
		uint64_t first = strtoull(names[i], NULL, 10);
		if (i > 0 && first > expect)
			log_warnx("journal: %s/%s: sequences %" PRIu64 " to %" PRIu64 " are in no "
			    "segment: a journal segment before it is missing (or its end was "
			    "damaged); those samples are lost", dir, names[i], expect, first - 1);
		struct journal_scan rep;
		replay_segment(dir, names[i], cb, arg, &rep);
		damaged += rep.damaged_bytes;
		/* an empty segment still tells where the sequence stood */
		uint64_t top = rep.last_seq > first - 1 || first == 0 ? rep.last_seq : first - 1;
		if (top > *last_seq)
			*last_seq = top;
		expect = top + 1;
		free(names[i]);
	}
	free(names);
	if (damaged > 0)
		log_warnx("journal: %" PRIu64 " damaged bytes skipped in replay (see above); "
		    "every valid record around them was replayed", damaged);
	return 0;
}

void
journal_discard(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		uint64_t v;
		char tail[8], *path;
		if (sscanf(de->d_name, "%20" SCNu64 "%7s", &v, tail) != 2 ||
		    strcmp(tail, ".wal") != 0 || asprintf(&path, "%s/%s", dir, de->d_name) < 0)
			continue;
		if (unlink(path) < 0)
			log_warn("journal: cannot remove %s", path);
		free(path);
	}
	closedir(d);
	fsync_dir(dir);
}
