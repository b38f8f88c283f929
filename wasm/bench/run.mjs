// `npm run bench:codec [-- --baseline <codec.wasm>]`: the Node half, then the Chromium half, each
// given the same arguments (npm appends them to the last command only, hence this runner).
// BENCH_CODEC_HALVES=node or =chromium runs one half; BENCH_CODEC_OPS and BENCH_CODEC_DATA pick a
// section inside each (wasm/bench/workloads.ts), e.g.
//   BENCH_CODEC_OPS=compress BENCH_CODEC_DATA=a,b,c npm run bench:codec
import { spawnSync } from 'node:child_process';

const HALVES = new Map([
	['node', 'bench-codec.ts'],
	['chromium', 'bench-codec-chromium.ts']
]);
const wanted = (process.env.BENCH_CODEC_HALVES || 'node,chromium').split(',').map((s) => s.trim());
for (const half of wanted) {
	if (!HALVES.has(half)) {
		console.error(`BENCH_CODEC_HALVES: unknown half ${half} (node, chromium)`);
		process.exit(1);
	}
}

for (const half of wanted) {
	const run = spawnSync(
		process.execPath,
		[new URL(HALVES.get(half), import.meta.url).pathname, ...process.argv.slice(2)],
		{
			stdio: 'inherit'
		}
	);
	if (run.status !== 0) process.exit(run.status ?? 1);
}
