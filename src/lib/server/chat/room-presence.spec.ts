import { describe, expect, it } from 'vitest';
import { RoomPresence, type PresenceHost } from './room-presence';

/** A room's sockets as counts per author, and what presence told them. */
function room(initial: number[] = []) {
	const open = new Map<number, number>();
	for (const author of initial) open.set(author, (open.get(author) ?? 0) + 1);
	const told: { change: { joined: number } | { left: number }; except?: WebSocket }[] = [];
	let encodes = 0;
	const host: PresenceHost = {
		everySocketAuthor: () => [...open].flatMap(([author, n]) => Array<number>(n).fill(author)),
		openSocketsOf: (author) => open.get(author) ?? 0,
		announce: (change, except) => told.push({ change, except }),
		encodeOnline: (authors) => {
			encodes++;
			return new TextEncoder().encode(authors.join(','));
		}
	};
	const socket = () => ({}) as WebSocket;
	return {
		host,
		told,
		encodes: () => encodes,
		/** A socket of `author` is accepted (it counts before onOpen runs, as in getWebSockets). */
		open(presence: RoomPresence, author: number) {
			const ws = socket();
			open.set(author, (open.get(author) ?? 0) + 1);
			presence.socketOpened(ws, author);
			return ws;
		},
		/** A socket of `author` is gone (already out of getWebSockets when onClose runs). */
		close(presence: RoomPresence, author: number) {
			const n = (open.get(author) ?? 0) - 1;
			if (n > 0) open.set(author, n);
			else open.delete(author);
			presence.socketClosed(author);
		}
	};
}

const text = (frame: Uint8Array) => new TextDecoder().decode(frame);

describe('RoomPresence', () => {
	it("announces an author's first socket to the others and their last one's close, once each", () => {
		const r = room();
		const presence = new RoomPresence(r.host);
		const first = r.open(presence, 7);
		r.open(presence, 7); // a second tab: nobody hears of it
		r.open(presence, 9);
		expect(r.told).toEqual([
			{ change: { joined: 7 }, except: first },
			{ change: { joined: 9 }, except: expect.anything() }
		]);
		r.close(presence, 7); // one tab of two
		expect(r.told).toHaveLength(2);
		r.close(presence, 7);
		expect(r.told.at(-1)).toEqual({ change: { left: 7 }, except: undefined });
		// The close and error events of one socket both arrive: the second tells nobody.
		presence.socketClosed(7);
		expect(r.told).toHaveLength(3);
		expect(presence.authors()).toEqual([9]);
	});

	it('encodes the online frame once until someone comes or goes', () => {
		const r = room();
		const presence = new RoomPresence(r.host);
		r.open(presence, 1);
		r.open(presence, 2);
		expect(text(presence.onlineFrame())).toBe('1,2');
		r.open(presence, 2); // more tabs of someone online change nothing
		expect(text(presence.onlineFrame())).toBe('1,2');
		expect(r.encodes()).toBe(1);
		r.close(presence, 1);
		expect(text(presence.onlineFrame())).toBe('2');
		expect(r.encodes()).toBe(2);
	});

	it('after a wake-up, rebuilds who is online from the sockets once, and a close there is announced', () => {
		// The object was evicted with authors 3 (two sockets) and 4 open: a new instance knows nothing.
		const r = room([3, 3, 4]);
		const presence = new RoomPresence(r.host);
		expect(presence.has(3)).toBe(true);
		expect(text(presence.onlineFrame())).toBe('3,4');
		r.close(presence, 3);
		expect(r.told).toEqual([]); // 3 still has a socket
		r.close(presence, 3);
		expect(r.told).toEqual([{ change: { left: 3 }, except: undefined }]);
		// A first close after a wake-up, before anything read the map, still tells the others.
		const woken = room([5]);
		const fresh = new RoomPresence(woken.host);
		woken.close(fresh, 5);
		expect(woken.told).toEqual([{ change: { left: 5 }, except: undefined }]);
	});
});
