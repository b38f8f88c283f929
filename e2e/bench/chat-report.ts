// bench:chat's tables: the ladder (latency, then cost), closed-loop saturation, joins, bytes per message. Markdown, so the output
// can be pasted into the README as it is.
import type { WireBytes } from './chat-bytes.ts';
import type { Joins } from './chat-joins.ts';
import type { Cell } from './chat-ladder.ts';
import type { Saturation } from './chat-saturation.ts';
import type { Kind } from './chat-wire.ts';
import { percentile } from './local-server.ts';

/**
 * A client thread this busy, or the client using this share of the machine's cores, may have delayed
 * what it measured.
 */
const CLIENT_BOUND_ELU = 0.8;
const CLIENT_BOUND_CORES = 0.9;

export function table(headers: string[], rows: string[][]): string {
	const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
	const line = (cells: string[]) => `| ${cells.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
	return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
export const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : '—');
export const pct = (sorted: number[], p: number) => (sorted.length > 0 ? percentile(sorted, p) : NaN);

export function clientBound(cell: Cell): boolean {
	const cores = cell.measured.clientCpuMs / cell.measured.wallMs;
	return cell.measured.clientElu >= CLIENT_BOUND_ELU || cores >= CLIENT_BOUND_CORES;
}

/** The ladder of one deflate mode: cells[kind][n] in rate order. */
export type LadderResults = Record<Kind, Map<number, Cell[]>>;

function cellAt(results: LadderResults, kind: Kind, n: number, rate: number) {
	const cells = results[kind].get(n) ?? [];
	const cell = cells.find((c) => c.rate === rate);
	// Not run: an earlier (lower) rate already saturated this object at this N.
	return { cell, skipped: !cell && cells.some((c) => c.saturated) };
}

function rowsOf(results: LadderResults) {
	const rows: { n: number; rate: number }[] = [];
	const ns = [...new Set([...results.chat.keys(), ...results.relay.keys()])].sort((a, b) => a - b);
	for (const n of ns) {
		const rates = new Set([...(results.chat.get(n) ?? []), ...(results.relay.get(n) ?? [])].map((c) => c.rate));
		for (const rate of [...rates].sort((a, b) => a - b)) rows.push({ n, rate });
	}
	return rows;
}

/** `proxy`: whether a dev proxy ran in front (wrangler dev), so its CPU columns mean something. */
export function ladderTables(results: LadderResults, proxy: boolean): string {
	const latency: string[][] = [];
	const cost: string[][] = [];
	for (const { n, rate } of rowsOf(results)) {
		const chat = cellAt(results, 'chat', n, rate);
		const relay = cellAt(results, 'relay', n, rate);
		const lat = (c: { cell?: Cell; skipped: boolean }, p: number) =>
			!c.cell ? (c.skipped ? 'sat.' : '—') : c.cell.saturated ? 'sat.' : ms(pct(c.cell.measured.latencies, p));
		const both = chat.cell && relay.cell && !chat.cell.saturated && !relay.cell.saturated;
		const r = (p: number) =>
			both ? ratio(pct(chat.cell!.measured.latencies, p), pct(relay.cell!.measured.latencies, p)) : '—';
		const delivered = (c: { cell?: Cell; skipped: boolean }) =>
			!c.cell
				? c.skipped
					? 'sat.'
					: '—'
				: `${(c.cell.measured.latencies.length / c.cell.measured.expected).toFixed(3)}${c.cell.saturated ? ' sat.' : ''}`;
		latency.push([
			String(n),
			String(rate),
			lat(chat, 50),
			lat(chat, 95),
			lat(chat, 99),
			lat(relay, 50),
			lat(relay, 95),
			lat(relay, 99),
			r(50),
			r(95),
			r(99),
			delivered(chat),
			delivered(relay)
		]);
		const per = (c: { cell?: Cell }, f: (cell: Cell) => number) => (c.cell ? f(c.cell).toFixed(1) : '—');
		const perDelivery = (cell: Cell, v: number) => (v * 1000) / Math.max(1, cell.measured.latencies.length);
		const wire = (cell: Cell) => cell.measured.listenerBytes / Math.max(1, cell.measured.listenerDeliveries);
		const client = (c: { cell?: Cell }) =>
			c.cell
				? `${(c.cell.measured.clientCpuMs / c.cell.measured.wallMs).toFixed(2)} / ${c.cell.measured.clientElu.toFixed(2)} / ${ms(c.cell.sendLagP99)}${clientBound(c.cell) ? ' CLIENT-BOUND' : ''}`
				: '—';
		cost.push([
			String(n),
			String(rate),
			per(chat, (c) => perDelivery(c, c.cpu.runtimeMs)),
			per(relay, (c) => perDelivery(c, c.cpu.runtimeMs)),
			proxy ? per(chat, (c) => perDelivery(c, c.cpu.proxyMs)) : '—',
			proxy ? per(relay, (c) => perDelivery(c, c.cpu.proxyMs)) : '—',
			per(chat, wire),
			per(relay, wire),
			client(chat),
			client(relay)
		]);
	}
	return [
		'Latency, send → each socket’s delivery, ms (sat.: the room fell behind that rate; ratios chat / relay):',
		'',
		table(
			[
				'N',
				'msg/s',
				'chat p50',
				'chat p95',
				'chat p99',
				'relay p50',
				'relay p95',
				'relay p99',
				'p50 c/r',
				'p95 c/r',
				'p99 c/r',
				'delivered chat',
				'delivered relay'
			],
			latency
		),
		'',
		'Cost per delivery: worker (runtime workerd) and wrangler-proxy CPU µs, TCP bytes read per delivery by a listener, and the client (cores used / busiest thread’s event-loop utilisation / p99 ms a send left after its slot):',
		'',
		table(
			[
				'N',
				'msg/s',
				'worker µs chat',
				'worker µs relay',
				'proxy µs chat',
				'proxy µs relay',
				'wire B chat',
				'wire B relay',
				'client chat',
				'client relay'
			],
			cost
		)
	].join('\n');
}

export function saturationTable(results: Record<Kind, Map<number, Saturation>>): string {
	const ns = [...new Set([...results.chat.keys(), ...results.relay.keys()])].sort((a, b) => a - b);
	const rows = ns.map((n) => {
		const chat = results.chat.get(n);
		const relay = results.relay.get(n);
		const f = (s: Saturation | undefined, get: (s: Saturation) => string) =>
			s ? `${get(s)}${s.complete ? '' : ' (incomplete)'}` : '—';
		const workerUs = (s: Saturation) =>
			((s.cpu.runtimeMs * 1000) / Math.max(1, s.measured.latencies.length)).toFixed(1);
		return [
			String(n),
			f(chat, (s) => s.deliveredPerSecond.toFixed(0)),
			f(chat, (s) => s.messagesPerSecond.toFixed(1)),
			f(chat, (s) => ms(pct(s.measured.latencies, 50))),
			f(chat, (s) => ms(pct(s.measured.latencies, 99))),
			f(relay, (s) => s.deliveredPerSecond.toFixed(0)),
			f(relay, (s) => s.messagesPerSecond.toFixed(1)),
			f(relay, (s) => ms(pct(s.measured.latencies, 50))),
			f(relay, (s) => ms(pct(s.measured.latencies, 99))),
			chat && relay ? ratio(chat.deliveredPerSecond, relay.deliveredPerSecond) : '—',
			chat ? workerUs(chat) : '—',
			relay ? workerUs(relay) : '—',
			[chat, relay].map((x) => x?.roundsPerSecond?.map((v) => v.toFixed(0)).join(' / ') ?? '—').join(' · ')
		];
	});
	return table(
		[
			'N',
			'chat dlv/s',
			'chat msg/s',
			'chat p50',
			'chat p99',
			'relay dlv/s',
			'relay msg/s',
			'relay p50',
			'relay p99',
			'dlv/s c/r',
			'worker µs/dlv chat',
			'worker µs/dlv relay',
			'every run dlv/s (chat · relay)'
		],
		rows
	);
}

export function joinsTable(rows: Joins[], proxy: boolean): string {
	return table(
		[
			'object',
			'deflate offered',
			'negotiated',
			'room holds',
			'joins',
			'join p50 ms',
			'join p95 ms',
			'join p99 ms',
			'worker CPU ms/join',
			'every round',
			'proxy CPU ms/join',
			'wall s'
		],
		rows.map((j) => [
			j.kind === 'chat' ? 'ChatRoom' : 'RelayRoom',
			j.deflate ? 'yes' : 'no',
			j.extensions,
			j.kind === 'chat' ? `${j.history.toLocaleString('en')} messages` : '—',
			String(j.joinMs.length),
			ms(pct(j.joinMs, 50)),
			ms(pct(j.joinMs, 95)),
			ms(pct(j.joinMs, 99)),
			`${j.runtimeMsPerJoin.toFixed(2)}${j.quiet ? '' : ' (not idle before)'}`,
			(j.roundsMsPerJoin ?? [j.runtimeMsPerJoin]).map((ms) => ms.toFixed(2)).join(' / '),
			proxy ? j.proxyMsPerJoin.toFixed(2) : '—',
			(j.wallMs / 1000).toFixed(1)
		])
	);
}

export function bytesTable(rows: WireBytes[]): string {
	return table(
		[
			'object',
			'client offers deflate',
			'negotiated',
			'frame B',
			'listener reads B/msg',
			'sender writes B/msg',
			'sender reads B/msg'
		],
		rows.map((b) => [
			b.kind === 'chat' ? 'ChatRoom' : 'RelayRoom',
			b.deflate ? 'yes' : 'no',
			b.extensions,
			b.frameBytes.toFixed(0),
			b.listenerRead.toFixed(1),
			b.senderWritten.toFixed(1),
			b.senderRead.toFixed(1)
		])
	);
}

/**
 * Issue 19 item 2, from this run: chat p50 and p99 at most relay's in every cell the relay kept up with,
 * and chat's saturation at least 1.5× relay's from N = 200 on.
 */
export function targets(
	ladder: LadderResults | undefined,
	saturation: Record<Kind, Map<number, Saturation>> | undefined
) {
	const lines: string[] = [];
	if (ladder) {
		let cells = 0;
		const missed: string[] = [];
		for (const { n, rate } of rowsOf(ladder)) {
			const chat = cellAt(ladder, 'chat', n, rate).cell;
			const relay = cellAt(ladder, 'relay', n, rate).cell;
			if (!relay || relay.saturated) continue;
			cells++;
			const ok =
				chat &&
				!chat.saturated &&
				pct(chat.measured.latencies, 50) <= pct(relay.measured.latencies, 50) &&
				pct(chat.measured.latencies, 99) <= pct(relay.measured.latencies, 99);
			if (!ok) missed.push(`N=${n} ${rate}/s`);
		}
		lines.push(
			`latency (chat p50 and p99 ≤ 1.0× relay below relay's saturation): ${cells - missed.length} of ${cells} cells${missed.length ? ` (missed: ${missed.join(', ')})` : ''}`
		);
	}
	if (saturation) {
		const parts = [...saturation.chat.keys()]
			.filter((n) => n >= 200 && saturation.relay.has(n))
			.map((n) => {
				const r = saturation.chat.get(n)!.deliveredPerSecond / saturation.relay.get(n)!.deliveredPerSecond;
				return `N=${n} ${r.toFixed(2)}× ${r >= 1.5 ? 'met' : 'NOT met'}`;
			});
		if (parts.length) lines.push(`saturation (chat ≥ 1.5× relay at N ≥ 200): ${parts.join(', ')}`);
	}
	return lines.join('\n');
}
