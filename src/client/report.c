/* report.c -- the text and JSON reports of a test. */
#include "report.h"

#include <stdint.h>
#include <string.h>

#define ESC_MAX 4096       /* an escaped server string (API_TEXT_MAX bytes may grow 4 times) */
#define COL_ADDRESS_MAX 39 /* the longest IPv6 text that is not v4-mapped */
#define COL_NETWORK_MAX 40
#define COL_CLASS_MAX 20

#define C_RESET "0"
#define C_BOLD "1"
#define C_DIM "2"
#define C_RED "1;31"
#define C_GREEN "32"
#define C_YELLOW "33"
#define C_CYAN "36"

/* Length of the valid UTF-8 sequence at s and its code point in *cp; 0 when invalid. */
static size_t
utf8_next(const unsigned char *s, uint32_t *cp)
{
	unsigned char c = s[0];
	uint32_t v, min;
	size_t n;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1fu;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0fu;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07u;
		min = 0x10000;
	} else {
		return 0;
	}
	/* A NUL stops this loop before any byte past it is read. */
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3fu);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

/* Characters that change how the rest of a line is shown (C1, bidi, line separators). */
static bool
is_format_char(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

const char *
report_escape(const char *text, char *out, size_t cap)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t o = 0;

	while (*s != '\0') {
		char unit[16];
		size_t ulen;
		uint32_t cp = 0;
		size_t n = utf8_next(s, &cp);

		if (n == 0 || cp < 0x20 || cp == 0x7f) {
			n = 1;
			ulen = (size_t)snprintf(unit, sizeof(unit), "\\x%02X", s[0]);
		} else if (is_format_char(cp)) {
			ulen = (size_t)snprintf(unit, sizeof(unit), "\\u%04X", (unsigned)cp);
		} else {
			memcpy(unit, s, n);
			ulen = n;
		}
		if (ulen >= cap - o)
			break;
		memcpy(out + o, unit, ulen);
		o += ulen;
		s += n;
	}
	out[o] = '\0';
	return out;
}

/* Columns text takes on a terminal: one per character (escaped text has no controls). */
static size_t
width(const char *text)
{
	size_t w = 0;

	for (const unsigned char *s = (const unsigned char *)text; *s != '\0'; s++)
		w += (*s & 0xc0) != 0x80;
	return w;
}

/* Cut text in place to at most max columns, ending in "..." when it was cut. */
static void
fit(char *text, size_t max)
{
	size_t w = 0;

	if (width(text) <= max)
		return;
	for (char *s = text; *s != '\0'; s++) {
		if ((*s & 0xc0) != 0x80 && w++ == max - 3) {
			memcpy(s, "...", 4);
			return;
		}
	}
}

static void
pad(FILE *f, const char *text, size_t cols)
{
	size_t w = width(text);

	fputs(text, f);
	for (; w < cols; w++)
		fputc(' ', f);
}

static void
paint(FILE *f, bool use_colour, const char *colour, const char *text)
{
	if (use_colour && colour != NULL)
		fprintf(f, "\033[%sm%s\033[" C_RESET "m", colour, text);
	else
		fputs(text, f);
}

static const char *
verdict_colour(enum verdict v)
{
	switch (v) {
	case VERDICT_PASS:
		return C_GREEN;
	case VERDICT_LEAK:
		return C_RED;
	case VERDICT_WARN:
	case VERDICT_INCONCLUSIVE:
		return C_YELLOW;
	}
	return NULL;
}

static const char *
class_colour(const char *cls)
{
	if (strcmp(cls, "trusted") == 0 || strcmp(cls, "same-network") == 0)
		return C_GREEN;
	if (strcmp(cls, "public-dns") == 0)
		return C_YELLOW;
	if (strcmp(cls, "other-network") == 0)
		return C_RED;
	return NULL;
}

static const char *
severity_colour(enum severity s)
{
	switch (s) {
	case SEV_HIGH:
		return C_RED;
	case SEV_MEDIUM:
		return C_YELLOW;
	case SEV_LOW:
		return C_CYAN;
	case SEV_INFO:
		return C_DIM;
	}
	return NULL;
}

