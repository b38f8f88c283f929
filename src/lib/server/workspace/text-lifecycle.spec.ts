import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { TEXT_ROOT, fromBase64, toBase64 } from '$lib/protocol/doc-limits';
import { signedInUser } from '../../../testing/users';
import { connect, createWorkspaceVia, postAction, tokenFor, type TestSocket } from '../../../testing/workspace';
import type { WorkspaceSync } from './workspace-sync';

/**
 * A text's life with its doc or task, through the whole worker on raw sockets: it opens only for an item
 * that exists, survives the item's deletion for the Undo window (Undo re-creates it under the same id),
 * is purged after that, and a doc written before docs were texts reaches a viewer too.
 */

/** A socket that pushes events one after another, each on the head the previous one made. */
async function writerFor(workspaceId: string, token: string) {
	const socket = await connect(workspaceId, token);
	let head = (await socket.next('hello')).payload.head;
	const clientId = crypto.randomUUID();
	let clientSeq = 0;
	return {
		socket,
		async push(name: string, args: Record<string, unknown>) {
			socket.send('push', { parent: head, events: [{ name, args, clientId, clientSeq: ++clientSeq, at: 1 }] as never });
			head = (await socket.next('events')).payload.head;
		}
	};
}

async function open(socket: TestSocket, textId: string, base = new Y.Doc()) {
	socket.send('doc-open', { textId, stateVector: toBase64(Y.encodeStateVector(base)) });
	const sync = await socket.next('doc-sync', (m) => m.payload.textId === textId);
	Y.applyUpdate(base, fromBase64(sync.payload.update));
	return base;
}

async function typeInto(socket: TestSocket, watcher: TestSocket, textId: string, doc: Y.Doc, content: string) {
	const before = Y.encodeStateVector(doc);
	doc.getText(TEXT_ROOT).insert(doc.getText(TEXT_ROOT).length, content);
	socket.send('doc-update', { textId, update: toBase64(Y.encodeStateAsUpdate(doc, before)) });
	await watcher.next('doc-update', (m) => m.payload.textId === textId);
}

function stubOf(workspaceId: string) {
	return env.WORKSPACE_SYNC.get(env.WORKSPACE_SYNC.idFromName(workspaceId));
}

