// CPU time used by a group of processes (a local server: serve.mjs, wrangler, workerd), from Linux's
// /proc: every thread's time on a CPU, in nanoseconds (schedstat), so a benchmark can say how much work
// the server side did for one operation however busy the machine was meanwhile. Null where /proc is not.
import { readdirSync, readFileSync } from 'node:fs';

function threadsCpuNs(pid: string): number {
	let ns = 0;
	for (const tid of readdirSync(`/proc/${pid}/task`)) {
		ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
	}
	return ns;
}

/** Milliseconds of CPU all processes of process group `group` have used so far. */
export function processGroupCpuMs(group: number): number | null {
	try {
		let ns = 0;
		for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
			try {
				// Field 5 of stat is the process group; the command name (field 2) may hold spaces, so split after it.
				const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
				const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
				if (pgrp === group) ns += threadsCpuNs(pid);
			} catch {
				// the process ended meanwhile
			}
		}
		return ns / 1e6;
	} catch {
		return null;
	}
}

/**
 * Resolves once process group `group` used at most `maxCpuMs` of CPU in a `windowMs` window (or after
 * `timeoutMs`, saying so): for a measurement that should not include the tail of work done before it.
 */
export async function processGroupQuiet(
	group: number,
	{ windowMs = 50, maxCpuMs = 3, timeoutMs = 3_000 } = {}
): Promise<boolean> {
	const deadline = performance.now() + timeoutMs;
	let before = processGroupCpuMs(group);
	if (before === null) return false;
	while (performance.now() < deadline) {
		await new Promise((resolve) => setTimeout(resolve, windowMs));
		const now = processGroupCpuMs(group)!;
		if (now - before <= maxCpuMs) return true;
		before = now;
	}
	return false;
}
