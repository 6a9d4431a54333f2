/* cmd_fix.c -- dnsleak fix: the cure for what the audit found, printed, applied or reverted.
 *
 * The audit (audit_run) says which tunnels are up, whether the tunnel carries IPv6 and what is
 * wrong; fw_rules() (pure) turns that into the nftables ruleset of table inet dnsleak, and the
 * findings' steps come from the audit's renderer. This file is the I/O: libnftables to load the
 * ruleset in one transaction (or delete the table), and a state file recording what was loaded
 * and when. --revert needs no state: the table is ours, so deleting it undoes everything.
 */
#include "subcmd.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <nftables/libnftables.h>

#include "audit.h"
#include "audit_report.h"
#include "cli.h"
#include "fw.h"
#include "nl.h"
#include "sysdns.h"

#define STATE_DIR_DEFAULT "/run/dnsleak"
#define STATE_FILE "fix.state"
#define NFT_MSG_MAX 1024
#define HINT_MAX 256
#define STATE_PATH_MAX 4096

static const char usage_text[] =
	"usage: dnsleak fix [-hj] [--print | --apply | --revert] [--tunnel IFACE]...\n"
	"                   [--block-ipv6 dns|all] [--allow-mdns] [--resolv-conf FILE]\n"
	"\n"
	"The cure for what `dnsleak audit` finds: the next steps that fit this machine, and\n"
	"nftables rules (table inet dnsleak) that let DNS (UDP/TCP 53) and DNS over TLS (TCP 853)\n"
	"leave this host only through the VPN tunnel, and refuse it everywhere else.\n"
	"\n"
	"  -p, --print              print the steps and the ruleset (the default)\n"
	"  -a, --apply              load the ruleset atomically, replacing an earlier copy (root)\n"
	"  -r, --revert             remove table inet dnsleak and nothing else (root)\n"
	"  -t, --tunnel IFACE       let DNS through IFACE (repeatable; default: the tunnels up)\n"
	"      --block-ipv6 dns|all when the tunnel carries no IPv6: refuse IPv6 DNS (dns, the\n"
	"                           default then) or all IPv6 outside the tunnel (all)\n"
	"      --allow-mdns         keep mDNS (5353) and LLMNR (5355) to the LAN working\n"
	"  -j, --json               one JSON document\n"
	"      --resolv-conf FILE   audit FILE instead of /etc/resolv.conf\n"
	"\n"
	"exit: 0 printed, applied or reverted; 2 could not (no root, no tunnel, nft refused)\n";

enum fix_action { FIX_PRINT, FIX_APPLY, FIX_REVERT };

static const char *const action_names[] = { "print", "apply", "revert" };

/* Everything one run reports, as text or as the --json document. */
struct fix_run {
	enum fix_action action;
	bool json;
	bool colour;
	struct fw_opts fw;
	bool has_rules;
	char rules[FW_RULESET_MAX];
	bool applied;
	bool tunnel_has_ipv6;
	const struct audit_result *audit; /* NULL: no audit ran (--revert) */
	char note[NFT_MSG_MAX];           /* what happened, one sentence */
	char error[NFT_MSG_MAX];          /* why it could not, or "" */
};

/* --- libnftables ------------------------------------------------------------------------- */

/* nft's error text on one line, without the caret lines that point into our buffer. */
static void
copy_nft_error(const char *msg, char *err, size_t err_len)
{
	size_t n = 0;

	err[0] = '\0';
	for (const char *line = msg; line != NULL && *line != '\0' && n + 1 < err_len;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl != NULL ? (size_t)(nl - line) : strlen(line);
		if (strncmp(line, "Error: ", 7) == 0) {
			int w = snprintf(err + n, err_len - n, "%s%.*s", n > 0 ? "; " : "",
					 (int)len - 7, line + 7);
			if (w < 0 || (size_t)w >= err_len - n)
				break;
			n += (size_t)w;
		}
		line = nl != NULL ? nl + 1 : NULL;
	}
	if (err[0] == '\0')
		snprintf(err, err_len, "nft failed without a message");
}

/*
 * Run cmds (nft -f syntax) in one libnftables call, which the kernel commits as one
 * transaction. 0 with nft's output in out (if out is not NULL), or -EIO with its error in err.
 */
