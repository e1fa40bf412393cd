/*
 * test_auth.c — the pieces of web login that need no server: login failure
 * counters, session cookies and the session table, what valid user names,
 * roles and passwords are, and argon2id hashing.
 */
#include <criterion/criterion.h>
#include <sodium.h>
#include <string.h>

#include "collector/collector.h"
#include "collector/auth/auth.h"

static void
init(void)
{
	cr_assert(sodium_init() >= 0);
}

/* ---- ratelimit ---------------------------------------------------------------- */

Test(ratelimit, blocks_after_max_failures_until_the_window_ends)
{
	struct ratelimit *rl = ratelimit_new(3, 100, 16);
	cr_assert_not_null(rl);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(ratelimit_blocked(rl, "a", 1000 + i), 0, "attempt %d", i);
		cr_assert_eq(ratelimit_fail(rl, "a", 1000 + i), 0);
	}
	cr_assert_float_eq(ratelimit_blocked(rl, "a", 1010), 90, 1e-9);
	cr_assert_eq(ratelimit_blocked(rl, "b", 1010), 0, "other keys are free");
	cr_assert_eq(ratelimit_first_report(rl, "a"), 1);
	cr_assert_eq(ratelimit_first_report(rl, "a"), 0, "a block is reported once");
	cr_assert_float_eq(ratelimit_blocked(rl, "a", 1099.5), 1, 1e-9, "at least 1s");
	cr_assert_eq(ratelimit_blocked(rl, "a", 1100), 0, "window over");
	cr_assert_eq(ratelimit_first_report(rl, "a"), 1, "new window, new report");
	ratelimit_free(rl);
}

Test(ratelimit, undo_forget_and_sweep)
{
	struct ratelimit *rl = ratelimit_new(2, 60, 16);
	ratelimit_fail(rl, "k", 0);
	ratelimit_fail(rl, "k", 0);
	cr_assert_gt(ratelimit_blocked(rl, "k", 1), 0);
	ratelimit_undo(rl, "k");
	cr_assert_eq(ratelimit_blocked(rl, "k", 1), 0);
	ratelimit_undo(rl, "k");
	ratelimit_undo(rl, "k");		/* never below zero */
	ratelimit_fail(rl, "k", 1);
	cr_assert_eq(ratelimit_blocked(rl, "k", 2), 0);
	ratelimit_forget(rl, "k");
	ratelimit_forget(rl, "nothing");
	cr_assert_eq(ratelimit_count(rl), 0);
	ratelimit_fail(rl, "x", 0);
	ratelimit_fail(rl, "y", 50);
	cr_assert_eq(ratelimit_sweep(rl, 70), 1, "only x's window ended");
	cr_assert_eq(ratelimit_count(rl), 1);
	cr_assert_eq(ratelimit_blocked(rl, "x", 1e9), 0);
	ratelimit_free(rl);
}

Test(ratelimit, a_full_table_refuses_new_keys_instead_of_growing)
{
	struct ratelimit *rl = ratelimit_new(5, 60, 4);
	char key[16];
	for (int i = 0; i < 4; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		cr_assert_eq(ratelimit_fail(rl, key, 0), 0);
	}
	cr_assert_eq(ratelimit_fail(rl, "new", 1), -1);
	cr_assert_gt(ratelimit_blocked(rl, "new", 1), 0, "fail closed while full");
	cr_assert_eq(ratelimit_blocked(rl, "k1", 1), 0, "known keys still counted");
	cr_assert_eq(ratelimit_fail(rl, "new", 61), 0, "room once windows end");
	cr_assert_eq(ratelimit_count(rl), 1);
	ratelimit_free(rl);
}

Test(ratelimit, clock_going_back_starts_a_new_window)
{
	struct ratelimit *rl = ratelimit_new(1, 60, 4);
	ratelimit_fail(rl, "k", 1000);
	cr_assert_gt(ratelimit_blocked(rl, "k", 1001), 0);
	cr_assert_eq(ratelimit_blocked(rl, "k", 500), 0);
	ratelimit_free(rl);
}

