// Payloads shaped like Murmur's real frames, after the channel contracts (src/lib/protocol: chat.ts
// chatMessageSchema and its history page, swarm-channel.ts snapshot with swarm.ts deviceView/jobView,
// workspace-channel.ts events page with workspace-messages.ts loggedEvent), from seeded data so every
// run measures the same bytes. The contract modules are not imported: Node's type stripping cannot
// resolve their extensionless imports (as e2e/bench/chat.ts notes); the shapes are copied field by field.
import { seededRandom } from './data.ts';

const WORDS =
	'the of and to a in is it you that he was for on are with as I his they be at one have this from or had by hot word but what some we can out other were all there when up use your how said an each she which do their time if will way about many then them write would like so these her long make thing see him two has look more day could go come did number sound no most people my over know water than call first who may down side been now find any new work part take get place made live where after back little only round man year came show every good me give our under name very through just form sentence great think say help low line differ turn cause much mean before move right boy old too same tell does set three want air well also play small end put home read hand port large spell add even land here must big high such follow act why ask men change went light kind off need house picture try us again animal point mother world near build self earth father head stand own page should country found answer school grow study still learn plant cover food sun four between state keep eye never last let thought city tree cross farm hard start might story saw far sea draw left late run while press close night real life few north open seem together next white children begin'.split(
		' '
	);

export interface Payload {
	name: string;
	json: string;
}

function maker(seed: number) {
	const next = seededRandom(seed);
	const int = (n: number) => Math.floor(next() * n);
	const id = (prefix: string) =>
		`${prefix}_${Array.from({ length: 16 }, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[int(36)]).join('')}`;
	const words = (n: number) =>
		Array.from({ length: n }, () => WORDS[Math.min(WORDS.length - 1, Math.floor(WORDS.length * next() * next()))]).join(
			' '
		);
	return { int, id, words, next };
}

/** chat.ts chatMessageSchema, the `message` frame every member of a room receives. */
export function chatMessage(seed: number, words = 12) {
	const m = maker(seed);
	const userId = m.id('u');
	return {
		seq: 4000 + m.int(1000),
		rev: 9000 + m.int(1000),
		id: m.id('m'),
		user: { id: userId, name: `User ${m.int(40)}`, avatarKey: m.next() < 0.5 ? null : `avatars/${userId}` },
		text: m.words(words),
		createdAt: 1_796_000_000_000 + m.int(1e9),
		editedAt: null,
		deleted: false,
		reactions: m.next() < 0.3 ? [{ emoji: '👍', users: [m.id('u')] }] : []
	};
}

/** A history page of `n` messages (chat.ts historyEvent), as a join or scroll-back receives it. */
function chatHistory(n: number) {
	return { messages: Array.from({ length: n }, (_, i) => chatMessage(100 + i, 4 + (i % 30))), more: true };
}

/** swarm-channel.ts snapshot with `devices` devices (full: the dashboard's periodic keyframe). */
function swarmSnapshot(devices: number) {
	const m = maker(7);
	const inviteIds = [m.id('inv'), m.id('inv'), m.id('inv')];
	return {
		full: true,
		at: 1_796_000_000_000,
		swarm: { id: m.id('s'), name: 'Render farm' },
		devices: Array.from({ length: devices }, (_, i) => ({
			id: m.id('d'),
			inviteId: inviteIds[i % 3],
			name: `Device ${i}`,
			status: m.next() < 0.9 ? 'online' : 'offline',
			score: m.next() < 0.8 ? Math.round(m.next() * 1000) / 10 : null,
			inFlight: m.int(4),
			done: m.int(5000),
			failed: m.int(20),
			cores: [4, 8, 12, 16][m.int(4)],
			memoryGb: [4, 8, 16, null][m.int(4)],
			gpu: m.next() < 0.3 ? 'ANGLE (Intel, Mesa Intel(R) UHD Graphics 620)' : null,
			userAgent:
				'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36',
			joinedAt: 1_796_000_000_000 + m.int(1e8),
			lastSeenAt: 1_796_000_000_000 + m.int(1e9)
		})),
		jobs: [
			{
				id: m.id('j'),
				kind: 'primes',
				status: 'running',
				spec: { lo: 1, hi: 5_000_000 },
				total: 5000,
				done: 1234,
				retries: 3,
				createdAt: 1_796_000_000_000,
				finishedAt: null,
				answer: null,
				error: null
			}
		],
		log: Array.from({ length: 20 }, (_, i) => ({
			seq: i + 1,
			at: 1_796_000_000_000 + i * 1000,
			level: 'info',
			text: `Device ${i} joined`
		})),
		throughput: Array.from({ length: 60 }, (_, i) => ({ at: 1_796_000_000_000 + i * 2000, chunks: m.int(50) }))
	};
}

/** workspace-channel.ts `events` page of `n` logged events (a catch-up pull page). */
function workspacePage(n: number) {
	const m = maker(11);
	const clientId = m.id('c');
	const userId = m.id('u');
	return {
		backendId: m.id('b'),
		events: Array.from({ length: n }, (_, i) => ({
			name: ['todoCreated', 'todoCompleted', 'noteRenamed'][i % 3],
			args: { id: m.id('t'), text: m.words(3 + m.int(8)) },
			clientId,
			clientSeq: i + 1,
			seq: 500 + i,
			parent: 499 + i,
			userId,
			serverAt: 1_796_000_000_000 + i * 37
		})),
		head: 500 + n,
		more: true,
		pullAgain: false,
		live: false
	};
}

/** From the smallest frames (acks, typing) to the largest (catch-up pages, a 1,000-device snapshot). */
export function murmurPayloads(): Payload[] {
	const p = (name: string, value: unknown) => ({ name, json: JSON.stringify(value) });
	return [
		p('chat ack', { id: 'm_k3j2h4g5f6d7s8a9', seq: 4211, rev: 9377, duplicate: false }),
		p('chat typing', { users: [{ id: 'u_k3j2h4g5f6d7s8a9', name: 'User 12', ms: 4000 }] }),
		p('chat message, 5 words', chatMessage(1, 5)),
		p('chat message, 12 words', chatMessage(2, 12)),
		p('chat message, 40 words', chatMessage(3, 40)),
		p('chat message, 80 words', chatMessage(5, 80)),
		p('chat message, 120 words', chatMessage(4, 120)),
		p('chat message, 200 words', chatMessage(6, 200)),
		p('chat message, 400 words', chatMessage(8, 400)),
		p('chat history, 5 messages', chatHistory(5)),
		p('chat history, 50 messages', chatHistory(50)),
		p('swarm snapshot, 10 devices', swarmSnapshot(10)),
		p('swarm snapshot, 100 devices', swarmSnapshot(100)),
		p('swarm snapshot, 1000 devices', swarmSnapshot(1000)),
		p('workspace page, 3 events', workspacePage(3)),
		p('workspace page, 100 events', workspacePage(100))
	];
}

/** A stream of `n` different chat messages, as one room's members receive them one after another. */
export function chatStream(n: number, words: number): string[] {
	return Array.from({ length: n }, (_, i) => JSON.stringify(chatMessage(1000 + i, words)));
}
