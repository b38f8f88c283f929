// Worker CPU for the benchmarks, read from /proc (Linux): `wrangler dev` runs two workerd processes under
// its node process. One is wrangler's proxy (its ProxyWorker answers the public port and forwards every
// request and socket to the other); the other is the runtime that runs our worker, its Durable Objects, D1
// and the queue. They are told apart by which one listens on the port the bench connects to: that is
// the proxy. "Worker CPU" is the runtime's; the proxy's is shown beside it (it is wrangler's, not ours,
// but it shares the machine's two cores). The self-host shape (bare workerd) is one process: the runtime.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LocalServer } from './local-server.ts';

export interface WorkerdProcesses {
	runtime: number;
	proxy: number | null;
}

/** Clock ticks per second of utime/stime (getconf CLK_TCK; 100 on Linux almost everywhere). */
const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

function stat(pid: number): { comm: string; ppid: number; ticks: number } | null {
	try {
		const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const close = text.lastIndexOf(')');
		const fields = text.slice(close + 2).split(' '); // fields[0] is field 3 (state)
		return {
			comm: text.slice(text.indexOf('(') + 1, close),
			ppid: Number(fields[1]),
			ticks: Number(fields[11]) + Number(fields[12]) // utime (14) + stime (15)
		};
	} catch {
		return null; // gone
	}
}

/** CPU (user + system) a process has used so far, ms. */
export function cpuMs(pid: number): number {
	const s = stat(pid);
	if (!s) throw new Error(`process ${pid} is gone`);
	return (s.ticks * 1000) / TICKS;
}

/** The inodes of sockets listening on `port` (IPv4 and IPv6). */
function listeningInodes(port: number): Set<string> {
	const inodes = new Set<string>();
	for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
		let text: string;
		try {
			text = readFileSync(file, 'utf8');
		} catch {
			continue; // no IPv6
		}
		for (const line of text.split('\n').slice(1)) {
			const cols = line.trim().split(/\s+/);
			if (cols.length < 10 || cols[3] !== '0A') continue; // 0A: LISTEN
			if (parseInt(cols[1]!.split(':').pop()!, 16) === port) inodes.add(cols[9]!);
		}
	}
	return inodes;
}

function holdsSocket(pid: number, inodes: Set<string>): boolean {
	try {
		return readdirSync(`/proc/${pid}/fd`).some((fd) => {
			try {
				const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
				return link.startsWith('socket:[') && inodes.has(link.slice(8, -1));
			} catch {
				return false;
			}
		});
	} catch {
		return false;
	}
}

/** The server's workerd processes: under wrangler the ones below its process group leader, told apart as above. */
export function findWorkerd(server: Pick<LocalServer, 'shape' | 'pid'>, port: number): WorkerdProcesses {
	if (server.shape === 'selfhost') return { runtime: server.pid, proxy: null };
	const rootPid = server.pid;
	const parent = new Map<number, number>();
	const workerd: number[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		const s = stat(Number(entry));
		if (!s) continue;
		parent.set(Number(entry), s.ppid);
		if (s.comm === 'workerd') workerd.push(Number(entry));
	}
	const under = (pid: number) => {
		for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === rootPid) return true;
		return false;
	};
	const ours = workerd.filter(under);
	const inodes = listeningInodes(port);
	const proxy = ours.find((pid) => holdsSocket(pid, inodes)) ?? null;
	const runtimes = ours.filter((pid) => pid !== proxy);
	if (runtimes.length !== 1) {
		throw new Error(`expected one runtime workerd under ${rootPid}, found ${runtimes.length} (proxy: ${proxy})`);
	}
	return { runtime: runtimes[0]!, proxy };
}

export interface CpuDelta {
	runtimeMs: number;
	proxyMs: number;
	wallMs: number;
}

/** CPU of both processes over an interval: `const stop = cpuInterval(p); …; stop()`. */
export function cpuInterval(processes: WorkerdProcesses): () => CpuDelta {
	const t0 = performance.now();
	const r0 = cpuMs(processes.runtime);
	const p0 = processes.proxy === null ? 0 : cpuMs(processes.proxy);
	return () => ({
		runtimeMs: cpuMs(processes.runtime) - r0,
		proxyMs: processes.proxy === null ? 0 : cpuMs(processes.proxy) - p0,
		wallMs: performance.now() - t0
	});
}

/**
 * Waits until the runtime is idle (below `share` of a core over `windowMs`), e.g. after filling a room
 * the queue consumer is still indexing; returns the last window's CPU rate (ms per ms) as the idle
 * baseline. Bounded: after `timeoutMs` it returns what it has.
 */
export async function settle(
	processes: WorkerdProcesses,
	{ share = 0.05, windowMs = 1000, timeoutMs = 30_000 } = {}
): Promise<{ idleRate: number; waitedMs: number; quiet: boolean }> {
	const started = performance.now();
	for (;;) {
		const stop = cpuInterval(processes);
		await sleep(windowMs);
		const d = stop();
		const rate = d.runtimeMs / d.wallMs;
		const waitedMs = performance.now() - started;
		if (rate <= share) return { idleRate: rate, waitedMs, quiet: true };
		if (waitedMs > timeoutMs) return { idleRate: rate, waitedMs, quiet: false };
	}
}
