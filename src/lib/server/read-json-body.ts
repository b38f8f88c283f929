/**
 * Reads a JSON request body with a size cap, for every JSON API route. A declared Content-Length over
 * the cap is refused before reading; otherwise the body is read as a stream and abandoned as soon as it
 * passes the cap, so a chunked or lying upload cannot make the worker buffer it all.
 */
export type JsonBody = { ok: true; value: unknown } | { ok: false; reason: 'too-large' | 'invalid' };

export async function readJsonBody(request: Request, maxBytes: number): Promise<JsonBody> {
	const declared = Number(request.headers.get('content-length') ?? 0);
	if (!Number.isFinite(declared) || declared > maxBytes) return { ok: false, reason: 'too-large' };
	if (!request.body) return { ok: false, reason: 'invalid' };
	const reader = request.body.getReader();
	const parts: Uint8Array[] = [];
	let size = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		size += value.byteLength;
		if (size > maxBytes) {
			await reader.cancel();
			return { ok: false, reason: 'too-large' };
		}
		parts.push(value);
	}
	const bytes = new Uint8Array(size);
	let offset = 0;
	for (const part of parts) {
		bytes.set(part, offset);
		offset += part.byteLength;
	}
	try {
		return { ok: true, value: JSON.parse(new TextDecoder().decode(bytes)) };
	} catch {
		return { ok: false, reason: 'invalid' };
	}
}
