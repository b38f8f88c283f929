import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ChannelWire } from '$lib/protocol/channel';
import { workspaceChannel } from '$lib/protocol/workspace-channel';
import type { PendingEvent } from '$lib/protocol/workspace-messages';
import { PULL_PAGE_MAX_EVENTS } from '$lib/protocol/workspace-messages';
import { loadCodec } from '$lib/server/codec';
import { EventLog, pageJson } from './event-log';

/**
 * A pull page is the stored JSON text of its events (EventLog.page), not objects serialized at pull time:
 * it must be exactly the events `read()` returns from the columns, in every corner JSON text has, for
 * events appended now and for those logged before the JSON was stored with them.
 */

const awkward = [
	'plain',
	'quote " and backslash \\ and slash /',
	'line\nbreak\ttab\u0001control',
	'é ü ñ — “curly” 日本語 🧑‍🚀 emoji',
	'a \u2028 line separator \u2029 b',
	'__proto__'
];

function events(): PendingEvent[] {
	return awkward.flatMap((title, i): PendingEvent[] => [
		{
			name: 'task.created',
			args: { id: i === 5 ? '__proto__' : `t-${i}`, title, status: 'todo', order: i + 0.5, assignee: null },
			clientId: 'client-json',
			clientSeq: 2 * i + 1,
			at: 1_764_000_000_000 + i
		},
		{
			name: 'doc.created',
			args: { id: i === 5 ? 'constructor' : `d-${i}`, title, body: `${title}\n`.repeat(3) },
			clientId: 'client-json',
			clientSeq: 2 * i + 2,
			at: 1_764_000_000_000 + i
		}
	]);
}

describe('a pull page of stored JSON', () => {
	it('holds exactly the stored events, decodes through the contract, and pages by seq', async () => {
		const stub = env.WORKSPACE_SYNC.get(env.WORKSPACE_SYNC.idFromName('event-log-json-page'));
		const codec = await loadCodec();
		await runInDurableObject(stub, async (_instance, state) => {
			const log = new EventLog(state.storage);
			const appended = log.append(events(), 'user-json');
			// More than a page: the second page starts after the first one's last seq.
			for (let batch = 0; batch < 6; batch++) {
				log.append(
					Array.from({ length: 50 }, (_, i) => ({
						name: 'task.moved' as const,
						args: { id: 't-0', status: 'done' as const, order: batch * 50 + i },
						clientId: 'client-json',
						clientSeq: 100 + batch * 50 + i,
						at: 1
					})),
					'user-json'
				);
			}
			const stored = log.read();

			const first = log.page(0);
			expect(first.count).toBe(PULL_PAGE_MAX_EVENTS);
			expect(first.more).toBe(true);
			expect(first.lastSeq).toBe(PULL_PAGE_MAX_EVENTS);
			expect(JSON.parse(`[${first.eventsJson}]`)).toEqual(stored.slice(0, PULL_PAGE_MAX_EVENTS));
			expect(JSON.parse(`[${first.eventsJson}]`).slice(0, appended.length)).toEqual(appended);

			const second = log.page(first.lastSeq!);
			expect(second.more).toBe(false);
			expect(JSON.parse(`[${second.eventsJson}]`)).toEqual(stored.slice(PULL_PAGE_MAX_EVENTS));
			expect(log.page(log.head)).toEqual({ eventsJson: '', count: 0, lastSeq: null, more: false });

			// The frame the object sends is what the browser's contract accepts, field for field.
			const wire = new ChannelWire(workspaceChannel, codec);
			const envelope = { backendId: log.backendId, head: log.head, more: true, pullAgain: false, live: false };
			const frame = wire.decodeServer(wire.encodeServerJson('events', pageJson(envelope, first), 9));
			expect(frame).toEqual({
				type: 'events',
				seq: 9,
				payload: { ...envelope, events: stored.slice(0, PULL_PAGE_MAX_EVENTS) }
			});
		});
	});

	it('serves events logged before their JSON was stored, as SQLite writes it for them', async () => {
		const stub = env.WORKSPACE_SYNC.get(env.WORKSPACE_SYNC.idFromName('event-log-before-json'));
		await runInDurableObject(stub, async (_instance, state) => {
			const { sql } = state.storage;
			// The events table as the log's first three schema steps left it, rows written as they appended.
			state.storage.transactionSync(() => {
				sql.exec(`DROP TABLE events`);
				sql.exec(`CREATE TABLE events (seq INTEGER PRIMARY KEY, parent INTEGER NOT NULL,
					client_id TEXT NOT NULL, client_seq INTEGER NOT NULL, user_id TEXT NOT NULL, name TEXT NOT NULL,
					args TEXT NOT NULL, client_at INTEGER NOT NULL, server_at INTEGER NOT NULL,
					UNIQUE (client_id, client_seq))`);
				sql.exec(`UPDATE _schema SET version = 3 WHERE part = 'event-log'`);
				events().forEach((event, i) => {
					sql.exec(
						`INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
						...[i + 1, i, event.clientId, event.clientSeq, 'user-old', event.name],
						...[JSON.stringify(event.args), event.at, 1_764_000_000_000]
					);
				});
			});
			const log = new EventLog(state.storage);
			const fresh: PendingEvent = {
				name: 'task.created',
				args: { id: 't-new', title: 'after the step', status: 'todo', order: 1, assignee: null },
				clientId: 'client-json',
				clientSeq: 99,
				at: 1
			};
			const [later] = log.append([fresh], 'user-new');
			const stored = log.read();
			expect(stored).toHaveLength(events().length + 1);
			expect(stored.at(-1)).toEqual(later);
			expect(JSON.parse(`[${log.page(0).eventsJson}]`)).toEqual(stored);
		});
	});
});
