/*
 * snmp.h — the SNMP polling engine: public interface for the collector, and
 * the one internal header of collector/snmp/.
 *
 * The poller drives net-snmp's asynchronous single-session API from the
 * caller's libevent loop: each device has one net-snmp session whose UDP
 * socket is a persistent libevent read event, plus one timer that calls
 * snmp_sess_timeout() when net-snmp's earliest retransmission is due. No
 * thread per device, no forked command-line tools.
 *
 * What to poll is data: YAML profiles (collector/profiles/NAME.yaml, see
 * docs/profiles.md) matched by sysObjectID prefix, sysDescr or a probe OID
 * that answers. A poll cycle is: system GET → probe GETNEXT (only when the
 * profile choice is not cached) → scalar GETs and GETBULK walks of the
 * columns the matched profiles need → evaluation into a struct sp_result.
 *
 * net-snmp and libevent types are only forward-declared here; their headers
 * reach transport.c, poller.c, walk.c and device.c only.
 */
#ifndef CAMPUSMON_SNMP_H
#define CAMPUSMON_SNMP_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct event_base;
struct event;
struct snmp_pdu;		/* net-snmp's netsnmp_pdu */
struct cfg_node;
struct json_t;
struct cfg_errors;
struct sp_profile_set;

/* ===================================================================== */
/* Public interface                                                       */
/* ===================================================================== */

enum sp_version { SP_VER_1 = 1, SP_VER_2C = 2, SP_VER_3 = 3 };

enum sp_status {
	SP_STATUS_UNKNOWN,		/* not yet polled */
	SP_STATUS_UP,			/* answered */
	SP_STATUS_DOWN,		/* no answer within timeout × retries */
	SP_STATUS_UNREACHABLE,	/* could not even send (no route, bad address) */
};

/* Engine tuning; sp_poller_config_defaults() fills sane values. */
struct sp_poller_config {
	int timeout_ms;		/* per request attempt (default 2000) */
	int retries;		/* retransmissions after the first try (default 1) */
	int interval;		/* default poll interval, seconds (60) */
	int jitter_pct;		/* ± this % of the interval per cycle (10) */
	int start_spread_ms;	/* first polls spread over [0, this) (= interval) */
	int max_inflight;	/* requests in flight per device (1) */
	int bulk_max;	/* upper bound of varbinds per GETBULK reply (50) */
	int bulk_min;	/* adaptive floor (2) */
	int get_batch;		/* varbinds per GET request (30) */
	int max_values;		/* values kept per poll; more is cut (200000) */
	int max_rows_per_column;/* rows per walked column (50000) */
	int max_concurrent_polls;/* polls running at once, 0 = unlimited */
	int rematch_polls;	/* re-run profile matching every N polls (60) */
	int slow_interval;	/* seconds between walks of slow tables (300) */
};

/* One device to poll. Every string is copied by sp_poller_add(). */
struct sp_target {
	long long device_id;
	const char *name;		/* for logs; NULL: the address */
	const char *address;		/* IPv4 or IPv6 literal, or host name */
	unsigned port;			/* 0 = 161 */
	enum sp_version version;
	const char *community;		/* v1/v2c */
	/* v3 (USM). Protocol names as net-snmp spells them:
	 * MD5 SHA SHA-224 SHA-256 SHA-384 SHA-512; DES AES AES-192 AES-256. */
	const char *user;
	const char *auth_proto, *auth_pass;
	const char *priv_proto, *priv_pass;
	const char *context;
	int interval;			/* seconds; 0 = config default */
	int timeout_ms, retries;	/* 0 / -1 = config default */
};

struct sp_iface {
	unsigned long index;
	const char *name, *descr, *alias;
	unsigned long long speed_bps;
	const char *admin_status, *oper_status;	/* "up" "down" "testing" ... */
	/* Rates; NAN until two polls gave a usable delta. */
	double in_bps, out_bps, in_errors_ps, out_errors_ps;
	double in_discards_ps, out_discards_ps;
};

struct sp_sensor {
	const char *name;
	const char *type;	/* temperature humidity voltage ... (DESIGN §3) */
	const char *unit;	/* "°C" "%RH" "V" ... or "" */
	const char *state;	/* normal warning critical unknown, or the device's word */
	double value;		/* NAN when only a state is known */
	const char *index;	/* row index within its table ("" for scalars) */
	const char *profile;	/* profile that produced it */
};

