import { expect, test } from '@playwright/test';

/**
 * The job sandbox in real Chromium: /swarm/sandbox framed by one of our pages, spoken to as the device
 * runner and the dashboard speak to it (sandbox/job-sandbox.ts). A job runs and answers JSON; a job that
 * tries the network (same-origin API with the page's cookies, other origins, WebSocket, XHR, imports) or
 * storage gets an error, not data; a job that never returns is terminated at its time limit.
 */
test('the job sandbox runs a job, refuses it the network and storage, and stops it at its time limit', async ({
	page,
	baseURL
}) => {
	await page.goto('/signin');
	const answers = await page.evaluate(async (origin) => {
		const frame = document.createElement('iframe');
		frame.setAttribute('sandbox', 'allow-scripts');
		const ready = new Promise<void>((resolve) =>
			addEventListener('message', (e) => e.source === frame.contentWindow && e.data?.type === 'ready' && resolve())
		);
		frame.src = '/swarm/sandbox';
		document.body.append(frame);
		await ready;
		let next = 1;
		const call = (code: string, timeoutMs = 5_000) =>
			new Promise<Record<string, unknown>>((resolve) => {
				const id = next++;
				addEventListener('message', (e) => {
					if (e.source === frame.contentWindow && e.data?.id === id) resolve(e.data);
				});
				frame.contentWindow!.postMessage({ type: 'call', id, code, fn: 'run', args: [{ n: 21 }], timeoutMs }, '*');
			});
		const tries = (body: string) => `export async function run() { ${body} }`;
		const started = performance.now();
		const looped = await call('export function run() { for (;;) {} }', 1_000);
		const loopMs = performance.now() - started;
		return {
			ok: await call('export function run({ n }) { return { doubled: n * 2, at: typeof fetch }; }'),
			sameOrigin: await call(tries(`const r = await fetch('${origin}/api/health'); return await r.text();`)),
			// no-cors needs no CORS answer: only the CSP stops this request from leaving (and carrying data out).
			noCors: await call(
				tries(`const r = await fetch('${origin}/api/health?leak=1', { mode: 'no-cors' }); return r.type;`)
			),
			relative: await call(tries(`const r = await fetch('/api/health', { credentials: 'include' }); return r.status;`)),
			other: await call(tries(`const r = await fetch('https://example.com/'); return r.status;`)),
			socket: await call(
				tries(
					`return await new Promise((res, rej) => { const ws = new WebSocket('${origin.replace('http', 'ws')}/swarm/x/ws'); ws.onopen = () => res('open'); ws.onerror = () => rej(new Error('WebSocket refused')); });`
				)
			),
			xhr: await call(
				tries(
					`const x = new XMLHttpRequest(); x.open('GET', '${origin}/api/health', false); x.send(); return x.responseText;`
				)
			),
			importScripts: await call(tries(`importScripts('${origin}/_app/version.json'); return 'loaded';`)),
			dynamicImport: await call(tries(`await import('${origin}/_app/version.json'); return 'loaded';`)),
			storage: await call(
				tries(`try { indexedDB.open('x'); return 'opened'; } catch (e) { throw new Error(e.name); }`)
			),
			page: await call(tries(`return [typeof parent, typeof document, typeof caches, self.origin];`)),
			looped,
			loopMs
		};
	}, baseURL!);

	expect(answers.ok).toMatchObject({ ok: true, json: '{"doubled":42,"at":"function"}' });
	for (const what of [
		'sameOrigin',
		'noCors',
		'relative',
		'other',
		'socket',
		'xhr',
		'importScripts',
		'dynamicImport'
	] as const) {
		expect(answers[what], what).toMatchObject({ ok: false, timedOut: false });
		expect(String(answers[what].error), what).toMatch(/fetch|refused|NetworkError|failed to load|Failed/i);
	}
	expect(answers.storage).toMatchObject({ ok: false, error: 'SecurityError' });
	// No page, no document, no cache storage, an opaque origin.
	expect(answers.page).toMatchObject({ ok: true, json: '["undefined","undefined","undefined","null"]' });
	expect(answers.looped).toMatchObject({ ok: false, timedOut: true, error: 'Stopped after 1000 ms.' });
	expect(answers.loopMs).toBeLessThan(4_000);
});
