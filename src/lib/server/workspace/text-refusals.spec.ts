import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DOC_STATE_MAX_BYTES, DOC_UPDATE_MAX_BYTES, TEXT_ROOT, toBase64 } from '$lib/protocol/doc-limits';
import { signedInUser } from '../../../testing/users';
import {
	connect,
	createItems,
	createWorkspaceVia,
	postAction,
	tokenFor,
	type TestSocket
} from '../../../testing/workspace';
import type { WorkspaceSync } from './workspace-sync';

/**
 * What the WorkspaceSync object refuses of a text, through the whole worker on raw sockets: each refusal
 * is the contract's error frame naming the text (`ref`), and the text is unchanged after it — the next
 * client to open it gets exactly what was accepted before.
 */
const TEXT = 'doc:guarded';

/** A Yjs update inserting `content` at the start of a text whose state is `base` (a client's edit). */
function edit(base: Uint8Array, content: string): Uint8Array {
	const doc = new Y.Doc();
	Y.applyUpdate(doc, base);
	const before = Y.encodeStateVector(doc);
	doc.getText(TEXT_ROOT).insert(0, content);
	return Y.encodeStateAsUpdate(doc, before);
}

async function opened(socket: TestSocket, textId = TEXT) {
	socket.send('doc-open', { textId, stateVector: toBase64(Y.encodeStateVector(new Y.Doc())) });
	const sync = await socket.next('doc-sync', (m) => m.payload.textId === textId);
	const doc = new Y.Doc();
	Y.applyUpdate(
		doc,
		Uint8Array.from(atob(sync.payload.update), (c) => c.charCodeAt(0))
	);
	return doc;
}

async function refusal(socket: TestSocket) {
	return (await socket.next('error')).payload;
}

describe('refused text updates', () => {
	it('refuses corrupt, oversized, unopened, over-limit and viewer updates with the text intact', async () => {
		const owner = await signedInUser(env);
		const viewer = await signedInUser(env);
		const workspaceId = await createWorkspaceVia(owner.cookie, 'refusals');
		await postAction(owner.cookie, `/workspace/${workspaceId}/members?/add`, {
			username: viewer.user.username,
			role: 'viewer'
		});
		await createItems(workspaceId, await tokenFor(owner.cookie), [TEXT]);
		const editor = await connect(workspaceId, await tokenFor(owner.cookie));
		const reader = await connect(workspaceId, await tokenFor(viewer.cookie));
		const doc = await opened(editor);
		await opened(reader);

		editor.send('doc-update', { textId: TEXT, update: toBase64(edit(Y.encodeStateAsUpdate(doc), 'kept')) });
		expect((await reader.next('doc-update')).payload.textId).toBe(TEXT);
		const accepted = await runInDurableObject(
			env.WORKSPACE_SYNC.get(env.WORKSPACE_SYNC.idFromName(workspaceId)),
			(object: WorkspaceSync) => Y.encodeStateAsUpdate(object.texts.text(TEXT)!)
		);

		// Corrupt: random bytes, and a real update cut short (its structs readable, its delete set not).
		editor.send('doc-update', { textId: TEXT, update: toBase64(crypto.getRandomValues(new Uint8Array(64))) });
		expect(await refusal(editor)).toMatchObject({ code: 'doc-corrupt-update', ref: TEXT });
		const real = edit(accepted, 'lost half');
		editor.send('doc-update', { textId: TEXT, update: toBase64(real.slice(0, real.length - 1)) });
		expect(await refusal(editor)).toMatchObject({ code: 'doc-corrupt-update', ref: TEXT });

		// Oversized: one update over DOC_UPDATE_MAX_BYTES.
		editor.send('doc-update', { textId: TEXT, update: toBase64(edit(accepted, 'y'.repeat(DOC_UPDATE_MAX_BYTES))) });
		expect(await refusal(editor)).toMatchObject({ code: 'doc-update-too-large', ref: TEXT });

		// A text not opened on this socket.
		editor.send('doc-update', { textId: 'doc:other', update: toBase64(edit(new Uint8Array([0, 0]), 'z')) });
		expect(await refusal(editor)).toMatchObject({ code: 'doc-not-open', ref: 'doc:other' });

		// A viewer reads but never writes.
		reader.send('doc-update', { textId: TEXT, update: toBase64(edit(accepted, 'viewer was here')) });
		expect(await refusal(reader)).toMatchObject({ code: 'forbidden', ref: TEXT });

		// The stored state may not grow past DOC_STATE_MAX_BYTES: big pastes fill it, the next is refused.
		let base = accepted;
		const paste = Math.floor(DOC_UPDATE_MAX_BYTES * 0.9);
		let filled = 0;
		for (; filled + paste < DOC_STATE_MAX_BYTES; filled += paste) {
			const update = edit(base, String.fromCharCode(97 + filled / paste).repeat(paste));
			editor.send('doc-update', { textId: TEXT, update: toBase64(update) });
			await reader.next('doc-update');
			base = Y.mergeUpdates([base, update]);
		}
		editor.send('doc-update', { textId: TEXT, update: toBase64(edit(base, 'q'.repeat(paste))) });
		expect(await refusal(editor)).toMatchObject({ code: 'doc-too-large', ref: TEXT });

		// Nothing refused reached the text: a fresh client gets exactly what was accepted.
		const late = await connect(workspaceId, await tokenFor(owner.cookie));
		const text = (await opened(late)).getText(TEXT_ROOT).toString();
		const expected = new Y.Doc();
		Y.applyUpdate(expected, base);
		expect(text).toBe(expected.getText(TEXT_ROOT).toString());
		expect(text.endsWith('kept')).toBe(true);
		expect(text).not.toMatch(/lost|viewer|q/);
		// And the socket that sent garbage still works.
		editor.send('doc-update', { textId: TEXT, update: toBase64(edit(base, 'still here ')) });
		expect((await late.next('doc-update')).payload.textId).toBe(TEXT);
		for (const socket of [editor, reader, late]) socket.ws.close(1000);
	}, 60_000);

	it('migrates a doc body written before docs were Yjs texts into its text, once', async () => {
		const owner = await signedInUser(env);
		const workspaceId = await createWorkspaceVia(owner.cookie, 'legacy');
		const token = await tokenFor(owner.cookie);
		const writer = await connect(workspaceId, token);
		const hello = (await writer.next('hello')).payload;
		const event = (clientSeq: number, name: 'doc.created' | 'doc.bodySet', body: string) =>
			({ name, args: { id: 'old', title: 'Old doc', body }, clientId: 'legacy-client', clientSeq, at: 1 }) as never;
		writer.send('push', {
			parent: hello.head,
			events: [event(1, 'doc.created', 'first'), event(2, 'doc.bodySet', 'Legacy body')]
		});
		await writer.next('events');

		// Two clients open it at the same moment: the body is inserted once, by the object.
		const [a, b] = [await connect(workspaceId, token), await connect(workspaceId, token)];
		const [docA, docB] = await Promise.all([opened(a, 'doc:old'), opened(b, 'doc:old')]);
		expect(docA.getText(TEXT_ROOT).toString()).toBe('Legacy body');
		expect(docB.getText(TEXT_ROOT).toString()).toBe('Legacy body');
		for (const socket of [writer, a, b]) socket.ws.close(1000);
	}, 30_000);
});
