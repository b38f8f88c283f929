import { describe, expect, it } from 'vitest';
import { seededRandom, testSeed } from '../../testing/seeded-random';
import { renderMessage } from './message-markdown';

/**
 * The chat renderer, in workerd (no DOM, as on the server): what the subset renders, which links exist,
 * and, over seeded random mixes of hostile fragments, that the output never holds a tag, attribute or
 * URL outside the allowlist. e2e/chat-markdown-xss.test.ts puts the same inputs into Chromium.
 */

const TAGS = new Set(['p', 'br', 'em', 'strong', 's', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'span']);
const ATTRS: Record<string, Set<string>> = {
	a: new Set(['href', 'title', 'target', 'rel']),
	span: new Set(['class', 'data-mention']),
	code: new Set(['class']),
	ol: new Set(['start'])
};
const SAFE_URL = /^(?:https?:\/\/|mailto:)/i;

/** Every tag of the output with its attributes; text never holds a raw "<", so each "<" opens a tag. */
function tags(html: string) {
	const found: { tag: string; attrs: [string, string][] }[] = [];
	for (const m of html.matchAll(/<\/?([a-z0-9]+)((?:\s+[a-z-]+="[^"]*")*)\s*\/?>|</g)) {
		if (m[1] === undefined) throw new Error(`a "<" that is not a tag in ${JSON.stringify(html)}`);
		const attrs = [...m[2].matchAll(/([a-z-]+)="([^"]*)"/g)].map((a): [string, string] => [a[1], a[2]]);
		found.push({ tag: m[1], attrs });
	}
	return found;
}

function expectSafe(html: string) {
	for (const { tag, attrs } of tags(html)) {
		expect(TAGS, `tag <${tag}> in ${html}`).toContain(tag);
		for (const [name, value] of attrs) {
			expect(ATTRS[tag]?.has(name), `attribute ${name} on <${tag}> in ${html}`).toBe(true);
			if (name === 'href') expect(value, html).toMatch(SAFE_URL);
		}
		if (tag === 'a' && attrs.length > 0) {
			expect(attrs).toContainEqual(['target', '_blank']);
			expect(attrs).toContainEqual(['rel', 'noopener noreferrer nofollow']);
		}
	}
}

describe('chat markdown', () => {
	it('renders the subset: bold, italic, strike, code, code blocks, quotes, lists, line breaks', () => {
		expect(renderMessage('**b** *i* _i_ ~~s~~ `c`')).toBe(
			'<p><strong>b</strong> <em>i</em> <em>i</em> <s>s</s> <code>c</code></p>\n'
		);
		expect(renderMessage('```js\nlet a = 1;\n```')).toBe('<pre><code class="language-js">let a = 1;\n</code></pre>\n');
		expect(renderMessage('> quoted\n\n- one\n- two\n\n3. three')).toBe(
			'<blockquote>\n<p>quoted</p>\n</blockquote>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<ol start="3">\n<li>three</li>\n</ol>\n'
		);
		expect(renderMessage('line one\nline two')).toBe('<p>line one<br>\nline two</p>\n');
	});

	it('leaves headings, tables, images, rules and indented code as the text that was typed', () => {
		expect(renderMessage('# not a heading')).toBe('<p># not a heading</p>\n');
		expect(renderMessage('| a |\n|---|\n| 1 |')).toBe('<p>| a |<br>\n|---|<br>\n| 1 |</p>\n');
		expect(renderMessage('![alt](https://example.com/x.png)')).toBe(
			'<p>!<a href="https://example.com/x.png" target="_blank" rel="noopener noreferrer nofollow">alt</a></p>\n'
		);
		expect(renderMessage('a\n---')).toBe('<p>a<br>\n---</p>\n');
		expect(renderMessage('    indented')).toBe('<p>indented</p>\n');
	});

	it('escapes raw HTML everywhere: text, inline code, code blocks, entities', () => {
		expect(renderMessage('<img src=x onerror=alert(1)>')).toBe('<p>&lt;img src=x onerror=alert(1)&gt;</p>\n');
		expect(renderMessage('`<script>alert(1)</script>`')).toBe(
			'<p><code>&lt;script&gt;alert(1)&lt;/script&gt;</code></p>\n'
		);
		expect(renderMessage('```\n<iframe src="javascript:alert(1)">\n```')).toBe(
			'<pre><code>&lt;iframe src=&quot;javascript:alert(1)&quot;&gt;\n</code></pre>\n'
		);
		// Entities are not decoded: what was typed is what is shown.
		expect(renderMessage('&lt;b&gt; &#60;')).toBe('<p>&amp;lt;b&amp;gt; &amp;#60;</p>\n');
	});

	it('links http(s) and mailto, opening a new tab without the opener or ranking credit', () => {
		const rel = 'target="_blank" rel="noopener noreferrer nofollow"';
		expect(renderMessage('see https://example.com/a?b=1&c=2.')).toBe(
			`<p>see <a href="https://example.com/a?b=1&amp;c=2" ${rel}>https://example.com/a?b=1&amp;c=2</a>.</p>\n`
		);
		expect(renderMessage('[docs](https://example.org/docs) <http://example.net> ada@example.com')).toBe(
			`<p><a href="https://example.org/docs" ${rel}>docs</a> <a href="http://example.net" ${rel}>http://example.net</a> <a href="mailto:ada@example.com" ${rel}>ada@example.com</a></p>\n`
		);
		expect(renderMessage('www.example.com and example.io')).toBe(
			`<p><a href="http://www.example.com" ${rel}>www.example.com</a> and <a href="http://example.io" ${rel}>example.io</a></p>\n`
		);
	});

	it('does not link file names that look like country domains', () => {
		expect(renderMessage('edit README.md and setup.py')).toBe('<p>edit README.md and setup.py</p>\n');
	});

	it('never makes a link of javascript:, data:, vbscript:, file:, relative or other schemes', () => {
		for (const url of [
			'javascript:alert(1)',
			'JaVaScRiPt:alert(1)',
			'javascript&#58;alert(1)',
			'&#106;avascript:alert(1)',
			'java%0ascript:alert(1)',
			' javascript:alert(1)',
			'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
			'data:image/png;base64,iVBORw0KGgo=',
			'vbscript:msgbox(1)',
			'file:///etc/passwd',
			'/chat/elsewhere',
			'//evil.example',
			'#top',
			'ftp://example.com'
		]) {
			for (const source of [`[x](${url})`, `<${url}>`, url, `[x][1]\n\n[1]: ${url}`]) {
				const html = renderMessage(source);
				expect(html, source).not.toContain('<a');
				expectSafe(html);
			}
		}
	});

	it('keeps a title attribute inert and quotes escaped', () => {
		const html = renderMessage('[a](https://x.example "t\\" onmouseover=\\"alert(1)")');
		expect(html).toContain('title="t&quot; onmouseover=&quot;alert(1)"');
		expectSafe(html);
	});

	it('marks mentions, the reader’s own more strongly, never in code, links or e-mail addresses', () => {
		expect(renderMessage('hi @Ada and @bob', { me: 'bob' })).toBe(
			'<p>hi <span class="mention" data-mention="ada">@Ada</span> and <span class="mention mention-me" data-mention="bob">@bob</span></p>\n'
		);
		expect(renderMessage('**@ada** `@bob`\n```\n@cy\n```')).toBe(
			'<p><strong><span class="mention" data-mention="ada">@ada</span></strong> <code>@bob</code></p>\n<pre><code>@cy\n</code></pre>\n'
		);
		expect(renderMessage('[@ada](https://x.example) ada@example.com')).not.toContain('mention');
		expect(renderMessage('@__proto__ @constructor')).toContain('data-mention="__proto__"');
	});

	it('outputs only allowlisted tags, attributes and URLs for random mixes of hostile fragments', () => {
		const fragments = [
			'**',
			'*',
			'_',
			'~~',
			'`',
			'```',
			'\n',
			'\n\n',
			'> ',
			'- ',
			'1. ',
			'[',
			']',
			'(',
			')',
			'<',
			'>',
			'"',
			"'",
			'&',
			'&#x3C;',
			'\\',
			'@ada',
			'javascript:alert(1)',
			'data:text/html,<script>alert(1)</script>',
			'https://example.com/',
			'mailto:a@b.co',
			'www.example.com',
			'<img src=x onerror=alert(1)>',
			'<script>alert(1)</script>',
			'<a href="javascript:alert(1)">x</a>',
			'onclick=alert(1)',
			'" onmouseover="',
			'<svg/onload=alert(1)>',
			'<style>',
			'![i](',
			'|',
			'#',
			' ',
			'text',
			'\t',
			'<!--',
			'-->',
			'\u2028'
		];
		const random = seededRandom(testSeed('chat markdown fuzz'));
		for (let round = 0; round < 3_000; round++) {
			let source = '';
			for (let n = 1 + Math.floor(random() * 14); n > 0; n--)
				source += fragments[Math.floor(random() * fragments.length)];
			expectSafe(renderMessage(source, { me: 'ada' }));
		}
	});
});
