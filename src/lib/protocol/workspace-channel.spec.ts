import { describe, expect, it } from 'vitest';
import { loadCodec } from '$lib/server/codec';
import { expectContractRoundTrips } from '../../testing/contract';
import { MESSAGE_MAX_BYTES } from '../assistant/limits';
import { ChannelError, ChannelWire, defineChannel } from './channel';
import { FLAG_COMPRESSED } from './codec';
import { workspaceChannel } from './workspace-channel';
import type { LoggedEvent, PendingEvent } from './workspace-messages';

const pending = (clientSeq: number): PendingEvent => ({
	name: 'task.created',
	args: {
		id: `task-${clientSeq}`,
		title: `Task number ${clientSeq}`,
		status: 'todo',
		order: clientSeq,
		assignee: null
	},
	clientId: 'client-0001',
	clientSeq,
	at: 1_700_000_000_000 + clientSeq
});
const logged = (seq: number): LoggedEvent => ({
	...pending(seq),
	seq,
	parent: seq - 1,
	userId: 'user-1',
	serverAt: 1_700_000_000_500 + seq
});

describe('workspace channel contract', () => {
	it('round-trips every message kind in both directions through the codec and the schema', async () => {
		const backendId = '0b6f0a3e-4c1d-4d6f-9a53-0d3c3f0e8b11';
		await expectContractRoundTrips(workspaceChannel, {
			client: {
				pull: { cursor: 42, backendId, lastBurstId: 'burst-1' },
				push: {
					parent: 42,
					events: [
						pending(1),
						{ name: 'doc.bodySet', args: { id: 'doc-1', body: 'Hello' }, clientId: 'client-0001', clientSeq: 2, at: 1 }
					]
				},
				'doc-open': { textId: 'doc:doc-1', stateVector: 'AA==' },
				'doc-update': { textId: 'task:t-1', update: 'AQHM' },
				'doc-close': { textId: 'doc:doc-1' },
				'doc-awareness': { textId: 'doc:doc-1', update: 'AQID' }
			},
			server: {
				hello: { backendId, head: 42, userId: 'user-1', role: 'editor' },
				events: {
					backendId,
					events: [logged(41), logged(42)],
					head: 42,
					more: false,
					pullAgain: false,
					live: false,
					burstId: 'burst-2'
				},
				reset: { backendId, head: 0, burstId: 'burst-3' },
				ack: { head: 42, seqs: [41, 42] },
				'push-rejected': { reason: 'server-ahead', head: 43 },
				'doc-sync': { textId: 'doc:doc-1', update: 'AAA=', stateVector: 'AA==' },
				'doc-update': { textId: 'doc:doc-1', update: 'AQHM' },
				'doc-awareness': { textId: 'doc:doc-1', update: 'AQID' },
				'doc-presence': { textId: 'doc:doc-1', event: 'left', clients: [12345] },
				'assistant-message': {
					message: {
						id: 'a-1',
						role: 'assistant',
						userId: 'user-1',
						at: 1_700_000_000_000,
						parts: [
							{ type: 'text', text: 'Done.' },
							{ type: 'tool-createTasks', state: 'output-available', output: { actionId: 'x-1', status: 'applied' } }
						]
					}
				},
				'assistant-action': { actionId: 'x-1', status: 'undone' }
			}
		});
	});

	it('sends a full pull page LZ4-compressed, and refuses an event the server could not have logged', async () => {
		const codec = await loadCodec();
		const wire = new ChannelWire(workspaceChannel, codec);
		const events = Array.from({ length: 100 }, (_, i) => logged(i + 1));
		const page = { backendId: 'b', events, head: 100, more: true, pullAgain: false, live: false };
		const frame = wire.encodeServer('events', page, 7);
		const decoded = codec.decode(frame);
		expect(decoded.flags & FLAG_COMPRESSED).toBe(FLAG_COMPRESSED);
		expect(frame.byteLength).toBeLessThan(decoded.payload.byteLength / 2);
		expect(wire.decodeServer(frame)).toEqual({ type: 'events', seq: 7, payload: page });

		// The browser validates what it is sent: a logged event without its seq is not applied.
		const { seq: _seq, ...unsequenced } = logged(1);
		const bad = wire.encodeServer('events', { ...page, events: [unsequenced as LoggedEvent] });
		expect(() => wire.decodeServer(bad)).toThrow(ChannelError);
	});

	it('refuses an assistant message over the stored cap, and a page of version 2 drops one as unknown', async () => {
		const codec = await loadCodec();
		const wire = new ChannelWire(workspaceChannel, codec);
		const message = (text: string) => ({
			message: { id: 'q-1', role: 'user' as const, userId: 'u', at: 1, parts: [{ type: 'text', text }] }
		});
		const fits = message('x'.repeat(MESSAGE_MAX_BYTES - 64));
		expect(wire.decodeServer(wire.encodeServer('assistant-message', fits)).payload).toEqual(fits);
		const over = wire.encodeServer('assistant-message', message('x'.repeat(MESSAGE_MAX_BYTES)));
		expect(() => wire.decodeServer(over)).toThrow(/may hold/);

		// The kinds were added without a version bump (which would close every open tab with "reload"):
		// a page built before them refuses the frame as one unknown type — openChannel's onInvalid, which
		// the workspace client logs and drops — and reads the next frame as before.
		const { 'assistant-message': _m, 'assistant-action': _a, ...before } = workspaceChannel.server;
		const old = new ChannelWire(defineChannel({ ...workspaceChannel, server: before }), codec);
		expect(() => old.decodeServer(over)).toThrow(expect.objectContaining({ code: 'unknown-type' }));
		const hello = { backendId: 'b', head: 0, userId: 'u', role: 'editor' };
		expect(old.decodeServer(wire.encodeServer('hello', hello)).payload).toEqual(hello);
	});
});
