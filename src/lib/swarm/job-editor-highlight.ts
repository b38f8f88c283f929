import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { tags } from '@lezer/highlight';

/**
 * TypeScript colours for the job editor that read in light and dark: CodeMirror's default style has
 * fixed dark blues and purples, unreadable on the dark surface. These name the app's palette variables
 * (src/app.css), which `.dark` remaps, so each token keeps AA contrast on either theme — the 700 shades
 * on white, their light mirrors on the dark surface. The fallbacks are Tailwind's light values, for a
 * variable no class of the app uses (Tailwind emits only the ones in use).
 */
const style = HighlightStyle.define([
	{
		tag: [tags.keyword, tags.controlKeyword, tags.moduleKeyword, tags.operatorKeyword],
		color: 'var(--color-indigo-700, #4338ca)'
	},
	{ tag: [tags.typeName, tags.className, tags.namespace], color: 'var(--color-emerald-700, #047857)' },
	{ tag: [tags.string, tags.special(tags.string), tags.regexp], color: 'var(--color-green-700, #15803d)' },
	{ tag: [tags.number, tags.bool, tags.null, tags.atom], color: 'var(--color-amber-700, #b45309)' },
	{
		tag: [tags.definition(tags.variableName), tags.function(tags.definition(tags.variableName))],
		color: 'var(--color-red-700, #b91c1c)'
	},
	{
		tag: [tags.comment, tags.lineComment, tags.blockComment, tags.docComment],
		color: 'var(--color-slate-500, #64748b)',
		fontStyle: 'italic'
	},
	{ tag: tags.invalid, color: 'var(--color-red-700, #b91c1c)', textDecoration: 'underline' }
]);

/** Added after basicSetup, whose default style then stays unused (it is only a fallback). */
export const jobHighlighting = syntaxHighlighting(style);