/* "AS64500 Example ISP", "AS64500", "Example ISP" or "unknown network", escaped. */
static void
network_text(const struct api_net *n, char out[static ESC_MAX])
{
	char org[ESC_MAX - 16]; /* room for "AS4294967295 " */

	report_escape(n->org != NULL ? n->org : "", org, sizeof(org));
	if (n->has_asn && org[0] != '\0')
		snprintf(out, ESC_MAX, "AS%u %s", (unsigned)n->asn, org);
	else if (n->has_asn)
		snprintf(out, ESC_MAX, "AS%u", (unsigned)n->asn);
	else if (org[0] != '\0')
		snprintf(out, ESC_MAX, "%s", org);
	else
		snprintf(out, ESC_MAX, "unknown network");
}

static const char *
country_text(const struct api_net *n, char out[static ESC_MAX])
{
	if (n->country == NULL || n->country[0] == '\0')
		return "-";
	return report_escape(n->country, out, ESC_MAX);
}

bool
report_note(const struct report *r, char out[static REPORT_NOTE_MAX])
{
	const struct report_probes *p = &r->probes;

	out[0] = '\0';
	if (p->sent > 0 && p->timed_out == p->sent)
		snprintf(out, REPORT_NOTE_MAX,
			 "your resolver did not answer within %u s: all %zu probe names timed out",
			 r->timeout_s, p->sent);
	else if (p->sent > 0 && p->resolved == 0)
		snprintf(out, REPORT_NOTE_MAX,
			 "none of the %zu probe names resolved: %zu failed (%s), %zu timed out",
			 p->sent, p->failed, p->first_error != NULL ? p->first_error : "error",
			 p->timed_out);
	else if (p->timed_out > 0)
		snprintf(out, REPORT_NOTE_MAX, "%zu of %zu probe names got no answer within %u s",
			 p->timed_out, p->sent, r->timeout_s);
	return out[0] != '\0';
}

/* The NETWORK column of a resolver or exit: escaped and cut to COL_NETWORK_MAX. */
static const char *
network_cell(const struct api_net *n, char out[static ESC_MAX])
{
	network_text(n, out);
	fit(out, COL_NETWORK_MAX);
	return out;
}

static void
print_resolvers(FILE *f, const struct api_results *res, bool use_colour)
{
	size_t w_addr = strlen("ADDRESS"), w_net = strlen("NETWORK"), w_cc = strlen("COUNTRY");
	bool any_ptr = false; /* a NAME column only when the server knows some reverse name */
	char buf[ESC_MAX];

	paint(f, use_colour, C_BOLD, "Resolvers that asked for the probe names");
	fputc('\n', f);
	if (res->n_resolvers == 0) {
		fputs("  none: no resolver asked the server for them\n", f);
		return;
	}
	for (size_t i = 0; i < res->n_resolvers; i++) {
		const struct api_net *n = &res->resolvers[i].net;
		size_t w;

		if (strlen(n->address) > w_addr)
			w_addr = strlen(n->address);
		any_ptr |= n->ptr != NULL;
		w = width(network_cell(n, buf));
		if (w > w_net)
			w_net = w;
		w = width(country_text(n, buf));
		if (w > w_cc)
			w_cc = w;
	}
	fputs("  ", f);
	pad(f, "ADDRESS", w_addr + 2);
	fputs("FAMILY  QUERIES  ", f);
	pad(f, "NETWORK", w_net + 2);
	pad(f, "COUNTRY", w_cc + 2);
	if (any_ptr) {
		pad(f, "CLASSIFICATION", COL_CLASS_MAX + 2);
		fputs("NAME\n", f);
	} else {
		fputs("CLASSIFICATION\n", f);
	}
	for (size_t i = 0; i < res->n_resolvers; i++) {
		const struct api_resolver *rv = &res->resolvers[i];

		fputs("  ", f);
		pad(f, rv->net.address, w_addr + 2);
		fprintf(f, "%-6s  %7u  ", rv->net.family == 6 ? "IPv6" : "IPv4",
			(unsigned)rv->queries);
		pad(f, network_cell(&rv->net, buf), w_net + 2);
		pad(f, country_text(&rv->net, buf), w_cc + 2);
		report_escape(rv->classification, buf, sizeof(buf));
		fit(buf, COL_CLASS_MAX);
		paint(f, use_colour, class_colour(rv->classification), buf);
		if (any_ptr && rv->net.ptr != NULL) {
			for (size_t k = width(buf); k < COL_CLASS_MAX + 2; k++)
				fputc(' ', f);
			fputs(report_escape(rv->net.ptr, buf, sizeof(buf)), f);
		}
		fputc('\n', f);
	}
}

