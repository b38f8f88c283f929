import { expect, test, type Page } from '@playwright/test';
import { gotoHydrated, PASSWORD, uniqueName } from './support/auth';
import { ChannelWire, VERSION_PARAM } from '../src/lib/protocol/channel';
import { workspaceChannel } from '../src/lib/protocol/workspace-channel';
import { PROTOTYPE_NAMES } from '../src/testing/prototype-names';
import { loadNodeCodec } from '../wasm/node/load-codec-node';

/**
 * Task and doc ids that are names of Object.prototype (`constructor`, `__proto__`, `toString`, …) are
 * ordinary ids on the board and the docs page, live, after a reload from the IndexedDB snapshot, and
 * after a snapshot of the old plain-object shape (with the ghost entries the old reducer wrote) is
 * found on the device. The events go through the real token API and workspace socket, as another
 * member's client would send them; the log starts with the edits-before-create that wrote ghosts.
 */

type Event = { name: string; args: Record<string, unknown> };

const names = [...PROTOTYPE_NAMES];
const todo = names.filter((_, i) => i % 2 === 0);
const doing = names.filter((_, i) => i % 2 === 1);
const events: Event[] = [
	...names.flatMap((id): Event[] => [
		{ name: 'task.moved', args: { id, status: 'done', order: 0 } },
		{ name: 'task.titleSet', args: { id, title: 'ghost' } },
		{ name: 'doc.bodySet', args: { id, body: 'ghost' } }
	]),
	...names.flatMap((id, i): Event[] => [
		{ name: 'task.created', args: { id, title: `Task ${id}`, status: 'todo', order: i, assignee: null } },
		{ name: 'doc.created', args: { id, title: `Doc ${id}`, body: `Body of ${id}` } }
	]),
	...doing.map((id, i): Event => ({ name: 'task.moved', args: { id, status: 'doing', order: i } }))
];

/** Signs up through the real form action (no hydration race on a loaded machine). */
async function signUp(page: Page, baseURL: string) {
	const response = await page.request.post('/signup', {
		form: { username: uniqueName('proto'), displayName: 'Proto Ids', password: PASSWORD },
		headers: { origin: new URL(baseURL).origin }
	});
	expect(await response.json()).toMatchObject({ type: 'redirect' });
}

/**
 * Pushes `events` onto the log through the real token endpoint (this page's session) and a workspace
 * socket speaking the channel contract with the built codec, as another client would; returns the new head.
 */
async function pushThroughSocket(page: Page, workspaceId: string, batch: Event[]): Promise<number> {
	const { token } = (await (await page.request.get('/api/workspace/token')).json()) as { token: string };
	const wire = new ChannelWire(workspaceChannel, loadNodeCodec().codec);
	const url = new URL(`/workspace/${workspaceId}/ws`, page.url());
	url.protocol = 'ws:';
	url.searchParams.set('token', token);
	url.searchParams.set(VERSION_PARAM, String(workspaceChannel.version));
	const ws = new WebSocket(url);
	ws.binaryType = 'arraybuffer';
	type Message = ReturnType<typeof wire.decodeServer>;
	const next = (match: (m: Message) => boolean) =>
		new Promise<Message>((resolve, reject) => {
			ws.addEventListener('message', (e) => {
				const message = wire.decodeServer(e.data as ArrayBuffer);
				if (match(message)) resolve(message);
				else if (message.type === 'error' || message.type === 'push-rejected')
					reject(new Error(JSON.stringify(message)));
			});
			ws.addEventListener('close', () => reject(new Error('socket closed')));
		});
	const hello = await next((m) => m.type === 'hello');
	const head = hello.type === 'hello' ? hello.payload.head : 0;
	const clientId = `e2e-${crypto.randomUUID()}`;
	const pending = batch.map((e, i) => ({ ...e, clientId, clientSeq: i + 1, at: Date.now() }));
	const appended = next((m) => m.type === 'events' && m.payload.live);
	ws.send(wire.encodeClient('push', { parent: head, events: pending as never }));
	const answer = await appended;
	ws.close(1000);
	return answer.type === 'events' ? answer.payload.head : 0;
}

/** The confirmed-state snapshot this browser keeps in IndexedDB for the workspace, as the page sees it. */
async function snapshotTasks(page: Page, userId: string, workspaceId: string) {
	return page.evaluate(
		async ({ userId, workspaceId }) => {
			const db = await new Promise<IDBDatabase>((resolve, reject) => {
				const open = indexedDB.open(`murmur-workspace:${userId}`);
				open.onsuccess = () => resolve(open.result);
				open.onerror = () => reject(open.error);
			});
			const row = await new Promise<{ cursor: number; state: { tasks: unknown } } | undefined>((resolve) => {
				const get = db.transaction('snapshots').objectStore('snapshots').get(workspaceId);
				get.onsuccess = () => resolve(get.result);
			});
			db.close();
			if (!row) return null;
			const tasks = row.state.tasks;
			return {
				isMap: tasks instanceof Map,
				constructorStatus: tasks instanceof Map ? (tasks.get('constructor')?.status ?? null) : null
			};
		},
		{ userId, workspaceId }
	);
}

