// bench:chat speaks the chat and relay channels without importing them (chat-wire.ts says why); this
// checks it against the real contracts, so a contract change that the bench's wire module does not
// follow fails here instead of silently measuring nothing.
import { describe, expect, it } from 'vitest';
import { ChannelWire, COMPRESS_MIN_BYTES, VERSION_PARAM } from '$lib/protocol/channel';
import { chatChannel } from '$lib/protocol/chat';
import { relayChannel } from '$lib/protocol/relay';
import { loadNodeCodec } from '../../wasm/node/load-codec-node';
import { chatWire, COMPRESS_MIN_BYTES as BENCH_COMPRESS_MIN_BYTES, relayWire } from './chat-wire';

const { codec } = loadNodeCodec();
const chat = new ChannelWire(chatChannel, codec);
const relay = new ChannelWire(relayChannel, codec);
const ada: [number, string, string, null] = [1, 'u1', 'Ada', null];
const message = (id: string): [number, number, string, number, string, number] => [
	7,
	9,
	id,
	1,
	'hello',
	1_700_000_000_000
];

describe('bench:chat wire module against the channel contracts', () => {
	it('opens sockets with the contracts’ protocol versions', () => {
		expect(chatWire.socketPath('r1')).toBe(`/chat/r1/ws?${VERSION_PARAM}=${chatChannel.version}`);
		expect(relayWire.socketPath('x')).toBe(`/realtime/x/ws?${VERSION_PARAM}=${relayChannel.version}`);
		expect(BENCH_COMPRESS_MIN_BYTES).toBe(COMPRESS_MIN_BYTES);
	});

	it('sends frames the objects accept', () => {
		expect(chat.decodeClient(chatWire.encodeSend(42))).toMatchObject({ type: 'send', seq: 42, payload: { id: 'b42' } });
		const said = relay.decodeClient(relayWire.encodeSend(43));
		expect(said).toMatchObject({ type: 'say', seq: 43 });
		expect((said.payload as { text: string }).text.startsWith('b43 ')).toBe(true);
	});

	it('recognises a delivery, and only a delivery, of a bench message', () => {
		const delivered = chat.encodeServer('message', message('b42'));
		expect(chatWire.mayBeDelivery(delivered)).toBe(true);
		expect(chatWire.deliveriesOf(delivered)).toEqual([42]);
		expect(chatWire.deliveriesOf(chat.encodeServer('message', message('someone-else')))).toEqual([]);
		// The sender's copy, which is its ack (frame seq = its request number), is its delivery too.
		expect(chatWire.deliveriesOf(chat.encodeServer('message', message('b42'), 42))).toEqual([42]);
		expect(chatWire.deliveriesOf(chat.encodeServer('presence', { joined: ada }))).toEqual([]);
		// A busy room's batch delivers each bench message in it.
		const batch = chat.encodeServer('messages', [message('b7'), message('someone-else'), message('b8')]);
		expect(chatWire.mayBeDelivery(batch)).toBe(true);
		expect(chatWire.deliveriesOf(batch)).toEqual([7, 8]);

		const said = relay.encodeServer('said', { from: { id: 'u1', name: 'Ada' }, text: 'b43 hello', at: 1 });
		expect(relayWire.mayBeDelivery(said)).toBe(true);
		expect(relayWire.deliveriesOf(said)).toEqual([43]);
	});

	it('knows when a join is complete', () => {
		const history = chat.encodeServer('history', {
			kind: 'latest',
			messages: [message('m1')],
			authors: [ada],
			hasMore: false,
			rev: 9
		});
		expect(chatWire.joined(history)).toBe(true);
		expect(chatWire.joined(chat.encodeServer('presence', { online: [ada] }))).toBe(false);
		expect(relayWire.joined(relay.encodeServer('welcome', { you: { id: 'u1', name: 'Ada' }, online: 1 }))).toBe(true);
	});
});
