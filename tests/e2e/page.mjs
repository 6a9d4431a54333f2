// page.mjs -- one headless Chromium run of dnsleakd's web page; prints one JSON document.
//
// usage: node page.mjs --url URL --out PREFIX --profile DIR [--proxy URL] [--timeout SECONDS]
//                      [--webrtc-policy POLICY] [--ux 1]
//
// Launches Debian's Chromium (CHROMIUM, default /usr/bin/chromium) through playwright-core with a
// fresh profile DIR, loads URL, waits until document.body.dataset.state is "done" or "error"
// (at most --timeout, default 60 s), and reads the page's DOM hooks (README "The API", the
// contract in tests/lab/README.md "Browser tests"). Then, in the same browser and page, it gathers
// WebRTC candidates itself with its own RTCPeerConnection against the STUN URLs the API hands out,
// so the caller can check that the page's candidates are the ones Chromium really gathers.
// Writes PREFIX.png (full page), PREFIX.txt (the page's text), PREFIX.results.json (the page's
// last results document). With --ux 1, last, what a visitor meets beyond the results: the page at
// phone width (PREFIX-phone.png; does anything overflow sideways?), the keyboard (the skip link,
// Tab reaches "Run again", Enter on it runs a new test to the end, the focus lands on the
// verdict), the live region, what the page's own files weigh, and the failures a visitor can
// meet: a malformed share link, an unknown one, the API answering 500 to "create a test".
// Exit status: 0 when the page reached "done", 1 otherwise (the JSON on
// stdout says why), 2 on bad usage. Run it inside the lab's client namespace, as root.
import { chromium } from 'playwright-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

function usage(msg) {
	process.stderr.write(`page.mjs: ${msg}\nusage: node page.mjs --url URL --out PREFIX ` +
		'--profile DIR [--proxy URL] [--timeout SECONDS] [--webrtc-policy POLICY] [--ux 1]\n');
	process.exit(2);
}

function parseArgs(argv) {
	const o = { timeout: 60, proxy: null, 'webrtc-policy': null, ux: null };
	for (let i = 0; i < argv.length; i++) {
		const k = argv[i];
		const v = argv[i + 1];
		if (!['--url', '--out', '--profile', '--proxy', '--timeout', '--webrtc-policy', '--ux']
			.includes(k))
			usage(`unknown argument ${k}`);
		if (v === undefined)
			usage(`${k} needs a value`);
		o[k.slice(2)] = v;
		i++;
	}
	if (!o.url || !o.out || !o.profile)
		usage('--url, --out and --profile are required');
	o.timeout = Number(o.timeout);
	if (!(o.timeout > 0 && o.timeout <= 600))
		usage('--timeout: 1..600 seconds');
	return o;
}

const opt = parseArgs(process.argv.slice(2));
const out = {
	url: opt.url, proxy: opt.proxy, webrtc_policy: opt['webrtc-policy'], ok: false, error: null,
	browser_version: null,
	state: null, error_text: null, verdict: null, reason: null, resolvers: [],
	exit4: null, exit6: null, webrtc: null, findings: [], dnsleak: null, mine: null,
	console: [], page_errors: [], failed_requests: [], elapsed_ms: {},
	screenshot: `${opt.out}.png`, text: `${opt.out}.txt`, results_file: `${opt.out}.results.json`,
};
const t0 = Date.now();
let context = null;

// Whatever happens, the browser dies with us: a hard deadline past the sum of the bounded phases
// (seconds): launch 30, the page --timeout, screenshot 15, our gathering 10 (+5), the share tab
// 20 + 20, closing 5, slack 15; with --ux: phone screenshot 15, skip link 5, Tab loop 10, the
// rerun --timeout, three more tabs (TAB_S each), slack 10. run.sh's timeout(1) allows more.
const TAB_S = 40;
const HARD_S = 30 + opt.timeout + 15 + 15 + 40 + 5 + 15 +
	(opt.ux !== null ? 15 + 5 + 10 + opt.timeout + 3 * TAB_S + 10 : 0);
