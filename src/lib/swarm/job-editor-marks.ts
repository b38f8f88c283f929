import { StateEffect, StateField, type Extension } from '@codemirror/state';
import { Decoration, EditorView, type DecorationSet } from '@codemirror/view';
import type { CompileError } from '$lib/protocol/job-compile';

/**
 * The job editor's compile-error marks: each line with an error gets a tinted background and its
 * messages as a tooltip (title). They follow edits (mapped through changes) until the next check
 * replaces them. Built on @codemirror/view decorations only, so no lint package is needed.
 */
const setErrors = StateEffect.define<CompileError[]>();

const errorLines = StateField.define<DecorationSet>({
	create: () => Decoration.none,
	update(marks, tr) {
		let next = marks.map(tr.changes);
		for (const effect of tr.effects) if (effect.is(setErrors)) next = decorate(tr.state.doc, effect.value);
		return next;
	},
	provide: (field) => EditorView.decorations.from(field)
});

function decorate(doc: EditorView['state']['doc'], errors: CompileError[]): DecorationSet {
	const byLine = new Map<number, string[]>();
	for (const { line, message } of errors) {
		if (line < 1 || line > doc.lines) continue; // 0: the module as a whole, listed but not marked
		byLine.set(line, [...(byLine.get(line) ?? []), message]);
	}
	const marks = [...byLine.entries()]
		.sort(([a], [b]) => a - b)
		.map(([line, messages]) =>
			Decoration.line({
				class: 'cm-job-error',
				attributes: { title: messages.join('\n'), 'data-testid': 'job-error-line' }
			}).range(doc.line(line).from)
		);
	return Decoration.set(marks);
}

const theme = EditorView.baseTheme({
	'.cm-job-error': { backgroundColor: 'rgb(220 38 38 / 0.14)', boxShadow: 'inset 3px 0 rgb(220 38 38)' }
});

/** The extension to add to the editor. */
export function errorMarks(): Extension {
	return [errorLines, theme];
}

/** Replaces the marks with this check's errors (an empty list clears them). */
export function showErrors(view: EditorView, errors: CompileError[]): void {
	view.dispatch({ effects: setErrors.of(errors) });
}

/** Moves the cursor to an error (1-based line and UTF-16 column) and scrolls it into view. */
export function jumpTo(view: EditorView, { line, column }: CompileError): void {
	if (line < 1 || line > view.state.doc.lines) return;
	const at = view.state.doc.line(line);
	const pos = Math.min(at.from + Math.max(column - 1, 0), at.to);
	view.dispatch({ selection: { anchor: pos }, effects: EditorView.scrollIntoView(pos, { y: 'center' }) });
	view.focus();
}
