import { expect, test } from '@playwright/test';
import { uniqueName } from './support/auth';
import { connected, signUp } from './support/chat';

test('two people chat, react, see typing and presence, and find the history after a reload', async ({
	browser,
	baseURL
}) => {
	const alice = await (await browser.newContext()).newPage();
	const bob = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage(); // phone width
	await signUp(alice, baseURL!, 'Alice Chat');
	await signUp(bob, baseURL!, 'Bob Chat');

	const roomName = uniqueName('room');
	await alice.goto('/chat');
	await alice.getByLabel('Room name').fill(roomName);
	await alice.getByRole('button', { name: 'Create room' }).click();
	await expect(alice.getByRole('heading', { level: 1 })).toHaveText(roomName);
	const roomId = new URL(alice.url()).pathname.split('/').pop()!;
	await connected(alice);

	await bob.goto('/chat');
	await bob.getByRole('button', { name: `Join ${roomName}` }).click();
	await expect(bob).toHaveURL(`/chat/${roomId}`);
	await connected(bob);

	// Presence: each sees the other online.
	await expect(alice.getByTestId('online-list').first()).toContainText('Bob Chat');
	await expect(bob.getByTestId('online-list').first()).toContainText('Alice Chat');

	// Typing shows on the other side, then the message arrives.
	await alice.getByLabel('Message', { exact: true }).pressSequentially('hello bo');
	await expect(bob.getByTestId('typing')).toHaveText('Alice Chat is typing…');
	await alice.getByLabel('Message', { exact: true }).pressSequentially('b');
	await alice.getByLabel('Message', { exact: true }).press('Enter');
	const bobList = bob.getByTestId('message-list');
	await expect(bobList.getByTestId('message-text')).toHaveText(['hello bob']);
	await expect(bob.getByTestId('typing')).toHaveText('');

	// Bob answers with the keyboard only and reacts to Alice's message.
	await bob.getByLabel('Message', { exact: true }).fill('hi alice');
	await bob.getByRole('button', { name: 'Send' }).click();
	await expect(alice.getByTestId('message-text')).toHaveText(['hello bob', 'hi alice']);
	const aliceMessage = bobList.getByTestId('message').filter({ hasText: 'hello bob' });
	await aliceMessage.getByRole('button', { name: 'Add reaction' }).click();
	await aliceMessage.getByRole('button', { name: 'React with 👍' }).click();
	await expect(alice.getByTestId('reaction')).toHaveText('👍 1');
	await expect(aliceMessage.getByTestId('reaction')).toHaveAttribute('aria-pressed', 'true');

	// A bot posts over REST with Alice's session: it shows up live for Bob.
	const rest = await alice.request.post('/api/messages', { data: { room: roomId, text: 'posted by a bot' } });
	expect(rest.status()).toBe(201);
	await expect(bobList.getByTestId('message-text')).toHaveText(['hello bob', 'hi alice', 'posted by a bot']);

	// Alice edits and deletes her own messages.
	const botLine = alice.getByTestId('message').filter({ hasText: 'posted by a bot' });
	await botLine.hover();
	alice.once('dialog', (dialog) => dialog.accept());
	await botLine.getByRole('button', { name: 'Delete' }).click();
	await expect(bobList.getByTestId('message-text').last()).toHaveText('This message was deleted.');

	// Bob reloads: history, reaction and tombstone are all there.
	await bob.reload();
	await connected(bob);
	await expect(bob.getByTestId('message-text')).toHaveText(['hello bob', 'hi alice', 'This message was deleted.']);
	await expect(bob.getByTestId('reaction')).toHaveText('👍 1');

	// Bob leaves: Alice sees him go (she sees him back after his reload first, so his going is what she sees).
	await expect(alice.getByTestId('online-list').first()).toContainText('Bob Chat');
	await bob.getByRole('button', { name: 'Leave' }).click();
	await expect(bob).toHaveURL('/chat');
	await expect(alice.getByTestId('online-list').first()).not.toContainText('Bob Chat');
});

test('a private room is reachable only by invite link', async ({ browser, baseURL }) => {
	const owner = await (await browser.newContext()).newPage();
	const guest = await (await browser.newContext()).newPage();
	await signUp(owner, baseURL!, 'Owner Private');
	await signUp(guest, baseURL!, 'Guest Private');
	const roomName = uniqueName('secret');
	await owner.goto('/chat');
	await owner.getByLabel('Room name').fill(roomName);
	await owner.getByRole('radio', { name: /Private/ }).check();
	await owner.getByRole('button', { name: 'Create room' }).click();
	await expect(owner.getByRole('heading', { level: 1 })).toHaveText(roomName);
	const roomUrl = new URL(owner.url()).pathname;

	await guest.goto('/chat');
	await expect(guest.getByText(roomName)).toHaveCount(0);
	await guest.goto(roomUrl);
	await expect(guest.getByText(/No such room/)).toBeVisible();
	const socket = await guest.request.get(`${roomUrl}/ws`, { headers: { upgrade: 'websocket' } });
	expect(socket.status()).toBe(404);

	await owner.getByRole('button', { name: 'Invite link' }).click();
	const invite = await owner.getByLabel(/Invite link/).inputValue();
	await guest.goto(invite);
	await guest.getByRole('button', { name: 'Join room' }).click();
	await expect(guest).toHaveURL(roomUrl);
	await connected(guest);
	await guest.getByLabel('Message', { exact: true }).fill('thanks for the invite');
	await guest.getByLabel('Message', { exact: true }).press('Enter');
	await expect(owner.getByTestId('message-text')).toHaveText(['thanks for the invite']);
});