out.hard_deadline_s = HARD_S;
const deadline = setTimeout(() => {
	out.error = `page.mjs: hard deadline (${HARD_S} s) reached`;
	finish(1);
}, HARD_S * 1000);

let finished = false;
async function finish(code) {
	if (finished)
		return;
	finished = true;
	out.elapsed_ms.total = Date.now() - t0;
	process.stdout.write(JSON.stringify(out, null, 1) + '\n');
	if (context !== null) {
		// close() ends Chromium (playwright kills it if it does not go); bound it anyway.
		await Promise.race([context.close().catch(() => {}),
			new Promise((r) => setTimeout(r, 5000))]);
	}
	clearTimeout(deadline);
	process.exit(code);
}

// Runs in the page: gather candidates with our own RTCPeerConnection; resolves with the raw
// candidate strings once gathering completes (a null candidate) or after `ms`.
async function gatherInPage({ stun, ms }) {
	if (typeof RTCPeerConnection !== 'function')
		return { available: false, candidates: [], complete: false };
	const pc = new RTCPeerConnection({ iceServers: stun.length ? [{ urls: stun }] : [] });
	const candidates = [];
	let complete = false;
	const done = new Promise((resolve) => {
		const timer = setTimeout(resolve, ms);
		pc.onicecandidate = (ev) => {
			if (ev.candidate === null || ev.candidate.candidate === '') {
				complete = true;
				clearTimeout(timer);
				resolve();
			} else {
				candidates.push(ev.candidate.candidate);
			}
		};
	});
	pc.createDataChannel('e2e');
	await pc.setLocalDescription(await pc.createOffer());
	await done;
	pc.close();
	return { available: true, candidates, complete };
}

// Runs in the page: everything the tests read, through the stable DOM hooks.
function readPage() {
	const q = (s) => document.querySelector(s);
	const data = (el, k) => (el === null ? null : (el.dataset[k] ?? null));
	const w = q('#webrtc');
	let dl = null;
	if (window.dnsleak && typeof window.dnsleak === 'object') {
		const d = window.dnsleak;
		dl = { id: d.id ?? null, token: d.token ?? null, zone: d.zone ?? null,
			results: d.results ?? null, candidates: d.candidates ?? null };
	}
	return {
		state: document.body ? (document.body.dataset.state ?? null) : null,
		error_text: q('#error') ? q('#error').textContent.trim() : null,
		error_hidden: q('#error') ? q('#error').hidden : null,
		live: q('#status-live') ? q('#status-live').textContent.trim() : null,
		run_again_disabled: q('#run-again') ? q('#run-again').disabled : null,
		results_hidden: q('#results') ? q('#results').hidden : null,
		active: document.activeElement ? (document.activeElement.id ||
			document.activeElement.className || document.activeElement.tagName) : null,
		hash: location.hash,
		verdict: data(q('#verdict'), 'verdict'),
		verdict_text: q('#verdict') ? q('#verdict').textContent.trim() : null,
		reason: q('#reason') ? q('#reason').textContent.trim() : null,
		resolvers: [...document.querySelectorAll('table#resolvers tbody tr')].map((tr) => ({
			address: tr.dataset.address ?? null, family: tr.dataset.family ?? null,
			queries: tr.dataset.queries ?? null, asn: tr.dataset.asn ?? null,
			text: tr.textContent.replace(/\s+/g, ' ').trim(),
		})),
		exit4: data(q('#exit-ipv4'), 'address'),
		exit4_text: q('#exit-ipv4') ? q('#exit-ipv4').textContent.trim() : null,
		exit6: data(q('#exit-ipv6'), 'address'),
		exit6_text: q('#exit-ipv6') ? q('#exit-ipv6').textContent.trim() : null,
		webrtc: w === null ? null : {
			status: w.dataset.status ?? null,
			items: [...w.querySelectorAll('li')].map((li) => ({
				type: li.dataset.type ?? null, address: li.dataset.address ?? null,
				mdns: li.dataset.mdns ?? null,
			})),
		},
		findings: [...document.querySelectorAll('#findings li[data-id]')].map((li) => li.dataset.id),
		dnsleak: dl,
		text: document.body ? document.body.innerText : '',
	};
}

