import type { FrameCodec } from '$lib/protocol/chat-wire';
import { interimCodec } from '$lib/protocol/interim-codec';

/** The frame codec inside the worker. TEMPORARY: switches to the WASM codec's loader when it lands. */
export async function loadServerCodec(): Promise<FrameCodec> {
	return interimCodec;
}
