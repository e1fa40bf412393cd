/*
 * jsonfrag.c — a piece of serialised JSON (one device, one interface list)
 * kept until what it shows changes, and added to replies by reference, so a
 * list of thousands of devices is assembled without building or copying
 * JSON. Reference counted: each reply that sends it holds one.
 */
#include "collector/collector.h"
#include "collector/http/http.h"

#include <event2/buffer.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct jfrag {
	unsigned refs;
	size_t len;
	char text[];
};

struct jfrag *
jfrag_new(json_t *j)
{
	struct evbuffer *tmp = evbuffer_new();
	struct jfrag *f = NULL;
	if (tmp != NULL && j != NULL) {
		http_json_append(tmp, j);
		size_t len = evbuffer_get_length(tmp);
		f = malloc(sizeof(*f) + len);
		if (f != NULL) {
			f->refs = 1;
			f->len = len;
			evbuffer_remove(tmp, f->text, len);
		}
	}
	evbuffer_free(tmp);
	json_decref(j);
	return f;
}

struct jfrag *
jfrag_from_buffer(struct evbuffer *buf)
{
	size_t len = evbuffer_get_length(buf);
	struct jfrag *f = malloc(sizeof(*f) + len);
	if (f != NULL) {
		f->refs = 1;
		f->len = len;
		evbuffer_copyout(buf, f->text, len);
	}
	return f;
}

void
jfrag_unref(struct jfrag *f)
{
	if (f != NULL && --f->refs == 0)
		free(f);
}

static void
jfrag_release(const void *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	jfrag_unref(arg);
}

void
jfrag_add_to(struct evbuffer *out, struct jfrag *f)
{
	f->refs++;
	if (evbuffer_add_reference(out, f->text, f->len, jfrag_release, f) < 0)
		f->refs--;
}
