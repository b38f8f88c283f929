/**
 * bench:swarm's verification section: what k-replication costs. 100 simulated devices (SWARM_BENCH_VERIFY_DEVICES)
 * work through the same custom job at k = 1 and at k = 2 (each chunk computed by two devices and accepted when
 * their results share a digest); the ratio of accepted chunks per second is the cost of verification. Also the
 * assignment latency: from a device sending a result to the coordinator's next assign frame on that socket
 * (its freed slot refilled), p50 and p99 over every refill. The job module is compiled by the real transpiler;
 * the devices compute run() natively, as the workerd specs' simulated devices do. The reference, in the same
 * run on the same devices: a built-in prime count of as many chunks (k = 1, no vote).
 */
import { countPrimes } from '../../src/lib/swarm/compute/primes.ts';
import { loadNodeCodec } from '../../wasm/node/load-codec-node.ts';
import { percentile } from './local-server.ts';

// As swarmChannel in src/lib/protocol/swarm-channel.ts (its version and the type bytes used here).
const PROTOCOL_VERSION = 3;
const T = { benchmark: 1, result: 2, welcome: 1, assign: 2 } as const;
const COMPRESS_MIN_BYTES = 768;
const DEVICES = Number(process.env.SWARM_BENCH_VERIFY_DEVICES ?? 100);
/** CUSTOM_MAX_CHUNKS: the biggest custom job; tiny chunks, so the figure is the coordinator's. */
const CHUNKS = 1000;
const SOURCE = `export function split(input: { n: number }): number[] {
	return Array.from({ length: input.n }, (_, i) => i);
}
export function run(chunk: number): number {
	return chunk * chunk;
}
export function merge(results: number[]): number {
	return results.reduce((a, b) => a + b, 0);
}
`;

const { codec } = loadNodeCodec();
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();
const frame = (type: number, payload: unknown) => {
	const bytes = utf8.encode(JSON.stringify(payload));
	return codec.encode(type, 0, bytes, { compress: bytes.byteLength >= COMPRESS_MIN_BYTES });
};
const read = (data: ArrayBuffer) => {
	const decoded = codec.decode(data);
	return { type: decoded.type, payload: JSON.parse(utf8Decoder.decode(decoded.payload)) as unknown };
};

interface Api {
	base: string;
	cookie: string;
	post<T>(path: string, cookie: string, body: unknown): Promise<T>;
	get<T>(path: string): Promise<T>;
	createSwarm(): Promise<string>;
}

