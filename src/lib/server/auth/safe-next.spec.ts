import { describe, expect, it } from 'vitest';
import { sameOriginPath } from './safe-next';

const ORIGIN = 'http://localhost:8787';

/** `?next=` values as the server reads them (already percent-decoded), each of which must give `/`. */
const HOSTILE_NEXT_VALUES: readonly (string | null)[] = [
	null,
	'',
	'/\\127.0.0.1:1/phish',
	'/\\evil.example',
	'\\\\evil.example',
	'\\/evil.example',
	'/\t/evil.example',
	'\t//evil.example',
	'/\r\n/evil.example',
	'/\r\nLocation: https://evil.example',
	'/\u0000/evil.example',
	'/x\u007f',
	'//evil.example',
	'///evil.example',
	' //evil.example',
	'/..//evil.example',
	'/.//evil.example',
	'/a/../..//evil.example',
	'javascript:alert(1)',
	'JaVaScRiPt:alert(1)',
	'data:text/html,<script>alert(1)</script>',
	'https://evil.example',
	'http:evil.example',
	'http://localhost:8787.evil.example/',
	'evil.example',
	`${ORIGIN}/chat`
];

describe('sameOriginPath', () => {
	it.each(HOSTILE_NEXT_VALUES.map((value) => [JSON.stringify(value), value]))('%s falls back to /', (_, value) => {
		expect(sameOriginPath(value, ORIGIN)).toBe('/');
	});

	it.each([
		['/chat/abc?x=1#y', '/chat/abc?x=1#y'],
		['/', '/'],
		['/workspace/w1/docs?doc=d1', '/workspace/w1/docs?doc=d1'],
		['/swarm/%5C', '/swarm/%5C'],
		// Returned as the browser would request it: resolved and percent-encoded.
		['/chat/a b', '/chat/a%20b'],
		['/chat/./x/../abc', '/chat/abc']
	])('keeps the same-origin path %s', (value, expected) => {
		expect(sameOriginPath(value, ORIGIN)).toBe(expected);
	});
});
