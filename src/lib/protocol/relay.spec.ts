import { describe, it } from 'vitest';
import { expectContractRoundTrips } from '../../testing/contract';
import { relayChannel } from './relay';

describe('relay channel contract', () => {
	it('round-trips every message kind in both directions through the codec and the schema', async () => {
		const person = { id: 'u1', name: 'Ada' };
		await expectContractRoundTrips(relayChannel, {
			client: { say: { text: 'hello' } },
			server: { welcome: { you: person, online: 2 }, said: { from: person, text: 'hello', at: 1_700_000_000_000 } }
		});
	});
});
