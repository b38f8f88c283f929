// `npm run test:selfhost` (after the bundle step): runs the Playwright self-host smoke on a free port with
// a fresh data directory, removed afterwards. The test starts and restarts workerd itself.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../deploy/workerd/test/workerd-process.mjs';

const dataDir = mkdtempSync(join(tmpdir(), 'murmur-selfhost-'));
const port = await freePort();
console.log(`selfhost smoke: workerd on 127.0.0.1:${port}, data in ${dataDir}`);
const result = spawnSync(
	'npx',
	['playwright', 'test', '-c', 'e2e/selfhost/playwright.config.ts', ...process.argv.slice(2)],
	{
		stdio: 'inherit',
		env: { ...process.env, SELFHOST_PORT: String(port), SELFHOST_DATA_DIR: dataDir }
	}
);
rmSync(dataDir, { recursive: true, force: true });
process.exit(result.status ?? 1);
