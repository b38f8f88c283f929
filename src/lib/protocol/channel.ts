import { z } from 'zod';
import { CodecError, type Codec } from './codec';
import { schemaCheck } from './schema-check';

/**
 * A channel contract: everything both ends of one app's socket agree on, defined once and used by the
 * Durable Object (inbound validation, typed sends), the upgrade route (protocol version) and the
 * browser's `openChannel()` (outbound validation, close handling). As LiveStore's sync-cf keeps one schema
 * module for client and server, a message type is added here and nowhere else.
 *
 * Encoding: every packet but the heartbeat is a frame of our WASM codec (LZ4 + CRC-32,
 * $lib/protocol/codec). The frame's type byte names the message kind, its payload is the kind's JSON, and
 * its seq is the request number: a client numbers its requests, and the server echoes the number in the
 * answer or error frame that settles it (0 on frames nobody asked for). Type 0 is the error frame in every
 * channel. The heartbeat is the text "ping"/"pong", which the runtime answers by auto-response without
 * waking the object, so it never goes through the codec.
 */

/** One message kind: its type byte on the wire (1–255) and the schema of its payload. */
export interface MessageKind<S extends z.ZodType = z.ZodType> {
	readonly type: number;
	readonly schema: S;
}
export type MessageKinds = Readonly<Record<string, MessageKind>>;

/** The type byte of the error frame, the same in every channel. */
export const ERROR_TYPE = 0;

/**
 * Error codes every channel has: the frame could not be decoded, names no known type, or its payload
 * broke the schema; a rate budget ran out (with `retryAfterMs`); the sender may not do that; the server
 * failed. Apps add their own.
 */
export const COMMON_ERROR_CODES = [
	'bad-frame',
	'unknown-type',
	'bad-message',
	'rate-limited',
	'forbidden',
	'internal'
] as const;
export type CommonErrorCode = (typeof COMMON_ERROR_CODES)[number];

/**
 * LZ4 costs CPU on both ends and barely shrinks a single small JSON payload, so payloads below this size
 * are sent uncompressed. Measured on contract-shaped frames (`npm run bench:codec:frames`, wasm/README.md):
 * a chat message saves 0.4–5% below 600 bytes and crosses 10% at ~750, while every multi-record payload
 * from 768 bytes on (history pages, swarm snapshots, workspace pages) saves 36–80%. Larger payloads are
 * compressed, and the codec still stores a payload raw when that does not make the frame smaller.
 */
export const COMPRESS_MIN_BYTES = 768;

/** How long an error message may be on the wire; longer ones are cut (they are for people, not code). */
const MAX_ERROR_MESSAGE = 500;

export interface ChannelSpec<C extends MessageKinds, S extends MessageKinds, E extends string> {
	/** The app, as it appears in URLs and logs. */
	readonly name: string;
	/**
	 * Bumped whenever a change would make an older client misread frames. The client sends it as `?v=` and
	 * the upgrade route closes a mismatched socket with CloseCode.reload.
	 */
	readonly version: number;
	/** Client → server kinds. */
	readonly client: C;
	/** Server → client kinds (the error frame is added by `defineChannel`). */
	readonly server: S;
	/** The app's own error codes, besides COMMON_ERROR_CODES. */
	readonly errors: readonly E[];
	/** Largest inbound frame in bytes: the object closes the socket with 1009 above it. */
	readonly maxInboundBytes: number;
}

export type ErrorPayload<E extends string = string> = {
	code: E | CommonErrorCode;
	message: string;
	/** For rate limits: milliseconds until retrying can succeed. */
	retryAfterMs?: number;
	/**
	 * For rate limits: how often the budget allows one more request once it is spent (its refill
	 * interval), so a client holding a queue can say how long all of it will take, not just the next one.
	 */
	everyMs?: number;
	/** The client-chosen id the failed request was about (e.g. a chat message id), when there is one. */
	ref?: string;
};

export interface Channel<
	C extends MessageKinds = MessageKinds,
	S extends MessageKinds = MessageKinds,
	E extends string = string
