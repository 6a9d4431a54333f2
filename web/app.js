/*
 * app.js -- the dnsleak test page.
 *
 * Creates a test, makes the browser look up unique names under the zone (only dnsleakd answers
 * them, so it sees which resolvers ask), fetches the v4-/v6- names to learn the exit addresses,
 * gathers WebRTC candidates and reports them, polls the results and shows them.
 * No framework, no third-party requests, no cookies, no storage. Every string from the API is
 * inserted as text (textContent / text nodes), never as HTML.
 *
 * DOM hooks read by the browser tests (tests/e2e): body[data-state], #verdict[data-verdict],
 * #reason, #progress, #status-live, #error, table#resolvers tbody tr, #exit-ipv4, #exit-ipv6, #webrtc
 * [data-status] and its li, #findings li, #run-again, #share, window.dnsleak.
 */
'use strict';

(function () {
	const API = '/api/v1';
	const POLL_MS = 500;        /* poll interval */
	const MAX_WAIT_MS = 15000;  /* stop polling this long after the probes start */
	const PROBE_TIMEOUT_MS = 8000;
	const API_TIMEOUT_MS = 10000;
	const ICE_TIMEOUT_MS = 5000;
	const ICE_MAX = 32;          /* candidates the API takes */
	const ICE_BODY_MAX = 16000;  /* bytes the API takes, 16 KiB, with room to spare */

	/* The probe names: 6 directly under the zone, 2 through ns4 (IPv4 path), 2 through ns6. */
	const PROBES = ['', '', '', '', '', '', '.ns4', '.ns4', '.ns6', '.ns6']
		.map((sub, i) => ({ nonce: 'p' + (i + 1), sub }));
	/* A share link: "#<id>.<token>", 26 and 32 base32 characters (any case). */
	const SHARE_RE = /^([a-z2-7]{26})\.([a-z2-7]{32})$/i;
	/* What looks like an attempt at one (a "." between two words): a malformed share link.
	 * Any other hash (#main from the skip link, ...) is not a share link and is ignored. */
	const SHARE_LIKE_RE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

	const PLATFORM_NAMES = {
		'systemd-resolved': 'Linux with systemd-resolved',
		'NetworkManager': 'Linux with NetworkManager',
		'resolv.conf': 'Linux or BSD with a plain /etc/resolv.conf',
		'OpenVPN': 'OpenVPN',
		'WireGuard': 'WireGuard',
		'Windows': 'Windows',
		'macOS': 'macOS',
		'browser': 'Your browser',
		'firewall': 'Firewall (Linux, nftables)',
	};
	const CLASSIFICATION = {
		'trusted': 'Trusted (yours)',
		'same-network': 'Your exit\u2019s network',
		'public-dns': 'Public DNS service',
		'other-network': 'Another network',
		'unknown': 'Unknown',
	};
	const CANDIDATE_TYPES = {
		host: 'Host: an address of this device',
		srflx: 'Server-reflexive: your address as a STUN server sees it',
		prflx: 'Peer-reflexive: your address as a peer sees it',
		relay: 'Relay: a TURN server\u2019s address',
	};
	const SEVERITY = { high: 'High', medium: 'Medium', low: 'Low', info: 'Info' };
	const VERDICTS = ['PASS', 'LEAK', 'WARN', 'INCONCLUSIVE'];
	const ICONS = { PASS: '\u2713', LEAK: '\u2717', WARN: '!', INCONCLUSIVE: '?' };

	const $ = (id) => document.getElementById(id);
	/* table[key] for the table's own keys only: "constructor" from the API stays itself. */
	const own = (table, key) => (typeof key === 'string' && Object.hasOwn(table, key) ? table[key] : undefined);
	const state = window.dnsleak = { id: null, token: null, zone: null, results: null, candidates: [] };
	let running = false;
	let stunOffered = null; /* STUN URLs the server gave this run; null for a shared test */
	let generation = 0; /* a newer run makes an older one's late answers stale */
	let focusAtEnd = false; /* the visitor started this run with the button: focus the outcome */

	/* ---- small helpers ---- */

	function sleep(ms) {
		return new Promise((resolve) => setTimeout(resolve, ms));
	}

	/* el('p', {className: 'x', dataset: {a: '1'}}, 'text', child...): strings become text nodes. */
	function el(tag, props, ...kids) {
		const e = document.createElement(tag);
		if (props) {
			for (const k of Object.keys(props)) {
				if (k === 'dataset')
					Object.assign(e.dataset, props[k]);
				else if (k.startsWith('aria-'))
					e.setAttribute(k, props[k]);
				else
					e[k] = props[k];
			}
		}
		for (const k of kids) {
			if (k === null || k === undefined || k === false)
				continue;
			e.append(typeof k === 'string' || typeof k === 'number' ? document.createTextNode(String(k)) : k);
		}
		return e;
	}

	/* A step's text with `code` spans shown as <code>; still only text nodes. */
	function richText(s) {
		const frag = document.createDocumentFragment();
		String(s).split('`').forEach((part, i) => {
			if (part === '')
				return;
			frag.append(i % 2 ? el('code', null, part) : document.createTextNode(part));
		});
		return frag;
	}

	function clear(node) {
		node.replaceChildren();
	}

	function str(v) {
		return typeof v === 'string' ? v : '';
	}

	function network(asn, org) {
		const parts = [];
		if (typeof asn === 'number')
			parts.push('AS' + asn);
		if (str(org))
			parts.push(org);
		return parts.join(' ');
	}

	function formatTime(iso) {
		const d = new Date(iso);
		if (!iso || isNaN(d.getTime()))
			return str(iso);
		return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
	}

	class ApiError extends Error {
		constructor(message, status) {
			super(message);
			this.status = status;
		}
	}

	/* One API request: JSON in and out, a timeout, and errors a person can read. */
	async function api(method, path, body, token) {
		const headers = { 'Accept': 'application/json' };
		if (token)
			headers['Authorization'] = 'Bearer ' + token;
		if (body !== undefined)
			headers['Content-Type'] = 'application/json';
		const ctl = new AbortController();
		const timer = setTimeout(() => ctl.abort(), API_TIMEOUT_MS);
		let resp;
		try {
			resp = await fetch(API + path, {
				method, headers, cache: 'no-store', credentials: 'omit', signal: ctl.signal,
				body: body === undefined ? undefined : JSON.stringify(body),
			});
		} catch (e) {
			throw new ApiError(ctl.signal.aborted ?
				'The dnsleak server did not answer in time.' :
				'Could not reach the dnsleak server (' + (e && e.message || 'network error') + ').', 0);
		} finally {
			clearTimeout(timer);
		}
		let data = null;
		if (resp.status !== 204) {
			try {
				data = await resp.json();
			} catch (e) {
				data = undefined;
			}
		}
		if (!resp.ok) {
			const why = data && str(data.error) ? data.error : resp.statusText || 'error';
			throw new ApiError('The server answered ' + resp.status + ': ' + why + '.', resp.status);
		}
		if (data === undefined || (resp.status !== 204 && (data === null || typeof data !== 'object')))
			throw new ApiError('The server sent an answer that is not valid JSON.', resp.status);
		return data;
	}

	/* ---- what the visitor runs on: which platform steps to show first ---- */

	function guessPlatforms() {
		const uad = navigator.userAgentData;
		const p = (uad && str(uad.platform)) || '';
		const ua = navigator.userAgent || '';
		let os = '';
		if (/windows/i.test(p) || /Windows/.test(ua))
			os = 'Windows';
		else if (/android/i.test(p) || /Android/.test(ua))
			os = 'Android';
		else if (/iPhone|iPad|iPod/.test(ua))
			os = 'iOS';
		else if (/mac/i.test(p) || /Macintosh|Mac OS X/.test(ua))
			os = 'macOS';
		else if (/chrome os/i.test(p) || /CrOS/.test(ua))
			os = 'ChromeOS';
		else if (/linux/i.test(p) || /Linux|X11/.test(ua))
			os = 'Linux';
		const names = { Windows: ['Windows'], macOS: ['macOS'], Linux: ['systemd-resolved', 'NetworkManager'] }[os] || [];
		return { os, names: names.concat('browser') };
	}
	const visitor = guessPlatforms();

	/* ---- probes: make the browser resolve names; errors are expected ---- */

	function portSuffix() {
		return location.port ? ':' + location.port : '';
	}

	function probeUrl(label, zone) {
		return location.protocol + '//' + label + '.' + zone + portSuffix() + '/api/v1/whoami';
	}

	/* Settles (never rejects) once the request is over, however it ended. */
	function probeFetch(url) {
		const ctl = new AbortController();
		const timer = setTimeout(() => ctl.abort(), PROBE_TIMEOUT_MS);
		return fetch(url, { mode: 'no-cors', cache: 'no-store', credentials: 'omit', signal: ctl.signal })
			.then(() => true, () => false)
			.finally(() => clearTimeout(timer));
	}

	function probeImage(url) {
		return new Promise((resolve) => {
			const img = new Image();
			const timer = setTimeout(() => done(false), PROBE_TIMEOUT_MS);
			function done(ok) {
				clearTimeout(timer);
				img.onload = img.onerror = null;
				img.src = '';
				resolve(ok);
			}
			img.referrerPolicy = 'no-referrer';
			img.onload = () => done(true);
			img.onerror = () => done(false);
			img.src = url + '?img';
		});
	}

	/* Starts every lookup (the test names, then the two exit fetches); onSettle(names, exits)
	 * after each one ends. Returns the counts and a promise of all. */
	function startProbes(t, onSettle) {
		const urls = PROBES.map((p) => probeUrl(p.nonce + '-' + t.id + p.sub, t.zone));
		const names = urls.map((u, i) => (i % 2 ? probeImage(u) : probeFetch(u)));
		const exits = [probeFetch(probeUrl('v4-' + t.id, t.zone)), probeFetch(probeUrl('v6-' + t.id, t.zone))];
		let n = 0;
		let x = 0;
		const all = Promise.all(names.map((j) => j.then(() => onSettle(++n, x)))
			.concat(exits.map((j) => j.then(() => onSettle(n, ++x)))));
		return { names: names.length, exits: exits.length, count: names.length + exits.length, all };
	}

	/* ---- WebRTC: gather ICE candidates, report them ---- */

	/* Resolves to the candidate strings, or null when the browser has no RTCPeerConnection. */
	function gatherCandidates(stun) {
		if (typeof window.RTCPeerConnection !== 'function')
			return Promise.resolve(null);
		return new Promise((resolve) => {
			const out = [];
			let pc = null;
			let finished = false;
			let timer = 0;
			function finish() {
				if (finished)
					return;
				finished = true;
				clearTimeout(timer);
				try {
					if (pc)
						pc.close();
				} catch (e) { /* closing is best effort */ }
				resolve(out);
			}
			const urls = Array.isArray(stun) ? stun.filter((u) => typeof u === 'string') : [];
			try {
				pc = new RTCPeerConnection({ iceServers: urls.length ? [{ urls }] : [] });
			} catch (e) {
				try {
					pc = new RTCPeerConnection(); /* a STUN URL this browser refuses */
				} catch (e2) {
					finish();
					return;
				}
			}
			timer = setTimeout(finish, ICE_TIMEOUT_MS);
			pc.onicecandidate = (ev) => {
				if (!ev.candidate) {
					finish();
					return;
				}
				const c = ev.candidate.candidate;
				if (typeof c === 'string' && c !== '' && out.length < ICE_MAX && !out.includes(c))
					out.push(c);
			};
			pc.onicegatheringstatechange = () => {
				if (pc.iceGatheringState === 'complete')
					finish();
			};
			try {
				pc.createDataChannel('x');
				pc.createOffer().then((o) => pc.setLocalDescription(o)).catch(finish);
			} catch (e) {
				finish();
			}
		});
	}

	/* The mDNS name of the raw candidate the server's entry c came from ("" if none): the results
	 * may say only that the address was an mDNS name, while the page still has the line. */
	function mdnsNameOf(c) {
		for (const line of state.candidates) {
			const f = String(line).split(/\s+/); /* candidate:F comp proto prio addr port typ type */
			if (f.length >= 8 && /\.local$/i.test(f[4]) && f[2].toLowerCase() === str(c.protocol) &&
			    Number(f[5]) === c.port && f[7] === c.type)
				return f[4];
		}
		return '';
	}

	function webrtcBody(cands) {
		if (cands === null)
			return { available: false };
		const list = cands.slice(0, ICE_MAX);
		while (list.length && JSON.stringify({ available: true, candidates: list }).length > ICE_BODY_MAX)
			list.pop();
		return { available: true, candidates: list };
	}

	/* ---- the run ---- */

	function setState(s) {
		document.body.dataset.state = s;
	}


	/* The polite live region: phase changes and the outcome only, never each poll's counts. */
	function announce(text) {
		const live = $('status-live');
		if (live.textContent !== text)
			live.textContent = text;
	}

	function setProgress(fraction, text) {
		const p = $('progress');
		p.value = Math.round(Math.max(0, Math.min(1, fraction)) * 100);
		if (text !== undefined && $('progress-text').textContent !== text)
			$('progress-text').textContent = text;
	}

	function showError(msg) {
		$('error').textContent = msg;
		$('error').hidden = false;
		$('running').hidden = true;
		setState('error');
		announce('The test stopped with an error.');
	}

	function resetView() {
		for (const id of ['verdict-row', 'results', 'error', 'meta'])
			$(id).hidden = true;
		$('running').hidden = false;
		$('verdict').dataset.verdict = '';
		for (const id of ['verdict', 'reason', 'error', 'webrtc-summary', 'webrtc-list', 'findings', 'copy-status'])
			clear($(id));
		clear($('resolvers').tBodies[0]);
		setProgress(0, 'Starting…');
		announce('Starting a new test…');
	}

	function showMeta(t, expires) {
		$('test-id').textContent = t.id;
		const when = $('expires');
		when.textContent = formatTime(expires);
		when.dateTime = str(expires);
		const link = location.origin + location.pathname + '#' + t.id + '.' + t.token;
		$('share').href = link;
		$('share').textContent = link;
		$('copy').hidden = !(navigator.clipboard && window.isSecureContext);
		$('meta').hidden = false;
	}

	function observed(r) {
		return (r && typeof r.total === 'number' ? r.total : 0) +
			(r && typeof r.http_total === 'number' ? r.http_total : 0);
	}

	/* A run starts: returns a function that tells whether a newer run has replaced this one. */
	function begin(button, id, token) {
		const gen = ++generation;
		running = true;
		$('run-again').disabled = true;
		$('run-again').textContent = button;
		resetView();
		setState('running');
		Object.assign(state, { id, token, zone: null, results: null, candidates: [] });
		stunOffered = null;
		return () => gen !== generation;
	}

	function end(stale, e) {
		if (stale())
			return;
		if (e)
			showError(e instanceof ApiError ? e.message : 'Something went wrong in this page: ' + e);
		running = false;
		$('run-again').disabled = false;
		/* The disabled button lost the focus: give it to the outcome, not to <body>. */
		if (focusAtEnd) {
			focusAtEnd = false;
			const a = document.activeElement;
			if (!a || a === document.body || a === $('run-again'))
				(e ? $('error') : $('verdict')).focus();
		}
	}

	async function runTest() {
		const stale = begin('Run again', null, null);
		let failure = null;
		try {
			setProgress(0.02, 'Creating a test…');
			announce('Creating a test…');
			const t = await api('POST', '/tests');
			if (stale())
				return;
			if (!str(t.id) || !str(t.token) || !str(t.zone))
				throw new ApiError('The server sent a test without an id, token or zone.', 0);
			Object.assign(state, { id: t.id, token: t.token, zone: t.zone });
			stunOffered = Array.isArray(t.stun) ? t.stun.length : 0;
			showMeta(t, t.expires);

			const start = Date.now();
			let settled = 0;
			let exitsSettled = 0;
			let webrtcDone = false;
			announce('Looking up the test names and checking WebRTC…');
			const probes = startProbes(t, (n, x) => { settled = n; exitsSettled = x; });
			let probesDone = false;
			probes.all.then(() => { probesDone = true; });

			/* WebRTC in parallel; a failed report is kept and shown, the test goes on. */
			const webrtc = gatherCandidates(t.stun).then((cands) => {
				if (stale())
					return;
				state.candidates = cands || [];
				return api('POST', '/tests/' + encodeURIComponent(t.id) + '/webrtc', webrtcBody(cands), t.token)
					.catch((e) => {
						if (!(e instanceof ApiError && e.status === 409)) /* 409: reported already */
							failure = failure || new ApiError('Could not report the WebRTC result: ' + e.message, e.status);
					});
			}).finally(() => { webrtcDone = true; });

			/* One failed poll (a 503, a network error) does not end the run: polling goes on
			 * until the overall limit. A 4xx the server means (404: the test is gone) does. */
			const poll = async () => {
				try {
					return await api('GET', '/tests/' + encodeURIComponent(t.id), undefined, t.token);
				} catch (e) {
					if (!(e instanceof ApiError) || (e.status >= 400 && e.status < 500 &&
					    e.status !== 408 && e.status !== 429))
						throw e;
					pollError = e;
					return null;
				}
			};
			let pollError = null;
			let last = -1;
			let quiet = 0;
			let results = null;
			let waitingSaid = false;
			for (;;) {
				const r = await poll();
				if (stale())
					return;
				if (r !== null) {
					results = r;
					state.results = results;
				}
				const n = r === null ? last : observed(results);
				const done = probesDone && webrtcDone;
				quiet = done && r !== null && n === last ? quiet + 1 : (r === null ? quiet : 0);
				last = n;
				if (done && !waitingSaid) {
					waitingSaid = true;
					announce('Waiting for late DNS queries…');
				}
				const elapsed = Date.now() - start;
				const work = (settled + exitsSettled + (webrtcDone ? 1 : 0) + quiet) / (probes.count + 3);
				const resolvers = results && Array.isArray(results.resolvers) ? results.resolvers.length : 0;
				const queries = results && typeof results.total === 'number' ? results.total : 0;
				setProgress(Math.max(work, elapsed / MAX_WAIT_MS) * 0.95 + 0.05,
					'Test names looked up: ' + settled + ' of ' + probes.names +
					'; exit addresses: ' + exitsSettled + ' of ' + probes.exits +
					(webrtcDone ? '; WebRTC checked' : '; checking WebRTC') +
					'; ' + queries + (queries === 1 ? ' DNS query' : ' DNS queries') + ' from ' + resolvers +
					(resolvers === 1 ? ' resolver' : ' resolvers') + ' so far.' +
					(r === null ? ' (The last poll failed; retrying.)' : ''));
				if ((done && quiet >= 2) || elapsed >= MAX_WAIT_MS)
					break;
				await sleep(POLL_MS);
			}
			/* The WebRTC report belongs in the final results: wait for it, then read once more. */
			if (!webrtcDone) {
				await webrtc;
				if (stale())
					return;
				const r = await poll();
				if (stale())
					return;
				if (r !== null) {
					results = r;
					state.results = results;
				}
			}
			if (results === null)
				throw new ApiError('Could not read the results: every request for them failed. ' +
					(pollError ? pollError.message : ''), pollError ? pollError.status : 0);
			showResults(results);
			if (failure)
				throw failure;
			finishRun('Test finished', results);
			end(stale);
		} catch (e) {
			end(stale, e);
		}
	}

	/* The end of a run: the verdict and its reason go into the live region, which stays
	 * visible (#running, the progress, is hidden now). */
	function finishRun(label, r) {
		const v = VERDICTS.includes(r.verdict) ? r.verdict : 'INCONCLUSIVE';
		setProgress(1, label + ': ' + v + '.');
		$('running').hidden = true;
		setState('done');
		announce(label + ': ' + v + '. ' + (str(r.reason) || 'The server gave no reason.'));
	}

	/* A shared link: /#<id>.<token> shows that test's results, no new probes. */
	async function loadShared(id, token) {
		const stale = begin('Run a new test', id, token);
		try {
			setProgress(0.5, 'Loading the shared results…');
			announce('Loading the shared results…');
			let r;
			try {
				r = await api('GET', '/tests/' + encodeURIComponent(id), undefined, token);
			} catch (e) {
				if (e instanceof ApiError && (e.status === 404 || e.status === 400))
					throw new ApiError('This test is unknown or has expired (results are kept for ' +
						'a few minutes only), or the link is incomplete. Run a new test.', e.status);
				throw e;
			}
			if (stale())
				return;
			state.zone = str(r.zone) || null;
			state.results = r;
			showMeta({ id, token }, r.expires);
			showResults(r);
			finishRun('Shared results', r);
			end(stale);
		} catch (e) {
			end(stale, e);
		}
	}

	/* ---- rendering the results ---- */

	function showResults(r) {
		if (!r || typeof r !== 'object')
			throw new ApiError('The server sent results this page cannot read.', 0);
		renderVerdict(r);
		renderExits(r.exit);
		renderResolvers(Array.isArray(r.resolvers) ? r.resolvers : []);
		const ex = r.exit && typeof r.exit === 'object' ? r.exit : {};
		renderWebrtc(r.webrtc, Boolean((ex.ipv4 && str(ex.ipv4.address)) || (ex.ipv6 && str(ex.ipv6.address))));
		renderFindings(Array.isArray(r.findings) ? r.findings : []);
		$('results').hidden = false;
	}

	function renderVerdict(r) {
		const v = VERDICTS.includes(r.verdict) ? r.verdict : 'INCONCLUSIVE';
		const badge = $('verdict');
		badge.dataset.verdict = v;
		badge.replaceChildren(el('span', { className: 'icon', 'aria-hidden': 'true' }, ICONS[v]), ' ' + v);
		$('reason').textContent = str(r.reason) || 'The server gave no reason.';
		document.title = v + ' \u2014 DNS leak test';
		$('verdict-row').hidden = false;
	}

	function renderExits(exit) {
		const e = exit && typeof exit === 'object' ? exit : {};
		for (const fam of ['ipv4', 'ipv6']) {
			const dd = $('exit-' + fam);
			const x = e[fam];
			clear(dd);
			if (!x || !str(x.address)) {
				dd.dataset.address = '';
				dd.append(el('span', { className: 'muted' },
					fam === 'ipv4' ? 'no IPv4 (none seen)' : 'no IPv6 (none seen)'));
				continue;
			}
			dd.dataset.address = x.address;
			dd.append(el('code', null, x.address));
			if (str(x.ptr))
				dd.append(' ', el('span', { className: 'ptr' }, '(' + x.ptr + ')'));
			const net = network(x.asn, x.org);
			const where = [net || 'network unknown', str(x.country)].filter(Boolean).join(', ');
			dd.append(el('span', { className: 'sub' }, where));
		}
	}

	function cell(label, ...kids) {
		return el('td', { dataset: { label } }, ...kids);
	}

	function unknown(text) {
		return el('span', { className: 'muted' }, text || 'unknown');
	}

	function renderResolvers(list) {
		const tbody = $('resolvers').tBodies[0];
		clear(tbody);
		for (const r of list) {
			if (!r || !str(r.address))
				continue;
			const fam = r.family === 6 ? '6' : r.family === 4 ? '4' : '';
			const tr = el('tr', {
				dataset: {
					address: r.address, family: fam,
					queries: String(typeof r.queries === 'number' ? r.queries : 0),
					asn: typeof r.asn === 'number' ? String(r.asn) : '',
				},
			});
			const net = network(r.asn, r.org);
			tr.append(
				cell('Resolver', el('code', null, r.address),
					str(r.ptr) ? el('span', { className: 'sub ptr' }, r.ptr) : null),
				cell('Network', net || unknown()),
				cell('Country', str(r.country) || unknown()),
				cell('IP version', fam ? 'IPv' + fam : unknown()),
				cell('Queries', String(typeof r.queries === 'number' ? r.queries : 0)),
				cell('ECS subnet', str(r.ecs) ? el('code', null, r.ecs) : unknown('none')),
				cell('Whose', own(CLASSIFICATION, r.classification) || str(r.classification) || unknown()));
			tbody.append(tr);
		}
		const empty = tbody.rows.length === 0;
		$('resolvers-empty').hidden = !empty;
		$('resolvers').closest('.table-wrap').hidden = empty;
	}

	/* hasExit: an exit address was seen; without one the server cannot compare, and says no leak. */
	function renderWebrtc(w, hasExit) {
		const box = $('webrtc');
		const summary = $('webrtc-summary');
		const ul = $('webrtc-list');
		clear(ul);
		if (!w || typeof w !== 'object') {
			box.dataset.status = 'none';
			summary.textContent = 'No WebRTC result was reported for this test.';
			return;
		}
		if (w.available === false) {
			box.dataset.status = 'unavailable';
			summary.textContent = 'Your browser has no WebRTC, so it cannot reveal addresses through it.';
			return;
		}
		const cands = Array.isArray(w.candidates) ? w.candidates.filter((c) => c && typeof c === 'object') : [];
		for (const c of cands) {
			const addr = str(c.address);
			/* mdns: the ".local" name, or true when the server keeps only that it was one */
			const mdnsName = str(c.mdns) || (c.mdns === true ? mdnsNameOf(c) : '');
			const mdns = mdnsName || (c.mdns === true ? 'true' : '');
			const type = str(c.type);
			const li = el('li', { className: c.exposes ? 'exposes' : '', dataset: { type, address: addr, mdns } });
			li.append(el('span', { className: 'cand-type' }, own(CANDIDATE_TYPES, type) || type || 'unknown type'));
			const what = el('span', { className: 'cand-addr' });
			if (addr) {
				what.append(el('code', null, addr));
				if (str(c.ptr))
					what.append(' ', el('span', { className: 'ptr' }, '(' + c.ptr + ')'));
			} else if (mdns) {
				what.append('hidden by mDNS');
				if (mdnsName)
					what.append(' ', el('span', { className: 'muted' }, '(' + mdnsName + ')'));
			} else
				what.append(unknown('no address'));
			const proto = [str(c.protocol).toUpperCase(), typeof c.port === 'number' ? 'port ' + c.port : '']
				.filter(Boolean).join(', ');
			if (proto)
				what.append(' ', el('span', { className: 'muted' }, proto));
			li.append(what);
			const net = [network(c.asn, c.org), str(c.country)].filter(Boolean).join(', ');
			if (net)
				li.append(el('span', { className: 'sub' }, net));
			let flag = 'Reveals no address';
			if (c.exposes)
				flag = 'Reveals an address other than your exit address';
			else if (addr && type === 'relay')
				flag = 'A relay server\u2019s address, not yours';
			else if (addr && !hasExit)
				flag = 'Not compared: no exit address was seen';
			else if (addr && type === 'host')
				flag = 'A local address of this device: websites can read it (see the findings)';
			else if (addr)
				flag = 'Your exit address or its network: nothing a website would not see anyway';
			li.append(el('span', { className: c.exposes ? 'flag bad' : 'flag' }, flag));
			ul.append(li);
		}
		if (w.leak) {
			box.dataset.status = 'leak';
			const shown = cands.filter((c) => c.exposes && str(c.address)).map((c) => c.address);
			summary.textContent = 'WebRTC reveals an address other than your exit address' +
				(shown.length ? ': ' + [...new Set(shown)].join(', ') : '') +
				'. Any website can read it with a few lines of JavaScript.';
		} else if (cands.length === 0) {
			box.dataset.status = 'none';
			summary.textContent = 'WebRTC found no candidates: in ' + ICE_TIMEOUT_MS / 1000 +
				' seconds this page\u2019s attempt found none (WebRTC is probably disabled or limited ' +
				'in this browser).';
		} else if (!hasExit && cands.some((c) => str(c.address) && c.type !== 'relay')) {
			box.dataset.status = 'unknown';
			summary.textContent = 'WebRTC shows addresses, but no exit address was seen to compare ' +
				'them with, so we cannot tell whether they differ from yours.';
		} else if (stunOffered !== 0 && !cands.some((c) => c.type === 'srflx' || c.type === 'prflx')) {
			/* STUN offered (or unknown, for a shared test) but no public address came back. */
			box.dataset.status = 'unknown';
			summary.textContent = 'The check of your public addresses could not be made: no ' +
				'server-reflexive candidate came back (UDP to the STUN server is blocked, or it was ' +
				'too slow). The candidates below are all WebRTC showed.';
		} else {
			box.dataset.status = 'ok';
			const mdnsNote = cands.some((c) => !str(c.address) && (str(c.mdns) || c.mdns === true)) ?
				' Your local addresses are hidden by mDNS.' : '';
			const local = cands.some((c) => str(c.address) && c.type === 'host');
			summary.textContent = (stunOffered === 0 ?
				'WebRTC\u2019s candidates show no public address other than your exit address.' :
				'WebRTC reveals no public address other than your exit address.') +
				(local ? ' It does show local addresses of this device (see the findings).' : '') + mdnsNote;
		}
		if (stunOffered === 0)
			summary.append(' This server offers no STUN server, so the public address WebRTC ' +
				'would reveal to a website was not checked.');
		if (typeof w.skipped === 'number' && w.skipped > 0)
			summary.append(' ' + w.skipped + (w.skipped === 1 ? ' candidate' : ' candidates') +
				' could not be read by the server.');
	}

	function stepList(steps) {
		const ol = el('ol', { className: 'steps' });
		for (const s of steps)
			if (typeof s === 'string')
				ol.append(el('li', null, richText(s)));
		return ol;
	}

	function platformBlock(name, steps) {
		return el('div', { className: 'platform' },
			el('h4', null, own(PLATFORM_NAMES, name) || name), stepList(steps));
	}

	function renderFindings(list) {
		const ul = $('findings');
		clear(ul);
		const known = visitor.names.filter((n) => n !== 'browser');
		$('platform-note').textContent = known.length ?
			'Steps for ' + (visitor.os || known.join(', ')) + ' and your browser come first ' +
			'(guessed from your browser); the others are one click away.' :
			'Steps for your browser come first; the other platforms are one click away.';
		for (const f of list) {
			if (!f || !str(f.id))
				continue;
			const sev = own(SEVERITY, f.severity) ? f.severity : 'info';
			const li = el('li', { className: 'finding sev-' + sev, dataset: { id: f.id } });
			li.append(el('h3', null,
				el('span', { className: 'sev' }, f.inconclusive ? 'Cannot tell' : SEVERITY[sev]), ' ',
				str(f.title) || f.id, ' ', el('span', { className: 'fid' }, f.id)));
			if (str(f.explain))
				li.append(el('p', null, f.explain));
			if (str(f.detail))
				li.append(el('p', { className: 'detail' }, el('strong', null, 'What we saw: '), f.detail));
			const steps = Array.isArray(f.steps) ? f.steps : [];
			if (steps.length)
				li.append(el('h4', null, 'What to do'), stepList(steps));
			const plats = f.platforms && typeof f.platforms === 'object' ? f.platforms : {};
			const names = Object.keys(plats).filter((n) => Array.isArray(plats[n]) && plats[n].length);
			for (const n of visitor.names)
				if (names.includes(n))
					li.append(platformBlock(n, plats[n]));
			const others = names.filter((n) => !visitor.names.includes(n));
			if (others.length) {
				const d = el('details', null, el('summary', null,
					'Steps for other platforms (' + others.map((n) => own(PLATFORM_NAMES, n) || n).join(', ') + ')'));
				for (const n of others)
					d.append(platformBlock(n, plats[n]));
				li.append(d);
			}
			ul.append(li);
		}
		$('findings-empty').hidden = ul.children.length > 0;
	}

	/* ---- start ---- */

	/* "#<id>.<token>": {id, token} (lower case); an attempt at one: {bad}; any other hash
	 * (#main from the skip link) or none: null. */
	function sharedFromHash() {
		const h = location.hash.replace(/^#/, '');
		const m = SHARE_RE.exec(h);
		if (m)
			return { id: m[1].toLowerCase(), token: m[2].toLowerCase() };
		return SHARE_LIKE_RE.test(h) ? { bad: true } : null;
	}

	function start() {
		const s = sharedFromHash();
		if (s && s.bad) {
			resetView();
			$('run-again').textContent = 'Run a new test';
			$('run-again').disabled = false;
			showError('This share link is malformed: it should end in #<id>.<token> (26 and 32 ' +
				'letters and digits). Run a new test.');
			return;
		}
		if (s)
			loadShared(s.id, s.token);
		else
			runTest();
	}

	$('run-again').addEventListener('click', () => {
		if (running)
			return;
		if (location.hash)
			history.replaceState(null, '', location.pathname + location.search);
		focusAtEnd = true;
		runTest();
	});
	$('copy').addEventListener('click', () => {
		navigator.clipboard.writeText($('share').href).then(
			() => { $('copy-status').textContent = 'Copied.'; },
			() => { $('copy-status').textContent = 'Could not copy; select the link instead.'; });
	});
	/* Only a share link (or an attempt at one) in the hash starts anything. */
	window.addEventListener('hashchange', () => {
		if (!running && sharedFromHash() !== null)
			start();
	});
	start();
})();
