#!/usr/bin/env node
// Runs a command under a Node new enough for the toolchain. wrangler 4, miniflare and vitest 5 need
// Node >= 22.12; Debian 12 and Ubuntu 24.04 ship Node 20. On an older Node this brings Node 24 from the
// npm registry once (the node-<platform>-<arch> package carries the official binary, so no other host is
// needed), keeps it under ~/.cache/murmur/node24 (MURMUR_NODE_DIR overrides), and runs the command with
// it first on PATH, so every `node` the command starts (npm scripts, wrangler, vite, vitest) is that one.
// On a new enough Node it just runs the command.
//
// Plain JavaScript that runs on Node 18+, since its job is to run on an old one.
//   node tools/with-node.mjs <command> [args...]
//   node tools/with-node.mjs --prepare     (npm's postinstall: bring it now, so `npm start` starts at once)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

const NEEDED = [22, 12];
const BROUGHT_MAJOR = 24;

const [command, ...args] = process.argv.slice(2);
if (!command) {
	console.error('usage: node tools/with-node.mjs <command> [args...] | --prepare');
	process.exit(2);
}

const [major, minor] = process.versions.node.split('.').map(Number);
const newEnough = major > NEEDED[0] || (major === NEEDED[0] && minor >= NEEDED[1]);
if (command === '--prepare') {
	// After `npm install`: bring it now, so the first `npm start` does not wait for a download.
	if (!newEnough) broughtNodeBin();
	process.exit(0);
}
const env = { ...process.env };
if (!newEnough) env.PATH = `${broughtNodeBin()}${delimiter}${env.PATH ?? ''}`;

const child = spawn(command, args, { stdio: 'inherit', env, shell: process.platform === 'win32' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

/** The bin folder of a Node from the npm registry, installed on first use. */
function broughtNodeBin() {
	const platform = { linux: 'linux', darwin: 'darwin', win32: 'win' }[process.platform];
	const arch = { x64: 'x64', arm64: 'arm64' }[process.arch];
	if (!platform || !arch) {
		console.error(
			`murmur: Node ${process.version} is too old (need ${NEEDED.join('.')}+) and there is no Node package for ${process.platform}/${process.arch}: install Node ${BROUGHT_MAJOR}.`
		);
		process.exit(1);
	}
	const pkg = `node-${platform}-${arch}`;
	const dir = process.env.MURMUR_NODE_DIR || join(homedir(), '.cache', 'murmur', `node${BROUGHT_MAJOR}`);
	const bin = platform === 'win' ? join(dir, 'node_modules', pkg) : join(dir, 'node_modules', pkg, 'bin');
	const node = join(bin, platform === 'win' ? 'node.exe' : 'node');
	if (!existsSync(node)) {
		console.log(
			`murmur: Node ${process.version} is older than the toolchain needs (${NEEDED.join('.')}); bringing Node ${BROUGHT_MAJOR} from the npm registry into ${dir} (once)…`
		);
		const npm = spawnSync(
			'npm',
			[
				'install',
				'--prefix',
				dir,
				'--no-save',
				'--no-package-lock',
				'--no-audit',
				'--no-fund',
				'--loglevel=error',
				`${pkg}@${BROUGHT_MAJOR}`
			],
			{ stdio: 'inherit', shell: process.platform === 'win32' }
		);
		if (npm.status !== 0 || !existsSync(node)) {
			console.error(
				`murmur: could not install ${pkg}@${BROUGHT_MAJOR}; install Node ${BROUGHT_MAJOR} yourself and run again.`
			);
			process.exit(1);
		}
	}
	const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
	console.log(`murmur: running under Node ${version} (${node}); this machine's is ${process.version}.`);
	return bin;
}
