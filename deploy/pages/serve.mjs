// `npm run start:pages` (after `npm run build:pages`): the Pages shape on this machine, no account needed.
// Applies the D1 migrations, runs the realtime worker and the transpiler worker under one `wrangler dev`
// and the Pages build under `wrangler pages dev`, on one local state directory, prints what it started,
// and stops both on Ctrl-C (or when either one exits). The Pages Functions reach the Durable Objects and
// the transpiler (TRANSPILER) through wrangler's dev registry, which is kept inside the state directory
// so other local wrangler sessions cannot answer.
//
//   node deploy/pages/serve.mjs [--port 8788] [--realtime-port 8789] [--sockets same-origin|realtime]
//                               [--persist-to .wrangler/state-pages] [--fresh]
//
// --sockets same-origin (default): browsers open sockets on the Pages origin, whose Functions forward them
//   to the Durable Objects (way a).
// --sockets realtime: PUBLIC_REALTIME_URL points browsers at the realtime worker, whose Origin allowlist
//   names the Pages origin (way b).
// --fresh empties the state directory first (tests).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { values: args } = parseArgs({
	options: {
		port: { type: 'string', default: '8788' },
		'realtime-port': { type: 'string' },
		sockets: { type: 'string', default: 'same-origin' },
		'persist-to': { type: 'string', default: '.wrangler/state-pages' },
		fresh: { type: 'boolean', default: false }
	}
});
const port = Number(args.port);
const realtimePort = Number(args['realtime-port'] ?? port + 1);
if (!['same-origin', 'realtime'].includes(args.sockets))
	fail(`--sockets is same-origin or realtime, not "${args.sockets}".`);
const separateOrigin = args.sockets === 'realtime';
const persistTo = resolve(root, args['persist-to']);
if (args.fresh) rmSync(persistTo, { recursive: true, force: true });
mkdirSync(persistTo, { recursive: true });

const appOrigin = `http://127.0.0.1:${port}`;
const realtimeOrigin = `http://127.0.0.1:${realtimePort}`;
const env = { ...process.env, WRANGLER_REGISTRY_PATH: resolve(persistTo, 'dev-registry') };
// wrangler itself rather than through npx, so a signal reaches it (and its workerd) directly.
const wrangler = resolve(root, 'node_modules/wrangler/bin/wrangler.js');
let stopping = false;

const migrate = spawnSync(
	process.execPath,
	[wrangler, 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistTo],
	{
		cwd: root,
		env,
		stdio: ['ignore', 'ignore', 'inherit']
	}
);
if (migrate.status !== 0) fail('applying the D1 migrations failed (see above).');

const common = ['--ip', '127.0.0.1', '--persist-to', persistTo];
const children = [
	start('realtime', root, [
		'dev',
		'-c',
		'deploy/pages/wrangler.realtime.toml',
		'-c',
		'transpiler/wrangler.toml',
		'--port',
		String(realtimePort),
		'--inspector-port',
		String(realtimePort + 10000),
		...common,
		// Way b: only the Pages origin may open sockets here (the app's page, not any local port).
		...(separateOrigin ? ['--var', `ALLOWED_ORIGINS:${appOrigin},http://localhost:${port}`] : [])
	]),
	// `wrangler pages dev` reads the Pages config of its project root, hence the cwd (see package.json there).
	start('pages', resolve(root, 'deploy/pages'), [
		'pages',
		'dev',
		'--port',
		String(port),
		'--inspector-port',
		String(port + 10000),
		...common,
		...(separateOrigin ? ['--binding', `PUBLIC_REALTIME_URL=${realtimeOrigin}`] : [])
	])
];

await Promise.all([waitForHealth(realtimeOrigin), waitForHealth(appOrigin)]);
console.log(
	[
		'',
		'Murmur, Pages shape:',
		`  app       ${appOrigin}   wrangler pages dev (deploy/pages/wrangler.toml, .svelte-kit/cloudflare-pages)`,
		`  realtime  ${realtimeOrigin}   wrangler dev murmur-realtime (deploy/pages/wrangler.realtime.toml)`,
		`            + murmur-transpiler in the same session (transpiler/wrangler.toml), bound as TRANSPILER`,
		`  sockets   ${separateOrigin ? `on the realtime worker (PUBLIC_REALTIME_URL=${realtimeOrigin}), with tickets` : 'same origin, forwarded by the Pages Functions'}`,
		`  state     ${persistTo} (D1 migrated, KV, R2, Durable Objects)`,
		'Ctrl-C stops both.',
		''
	].join('\n')
);

function start(name, cwd, wranglerArgs) {
	const child = spawn(process.execPath, [wrangler, ...wranglerArgs], {
		cwd,
		env,
		stdio: ['ignore', 'inherit', 'inherit']
	});
	child.on('exit', (code, signal) => {
		if (stopping) return;
		console.error(`start:pages: ${name} stopped (${signal ?? `exit ${code}`}); stopping the other.`);
		stop(code || 1);
	});
	return child;
}

function stop(code) {
	stopping = true;
	// SIGINT, as Ctrl-C would: wrangler then shuts its workerd and bundler down cleanly.
	for (const child of children) if (child.exitCode === null) child.kill('SIGINT');
	process.exitCode = code;
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stop(0));

async function waitForHealth(origin) {
	for (let tries = 0; tries < 240 && !stopping; tries++) {
		try {
			if ((await fetch(`${origin}/api/health`)).ok) return;
		} catch {
			// not listening yet
		}
		await new Promise((r) => setTimeout(r, 500));
	}
	if (!stopping) {
		console.error(`start:pages: ${origin} did not become healthy in 2 minutes.`);
		stop(1);
	}
}

function fail(message) {
	console.error(`start:pages: ${message}`);
	process.exit(1);
}
