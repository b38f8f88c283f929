// Behaviour checks for a Cloudflare Queue and its consumer, written against Cloudflare's documented
// semantics (developers.cloudflare.com/queues/): delivery in batches of at most max_batch_size, at least
// once, `attempts` counting deliveries, a throwing handler and retryAll() redelivering the batch,
// message.retry({ delaySeconds }) and send's delaySeconds holding a message back, a message dropped after
// max_retries, content types, and the producer's limits. Run inside workerd against the self-hosted
// stand-in (run.mjs → harness.js, whose queue() handler is `consumeConformance` below, bound with
// maxBatchSize 10, maxRetries 2 in conformance.capnp). Plain JS: workerd loads it as is.

import { assert, checkRunner, deepEqual, equal, rejects } from './checks.js';

const MAX_BATCH_SIZE = 10;
const MAX_RETRIES = 2;

/** The consumer side: records every delivery in D1, then does what each body's `mode` asks. */
export async function consumeConformance(batch, db, boot) {
	await db.exec(DELIVERIES_TABLE);
	await db.batch(
		batch.messages.map((m) => {
			const body = m.body;
			const tag = typeof body === 'object' && body !== null && !(body instanceof ArrayBuffer) ? body.tag : 'raw';
			const raw =
				typeof body === 'string'
					? `text:${body}`
					: body instanceof ArrayBuffer
						? `bytes:${[...new Uint8Array(body)].join(',')}`
						: `json:${body.n}`;
			return db
				.prepare(
					'INSERT INTO queue_deliveries (tag, id, raw, attempts, batch_size, at, boot, is_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'
				)
				.bind(tag, m.id, raw, m.attempts, batch.messages.length, Date.now(), boot, m.timestamp instanceof Date ? 1 : 0);
		})
	);
	const mode = (m) => (typeof m.body === 'object' && m.body !== null ? m.body.mode : undefined);
	if (batch.messages.some((m) => mode(m) === 'throw-once' && m.attempts === 1))
		throw new Error('conformance: the consumer fails this batch once');
	if (batch.messages.some((m) => mode(m) === 'retry-all' && m.attempts === 1)) batch.retryAll();
	for (const m of batch.messages) {
		if (mode(m) === 'retry-delay' && m.attempts === 1) m.retry({ delaySeconds: 1 });
		else if (mode(m) === 'always-retry') m.retry();
	}
}

const DELIVERIES_TABLE = `CREATE TABLE IF NOT EXISTS queue_deliveries (tag TEXT, id TEXT, raw TEXT, attempts INTEGER, batch_size INTEGER, at INTEGER, boot TEXT, is_date INTEGER)`;

/** Every delivery recorded for `tag`, in order. */
export async function deliveries(db, tag) {
	await db.exec(DELIVERIES_TABLE);
	const { results } = await db
		.prepare(
			'SELECT id, raw, attempts, batch_size, at, boot, is_date FROM queue_deliveries WHERE tag = ? ORDER BY rowid'
		)
		.bind(tag)
		.all();
	return results;
}

