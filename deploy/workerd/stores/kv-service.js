// KV's HTTP protocol, as workerd's KV binding (src/workerd/api/kv.c++) speaks it: GET/PUT/DELETE on
// /<url-encoded key>, GET /?prefix=&key_count_limit=&cursor= for a page of keys, POST /bulk/get for
// get([keys]). Metadata travels as JSON in the CF-KV-Metadata header; put takes `expiration` (epoch
// seconds) or `expiration_ttl` (seconds). Limits and error texts are Cloudflare's, so code that works
// here works there. The binding's props name the namespace:
// `kvNamespace = (name = "stores", entrypoint = "KvService", props = (json = "{\"namespace\": \"x\"}"))`.
import { WorkerEntrypoint } from 'cloudflare:workers';

/** Cloudflare KV's documented limits (developers.cloudflare.com/kv/platform/limits). */
const MAX_KEY_BYTES = 512;
const MAX_VALUE_BYTES = 25 * 1024 * 1024;
const MAX_METADATA_BYTES = 1024;
const MAX_LIST = 1000;
const MAX_BULK_KEYS = 100;
const MIN_EXPIRATION_TTL = 60;

class Refusal extends Error {
	constructor(status, message) {
		super(message);
		this.status = status;
	}
}

export class KvService extends WorkerEntrypoint {
	async fetch(request) {
		try {
			return await this.#serve(request);
		} catch (error) {
			const status = error instanceof Refusal ? error.status : 500;
			// The client reports the status text: "KV PUT failed: 400 <text>".
			return new Response(null, { status, statusText: String(error.message).replace(/[\r\n]/g, ' ') });
		}
	}

	async #serve(request) {
		const url = new URL(request.url);
		const store = this.#namespace();
		if (request.method === 'POST' && url.pathname === '/bulk/get') return bulkGet(store, await request.json());
		if (request.method === 'GET' && url.pathname === '/') return list(store, url.searchParams);
		const key = decodeKey(url.pathname);
		switch (request.method) {
			case 'GET': {
				const [entry] = await store.read([key]);
				if (!entry) return new Response(null, { status: 404 });
				const headers = entry.metadata === null ? {} : { 'CF-KV-Metadata': entry.metadata };
				return new Response(entry.value, { headers });
			}
			case 'PUT': {
				validateKey(key);
				const value = new Uint8Array(await request.arrayBuffer());
				if (value.byteLength > MAX_VALUE_BYTES) {
					throw new Refusal(413, `Value length of ${value.byteLength} exceeds limit of ${MAX_VALUE_BYTES}.`);
				}
				const metadata = request.headers.get('CF-KV-Metadata');
				if (metadata !== null && byteLength(metadata) > MAX_METADATA_BYTES) {
					throw new Refusal(413, `Metadata length of ${byteLength(metadata)} exceeds limit of ${MAX_METADATA_BYTES}.`);
				}
				await store.write(key, value, expirationOf(url.searchParams), metadata);
				return new Response(null);
			}
			case 'DELETE':
				validateKey(key);
				await store.remove(key);
				return new Response(null);
		}
		throw new Refusal(405, 'Method Not Allowed');
	}

	#namespace() {
		const name = this.ctx.props?.namespace;
		if (typeof name !== 'string') throw new Error('No namespace: props must be {"namespace": "<name>"}.');
		return this.env.KV_STORE.get(this.env.KV_STORE.idFromName(name));
	}
}

async function list(store, params) {
	const limitText = params.get('key_count_limit');
	const limit = limitText === null ? MAX_LIST : parseInt(limitText);
	if (Number.isNaN(limit) || limit < 1 || limit > MAX_LIST) {
		throw new Refusal(400, `Invalid key_count_limit of ${limitText}. Please specify an integer from 1 to ${MAX_LIST}.`);
	}
	const cursor = params.get('cursor');
	let after = '';
	if (cursor) {
		try {
			after = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(atob(cursor), (c) => c.charCodeAt(0)));
		} catch {
			throw new Refusal(400, 'Invalid cursor.');
		}
	}
	const prefix = params.get('prefix') ?? '';
	const rows = await store.list(prefix, after, limit + 1);
	const keys = rows.slice(0, limit).map(({ key, expiration, metadata }) => ({
		name: key,
		...(expiration !== null && { expiration: Math.floor(expiration / 1000) }),
		...(metadata !== null && { metadata: JSON.parse(metadata) })
	}));
	const page = { keys, list_complete: rows.length <= limit };
	if (!page.list_complete) page.cursor = btoa(String.fromCharCode(...new TextEncoder().encode(keys.at(-1).name)));
	return Response.json(page);
}

async function bulkGet(store, body) {
	const keys = Array.isArray(body?.keys) ? body.keys.map(String) : [];
	const type = body?.type ?? 'text';
	if (type !== 'text' && type !== 'json') throw new Refusal(400, `"${type}" is not a valid type. Use "json" or "text"`);
	if (keys.length < 1) throw new Refusal(400, 'You must request a minimum of 1 key');
	if (keys.length > MAX_BULK_KEYS) throw new Refusal(400, `You can request a maximum of ${MAX_BULK_KEYS} keys`);
	keys.forEach(validateKey);
	const entries = await store.read(keys);
	const out = {};
	keys.forEach((key, i) => {
		const entry = entries[i];
		if (!entry) return void (out[key] = null);
		let value = new TextDecoder().decode(entry.value);
		if (type === 'json') {
			try {
				value = JSON.parse(value);
			} catch {
				throw new Refusal(400, 'At least one of the requested keys corresponds to a non-json value');
			}
		}
		out[key] = body.withMetadata ? { value, metadata: entry.metadata && JSON.parse(entry.metadata) } : value;
	});
	return Response.json(out);
}

function decodeKey(pathname) {
	try {
		return decodeURIComponent(pathname.slice(1));
	} catch {
		throw new Refusal(400, 'Invalid key encoding');
	}
}

function validateKey(key) {
	if (key === '') throw new Refusal(400, 'Key names must not be empty');
	if (key === '.' || key === '..') throw new Refusal(400, `Illegal key name "${key}". Please use a different name.`);
	const n = byteLength(key);
	if (n > MAX_KEY_BYTES)
		throw new Refusal(414, `UTF-8 encoded length of ${n} exceeds key length limit of ${MAX_KEY_BYTES}.`);
}

/** `expiration` / `expiration_ttl` as an absolute time in ms (null: never), refused as Cloudflare does. */
function expirationOf(params) {
	const nowSeconds = Math.floor(Date.now() / 1000);
	const ttlText = params.get('expiration_ttl');
	if (ttlText !== null) {
		const ttl = parseInt(ttlText);
		if (Number.isNaN(ttl) || ttl <= 0) {
			throw new Refusal(400, `Invalid expiration_ttl of ${ttlText}. Please specify integer greater than 0.`);
		}
		if (ttl < MIN_EXPIRATION_TTL) {
			throw new Refusal(
				400,
				`Invalid expiration_ttl of ${ttlText}. Expiration TTL must be at least ${MIN_EXPIRATION_TTL}.`
			);
		}
		return (nowSeconds + ttl) * 1000;
	}
	const atText = params.get('expiration');
	if (atText === null) return null;
	const at = parseInt(atText);
	if (Number.isNaN(at) || at < nowSeconds + MIN_EXPIRATION_TTL) {
		throw new Refusal(
			400,
			`Invalid expiration of ${atText}. Expiration times must be at least ${MIN_EXPIRATION_TTL} seconds in the future.`
		);
	}
	return at * 1000;
}

const byteLength = (text) => new TextEncoder().encode(text).byteLength;