static void
print_exit(FILE *f, const char *label, const struct api_net *n, const char *error)
{
	char net[ESC_MAX], cc[ESC_MAX];

	fprintf(f, "  %s  ", label);
	if (!n->is_present && error != NULL) {
		fprintf(f, "none (our request over %s failed: %s)\n", label,
			report_escape(error, net, sizeof(net)));
		return;
	}
	if (!n->is_present) {
		fputs("none\n", f);
		return;
	}
	fprintf(f, "%s  %s  %s", n->address, network_cell(n, net), country_text(n, cc));
	if (n->ptr != NULL)
		fprintf(f, "  %s", report_escape(n->ptr, net, sizeof(net)));
	fputc('\n', f);
}

/* The heading of a platform's steps in the text report. */
static const char *const platform_heading[PLATFORM_COUNT] = {
	[PLATFORM_RESOLVED] = "With systemd-resolved",
	[PLATFORM_NETWORKMANAGER] = "With NetworkManager",
	[PLATFORM_RESOLV_CONF] = "With a plain /etc/resolv.conf",
	[PLATFORM_OPENVPN] = "With OpenVPN",
	[PLATFORM_WIREGUARD] = "With WireGuard",
	[PLATFORM_WINDOWS] = "On Windows",
	[PLATFORM_MACOS] = "On macOS",
	[PLATFORM_BROWSER] = "In the browser",
	[PLATFORM_FIREWALL] = "With a firewall",
};

static void
print_steps(FILE *f, const char *heading, const char *const *steps, size_t n)
{
	char a[ESC_MAX];

	if (n == 0)
		return;
	fprintf(f, "    %s:\n", heading);
	for (size_t j = 0; j < n; j++)
		fprintf(f, "      %zu. %s\n", j + 1, report_escape(steps[j], a, sizeof(a)));
}

void
report_print_findings(FILE *f, const struct api_finding *findings, size_t n,
		      const struct step_context *ctx, bool use_colour)
{
	enum platform chosen[PLATFORM_COUNT];
	bool is_known = ctx != NULL && ctx->known;
	size_t n_chosen = is_known ? findings_select_platforms(ctx, chosen) : 0;
	bool has_platform_steps = false;
	char a[ESC_MAX], b[ESC_MAX];

	if (n == 0)
		return;
	fputc('\n', f);
	paint(f, use_colour, C_BOLD, "Findings");
	fputc('\n', f);
	for (size_t i = 0; i < n; i++) {
		const struct api_finding *fd = &findings[i];

		snprintf(b, sizeof(b), "[%s]", severity_name(fd->severity));
		fputs("  ", f);
		paint(f, use_colour, severity_colour(fd->severity), b);
		fprintf(f, " %s: ", report_escape(fd->id, a, sizeof(a)));
		fprintf(f, "%s\n", report_escape(fd->title, b, sizeof(b)));
		if (fd->detail[0] != '\0')
			fprintf(f, "    %s\n", report_escape(fd->detail, a, sizeof(a)));
		if (fd->explain[0] != '\0')
			fprintf(f, "    %s\n", report_escape(fd->explain, a, sizeof(a)));
		print_steps(f, "What to do", fd->steps, fd->n_steps);
		for (size_t p = 0; p < PLATFORM_COUNT; p++)
			has_platform_steps |= fd->n_platform_steps[p] > 0;
		for (size_t k = 0; k < n_chosen; k++) {
			enum platform p = chosen[k];
			print_steps(f, platform_heading[p], fd->platform_steps[p],
				    fd->n_platform_steps[p]);
		}
	}
	/* Every platform's steps would bury the one that fits: name the way to get it. */
	if (!is_known && has_platform_steps)
		fputs("  For steps fitted to this machine (its DNS manager and VPN), run "
		      "`dnsleak audit`.\n",
		      f);
}