// What a visitor meets beyond the results (--ux): phone width, the keyboard, the page's weight.
async function visitor(page, timeout) {
	const ux = {};
	// The page's own files, as the browser fetched them (its origin only; probes excluded).
	ux.files = await page.evaluate(() => performance.getEntriesByType('resource')
		.concat(performance.getEntriesByType('navigation'))
		.filter((e) => new URL(e.name).origin === location.origin &&
			!new URL(e.name).pathname.startsWith('/api/'))
		.map((e) => ({ path: new URL(e.name).pathname, bytes: e.decodedBodySize })));
	ux.dom_content_loaded_ms = await page.evaluate(() =>
		Math.round(performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd));

	await page.setViewportSize({ width: 390, height: 844 });
	ux.phone_overflow_px = await page.evaluate(() =>
		document.documentElement.scrollWidth - window.innerWidth);
	await page.screenshot({ path: `${opt.out}-phone.png`, fullPage: true, timeout: 15000 });
	await page.setViewportSize({ width: 1280, height: 900 });

	const before = await page.evaluate(() => window.dnsleak && window.dnsleak.id);
	ux.first_id = before;
	// Back to the top: the focus on <body>, so that the next Tab starts at the document's start.
	const toTop = () => page.evaluate(() => {
		window.scrollTo(0, 0);
		document.body.tabIndex = -1;
		document.body.focus();
		document.body.removeAttribute('tabindex');
	});

	// The skip link: Tab once from the top, Enter. The results stay (#main is no share link).
	await toTop();
	await page.keyboard.press('Tab');
	ux.skip = { first_tab: await page.evaluate(() => document.activeElement &&
		document.activeElement.matches('a.skip') ? document.activeElement.getAttribute('href') : null) };
	if (ux.skip.first_tab !== null) {
		await page.keyboard.press('Enter');
		await page.waitForTimeout(1500);
		const s = await page.evaluate(readPage);
		Object.assign(ux.skip, { state: s.state, hash: s.hash, error_hidden: s.error_hidden,
			error_text: s.error_text, results_hidden: s.results_hidden, verdict: s.verdict,
			id: s.dnsleak ? s.dnsleak.id : null });
	}

	// "Run again" without and with the focus: the page's own focus style must show.
	await toTop();
	const style = () => page.evaluate(() => {
		const cs = getComputedStyle(document.querySelector('#run-again'));
		return { outline: `${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}`,
			shadow: cs.boxShadow };
	});
	ux.run_again_style = await style();
	// From the top of the page, Tab until "Run again" has the focus (bounded), then Enter.
	ux.tabs_to_run_again = null;
	for (let i = 1; i <= 40; i++) {
		await page.keyboard.press('Tab');
		if (await page.evaluate(() => document.activeElement &&
				document.activeElement.id === 'run-again')) {
			ux.tabs_to_run_again = i;
			break;
		}
	}
	ux.run_again_focus_style = await style();
	const a = ux.run_again_style;
	const b = ux.run_again_focus_style;
	ux.focus_visible = ux.tabs_to_run_again !== null &&
		(a.outline !== b.outline || a.shadow !== b.shadow) &&
		(!/^none /.test(b.outline) && !/ 0px /.test(b.outline) || b.shadow !== 'none');
	if (ux.tabs_to_run_again !== null) {
		await page.keyboard.press('Enter');
		// Done with a new test, or an error (reported, not waited out).
		await page.waitForFunction((id) => document.body.dataset.state === 'error' ||
			(window.dnsleak && window.dnsleak.id && window.dnsleak.id !== id &&
			document.body.dataset.state === 'done'),
		before, { timeout: timeout * 1000, polling: 200 });
		const s = await page.evaluate(readPage);
		ux.rerun = { id: s.dnsleak ? s.dnsleak.id : null, state: s.state, error_text: s.error_text,
			verdict: s.verdict, hash: s.hash, active: s.active, live: s.live };
	}

	// Failures a visitor can meet, each in a fresh tab.
	const tabRun = async (path, setup) => {
		const tab = await page.context().newPage();
		try {
			if (setup)
				await setup(tab);
			await tab.goto(new URL(path, opt.url).href, { waitUntil: 'load', timeout: TAB_S / 2 * 1000 });
			await tab.waitForFunction(() => document.body &&
				['done', 'error'].includes(document.body.dataset.state),
			null, { timeout: TAB_S / 2 * 1000, polling: 200 });
			const s = await tab.evaluate(readPage);
			return { path, state: s.state, error_text: s.error_text, error_hidden: s.error_hidden,
				run_again_disabled: s.run_again_disabled, live: s.live };
		} catch (e) {
			return { path, error: String(e).slice(0, 500) };
		} finally {
			await tab.close();
		}
	};
	ux.malformed = await tabRun('/#not-a.share-link');
	// Well formed, but no such test: 26 + 32 base32 characters of garbage.
	ux.unknown = await tabRun('/#' + 'a'.repeat(26) + '.' + 'b'.repeat(32));
	ux.api_fail = await tabRun('/', (tab) => tab.route('**/api/v1/tests', (route) =>
		(route.request().method() === 'POST' ? route.fulfill({ status: 500,
			contentType: 'application/json', body: '{"error":"injected failure"}' }) :
			route.continue())));
	return ux;
}

