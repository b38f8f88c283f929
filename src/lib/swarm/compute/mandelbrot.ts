/**
 * One rectangular tile of a Mandelbrot render. Each pixel becomes one byte: 0 for points that stay
 * bounded (inside the set), else 1 + (escape iteration mod 255), which the dashboard maps to a palette.
 * Import-free so the device worker, tests and bench share it.
 */
export interface TileTask {
	x: number;
	y: number;
	w: number;
	h: number;
	width: number;
	height: number;
	centerX: number;
	centerY: number;
	scale: number;
	maxIter: number;
}

export function renderTile(t: TileTask, onProgress?: (fraction: number) => void): Uint8Array {
	const out = new Uint8Array(t.w * t.h);
	for (let row = 0; row < t.h; row++) {
		const ci = t.centerY + (t.y + row - t.height / 2) * t.scale;
		for (let col = 0; col < t.w; col++) {
			const cr = t.centerX + (t.x + col - t.width / 2) * t.scale;
			let zr = 0;
			let zi = 0;
			let i = 0;
			while (i < t.maxIter && zr * zr + zi * zi <= 4) {
				const tmp = zr * zr - zi * zi + cr;
				zi = 2 * zr * zi + ci;
				zr = tmp;
				i++;
			}
			out[row * t.w + col] = i >= t.maxIter ? 0 : 1 + (i % 255);
		}
		if (onProgress && (row & 7) === 7) onProgress((row + 1) / t.h);
	}
	return out;
}

/** Base64 without Buffer (browser, worker, workerd and Node all have btoa/atob). */
export function bytesToBase64(bytes: Uint8Array): string {
	let binary = '';
	for (let i = 0; i < bytes.length; i += 0x8000) {
		binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
	}
	return btoa(binary);
}

export function base64ToBytes(text: string): Uint8Array {
	const binary = atob(text);
	const out = new Uint8Array(binary.length);
	for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
	return out;
}
