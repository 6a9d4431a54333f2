/* test_fw.c -- the ruleset of dnsleak fix against golden files; names and sizes refused.
 *
 * Golden files are tests/golden/fw/<name>.nft, read relative to the repository root (tests/run.sh
 * runs from there). DL_UPDATE_GOLDEN=1 rewrites them from the current output instead of
 * comparing: review the diff, and check each with `nft -c -f` (tests/integration/fix.sh does).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw.h"

#include "expect.h"

#define GOLDEN_DIR "tests/golden/fw/"
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct golden_case {
	const char *file;                        /* under GOLDEN_DIR */
	const char *tunnels[FW_TUNNELS_MAX + 1]; /* NULL-terminated */
	enum fw_ipv6 ipv6;
	bool allow_mdns;
};

static const struct golden_case golden[] = {
	{ "one_tunnel.nft", { "tun0", NULL }, FW_IPV6_KEEP, false },
	{ "two_tunnels.nft", { "tun0", "wg0", NULL }, FW_IPV6_KEEP, false },
	{ "block_ipv6_dns.nft", { "tun0", NULL }, FW_IPV6_BLOCK_DNS, false },
	{ "block_ipv6_all.nft", { "wg0", NULL }, FW_IPV6_BLOCK_ALL, false },
	{ "allow_mdns.nft", { "tun0", NULL }, FW_IPV6_BLOCK_DNS, true },
	{ "all_options.nft", { "tun0", "wg-vpn_1.x", NULL }, FW_IPV6_BLOCK_ALL, true },
};

static struct fw_opts
make_opts(const char *const *tunnels, enum fw_ipv6 ipv6, bool allow_mdns)
{
	struct fw_opts o;

	memset(&o, 0, sizeof(o));
	for (size_t i = 0; tunnels[i] != NULL && o.n_tunnels < FW_TUNNELS_MAX; i++)
		snprintf(o.tunnels[o.n_tunnels++], IF_NAMESIZE, "%s", tunnels[i]);
	o.ipv6 = ipv6;
	o.allow_mdns = allow_mdns;
	return o;
}

/* The whole file in a new NUL-terminated buffer, or NULL. */
static char *
read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;

	if (f == NULL)
		return NULL;
	buf = malloc(FW_RULESET_MAX + 1);
	if (buf != NULL) {
		len = fread(buf, 1, FW_RULESET_MAX, f);
		buf[len] = '\0';
	}
	fclose(f);
	return buf;
}

static void
test_golden(void **state)
{
	(void)state;
	bool update = getenv("DL_UPDATE_GOLDEN") != NULL;
	static char out[FW_RULESET_MAX];
	char path[256];

	for (size_t i = 0; i < NELEM(golden); i++) {
		const struct golden_case *c = &golden[i];
		struct fw_opts o = make_opts(c->tunnels, c->ipv6, c->allow_mdns);
		int rc = fw_rules(&o, out, sizeof(out));

		snprintf(path, sizeof(path), GOLDEN_DIR "%s", c->file);
		EXPECT(rc == DL_E_OK, "%s: fw_rules: %d", c->file, rc);
		if (rc != DL_E_OK)
			continue;
		if (update) {
			FILE *f = fopen(path, "w");
			EXPECT(f != NULL && fputs(out, f) >= 0 && fclose(f) == 0,
			       "%s: cannot write", path);
			continue;
		}
		char *want = read_file(path);
		EXPECT(want != NULL, "%s: cannot read it (run from the repository root)", path);
		if (want == NULL)
			continue;
		EXPECT(strcmp(out, want) == 0, "%s differs; got:\n%s", path, out);
		free(want);
	}
	EXPECT_NONE();
}

/* text without its comment lines (a '#' first after the indent), into out. */
static void
strip_comments(const char *text, char *out, size_t cap)
{
	size_t n = 0;

	for (const char *line = text; *line != '\0';) {
		const char *end = strchr(line, '\n');
		size_t len = end != NULL ? (size_t)(end - line) + 1 : strlen(line);
		const char *p = line;
		while (*p == '\t' || *p == ' ')
			p++;
		if (*p != '#' && n + len < cap) {
			memcpy(out + n, line, len);
			n += len;
		}
		line += len;
	}
	out[n] = '\0';
}

