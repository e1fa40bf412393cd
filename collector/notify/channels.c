/*
 * channels.c — notify.channels from the configuration: every mistake is
 * reported at once (`-t` shows them); secrets come inline (the config file
 * must then be private) or from a secret_file that others may not read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector/notify/notify.h"
#include "common/util.h"

static const char *const type_names[] = { "webhook", "wecom", "dingtalk", "feishu", "email",
	"sms", NULL };
static const char *const known_keys[] = { "name", "type", "url", "secret", "secret_file", "to",
	"template", "msgtype", "language", "from", "user", "tls", "rate_per_minute", "ca_file",
	NULL };

const char *
nch_type_name(enum nch_type t)
{
	return type_names[t];
}

static const char *
scalar(const struct cfg_node *map, const char *key)
{
	const struct cfg_node *n = cfg_node_get(map, key);
	return n != NULL && n->kind == CFG_N_SCALAR ? n->value : NULL;
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

/* A secret file: private (cfg_check_secrecy), one line, at most 4 KiB.
 * *denied: the file could not be reached or opened for want of permission
 * (a reload runs as the service user; the start read it as root). */
static char *
read_secret(const char *path, const char *name, int *denied, struct cfg_errors *errs)
{
	struct stat st;
	*denied = stat(path, &st) < 0 && (errno == EACCES || errno == EPERM);
	if (cfg_check_secrecy(path, errs) < 0)
		return NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char buf[4097];
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	int e = errno;
	if (fd >= 0)
		close(fd);
	if (n < 0) {
		*denied = e == EACCES || e == EPERM;
		cfg_errors_add(errs, "notify.channels %s: cannot read secret_file %s: %s", name,
		    path, strerror(e));
		return NULL;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0') {
		cfg_errors_add(errs, "notify.channels %s: secret_file %s is empty", name, path);
		return NULL;
	}
	char *secret = strdup(buf);
	explicit_bzero(buf, sizeof(buf));
	return secret;
}

/* ch's secret_file, read again; when the service user may not read it, the
 * secret the running channel of that name read from the same file (at
 * start, as root) is kept and ch->secret_kept set. */
static void
secret_from_file(struct nchannel *ch, const char *path, const char *label,
    const struct nchannels *prev, struct cfg_errors *errs)
{
	struct cfg_errors mine = { 0 };
	int denied;
	ch->secret_file = strdup(path);
	ch->secret = read_secret(path, label, &denied, &mine);
	const struct nchannel *was = prev != NULL && ch->secret == NULL && denied ?
	    nchannels_find(prev, ch->name) : NULL;
	if (was != NULL && was->secret != NULL && was->secret_file != NULL &&
	    strcmp(was->secret_file, path) == 0) {
		ch->secret = strdup(was->secret);
		ch->secret_kept = 1;
	} else {
		for (size_t i = 0; i < mine.n; i++)
			cfg_errors_add(errs, "%s", mine.msgs[i]);
	}
	cfg_errors_clear(&mine);
}

static int
valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64)
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
			return 0;
	return 1;
}

