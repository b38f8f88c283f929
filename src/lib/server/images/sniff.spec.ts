import { describe, expect, it } from 'vitest';
import { sniffImageType } from './sniff';

const bytes = (...b: number[]) => new Uint8Array([...b, ...new Array(16).fill(0)]);

describe('image sniffing by magic bytes', () => {
	it('recognises the four accepted types', () => {
		expect(sniffImageType(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a))).toBe('image/png');
		expect(sniffImageType(bytes(0xff, 0xd8, 0xff, 0xe0))).toBe('image/jpeg');
		expect(sniffImageType(new TextEncoder().encode('GIF89a....'))).toBe('image/gif');
		expect(sniffImageType(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 '))).toBe('image/webp');
	});

	it('rejects everything else, including lookalikes', () => {
		expect(sniffImageType(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
		expect(sniffImageType(new TextEncoder().encode('RIFF\0\0\0\0WAVEfmt '))).toBeNull();
		expect(sniffImageType(new TextEncoder().encode('GIF87b'))).toBeNull();
		expect(sniffImageType(new Uint8Array())).toBeNull();
	});
});