describe('a text and its doc or task', () => {
	it('keeps the text of a deleted doc and task for Undo, and purges it once the grace has passed', async () => {
		const owner = await signedInUser(env);
		const workspaceId = await createWorkspaceVia(owner.cookie, 'undo');
		const token = await tokenFor(owner.cookie);
		const writer = await writerFor(workspaceId, token);
		const [editor, watcher] = [await connect(workspaceId, token), await connect(workspaceId, token)];
		const doc = { id: 'undone', title: 'Undone', body: 'old whole-field body' };
		const task = { id: 'chore', title: 'Chore', status: 'todo', order: 1, assignee: null };
		await writer.push('doc.created', doc);
		await writer.push('task.created', task);
		const texts = new Map<string, Y.Doc>();
		for (const textId of ['doc:undone', 'task:chore']) {
			const local = await open(editor, textId);
			await open(watcher, textId);
			await typeInto(editor, watcher, textId, local, ` written in ${textId}`);
			texts.set(textId, local);
		}
		const expected = (textId: string) => texts.get(textId)!.getText(TEXT_ROOT).toString();
		expect(expected('doc:undone')).toBe('old whole-field body written in doc:undone');

		// Delete both, then Undo: the same ids created again (the doc with its old LWW body, as Undo sends it).
		await writer.push('doc.deleted', { id: doc.id });
		await writer.push('task.deleted', { id: task.id });
		await writer.push('doc.created', doc);
		await writer.push('task.created', task);
		const fresh = await connect(workspaceId, token);
		for (const textId of ['doc:undone', 'task:chore']) {
			expect((await open(fresh, textId)).getText(TEXT_ROOT).toString()).toBe(expected(textId));
			// And a client holding the state merges nothing twice.
			const merged = await open(fresh, textId, texts.get(textId)!);
			expect(merged.getText(TEXT_ROOT).toString()).toBe(expected(textId));
		}

		// Deleted again, and the grace passes: the storage goes.
		await runInDurableObject(stubOf(workspaceId), (object: WorkspaceSync) => {
			object.texts.deletedGraceMs = 0;
		});
		await writer.push('doc.deleted', { id: doc.id });
		await writer.push('task.deleted', { id: task.id });
		const stored = await runInDurableObject(stubOf(workspaceId), (object: WorkspaceSync) => [
			object.texts.stored('doc:undone'),
			object.texts.stored('task:chore')
		]);
		expect(stored).toEqual([false, false]);
		for (const socket of [writer.socket, editor, watcher, fresh]) socket.ws.close(1000);
	}, 30_000);

	it('refuses to open the text of a doc or task that does not exist, and charges opens to a budget', async () => {
		const owner = await signedInUser(env);
		const workspaceId = await createWorkspaceVia(owner.cookie, 'made-up');
		const token = await tokenFor(owner.cookie);
		const writer = await writerFor(workspaceId, token);
		await writer.push('doc.created', { id: 'real', title: 'Real', body: '' });
		await writer.push('doc.created', { id: 'gone', title: 'Gone', body: '' });
		await writer.push('doc.deleted', { id: 'gone' });
		const editor = await connect(workspaceId, token);
		for (const textId of ['doc:made-up', 'task:made-up', 'doc:gone']) {
			editor.send('doc-open', { textId, stateVector: toBase64(Y.encodeStateVector(new Y.Doc())) });
			expect((await editor.next('error')).payload).toMatchObject({ code: 'doc-not-found', ref: textId });
		}
		await open(editor, 'doc:real');
		const stored = await runInDurableObject(stubOf(workspaceId), (object: WorkspaceSync) =>
			['doc:made-up', 'task:made-up', 'doc:gone', 'doc:real'].map((id) => object.texts.stored(id))
		);
		expect(stored).toEqual([false, false, false, true]);

		// Opens are charged to the member: past the budget they are refused until it refills.
		await runInDurableObject(stubOf(workspaceId), (object: WorkspaceSync) => {
			object.texts.openLimit = { burst: 3, windowMs: 60_000 };
		});
		for (let i = 0; i < 3; i++) await open(editor, 'doc:real');
		editor.send('doc-open', { textId: 'doc:real', stateVector: toBase64(Y.encodeStateVector(new Y.Doc())) });
		const limited = (await editor.next('error')).payload;
		expect(limited).toMatchObject({ code: 'rate-limited', ref: 'doc:real' });
		expect(limited.retryAfterMs).toBeGreaterThan(0);
		for (const socket of [writer.socket, editor]) socket.ws.close(1000);
	}, 30_000);

	it('shows a viewer the body of a doc written before docs were texts, though no editor opened it', async () => {
		const owner = await signedInUser(env);
		const viewer = await signedInUser(env);
		const workspaceId = await createWorkspaceVia(owner.cookie, 'legacy-viewer');
		await postAction(owner.cookie, `/workspace/${workspaceId}/members?/add`, {
			username: viewer.user.username,
			role: 'viewer'
		});
		const writer = await writerFor(workspaceId, await tokenFor(owner.cookie));
		await writer.push('doc.created', { id: 'old', title: 'Old', body: 'first' });
		await writer.push('doc.bodySet', { id: 'old', body: 'Legacy body' });
		const reader = await connect(workspaceId, await tokenFor(viewer.cookie));
		expect((await open(reader, 'doc:old')).getText(TEXT_ROOT).toString()).toBe('Legacy body');
		// Still a reader: its updates are refused.
		reader.send('doc-update', { textId: 'doc:old', update: toBase64(Y.encodeStateAsUpdate(new Y.Doc())) });
		expect((await reader.next('error')).payload).toMatchObject({ code: 'forbidden', ref: 'doc:old' });
		for (const socket of [writer.socket, reader]) socket.ws.close(1000);
	}, 30_000);

	it('caps the texts one person has open across all their sockets', async () => {
		const owner = await signedInUser(env);
		const workspaceId = await createWorkspaceVia(owner.cookie, 'per-person');
		const token = await tokenFor(owner.cookie);
		const writer = await writerFor(workspaceId, token);
		for (const id of ['a', 'b', 'c', 'd']) await writer.push('doc.created', { id, title: id, body: '' });
		await runInDurableObject(stubOf(workspaceId), (object: WorkspaceSync) => {
			object.texts.openMaxPerIdentity = 3;
		});
		const [tab1, tab2] = [await connect(workspaceId, token), await connect(workspaceId, token)];
		await open(tab1, 'doc:a');
		await open(tab1, 'doc:b');
		await open(tab2, 'doc:c');
		tab2.send('doc-open', { textId: 'doc:d', stateVector: toBase64(Y.encodeStateVector(new Y.Doc())) });
		expect((await tab2.next('error')).payload).toMatchObject({ code: 'doc-open-limit', ref: 'doc:d' });
		// Reopening one already open is no new text; closing one makes room.
		await open(tab2, 'doc:c');
		tab1.send('doc-close', { textId: 'doc:a' });
		await open(tab2, 'doc:d');
		for (const socket of [writer.socket, tab1, tab2]) socket.ws.close(1000);
	}, 30_000);
});
