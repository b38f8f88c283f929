// `npm run bench:codec [-- --baseline <codec.wasm>]`: the Node half, then the Chromium half, each
// given the same arguments (npm appends them to the last command only, hence this runner).
import { spawnSync } from 'node:child_process';

for (const half of ['bench-codec.ts', 'bench-codec-chromium.ts']) {
	const run = spawnSync(process.execPath, [new URL(half, import.meta.url).pathname, ...process.argv.slice(2)], {
		stdio: 'inherit'
	});
	if (run.status !== 0) process.exit(run.status ?? 1);
}