struct sp_tag {
	const char *key, *value;
};

struct sp_metric {
	const char *measurement;
	const struct sp_tag *tags;
	size_t n_tags;
	const char *field;
	double value;
};

/* A raw table of a profile's `tables:` section (neighbour tables): one row
 * per index seen in any column; cells[k] is column k's value (type
 * SP_V_NONE when that column has no value at this index). */
struct sp_value;
struct sp_table_row {
	const uint32_t *index;		/* the arcs after the column OID */
	size_t index_len;
	const struct sp_value *cells;	/* n_cols of them */
};
struct sp_table {
	const char *name;		/* e.g. "lldp_rem" */
	const char *profile;
	const char *const *cols;	/* column names as the profile spells them */
	size_t n_cols;
	const struct sp_table_row *rows;
	size_t n_rows;
};

struct sp_result {
	long long device_id;
	const char *target;		/* the device's name or address */
	enum sp_status status;
	const char *error;		/* why it is not up, else NULL */
	double started;			/* Unix time the poll began */
	double duration;		/* seconds the poll took */
	const char *sys_descr, *sys_name, *sys_object_id;
	const char *sys_location, *sys_contact;
	long long uptime_ticks;		/* sysUpTime (1/100 s), -1 if unknown */
	int rebooted;			/* uptime went back since the last poll */
	/* Inventory where the device tells (ENTITY-MIB, vendor MIBs); NULL else. */
	const char *serial, *model, *vendor, *firmware;
	const char *kind;		/* switch router firewall wlc ups pdu sensor server storage other */
	const char *const *profiles;
	size_t n_profiles;
	const struct sp_iface *ifaces;
	size_t n_ifaces;
	const struct sp_sensor *sensors;
	size_t n_sensors;
	const struct sp_metric *metrics;
	size_t n_metrics;
	/* Tables of the profiles' `tables:` sections. Slow ones (neighbours)
	 * are walked every slow_interval only: slow_walked says whether this
	 * result holds them (all of them, possibly with no rows). */
	const struct sp_table *tables;
	size_t n_tables;
	int slow_walked;
	struct {
		unsigned requests, timeouts, too_big, values, bulk_size;
	} stats;
};

/*
 * Called once per completed poll. The result and everything it points to
 * belong to the poller and are valid only during the call: copy what you
 * keep. The callback may call sp_poller_remove() (even for this device)
 * and sp_poller_add(); it must not call sp_poller_free().
 */
typedef void (*sp_result_fn)(const struct sp_result *r, void *arg);

struct sp_poller;

void sp_poller_config_defaults(struct sp_poller_config *cfg);
/* The build tree's collector/profiles if it exists, else the installed ones. */
const char *sp_default_profiles_dir(void);
/*
 * Create a poller on base. profiles_dir holds *.yaml profiles (NULL: the
 * build tree's or the installed collector/profiles). Returns NULL (logged)
 * when the profiles do not load. cfg is copied.
 */
struct sp_poller *sp_poller_new(struct event_base *base,
    const struct sp_poller_config *cfg, const char *profiles_dir,
    sp_result_fn on_result, void *arg);
/*
 * The same with profiles loaded already (sp_profiles_load_dir*): the poller
 * takes over set's contents and leaves *set empty, also on failure.
 */
struct sp_poller *sp_poller_new_with(struct event_base *base,
    const struct sp_poller_config *cfg, struct sp_profile_set *set,
    sp_result_fn on_result, void *arg);
/*
 * Replace the profiles (SIGHUP): takes over set's contents as above. Every
 * device rematches at its next poll; the old profiles are freed once no
 * poll in progress uses them. 0, or -1 (out of memory: old ones kept).
 */
int sp_poller_set_profiles(struct sp_poller *p, struct sp_profile_set *set);
/* Start polling t periodically; replaces a device with the same id. 0 or -1. */
int sp_poller_add(struct sp_poller *p, const struct sp_target *t);
/* Stop polling a device; a poll in progress is dropped without a result. */
void sp_poller_remove(struct sp_poller *p, long long device_id);
/* Poll t once now, outside the schedule (discovery, troubleshooting).
 * With full = 0 only the system group and profile matching run. cb gets the
 * result (same ownership rule as on_result); returns 0 or -1. */
