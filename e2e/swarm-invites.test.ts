import { expect, test, type Page } from '@playwright/test';
import { signUp } from './support/auth';
import { createSwarm, decodeQr, joinAsDevice, runPrimesJob } from './support/swarm';

/**
 * Issue 13, items 5 and 6 for the swarm: the owner shows a live invite's QR code again; revoking an invite
 * stops new joins only (its devices keep computing); disconnecting is its own action, asked first, per
 * device or for all devices of an invite; a disconnected device's page says so and offers nothing; left
 * and disconnected devices leave the live table for "Past devices"; the chunk progress bar is labelled.
 */
async function expectEnded(device: Page, reason: RegExp) {
	await expect(device.getByTestId('device-ended-reason')).toHaveText(reason);
	await expect(device.getByRole('button', { name: 'Re-run benchmark' })).toHaveCount(0);
	await expect(device.getByRole('button', { name: 'Leave swarm' })).toHaveCount(0);
}

test('invites are shown again and revoked without kicking devices; disconnecting is explicit', async ({ browser }) => {
	test.setTimeout(120_000);
	const owner = await (await browser.newContext()).newPage();
	await signUp(owner, undefined, 'Invite Owner');
	await createSwarm(owner);
	await owner.getByRole('button', { name: 'Create join link' }).click();
	const first = await decodeQr(owner.getByTestId('join-qr'));
	const inviteRow = owner.getByTestId('invite-row');
	await expect(inviteRow).toHaveCount(1);
	const inviteId = (await inviteRow.getAttribute('data-invite'))!;
	const firstInvite = owner.locator(`[data-testid="invite-row"][data-invite="${inviteId}"]`);

	// After a reload the QR code is gone; "Show QR" brings back the same link.
	await owner.reload();
	await expect(owner.getByTestId('dashboard-status')).toHaveText('connected');
	await expect(owner.getByTestId('join-qr')).toHaveCount(0);
	await owner.getByRole('button', { name: `Show QR code of invite ${inviteId}` }).click();
	expect(await decodeQr(owner.getByTestId('join-qr'))).toBe(first);

	const phone = await (await browser.newContext()).newPage();
	await joinAsDevice(phone, first, 'Kept phone');
	const phoneRow = owner.getByTestId('device-row').filter({ hasText: 'Kept phone' });
	await expect(phoneRow.getByTestId('device-status')).toHaveText('online');

	// Revoking the invite: nobody new joins with it...
	await owner.getByRole('button', { name: `Revoke invite ${inviteId}` }).click();
	await expect(firstInvite.getByTestId('invite-state')).toHaveText('revoked');
	const late = await (await browser.newContext()).newPage();
	await late.goto(first);
	await late.getByLabel('Device name').fill('Late phone');
	await late.getByRole('button', { name: 'Join and lend my CPU' }).click();
	await expect(late.getByTestId('join-error')).toHaveText('This invite was revoked.');
	// ...but the phone that joined with it keeps computing: it takes chunks of a job submitted afterwards.
	await runPrimesJob(owner);
	await expect(phone.getByTestId('runner-done')).toHaveText('10');
	await expect(phone.getByTestId('device-connection')).toHaveText('connected');
	const progress = phone.getByRole('progressbar', { name: 'Current chunk progress', exact: true });
	await expect(progress).toHaveAttribute('aria-valuenow', /^\d+$/);

	// The late device pastes a fresh invite: the old refusal goes away, and it joins.
	await owner.getByRole('button', { name: 'Create join link' }).click();
	const second = await owner.getByTestId('join-link').inputValue();
	expect(second).not.toBe(first);
	await late.getByLabel('Invite link or code').fill(second);
	await expect(late.getByTestId('join-error')).toHaveCount(0);
	await late.getByRole('button', { name: 'Join and lend my CPU' }).click();
	await expect(late.getByTestId('device-connection')).toHaveText('connected');
	const lateRow = owner.getByTestId('device-row').filter({ hasText: 'Late phone' });
	await expect(lateRow.getByTestId('device-status')).toHaveText('online');

	// Disconnecting one device is asked first; Cancel changes nothing.
	await lateRow.getByRole('button', { name: 'Disconnect Late phone' }).click();
	const dialog = owner.getByRole('dialog', { name: 'Disconnect Late phone?' });
	await dialog.getByRole('button', { name: 'Cancel' }).click();
	await expect(dialog).toHaveCount(0);
	await lateRow.getByRole('button', { name: 'Disconnect Late phone' }).click();
	await dialog.getByRole('button', { name: 'Disconnect' }).click();
	await expectEnded(late, /^The swarm's owner disconnected this device/);
	// Its row leaves the live table (the marker that the disconnect was processed) for "Past devices".
	await expect(lateRow).toHaveCount(0);
	// The kept phone, of the other invite, carries on (checked only after the disconnect above landed).
	await expect(phoneRow.getByTestId('device-status')).toHaveText('online');
	await expect(phone.getByTestId('device-connection')).toHaveText('connected');

	// Disconnecting every device of the revoked invite, also asked first.
	await expect(firstInvite.getByTestId('invite-devices')).toHaveText('1 device connected');
	await owner.getByRole('button', { name: `Disconnect the devices of invite ${inviteId}` }).click();
	await owner.getByRole('dialog', { name: 'Disconnect 1 device?' }).getByRole('button', { name: 'Disconnect' }).click();
	await expectEnded(phone, /^The swarm's owner disconnected this device/);
	await expect(owner.getByTestId('device-row')).toHaveCount(0);

	// Both are folded into "Past devices", closed until opened.
	const past = owner.getByTestId('past-devices');
	await expect(past.locator('summary')).toHaveText('Past devices (2)');
	await expect(past.getByTestId('past-device').first()).toBeHidden();
	await past.locator('summary').click();
	await expect(past.getByTestId('past-device-status')).toHaveText(['disconnected', 'disconnected']);

	// A disconnected device that reloads is told at once, instead of retrying a dead credential.
	await phone.reload();
	await expectEnded(phone, /^The swarm's owner disconnected this device/);
});
