// liblz4's own fast mode (LZ4_compress_default, acceleration 1), the reference for our compression
// ratio. Node cannot call a C library without an addon, so this runs python3's ctypes against the
// system's liblz4.so.1 (Debian's liblz4-1, 1.9.4 here) and reads back block sizes only: the bench
// prints them as the liblz4 row's ratio. Returns undefined where python3 or liblz4 is missing.
import { spawnSync } from 'node:child_process';

const SCRIPT = `
import ctypes, struct, sys
lib = ctypes.CDLL('liblz4.so.1')
data = sys.stdin.buffer.read()
at = 0
sizes = []
while at < len(data):
    (n,) = struct.unpack_from('<I', data, at)
    chunk = data[at + 4:at + 4 + n]
    at += 4 + n
    cap = lib.LZ4_compressBound(n)
    out = ctypes.create_string_buffer(cap)
    sizes.append(str(lib.LZ4_compress_default(chunk, out, n, cap)))
v = lib.LZ4_versionNumber()
print('%d.%d.%d' % (v // 10000, v // 100 % 100, v % 100))
print(' '.join(sizes))
`;

export interface Liblz4Sizes {
	version: string;
	sizes: number[];
}

/** liblz4's fast-mode block size for each input, in one python3 run. */
export function liblz4BlockSizes(inputs: Uint8Array[]): Liblz4Sizes | undefined {
	const framed = Buffer.concat(
		inputs.flatMap((input) => {
			const length = Buffer.alloc(4);
			length.writeUInt32LE(input.length);
			return [length, input];
		})
	);
	const run = spawnSync('python3', ['-c', SCRIPT], { input: framed, maxBuffer: 1 << 20 });
	if (run.status !== 0) return undefined;
	const [version, sizes] = run.stdout.toString().trim().split('\n');
	return { version, sizes: sizes.split(' ').map(Number) };
}
