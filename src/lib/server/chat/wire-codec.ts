import type { FrameCodec } from '$lib/protocol/chat-wire';
import { loadCodec } from '$lib/server/codec';

/**
 * The frame codec inside the worker (the shared WASM codec). Chat frames stay far below the codec's 1 MiB
 * payload cap: the socket cap (CHAT_MAX_FRAME_BYTES) rejects bigger inbound frames before decoding.
 */
export function loadServerCodec(): Promise<FrameCodec> {
	return loadCodec();
}