static int
nft_run(const char *cmds, char *out, size_t out_len, char *err, size_t err_len)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	int rc;

	if (nft == NULL) {
		snprintf(err, err_len, "libnftables: out of memory");
		return DL_E_NOMEM;
	}
	if (nft_ctx_buffer_output(nft) != 0 || nft_ctx_buffer_error(nft) != 0) {
		snprintf(err, err_len, "libnftables: cannot buffer its messages");
		rc = DL_E_NOMEM;
		goto out;
	}
	if (nft_run_cmd_from_buffer(nft, cmds) != 0) {
		copy_nft_error(nft_ctx_get_error_buffer(nft), err, err_len);
		rc = -EIO;
		goto out;
	}
	if (out != NULL)
		snprintf(out, out_len, "%s", nft_ctx_get_output_buffer(nft));
	rc = 0;
out:
	nft_ctx_free(nft);
	return rc;
}

/* Whether table inet dnsleak is loaded: 0 and *present, or an error in err. */
static int
table_present(bool *present, char *err, size_t err_len)
{
	static char list[FW_RULESET_MAX * 2];
	int rc = nft_run("list tables inet\n", list, sizeof(list), err, err_len);

	*present = false;
	if (rc != 0)
		return rc;
	for (const char *line = list; line != NULL && *line != '\0';) {
		const char *nl = strchr(line, '\n');
		size_t len = nl != NULL ? (size_t)(nl - line) : strlen(line);
		static const char want[] = "table inet " FW_TABLE;
		if (len == sizeof(want) - 1 && memcmp(line, want, len) == 0)
			*present = true;
		line = nl != NULL ? nl + 1 : NULL;
	}
	return 0;
}

/* --- the state file ---------------------------------------------------------------------- */

static const char *
state_dir(void)
{
	const char *d = getenv("DNSLEAK_STATE_DIR");

	return d != NULL && d[0] != '\0' ? d : STATE_DIR_DEFAULT;
}

/* Record what --apply loaded: written to a temporary name, then renamed. 0 or -errno. */
static int
state_write(const struct fix_run *r, char *path, size_t path_len)
{
	char tmp[STATE_PATH_MAX], when[64];
	time_t now = time(NULL);
	struct tm tm;
	FILE *f = NULL;
	int rc;

	snprintf(path, path_len, "%s/%s", state_dir(), STATE_FILE);
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	if (mkdir(state_dir(), 0755) != 0 && errno != EEXIST)
		return -errno;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (f == NULL) {
		rc = -errno;
		close(fd);
		goto out;
	}
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(when, sizeof(when), "%lld", (long long)now);
	fprintf(f, "# dnsleak fix --apply at %s\n# tunnels:", when);
	for (size_t i = 0; i < r->fw.n_tunnels; i++)
		fprintf(f, " %s", r->fw.tunnels[i]);
	fprintf(f, "\n# ipv6: %s\n# allow-mdns: %s\n", fw_ipv6_name(r->fw.ipv6),
		r->fw.allow_mdns ? "yes" : "no");
	fputs(r->rules, f);
	rc = ferror(f) ? -EIO : 0;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	f = NULL;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
out:
	if (rc != 0)
		unlink(tmp);
	return rc;
}

/* --- output ------------------------------------------------------------------------------ */

static json_t *
run_json(const struct fix_run *r)
{
	json_t *tunnels = json_array();
	json_t *findings = r->audit != NULL
			       ? audit_report_findings_json(&r->audit->v, &r->audit->ctx)
			       : json_array();

	for (size_t i = 0; tunnels != NULL && i < r->fw.n_tunnels; i++)
		json_array_append_new(tunnels, json_string(r->fw.tunnels[i]));
	return json_pack("{s:s, s:o, s:o, s:o, s:b, s:o, s:o, s:o}", "action",
			 action_names[r->action], "tunnels", tunnels ? tunnels : json_array(),
			 "ipv6", r->has_rules ? json_string(fw_ipv6_name(r->fw.ipv6)) : json_null(),
			 "ruleset", r->has_rules ? json_string(r->rules) : json_null(), "applied",
			 r->applied, "findings", findings ? findings : json_array(), "note",
			 r->note[0] ? json_string(r->note) : json_null(), "error",
			 r->error[0] ? json_string(r->error) : json_null());
}

