// Behaviour checks for the D1, KV and R2 bindings, written against Cloudflare's documented APIs. They run
// twice: inside workerd against the self-hosted stand-ins (run.mjs, conformance.capnp) and inside the
// vitest pool against Miniflare's implementations (src/lib/server/selfhost/stores-conformance.spec.ts),
// so "behaves like D1/KV/R2" is checked against the real thing, not against our own reading of the docs.
// Plain JS: workerd loads it as is, without a bundler.

import { assert, checkRunner, deepEqual, equal, rejects } from './checks.js';

/** Over one SQLite row (2 MB in a Durable Object): values this big must be chunked to round-trip. */
const BIG_BYTES = 3 * 1024 * 1024 + 17;

/**
 * Runs every check against `env` ({ DB, KV, R2 }) and answers `[{ name, ok, detail }]`. `tag` keeps runs
 * apart when storage is shared (unique keys and table names per run).
 */
export async function checkStores(env, tag = String(Date.now())) {
	const { results, check } = checkRunner();
	await checkD1(env.DB, `conf_${tag}`, check);
	await checkKv(env.KV, `conf-${tag}/`, check);
	await checkR2(env.R2, `conf-${tag}/`, check);
	return results;
}

async function checkD1(db, table, check) {
	await check('d1: exec runs one statement per line and counts them', async () => {
		const result = await db.exec(
			`CREATE TABLE ${table} (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE NOT NULL, data BLOB, n REAL)\nCREATE INDEX ${table}_n ON ${table} (n)`
		);
		equal(result.count, 2);
	});
	await check('d1: run() reports changes and last_row_id', async () => {
		const result = await db
			.prepare(`INSERT INTO ${table} (name, data, n) VALUES (?, ?, ?)`)
			.bind('alpha', new Uint8Array([1, 2, 3]), 1.5)
			.run();
		equal(result.success, true);
		equal(result.meta.changes, 1);
		assert(result.meta.last_row_id > 0, 'last_row_id');
	});
	await check('d1: all() answers objects, BLOBs as byte arrays, booleans bound as 1/0', async () => {
		await db.prepare(`INSERT INTO ${table} (name, n) VALUES (?, ?)`).bind('beta', true).run();
		const { results, success } = await db.prepare(`SELECT name, data, n FROM ${table} ORDER BY id`).all();
		equal(success, true);
		deepEqual(results, [
			{ name: 'alpha', data: [1, 2, 3], n: 1.5 },
			{ name: 'beta', data: null, n: 1 }
		]);
	});
	await check('d1: first() and first(column), unknown column refused', async () => {
		const row = await db.prepare(`SELECT name FROM ${table} WHERE name = ?`).bind('alpha').first();
		deepEqual(row, { name: 'alpha' });
		equal(await db.prepare(`SELECT name FROM ${table} WHERE name = ?`).bind('alpha').first('name'), 'alpha');
		equal(await db.prepare(`SELECT name FROM ${table} WHERE name = ?`).bind('nobody').first(), null);
		await rejects(() => db.prepare(`SELECT name FROM ${table}`).first('nope'), /D1_COLUMN_NOTFOUND/);
	});
	await check('d1: raw() answers arrays, optionally with column names first', async () => {
		const sql = `SELECT id > 0 AS positive, name FROM ${table} ORDER BY id`;
		deepEqual(await db.prepare(sql).raw(), [
			[1, 'alpha'],
			[1, 'beta']
		]);
		deepEqual((await db.prepare(sql).raw({ columnNames: true }))[0], ['positive', 'name']);
	});
	await check('d1: batch() runs in order and answers one result each', async () => {
		const results = await db.batch([
			db.prepare(`INSERT INTO ${table} (name) VALUES (?)`).bind('gamma'),
			db.prepare(`SELECT count(*) AS n FROM ${table}`)
		]);
		equal(results.length, 2);
		equal(results[0].meta.changes, 1);
		deepEqual(results[1].results, [{ n: 3 }]);
	});
	await check('d1: a failing batch rolls back every statement', async () => {
		await rejects(
			() =>
				db.batch([
					db.prepare(`INSERT INTO ${table} (name) VALUES (?)`).bind('delta'),
					db.prepare(`INSERT INTO ${table} (name) VALUES (?)`).bind('alpha')
				]),
			/^D1_ERROR: .*UNIQUE constraint failed/
		);
		equal(await db.prepare(`SELECT count(*) AS n FROM ${table}`).first('n'), 3);
	});
	await check('d1: errors carry the D1_ERROR prefix and SQLite message', async () => {
		await rejects(() => db.prepare(`SELECT * FROM ${table}_missing`).all(), /^D1_ERROR: no such table/);
	});
	await check('d1: unsupported bind values are refused before sending', async () => {
		await rejects(async () => db.prepare('SELECT ?').bind(undefined), /D1_TYPE_ERROR/);
	});
}