async function main() {
	mkdirSync(dirname(opt.out), { recursive: true });
	const args = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
		'--disable-background-networking', '--disable-component-update', '--disable-sync',
		'--disable-default-apps', '--no-default-browser-check', '--disable-breakpad',
		'--metrics-recording-only', '--disable-domain-reliability'];
	if (opt.proxy !== null)
		args.push(`--proxy-server=${opt.proxy}`);
	// No DNS over HTTPS: Chromium's "automatic" mode only upgrades to a DoH server it knows for
	// the system's resolver, which the lab's are not; "off" in the fresh profile's Local State
	// makes that explicit, so every name goes to the resolvers of the namespace's resolv.conf.
	mkdirSync(opt.profile, { recursive: true });
	writeFileSync(`${opt.profile}/Local State`,
		JSON.stringify({ dns_over_https: { mode: 'off', templates: '' } }));
	// The WebRTC IP handling policy (what the WebRtcIPHandling enterprise policy and the
	// extensions the page recommends set), e.g. disable_non_proxied_udp: a profile preference.
	if (opt['webrtc-policy'] !== null) {
		mkdirSync(`${opt.profile}/Default`, { recursive: true });
		writeFileSync(`${opt.profile}/Default/Preferences`,
			JSON.stringify({ webrtc: { ip_handling_policy: opt['webrtc-policy'] } }));
	}
	const t = Date.now();
	context = await chromium.launchPersistentContext(opt.profile, {
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true, args, timeout: 30000, viewport: { width: 1280, height: 900 },
		handleSIGINT: true, handleSIGTERM: true, handleSIGHUP: true,
	});
	out.elapsed_ms.launch = Date.now() - t;
	out.browser_version = context.browser() ? context.browser().version() : null;
	const page = context.pages()[0] ?? await context.newPage();
	page.on('console', (m) => out.console.length < 200 &&
		out.console.push(`${m.type()}: ${m.text()}`.slice(0, 500)));
	page.on('pageerror', (e) => out.page_errors.push(String(e).slice(0, 500)));
	page.on('requestfailed', (r) => out.failed_requests.length < 100 &&
		out.failed_requests.push(`${r.url()}: ${r.failure() ? r.failure().errorText : '?'}`));
	if (out.browser_version === null)
		out.browser_version = await page.evaluate(() => navigator.userAgent);

	const t1 = Date.now();
	const resp = await page.goto(opt.url, { waitUntil: 'load', timeout: opt.timeout * 1000 });
	out.http_status = resp ? resp.status() : null;
	out.content_type = resp ? (resp.headers()['content-type'] ?? null) : null;
	try {
		await page.waitForFunction(() => document.body &&
			['done', 'error'].includes(document.body.dataset.state),
		null, { timeout: Math.max(1000, opt.timeout * 1000 - (Date.now() - t1)), polling: 200 });
	} catch (e) {
		out.error = `the page did not finish within ${opt.timeout} s (state ` +
			`${JSON.stringify(await page.evaluate(() => document.body?.dataset.state ?? null))})`;
	}
	out.elapsed_ms.page = Date.now() - t1;

	const p = await page.evaluate(readPage);
	writeFileSync(out.text, p.text);
	delete p.text;
	Object.assign(out, p);
	if (out.dnsleak && out.dnsleak.results)
		writeFileSync(out.results_file, JSON.stringify(out.dnsleak.results, null, 1) + '\n');
	await page.screenshot({ path: out.screenshot, fullPage: true, timeout: 15000 });

	// Our own gathering, in the same browser: the STUN URLs the API hands out for a new test.
	const t2 = Date.now();
	out.mine = { stun: null, error: null };
	try {
		const api = await page.evaluate(async () => {
			const r = await fetch('/api/v1/tests', { method: 'POST', cache: 'no-store' });
			return { status: r.status, body: await r.json() };
		});
		out.mine.api_status = api.status;
		out.mine.stun = Array.isArray(api.body.stun) ? api.body.stun : null;
		if (out.mine.stun !== null) {
			Object.assign(out.mine, await page.evaluate(gatherInPage,
				{ stun: out.mine.stun, ms: 10000 }));
		}
	} catch (e) {
		out.mine.error = String(e).slice(0, 500);
	}
	out.elapsed_ms.gather = Date.now() - t2;

	// The share link (/#<id>.<token>) in a new tab: the same results, no new probes.
	out.shared = null;
	if (out.state === 'done' && out.dnsleak && out.dnsleak.id && out.dnsleak.token) {
		const t3 = Date.now();
		const tab = await context.newPage();
		try {
			const link = new URL(`/#${out.dnsleak.id}.${out.dnsleak.token}`, opt.url).href;
			await tab.goto(link, { waitUntil: 'load', timeout: 20000 });
			await tab.waitForFunction(() => document.body &&
				['done', 'error'].includes(document.body.dataset.state),
			null, { timeout: 20000, polling: 200 });
			const s = await tab.evaluate(readPage);
			out.shared = { link, state: s.state, verdict: s.verdict, error_text: s.error_text,
				resolvers: s.resolvers, exit4: s.exit4, exit6: s.exit6, findings: s.findings,
				id: s.dnsleak ? s.dnsleak.id : null,
				total: s.dnsleak && s.dnsleak.results ? s.dnsleak.results.total : null };
		} catch (e) {
			out.shared = { error: String(e).slice(0, 500) };
		}
		await tab.close();
		out.elapsed_ms.share = Date.now() - t3;
	}
	if (opt.ux !== null && out.state === 'done') {
		const t4 = Date.now();
		try {
			out.ux = await visitor(page, opt.timeout);
		} catch (e) {
			out.ux = { error: String(e).slice(0, 500) };
		}
		out.elapsed_ms.ux = Date.now() - t4;
	}
	if (out.error === null && out.state !== 'done')
		out.error = `the page ended in state ${JSON.stringify(out.state)}: ${out.error_text}`;
	out.ok = out.error === null;
	await finish(out.ok ? 0 : 1);
}

main().catch((e) => {
	out.error = String(e && e.stack ? e.stack : e).slice(0, 2000);
	finish(1);
});