> extends ChannelSpec<C, S, E> {
	/** Every error code of this channel, common ones included. */
	readonly errorCodes: ReadonlySet<string>;
	readonly errorSchema: z.ZodType<ErrorPayload<E>>;
	readonly clientByType: ReadonlyMap<number, keyof C & string>;
	readonly serverByType: ReadonlyMap<number, keyof S & string>;
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the widest channel, for generic code
export type AnyChannel = Channel<any, any, any>;

type Messages<K extends MessageKinds> = {
	[N in keyof K & string]: { type: N; seq: number; payload: z.output<K[N]['schema']> };
}[keyof K & string];

/** A decoded client → server message. */
export type ClientMessage<Ch extends AnyChannel> = Messages<Ch['client']>;
/** A decoded server → client message, the error frame included. */
export type ServerMessage<Ch extends AnyChannel> =
	Messages<Ch['server']> | { type: 'error'; seq: number; payload: ErrorPayload<ChannelErrorCode<Ch>> };
/** The server message of one kind (`'error'` included). */
export type ServerMessageOf<Ch extends AnyChannel, T extends ServerKind<Ch> | 'error'> = Extract<
	ServerMessage<Ch>,
	{ type: T }
>;
export type ClientKind<Ch extends AnyChannel> = keyof Ch['client'] & string;
export type ServerKind<Ch extends AnyChannel> = keyof Ch['server'] & string;
export type ClientPayload<Ch extends AnyChannel, N extends ClientKind<Ch>> = z.input<Ch['client'][N]['schema']>;
export type ServerPayload<Ch extends AnyChannel, N extends ServerKind<Ch>> = z.input<Ch['server'][N]['schema']>;
export type ChannelErrorCode<Ch extends AnyChannel> = Ch['errors'][number] | CommonErrorCode;

/** Checks a contract once, at module load: type bytes unique per direction, 0 kept for the error frame. */
export function defineChannel<const C extends MessageKinds, const S extends MessageKinds, const E extends string>(
	spec: ChannelSpec<C, S, E>
): Channel<C, S, E> {
	const byType = <K extends MessageKinds>(kinds: K, direction: string) => {
		const map = new Map<number, keyof K & string>();
		for (const [name, kind] of Object.entries(kinds)) {
			if (!Number.isInteger(kind.type) || kind.type < 1 || kind.type > 255)
				throw new Error(`${spec.name}: ${direction} kind "${name}" needs a type byte in 1–255`);
			if (map.has(kind.type)) throw new Error(`${spec.name}: ${direction} type ${kind.type} is used twice`);
			map.set(kind.type, name as keyof K & string);
		}
		return map;
	};
	const codes = [...COMMON_ERROR_CODES, ...spec.errors] as [string, ...string[]];
	const errorSchema = z.object({
		code: z.enum(codes),
		message: z.string(),
		retryAfterMs: z.number().int().min(0).optional(),
		everyMs: z.number().int().min(0).optional(),
		ref: z.string().optional()
	}) as unknown as z.ZodType<ErrorPayload<E>>;
	return Object.freeze({
		...spec,
		errorCodes: new Set(codes),
		errorSchema,
		clientByType: byType(spec.client, 'client'),
		serverByType: byType(spec.server, 'server')
	});
}

/** The reconnecting socket's URL parameter carrying the client's protocol version. */
export const VERSION_PARAM = 'v';

/**
 * Why an inbound frame was refused before any handler saw it; becomes an error frame, or, for a frame of
 * another codec version (`reload`), a CloseCode.reload close: the other side runs other code and could
 * not read our error frame either, while every version reads close codes.
 */
export class ChannelError extends Error {
	constructor(
		readonly code: 'bad-frame' | 'unknown-type' | 'bad-message',
		message: string,
		/** The frame's request number, when the frame itself was readable. */
		readonly seq = 0,
		/** The frame was of another codec frame format (CodecError 'unsupported-version'): reload. */
		readonly reload = false
	) {
		super(message);
		this.name = 'ChannelError';
	}
}

/** What a wire needs of the codec (tests may pass the codec itself). */
export type FrameCodec = Pick<Codec, 'encode' | 'decode'>;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Encodes and decodes one channel's frames with the codec. The browser and the Durable Object each hold
 * one; `decodeClient` is what the object runs on every inbound frame and `decodeServer` what the browser
 * runs, so neither side's handlers ever see an unvalidated message.
 */
export class ChannelWire<Ch extends AnyChannel> {
	constructor(
		readonly channel: Ch,
		private readonly codec: FrameCodec
	) {}

	encodeClient<N extends ClientKind<Ch>>(type: N, payload: ClientPayload<Ch, N>, seq = 0): Uint8Array {
		return this.encodeJson(this.channel.client[type].type, seq, payload);
	}

	encodeServer<N extends ServerKind<Ch>>(type: N, payload: ServerPayload<Ch, N>, seq = 0): Uint8Array {
		return this.encodeJson(this.channel.server[type].type, seq, payload);
	}

	/**
	 * A server frame whose payload is already JSON text, for a payload the server holds serialized (a
	 * workspace pull page built by SQLite from stored events): the caller answers for the text matching the
	 * kind's schema, as that caller's own tests check by decoding what it sends.
	 */
	encodeServerJson(type: ServerKind<Ch>, json: string, seq = 0): Uint8Array {
		return this.encodeText(this.channel.server[type].type, seq, json);
	}

	encodeError(error: ErrorPayload<ChannelErrorCode<Ch>>, seq = 0): Uint8Array {
		const payload: ErrorPayload = { code: error.code, message: error.message.slice(0, MAX_ERROR_MESSAGE) };
		if (error.retryAfterMs !== undefined) payload.retryAfterMs = Math.max(0, Math.ceil(error.retryAfterMs));
		if (error.everyMs !== undefined) payload.everyMs = Math.max(0, Math.ceil(error.everyMs));
		if (error.ref !== undefined) payload.ref = error.ref;
		return this.encodeJson(ERROR_TYPE, seq, payload);
	}

	/** Decodes and validates a client frame; throws ChannelError (with the request number when known). */
	decodeClient(data: string | ArrayBuffer | Uint8Array): ClientMessage<Ch> {
		const { type, seq, value } = this.read(data);
		const name = this.channel.clientByType.get(type);
		if (name === undefined) throw new ChannelError('unknown-type', `Clients cannot send type ${type} here.`, seq);
		return {
			type: name,
			seq,
			payload: this.validate(this.channel.client[name].schema, value, seq)
		} as ClientMessage<Ch>;
	}

	/**
	 * Decodes and validates a server frame; throws ChannelError on anything the client should not trust.
	 * The kind's schemaCheck answers first (a yes means zod would return the value unchanged, so a
	 * 10,000-event catch-up is not 10,000 zod parses); zod judges whatever it does not accept. Not for
	 * client frames: the object stores what it is sent, and zod's output is the normalised form it stores.
	 */
	decodeServer(data: string | ArrayBuffer | Uint8Array): ServerMessage<Ch> {
		const { type, seq, value } = this.read(data);
		if (type === ERROR_TYPE) {
			return { type: 'error', seq, payload: this.validate(this.channel.errorSchema, value, seq) } as ServerMessage<Ch>;
		}
		const name = this.channel.serverByType.get(type);
		if (name === undefined) throw new ChannelError('unknown-type', `Unknown message type ${type}.`, seq);
		const schema = this.channel.server[name].schema;
		const payload = schemaCheck(schema)?.(value) ? value : this.validate(schema, value, seq);
		return { type: name, seq, payload } as ServerMessage<Ch>;
	}

	private encodeJson(type: number, seq: number, payload: unknown): Uint8Array {
		return this.encodeText(type, seq, JSON.stringify(payload));
	}

	private encodeText(type: number, seq: number, json: string): Uint8Array {
		const bytes = utf8Encoder.encode(json);
		return this.codec.encode(type, seq, bytes, { compress: bytes.byteLength >= COMPRESS_MIN_BYTES });
	}

	private read(data: string | ArrayBuffer | Uint8Array): { type: number; seq: number; value: unknown } {
		if (typeof data === 'string') throw new ChannelError('bad-frame', 'Expected a binary frame of the codec.');
		let frame;
		try {
			frame = this.codec.decode(data);
		} catch (error) {
			if (!(error instanceof CodecError)) throw error;
			if (error.reason === 'unsupported-version') {
				// Short: it becomes a close reason (at most 123 bytes).
				throw new ChannelError('bad-frame', `Murmur was updated (${error.message}): reload the page.`, 0, true);
			}
			throw new ChannelError('bad-frame', `That frame could not be decoded (${error.reason}).`);
		}
		try {
			return { type: frame.type, seq: frame.seq, value: JSON.parse(utf8Decoder.decode(frame.payload)) };
		} catch {
			throw new ChannelError('bad-frame', 'The frame payload is not UTF-8 JSON.', frame.seq);
		}
	}

	private validate<T>(schema: z.ZodType<T>, value: unknown, seq: number): T {
		const parsed = schema.safeParse(value);
		if (parsed.success) return parsed.data;
		const issue = parsed.error.issues[0];
		const where = issue?.path.length ? ` (${issue.path.join('.')})` : '';
		throw new ChannelError('bad-message', `${issue?.message ?? 'Invalid message.'}${where}`, seq);
	}
}
