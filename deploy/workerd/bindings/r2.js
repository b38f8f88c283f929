// R2's Workers API (R2Bucket: head/get/put/delete/list) over the self-hosted R2Store Durable Object, loaded
// as a workerd extension module and used through a `wrapped` binding (see murmur.capnp), so the app's
// `env.IMAGES` code is the same on Cloudflare and here. Self-contained: extension modules are not bundled.
//
// Not provided: multipart uploads (createMultipartUpload/resumeMultipartUpload throw), checksums other
// than MD5, storage classes, SSE-C. Objects are held in memory while they pass through, so this is meant
// for images and documents, not for multi-gigabyte files; MAX_OBJECT_BYTES says so with a clear error.

/** Far above any avatar (2 MB) yet well inside a workerd isolate's memory. */
const MAX_OBJECT_BYTES = 64 * 1024 * 1024;
/** R2's maximum key length, in UTF-8 bytes. */
const MAX_KEY_BYTES = 1024;

const HTTP_FIELDS = [
	['contentType', 'content-type'],
	['contentLanguage', 'content-language'],
	['contentDisposition', 'content-disposition'],
	['contentEncoding', 'content-encoding'],
	['cacheControl', 'cache-control']
];

class R2Object {
	constructor(data, range) {
		this.key = data.key;
		this.version = data.version;
		this.size = data.size;
		this.etag = data.etag;
		this.httpEtag = `"${data.etag}"`;
		this.uploaded = new Date(data.uploaded);
		this.httpMetadata = { ...data.httpMetadata };
		if (data.httpMetadata.cacheExpiry !== undefined)
			this.httpMetadata.cacheExpiry = new Date(data.httpMetadata.cacheExpiry);
		this.customMetadata = { ...data.customMetadata };
		this.range = range;
		this.checksums = { md5: hexToBytes(data.etag).buffer };
		this.storageClass = 'Standard';
	}

	/** Copies the stored HTTP metadata onto response headers, as R2's writeHttpMetadata does. */
	writeHttpMetadata(headers) {
		for (const [field, header] of HTTP_FIELDS) {
			if (this.httpMetadata[field] !== undefined) headers.set(header, this.httpMetadata[field]);
		}
		if (this.httpMetadata.cacheExpiry !== undefined)
			headers.set('expires', this.httpMetadata.cacheExpiry.toUTCString());
	}
}

class R2ObjectBody extends R2Object {
	#response;

	constructor(data, bytes, range) {
		super(data, range);
		this.#response = new Response(bytes);
	}

	get body() {
		return this.#response.body;
	}

	get bodyUsed() {
		return this.#response.bodyUsed;
	}

	arrayBuffer() {
		return this.#response.arrayBuffer();
	}

	bytes() {
		return this.#response.arrayBuffer().then((b) => new Uint8Array(b));
	}

	text() {
		return this.#response.text();
	}

	json() {
		return this.#response.json();
	}

	blob() {
		return this.#response.blob();
	}
}

class R2Bucket {
	#service;

	constructor(service) {
		this.#service = service;
	}

	async head(key) {
		const data = await this.#store().head(checkKey(key));
		return data ? new R2Object(data) : null;
	}

	async get(key, options = {}) {
		const answer = await this.#store().get(checkKey(key), {
			onlyIf: toConditional(options.onlyIf),
			range: toRange(options.range)
		});
		if (!answer) return null;
		if (!answer.bytes) return new R2Object(answer.object);
		return new R2ObjectBody(answer.object, answer.bytes, answer.range);
	}

	async put(key, value, options = {}) {
		checkKey(key);
		const bytes = new Uint8Array(await new Response(value ?? null).arrayBuffer());
		if (bytes.byteLength > MAX_OBJECT_BYTES) {
			throw new Error(`put: objects over ${MAX_OBJECT_BYTES} bytes are not supported on the self-hosted R2 store.`);
		}
		const etag = toHex(await crypto.subtle.digest('MD5', bytes));
		if (options.md5 !== undefined && toHexInput(options.md5) !== etag) {
			throw new Error('put: The Content-MD5 you specified did not match what we received. (10037)');
		}
		const data = await this.#store().put(key, bytes, {
			etag,
			httpMetadata: toHttpMetadata(options.httpMetadata),
			customMetadata: { ...options.customMetadata },
			onlyIf: toConditional(options.onlyIf)
		});
		return data ? new R2Object(data) : null;
	}

	async delete(keys) {
		const list = (Array.isArray(keys) ? keys : [keys]).map(checkKey);
		await this.#store().delete(list);
	}

	async list(options = {}) {
		const limit = options.limit ?? 1000;
		if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
			throw new Error('list: MaxKeys params must be positive integer <= 1000. (10022)');
		}
		const page = await this.#store().list({
			prefix: options.prefix ?? '',
			delimiter: options.delimiter || undefined,
			cursor: options.cursor || undefined,
			startAfter: options.startAfter || undefined,
			limit
		});
		const include = new Set(options.include ?? []);
		const objects = page.objects.map((data) => {
			const object = new R2Object(data);
			// Without `include`, R2 lists objects without their metadata.
			if (!include.has('httpMetadata')) object.httpMetadata = {};
			if (!include.has('customMetadata')) object.customMetadata = {};
			return object;
		});
		return {
			objects,
			delimitedPrefixes: page.delimitedPrefixes,
			truncated: page.truncated,
			...(page.truncated && { cursor: page.cursor })
		};
	}

	createMultipartUpload() {
		return Promise.reject(new Error('Multipart uploads are not supported on the self-hosted R2 store.'));
	}

	resumeMultipartUpload() {
		throw new Error('Multipart uploads are not supported on the self-hosted R2 store.');
	}

	/** The stores worker's R2Service entrypoint, bound to this bucket by the binding's props. */
	#store() {
		return this.#service;
	}
}

