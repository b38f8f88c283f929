import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { DOC_OPEN_MAX_PER_SOCKET, TEXT_ROOT } from '$lib/protocol/doc-limits';
import { seededRandom, testSeed } from '../../../testing/seeded-random';
import { TextTestClient, until } from '../../../testing/text-client';
import { signedInUser } from '../../../testing/users';
import { createItems, createWorkspaceVia, postAction, tokenFor } from '../../../testing/workspace';
import type { WorkspaceSync } from './workspace-sync';

/**
 * Collaborative texts through the whole worker: the browser's TextClient/TextSession (Yjs) on real
 * sockets to the real WorkspaceSync object and its SQLite. Edits are made concurrently by several
 * clients, some of them offline at the time, some "reloading" from their cache; every client and the
 * server must end on byte-identical text that holds every marker anyone inserted.
 */
const TEXT = 'doc:shared';

/** Markers are whole tokens; edits land only between tokens, so no marker can be split by an insert. */
const MARKER = /⟨[a-z0-9]+:\d+⟩/g;

async function workspaceWith(members: number) {
	const owner = await signedInUser(env);
	const workspaceId = await createWorkspaceVia(owner.cookie, 'texts');
	const cookies = [owner.cookie];
	for (let i = 0; i < members; i++) {
		const member = await signedInUser(env);
		await postAction(owner.cookie, `/workspace/${workspaceId}/members?/add`, {
			username: member.user.username,
			role: 'editor'
		});
		cookies.push(member.cookie);
	}
	await createItems(workspaceId, await tokenFor(owner.cookie), [TEXT]);
	const stub = env.WORKSPACE_SYNC.get(env.WORKSPACE_SYNC.idFromName(workspaceId));
	return { workspaceId, cookies, stub };
}

/** Positions between tokens (never inside a marker) of `text`. */
function boundaries(text: string): number[] {
	const out = [0];
	let depth = 0;
	for (let i = 0; i < text.length; i++) {
		if (text[i] === '⟨') depth++;
		if (text[i] === '⟩') depth--;
		if (depth === 0) out.push(i + 1);
	}
	return out;
}

/** One random edit by `client`: insert its next marker or some filler between tokens, or delete filler. */
function randomEdit(client: TextTestClient, random: () => number, markers: string[]) {
	const text = client.session(TEXT).text;
	const current = text.toString();
	const roll = random();
	if (roll < 0.5) {
		const marker = `⟨${client.name}:${markers.length}⟩`;
		const at = boundaries(current);
		text.insert(at[Math.floor(random() * at.length)], marker);
		markers.push(marker);
	} else if (roll < 0.8) {
		const at = boundaries(current);
		text.insert(at[Math.floor(random() * at.length)], 'x'.repeat(1 + Math.floor(random() * 3)));
	} else {
		// Delete a run of filler the client sees (concurrent inserts inside it are not deleted: Yjs).
		const runs = [...current.matchAll(/x+/g)];
		if (runs.length === 0) return;
		const run = runs[Math.floor(random() * runs.length)];
		text.delete(run.index, Math.min(run[0].length, 1 + Math.floor(random() * 2)));
	}
}

async function serverText(stub: DurableObjectStub<WorkspaceSync>): Promise<string> {
	return runInDurableObject(
		stub,
		(object: WorkspaceSync) => object.texts.text(TEXT)?.getText(TEXT_ROOT).toString() ?? ''
	);
}

async function converged(clients: TextTestClient[], markers: Map<string, string[]>) {
	await until(() => clients.every((c) => c.session(TEXT).status === 'synced'));
	await until(() => new Set(clients.map((c) => c.session(TEXT).text.toString())).size === 1);
	const text = clients[0].session(TEXT).text.toString();
	const all = [...markers.values()].flat();
	expect(all.length, 'markers inserted').toBeGreaterThan(20);
	expect(new Set(text.match(MARKER)), 'every marker once').toEqual(new Set(all));
	expect(text.match(MARKER)).toHaveLength(all.length);
	return text;
}

