import { expect } from 'vitest';
import {
	ChannelWire,
	type AnyChannel,
	type ClientKind,
	type ClientPayload,
	type ServerKind,
	type ServerPayload
} from '$lib/protocol/channel';
import { loadCodec } from '$lib/server/codec';

/** One realistic payload per message kind, in both directions: the contract test's input. */
export interface ContractSamples<Ch extends AnyChannel> {
	client: { [N in ClientKind<Ch>]: ClientPayload<Ch, N> };
	server: { [N in ServerKind<Ch>]: ServerPayload<Ch, N> };
}

/**
 * The contract test every app runs on its channel: every kind has a sample (so a kind added without one
 * fails), each sample round-trips through the real codec and the schema in its direction, and the error
 * frame carries each of the channel's codes.
 */
export async function expectContractRoundTrips<Ch extends AnyChannel>(channel: Ch, samples: ContractSamples<Ch>) {
	const wire = new ChannelWire(channel, await loadCodec());
	expect(Object.keys(samples.client).sort()).toEqual(Object.keys(channel.client).sort());
	expect(Object.keys(samples.server).sort()).toEqual(Object.keys(channel.server).sort());
	let seq = 0;
	for (const [name, payload] of Object.entries(samples.client) as [ClientKind<Ch>, never][]) {
		seq++;
		const decoded = wire.decodeClient(wire.encodeClient(name, payload, seq));
		expect(decoded.type, `client kind ${name}`).toBe(name);
		expect(decoded.seq).toBe(seq);
		expect(decoded.payload, `client kind ${name}`).toEqual(channel.client[name].schema.parse(payload));
	}
	for (const [name, payload] of Object.entries(samples.server) as [ServerKind<Ch>, never][]) {
		seq++;
		const decoded = wire.decodeServer(wire.encodeServer(name, payload, seq));
		expect(decoded.type, `server kind ${name}`).toBe(name);
		expect(decoded.seq).toBe(seq);
		expect(decoded.payload, `server kind ${name}`).toEqual(channel.server[name].schema.parse(payload));
	}
	for (const code of channel.errorCodes) {
		const decoded = wire.decodeServer(wire.encodeError({ code, message: `about ${code}` }, 1));
		expect(decoded).toEqual({ type: 'error', seq: 1, payload: { code, message: `about ${code}` } });
	}
}