function checkKey(key) {
	if (typeof key !== 'string') throw new TypeError('R2 keys must be strings.');
	if (new TextEncoder().encode(key).byteLength > MAX_KEY_BYTES) {
		throw new Error(`The specified object name is not valid: over ${MAX_KEY_BYTES} bytes. (10020)`);
	}
	return key;
}

/** httpMetadata as R2 takes it: an object of fields, or Headers to read the same fields from. */
function toHttpMetadata(input) {
	const out = {};
	if (!input) return out;
	if (input instanceof Headers) {
		for (const [field, header] of HTTP_FIELDS) {
			const value = input.get(header);
			if (value !== null) out[field] = value;
		}
		const expires = input.get('expires');
		if (expires !== null && !Number.isNaN(Date.parse(expires))) out.cacheExpiry = Date.parse(expires);
		return out;
	}
	for (const [field] of HTTP_FIELDS) if (input[field] !== undefined) out[field] = String(input[field]);
	if (input.cacheExpiry !== undefined) out.cacheExpiry = new Date(input.cacheExpiry).getTime();
	return out;
}

/**
 * onlyIf as R2 takes it, either an R2Conditional or request Headers (If-Match, If-None-Match,
 * If-Modified-Since, If-Unmodified-Since), turned into plain data for the store: etag lists without
 * quotes or W/ prefixes, dates in ms.
 */
function toConditional(input) {
	if (!input) return undefined;
	if (input instanceof Headers) {
		const out = {};
		const ifMatch = input.get('if-match');
		const ifNoneMatch = input.get('if-none-match');
		const ifModifiedSince = input.get('if-modified-since');
		const ifUnmodifiedSince = input.get('if-unmodified-since');
		if (ifMatch) out.etagMatches = etagList(ifMatch);
		if (ifNoneMatch) out.etagDoesNotMatch = etagList(ifNoneMatch);
		if (ifModifiedSince && !Number.isNaN(Date.parse(ifModifiedSince))) out.uploadedAfter = Date.parse(ifModifiedSince);
		if (ifUnmodifiedSince && !Number.isNaN(Date.parse(ifUnmodifiedSince))) {
			out.uploadedBefore = Date.parse(ifUnmodifiedSince);
		}
		return Object.keys(out).length ? out : undefined;
	}
	const out = {};
	if (input.etagMatches) out.etagMatches = etagList(input.etagMatches);
	if (input.etagDoesNotMatch) out.etagDoesNotMatch = etagList(input.etagDoesNotMatch);
	if (input.uploadedAfter) out.uploadedAfter = new Date(input.uploadedAfter).getTime();
	if (input.uploadedBefore) out.uploadedBefore = new Date(input.uploadedBefore).getTime();
	return Object.keys(out).length ? out : undefined;
}

/** `"a", W/"b"`, a bare etag, or an array of them → ['a', 'b']. */
function etagList(value) {
	const items = Array.isArray(value) ? value : String(value).split(',');
	return items.map((item) =>
		String(item)
			.trim()
			.replace(/^W\//, '')
			.replace(/^"(.*)"$/, '$1')
	);
}

/** R2Range or a Range header (`bytes=a-b`, `bytes=-n`) → `{ offset, length }` or `{ suffix }`. */
function toRange(input) {
	if (!input) return undefined;
	if (input instanceof Headers) {
		const match = /^bytes=(\d*)-(\d*)$/.exec(input.get('range') ?? '');
		if (!match) return undefined;
		const [, from, to] = match;
		if (from === '') return { suffix: Number(to) };
		return to === '' ? { offset: Number(from) } : { offset: Number(from), length: Number(to) - Number(from) + 1 };
	}
	return { ...input };
}

function toHex(buffer) {
	return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

function toHexInput(md5) {
	return typeof md5 === 'string' ? md5.toLowerCase() : toHex(ArrayBuffer.isView(md5) ? md5.buffer : md5);
}

function hexToBytes(hex) {
	return Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

/** The wrapped binding's entry: `env.store` is a service binding to the stores worker's R2Service. */
export default function makeBucket(env) {
	return new R2Bucket(env.store);
}
