import {
	ChatType,
	clientRequests,
	serverEvents,
	type ChatTypeName,
	type ClientPayload,
	type ClientRequest,
	type ClientRequestName,
	type ServerEvent,
	type ServerEventName,
	type ServerPayload
} from './chat';
import { CodecError, type Codec, type Frame } from './codec';

/**
 * The one place chat payloads meet the WASM frame codec (LZ4 + CRC-32, $lib/protocol/codec): a frame's
 * `type` byte is a `ChatType`, its payload is the zod-validated JSON object, and its `seq` is the
 * sender's request number, which the room echoes in the ack, error or history page answering that
 * request (0 on events nobody asked for). Message order lives in the payload (`seq`/`rev`), not here.
 * Browser and Durable Object both go through this module, so the wire format changes in one place.
 */
export type FrameCodec = Pick<Codec, 'encode' | 'decode'>;

/** Why a frame could not be read; `code` goes into the error frame the sender gets back. */
export class WireError extends Error {
	constructor(
		readonly code: 'bad-frame' | 'unknown-type' | 'bad-payload',
		message: string,
		/** The frame's request number, when the frame itself was readable. */
		readonly seq = 0
	) {
		super(message);
		this.name = 'WireError';
	}
}

const typeNames = new Map<number, ChatTypeName>(
	Object.entries(ChatType).map(([name, type]) => [type, name as ChatTypeName])
);
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function encodeJson(codec: FrameCodec, type: number, seq: number, payload: unknown): Uint8Array {
	return codec.encode(type, seq, encoder.encode(JSON.stringify(payload)));
}

function readFrame(
	codec: FrameCodec,
	bytes: ArrayBuffer | Uint8Array
): { name: ChatTypeName; seq: number; data: unknown } {
	let frame: Frame;
	try {
		frame = codec.decode(bytes);
	} catch (error) {
		if (!(error instanceof CodecError)) throw error;
		throw new WireError('bad-frame', `That frame could not be decoded (${error.reason}).`);
	}
	const name = typeNames.get(frame.type);
	if (!name) throw new WireError('unknown-type', `Unknown message type ${frame.type}.`, frame.seq);
	let data: unknown;
	try {
		data = JSON.parse(decoder.decode(frame.payload));
	} catch {
		throw new WireError('bad-payload', 'The frame payload is not UTF-8 JSON.', frame.seq);
	}
	return { name, seq: frame.seq, data };
}

// ---- client side --------------------------------------------------------------------------------

export function encodeRequest<K extends ClientRequestName>(
	codec: FrameCodec,
	type: K,
	seq: number,
	payload: ClientPayload<K>
): Uint8Array {
	return encodeJson(codec, ChatType[type], seq, payload);
}

/** Decodes and validates a server event; throws WireError on anything the client should not trust. */
export function decodeEvent(codec: FrameCodec, bytes: ArrayBuffer | Uint8Array): ServerEvent {
	const { name, seq, data } = readFrame(codec, bytes);
	if (name === 'send') throw new WireError('unknown-type', 'Servers do not send "send" frames.', seq);
	const parsed = serverEvents[name].safeParse(data);
	if (!parsed.success) throw new WireError('bad-payload', parsed.error.issues[0]?.message ?? 'Invalid payload.', seq);
	return { type: name, seq, payload: parsed.data } as ServerEvent;
}

// ---- server side --------------------------------------------------------------------------------

export function encodeEvent<K extends ServerEventName>(
	codec: FrameCodec,
	type: K,
	payload: ServerPayload<K>,
	seq = 0
): Uint8Array {
	return encodeJson(codec, ChatType[type], seq, payload);
}

/** Decodes and validates a client request; throws WireError (with the request number when known). */
export function decodeRequest(codec: FrameCodec, bytes: ArrayBuffer | Uint8Array): ClientRequest {
	const { name, seq, data } = readFrame(codec, bytes);
	if (!(name in clientRequests)) throw new WireError('unknown-type', `Clients cannot send "${name}" frames.`, seq);
	const schema = clientRequests[name as ClientRequestName];
	const parsed = schema.safeParse(data);
	if (!parsed.success) throw new WireError('bad-payload', parsed.error.issues[0]?.message ?? 'Invalid payload.', seq);
	return { type: name, seq, payload: parsed.data } as ClientRequest;
}