async function checkKv(kv, prefix, check) {
	await check('kv: put/get as text, json, arrayBuffer and stream', async () => {
		await kv.put(`${prefix}json`, JSON.stringify({ a: [1, 'two'] }));
		equal(await kv.get(`${prefix}json`), '{"a":[1,"two"]}');
		deepEqual(await kv.get(`${prefix}json`, 'json'), { a: [1, 'two'] });
		deepEqual(await kv.get(`${prefix}json`, { type: 'json' }), { a: [1, 'two'] });
		equal(new TextDecoder().decode(await kv.get(`${prefix}json`, 'arrayBuffer')), '{"a":[1,"two"]}');
		equal(await new Response(await kv.get(`${prefix}json`, 'stream')).text(), '{"a":[1,"two"]}');
		equal(await kv.get(`${prefix}missing`), null);
	});
	await check('kv: metadata round-trips through getWithMetadata and list', async () => {
		await kv.put(`${prefix}meta`, 'v', { metadata: { version: 3 } });
		const got = await kv.getWithMetadata(`${prefix}meta`);
		equal(got.value, 'v');
		deepEqual(got.metadata, { version: 3 });
		const missing = await kv.getWithMetadata(`${prefix}nothing`);
		equal(missing.value, null);
		equal(missing.metadata, null);
	});
	await check('kv: expirationTtl under 60 s is refused; 60 s shows in list', async () => {
		await rejects(() => kv.put(`${prefix}short`, 'x', { expirationTtl: 30 }), /Expiration TTL must be at least 60/);
		const before = Math.floor(Date.now() / 1000);
		await kv.put(`${prefix}ttl`, 'x', { expirationTtl: 60 });
		const { keys } = await kv.list({ prefix: `${prefix}ttl` });
		equal(keys.length, 1);
		assert(keys[0].expiration >= before + 60 && keys[0].expiration <= before + 62, `expiration ${keys[0].expiration}`);
	});
	await check('kv: list pages by prefix with a cursor', async () => {
		for (const n of [1, 2, 3]) await kv.put(`${prefix}page/${n}`, String(n));
		const first = await kv.list({ prefix: `${prefix}page/`, limit: 2 });
		deepEqual(
			first.keys.map((k) => k.name),
			[`${prefix}page/1`, `${prefix}page/2`]
		);
		equal(first.list_complete, false);
		const second = await kv.list({ prefix: `${prefix}page/`, limit: 2, cursor: first.cursor });
		deepEqual(
			second.keys.map((k) => k.name),
			[`${prefix}page/3`]
		);
		equal(second.list_complete, true);
	});
	await check('kv: delete removes the key', async () => {
		await kv.put(`${prefix}gone`, 'x');
		await kv.delete(`${prefix}gone`);
		equal(await kv.get(`${prefix}gone`), null);
	});
	await check('kv: a value larger than one SQLite row round-trips', async () => {
		const bytes = pattern(BIG_BYTES);
		await kv.put(`${prefix}big`, bytes);
		bytesEqual(new Uint8Array(await kv.get(`${prefix}big`, 'arrayBuffer')), bytes);
	});
}

