/**
 * The packet codec shared by browser, worker and Durable Objects: frames with an LZ4-compressed (when it
 * pays) payload and a CRC-32 check, implemented in WebAssembly compiled from wasm/assembly. This module
 * is the only way in: it owns the copies into and out of WASM memory, validates arguments, and turns
 * every failure (including a WebAssembly trap, which should never happen) into a `CodecError`.
 * The frame layout is documented byte by byte in wasm/README.md.
 *
 * No Node or DOM APIs here (TextEncoder/TextDecoder exist everywhere); the loaders live in
 * `$lib/server/codec` (worker) and `$lib/protocol/load-codec-browser` (browser).
 */

/** The frame format this codec writes and reads; checked against the loaded module in `createCodec`. */
export const FRAME_VERSION = 2;

/**
 * The most bytes a frame adds around its payload: 5 fixed header bytes, a sequence number of up to 7
 * and a payload length of up to 5 bytes (LEB128), and the 4-byte CRC. A chat-sized frame adds 10–13.
 */
export const FRAME_OVERHEAD_BYTES = 21;

/**
 * Default cap on a decoded payload, i.e. the most one frame can make us allocate. A Durable Object has
 * 128 MB for all its sockets, so a hostile peer's decompression bomb must stay a small fraction of that,
 * while our largest real packets (a 66 KB workspace document, a swarm job chunk) are far below it.
 */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;

/** A valid frame is never longer: compressed frames are strictly smaller than their payload. */
export const MAX_FRAME_BYTES = FRAME_OVERHEAD_BYTES + MAX_PAYLOAD_BYTES;

/**
 * Sequence numbers are 48-bit on the wire: every such value is a JS safe integer, and 2^48 messages is
 * 8.9 years at a million messages per second in one Durable Object.
 */
export const MAX_SEQ = 2 ** 48 - 1;

/** Message types are one byte, app-defined. */
export const MAX_TYPE = 255;

/** Frame flag bit 0: the payload is stored as one LZ4 block. */
export const FLAG_COMPRESSED = 1;

/** WASM memory is filled in chunks of this size when hashing large inputs: no big buffer, and each chunk is still in L2 when the CRC reads it. */
const CRC_CHUNK_BYTES = 64 * 1024;

export type CodecErrorReason =
	| 'bad-magic'
	| 'unsupported-version'
	| 'bad-header'
	| 'truncated'
	| 'length-mismatch'
	| 'crc-mismatch'
	| 'corrupt-lz4'
	| 'too-large'
	| 'out-of-memory'
	| 'bad-argument'
	| 'bad-json'
	| 'internal';

/** Everything the codec rejects; `reason` is stable and meant for code (error frames, metrics). */
export class CodecError extends Error {
	readonly reason: CodecErrorReason;

	constructor(reason: CodecErrorReason, message?: string) {
		super(message ? `${reason}: ${message}` : reason);
		this.name = 'CodecError';
		this.reason = reason;
	}
}

export interface Frame {
	/** u8 message type, app-defined. */
	type: number;
	/**
	 * Safe integer in [0, MAX_SEQ]. The codec gives it no meaning; the channel contract uses it as the
	 * client's request number, echoed by the answer (protocol/channel.ts), 0 when not applicable.
	 */
	seq: number;
	/** Wire flags (FLAG_COMPRESSED), informational: `payload` is always the decompressed bytes. */
	flags: number;
	/** A copy, safe to keep (it does not alias WASM memory). */
	payload: Uint8Array;
}

export interface JsonFrame<T = unknown> {
	type: number;
	seq: number;
	value: T;
}

export interface EncodeOptions {
	/** Default true; false stores the payload raw (e.g. already-compressed images). */
	compress?: boolean;
}

export interface CodecOptions {
	/** Largest payload to encode or accept (decompression-bomb limit); default MAX_PAYLOAD_BYTES. */
	maxPayloadBytes?: number;
}

export interface Codec {
	/** Which build of codec.wasm this is (src/lib/protocol/codec-build.ts); both write the same frames. */
	readonly build: 'simd' | 'scalar';
	readonly maxPayloadBytes: number;
	readonly maxFrameBytes: number;
	/** Frames `payload`, LZ4-compressing it when that makes it smaller. Throws CodecError. */
	encode(type: number, seq: number, payload: Uint8Array, options?: EncodeOptions): Uint8Array;
	/** Validates and unpacks one frame. Throws CodecError. */
	decode(bytes: Uint8Array | ArrayBuffer): Frame;
	encodeJson(type: number, seq: number, value: unknown, options?: EncodeOptions): Uint8Array;
	decodeJson<T = unknown>(bytes: Uint8Array | ArrayBuffer): JsonFrame<T>;
	/** CRC-32/IEEE, as node:zlib's crc32. */
	crc32(bytes: Uint8Array): number;
	/**
	 * A bare LZ4 block (no frame), for interop tests and benchmarks, of at most `maxPayloadBytes` of input.
	 * Throws CodecError('too-large').
	 */
	compressBlock(bytes: Uint8Array): Uint8Array;
	/**
	 * A bare LZ4 block of at most `maxOutput` bytes when decompressed; `maxOutput` may not exceed
	 * `maxPayloadBytes` (the frame's payload limit: WASM memory never shrinks, so any larger limit would be
	 * memory a caller could make us keep). Throws CodecError('too-large' | 'bad-argument' | 'corrupt-lz4').
	 */
	decompressBlock(bytes: Uint8Array, maxOutput: number): Uint8Array;
}

