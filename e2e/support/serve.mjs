// Serves the built worker for Playwright: migrates a fresh D1 in its own state directory, so test runs
// do not see each other's users, then runs `wrangler dev` with the app and the transpiler worker it binds
// (TRANSPILER) in one session. Assumes `npm run build` has run.
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const port = process.argv[2] ?? '8787';
// Anything after the port goes to `wrangler dev` as is (e.g. `--var KEY:VALUE` for a benchmark, or
// `--ip 0.0.0.0` in place of the default 127.0.0.1, as `npm run start:lan` listens).
const extraArgs = process.argv.slice(3);
const ip = extraArgs.includes('--ip') ? [] : ['--ip', '127.0.0.1'];
const persistTo = `.wrangler/e2e-${port}`;
rmSync(persistTo, { recursive: true, force: true });

const wrangler = (args, opts) =>
	spawn('npx', ['wrangler', ...args, '--persist-to', persistTo], { stdio: 'inherit', ...opts });

const migrate = spawnSync(
	'npx',
	['wrangler', 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistTo],
	{
		stdio: 'inherit'
	}
);
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const configs = ['-c', 'wrangler.toml', '-c', 'transpiler/wrangler.toml'];
const server = wrangler([
	'dev',
	...configs,
	'--port',
	port,
	...ip,
	'--inspector-port',
	String(Number(port) + 10000),
	...extraArgs
]);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