bool
report_finding_from_catalogue(const struct verdict_finding *vf, struct api_finding *out)
{
	const struct finding_def *def = findings_lookup(vf->id);

	memset(out, 0, sizeof(*out));
	if (def == NULL)
		return false;
	out->id = def->id;
	out->severity = def->severity;
	out->title = def->title;
	out->explain = def->explain;
	out->detail = vf->detail;
	for (size_t i = 0; i < FINDING_STEPS_MAX && i < API_STEPS_MAX && def->steps[i] != NULL; i++)
		out->steps[out->n_steps++] = def->steps[i];
	for (size_t p = 0; p < PLATFORM_COUNT; p++) {
		const char *const *steps = findings_platform_steps(def, (enum platform)p);
		size_t *k = &out->n_platform_steps[p];

		for (; *k < API_PLATFORM_STEPS_MAX && steps[*k] != NULL; (*k)++)
			out->platform_steps[p][*k] = steps[*k];
	}
	return true;
}

/* "8.8.8.8 (AS15169 Google LLC), 2001:db8::53 (unknown network)": what we said we ask. */
static void
print_configured(FILE *f, const struct api_results *res)
{
	char net[ESC_MAX];

	if (res->n_configured == 0)
		return;
	fputs("Resolvers this machine is configured to use:", f);
	for (size_t i = 0; i < res->n_configured && i < VERDICT_CONFIGURED_MAX; i++)
		fprintf(f, "%s %s (%s)", i > 0 ? "," : "", res->configured[i].address,
			network_cell(&res->configured[i], net));
	fputc('\n', f);
}

void
report_print(FILE *f, const struct report *r, bool use_colour)
{
	const struct api_results *res = r->res;
	const struct report_probes *p = &r->probes;
	char a[ESC_MAX], b[ESC_MAX], c[ESC_MAX];
	char note[REPORT_NOTE_MAX];

	fprintf(f, "Test %s at %s (zone %s)\n", report_escape(res->id, a, sizeof(a)),
		report_escape(r->server, b, sizeof(b)), report_escape(res->zone, c, sizeof(c)));
	fprintf(f,
		"Probe names through the system resolver: %zu sent, %zu resolved, %zu failed, "
		"%zu timed out\n",
		p->sent, p->resolved, p->failed, p->timed_out);
	print_configured(f, res);
	fputc('\n', f);
	print_resolvers(f, res, use_colour);

	fputc('\n', f);
	paint(f, use_colour, C_BOLD, "Exit addresses (seen by the server over HTTP)");
	fputc('\n', f);
	print_exit(f, "IPv4", &res->exit4, r->exit_error[0]);
	print_exit(f, "IPv6", &res->exit6, r->exit_error[1]);

	fputc('\n', f);
	fputs("Verdict: ", f);
	paint(f, use_colour, verdict_colour(res->verdict), verdict_name(res->verdict));
	fprintf(f, "\n  %s\n", report_escape(res->reason, a, sizeof(a)));
	if (report_note(r, note))
		fprintf(f, "  Note: %s.\n", note);
	report_print_findings(f, res->findings, res->n_findings, r->ctx, use_colour);
}

/* A JSON string of text, or of its escaped form when text is not UTF-8 (argv can be anything). */
static json_t *
jstr(const char *text)
{
	char esc[ESC_MAX];
	json_t *s = json_string(text);

	if (s == NULL)
		s = json_string(report_escape(text, esc, sizeof(esc)));
	return s;
}

static json_t *
jstr_or_null(const char *text)
{
	return text != NULL ? jstr(text) : json_null();
}

static json_t *
net_json(const struct api_net *n)
{
	if (!n->is_present)
		return json_null();
	return json_pack("{s:s, s:o, s:o, s:o, s:o}", "address", n->address, "asn",
			 n->has_asn ? json_integer(n->asn) : json_null(), "org",
			 jstr_or_null(n->org), "country", jstr_or_null(n->country), "ptr",
			 jstr_or_null(n->ptr));
}