/* ---- cookies ----------------------------------------------------------------------- */

Test(cookie, finds_the_named_value)
{
	static const struct { const char *header, *want; } ok[] = {
		{ "cm_session=abc", "abc" },
		{ "a=1; cm_session=abc", "abc" },
		{ "a=1;cm_session=abc;b=2", "abc" },
		{ "  cm_session=abc  ", "abc" },
		{ "xcm_session=no; cm_session=yes", "yes" },
		{ "cm_session_old=no; cm_session=A-b_9", "A-b_9" },
		{ "cm_session=first; cm_session=second", "first" },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char out[64];
		int n = session_cookie_value(ok[i].header, "cm_session", out, sizeof(out));
		cr_assert_eq(n, (int)strlen(ok[i].want), "case %zu", i);
		cr_assert_str_eq(out, ok[i].want, "case %zu", i);
	}
}

Test(cookie, refuses_missing_empty_odd_and_long_values)
{
	static const char *bad[] = {
		"", ";", ";;;", "cm_session", "cm_session=", "cm_session= ", "cm_session=a b",
		"cm_session=a/b", "cm_session=../x", "cm_session=\"abc\"", "cm_session=a%20b",
		"cm_session=a\x01", "cm_session=\xe4\xbd\xa0", "other=abc", "CM_SESSION=abc",
		"cm_session =abc", "cm_sessio=abc",
		"cm_session=0123456789012345678901234567890123456789012345678901234567890123",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char out[64];
		cr_assert_eq(session_cookie_value(bad[i], "cm_session", out, sizeof(out)), -1,
		    "case %zu: %s", i, bad[i]);
	}
}

/* ---- sessions ------------------------------------------------------------------------ */

Test(sessions, create_identity_and_expiry, .init = init)
{
	struct sessions *s = sessions_new(60, 3600, 10);
	char cookie[64], cookie2[64];
	const struct auth_identity *a = session_create(s, 7, "alice", "operator", cookie,
	    sizeof(cookie));
	cr_assert_not_null(a);
	cr_assert_str_eq(a->name, "alice");
	cr_assert_str_eq(a->role, "operator");
	cr_assert_eq(a->user_id, 7);
	cr_assert_eq(a->perms & PERM_WRITE, 0, "sessions never write line protocol");
	cr_assert_eq(a->perms & PERM_ADMIN, 0);
	cr_assert_eq(a->perms, PERM_READ | PERM_OPERATE | PERM_SELF | PERM_METRICS);
	cr_assert_geq(strlen(a->csrf), 43);
	cr_assert_eq(strlen(cookie), 43);
	char parsed[64];
	char header[128];
	snprintf(header, sizeof(header), "x=1; %s=%s", SESSION_COOKIE, cookie);
	cr_assert_eq(session_cookie_value(header, SESSION_COOKIE, parsed, sizeof(parsed)), 43,
	    "our own cookies parse");
	const struct auth_identity *b = session_create(s, 8, "bob", "admin", cookie2,
	    sizeof(cookie2));
	cr_assert_str_neq(cookie, cookie2);
	cr_assert_str_neq(a->csrf, b->csrf);
	cr_assert(b->perms & PERM_ADMIN);
	cr_assert_eq(sessions_count(s), 2);
	cr_assert_eq(sessions_sweep(s, 1), 0, "nothing idle yet");
	cr_assert_eq(sessions_sweep(s, 1e12), 2, "everything idle much later");
	cr_assert_eq(sessions_count(s), 0);
	cr_assert_null(session_create(s, 1, "x", "viewer", cookie, 20), "cookie buffer too small");
	sessions_free(s);
}