/* What every ruleset must and must not say, whatever the options. */
static void
test_invariants(void **state)
{
	(void)state;
	static char out[FW_RULESET_MAX], rules[FW_RULESET_MAX];

	for (size_t i = 0; i < NELEM(golden); i++) {
		const struct golden_case *c = &golden[i];
		struct fw_opts o = make_opts(c->tunnels, c->ipv6, c->allow_mdns);
		assert_int_equal(fw_rules(&o, out, sizeof(out)), DL_E_OK);

		/* One table, ours; nothing that reaches outside it. */
		size_t tables = 0;
		for (const char *p = out; (p = strstr(p, "\ntable ")) != NULL; p++)
			tables++;
		EXPECT(tables == 1, "%s: %zu table blocks", c->file, tables);
		EXPECT(strstr(out, "\ntable inet dnsleak {\n") != NULL,
		       "%s: not table inet dnsleak", c->file);
		strip_comments(out, rules, sizeof(rules));
		EXPECT(strstr(rules, "flush") == NULL && strstr(rules, "delete") == NULL &&
			   strstr(rules, "include") == NULL && strstr(rules, "define") == NULL,
		       "%s: flush, delete, include or define outside a comment", c->file);
		EXPECT(strstr(rules, "table inet dnsleak {\n") == rules, "%s: table first",
		       c->file);
		EXPECT(strstr(out, "type filter hook output priority 0; policy accept;") != NULL,
		       "%s: the output chain", c->file);
		EXPECT(strstr(out, "hook forward") == NULL, "%s: a forward chain", c->file);
		EXPECT(strstr(out, "oifname \"lo\" udp dport 53 accept\n") != NULL, "%s: lo",
		       c->file);
		/* The catch-all rejects come last, after every accept. */
		const char *rej = strstr(out, "\t\tudp dport 53 counter reject with icmpx "
					      "admin-prohibited\n\t\ttcp dport { 53, 853 } counter "
					      "reject with tcp reset\n\t}\n}\n");
		EXPECT(rej != NULL, "%s: the final rejects", c->file);
		if (rej != NULL)
			EXPECT(strstr(rej, "accept") == NULL, "%s: an accept after them", c->file);
		EXPECT((strstr(out, "meta nfproto ipv6 udp dport 53") != NULL) ==
			   (c->ipv6 != FW_IPV6_KEEP),
		       "%s: IPv6 DNS rule", c->file);
		EXPECT((strstr(out, "meta nfproto ipv6 oifname !=") != NULL) ==
			   (c->ipv6 == FW_IPV6_BLOCK_ALL),
		       "%s: IPv6 block-all rule", c->file);
		EXPECT((strstr(out, "5353") != NULL) == c->allow_mdns, "%s: mDNS", c->file);
		for (size_t t = 0; c->tunnels[t] != NULL; t++) {
			char q[IF_NAMESIZE + 2];
			snprintf(q, sizeof(q), "\"%s\"", c->tunnels[t]);
			EXPECT(strstr(out, q) != NULL, "%s: %s missing", c->file, q);
		}
	}
	EXPECT_NONE();
}

static void
test_duplicates_once(void **state)
{
	(void)state;
	static char a[FW_RULESET_MAX], b[FW_RULESET_MAX];
	static const char *const dup[] = { "tun0", "wg0", "tun0", "wg0", NULL };
	static const char *const once[] = { "tun0", "wg0", NULL };
	struct fw_opts o1 = make_opts(dup, FW_IPV6_KEEP, false);
	struct fw_opts o2 = make_opts(once, FW_IPV6_KEEP, false);

	assert_int_equal(fw_rules(&o1, a, sizeof(a)), DL_E_OK);
	assert_int_equal(fw_rules(&o2, b, sizeof(b)), DL_E_OK);
	assert_string_equal(a, b);
}

static void
test_bad_names(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",
		"abcdefghijklmnop", /* 16 characters: IF_NAMESIZE with no room for the NUL */
		"a b",
		"x;flush ruleset",
		"tun\"0",
		"tun'0",
		"tun0\"; flush ruleset; \"",
		"tun`0`",
		"tun\\0",
		"tun/0",
		"tun:0",
		"tun0*",
		"tun{0}",
		"tun\t0",
		"tun\n0",
		"tun$0",
		"t\xc3\xbcn0", /* UTF-8 */
		".",
		"..",
		"lo",
	};
	static char out[FW_RULESET_MAX];

	for (size_t i = 0; i < NELEM(bad); i++) {
		struct fw_opts o;
		memset(&o, 0, sizeof(o));
		/* Copy without snprintf's truncation, which would turn the long name into a good
		 * one. */
		memcpy(o.tunnels[0], bad[i], strnlen(bad[i], IF_NAMESIZE));
		o.n_tunnels = 1;
		EXPECT(!fw_ifname_valid(o.tunnels[0]), "`%s' valid", bad[i]);
		memset(out, 'X', 8);
		EXPECT(fw_rules(&o, out, sizeof(out)) == DL_E_FORMAT, "`%s' not refused", bad[i]);
		EXPECT(out[0] == '\0', "`%s': out not emptied", bad[i]);

		/* One bad name among good ones spoils the lot. */
		snprintf(o.tunnels[1], IF_NAMESIZE, "tun0");
		memcpy(o.tunnels[0], o.tunnels[1], IF_NAMESIZE);
		memset(o.tunnels[1], 0, IF_NAMESIZE);
		memcpy(o.tunnels[1], bad[i], strnlen(bad[i], IF_NAMESIZE));
		o.n_tunnels = 2;
		EXPECT(fw_rules(&o, out, sizeof(out)) == DL_E_FORMAT, "tun0 + `%s' not refused",
		       bad[i]);
	}
	EXPECT(!fw_ifname_valid("abcdefghijklmnop"), "16 characters valid");

	static const char *const good[] = { "tun0",       "wg0",  "a",    "abcdefghijklmno",
					    "wg-vpn_1.x", "..a",  "ppp0", "tailscale0",
					    "lo0",        "Tun-0" };
	for (size_t i = 0; i < NELEM(good); i++) {
		const char *one[2] = { good[i], NULL };
		struct fw_opts o = make_opts(one, FW_IPV6_KEEP, false);
		EXPECT(fw_ifname_valid(good[i]), "`%s' refused", good[i]);
		EXPECT(fw_rules(&o, out, sizeof(out)) == DL_E_OK, "`%s': no ruleset", good[i]);
	}
	EXPECT_NONE();
}

