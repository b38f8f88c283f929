// The RPC entrypoint `bindings/queue.js` calls: forwards sends to the queue's QueueStore object. A service,
// not the namespace, for the reason r2-service.js gives (a binding outlives the request that made it). The
// binding's props name the queue: `service = (name = "stores", entrypoint = "QueueService",
// props = (json = "{\"queue\": \"murmur-chat-index\"}"))`.
import { WorkerEntrypoint } from 'cloudflare:workers';

export class QueueService extends WorkerEntrypoint {
	send(messages) {
		return this.#queue().send(this.ctx.props.queue, messages);
	}

	metrics() {
		return this.#queue().metrics();
	}

	#queue() {
		const name = this.ctx.props?.queue;
		if (typeof name !== 'string') throw new Error('No queue: props must be {"queue": "<name>"}.');
		return this.env.QUEUE_STORE.get(this.env.QUEUE_STORE.idFromName(name));
	}
}