Test(sessions, role_changes_and_user_removal, .init = init)
{
	struct sessions *s = sessions_new(60, 3600, 10);
	char cookie[64];
	const struct auth_identity *a = session_create(s, 1, "u", "viewer", cookie, 64);
	session_create(s, 1, "u", "viewer", cookie, 64);
	session_create(s, 2, "v", "viewer", cookie, 64);
	sessions_set_role(s, 1, "admin");
	cr_assert_str_eq(a->role, "admin");
	cr_assert(a->perms & PERM_ADMIN, "a new role applies at once");
	cr_assert_eq(sessions_drop_user(s, 1), 2);
	cr_assert_eq(sessions_drop_user(s, 1), 0);
	cr_assert_eq(sessions_count(s), 1);
	sessions_free(s);
}

Test(sessions, a_full_table_ends_the_idlest, .init = init)
{
	struct sessions *s = sessions_new(60, 3600, 3);
	char cookie[64];
	for (int i = 0; i < 5; i++)
		cr_assert_not_null(session_create(s, i + 1, "u", "viewer", cookie, 64));
	cr_assert_eq(sessions_count(s), 3);
	sessions_free(s);
}

/* ---- users --------------------------------------------------------------------------- */

Test(users, names)
{
	static const char *ok[] = { "admin", "a", "ops.team-1", "li_lei@school.edu.cn",
		"张三", "Ünal", "n234567890123456789012345678901234567890123456789012345678901234" };
	static const char *bad[] = { "", "a b", "<script>", "a\"b", "a'b", "a/b", "a\\b",
		"a\nb", "a\tb", "a;b", "a&b", "\xff\xfe", "\xc0\xaf", "\xe4\xbd",
		"n2345678901234567890123456789012345678901234567890123456789012345" };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		cr_assert_null(users_check_name(ok[i]), "%s", ok[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_not_null(users_check_name(bad[i]), "case %zu", i);
	cr_assert_not_null(users_check_name(NULL));
}

Test(users, names_that_look_like_others_are_refused)
{
	static const char *ok[] = { "José", "Zoë", "张三", "li.lei", "山田たろう", "Иван",
		"wang李", "안녕123", "adm\xc4\xb1n" /* dotless i: a Latin letter of its own */ };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		cr_assert_null(users_check_name(ok[i]), "%s", ok[i]);
	static const char *const look_alike[] = {
		"\xe2\x80\x8b" "admin",		/* U+200B zero-width space */
		"admin\xc2\xa0",			/* U+00A0 no-break space */
		"\xef\xbd\x81\xef\xbd\x84\xef\xbd\x8d\xef\xbd\x89\xef\xbd\x8e",	/* fullwidth admin */
		"\xd0\xb0" "dmin",			/* Cyrillic a + Latin dmin */
		"admin\xe2\x80\x8d",			/* U+200D zero-width joiner */
		"\xe2\x80\xae" "nimda",		/* U+202E right-to-left override */
		"admin\xe3\x80\x80",			/* U+3000 ideographic space */
		"\xef\xac\x81le",			/* U+FB01 ligature fi */
		"adm\xe2\x85\xb0n",			/* U+2170 small roman numeral one */
		"e\xcc\x81x",				/* not NFC/NFKC */
		"a\xe2\x80\x82" "b",			/* en space */
		"admin\xc2\xad",			/* soft hyphen (Cf) */
		"\xce\xb1" "dmin",			/* Greek alpha + Latin */
		"\xe2\x98\x83",			/* a symbol */
	};
	for (size_t i = 0; i < sizeof(look_alike) / sizeof(look_alike[0]); i++)
		cr_assert_not_null(users_check_name(look_alike[i]), "case %zu", i);
}

Test(users, passwords_count_characters_and_refuse_common_ones)
{
	/* three CJK characters are 9 bytes but 3 characters */
	cr_assert_not_null(users_check_password("\xe5\xaf\x86\xe7\xa0\x81\xe5\x95\x8a"));
	/* eight CJK characters are enough */
	cr_assert_null(users_check_password("\xe6\x88\x91\xe7\x9a\x84\xe5\xaf\x86"
	    "\xe7\xa0\x81\xe5\xbe\x88\xe9\x95\xbf\xe5\x95\x8a\xe5\x93\x88"));
	static const char *common[] = { "password", "12345678", "Password1", "PASSWORD123",
		"qwertyuiop", "1qaz2wsx", "iloveyou", "woaini1314", "admin123", "P@ssw0rd",
		"123456789", "11111111", "campusmon" };
	for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++) {
		const char *err = users_check_password(common[i]);
		cr_assert_not_null(err, "%s", common[i]);
		cr_assert(strstr(err, "common") != NULL, "%s: %s", common[i], err);
	}
	cr_assert_null(users_check_password("correct horse battery staple"));
	cr_assert_null(users_check_password("tr0ub4dor&3x"));
	cr_assert_not_null(users_check_password("\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8"));
}

Test(users, roles_and_passwords)
{
	static const char *roles[] = { "admin", "operator", "viewer", "auditor" };
	static const char *bad_roles[] = { "", "agent", "Admin", "root", "admin ", "viewer\n" };
	for (size_t i = 0; i < 4; i++)
		cr_assert_null(perms_check_role(roles[i]));
	for (size_t i = 0; i < sizeof(bad_roles) / sizeof(bad_roles[0]); i++)
		cr_assert_not_null(perms_check_role(bad_roles[i]), "case %zu", i);
	cr_assert_not_null(perms_check_role(NULL));
	cr_assert_not_null(users_check_password(NULL));
	cr_assert_not_null(users_check_password(""));
	cr_assert_not_null(users_check_password("1234567"));
	cr_assert_null(users_check_password("12345x78"));
	char big[USERS_PASSWORD_MAX + 2];
	memset(big, 'p', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cr_assert_not_null(users_check_password(big));
	big[USERS_PASSWORD_MAX] = '\0';
	cr_assert_null(users_check_password(big));
}

Test(users, argon2id_hash_and_verify, .init = init)
{
	struct users u;
	char hash[USERS_HASH_MAX];
	memset(&u, 0, sizeof(u));
	cr_assert_eq(users_hash_password("correct horse", hash), 0);
	cr_assert(strncmp(hash, "$argon2id$", 10) == 0, "%s", hash);
	cr_assert(strstr(hash, "correct") == NULL);
	cr_assert_eq(users_verify_password(&u, hash, "correct horse"), 1);
	cr_assert_eq(users_verify_password(&u, hash, "correct horsE"), 0);
	cr_assert_eq(users_verify_password(&u, hash, ""), 0);
	cr_assert_eq(users_verify_password(&u, "not a hash", "correct horse"), 0);
	cr_assert_eq(users_verify_password(&u, NULL, "correct horse"), 0, "unknown user");
	cr_assert(u.dummy_hash[0] != '\0', "the dummy hash is made once");
	char again[USERS_HASH_MAX];
	users_hash_password("correct horse", again);
	cr_assert_str_neq(hash, again, "salted");
}

/* ---- the role table (auth/perms.c) ---------------------------------------- */

Test(perms, each_role_may_do_what_the_table_says)
{
	cr_assert_eq(perms_of_role("viewer"), PERM_READ | PERM_SELF | PERM_METRICS);
	cr_assert_eq(perms_of_role("auditor"), PERM_AUDIT | PERM_SELF | PERM_METRICS);
	cr_assert_eq(perms_of_role("agent"), PERM_WRITE, "agents write samples, nothing else");
	cr_assert(perms_of_role("admin") & PERM_WRITE);
	cr_assert(!(perms_of_role("operator") & PERM_ADMIN));
	cr_assert_eq(perms_of_role("Admin"), 0);
	cr_assert_eq(perms_of_role(""), 0);
	cr_assert_eq(perms_of_role(NULL), 0);
	char buf[64];
	perms_format(PERM_READ | PERM_SELF, buf, sizeof(buf));
	cr_assert_str_eq(buf, "read,self");
	perms_format(perms_of_role("admin"), buf, 8);	/* cut, still terminated */
	cr_assert_eq(strlen(buf), 7);
}