async function checkR2(r2, prefix, check) {
	const key = `${prefix}hello.txt`;
	let etag;
	await check('r2: put answers the object with an MD5 etag', async () => {
		const object = await r2.put(key, 'hello r2', {
			httpMetadata: { contentType: 'text/plain' },
			customMetadata: { owner: 'conformance' }
		});
		equal(object.key, key);
		equal(object.size, 8);
		equal(object.etag, await md5Hex('hello r2'));
		equal(object.httpEtag, `"${object.etag}"`);
		etag = object.etag;
	});
	await check('r2: get answers the body and writes its HTTP metadata', async () => {
		const object = await r2.get(key);
		equal(await object.text(), 'hello r2');
		const headers = new Headers();
		object.writeHttpMetadata(headers);
		equal(headers.get('content-type'), 'text/plain');
		deepEqual(object.customMetadata, { owner: 'conformance' });
		assert(object.uploaded instanceof Date, 'uploaded is a Date');
	});
	await check('r2: head answers metadata without a body', async () => {
		const object = await r2.head(key);
		equal(object.size, 8);
		equal('body' in object, false);
		equal(await r2.head(`${prefix}missing`), null);
		equal(await r2.get(`${prefix}missing`), null);
	});
	await check('r2: onlyIf (object or request headers) answers no body when it fails', async () => {
		equal('body' in (await r2.get(key, { onlyIf: { etagDoesNotMatch: etag } })), false);
		equal('body' in (await r2.get(key, { onlyIf: new Headers({ 'if-none-match': `"${etag}"` }) })), false);
		equal('body' in (await r2.get(key, { onlyIf: new Headers({ 'if-none-match': '"other"' }) })), true);
		equal('body' in (await r2.get(key, { onlyIf: { etagMatches: etag } })), true);
	});
	await check('r2: a conditional put that fails writes nothing', async () => {
		equal(await r2.put(key, 'overwritten', { onlyIf: { etagMatches: 'not-the-etag' } }), null);
		equal(await (await r2.get(key)).text(), 'hello r2');
	});
	await check('r2: ranged get', async () => {
		const object = await r2.get(key, { range: { offset: 6, length: 2 } });
		equal(await object.text(), 'r2');
		equal(await (await r2.get(key, { range: { suffix: 3 } })).text(), ' r2');
	});
	await check('r2: an object larger than one SQLite row round-trips', async () => {
		const bytes = pattern(BIG_BYTES);
		await r2.put(`${prefix}big.bin`, bytes);
		const object = await r2.get(`${prefix}big.bin`);
		equal(object.size, BIG_BYTES);
		bytesEqual(new Uint8Array(await object.arrayBuffer()), bytes);
	});
	await check('r2: list with prefix, delimiter and include', async () => {
		await r2.put(`${prefix}dir/a`, 'a');
		await r2.put(`${prefix}dir/b`, 'b');
		const page = await r2.list({ prefix, delimiter: '/', include: ['customMetadata'] });
		deepEqual(
			page.objects.map((o) => o.key),
			[`${prefix}big.bin`, key]
		);
		deepEqual(page.delimitedPrefixes, [`${prefix}dir/`]);
		equal(page.truncated, false);
		deepEqual(page.objects[1].customMetadata, { owner: 'conformance' });
		const limited = await r2.list({ prefix: `${prefix}dir/`, limit: 1 });
		equal(limited.truncated, true);
		const rest = await r2.list({ prefix: `${prefix}dir/`, limit: 1, cursor: limited.cursor });
		deepEqual(
			rest.objects.map((o) => o.key),
			[`${prefix}dir/b`]
		);
	});
	await check('r2: delete one key or several', async () => {
		await r2.delete(key);
		equal(await r2.get(key), null);
		await r2.delete([`${prefix}dir/a`, `${prefix}dir/b`]);
		equal((await r2.list({ prefix: `${prefix}dir/` })).objects.length, 0);
	});
}

/** Deterministic bytes, so a misplaced chunk shows as a mismatch rather than passing by luck. */
export function pattern(length) {
	const bytes = new Uint8Array(length);
	for (let i = 0; i < length; i++) bytes[i] = (i * 31 + (i >> 10)) & 0xff;
	return bytes;
}

async function md5Hex(text) {
	const digest = await crypto.subtle.digest('MD5', new TextEncoder().encode(text));
	return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

function bytesEqual(actual, expected) {
	equal(actual.byteLength, expected.byteLength);
	for (let i = 0; i < expected.byteLength; i++) if (actual[i] !== expected[i]) throw new Error(`byte ${i} differs`);
}
