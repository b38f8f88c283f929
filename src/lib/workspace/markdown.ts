import MarkdownIt from 'markdown-it';
import { newTabLinks } from '$lib/markdown/new-tab-links';

/**
 * Markdown to HTML for doc previews, with markdown-it: safe by default (raw HTML in the source is
 * escaped, not rendered — `html: false` — and links to javascript:, vbscript:, file: and non-image
 * data: URLs are refused by its validateLink), CommonMark-compliant, well kept and without a DOM, so no
 * sanitiser has to run after it. Links open in a new tab without handing it this window.
 */
const md = newTabLinks(new MarkdownIt({ html: false, linkify: true, typographer: false }));

export function renderMarkdown(source: string): string {
	return md.render(source);
}
