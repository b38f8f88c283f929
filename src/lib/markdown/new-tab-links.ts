import type { MarkdownIt } from 'markdown-it';

/**
 * Makes every link `md` renders open in a new tab that cannot reach back into this page
 * (`rel=noopener noreferrer`), with no search-ranking credit for what users posted (`nofollow`). Shared by
 * chat messages and workspace docs, whose parsers otherwise differ.
 */
export function newTabLinks(md: MarkdownIt): MarkdownIt {
	const defaultLinkOpen =
		md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
	md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
		tokens[idx]!.attrSet('target', '_blank');
		tokens[idx]!.attrSet('rel', 'noopener noreferrer nofollow');
		return defaultLinkOpen(tokens, idx, options, env, self);
	};
	return md;
}