/** Overwrites the snapshot with what the old reducer stored for this log: plain objects holding ghosts. */
async function writeOldShapeSnapshot(page: Page, userId: string, workspaceId: string, cursor: number) {
	await page.evaluate(
		async ({ userId, workspaceId, cursor }) => {
			const db = await new Promise<IDBDatabase>((resolve, reject) => {
				const open = indexedDB.open(`murmur-workspace:${userId}`);
				open.onsuccess = () => resolve(open.result);
				open.onerror = () => reject(open.error);
			});
			const store = db.transaction('snapshots', 'readwrite').objectStore('snapshots');
			const row = await new Promise<{ backendId: string }>((resolve) => {
				const get = store.get(workspaceId);
				get.onsuccess = () => resolve(get.result);
			});
			const ghost = { status: 'done', order: 0 };
			const state = {
				tasks: { constructor: ghost, toString: ghost, valueOf: { ...ghost, title: 'ghost' } },
				docs: { constructor: { body: 'ghost' }, hasOwnProperty: { body: 'ghost' } }
			};
			await new Promise<void>((resolve, reject) => {
				const put = store.put({ workspaceId, backendId: row.backendId, cursor, state });
				put.onsuccess = () => resolve();
				put.onerror = () => reject(put.error);
			});
			db.close();
		},
		{ userId, workspaceId, cursor }
	);
}

async function expectColumn(page: Page, status: 'todo' | 'doing' | 'done', label: string, ids: string[]) {
	const column = page.getByTestId(`column-${status}`);
	await expect(column.getByRole('heading')).toHaveText(`${label} (${ids.length})`);
	await expect(column.getByTestId('task-card')).toHaveCount(ids.length);
	const shown = await column.getByTestId('task-card').evaluateAll((cards) => cards.map((c) => c.dataset.taskId));
	expect(shown).toEqual(ids);
}

async function expectBoard(page: Page, columns: { todo: string[]; doing: string[] }) {
	await expect(page.getByTestId('sync-status')).toHaveText('synced');
	await expectColumn(page, 'todo', 'To do', columns.todo);
	await expectColumn(page, 'doing', 'Doing', columns.doing);
	await expectColumn(page, 'done', 'Done', []);
}

test('prototype-named task and doc ids show as real tasks and docs, live, after a reload and over an old snapshot', async ({
	page,
	baseURL
}) => {
	test.setTimeout(120_000);
	const pageErrors: string[] = [];
	page.on('pageerror', (error) => pageErrors.push(error.message));

	await signUp(page, baseURL!);
	await gotoHydrated(page, '/workspace');
	await page.getByLabel('Workspace name').fill('Prototype ids');
	await page.getByRole('button', { name: 'Create workspace' }).click();
	await expect(page.getByTestId('workspace-name')).toHaveText('Prototype ids');
	const boardPath = new URL(page.url()).pathname;
	const workspaceId = boardPath.split('/').pop()!;
	await expect(page.getByTestId('sync-status')).toHaveText('synced');
	const { userId } = (await (await page.request.get('/api/workspace/token')).json()) as { userId: string };

	// Another client's events arrive while the board is open.
	const head = await pushThroughSocket(page, workspaceId, events);
	expect(head).toBe(events.length);
	await expectBoard(page, { todo, doing });

	// The board's own controls work on these tasks.
	await page.getByRole('button', { name: 'Move Task constructor to Doing' }).click();
	const afterMove = { todo: todo.filter((id) => id !== 'constructor'), doing: [...doing, 'constructor'] };
	await expectBoard(page, afterMove);

	// The docs page lists every doc and opens one by its id (?doc=constructor).
	await page.getByRole('link', { name: 'Docs' }).click();
	const titles = names.map((id) => `Doc ${id}`);
	const sortedTitles = await page.evaluate((t) => [...t].sort((a, b) => a.localeCompare(b)), titles);
	await expect(page.getByTestId('doc-list').getByRole('listitem')).toHaveCount(names.length);
	await expect(page.getByTestId('doc-list').getByRole('button', { name: /^Doc / })).toHaveText(sortedTitles);
	await page.getByRole('button', { name: 'Doc constructor', exact: true }).click();
	await expect(page).toHaveURL(/[?&]doc=constructor\b/);
	await expect(page.getByLabel('Document body')).toHaveText('Body of constructor');
	await page.getByRole('button', { name: 'Doc __proto__', exact: true }).click();
	await expect(page.getByLabel('Document body')).toHaveText('Body of __proto__');

	// Reload from the IndexedDB snapshot: first wait until it holds the move (Maps survive structured cloning).
	await expect
		.poll(() => snapshotTasks(page, userId, workspaceId))
		.toEqual({ isMap: true, constructorStatus: 'doing' });
	await page.goto(boardPath);
	await expectBoard(page, afterMove);

	// A snapshot of the old shape on the device is discarded: the board is rebuilt from the whole log.
	await gotoHydrated(page, '/workspace'); // no board open, so nothing overwrites the row meanwhile
	await writeOldShapeSnapshot(page, userId, workspaceId, head + 1);
	expect(await snapshotTasks(page, userId, workspaceId)).toEqual({ isMap: false, constructorStatus: null });
	await page.goto(boardPath);
	await expectBoard(page, afterMove);
	await expect
		.poll(() => snapshotTasks(page, userId, workspaceId))
		.toEqual({ isMap: true, constructorStatus: 'doing' });
	await page.getByRole('link', { name: 'Docs' }).click();
	await expect(page.getByTestId('doc-list').getByRole('button', { name: /^Doc / })).toHaveText(sortedTitles);

	expect(pageErrors).toEqual([]);
});
