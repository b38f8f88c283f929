import type { Message } from 'esbuild-wasm/esm/browser.js';
import type { TranspileError } from './contract';

/** The editor lists them all; past this many the rest are noise caused by the first ones. */
export const MAX_ERRORS = 20;

/**
 * esbuild's messages as data the editor can mark: line 1-based as esbuild gives it, column turned from
 * esbuild's 0-based UTF-8 byte offset into a 1-based UTF-16 one (what a JavaScript string and CodeMirror
 * count), so an error after "π" or an emoji points at the right character.
 */
export function fromEsbuild(messages: Message[]): TranspileError[] {
	return messages
		.slice(0, MAX_ERRORS)
		.map(({ text, location }) =>
			location
				? { line: location.line, column: utf16Column(location.lineText, location.column) + 1, message: text }
				: wholeModule(text)
		);
}

/** An error about the module as a whole: position 0:0 (see TranspileError). */
export function wholeModule(message: string): TranspileError {
	return { line: 0, column: 0, message };
}

function utf16Column(lineText: string, byteColumn: number): number {
	const bytes = new TextEncoder().encode(lineText);
	return new TextDecoder().decode(bytes.subarray(0, byteColumn)).length;
}
