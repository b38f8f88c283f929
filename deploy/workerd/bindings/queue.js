// A Cloudflare Queue producer binding (Queue: send, sendBatch, metrics) over the self-hosted QueueStore
// Durable Object (stores/queue-store.js), loaded as a workerd extension module and used through a `wrapped`
// binding (see murmur.capnp), so the app's `env.CHAT_INDEX` code is the same on Cloudflare and here.
// Self-contained: extension modules are not bundled.
//
// Bodies are kept as Cloudflare's content types `json` (the default here; `v8` bodies are stored as JSON
// too, so they must be JSON values — a Date or Map is refused with a clear error), `text` and `bytes`.
// Cloudflare's limits apply (developers.cloudflare.com/queues/platform/limits): 128 KB per message, 100
// messages and 256 KB per sendBatch, delays up to 12 hours.

const MAX_MESSAGE_BYTES = 128 * 1024;
const MAX_BATCH_MESSAGES = 100;
const MAX_BATCH_BYTES = 256 * 1024;
const MAX_DELAY_SECONDS = 12 * 60 * 60;
const CONTENT_TYPES = new Set(['json', 'v8', 'text', 'bytes']);

const utf8 = new TextEncoder();

class Queue {
	constructor(service) {
		this.service = service;
	}

	async send(body, options = {}) {
		const message = encode(body, options.contentType, options.delaySeconds);
		await this.service.send([message]);
		return { metadata: { metrics: await this.service.metrics() } };
	}

	async sendBatch(messages, options = {}) {
		const list = [...messages];
		if (list.length > MAX_BATCH_MESSAGES)
			throw new Error(`Queue sendBatch failed: at most ${MAX_BATCH_MESSAGES} messages per batch, got ${list.length}.`);
		const encoded = list.map((m) => encode(m.body, m.contentType, m.delaySeconds ?? options.delaySeconds));
		const bytes = encoded.reduce((sum, m) => sum + m.bytes, 0);
		if (bytes > MAX_BATCH_BYTES)
			throw new Error(`Queue sendBatch failed: a batch is at most ${MAX_BATCH_BYTES} bytes, this one is ${bytes}.`);
		if (encoded.length > 0) await this.service.send(encoded);
		return { metadata: { metrics: await this.service.metrics() } };
	}

	async metrics() {
		return this.service.metrics();
	}
}

/** One message as the store keeps it: `{ body (string), contentType, delaySeconds, bytes }`. */
function encode(body, contentType = 'json', delaySeconds = 0) {
	if (!CONTENT_TYPES.has(contentType)) throw new TypeError(`Queue send failed: unknown contentType "${contentType}".`);
	if (!Number.isFinite(delaySeconds) || delaySeconds < 0 || delaySeconds > MAX_DELAY_SECONDS)
		throw new RangeError(`Queue send failed: delaySeconds must be 0–${MAX_DELAY_SECONDS}.`);
	let stored;
	if (contentType === 'text') {
		if (typeof body !== 'string') throw new TypeError('Queue send failed: a "text" body must be a string.');
		stored = body;
	} else if (contentType === 'bytes') {
		if (!(body instanceof ArrayBuffer || ArrayBuffer.isView(body)))
			throw new TypeError('Queue send failed: a "bytes" body must be an ArrayBuffer or a typed array.');
		const view =
			body instanceof ArrayBuffer
				? new Uint8Array(body)
				: new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
		stored = btoa(String.fromCharCode(...view));
	} else {
		stored = JSON.stringify(body);
		if (stored === undefined || !sameJson(body, JSON.parse(stored)))
			throw new TypeError(
				'Queue send failed: the self-hosted queue keeps JSON values only (no Date, Map, undefined or functions).'
			);
	}
	const bytes = contentType === 'bytes' ? (stored.length * 3) / 4 : utf8.encode(stored).byteLength;
	if (bytes > MAX_MESSAGE_BYTES)
		throw new Error(`Queue send failed: a message is at most ${MAX_MESSAGE_BYTES} bytes, this one is ${bytes}.`);
	return { body: stored, contentType: contentType === 'v8' ? 'json' : contentType, delaySeconds, bytes };
}

/** Whether a value survived JSON unchanged (so nothing was silently dropped or turned into a string). */
function sameJson(a, b) {
	if (a === b) return true;
	if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return false;
	if (Object.getPrototypeOf(a) !== Object.prototype && !Array.isArray(a)) return false;
	const keys = Object.keys(a);
	if (keys.length !== Object.keys(b).length) return false;
	return keys.every((k) => sameJson(a[k], b[k]));
}

export default function makeQueue(env) {
	return new Queue(env.service);
}
