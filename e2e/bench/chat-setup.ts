// bench:chat's accounts and rooms, made through the real forms (sign-up, create room, join room).
import { formPost, signUp } from './local-server.ts';

/**
 * Sockets one account may hold on one object (MAX_SOCKETS_PER_IDENTITY in
 * src/lib/server/realtime/realtime-object.ts): listeners are spread over enough accounts.
 */
export const SOCKETS_PER_ACCOUNT = 16;
/** Sign-ups in flight (each hashes a password with argon2id in the worker). */
const SIGNUP_CONCURRENCY = 4;

export interface Accounts {
	/** One account per sender socket. */
	senders: string[];
	/** Listener accounts, SOCKETS_PER_ACCOUNT sockets each. */
	listeners: string[];
}

/** Session cookies for `senders` sender accounts and enough listener accounts for `listenerSockets`. */
export async function makeAccounts(base: string, senders: number, listenerSockets: number): Promise<Accounts> {
	const run = Date.now().toString(36);
	const names = [
		...Array.from({ length: senders }, (_, i) => `bench${run}s${i}`),
		...Array.from({ length: Math.ceil(listenerSockets / SOCKETS_PER_ACCOUNT) }, (_, i) => `bench${run}l${i}`)
	];
	const cookies: string[] = new Array(names.length);
	let next = 0;
	const lane = async () => {
		for (let i = next++; i < names.length; i = next++) cookies[i] = await signUp(base, names[i]!);
	};
	await Promise.all(Array.from({ length: SIGNUP_CONCURRENCY }, lane));
	return { senders: cookies.slice(0, senders), listeners: cookies.slice(senders) };
}

/** Listener socket i's cookie: account floor(i / SOCKETS_PER_ACCOUNT). */
export function listenerCookies(accounts: Accounts, sockets: number): string[] {
	if (sockets > accounts.listeners.length * SOCKETS_PER_ACCOUNT) throw new Error(`not enough accounts for ${sockets}`);
	return Array.from({ length: sockets }, (_, i) => accounts.listeners[Math.floor(i / SOCKETS_PER_ACCOUNT)]!);
}

/** A form post that must redirect (303): the room's id is in the Location of create and join. */
async function roomAction(base: string, action: 'create' | 'join', fields: Record<string, string>, cookie: string) {
	const response = await formPost(base, `/chat?/${action}`, fields, cookie);
	const location = response.headers.get('location');
	if (response.status !== 303 || !location) throw new Error(`/chat?/${action}: HTTP ${response.status}`);
	return location.split('/').pop()!;
}

/** A public room created by the first sender, with every account of `accounts` a member. */
export async function chatRoom(base: string, name: string, accounts: Accounts): Promise<string> {
	const [owner, ...others] = [...accounts.senders, ...accounts.listeners];
	const room = await roomAction(base, 'create', { name, visibility: 'public' }, owner!);
	for (const cookie of others) await roomAction(base, 'join', { room }, cookie);
	return room;
}
