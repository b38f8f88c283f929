// Everything `npm run bench:chat` knows about the two channels' wire formats, in one place: the protocol
// version in the socket URL, the type bytes, how a bench message is encoded, and which bench message a
// delivered frame is. A change to the chat (or relay) contract changes this module and nothing else in
// e2e/bench/chat*.ts; chat-wire.node.spec.ts checks it against the real contracts (src/lib/protocol).
//
// A bench message is named by a number `n`, unique in the run: its message id is `b<n>` and its request
// number (frame seq) is `n`, so a delivery is recognised whether the frame carries the id or echoes the
// request number.
import { loadNodeCodec } from '../../wasm/node/load-codec-node.ts';

export type Kind = 'chat' | 'relay';

export interface BenchWire {
	readonly kind: Kind;
	/** The socket path of a room (chat: the D1 room id; relay: any name), with the protocol version. */
	socketPath(room: string): string;
	/** A client frame posting bench message `n` with `text` (a short chat line unless given). */
	encodeSend(n: number, text?: string): Uint8Array;
	/**
	 * Cheap test run on every received frame while a cell is timed (one byte, no decode): could this be a
	 * delivery of a message? Frames that pass are kept with their arrival time and decoded afterwards.
	 */
	mayBeDelivery(frame: Uint8Array): boolean;
	/**
	 * The bench messages a received frame delivers (a busy chat room sends several in one frame), or none
	 * (presence, history, other traffic).
	 */
	deliveriesOf(frame: Uint8Array): number[];
	/** Whether this frame completes a join (chat: the history page; relay: the welcome). */
	joined(frame: Uint8Array): boolean;
}

/**
 * The channel contracts' versions and type bytes: src/lib/protocol/chat.ts (chatChannel) and relay.ts
 * (relayChannel). Not imported: Node's type stripping cannot load them (extensionless `$lib` imports,
 * and channel.ts uses parameter properties, which strip-only mode refuses); the spec pins these.
 */
export const CHAT = { version: 3, send: 1, message: 3, history: 9, messages: 12 } as const;
export const RELAY = { version: 1, say: 1, welcome: 1, said: 2 } as const;
/** src/lib/protocol/channel.ts COMPRESS_MIN_BYTES: smaller payloads go raw, as ChannelWire sends them. */
export const COMPRESS_MIN_BYTES = 768;
/** The codec frame's type byte (wasm/README.md "Frame format": magic 2, version 1, then type). */
const TYPE_OFFSET = 3;

/** A typical short chat line (12 words), the same text for both objects. */
export const CHAT_LINE = 'the quick brown fox jumps over the lazy dog, a typical short chat line.';

const { codec } = loadNodeCodec();
const utf8 = new TextEncoder();
const text = new TextDecoder();

function frame(type: number, seq: number, payload: unknown): Uint8Array {
	const bytes = utf8.encode(JSON.stringify(payload));
	return codec.encode(type, seq, bytes, { compress: bytes.byteLength >= COMPRESS_MIN_BYTES });
}

function json(bytes: Uint8Array): { type: number; seq: number; value: unknown } {
	const decoded = codec.decode(bytes);
	return { type: decoded.type, seq: decoded.seq, value: JSON.parse(text.decode(decoded.payload)) };
}

const typeOf = (bytes: Uint8Array) => (bytes.byteLength > TYPE_OFFSET ? bytes[TYPE_OFFSET] : -1);

/** `b<n>` → n, else null (a message some other client posted). */
function benchNumber(id: unknown): number | null {
	if (typeof id !== 'string' || !/^b\d{1,15}$/.test(id)) return null;
	return Number(id.slice(1));
}

export const chatWire: BenchWire = {
	kind: 'chat',
	socketPath: (room) => `/chat/${room}/ws?v=${CHAT.version}`,
	encodeSend: (n, line = CHAT_LINE) => frame(CHAT.send, n, { id: `b${n}`, text: line }),
	// Chat protocol 3: a message is the array [seq, rev, id, author, text, createdAt, …] (chat-wire.ts in
	// src/lib/protocol), and the sender's copy of it (frame seq = its request number) is also its ack, so
	// the sender's delivery is that frame, like everyone else's. A busy room sends a `messages` frame, an
	// array of such messages, to everyone, the sender included.
	mayBeDelivery: (bytes) => typeOf(bytes) === CHAT.message || typeOf(bytes) === CHAT.messages,
	deliveriesOf(bytes) {
		const type = typeOf(bytes);
		if (type !== CHAT.message && type !== CHAT.messages) return [];
		const value = json(bytes).value;
		const entries = type === CHAT.messages && Array.isArray(value) ? value : [value];
		const numbers: number[] = [];
		for (const entry of entries) {
			const n = Array.isArray(entry) ? benchNumber(entry[2]) : null;
			if (n !== null) numbers.push(n);
		}
		return numbers;
	},
	joined: (bytes) => typeOf(bytes) === CHAT.history
};

export const relayWire: BenchWire = {
	kind: 'relay',
	socketPath: (room) => `/realtime/${room}/ws?v=${RELAY.version}`,
	// The relay has no message id: the text's first word carries it.
	encodeSend: (n, line = CHAT_LINE) => frame(RELAY.say, n, { text: `b${n} ${line}` }),
	mayBeDelivery: (bytes) => typeOf(bytes) === RELAY.said,
	deliveriesOf(bytes) {
		if (typeOf(bytes) !== RELAY.said) return [];
		const said = (json(bytes).value as { text?: unknown }).text;
		const n = typeof said === 'string' ? benchNumber(said.slice(0, said.indexOf(' '))) : null;
		return n === null ? [] : [n];
	},
	joined: (bytes) => typeOf(bytes) === RELAY.welcome
};

export const wires: Record<Kind, BenchWire> = { chat: chatWire, relay: relayWire };
