/**
 * Image filter: Sobel edge detection over a picture drawn from a formula (rings and a soft diagonal), in
 * bands of rows. Each device draws the rows it needs (its band and one row either side) and returns the
 * band's edge strength as grey levels; merge stitches the bands into an RGBA image, which the dashboard
 * offers as a PNG. Grey levels keep a band's result small (width × rows numbers).
 */
type Input = { width: number; height: number; rowsPerChunk: number };
type Chunk = { width: number; height: number; y0: number; y1: number };
type Result = { y0: number; grey: number[] };
type Output = { image: { width: number; height: number; rgba: number[] } };

export function split(input: Input): Chunk[] {
	const chunks: Chunk[] = [];
	for (let y0 = 0; y0 < input.height; y0 += input.rowsPerChunk) {
		chunks.push({ width: input.width, height: input.height, y0, y1: Math.min(y0 + input.rowsPerChunk, input.height) });
	}
	return chunks;
}

export function run(chunk: Chunk): Result {
	const { width, height, y0, y1 } = chunk;
	const at = (x: number, y: number) => picture(clamp(x, 0, width - 1), clamp(y, 0, height - 1), width, height);
	const grey: number[] = [];
	for (let y = y0; y < y1; y++) {
		for (let x = 0; x < width; x++) {
			const gx =
				at(x + 1, y - 1) + 2 * at(x + 1, y) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x - 1, y) - at(x - 1, y + 1);
			const gy =
				at(x - 1, y + 1) + 2 * at(x, y + 1) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x, y - 1) - at(x + 1, y - 1);
			grey.push(Math.min(255, Math.round(Math.hypot(gx, gy))));
		}
	}
	return { y0, grey };
}

export function merge(results: Result[], input: Input): Output {
	const rgba = new Array<number>(input.width * input.height * 4).fill(255);
	for (const { y0, grey } of results) {
		grey.forEach((value, i) => {
			const offset = (y0 * input.width + i) * 4;
			rgba[offset] = rgba[offset + 1] = rgba[offset + 2] = 255 - value; // dark edges on white
		});
	}
	return { image: { width: input.width, height: input.height, rgba } };
}

/** The source picture's brightness (0–255) at a pixel: concentric rings over a diagonal gradient. */
function picture(x: number, y: number, width: number, height: number): number {
	const dx = x - width / 2;
	const dy = y - height / 2;
	const ring = Math.floor(Math.hypot(dx, dy) / 12) % 2 === 0 ? 200 : 60;
	return Math.round(0.8 * ring + (0.2 * 255 * (x + y)) / (width + height));
}

function clamp(value: number, low: number, high: number): number {
	return Math.max(low, Math.min(high, value));
}
