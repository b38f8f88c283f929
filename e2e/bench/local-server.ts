// What every `npm run bench:*` that drives the worker shares: a local server of its own (the built worker
// under `wrangler dev`, fresh migrated D1, via e2e/support/serve.mjs; or the self-host shape on bare
// workerd), real accounts made through the real sign-up form, and the percentile every latency table uses.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkerdProcess } from '../../deploy/workerd/test/workerd-process.mjs';

export interface LocalServer {
	/** http://127.0.0.1:<port> */
	readonly base: string;
	/**
	 * `wrangler`: the server's process group leader, with wrangler and its two workerd processes under it;
	 * `selfhost`: the one workerd process itself.
	 */
	readonly shape: 'wrangler' | 'selfhost';
	readonly pid: number;
	stop(): void | Promise<void>;
}

/** How long `wrangler dev` may take to answer /api/health (a cold build of the local runtime is slow). */
const START_TIMEOUT_MS = 120_000;

/** Starts the server on `port` (extra args go to `wrangler dev`) and resolves once /api/health answers 200. */
export async function startLocalServer(port: number, wranglerArgs: string[] = []): Promise<LocalServer> {
	const server = spawn('node', ['e2e/support/serve.mjs', String(port), ...wranglerArgs], {
		stdio: ['ignore', 'ignore', 'inherit'],
		// Its own process group, so stopping it also stops wrangler and workerd underneath.
		detached: true
	});
	const stop = () => {
		try {
			process.kill(-server.pid!, 'SIGTERM');
		} catch {
			// already gone
		}
	};
	process.on('exit', stop);
	process.on('SIGINT', () => {
		stop();
		process.exit(130);
	});
	const base = `http://127.0.0.1:${port}`;
	const deadline = Date.now() + START_TIMEOUT_MS;
	for (;;) {
		try {
			if ((await fetch(`${base}/api/health`)).ok) return { base, shape: 'wrangler', pid: server.pid!, stop };
		} catch {
			// not listening yet
		}
		if (Date.now() > deadline || server.exitCode !== null) {
			stop();
			throw new Error(`the local server on :${port} did not start`);
		}
		await sleep(250);
	}
}

/**
 * The app on bare workerd as self-hosting runs it (dist/selfhost/murmur.capnp, after `npm run
 * selfhost:bundle`), on a fresh data directory: one process, no dev proxy in front. Settings come from
 * `env`, as from the systemd EnvironmentFile.
 */
export async function startSelfhostServer(port: number, env: Record<string, string> = {}): Promise<LocalServer> {
	const data = mkdtempSync(join(tmpdir(), 'murmur-bench-'));
	const server = new WorkerdProcess({
		config: 'dist/selfhost/murmur.capnp',
		port,
		directories: { data, static: 'dist/selfhost/assets' },
		readyPath: '/api/health',
		env
	});
	const stop = async () => {
		await server.stop();
		rmSync(data, { recursive: true, force: true });
	};
	process.on('SIGINT', () => void stop().then(() => process.exit(130)));
	await server.start();
	return { base: server.origin, shape: 'selfhost', pid: server.pid, stop };
}

/**
 * A plain form post, as a browser without JavaScript sends it (`accept: text/html`): SvelteKit answers
 * a redirect with 303 and a Location rather than the JSON it gives enhanced forms.
 */
export async function formPost(base: string, path: string, fields: Record<string, string>, cookie?: string) {
	return fetch(`${base}${path}`, {
		method: 'POST',
		redirect: 'manual',
		headers: {
			origin: base,
			accept: 'text/html',
			'content-type': 'application/x-www-form-urlencoded',
			...(cookie ? { cookie } : {})
		},
		body: new URLSearchParams(fields)
	});
}

/** Signs a new account up through the real form and returns its session cookie (`name=value`). */
export async function signUp(base: string, username: string, displayName = username): Promise<string> {
	const response = await formPost(base, '/signup', { username, displayName, password: 'correct horse battery' });
	const cookie = response.headers.getSetCookie().find((c) => c.startsWith('murmur_session='));
	if (!cookie) throw new Error(`sign-up of ${username} failed: HTTP ${response.status}`);
	return cookie.split(';')[0]!;
}

/** The p-th percentile (nearest rank) of ascending `sorted`. */
export function percentile(sorted: number[], p: number): number {
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