/* The --json document, or the error on stderr; then the exit code. */
static int
finish(const struct fix_run *r)
{
	if (r->json) {
		if (!cli_print_json(run_json(r))) {
			fprintf(stderr, "dnsleak fix: out of memory\n");
			return EXIT_CANNOT_TEST;
		}
	}
	if (r->error[0] != '\0') {
		fprintf(stderr, "dnsleak fix: %s\n", r->error);
		return EXIT_CANNOT_TEST;
	}
	return EXIT_PASS;
}

static const char *
ipv6_sentence(const struct fix_run *r)
{
	switch (r->fw.ipv6) {
	case FW_IPV6_KEEP:
		return "the tunnel carries IPv6, so IPv6 DNS follows the same rules";
	case FW_IPV6_BLOCK_DNS:
		return r->tunnel_has_ipv6 ? "IPv6 DNS is refused (--block-ipv6 dns)"
					  : "the tunnel carries no IPv6, so IPv6 DNS is refused";
	case FW_IPV6_BLOCK_ALL:
		return "IPv6 DNS, and all IPv6 outside the tunnel, is refused (--block-ipv6 all)";
	}
	return "";
}

static void
print_audit_part(const struct fix_run *r)
{
	const struct audit_result *a = r->audit;

	printf("Audit: %s. %s\n", verdict_name(a->v.verdict), a->v.reason);
	if (a->v.n_findings == 0)
		printf(
		    "\nNo finding: nothing to change in the configuration. The rules below make\n"
		    "sure it stays so, whatever DHCP or the VPN client change later.\n");
	else
		audit_report_findings(stdout, &a->v, &a->ctx, r->colour);
}

static void
print_tunnels(const struct fix_run *r)
{
	for (size_t i = 0; i < r->fw.n_tunnels; i++)
		printf("%s%s", i == 0 ? "" : (i + 1 == r->fw.n_tunnels ? " and " : ", "),
		       r->fw.tunnels[i]);
}

/* The command that applies this same ruleset: the options that shaped it, repeated. */
static void
apply_hint(const struct fix_run *r, bool named, bool ipv6_given, char *out, size_t len)
{
	size_t n = (size_t)snprintf(out, len, "sudo dnsleak fix --apply");

	for (size_t i = 0; named && i < r->fw.n_tunnels && n < len; i++)
		n += (size_t)snprintf(out + n, len - n, " --tunnel %s", r->fw.tunnels[i]);
	if (ipv6_given && n < len)
		n += (size_t)snprintf(out + n, len - n, " --block-ipv6 %s",
				      r->fw.ipv6 == FW_IPV6_BLOCK_ALL ? "all" : "dns");
	if (r->fw.allow_mdns && n < len)
		snprintf(out + n, len - n, " --allow-mdns");
}

/* --- the actions ------------------------------------------------------------------------- */

static int
do_revert(struct fix_run *r)
{
	char path[STATE_PATH_MAX];
	bool present = false;

	if (geteuid() != 0) {
		snprintf(r->error, sizeof(r->error),
			 "--revert needs root to change the firewall: `sudo dnsleak fix --revert'");
		return finish(r);
	}
	if (table_present(&present, r->error, sizeof(r->error)) != 0)
		return finish(r);
	if (present && nft_run(fw_revert_rules(), NULL, 0, r->error, sizeof(r->error)) != 0)
		return finish(r);
	snprintf(path, sizeof(path), "%s/%s", state_dir(), STATE_FILE);
	if (unlink(path) != 0 && errno != ENOENT)
		fprintf(stderr, "dnsleak fix: removing %s: %s\n", path, strerror(errno));
	snprintf(r->note, sizeof(r->note), "%s",
		 present ? "removed table inet " FW_TABLE
			 : "nothing to revert: table inet " FW_TABLE " is not loaded");
	if (!r->json)
		printf("%s%s\n", present ? "Reverted: " : "", r->note);
	return finish(r);
}

static bool
has_tunnel(const struct fw_opts *fw, const char *name)
{
	for (size_t i = 0; i < fw->n_tunnels; i++)
		if (strcmp(fw->tunnels[i], name) == 0)
			return true;
	return false;
}

