// Run by `npm run build:pages` before it builds: refuses the Pages shape's configs when their bindings,
// migrations or compatibility settings drift from wrangler.toml, so a binding added for the Workers shape
// is not silently missing on Pages (config-drift.mjs says what may differ).
import { experimental_readRawConfig as readRawConfig } from 'wrangler';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pagesConfigDrift, realtimeConfigDrift } from './config-drift.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path) => ({ path: join(root, path), config: readRawConfig({ config: join(root, path) }).rawConfig });

const main = read('wrangler.toml');
const checks = [
	['deploy/pages/wrangler.toml', pagesConfigDrift],
	['deploy/pages/wrangler.realtime.toml', realtimeConfigDrift]
];
let failed = false;
for (const [path, drift] of checks) {
	const problems = drift(main, read(path));
	if (problems.length) {
		failed = true;
		console.error(`pages: ${path} is out of step with wrangler.toml:\n  - ${problems.join('\n  - ')}`);
	}
}
if (failed) process.exit(1);
console.log('pages: deploy/pages configs match wrangler.toml (bindings, migrations, compatibility)');
