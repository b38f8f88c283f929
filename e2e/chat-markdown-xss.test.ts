import { expect, test, type Page } from '@playwright/test';
import { uniqueName } from './support/auth';
import { connected, signUp } from './support/chat';

/**
 * Hostile markdown in real Chromium: the messages go through the room like any other (REST, so one
 * request each) and are rendered live and again from history after a reload. Whatever they try, the
 * message list holds no script-capable element or attribute, every link is http(s)/mailto with
 * rel/target set, and no dialog ever opens. Each absence is checked after a positive marker sent last has
 * rendered, so the payloads before it were processed.
 */

const PAYLOADS = [
	// links with script-capable schemes, plain and disguised, inline and as autolinks
	'[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](javascript&#58;alert(1)) [d](&#106;avascript:alert(1))\n\n<javascript:alert(1)> [e]( javascript:alert(1))',
	'[f](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) <data:text/html,<script>alert(1)</script>> [g](vbscript:msgbox(1)) [h](file:///etc/passwd) [i]()',
	// raw HTML, which must stay text
	'<img src=x onerror=alert(1)> <svg/onload=alert(1)> <iframe src="javascript:alert(1)"></iframe>\n\n<script>alert(1)</script> <a href="javascript:alert(1)">x</a> <style>*{display:none}</style>',
	// HTML inside code spans and blocks, and an info string trying to break out of its class attribute
	'`<img src=x onerror=alert(1)>` ``<script>alert(1)</script>``\n\n```"><img src=x onerror=alert(1)>\n<script>alert(1)</script>\n```',
	// nested constructs
	'**[x](javascript:alert(1))** > - [y](data:text/html,x)\n\n> - **_~~[z](javascript:alert(1))~~_**\n> ```\n> <img src=x onerror=alert(1)>\n> ```\n\n[![i](javascript:alert(1))](javascript:alert(1))',
	// attribute breakouts through titles and URLs; autolink edge cases
	'[t](https://example.com "x\\" onmouseover=\\"alert(1)") https://example.com/"onmouseover="alert(1) http://example.com/<script>alert(1)</script>\n\nwww.example.com/javascript:alert(1) mailto:javascript:alert(1) //example.com/x'
];

async function post(page: Page, room: string, text: string) {
	const response = await page.request.post('/api/messages', { data: { room, text } });
	expect(response.status(), text).toBe(201);
}

/** Everything in the message list that could run script or leave through an unchecked URL. */
async function unsafeNodes(page: Page) {
	return page.getByTestId('message-list').evaluate((list) => {
		const found: string[] = [];
		const dangerous = 'script, iframe, object, embed, img, svg, math, style, link, meta, base, form, input, frame';
		for (const el of list.querySelectorAll(dangerous)) found.push(`<${el.localName}>`);
		for (const el of list.querySelectorAll('*')) {
			for (const attr of el.attributes) if (/^on/i.test(attr.name)) found.push(`${el.localName}[${attr.name}]`);
		}
		// Inside message bodies (our own avatars may style themselves): no URL-loading or styling attribute.
		for (const el of list.querySelectorAll('.chat-text *')) {
			for (const attr of el.attributes) {
				if (['src', 'srcdoc', 'action', 'formaction', 'xlink:href', 'style'].includes(attr.name))
					found.push(`${el.localName}[${attr.name}]`);
			}
		}
		for (const a of list.querySelectorAll('.chat-text a')) {
			const href = a.getAttribute('href') ?? '';
			if (!/^(?:https?:\/\/|mailto:)/i.test(href)) found.push(`a[href=${href}]`);
			if (a.getAttribute('target') !== '_blank' || a.getAttribute('rel') !== 'noopener noreferrer nofollow')
				found.push(`a[href=${href}] without target/rel`);
		}
		return found;
	});
}

test('hostile markdown renders as text: no script-capable DOM, only safe links, no dialog', async ({
	page,
	baseURL
}) => {
	const dialogs: string[] = [];
	page.on('dialog', (dialog) => {
		dialogs.push(dialog.message());
		void dialog.dismiss();
	});
	await signUp(page, baseURL!, 'Mallory Markdown');
	await page.goto('/chat');
	await page.getByLabel('Room name').fill(uniqueName('xss'));
	await page.getByRole('button', { name: 'Create room' }).click();
	await connected(page);
	const room = new URL(page.url()).pathname.split('/').pop()!;
	const list = page.getByTestId('message-list');

	// Positive marker first: formatting does render (a check that only passes on plain text proves nothing).
	await post(page, room, '**bold** _it_ `code` https://example.com/ok');
	const first = list.getByTestId('message-text').first();
	await expect(first.locator('strong')).toHaveText('bold');
	await expect(first.locator('em')).toHaveText('it');
	await expect(first.locator('code')).toHaveText('code');
	await expect(first.getByRole('link', { name: 'https://example.com/ok' })).toHaveAttribute(
		'href',
		'https://example.com/ok'
	);

	for (const payload of PAYLOADS) await post(page, room, payload);
	await post(page, room, 'end of payloads **done**');
	for (const view of ['live', 'history after a reload']) {
		await expect(list.getByTestId('message-text').last().locator('strong'), view).toHaveText('done');
		await expect(list.getByTestId('message-text')).toHaveCount(PAYLOADS.length + 2);
		// What was typed is shown as text: the tags are visible characters, not elements.
		await expect(list.getByText('<img src=x onerror=alert(1)>', { exact: false }).first()).toBeVisible();
		await expect(list.locator('pre code').first()).toContainText('<script>alert(1)</script>');
		// Handlers would fire on hover; hover every message once.
		for (const message of await list.getByTestId('message').all()) await message.hover();
		expect(await unsafeNodes(page), view).toEqual([]);
		// The only links: the marker's, the title one, the autolinks with a scheme or www (cut where the URL ends).
		expect(await list.locator('.chat-text a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual(
			[
				'https://example.com/ok',
				'https://example.com',
				'https://example.com/%22onmouseover=%22alert(1)',
				'http://example.com/',
				'http://www.example.com/javascript:alert(1)'
			]
		);
		if (view === 'live') {
			await page.reload();
			await connected(page);
		}
	}
	expect(dialogs).toEqual([]);
});