describe('collaborative texts', () => {
	it('5 clients editing at once with random disconnects and reloads converge on one text with every marker', async () => {
		const random = seededRandom(testSeed('text convergence'));
		const { workspaceId, cookies, stub } = await workspaceWith(4);
		const clients = cookies.map((cookie, i) => new TextTestClient(workspaceId, cookie, `c${i}`));
		const markers = new Map(clients.map((c) => [c.name, [] as string[]]));
		for (const client of clients) {
			await client.open(TEXT);
			await client.connect();
		}
		await until(() => clients.every((c) => c.session(TEXT).status === 'synced'));

		for (let round = 0; round < 30; round++) {
			for (const client of clients) {
				const roll = random();
				if (client.online && roll < 0.15) client.disconnect();
				else if (!client.online && roll < 0.5) {
					if (random() < 0.3) {
						// A reload while offline: the new page starts from the cache alone.
						client.reload();
						await client.open(TEXT);
					}
					await client.connect();
				}
				for (let i = Math.floor(random() * 4); i > 0; i--) randomEdit(client, random, markers.get(client.name)!);
			}
			// Let frames cross between rounds now and then, so edits interleave with remote ones.
			if (random() < 0.6) await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 15)));
		}
		for (const client of clients) if (!client.online) await client.connect();

		const text = await converged(clients, markers);
		expect(await serverText(stub)).toBe(text);
		// A new client (nothing cached) gets the same text from the server.
		const late = new TextTestClient(workspaceId, cookies[0], 'late');
		await late.open(TEXT);
		await late.connect();
		await until(() => late.session(TEXT).status === 'synced');
		expect(late.session(TEXT).text.toString()).toBe(text);
		for (const client of [...clients, late]) client.disconnect();
	}, 60_000);

	it('keeps everything when the object compacts and is evicted mid-session', async () => {
		const random = seededRandom(testSeed('text compaction'));
		const { workspaceId, cookies, stub } = await workspaceWith(1);
		// Compact every few updates, so compaction runs many times between and during the edits.
		await runInDurableObject(stub, (object: WorkspaceSync) => {
			object.texts.compactAfter = { updates: 7, bytes: 64 * 1024 };
		});
		const clients = cookies.map((cookie, i) => new TextTestClient(workspaceId, cookie, `e${i}`));
		const markers = new Map(clients.map((c) => [c.name, [] as string[]]));
		for (const client of clients) {
			await client.open(TEXT);
			await client.connect();
		}
		await until(() => clients.every((c) => c.session(TEXT).status === 'synced'));

		for (let round = 0; round < 6; round++) {
			for (let i = 0; i < 20; i++) {
				for (const client of clients) randomEdit(client, random, markers.get(client.name)!);
				await new Promise((resolve) => setTimeout(resolve, 2));
			}
			// Hibernate (sockets kept, memory gone) or close everything, with edits still in flight.
			const webSockets = round % 2 === 0 ? 'hibernate' : 'close';
			await evictDurableObject(stub, { webSockets });
			if (webSockets === 'close') {
				await until(() => clients.every((c) => !c.online));
				for (const client of clients) await client.connect();
			}
			// The new instance has its default threshold again: lower it once more.
			await runInDurableObject(stub, (object: WorkspaceSync) => {
				object.texts.compactAfter = { updates: 7, bytes: 64 * 1024 };
			});
		}

		const text = await converged(clients, markers);
		const stored = await runInDurableObject(stub, (object: WorkspaceSync, state) => {
			object.texts.forgetLoaded();
			return {
				text: object.texts.text(TEXT)!.getText(TEXT_ROOT).toString(),
				tail: state.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM text_updates').one().n
			};
		});
		// Loaded from storage alone (snapshot + tail), the text is the same; the tail stayed short.
		expect(stored.text).toBe(text);
		expect(stored.tail).toBeLessThan(7);
		for (const client of clients) client.disconnect();
	}, 60_000);

	it('sends edits made offline in an editor that has closed since, on the next connect', async () => {
		const { workspaceId, cookies } = await workspaceWith(1);
		const [train, desk] = cookies.map((cookie, i) => new TextTestClient(workspaceId, cookie, `t${i}`));
		for (const client of [train, desk]) {
			await client.open(TEXT);
			await client.connect();
		}
		await until(() => [train, desk].every((c) => c.session(TEXT).status === 'synced'));
		train.disconnect();
		train.session(TEXT).text.insert(0, '⟨typed on the train⟩');
		// The editor closes and the page reloads while still offline; nobody opens the doc again.
		train.reload();
		await train.connect();
		await until(() => desk.session(TEXT).text.toString() === '⟨typed on the train⟩');
		expect(await train.cache.unsynced()).toEqual([]);
		for (const client of [train, desk]) client.disconnect();
	}, 30_000);

	it('syncs more offline-edited texts than a socket may open, a few at a time, the visible one too', async () => {
		const { workspaceId, cookies, stub } = await workspaceWith(0);
		const background = Array.from({ length: DOC_OPEN_MAX_PER_SOCKET + 4 }, (_, i) => `task:offline${i}`);
		await createItems(workspaceId, await tokenFor(cookies[0]), background);
		const train = new TextTestClient(workspaceId, cookies[0], 'train');
		// Edited while offline, each in an editor that closed since.
		for (const textId of background) {
			(await train.open(textId)).text.insert(0, `⟨${textId}⟩`);
			train.texts.release(textId);
		}
		expect(await train.cache.unsynced()).toHaveLength(background.length);
		train.reload();
		const visible = await train.open(TEXT);
		await train.connect();
		await until(() => visible.status === 'synced');
		visible.text.insert(0, 'on screen');
		const texts = () =>
			runInDurableObject(stub, (object: WorkspaceSync) =>
				[TEXT, ...background].map((id) => object.texts.text(id)?.getText(TEXT_ROOT).toString() ?? '')
			);
		const expected = ['on screen', ...background.map((id) => `⟨${id}⟩`)];
		for (let tries = 0; JSON.stringify(await texts()) !== JSON.stringify(expected); tries++) {
			if (tries > 200) expect(await texts()).toEqual(expected);
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
		expect(visible.error).toBeNull();
		expect(await train.cache.unsynced()).toEqual([]);
		train.disconnect();
	}, 30_000);
});
