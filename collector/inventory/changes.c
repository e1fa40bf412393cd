/*
 * changes.c — adding, editing and removing devices: the database write runs
 * on the store thread, then the table, the poller and the audit trail follow
 * on the loop. The API and discovery both come through here; neither sees the
 * other's types (no HTTP here: the caller learns the outcome from done()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/collector.h"
#include "collector/auth/auth.h"
#include "collector/store/store.h"
#include "collector/inventory/inventory.h"

struct change {
	struct collector *c;
	struct device *copy;		/* what is written (save) */
	int64_t id;			/* what is removed (delete) */
	int creating;
	int rc;
	char who[160];
	char addr[64];
	inventory_done_fn done;
	void *arg;
};

static struct change *
change_new(struct collector *c, const char *who, const char *addr, inventory_done_fn done,
    void *arg)
{
	struct change *ch = calloc(1, sizeof(*ch));
	if (ch == NULL)
		return NULL;
	ch->c = c;
	snprintf(ch->who, sizeof(ch->who), "%s", who ? who : "");
	snprintf(ch->addr, sizeof(ch->addr), "%s", addr ? addr : "");
	ch->done = done;
	ch->arg = arg;
	return ch;
}

static void
save_run(struct store *st, void *arg)
{
	struct change *ch = arg;
	ch->rc = devices_db_save(store_db(st), ch->copy);
}

static void
save_done(void *arg)
{
	struct change *ch = arg;
	struct collector *c = ch->c;
	const char *action = ch->creating ? "device.add" : "device.edit";
	if (ch->rc == 0) {
		struct device *d = device_get(c->devices, ch->copy->id);
		if (d != NULL) {		/* keep the live tables of an edited device */
			ch->copy->live = d->live;
			d->live = NULL;
			device_remove(c->devices, d);
			device_free(d);
		}
		device_insert(c->devices, ch->copy);
		snmpbridge_watch(c, ch->copy);
		seen_forget(c, ch->copy->address);	/* a device now, not a seen host */
		audit_record(c, ch->who, ch->addr, action, ch->copy->name, 1, "id %lld, %s",
		    (long long)ch->copy->id, ch->copy->address);
		if (ch->done)
			ch->done(ch->arg, ch->copy, 0);
	} else {
		audit_record(c, ch->who, ch->addr, action, ch->copy->name, 0, "%s",
		    ch->rc == -2 ? "name taken" : "not stored");
		if (ch->done)
			ch->done(ch->arg, ch->copy, ch->rc);
		device_free(ch->copy);
	}
	free(ch);
}

int
inventory_save(struct collector *c, struct device *copy, int creating, const char *who,
    const char *addr, inventory_done_fn done, void *arg)
{
	struct change *ch = change_new(c, who, addr, done, arg);
	if (ch == NULL) {
		device_free(copy);
		return -1;
	}
	ch->copy = copy;
	ch->creating = creating;
	if (store_call(c->store, save_run, save_done, ch) < 0) {
		device_free(copy);
		free(ch);
		return -1;
	}
	return 0;
}

static void
delete_run(struct store *st, void *arg)
{
	struct change *ch = arg;
	ch->rc = devices_db_delete(store_db(st), ch->id);
}

static void
delete_done(void *arg)
{
	struct change *ch = arg;
	struct device *d = device_get(ch->c->devices, ch->id);
	if (ch->rc == 0 && d != NULL) {
		snmpbridge_forget(ch->c, ch->id);
		audit_record(ch->c, ch->who, ch->addr, "device.remove", d->name, 1, "id %lld",
		    (long long)ch->id);
		device_remove(ch->c->devices, d);
		device_free(d);
	} else if (ch->rc != 0) {
		ch->rc = -1;
	}
	if (ch->done)
		ch->done(ch->arg, NULL, ch->rc);
	free(ch);
}

int
inventory_delete(struct collector *c, int64_t id, const char *who, const char *addr,
    inventory_done_fn done, void *arg)
{
	struct change *ch = change_new(c, who, addr, done, arg);
	if (ch == NULL)
		return -1;
	ch->id = id;
	if (store_call(c->store, delete_run, delete_done, ch) < 0) {
		free(ch);
		return -1;
	}
	return 0;
}
