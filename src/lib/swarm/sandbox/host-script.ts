/**
 * The script of the job sandbox page (/swarm/sandbox), as text: the route inlines it and allows it by its
 * hash. It runs in an iframe with an opaque origin (the page's CSP says `sandbox allow-scripts`), so it
 * has no cookies, no storage and no access to the parent page; each call runs in a fresh Web Worker made
 * from a blob, which inherits the page's CSP (connect-src 'none': fetch, XHR, WebSocket, EventSource and
 * imports or importScripts of anything but blobs fail), and is terminated when it answers or when its time
 * limit passes. The worker imports the job module from a blob and calls one export with JSON arguments;
 * the answer goes back as JSON text, so what reaches the page is JSON whatever the module returned.
 *
 * Messages, parent → sandbox: { type: 'call', id, code, fn, args, timeoutMs } | { type: 'abort', id }.
 * Sandbox → parent: { type: 'ready' } once, then { id, ok: true, json, cpuMs } | { id, ok: false, error, timedOut }.
 */
const WORKER = `
self.onmessage = async (event) => {
	const { code, fn, args } = event.data;
	const started = performance.now();
	try {
		const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
		const mod = await import(url);
		URL.revokeObjectURL(url);
		if (typeof mod[fn] !== 'function') throw new Error('The job module does not export ' + fn + '().');
		const json = JSON.stringify(await mod[fn](...args));
		if (json === undefined) throw new Error(fn + '() returned nothing JSON can hold.');
		self.postMessage({ ok: true, json, cpuMs: performance.now() - started });
	} catch (error) {
		self.postMessage({ ok: false, error: String((error && error.message) || error).slice(0, 200), timedOut: false });
	}
};`;

export const SANDBOX_HOST_SCRIPT = `(() => {
	const workerUrl = URL.createObjectURL(new Blob([${JSON.stringify(WORKER)}], { type: 'text/javascript' }));
	const running = new Map();
	const reply = (message) => parent.postMessage(message, '*');
	function finish(id, answer) {
		const call = running.get(id);
		if (!call) return;
		running.delete(id);
		clearTimeout(call.timer);
		call.worker.terminate();
		if (answer) reply({ id, ...answer });
	}
	addEventListener('message', (event) => {
		if (event.source !== parent) return;
		const message = event.data;
		if (!message || typeof message.id !== 'number') return;
		if (message.type === 'abort') return finish(message.id, null);
		if (message.type !== 'call' || running.has(message.id)) return;
		const worker = new Worker(workerUrl);
		const timer = setTimeout(
			() => finish(message.id, { ok: false, timedOut: true, error: 'Stopped after ' + message.timeoutMs + ' ms.' }),
			message.timeoutMs
		);
		running.set(message.id, { worker, timer });
		worker.onmessage = (e) => finish(message.id, e.data);
		worker.onerror = (e) => {
			e.preventDefault();
			finish(message.id, { ok: false, timedOut: false, error: String(e.message || 'The job crashed.').slice(0, 200) });
		};
		worker.postMessage({ code: message.code, fn: message.fn, args: message.args });
	});
	reply({ type: 'ready' });
})();`;

/** The sandbox page's CSP: an opaque origin, nothing from the network, scripts only inline (by hash) and blobs. */
export function sandboxPolicy(scriptHash: string): string {
	return [
		'sandbox allow-scripts',
		"default-src 'none'",
		`script-src 'sha256-${scriptHash}' blob:`,
		'worker-src blob:',
		"connect-src 'none'",
		"frame-ancestors 'self'",
		"base-uri 'none'",
		"form-action 'none'"
	].join('; ');
}
