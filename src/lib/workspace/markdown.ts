import MarkdownIt from 'markdown-it';

/**
 * Markdown to HTML for doc previews, with markdown-it: safe by default (raw HTML in the source is
 * escaped, not rendered — `html: false` — and links to javascript:, vbscript:, file: and non-image
 * data: URLs are refused by its validateLink), CommonMark-compliant, well kept and without a DOM, so no
 * sanitiser has to run after it. Links open in a new tab without handing it this window.
 */
const md = new MarkdownIt({ html: false, linkify: true, typographer: false });
const defaultLinkOpen =
	md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
	tokens[idx].attrSet('target', '_blank');
	tokens[idx].attrSet('rel', 'noopener noreferrer nofollow');
	return defaultLinkOpen(tokens, idx, options, env, self);
};

export function renderMarkdown(source: string): string {
	return md.render(source);
}