int sp_poller_probe(struct sp_poller *p, const struct sp_target *t,
    int full, sp_result_fn cb, void *arg);
/* Number of devices scheduled. */
size_t sp_poller_count(const struct sp_poller *p);
/* Drops every device and poll in progress. */
void sp_poller_free(struct sp_poller *p);

const char *sp_status_name(enum sp_status s);

/* The interface and sensor tables of a result, shaped as DESIGN.md §3
 * (new references, caller owns them). */
/* Interface and sensor rows as JSON arrays (DESIGN §3 shapes). */
struct json_t *sp_ifaces_json(const struct sp_iface *ifaces, size_t n);
struct json_t *sp_sensors_json(const struct sp_sensor *sensors, size_t n);
/* Render a result as a JSON document (heap string, caller frees). */
char *sp_result_to_json(const struct sp_result *r, int pretty);

/* ===================================================================== */
/* Internal: convert.c — pure value conversions (fuzzed, unit-tested)     */
/* ===================================================================== */

#define SP_MAX_OID 128

struct sp_oid {
	uint32_t arcs[SP_MAX_OID];
	uint8_t len;
	int8_t wild;		/* index of a '*' arc, -1 if none */
};

/* "1.3.6.1", ".1.3.6.1", "1.3.*.5" (wildcard allowed when wild_ok). 0 / -1. */
int sp_oid_parse(const char *text, struct sp_oid *o, int wild_ok);
/* Dotted text of arcs into buf; returns buf. */
char *sp_oid_format(const uint32_t *arcs, size_t n, char *buf, size_t len);
int sp_oid_cmp(const uint32_t *a, size_t na, const uint32_t *b, size_t nb);
/* Is a[0..na) a prefix of b? */
int sp_oid_is_prefix(const uint32_t *a, size_t na, const uint32_t *b, size_t nb);

/*
 * OCTET STRING → display text, never invalid UTF-8: valid UTF-8 is kept
 * (trailing NULs dropped); text in GB18030/GBK is converted with iconv (cd is
 * an iconv_t from sp_iconv_open(), or NULL to skip that step); anything with
 * control bytes or that does not convert is rendered as lowercase hex pairs
 * separated by ':'. Writes at most outlen-1 bytes plus a NUL; returns the
 * length, or -1 if outlen is 0. *how gets 'u' utf-8, 'g' gb18030, 'h' hex.
 */
int sp_octets_to_text(const unsigned char *in, size_t len, void *cd,
    char *out, size_t outlen, char *how);
void *sp_iconv_open(void);	/* GB18030 → UTF-8; NULL if unavailable */
void sp_iconv_close(void *cd);

/* Parse a numeric string ("23.5", " 42 ", "-1"); 0 / -1. */
int sp_parse_number(const char *s, size_t len, double *out);

/* Counter bookkeeping: previous raw value and when it was read. */
struct sp_counter {
	uint64_t raw;
	double t;		/* monotonic seconds */
	int valid;
};
/*
 * Rate per second from prev to (cur at t) for a counter of bits 32 or 64.
 * reset: the device rebooted since prev (then no rate). max_rate > 0: a
 * computed rate above it is treated as a discontinuity. Updates prev to cur.
 * Returns 0 with *rate set, or -1 when no rate can be given this time.
 */
int sp_counter_rate(struct sp_counter *prev, uint64_t cur, double t, int bits,
    int reset, double max_rate, double *rate);
/*
 * Did the device restart between two sysUpTime readings taken dt seconds
 * apart (monotonic)? A 32-bit tick wrap near 497 days is not a restart.
 */
int sp_uptime_rebooted(uint32_t prev, uint32_t cur, double dt);
/* raw × scale ÷ 10^precision, as ENTITY-SENSOR-MIB and vendor MIBs want. */
double sp_scale_value(double raw, double scale, int precision);
/* ENTITY-SENSOR-MIB entPhySensorScale (1 yocto … 9 units … 17 yotta). */
double sp_entity_scale(int code);
/* ifAdminStatus/ifOperStatus number → word ("up", "down", …, "unknown"). */
const char *sp_ifstatus_name(long v);