/* The tunnels the audit found up, as fw_opts names; odd names are left out with a word. */
static void
take_audit_tunnels(struct fix_run *r, const struct audit_facts *facts)
{
	for (size_t i = 0; i < facts->n_tunnels; i++) {
		const char *name = facts->tunnels[i].name;
		if (!fw_ifname_valid(name)) {
			fprintf(stderr,
				"dnsleak fix: tunnel `%.*s' has a name nft rules cannot hold; "
				"left out\n",
				IF_NAMESIZE, name);
			continue;
		}
		if (r->fw.n_tunnels == FW_TUNNELS_MAX) {
			fprintf(stderr,
				"dnsleak fix: more than %d tunnels are up; the rules let DNS "
				"through the first %d only (name them with --tunnel)\n",
				FW_TUNNELS_MAX, FW_TUNNELS_MAX);
			break;
		}
		snprintf(r->fw.tunnels[r->fw.n_tunnels++], IF_NAMESIZE, "%s", name);
	}
}

/* IPv6 to the internet leaves by one of our tunnels. */
static bool
tunnel_carries_ipv6(const struct fix_run *r, const struct audit_facts *facts)
{
	if (!facts->v6.has_route || !facts->v6.route.found)
		return false;
	for (size_t i = 0; i < r->fw.n_tunnels; i++)
		if (strcmp(facts->v6.route.ifname, r->fw.tunnels[i]) == 0)
			return true;
	return false;
}

static int
do_apply(struct fix_run *r)
{
	size_t len = strlen(fw_replace_prelude()) + strlen(r->rules) + 1;
	char *buf = malloc(len);
	char path[STATE_PATH_MAX];
	int rc;

	if (buf == NULL) {
		snprintf(r->error, sizeof(r->error), "out of memory");
		return finish(r);
	}
	/* One buffer, one transaction: the old table goes and the new one comes together. */
	snprintf(buf, len, "%s%s", fw_replace_prelude(), r->rules);
	char why[NFT_MSG_MAX - 32];
	rc = nft_run(buf, NULL, 0, why, sizeof(why));
	free(buf);
	if (rc != 0) {
		snprintf(r->error, sizeof(r->error), "nft refused the ruleset: %s", why);
		return finish(r);
	}
	r->applied = true;
	rc = state_write(r, path, sizeof(path));
	if (rc != 0)
		fprintf(stderr, "dnsleak fix: the rules are loaded, but writing %s failed: %s\n",
			path, dl_strerror(rc));
	snprintf(r->note, sizeof(r->note), "loaded table inet " FW_TABLE "%s%.900s",
		 rc == 0 ? "; state in " : "", rc == 0 ? path : "");
	if (!r->json) {
		print_audit_part(r);
		printf("\nApplied table inet %s: DNS now leaves this host only through ", FW_TABLE);
		print_tunnels(r);
		printf(";\n%s.\n", ipv6_sentence(r));
		if (rc == 0)
			printf("What was loaded is in %s.\n", path);
		printf("See it with `sudo nft list table inet %s`; undo it with "
		       "`sudo dnsleak fix --revert`.\n",
		       FW_TABLE);
	}
	return finish(r);
}

static void
do_print(const struct fix_run *r, bool named, bool ipv6_given)
{
	char hint[HINT_MAX];

	print_audit_part(r);
	printf("\nFirewall rules (nftables, table inet %s): DNS only through ", FW_TABLE);
	print_tunnels(r);
	printf(";\n%s.\n\n%s\n", ipv6_sentence(r), r->rules);
	apply_hint(r, named, ipv6_given, hint, sizeof(hint));
	printf("To apply them atomically, replacing an earlier copy:\n  %s\n"
	       "To remove them (table inet %s, nothing else):\n  sudo dnsleak fix --revert\n",
	       hint, FW_TABLE);
}

