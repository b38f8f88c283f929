import MarkdownIt from 'markdown-it';
import type { StateCore, StateInline } from 'markdown-it';
import { newTabLinks } from '$lib/markdown/new-tab-links';
import { mentionSpans } from './mentions';

/**
 * A chat message's text (its stored source) to HTML, with markdown-it: a subset of CommonMark that
 * suits chat — bold, italic, ~~strike~~, `inline code`, fenced code blocks, quotes, lists, links — and
 * nothing else. Headings, tables, images, rules and indented code are left out on purpose: a line
 * starting with "#" or four spaces, or a "---" under a line, is ordinary chat, not a layout.
 *
 * Why this is safe without a sanitiser: markdown-it escapes every character of text it emits
 * (`html: false`, and the html_block/html_inline rules stay off, so `<img onerror=…>` is shown as text),
 * the only tags in the output are those of the enabled rules plus our mention <span>, and a link exists
 * only when `validateLink` accepts its (normalised) URL: absolute http(s) or mailto, never javascript:,
 * data:, vbscript:, file: or a relative one. A refused link stays visible as the text that was typed.
 * message-markdown.node.spec.ts checks the output's tags and attributes against that allowlist.
 */

const md = new MarkdownIt('zero', { html: false, linkify: true, breaks: true });
md.enable([
	// block
	'blockquote',
	'fence',
	'list',
	// inline
	'escape',
	'newline',
	'backticks',
	'emphasis',
	'strikethrough',
	'link',
	'autolink',
	'linkify'
]);

const LINK_ALLOWED = /^(?:https?:\/\/|mailto:)/i;
md.validateLink = (url: string) => LINK_ALLOWED.test(url);

/**
 * Autolinks: URLs with a scheme, e-mail addresses, and bare hosts (www.example.com, example.io) under
 * common generic top-level domains only. Every two-letter country domain, linkify-it's default, would turn
 * README.md, setup.py or main.rs into links to hosts nobody meant.
 */
md.linkify.set({ fuzzyLink: true, tlds: ['com', 'org', 'net', 'edu', 'gov', 'io', 'dev', 'app', 'info'] });

newTabLinks(md);

/**
 * markdown-it keeps `[label]()` as a link with an empty href (validateLink is only asked about a
 * destination that was written): such a link is unwrapped to its label, so every <a> has an allowed URL.
 */
function unwrapInvalidLinks(state: StateCore) {
	for (const block of state.tokens) {
		if (block.type !== 'inline' || !block.children) continue;
		const dropped: boolean[] = [];
		block.children = block.children.filter((token) => {
			if (token.type === 'link_open') {
				const drop = !LINK_ALLOWED.test(String(token.attrGet('href') ?? ''));
				dropped.push(drop);
				return !drop;
			}
			if (token.type === 'link_close') return !dropped.pop();
			return true;
		});
	}
}
md.core.ruler.push('chat_unwrap_invalid_links', unwrapInvalidLinks);

/** Longest stretch mentions.ts needs to judge a mention: the character before, "@", 32 name characters, one after. */
const MENTION_WINDOW = 35;

/**
 * An @mention is one inline token, decided by the one parser (mentions.ts) on the source around the "@",
 * so emphasis cannot cut through it (`@__init__` stays a mention) and it is never found where that
 * parser would not: in code (the backtick rules run first), after a word character (e-mail addresses),
 * or inside a link's label.
 */
function mention(state: StateInline, silent: boolean): boolean {
	if (state.src.charCodeAt(state.pos) !== 0x40 /* @ */ || state.linkLevel > 0) return false;
	const from = Math.max(0, state.pos - 1);
	const [span] = mentionSpans(state.src.slice(from, state.pos + MENTION_WINDOW));
	if (!span || from + span.start !== state.pos) return false;
	if (!silent) {
		const token = state.push('mention', 'span', 0);
		token.content = state.src.slice(state.pos, from + span.end);
		token.meta = { username: span.username };
	}
	state.pos = from + span.end;
	return true;
}
md.inline.ruler.before('emphasis', 'mention', mention);

export interface RenderEnv {
	/** The reader's username (lower case): mentions of them are marked `mention-me`. */
	me?: string;
}

md.renderer.rules.mention = (tokens, idx, _options, env) => {
	const { content, meta } = tokens[idx];
	const username = String(meta?.username);
	const me = (env as RenderEnv | undefined)?.me === username;
	// The username is [a-z0-9_-] by the parser's rule; it is escaped anyway, like every text here.
	return `<span class="mention${me ? ' mention-me' : ''}" data-mention="${md.utils.escapeHtml(username)}">${md.utils.escapeHtml(content)}</span>`;
};

/** The HTML of one message. Pure and synchronous: the same in the browser, in workerd and in Node. */
export function renderMessage(text: string, env: RenderEnv = {}): string {
	return md.render(text, { ...env });
}