/** Runs every check against `env` ({ QUEUE, DB }) and answers `[{ name, ok, detail }]`. */
export async function checkQueue(env, tag = String(Date.now())) {
	const { results, check } = checkRunner();
	const q = env.QUEUE;
	const seen = (t) => deliveries(env.DB, `${tag}-${t}`);
	const body = (t, n, mode) => ({ tag: `${tag}-${t}`, n, ...(mode ? { mode } : {}) });
	// The positive marker before an absence check: a message sent later has been delivered, so a
	// redelivery due before it (none is expected) would have been too.
	let markers = 0;
	const settle = async () => {
		const n = ++markers;
		await q.send(body('marker', n));
		await waitFor(
			() => seen('marker'),
			(d) => d.some((x) => x.raw === `json:${n}`)
		);
	};

	await check('queue: send() is delivered once, in a batch, with an id, a Date timestamp and attempts 1', async () => {
		const response = await q.send(body('one', 1));
		assert(response.metadata.metrics.backlogCount >= 1, 'send reports the backlog');
		const got = await waitFor(
			() => seen('one'),
			(d) => d.length >= 1
		);
		await settle();
		const all = await seen('one');
		equal(all.length, 1);
		equal(all[0].attempts, 1);
		equal(all[0].is_date, 1);
		assert(typeof all[0].id === 'string' && all[0].id.length > 0, 'message id');
		equal(got[0].raw, 'json:1');
	});
	await check(`queue: sendBatch() of 25 arrives whole, in batches of at most ${MAX_BATCH_SIZE}`, async () => {
		await q.sendBatch(Array.from({ length: 25 }, (_, n) => ({ body: body('batch', n) })));
		const got = await waitFor(
			() => seen('batch'),
			(d) => d.length >= 25
		);
		deepEqual(got.map((d) => d.raw).sort(), Array.from({ length: 25 }, (_, n) => `json:${n}`).sort());
		assert(Math.max(...got.map((d) => d.batch_size)) <= MAX_BATCH_SIZE, 'batch size');
		assert(
			got.some((d) => d.batch_size > 1),
			'messages are batched'
		);
	});
	await check('queue: text and bytes bodies keep their content type', async () => {
		await q.send(`${tag}-text`, { contentType: 'text' });
		await q.send(new Uint8Array([1, 2, 250]), { contentType: 'bytes' });
		const got = await waitFor(
			() => deliveries(env.DB, 'raw'),
			(d) => d.some((x) => x.raw === `text:${tag}-text`) && d.some((x) => x.raw === 'bytes:1,2,250')
		);
		assert(got.length >= 2, 'both delivered');
	});
	await check(
		'queue: a handler that throws gets the batch again (attempts 2), which is then acknowledged',
		async () => {
			await q.send(body('throw', 1, 'throw-once'));
			await waitFor(
				() => seen('throw'),
				(d) => d.length >= 2
			);
			await settle();
			deepEqual(
				(await seen('throw')).map((d) => d.attempts),
				[1, 2]
			);
		}
	);
	await check('queue: message.retry({ delaySeconds: 1 }) redelivers it after the delay', async () => {
		await q.send(body('retry', 1, 'retry-delay'));
		const got = await waitFor(
			() => seen('retry'),
			(d) => d.length >= 2
		);
		deepEqual(
			got.map((d) => d.attempts),
			[1, 2]
		);
		assert(got[1].at - got[0].at >= 950, `waited ${got[1].at - got[0].at} ms`);
		equal(got[0].id, got[1].id);
	});
	await check('queue: retryAll() redelivers every message of the batch', async () => {
		await q.sendBatch([{ body: body('all', 1, 'retry-all') }, { body: body('all', 2) }]);
		const got = await waitFor(
			() => seen('all'),
			(d) => d.filter((x) => x.attempts === 2).length >= 2
		);
		deepEqual(
			got
				.filter((d) => d.attempts === 2)
				.map((d) => d.raw)
				.sort(),
			['json:1', 'json:2']
		);
	});
	await check(
		`queue: a message retried past max_retries (${MAX_RETRIES}) is dropped after ${MAX_RETRIES + 1} deliveries`,
		async () => {
			await q.send(body('drop', 1, 'always-retry'));
			await waitFor(
				() => seen('drop'),
				(d) => d.length >= MAX_RETRIES + 1
			);
			await settle();
			deepEqual(
				(await seen('drop')).map((d) => d.attempts),
				[1, 2, 3]
			);
		}
	);
	await check('queue: delaySeconds holds a message back', async () => {
		const sentAt = Date.now();
		await q.send(body('delay', 1), { delaySeconds: 1 });
		const got = await waitFor(
			() => seen('delay'),
			(d) => d.length >= 1
		);
		assert(got[0].at - sentAt >= 950, `delivered after ${got[0].at - sentAt} ms`);
	});
	await check('queue: refuses a message over 128 KB, a batch of 101, and bodies JSON cannot keep', async () => {
		await rejects(() => q.send({ tag, big: 'x'.repeat(129 * 1024) }), /at most 131072 bytes/);
		await rejects(() => q.sendBatch(Array.from({ length: 101 }, (_, n) => ({ body: { n } }))), /at most 100 messages/);
		await rejects(() => q.send({ at: new Date() }), /JSON values only/);
		await rejects(() => q.send(1, { contentType: 'text' }), /must be a string/);
		await rejects(() => q.send({}, { delaySeconds: -1 }), /delaySeconds/);
	});
	return results;
}

async function waitFor(read, done, timeoutMs = 10_000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await read();
		if (done(value)) return value;
		if (Date.now() > deadline) throw new Error(`timed out; last: ${JSON.stringify(value)}`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}