int
cmd_fix(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "print", no_argument, NULL, 'p' },
		{ "apply", no_argument, NULL, 'a' },
		{ "revert", no_argument, NULL, 'r' },
		{ "tunnel", required_argument, NULL, 't' },
		{ "block-ipv6", required_argument, NULL, 'B' },
		{ "allow-mdns", no_argument, NULL, 'M' },
		{ "json", no_argument, NULL, 'j' },
		{ "resolv-conf", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct sysdns dns;
	static struct audit_facts facts;
	static struct audit_result result;
	static struct fix_run run;
	struct fix_run *r = &run;
	const char *resolv_conf = NULL;
	bool has_action = false, named = false, ipv6_given = false;
	char err[512];
	int ch;

	memset(r, 0, sizeof(*r));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "part:jh", opts, NULL)) != -1) {
		enum fix_action act = FIX_PRINT;
		switch (ch) {
		case 'p':
		case 'a':
		case 'r':
			act = ch == 'p' ? FIX_PRINT : ch == 'a' ? FIX_APPLY : FIX_REVERT;
			if (has_action && act != r->action) {
				fprintf(stderr,
					"dnsleak fix: --print, --apply and --revert exclude "
					"each other\n%s",
					usage_text);
				return EXIT_CANNOT_TEST;
			}
			has_action = true;
			r->action = act;
			break;
		case 't':
			if (!fw_ifname_valid(optarg)) {
				fprintf(stderr,
					"dnsleak fix: bad interface name `%s' (1 to 15 "
					"characters of A-Z a-z 0-9 _ . -, not lo)\n",
					optarg);
				return EXIT_CANNOT_TEST;
			}
			named = true;
			if (has_tunnel(&r->fw, optarg))
				break;
			if (r->fw.n_tunnels == FW_TUNNELS_MAX) {
				fprintf(stderr, "dnsleak fix: at most %d --tunnel\n",
					FW_TUNNELS_MAX);
				return EXIT_CANNOT_TEST;
			}
			snprintf(r->fw.tunnels[r->fw.n_tunnels++], IF_NAMESIZE, "%s", optarg);
			break;
		case 'B':
			if (strcmp(optarg, "dns") == 0) {
				r->fw.ipv6 = FW_IPV6_BLOCK_DNS;
			} else if (strcmp(optarg, "all") == 0) {
				r->fw.ipv6 = FW_IPV6_BLOCK_ALL;
			} else {
				fprintf(stderr,
					"dnsleak fix: --block-ipv6 takes dns or all, not `%s'\n",
					optarg);
				return EXIT_CANNOT_TEST;
			}
			ipv6_given = true;
			break;
		case 'M':
			r->fw.allow_mdns = true;
			break;
		case 'j':
			r->json = true;
			break;
		case 'R':
			resolv_conf = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_PASS;
		default:
			fputs(usage_text, stderr);
			return EXIT_CANNOT_TEST;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "dnsleak fix: unexpected argument `%s'\n%s", argv[optind],
			usage_text);
		return EXIT_CANNOT_TEST;
	}
	r->colour = !r->json && cli_use_colour();

	if (r->action == FIX_REVERT)
		return do_revert(r);
	if (r->action == FIX_APPLY && geteuid() != 0) {
		snprintf(r->error, sizeof(r->error),
			 "--apply needs root to load nftables rules: `sudo dnsleak fix --apply'");
		return finish(r);
	}
	if (audit_run(resolv_conf, &dns, &facts, &result, err, sizeof(err)) != DL_E_OK) {
		snprintf(r->error, sizeof(r->error), "audit: %s", err);
		return finish(r);
	}
	r->audit = &result;
	if (!named)
		take_audit_tunnels(r, &facts);
	if (r->fw.n_tunnels == 0) {
		snprintf(r->error, sizeof(r->error),
			 "no VPN tunnel is up, so no interface to let DNS through: connect the VPN "
			 "first, or name its interface with --tunnel IFACE");
		if (!r->json)
			print_audit_part(r);
		return finish(r);
	}
	r->tunnel_has_ipv6 = tunnel_carries_ipv6(r, &facts);
	if (!ipv6_given)
		r->fw.ipv6 = r->tunnel_has_ipv6 ? FW_IPV6_KEEP : FW_IPV6_BLOCK_DNS;
	int rc = fw_rules(&r->fw, r->rules, sizeof(r->rules));
	if (rc != DL_E_OK) {
		snprintf(r->error, sizeof(r->error), "building the ruleset: %s", dl_strerror(rc));
		return finish(r);
	}
	r->has_rules = true;
	if (!r->json) {
		for (size_t i = 0; named && i < r->fw.n_tunnels; i++)
			if (if_nametoindex(r->fw.tunnels[i]) == 0)
				fprintf(stderr,
					"dnsleak fix: note: %s does not exist now; the rules "
					"match it by name once it does\n",
					r->fw.tunnels[i]);
	}
	if (r->action == FIX_APPLY)
		return do_apply(r);
	if (!r->json)
		do_print(r, named, ipv6_given);
	return finish(r);
}