/** Runs the section against a started server; answers the table rows. */
export async function benchVerification(api: Api): Promise<[string, string][]> {
	const swarmId = await api.createSwarm();
	const invite = await api.post<{ token: string }>(`/api/swarm/${swarmId}/tokens`, api.cookie, { maxUses: DEVICES });
	const latencies: number[] = [];
	const devices: SimDevice[] = [];
	for (let i = 0; i < DEVICES; i++) {
		const joined = await api.post<{ credential: string }>(`/swarm/${swarmId}/device/join`, '', {
			token: invite.token,
			capabilities: { name: `verify-${i}`, cores: 4, memoryGb: 8, gpu: null, userAgent: 'bench' }
		});
		devices.push(await connect(api.base, swarmId, joined.credential, latencies));
	}
	const rows: [string, string][] = [];
	const rates: number[] = [];
	// The job module compiled once before timing (the route compiles again on submit: a KV cache hit).
	await api.post(`/api/swarm/${swarmId}/jobs/compile`, api.cookie, { source: SOURCE });
	const reference = { kind: 'primes', lo: 0, hi: CHUNKS * 1000, chunkSize: 1000 };
	for (const k of [0, 1, 2]) {
		latencies.length = 0;
		devices.forEach((d) => d.reset());
		const started = performance.now();
		const job = await api.post<{ jobId: string }>(
			`/api/swarm/${swarmId}/jobs`,
			api.cookie,
			k === 0
				? reference
				: {
						kind: 'custom',
						title: `bench k=${k}`,
						source: SOURCE,
						input: { n: CHUNKS },
						chunks: Array.from({ length: CHUNKS }, (_, i) => i),
						k
					}
		);
		for (;;) {
			await new Promise((r) => setTimeout(r, 100));
			const view = (await api.get<{ id: string; status: string }[]>(`/api/swarm/${swarmId}/jobs`)).find(
				(j) => j.id === job.jobId
			);
			if (view?.status === 'done') break;
			if (view && view.status !== 'running') throw new Error(`bench job ${view.status}`);
			if (performance.now() - started > 300_000) throw new Error('bench job did not finish in 5 minutes');
		}
		const seconds = (performance.now() - started) / 1000;
		const sorted = [...latencies].sort((a, b) => a - b);
		const latency = `${percentile(sorted, 50).toFixed(1)} / ${percentile(sorted, 99).toFixed(1)} ms (result sent → next assign, ${sorted.length} refills)`;
		if (k === 0) {
			rows.push([
				'reference: built-in primes, chunks / s',
				`${(CHUNKS / seconds).toFixed(0)} (${CHUNKS} chunks in ${seconds.toFixed(2)} s)`
			]);
			rows.push(['reference: assignment latency p50 / p99', latency]);
			continue;
		}
		const output = await api.get<{ results: number[] }>(`/api/swarm/${swarmId}/jobs/${job.jobId}`);
		const right = output.results.every((r, i) => r === i * i) && output.results.length === CHUNKS;
		rates.push(CHUNKS / seconds);
		rows.push([
			`custom job, k = ${k}: verified chunks / s`,
			`${(CHUNKS / seconds).toFixed(0)} (${CHUNKS} chunks, ${CHUNKS * k} results from ${DEVICES} devices in ${seconds.toFixed(2)} s; output ${right ? 'right' : 'WRONG'})`
		]);
		rows.push([`assignment latency, k = ${k}, p50 / p99`, latency]);
		if (!right) process.exitCode = 1;
	}
	rows.push([
		'cost of verification (k = 2 vs k = 1)',
		`${(rates[0] / rates[1]).toFixed(2)}× the time per verified chunk`
	]);
	devices.forEach((d) => d.ws.close());
	return rows;
}

interface SimDevice {
	ws: WebSocket;
	/** Forgets results still waiting for a refill (a job ended): they must not time the next job's first assign. */
	reset(): void;
}

/** A device that answers each custom chunk natively and times each result until its next assign frame. */
async function connect(base: string, swarmId: string, credential: string, latencies: number[]): Promise<SimDevice> {
	const ws = new WebSocket(`${base.replace('http', 'ws')}/swarm/${swarmId}/device/ws?v=${PROTOCOL_VERSION}`, {
		headers: { cookie: `murmur_device=${credential}`, origin: base }
	} as never);
	ws.binaryType = 'arraybuffer';
	let sentAt: number[] = [];
	await new Promise<void>((resolve, reject) => {
		ws.onerror = () => reject(new Error('device socket failed'));
		ws.onmessage = (event) => {
			if (event.data === 'pong') return;
			const message = read(event.data as ArrayBuffer);
			if (message.type === T.welcome) {
				ws.send(frame(T.benchmark, { score: 1000 }));
				resolve();
			} else if (message.type === T.assign) {
				const now = performance.now();
				// Each refill answers the oldest results still waiting for one.
				const { chunks } = message.payload as {
					chunks: { jobId: string; chunk: number; task: { kind: string; input: number; lo: number; hi: number } }[];
				};
				for (const at of sentAt.splice(0, chunks.length)) latencies.push(now - at);
				for (const c of chunks) {
					const output =
						c.task.kind === 'custom'
							? { kind: 'custom', value: c.task.input ** 2 }
							: { kind: 'primes', count: countPrimes(c.task.lo, c.task.hi) };
					ws.send(frame(T.result, { jobId: c.jobId, chunk: c.chunk, output, cpuMs: 0 }));
					sentAt.push(performance.now());
				}
			}
		};
		ws.onclose = () => (sentAt = []);
	});
	return { ws, reset: () => (sentAt = []) };
}
