import { capabilities as capabilitiesSchema } from '$lib/protocol/swarm';
import { hashToken, randomHex } from './credentials';
import type { SwarmStore } from './storage';
import type { SwarmLog } from './swarm-sockets';
import { checkTokenRate, TOKEN_RATE_WINDOW_MS, TOKEN_TTL_MS, type RpcResult } from './tokens';

/**
 * Device rows per swarm, counting left and revoked ones until cleanup deletes them (24 h), so join/leave
 * loops cannot grow storage: bounds storage and the dashboard table; the bench uses 1,000.
 */
export const MAX_DEVICES = 2_000;

/** An invite's join token from its id (credentials.ts inviteToken, under this swarm's secret). */
export type TokenOf = (inviteId: string) => string;

/**
 * Creates a join token (rate limited per swarm). Only its hash is stored; the token itself is derived from
 * the invite id (tokenOf), so `showInvite` can hand it to the owner again while the invite is live.
 */
export function issueInvite(
	store: SwarmStore,
	maxUses: number | null,
	now: number,
	log: SwarmLog,
	tokenOf: TokenOf
): RpcResult<{ id: string; token: string; expiresAt: number }> {
	const wait = checkTokenRate(store.tokenCreationsSince(now - TOKEN_RATE_WINDOW_MS), now);
	if (wait > 0) {
		const seconds = Math.ceil(wait / 1000);
		log('warn', `Invite rate limit hit; next invite possible in ${seconds} s.`);
		return {
			ok: false,
			status: 429,
			code: 'rate-limited',
			message: `Too many invites: wait ${seconds} s.`,
			retryAfterMs: wait
		};
	}
	const id = randomHex(8);
	const token = tokenOf(id);
	const expiresAt = now + TOKEN_TTL_MS;
	store.insertToken({ id, hash: hashToken(token), createdAt: now, expiresAt, maxUses });
	log('info', `Invite ${id} created${maxUses ? ` (max ${maxUses} uses)` : ''}.`);
	return { ok: true, value: { id, token, expiresAt } };
}

/** Redeems a join token for a new device (capabilities validated and bounded), or says why not. */
export function redeemInvite(
	store: SwarmStore,
	token: string,
	caps: unknown,
	now: number,
	log: SwarmLog
): RpcResult<{ deviceId: string; name: string }> {
	const parsed = capabilitiesSchema.safeParse(caps);
	if (!parsed.success)
		return {
			ok: false,
			status: 400,
			code: 'bad-request',
			message: parsed.error.issues[0]?.message ?? 'Bad capabilities.'
		};
	const row = store.tokenByHash(hashToken(token));
	if (!row) return { ok: false, status: 403, code: 'invite-invalid', message: 'This invite link is not valid.' };
	if (row.revokedAt !== null)
		return { ok: false, status: 403, code: 'invite-revoked', message: 'This invite was revoked.' };
	if (row.expiresAt <= now)
		return { ok: false, status: 410, code: 'invite-expired', message: 'This invite has expired.' };
	if (row.maxUses !== null && row.uses >= row.maxUses) {
		return { ok: false, status: 410, code: 'invite-used-up', message: 'This invite has been used up.' };
	}
	if (store.countDevices() >= MAX_DEVICES)
		return { ok: false, status: 409, code: 'swarm-full', message: 'This swarm is full.' };
	const deviceId = randomHex(16);
	store.insertDevice(deviceId, row.id, parsed.data, now);
	store.useToken(row.id);
	const gpu = parsed.data.gpu ? `, ${parsed.data.gpu}` : '';
	log('info', `${parsed.data.name} joined (${parsed.data.cores} cores${gpu}).`);
	return { ok: true, value: { deviceId, name: parsed.data.name } };
}

/**
 * A live invite's token again, for the owner to show its QR code once more. Invites made before tokens were
 * derived (random tokens, only hashed) cannot be shown again: their hash does not match.
 */
export function showInvite(
	store: SwarmStore,
	inviteId: string,
	now: number,
	tokenOf: TokenOf
): RpcResult<{ id: string; token: string; expiresAt: number }> {
	const row = store.tokenById(inviteId);
	if (!row || row.revokedAt !== null || row.expiresAt <= now || (row.maxUses !== null && row.uses >= row.maxUses)) {
		return { ok: false, status: 404, code: 'not-found', message: 'No such live invite.' };
	}
	const token = tokenOf(inviteId);
	if (store.tokenHash(inviteId) !== hashToken(token)) {
		const message = 'This invite was made before links could be shown again: create a new one.';
		return { ok: false, status: 410, code: 'invite-not-reshowable', message };
	}
	return { ok: true, value: { id: inviteId, token, expiresAt: row.expiresAt } };
}

/**
 * The device if it may still act: not left and not disconnected (status 'revoked'). Revoking its invite
 * does not end it: a revoked invite only stops new joins.
 */
export function liveDevice(store: SwarmStore, deviceId: string) {
	const device = store.device(deviceId);
	if (!device || device.status === 'left' || device.status === 'revoked') return null;
	return device;
}