/** The module's exports (wasm/assembly/index.ts). Pointers and sizes are byte offsets into `memory`. */
export interface CodecExports {
	memory: WebAssembly.Memory;
	reserve(inNeed: number, outNeed: number): number;
	inputPtr(): number;
	outputPtr(): number;
	encodeFrame(type: number, seq: number, len: number, allowCompression: number): number;
	decodeFrame(len: number, maxPayload: number): number;
	frameVersion(): number;
	frameOverheadBytes(): number;
	lastFrameVersion(): number;
	lastFrameType(): number;
	lastFrameFlags(): number;
	lastFrameSeq(): number;
	lastPayloadPtr(): number;
	crc32Update(crc: number, ptr: number, len: number): number;
	compressBound(len: number): number;
	compressBlock(len: number): number;
	decompressBlock(len: number, maxOutput: number): number;
	simdBuild(): number;
}

/** A compiled module (worker, tests), an instance (browser), or instantiated exports (vite dev). */
export type CodecSource = WebAssembly.Module | WebAssembly.Instance | CodecExports;

/** Negative return codes of the module (wasm/assembly/frame.ts), index = -code. */
const REASON_BY_CODE: readonly CodecErrorReason[] = [
	'internal',
	'bad-magic',
	'unsupported-version',
	'bad-header',
	'truncated',
	'length-mismatch',
	'crc-mismatch',
	'corrupt-lz4',
	'too-large',
	'out-of-memory'
];

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

function exportsOf(source: CodecSource): CodecExports {
	if (source instanceof WebAssembly.Module) {
		return new WebAssembly.Instance(source, {}).exports as unknown as CodecExports;
	}
	if (source instanceof WebAssembly.Instance) return source.exports as unknown as CodecExports;
	return source;
}

function failure(code: number, wasm?: CodecExports): CodecError {
	const reason = REASON_BY_CODE[-code] ?? 'internal';
	if (reason === 'unsupported-version' && wasm) {
		return new CodecError(
			reason,
			`frame format version ${wasm.lastFrameVersion()}; this codec reads version ${FRAME_VERSION}`
		);
	}
	return new CodecError(reason, `codec returned ${code}`);
}

/** Runs a call into WASM; a trap means a codec bug, reported as CodecError('internal'), never raw. */
function guarded<T>(call: () => T): T {
	try {
		return call();
	} catch (error) {
		if (error instanceof WebAssembly.RuntimeError) throw new CodecError('internal', error.message);
		throw error;
	}
}

