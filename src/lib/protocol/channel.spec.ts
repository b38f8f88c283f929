import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadCodec } from '$lib/server/codec';
import { ChannelError, ChannelWire, COMPRESS_MIN_BYTES, defineChannel, ERROR_TYPE } from './channel';
import { FLAG_COMPRESSED } from './codec';

const demo = defineChannel({
	name: 'demo',
	version: 3,
	client: { say: { type: 1, schema: z.strictObject({ text: z.string().max(10) }) } },
	server: {
		said: { type: 1, schema: z.object({ text: z.string(), by: z.string() }) },
		page: { type: 2, schema: z.object({ items: z.array(z.string()) }) }
	},
	errors: ['too-loud'],
	maxInboundBytes: 1024
});

const wire = async () => new ChannelWire(demo, await loadCodec());

describe('defineChannel', () => {
	it('refuses a type byte used twice in one direction, and type 0 (the error frame)', () => {
		const schema = z.object({});
		const twice = { a: { type: 1, schema }, b: { type: 1, schema } };
		expect(() =>
			defineChannel({ name: 'x', version: 1, client: twice, server: {}, errors: [], maxInboundBytes: 1 })
		).toThrow(/type 1 is used twice/);
		const zero = { a: { type: ERROR_TYPE, schema } };
		expect(() =>
			defineChannel({ name: 'x', version: 1, client: {}, server: zero, errors: [], maxInboundBytes: 1 })
		).toThrow(/type byte in 1–255/);
	});

	it('knows the common error codes and the app ones', () => {
		expect([...demo.errorCodes]).toEqual(
			expect.arrayContaining([
				'bad-frame',
				'unknown-type',
				'bad-message',
				'rate-limited',
				'forbidden',
				'internal',
				'too-loud'
			])
		);
	});
});

describe('ChannelWire', () => {
	it('round-trips every kind in both directions through the codec and the schema', async () => {
		const w = await wire();
		expect(w.decodeClient(w.encodeClient('say', { text: 'hi' }, 7))).toEqual({
			type: 'say',
			seq: 7,
			payload: { text: 'hi' }
		});
		expect(w.decodeServer(w.encodeServer('said', { text: 'hi', by: 'ada' }, 7))).toEqual({
			type: 'said',
			seq: 7,
			payload: { text: 'hi', by: 'ada' }
		});
		expect(
			w.decodeServer(
				w.encodeError({ code: 'too-loud', message: 'Shh.', retryAfterMs: 12.2, everyMs: 999.5, ref: 'm1' }, 9)
			)
		).toEqual({
			type: 'error',
			seq: 9,
			payload: { code: 'too-loud', message: 'Shh.', retryAfterMs: 13, everyMs: 1000, ref: 'm1' }
		});
	});

	it('compresses only payloads from COMPRESS_MIN_BYTES on', async () => {
		const w = await wire();
		const codec = await loadCodec();
		const small = w.encodeServer('page', { items: ['a'] });
		const large = w.encodeServer('page', { items: Array.from({ length: COMPRESS_MIN_BYTES / 8 }, () => 'same-old') });
		expect(codec.decode(small).flags & FLAG_COMPRESSED).toBe(0);
		expect(codec.decode(large).flags & FLAG_COMPRESSED).toBe(FLAG_COMPRESSED);
		expect(w.decodeServer(large).type).toBe('page');
	});

	it('refuses, with the request number, what the contract does not allow', async () => {
		const w = await wire();
		const codec = await loadCodec();
		const refusal = (fn: () => unknown) => {
			try {
				fn();
			} catch (error) {
				if (error instanceof ChannelError) return { code: error.code, seq: error.seq, message: error.message };
				throw error;
			}
			throw new Error('expected a ChannelError');
		};
		expect(refusal(() => w.decodeClient('{"text":"hi"}'))).toMatchObject({ code: 'bad-frame', seq: 0 });
		expect(refusal(() => w.decodeClient(new Uint8Array([1, 2, 3])))).toMatchObject({ code: 'bad-frame', seq: 0 });
		expect(refusal(() => w.decodeClient(codec.encode(1, 4, new TextEncoder().encode('{nope'))))).toMatchObject({
			code: 'bad-frame',
			seq: 4
		});
		expect(refusal(() => w.decodeClient(codec.encodeJson(2, 5, { text: 'hi' })))).toMatchObject({
			code: 'unknown-type',
			seq: 5
		});
		const tooLong = refusal(() => w.decodeClient(codec.encodeJson(1, 6, { text: 'far too long a text' })));
		expect(tooLong).toMatchObject({ code: 'bad-message', seq: 6 });
		expect(tooLong.message).toContain('(text)');
		expect(refusal(() => w.decodeClient(codec.encodeJson(1, 8, { text: 'hi', extra: 1 })))).toMatchObject({
			code: 'bad-message'
		});
		// A frame of the old codec format (version 1: 24-byte header) asks for a reload, both ways.
		const version1 = Uint8Array.from([
			77, 82, 1, 1, 0, 0, 7, 0, 0, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 123, 125
		]);
		for (const decode of [() => w.decodeClient(version1), () => w.decodeServer(version1)]) {
			const error = (() => {
				try {
					decode();
				} catch (e) {
					return e as ChannelError;
				}
			})();
			expect(error).toMatchObject({ code: 'bad-frame', reload: true });
			expect(error?.message).toBe(
				'Murmur was updated (unsupported-version: frame format version 1; this codec reads version 2): reload the page.'
			);
			expect(new TextEncoder().encode(error?.message).length).toBeLessThanOrEqual(123); // a close reason's limit
		}
		expect(refusal(() => w.decodeClient(new Uint8Array([1, 2, 3])))).not.toHaveProperty('reload', true);
		// A server frame whose error code is not in the contract is not trusted either.
		expect(
			refusal(() => w.decodeServer(codec.encodeJson(ERROR_TYPE, 1, { code: 'made-up', message: 'x' })))
		).toMatchObject({
			code: 'bad-message'
		});
	});

	it('treats prototype names in payloads as plain data', async () => {
		const w = await wire();
		const frame = w.encodeServer('said', { text: '__proto__', by: 'constructor' });
		expect(w.decodeServer(frame).payload).toEqual({ text: '__proto__', by: 'constructor' });
	});
});