/* ===================================================================== */
/* Internal: varbinds.c — the varbinds of one poll, sorted for lookups   */
/* ===================================================================== */

enum sp_vtype {
	SP_V_NONE, SP_V_INT, SP_V_UINT, SP_V_COUNTER32, SP_V_COUNTER64,
	SP_V_TICKS, SP_V_STRING, SP_V_OID, SP_V_IPADDR,
};

struct sp_value {
	enum sp_vtype type;
	int64_t i;		/* INTEGER */
	uint64_t u;		/* unsigned kinds */
	const unsigned char *s;	/* STRING/OID text/IPADDR bytes (store-owned) */
	size_t len;
};

struct sp_vb {
	uint32_t *arcs;
	uint8_t n;
	struct sp_value v;
	double t;		/* monotonic time of the reply carrying it */
};

/* Bump allocator: everything of one poll is freed at once. */
struct sp_arena {
	struct sp_chunk *head;
};
void *sp_arena_alloc(struct sp_arena *a, size_t n);
char *sp_arena_strdup(struct sp_arena *a, const char *s);
char *sp_arena_printf(struct sp_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sp_arena_free(struct sp_arena *a);

struct sp_store {
	struct sp_arena *arena;
	struct sp_vb *v;
	size_t n, cap, max;
	int sorted;
	int truncated;
};
void sp_store_init(struct sp_store *s, struct sp_arena *a, size_t max);
/* Copy one value in (arcs and bytes are copied). 0, or -1 when full. */
int sp_store_add(struct sp_store *s, const uint32_t *arcs, size_t n,
    const struct sp_value *v, double t);
/* Sort and drop duplicates (last wins); needed before lookups. */
void sp_store_finish(struct sp_store *s);
const struct sp_vb *sp_store_get(const struct sp_store *s, const uint32_t *arcs, size_t n);
/* First entry >= arcs (index), for iterating a subtree. */
size_t sp_store_lower(const struct sp_store *s, const uint32_t *arcs, size_t n);
/* Numeric view of a value (numeric strings too); 0 / -1. */
int sp_value_number(const struct sp_value *v, double *out);

/* ===================================================================== */
/* Internal: profile.c — YAML profiles                                   */
/* ===================================================================== */

struct sp_map_entry {
	char *key;		/* matched as a number when both sides are numbers */
	double num;
	int key_is_num;
	char *a, *b;		/* state, or type + unit */
	double mult;		/* numeric value of a (scale maps) */
};

struct sp_map {
	struct sp_map_entry *e;
	size_t n;
	char *dflt;		/* "_default" entry's a, or NULL */
	char *dflt_b;
};

/* A column (table) OID or a scalar (ending in .0); may hold one '*'. */
struct sp_ref {
	struct sp_oid oid;
	int set;
	int scalar;
};

struct sp_lookup {
	struct sp_ref ref;	/* unset: the value column itself */
	struct sp_map map;
	int entity;		/* scale_from: ENTITY-SENSOR-MIB scale codes */
	int set;
};

enum sp_where_op { SP_W_IN, SP_W_NOT_IN, SP_W_MATCH, SP_W_NOT_MATCH };
struct sp_where {
	struct sp_ref ref;
	enum sp_where_op op;
	char **vals;
	size_t n_vals;
	regex_t re;
	int has_re;
};

struct sp_sensor_def {
	char *type, *unit;
	struct sp_ref value;
	struct sp_ref label;		/* name column */
	char *name;			/* template: {label} {index} {index:N} {type} */
	double scale;
	struct sp_ref precision;	/* divide by 10^column */
	int precision_fixed;		/* or a fixed precision */
	struct sp_lookup type_from;	/* map → type, unit */
	struct sp_lookup scale_from;	/* map → multiplier */
	struct sp_lookup state;		/* map → state word */
	struct sp_map value_map;	/* raw value remapped before scaling */
	double *skip;			/* raw values that mean "no sensor" */
	size_t n_skip;
	struct sp_where *where;
	size_t n_where;
	int line;
};

struct sp_metric_def {
	char *measurement, *field;
	struct sp_ref value;
	struct sp_ref label;
	char *tag;			/* tag key for the label (default "name") */
	char *name;			/* label template, as for sensors */
	double scale;
	int rate;			/* counter → per second */
	struct sp_ref multiply;		/* × another column (allocation units) */
	struct sp_ref percent_of;	/* value × 100 / other column */
	struct sp_where *where;
	size_t n_where;
	int line;
};

struct sp_field_def {
	char *field;			/* serial model vendor firmware ... */
	struct sp_ref ref;
	char *literal;
	struct sp_where *where;
	size_t n_where;
};

enum sp_if_col {
	SP_IF_DESCR, SP_IF_NAME, SP_IF_ALIAS, SP_IF_TYPE, SP_IF_SPEED,
	SP_IF_HIGH_SPEED, SP_IF_ADMIN, SP_IF_OPER,
	SP_IF_IN_OCTETS, SP_IF_OUT_OCTETS, SP_IF_HC_IN_OCTETS, SP_IF_HC_OUT_OCTETS,
	SP_IF_IN_ERRORS, SP_IF_OUT_ERRORS, SP_IF_IN_DISCARDS, SP_IF_OUT_DISCARDS,
	SP_IF_NCOLS
};
extern const char *const sp_if_col_names[SP_IF_NCOLS];

struct sp_kind_rule {
	char *kind;
	regex_t re;
	int has_re;
	struct sp_oid prefix;
	int has_prefix;
};

/* tables: a named raw table, walked as is and handed on (topology/). */
struct sp_table_def {
	char *name;
	int slow;			/* walked every slow_interval, not every poll */
	char **col_names;
	struct sp_ref *cols;
	size_t n_cols;
};

struct sp_profile {
	char *name, *description, *file;
	char *kind;
	int priority;
	struct sp_oid *match_oid;	/* sysObjectID prefixes */
	size_t n_match_oid;
	regex_t *match_descr;
	size_t n_match_descr;
	struct sp_ref *probe;		/* GETNEXT answers inside this subtree */
	size_t n_probe;
	struct sp_kind_rule *kind_rules;
	size_t n_kind_rules;
	struct sp_field_def *fields;
	size_t n_fields;
	struct sp_sensor_def *sensors;
	size_t n_sensors;
	struct sp_metric_def *metrics;
	size_t n_metrics;
	struct sp_ref ifcols[SP_IF_NCOLS];
	int has_ifcols;
	struct sp_table_def *tables;
	size_t n_tables;
};

struct sp_profile_set {
	struct sp_profile **v;		/* sorted by priority, then name */
	size_t n;
};

/* A profile set shared by the poller (its current one) and the devices whose
 * cached matches point into it; freed when the last reference goes. */
struct sp_profiles {
	struct sp_profile_set set;
	unsigned refs;
};

/* Parse one profile from a YAML buffer; NULL with errors in errs. */
struct sp_profile *sp_profile_parse(const char *buf, size_t len, const char *file,
    struct cfg_errors *errs);
void sp_profile_free(struct sp_profile *p);
/* Load every *.yaml of dir; every problem is reported in errs; -1 if any. */
int sp_profiles_load_dir(const char *dir, struct sp_profile_set *set,
    struct cfg_errors *errs);
/* The same from a folder already open (dir names it in messages); dirfd
 * stays open and usable again. */
int sp_profiles_load_dirfd(int dirfd, const char *dir, struct sp_profile_set *set,
    struct cfg_errors *errs);
int sp_profiles_add(struct sp_profile_set *set, struct sp_profile *p);
void sp_profiles_free(struct sp_profile_set *set);
const struct sp_profile *sp_profiles_find(const struct sp_profile_set *set,
    const char *name);
/*
 * Static match: 1 matched (by sysObjectID or sysDescr, or the profile has
 * no match section), 0 not, 2 only a probe can tell.
 */
int sp_profile_match_static(const struct sp_profile *p,
    const uint32_t *sysoid, size_t sysoid_len, const char *sysdescr);
/* Kind from the matched profiles (highest priority wins); "other" if none. */
const char *sp_profiles_kind(const struct sp_profile *const *matched, size_t n,
    const uint32_t *sysoid, size_t sysoid_len, const char *sysdescr);
/* Map lookup of a value (number or string); NULL if absent and no default. */
const struct sp_map_entry *sp_map_find(const struct sp_map *m,
    const struct sp_value *v, const char **dflt_a, const char **dflt_b);

/* ===================================================================== */
/* Internal: plan.c — what to fetch, and evaluation into a result        */
/* ===================================================================== */

struct sp_plan {
	struct sp_oid *gets;		/* scalars */
	size_t n_gets;
	struct sp_oid *walks;		/* subtrees, sorted, none inside another */
	size_t n_walks;
	struct sp_oid *slow_walks;	/* slow tables' columns, walked when due */
	size_t n_slow_walks;
};

int sp_plan_build(struct sp_plan *plan, const struct sp_profile *const *matched,
    size_t n);
void sp_plan_free(struct sp_plan *plan);

/* Per-device memory that lives across polls (counters, last uptime). */
struct sp_counter_slot {
	uint64_t key;
	struct sp_counter c;
};
struct sp_history {
	struct sp_counter_slot *slots;
	size_t n, cap;
	long long last_uptime;		/* -1 unknown */
	double last_uptime_t;
};
struct sp_counter *sp_history_counter(struct sp_history *h, uint64_t key);
void sp_history_free(struct sp_history *h);

/* Everything the evaluation needs beyond the store. */
struct sp_eval_ctx {
	struct sp_arena *arena;
	void *iconv;
	struct sp_history *hist;
	int rebooted;
	double now;			/* monotonic, for scalars without a time */
	int with_slow;			/* the slow tables were walked this poll */
};

/*
 * Fill r (interfaces, sensors, metrics, inventory, kind) from the store and
 * the matched profiles. Strings and arrays live in ctx->arena.
 */
void sp_evaluate(struct sp_result *r, const struct sp_store *st,
    const struct sp_profile *const *matched, size_t n, struct sp_eval_ctx *ctx);
/* tables.c: the profiles' raw tables into r->tables (slow ones only when
 * ctx->with_slow). */
void sp_evaluate_tables(struct sp_result *r, const struct sp_store *st,
    const struct sp_profile *const *matched, size_t n, struct sp_eval_ctx *ctx);
void sp_table_def_free(struct sp_table_def *t);
/* OCTET STRING value as display text in the arena ("" for non-strings). */
const char *sp_value_text(struct sp_arena *a, void *iconv, const struct sp_value *v);

/* ===================================================================== */
/* Internal: walk.c, device.c, transport.c, poller.c                     */
/* ===================================================================== */

struct sp_device;
struct sp_job;

/* Job kinds of a poll cycle; each has at most one request in flight. */
enum sp_job_kind { SP_JOB_GET, SP_JOB_WALK, SP_JOB_PROBE, SP_JOB_DISCOVER };

struct sp_job {
	enum sp_job_kind kind;
	struct sp_device *dev;
	struct sp_oid *oids;		/* GET/PROBE: the varbinds; WALK: the roots */
	size_t n_oids;
	uint32_t (*cur)[SP_MAX_OID];	/* WALK: last OID per root */
	uint8_t *cur_len;
	uint8_t *done;			/* WALK: root finished; PROBE: answered inside */
	size_t pos, count;		/* GET/PROBE: next varbind, batch size */
	size_t rows;
	int reqid;
	int tries_small;		/* tooBig/timeout shrinks done on this request */
	void *ctx;			/* owner's data (not freed with the job) */
	struct sp_job *next;
	int finished;
};

enum sp_phase { SP_PH_IDLE, SP_PH_DISCOVER, SP_PH_SYSTEM, SP_PH_PROBE, SP_PH_FETCH };

/* A polled device: its session, schedule, poll in progress and history. */
struct sp_device {
	struct sp_poller *p;
	/* The target, with owned copies of its strings. */
	struct sp_target t;
	char *peer;			/* "udp:192.0.2.1:161", "udp6:[2001:db8::1]:161" */
	int interval, timeout_ms, retries;
	/* transport.c */
	void *sess;			/* snmp_sess_open() handle, NULL when closed */
	int fd;
	struct event *rev, *tev, *pollev;
	int engine_known;		/* v3: engine ID discovered */
	int in_dispatch;		/* inside net-snmp's read/timeout: defer frees */
	int dead, need_reset;
	/* one-shot probes */
	int oneshot, full;
	sp_result_fn cb;
	void *cb_arg;
	/* the poll in progress (device.c) */
	enum sp_phase phase;
	int queued;			/* waiting for a global poll slot */
	struct sp_device *qnext;
	double started_wall, started_mono;
	struct sp_arena arena;
	struct sp_store store;
	struct sp_job *jobs;		/* not started yet */
	struct sp_job *active;		/* requests in flight */
	int inflight;
	int timeouts_in_poll;
	int responded;
	enum sp_status status;
	const char *error;
	unsigned st_requests, st_timeouts, st_too_big;
	/* adaptive GETBULK size */
	int max_reps, ok_streak;
	/* cached profile choice: matched points into matched_from; a match in
	 * progress draws its candidates from match_from (both referenced) */
	struct sp_profiles *matched_from, *match_from;
	const struct sp_profile **matched;
	size_t n_matched;
	struct sp_plan plan;
	char *match_sysoid;
	int polls_since_match;
	int rebooted;
	struct sp_history hist;
	double slow_last;		/* monotonic time of the last slow walk, 0 never */
	int slow_now;			/* this poll walks the slow tables */
};

struct sp_poller {
	struct event_base *base;
	struct sp_poller_config cfg;
	struct sp_profiles *profiles;	/* the current set (referenced) */
	sp_result_fn on_result;
	void *arg;
	struct sp_device **devs;
	size_t n_devs, cap_devs;
	void *iconv;
	void *fdset;			/* netsnmp_large_fd_set */
	int running;			/* polls in progress */
	struct sp_device *qhead, *qtail;
	uint64_t rng;
};

/* transport.c */
/* net-snmp's process-wide set-up, once (no snmp.conf, MIBs or state files). */
void sp_eng_global_init(void);
int sp_eng_open(struct sp_device *d);
void sp_eng_close(struct sp_device *d);
/* Send pdu for job j (the PDU is consumed either way). 0 or -1. */
int sp_eng_send(struct sp_device *d, struct sp_job *j, struct snmp_pdu *pdu);
/* v3: send the engine ID discovery probe. 0 or -1. */
int sp_eng_discover(struct sp_device *d);
void sp_eng_update_timer(struct sp_device *d);
/* Apply deferred frees/resets once nothing on the stack uses d. */
void sp_eng_after_dispatch(struct sp_device *d);
double sp_rand01(struct sp_poller *p);
/* Take / drop a reference to a profile set (NULL is ignored). */
struct sp_profiles *sp_profiles_ref(struct sp_profiles *pr);
void sp_profiles_unref(struct sp_profiles *pr);
int sp_poller_link(struct sp_poller *p, struct sp_device *d);
void sp_poller_release(struct sp_poller *p, struct sp_device *d);
void sp_dev_free(struct sp_device *d);

/* device.c */
void sp_dev_poll_start(struct sp_device *d);
/* A reply (pdu != NULL), a timeout (pdu == NULL, timed_out) or a send
 * failure for job j. */
void sp_dev_on_reply(struct sp_device *d, struct sp_job *j, struct snmp_pdu *pdu,
    int timed_out);
/* v3 discovery finished (ok = engine ID learned). */
void sp_dev_on_discovered(struct sp_device *d, int ok);
void sp_dev_schedule(struct sp_device *d, double delay);
/* Drop the poll in progress without a result (removal, shutdown). */
void sp_dev_abort(struct sp_device *d);

/* walk.c: build the next request PDU for a job; NULL when the job is done. */
struct snmp_pdu *sp_walk_next_pdu(struct sp_job *j, int version, int max_reps);
/*
 * Take a response into the store. Returns 0 when it was consumed (the job
 * may be finished), 1 when the request must be retried smaller (tooBig), -1
 * on a protocol error that ends the job.
 */
int sp_walk_response(struct sp_job *j, struct snmp_pdu *pdu, struct sp_store *st,
    double t, int max_rows);
void sp_job_free(struct sp_job *j);

#endif