static json_t *
resolver_json(const struct api_resolver *rv)
{
	const struct api_net *n = &rv->net;

	return json_pack("{s:s, s:i, s:I, s:o, s:o, s:o, s:o, s:b, s:o}", "address", n->address,
			 "family", (int)n->family, "queries", (json_int_t)rv->queries, "asn",
			 n->has_asn ? json_integer(n->asn) : json_null(), "org",
			 jstr_or_null(n->org), "country", jstr_or_null(n->country), "ptr",
			 jstr_or_null(n->ptr), "trusted", (int)rv->is_trusted, "classification",
			 jstr(rv->classification));
}

/* The n strings as a JSON array; NULL when out of memory. */
static json_t *
strings_json(const char *const *text, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n && arr != NULL; i++) {
		if (json_array_append_new(arr, jstr(text[i])) != 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	return arr;
}

/* The finding's steps for the n chosen platforms that have some, keyed by platform_name(). */
static json_t *
platforms_json(const struct api_finding *fd, const enum platform *chosen, size_t n)
{
	json_t *obj = json_object();

	for (size_t k = 0; k < n && obj != NULL; k++) {
		enum platform p = chosen[k];

		if (fd->n_platform_steps[p] == 0)
			continue;
		if (json_object_set_new(
			obj, platform_name(p),
			strings_json(fd->platform_steps[p], fd->n_platform_steps[p])) != 0) {
			json_decref(obj);
			obj = NULL;
		}
	}
	return obj;
}

static json_t *
finding_json(const struct api_finding *fd, const enum platform *chosen, size_t n_chosen)
{
	return json_pack("{s:o, s:s, s:o, s:o, s:o, s:o, s:o}", "id", jstr(fd->id), "severity",
			 severity_name(fd->severity), "title", jstr(fd->title), "explain",
			 jstr(fd->explain), "detail", jstr(fd->detail), "steps",
			 strings_json(fd->steps, fd->n_steps), "platforms",
			 platforms_json(fd, chosen, n_chosen));
}

json_t *
report_findings_json(const struct api_finding *fds, size_t n, const struct step_context *ctx)
{
	enum platform chosen[PLATFORM_COUNT];
	size_t n_chosen = findings_select_platforms(ctx, chosen);
	json_t *findings = json_array();

	for (size_t i = 0; i < n && findings != NULL; i++) {
		if (json_array_append_new(findings, finding_json(&fds[i], chosen, n_chosen)) != 0) {
			json_decref(findings);
			findings = NULL;
		}
	}
	return findings;
}

json_t *
report_json(const struct report *r)
{
	const struct api_results *res = r->res;
	const struct report_probes *p = &r->probes;
	json_t *resolvers = json_array();
	json_t *findings = report_findings_json(res->findings, res->n_findings, r->ctx);
	char note[REPORT_NOTE_MAX];

	for (size_t i = 0; i < res->n_resolvers && resolvers != NULL; i++) {
		if (json_array_append_new(resolvers, resolver_json(&res->resolvers[i])) != 0) {
			json_decref(resolvers);
			resolvers = NULL;
		}
	}
	/* json_pack's "o" takes the reference even when it fails, so nothing leaks on NULL. */
	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:{s:o, s:o}, s:o, s:{s:I, s:I, s:I, "
			 "s:I}}",
			 "verdict", verdict_name(res->verdict), "reason", jstr(res->reason), "note",
			 report_note(r, note) ? jstr(note) : json_null(), "server", jstr(r->server),
			 "id", jstr(res->id), "zone", jstr(res->zone), "resolvers", resolvers,
			 "exit", "ipv4", net_json(&res->exit4), "ipv6", net_json(&res->exit6),
			 "findings", findings, "probes", "sent", (json_int_t)p->sent, "resolved",
			 (json_int_t)p->resolved, "failed", (json_int_t)p->failed, "timed_out",
			 (json_int_t)p->timed_out);
}

json_t *
report_error_json(const char *message)
{
	return json_pack("{s:n, s:o}", "verdict", "error", jstr(message));
}
