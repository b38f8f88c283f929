// The consumer half of the self-hosted queue (stores/queue-store.js): turns one delivery into the
// MessageBatch a Workers `queue()` handler receives — messages with id, timestamp, body, attempts, ack()
// and retry(), and the batch's ackAll() and retryAll() — runs the handler, and answers what it decided in
// the shape Cloudflare's runtime reports it (outcome, ackAll, retryBatch, explicitAcks, retryMessages).
// A handler that throws has outcome "exception": the store retries every message it did not ack.
// Plain JS without imports, so the app (src/worker.ts, bundled by wrangler) and the conformance harness
// (deploy/workerd/test/harness.js, loaded as is) share it.

/**
 * @param {{ queue(batch: unknown, env: unknown, ctx: unknown): unknown }} handler the worker's exported handler
 * @param {{ id: string, timestamp: number, attempts: number, body: unknown }[]} messages
 */
export async function deliverBatch(handler, env, ctx, queue, messages) {
	const acks = new Set();
	const retries = new Map();
	const decided = { ackAll: false, retryBatch: { retry: false } };
	const batch = {
		queue,
		messages: messages.map((m) => ({
			id: m.id,
			timestamp: new Date(m.timestamp),
			body: m.body,
			attempts: m.attempts,
			ack() {
				retries.delete(m.id);
				acks.add(m.id);
			},
			retry(options = {}) {
				acks.delete(m.id);
				retries.set(m.id, options.delaySeconds);
			}
		})),
		ackAll() {
			decided.ackAll = true;
		},
		retryAll(options = {}) {
			decided.retryBatch = { retry: true, delaySeconds: options.delaySeconds };
		}
	};
	let outcome = 'ok';
	try {
		await handler.queue(batch, env, ctx);
	} catch (error) {
		outcome = 'exception';
		console.error(`queue ${queue}: the queue() handler threw: ${error?.stack ?? error}`);
	}
	return {
		outcome,
		ackAll: decided.ackAll,
		retryBatch: decided.retryBatch,
		explicitAcks: [...acks],
		retryMessages: [...retries].map(([msgId, delaySeconds]) => ({ msgId, delaySeconds }))
	};
}
