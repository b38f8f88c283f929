import type { ChatMessage } from '$lib/protocol/chat';
import { CHAT_FRAME_JSON_BUDGET_BYTES } from '$lib/protocol/chat-limits';

const utf8 = new TextEncoder();

/** What one message adds to a frame's JSON payload, in UTF-8 bytes (its separating comma included). */
export function messageJsonBytes(message: ChatMessage): number {
	return utf8.encode(JSON.stringify(message)).byteLength + 1;
}

/**
 * Splits messages, in order, into runs of at most `maxJsonBytes` of JSON each (a single larger message
 * gets a run of its own), so a long catch-up goes out as several frames that each fit the codec's cap.
 */
export function splitByJsonBytes(
	messages: ChatMessage[],
	maxJsonBytes = CHAT_FRAME_JSON_BUDGET_BYTES
): ChatMessage[][] {
	const runs: ChatMessage[][] = [];
	let run: ChatMessage[] = [];
	let bytes = 0;
	for (const message of messages) {
		const size = messageJsonBytes(message);
		if (run.length > 0 && bytes + size > maxJsonBytes) {
			runs.push(run);
			run = [];
			bytes = 0;
		}
		run.push(message);
		bytes += size;
	}
	if (run.length > 0) runs.push(run);
	return runs;
}
