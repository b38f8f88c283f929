import { z } from 'zod';
import { defineChannel } from './channel';

/**
 * The smoke-test relay's channel: what a socket says is delivered to every socket in the same object.
 * Shared by the /realtime page, the RelayRoom Durable Object and its route; also the bare-broadcast
 * reference of `npm run bench:chat`.
 */
export const RELAY_TEXT_MAX = 1000;

const person = z.object({ id: z.string(), name: z.string() });

export const relayChannel = defineChannel({
	name: 'relay',
	version: 1,
	client: {
		say: { type: 1, schema: z.strictObject({ text: z.string().min(1).max(RELAY_TEXT_MAX) }) }
	},
	server: {
		/** To a socket that just opened: who it is and how many are here. */
		welcome: { type: 1, schema: z.object({ you: person, online: z.number().int().min(0) }) },
		said: { type: 2, schema: z.object({ from: person, text: z.string(), at: z.number() }) }
	},
	errors: [],
	/** A say of RELAY_TEXT_MAX characters in UTF-8, JSON and a frame header fits with room to spare. */
	maxInboundBytes: 4 * 1024
});
export type RelayChannel = typeof relayChannel;