static void
test_no_tunnel_and_bad_opts(void **state)
{
	(void)state;
	static char out[FW_RULESET_MAX];
	static const char *const none[] = { NULL };
	static const char *const one[] = { "tun0", NULL };
	struct fw_opts o = make_opts(none, FW_IPV6_KEEP, false);

	assert_int_equal(fw_rules(&o, out, sizeof(out)), DL_E_FORMAT);
	assert_string_equal(out, "");
	o = make_opts(none, FW_IPV6_BLOCK_ALL, true);
	assert_int_equal(fw_rules(&o, out, sizeof(out)), DL_E_FORMAT);

	o = make_opts(one, FW_IPV6_KEEP, false);
	o.n_tunnels = FW_TUNNELS_MAX + 1;
	for (size_t i = 0; i < FW_TUNNELS_MAX; i++)
		snprintf(o.tunnels[i], IF_NAMESIZE, "tun%zu", i);
	assert_int_equal(fw_rules(&o, out, sizeof(out)), DL_E_FORMAT);
	o.n_tunnels = FW_TUNNELS_MAX;
	assert_int_equal(fw_rules(&o, out, sizeof(out)), DL_E_OK);

	o = make_opts(one, (enum fw_ipv6)7, false);
	assert_int_equal(fw_rules(&o, out, sizeof(out)), DL_E_FORMAT);
}

/* Every buffer shorter than the text plus its NUL is refused, with nothing written past it. */
static void
test_cap_too_small(void **state)
{
	(void)state;
	static char full[FW_RULESET_MAX];

	for (size_t i = 0; i < NELEM(golden); i++) {
		const struct golden_case *c = &golden[i];
		struct fw_opts o = make_opts(c->tunnels, c->ipv6, c->allow_mdns);
		assert_int_equal(fw_rules(&o, full, sizeof(full)), DL_E_OK);
		size_t need = strlen(full) + 1;

		for (size_t cap = 0; cap <= need; cap++) {
			/* Exactly cap bytes on the heap: ASan reports any write past them. */
			char *buf = malloc(cap > 0 ? cap : 1);
			assert_non_null(buf);
			int rc = fw_rules(&o, buf, cap);
			if (cap < need) {
				EXPECT(rc == DL_E_FULL, "%s: cap %zu: %d", c->file, cap, rc);
				EXPECT(cap == 0 || buf[0] == '\0', "%s: cap %zu: not emptied",
				       c->file, cap);
			} else {
				EXPECT(rc == DL_E_OK && strcmp(buf, full) == 0, "%s: cap %zu",
				       c->file, cap);
			}
			free(buf);
		}
	}
	EXPECT_NONE();
}

static void
test_fixed_strings(void **state)
{
	(void)state;
	assert_string_equal(fw_revert_rules(), "delete table inet dnsleak\n");
	assert_string_equal(fw_replace_prelude(),
			    "table inet dnsleak\ndelete table inet dnsleak\n");
	assert_string_equal(fw_ipv6_name(FW_IPV6_KEEP), "keep");
	assert_string_equal(fw_ipv6_name(FW_IPV6_BLOCK_DNS), "block-dns");
	assert_string_equal(fw_ipv6_name(FW_IPV6_BLOCK_ALL), "block-all");
	assert_string_equal(fw_ipv6_name((enum fw_ipv6)9), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_golden),
		TEST(test_invariants),
		TEST(test_duplicates_once),
		TEST(test_bad_names),
		TEST(test_no_tunnel_and_bad_opts),
		TEST(test_cap_too_small),
		TEST(test_fixed_strings),
	};

	return cmocka_run_group_tests_name("fw", tests, NULL, NULL);
}
