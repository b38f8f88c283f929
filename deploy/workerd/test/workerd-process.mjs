// Starts, stops and restarts a workerd process for tests (run.mjs here, the Playwright self-host smoke in
// e2e/selfhost/). Node only orchestrates: everything under test runs inside workerd.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
/** workerd needs a moment to compile the ~1.5 MB app bundle; 2 cores shared by many processes in CI. */
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

/** The binary from the workerd npm package's platform package (bin/workerd may be a Node launcher). */
export function workerdBinary() {
	const names = {
		'linux-x64': 'linux-64',
		'linux-arm64': 'linux-arm64',
		'darwin-arm64': 'darwin-arm64',
		'darwin-x64': 'darwin-64'
	};
	const direct = `${root}node_modules/@cloudflare/workerd-${names[`${platform()}-${arch()}`]}/bin/workerd`;
	return existsSync(direct) ? direct : `${root}node_modules/.bin/workerd`;
}

/** A port nothing listens on right now (the OS picks it). */
export function freePort() {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

export class WorkerdProcess {
	#child = null;
	#output = '';

	/**
	 * @param {{ config: string, port: number, directories: Record<string, string>, readyPath?: string,
	 *   env?: Record<string, string> }} options
	 */
	constructor(options) {
		this.options = options;
		this.origin = `http://127.0.0.1:${options.port}`;
	}

	/** The running process's id (benchmarks read its CPU time), or null. */
	get pid() {
		return this.#child?.pid ?? null;
	}

	/** The last output lines, for failure messages. */
	get output() {
		return this.#output.slice(-8_000);
	}

	async start() {
		const { config, port, directories, env } = this.options;
		const args = ['serve', config, '--socket-addr', `http=127.0.0.1:${port}`];
		for (const [name, path] of Object.entries(directories)) args.push('--directory-path', `${name}=${path}`);
		const child = spawn(workerdBinary(), args, {
			cwd: root,
			env: { ...process.env, ...env },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		this.#child = child;
		const collect = (chunk) => (this.#output += chunk);
		child.stdout.on('data', collect);
		child.stderr.on('data', collect);
		const deadline = Date.now() + READY_TIMEOUT_MS;
		while (Date.now() < deadline) {
			if (child.exitCode !== null) throw new Error(`workerd exited with ${child.exitCode}:\n${this.output}`);
			try {
				const response = await fetch(this.origin + (this.options.readyPath ?? '/'));
				if (response.ok) return;
			} catch {
				// not listening yet
			}
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		await this.stop();
		throw new Error(`workerd did not answer within ${READY_TIMEOUT_MS} ms:\n${this.output}`);
	}

	async stop() {
		const child = this.#child;
		this.#child = null;
		if (!child || child.exitCode !== null) return;
		const exited = new Promise((resolve) => child.once('exit', resolve));
		child.kill('SIGTERM');
		const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
		await exited;
		clearTimeout(timer);
	}

	async restart() {
		await this.stop();
		await this.start();
	}
}
