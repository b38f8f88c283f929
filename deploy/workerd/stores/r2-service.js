// The RPC entrypoint `bindings/r2.js` calls: forwards each R2 operation to the bucket's R2Store object.
// The binding holds this service rather than the R2Store namespace itself, because a binding object lives
// across requests and a Durable Object namespace captured by it is tied to the request that first used it
// ("Cannot perform I/O on behalf of a different request"); a service binding is not. The binding's props
// name the bucket: `service = (name = "stores", entrypoint = "R2Service", props = (json = "{\"bucket\": \"x\"}"))`.
import { WorkerEntrypoint } from 'cloudflare:workers';

export class R2Service extends WorkerEntrypoint {
	head(key) {
		return this.#bucket().head(key);
	}

	get(key, options) {
		return this.#bucket().get(key, options);
	}

	put(key, bytes, options) {
		return this.#bucket().put(key, bytes, options);
	}

	delete(keys) {
		return this.#bucket().delete(keys);
	}

	list(options) {
		return this.#bucket().list(options);
	}

	#bucket() {
		const name = this.ctx.props?.bucket;
		if (typeof name !== 'string') throw new Error('No bucket: props must be {"bucket": "<name>"}.');
		return this.env.R2_STORE.get(this.env.R2_STORE.idFromName(name));
	}
}