static int
starts(const char *s, const char *prefix)
{
	return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* One channel; problems go to errs (the channel is kept either way). */
static void
parse_one(const struct cfg_node *map, struct nchannel *ch, struct nchannels *all,
    const struct nchannels *prev, struct cfg_errors *errs)
{
	const char *name = scalar(map, "name"), *type = scalar(map, "type");
	char label[96];
	snprintf(label, sizeof(label), "%s", name ? name : "(unnamed)");
	char where[128];
	snprintf(where, sizeof(where), "notify.channels %s", label);
	ncfg_check_keys(map, known_keys, where, errs);
	if (name == NULL || !valid_name(name))
		cfg_errors_add(errs, "notify.channels (line %d): each channel needs a name of 1-64 "
		    "letters, digits, '-', '_' or '.'", map->line);
	else if (nchannels_find(all, name) != NULL)
		cfg_errors_add(errs, "notify.channels: two channels are named '%s'", name);
	ch->name = strdup(name ? name : "");
	size_t t = 0;
	while (type && type_names[t] && strcmp(type_names[t], type) != 0)
		t++;
	if (type == NULL || type_names[t] == NULL) {
		cfg_errors_add(errs, "notify.channels %s: type must be one of webhook, wecom, "
		    "dingtalk, feishu, email, sms", label);
		t = 0;
	}
	ch->type = (enum nch_type)t;
	ch->url = dup_or_null(scalar(map, "url"));
	ch->template = dup_or_null(scalar(map, "template"));
	ch->from = dup_or_null(scalar(map, "from"));
	ch->user = dup_or_null(scalar(map, "user"));
	ch->ca_file = dup_or_null(scalar(map, "ca_file"));
	if (ch->ca_file != NULL && access(ch->ca_file, R_OK) < 0)
		cfg_errors_add(errs, "notify.channels %s: cannot read ca_file %s: %s", label,
		    ch->ca_file, strerror(errno));
	ch->msgtype = strdup(scalar(map, "msgtype") ? scalar(map, "msgtype") : "markdown");
	const char *lang = scalar(map, "language");
	ch->zh = lang == NULL || strcmp(lang, "zh") == 0;
	if (lang != NULL && strcmp(lang, "zh") != 0 && strcmp(lang, "en") != 0)
		cfg_errors_add(errs, "notify.channels %s: language is zh or en", label);
	const char *tls = scalar(map, "tls");
	ch->tls_required = tls != NULL && strcmp(tls, "required") == 0;
	if (tls != NULL && strcmp(tls, "required") != 0 && strcmp(tls, "auto") != 0)
		cfg_errors_add(errs, "notify.channels %s: tls is 'required' or 'auto' (STARTTLS "
		    "when the server offers it)", label);
	ch->rate_per_minute = -1;
	const char *rate = scalar(map, "rate_per_minute");
	if (rate != NULL) {
		char *end;
		long v = strtol(rate, &end, 10);
		if (*end != '\0' || v < 0 || v > 100000)
			cfg_errors_add(errs, "notify.channels %s: rate_per_minute is 0-100000", label);
		else
			ch->rate_per_minute = (int)v;
	}
	const char *secret = scalar(map, "secret"), *sfile = scalar(map, "secret_file");
	if (secret != NULL && sfile != NULL)
		cfg_errors_add(errs, "notify.channels %s: give secret or secret_file, not both",
		    label);
	else if (secret != NULL)
		ch->secret = strdup(secret);
	else if (sfile != NULL)
		secret_from_file(ch, sfile, label, prev, errs);
	ch->to = ncfg_strings(cfg_node_get(map, "to"), &ch->n_to);

	if (ch->type == NCH_EMAIL) {
		if (!starts(ch->url, "smtp://") && !starts(ch->url, "smtps://"))
			cfg_errors_add(errs, "notify.channels %s: an email channel's url is "
			    "smtp://HOST[:PORT] or smtps://HOST[:PORT]", label);
		if (ch->n_to == 0)
			cfg_errors_add(errs, "notify.channels %s: an email channel needs 'to' "
			    "(addresses)", label);
		for (size_t i = 0; i < ch->n_to; i++)
			if (strchr(ch->to[i], '@') == NULL || strpbrk(ch->to[i], "\r\n<>") != NULL)
				cfg_errors_add(errs, "notify.channels %s: '%s' is not an email "
				    "address", label, ch->to[i]);
		if (ch->from != NULL && (strchr(ch->from, '@') == NULL ||
		    strpbrk(ch->from, "\r\n<>") != NULL))
			cfg_errors_add(errs, "notify.channels %s: from '%s' is not an email address",
			    label, ch->from);
	} else {
		if (!starts(ch->url, "http://") && !starts(ch->url, "https://"))
			cfg_errors_add(errs, "notify.channels %s: url must start with http:// or "
			    "https://", label);
		if (ch->url != NULL && strpbrk(ch->url, " \r\n") != NULL)
			cfg_errors_add(errs, "notify.channels %s: url has spaces or line breaks",
			    label);
	}
	if (ch->type == NCH_WECOM && strcmp(ch->msgtype, "markdown") != 0 &&
	    strcmp(ch->msgtype, "text") != 0)
		cfg_errors_add(errs, "notify.channels %s: msgtype is markdown or text", label);
	if (ch->type == NCH_SMS) {
		if (ch->n_to == 0)
			cfg_errors_add(errs, "notify.channels %s: an sms channel needs 'to' (numbers)",
			    label);
		if ((ch->url == NULL || strstr(ch->url, "{text}") == NULL) &&
		    (ch->template == NULL || strstr(ch->template, "{text}") == NULL))
			cfg_errors_add(errs, "notify.channels %s: an sms channel puts {text} (and "
			    "{number}) in its url or its template", label);
	}
}

struct parsing {
	struct nchannels *out;
	const struct nchannels *prev;
};

static void
parse_next(const struct cfg_node *map, void *arg, struct cfg_errors *errs)
{
	struct parsing *p = arg;
	/* out->n: the ones before, for the check of unique names */
	parse_one(map, &p->out->v[p->out->n], p->out, p->prev, errs);
	p->out->n++;
}

int
nchannels_parse(const struct cfg_node *node, const struct nchannels *prev,
    struct nchannels *out, struct cfg_errors *errs)
{
	struct parsing p = { out, prev };
	memset(out, 0, sizeof(*out));
	if (node != NULL && (out->v = calloc(node->n_items + 1, sizeof(*out->v))) == NULL)
		return -1;
	return ncfg_list(node, "notify.channels", "channel", parse_next, &p, errs);
}

static int
same_str(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

int
nchannel_same(const struct nchannel *a, const struct nchannel *b)
{
	if (a->type != b->type || a->n_to != b->n_to || a->tls_required != b->tls_required ||
	    a->zh != b->zh || a->rate_per_minute != b->rate_per_minute)
		return 0;
	for (size_t i = 0; i < a->n_to; i++)
		if (!same_str(a->to[i], b->to[i]))
			return 0;
	return same_str(a->name, b->name) && same_str(a->url, b->url) &&
	    same_str(a->secret, b->secret) && same_str(a->template, b->template) &&
	    same_str(a->msgtype, b->msgtype) && same_str(a->from, b->from) &&
	    same_str(a->user, b->user) && same_str(a->ca_file, b->ca_file);
}

struct nchannel *
nchannels_find(const struct nchannels *chs, const char *name)
{
	for (size_t i = 0; i < chs->n; i++)
		if (chs->v[i].name != NULL && strcmp(chs->v[i].name, name) == 0)
			return &chs->v[i];
	return NULL;
}

void
nchannels_free(struct nchannels *chs)
{
	for (size_t i = 0; i < chs->n; i++) {
		struct nchannel *ch = &chs->v[i];
		free(ch->name);
		free(ch->url);
		if (ch->secret != NULL)
			explicit_bzero(ch->secret, strlen(ch->secret));
		free(ch->secret);
		free(ch->secret_file);
		ncfg_strings_free(ch->to);
		free(ch->template);
		free(ch->msgtype);
		free(ch->from);
		free(ch->user);
		free(ch->ca_file);
	}
	free(chs->v);
	memset(chs, 0, sizeof(*chs));
}
