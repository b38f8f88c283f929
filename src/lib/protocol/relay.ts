import { z } from 'zod';

/**
 * The smoke-test relay protocol (JSON text frames): what a socket says is delivered to every socket in
 * the same object. Shared by the browser page and the Durable Object.
 */
export const RELAY_TEXT_MAX = 1000;

export const relayClientMessage = z.object({
	type: z.literal('say'),
	text: z.string().min(1).max(RELAY_TEXT_MAX)
});
export type RelayClientMessage = z.infer<typeof relayClientMessage>;

export type RelayServerMessage =
	| { type: 'welcome'; you: { id: string; name: string }; online: number }
	| { type: 'said'; from: { id: string; name: string }; text: string; at: number }
	| { type: 'error'; code: string; message: string };