/** Creates a codec synchronously; every codec over the same exports shares (and reuses) its memory. */
export function createCodec(source: CodecSource, options: CodecOptions = {}): Codec {
	const wasm = exportsOf(source);
	if (typeof wasm.encodeFrame !== 'function' || !(wasm.memory instanceof WebAssembly.Memory)) {
		throw new Error('createCodec: not the codec module (wasm/build/codec.wasm)');
	}
	if (
		typeof wasm.frameVersion !== 'function' ||
		wasm.frameVersion() !== FRAME_VERSION ||
		wasm.frameOverheadBytes() !== FRAME_OVERHEAD_BYTES
	) {
		throw new Error('createCodec: codec.wasm and codec.ts disagree on the frame format; rebuild');
	}
	const maxPayloadBytes = options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES;
	if (!Number.isSafeInteger(maxPayloadBytes) || maxPayloadBytes < 0 || maxPayloadBytes > 0x7fffffff) {
		throw new Error('createCodec: maxPayloadBytes must be an integer in [0, 2^31)');
	}
	const maxFrameBytes = FRAME_OVERHEAD_BYTES + maxPayloadBytes;

	// Growing WASM memory detaches the old ArrayBuffer, and views of a detached buffer read as length 0
	// (the memory itself never has 0 bytes), so the view is refreshed then. Reading the length is cheap;
	// reading `wasm.memory.buffer` is a call into the engine: twice per call it was 0.4 µs of a 3 µs
	// compressBlock of a 1 KB chat message in Node (bench:codec, input (b)).
	let heap = new Uint8Array(wasm.memory.buffer);
	const memoryView = () => {
		if (heap.length === 0) heap = new Uint8Array(wasm.memory.buffer);
		return heap;
	};

	/** Copies `bytes` into the module's input buffer. */
	const writeInput = (bytes: Uint8Array) => {
		if (!wasm.reserve(bytes.length, 0)) throw new CodecError('out-of-memory');
		memoryView().set(bytes, wasm.inputPtr());
	};

	const asBytes = (input: Uint8Array | ArrayBuffer): Uint8Array => {
		if (input instanceof Uint8Array) return input;
		if (input instanceof ArrayBuffer) return new Uint8Array(input);
		throw new CodecError('bad-argument', 'expected a Uint8Array or ArrayBuffer');
	};

	const encode = (type: number, seq: number, payload: Uint8Array, opts: EncodeOptions = {}) => {
		if (!Number.isInteger(type) || type < 0 || type > MAX_TYPE) {
			throw new CodecError('bad-argument', `type must be an integer in [0, ${MAX_TYPE}]`);
		}
		if (!Number.isSafeInteger(seq) || seq < 0 || seq > MAX_SEQ) {
			throw new CodecError('bad-argument', 'seq must be an integer in [0, 2^48)');
		}
		if (!(payload instanceof Uint8Array)) throw new CodecError('bad-argument', 'payload must be a Uint8Array');
		if (payload.length > maxPayloadBytes) {
			throw new CodecError('too-large', `payload of ${payload.length} bytes exceeds ${maxPayloadBytes}`);
		}
		return guarded(() => {
			writeInput(payload);
			const n = wasm.encodeFrame(type, seq, payload.length, opts.compress === false ? 0 : 1);
			if (n < 0) throw failure(n);
			const at = wasm.outputPtr();
			return memoryView().slice(at, at + n);
		});
	};

	const decode = (input: Uint8Array | ArrayBuffer): Frame => {
		const bytes = asBytes(input);
		// Checked before copying anything, so an oversized message costs no memory.
		if (bytes.length > maxFrameBytes) {
			throw new CodecError('too-large', `frame of ${bytes.length} bytes exceeds ${maxFrameBytes}`);
		}
		return guarded(() => {
			writeInput(bytes);
			const n = wasm.decodeFrame(bytes.length, maxPayloadBytes);
			if (n < 0) throw failure(n, wasm);
			const at = wasm.lastPayloadPtr();
			return {
				type: wasm.lastFrameType(),
				seq: wasm.lastFrameSeq(),
				flags: wasm.lastFrameFlags(),
				payload: memoryView().slice(at, at + n)
			};
		});
	};

	return {
		build: wasm.simdBuild() ? 'simd' : 'scalar',
		maxPayloadBytes,
		maxFrameBytes,
		encode,
		decode,

		encodeJson(type, seq, value, opts) {
			const text = JSON.stringify(value);
			if (text === undefined) throw new CodecError('bad-argument', 'value is not JSON-serializable');
			return encode(type, seq, utf8Encoder.encode(text), opts);
		},

		decodeJson<T>(input: Uint8Array | ArrayBuffer): JsonFrame<T> {
			const frame = decode(input);
			let value: T;
			try {
				value = JSON.parse(utf8Decoder.decode(frame.payload)) as T;
			} catch (error) {
				throw new CodecError('bad-json', error instanceof Error ? error.message : String(error));
			}
			return { type: frame.type, seq: frame.seq, value };
		},

		crc32(bytes) {
			return guarded(() => {
				if (bytes.length <= CRC_CHUNK_BYTES) {
					// One piece, no subarray: most calls (frames) hash a few KB or less.
					writeInput(bytes);
					return wasm.crc32Update(0, wasm.inputPtr(), bytes.length) >>> 0;
				}
				let crc = 0;
				for (let offset = 0; offset < bytes.length; offset += CRC_CHUNK_BYTES) {
					const chunk = bytes.subarray(offset, offset + CRC_CHUNK_BYTES);
					writeInput(chunk);
					crc = wasm.crc32Update(crc, wasm.inputPtr(), chunk.length);
				}
				return crc >>> 0;
			});
		},

		compressBlock(bytes) {
			if (bytes.length > maxPayloadBytes) {
				throw new CodecError(
					'too-large',
					`block input of ${bytes.length} bytes exceeds the limit of ${maxPayloadBytes}`
				);
			}
			return guarded(() => {
				writeInput(bytes);
				const n = wasm.compressBlock(bytes.length);
				if (n < 0) throw failure(n);
				const at = wasm.outputPtr();
				return memoryView().slice(at, at + n);
			});
		},

		decompressBlock(bytes, maxOutput) {
			if (!Number.isSafeInteger(maxOutput) || maxOutput < 0) {
				throw new CodecError('bad-argument', 'maxOutput must be a non-negative integer');
			}
			if (maxOutput > maxPayloadBytes) {
				throw new CodecError(
					'too-large',
					`maxOutput of ${maxOutput} bytes exceeds the limit of ${maxPayloadBytes} (the codec's maxPayloadBytes)`
				);
			}
			// No block this long is needed: an incompressible payload of the limit's size is only a little longer.
			if (bytes.length > wasm.compressBound(maxPayloadBytes)) {
				throw new CodecError('too-large', `block of ${bytes.length} bytes exceeds the limit's worst-case block`);
			}
			return guarded(() => {
				writeInput(bytes);
				const n = wasm.decompressBlock(bytes.length, maxOutput);
				if (n < 0) throw failure(n);
				const at = wasm.outputPtr();
				return memoryView().slice(at, at + n);
			});
		}
	};
}
