import type { FrameCodec } from '$lib/protocol/chat-wire';
import { loadCodec } from '$lib/server/codec';

/**
 * The frame codec inside the worker (the shared WASM codec). Chat frames stay below the codec's 1 MiB
 * payload cap: the socket cap (CHAT_MAX_FRAME_BYTES) rejects bigger inbound frames before decoding, and
 * outbound history and catch-up frames are cut at CHAT_FRAME_JSON_BUDGET_BYTES.
 */
export function loadServerCodec(): Promise<FrameCodec> {
	return loadCodec();
}
