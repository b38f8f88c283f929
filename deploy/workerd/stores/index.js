// The "stores" worker: on-disk stand-ins for D1, KV, R2 and Queues when Murmur runs on bare workerd. Each database,
// namespace or bucket is one SQLite-backed Durable Object under the data directory (see murmur.capnp).
import { D1Service } from './d1-service.js';
import { D1Store } from './d1-store.js';
import { KvService } from './kv-service.js';
import { KvStore } from './kv-store.js';
import { R2Service } from './r2-service.js';
import { R2Store } from './r2-store.js';
import { QueueService } from './queue-service.js';
import { QueueStore } from './queue-store.js';

export { D1Service, D1Store, KvService, KvStore, R2Service, R2Store, QueueService, QueueStore };

export default {
	fetch() {
		return new Response('Not found: the stores are reached through bindings only.', { status: 404 });
	}
};
