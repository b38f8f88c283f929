import hashSearch from './hash-search.ts?raw';
import imageFilter from './image-filter.ts?raw';
import monteCarloPi from './monte-carlo-pi.ts?raw';
import type { Json } from './job-module';

/**
 * The editor's example jobs. Each is a real job module in this folder, type-checked with the app and
 * run by examples.spec.ts (split → run → merge gives the right answer, and the transpiler compiles it
 * clean); the editor loads its text (`?raw`), and `input` is what the submit form starts with.
 */
export interface JobExample {
	id: string;
	title: string;
	summary: string;
	source: string;
	input: Json;
}

export const JOB_EXAMPLES: readonly JobExample[] = [
	{
		id: 'hash-search',
		title: 'Hash search',
		summary: 'Nonces whose MurmurHash3 starts with 16 zero bits (proof of work).',
		source: hashSearch,
		input: { prefix: 'murmur', nonces: 2_000_000, zeroBits: 16, perChunk: 50_000 }
	},
	{
		id: 'monte-carlo-pi',
		title: 'Monte Carlo π',
		summary: 'Random points in a square; the share inside the circle gives π.',
		source: monteCarloPi,
		input: { samples: 20_000_000, chunks: 40 }
	},
	{
		id: 'image-filter',
		title: 'Image filter',
		summary: 'Sobel edge detection in bands of rows; downloads as a PNG.',
		source: imageFilter,
		input: { width: 256, height: 192, rowsPerChunk: 8 }
	}
];
