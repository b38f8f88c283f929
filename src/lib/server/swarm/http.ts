import { json } from '@sveltejs/kit';
import { isAllowedOrigin } from '$lib/server/realtime/origin';
import type { RpcResult } from './tokens';

/** Turns a coordinator RPC result into a JSON response (429s carry Retry-After in seconds). */
export function rpcResponse<T>(result: RpcResult<T>, okStatus = 200): Response {
	if (result.ok) return json(result.value, { status: okStatus });
	const headers: Record<string, string> = {};
	let retryAfterSeconds: number | undefined;
	if (result.retryAfterMs !== undefined) {
		retryAfterSeconds = Math.ceil(result.retryAfterMs / 1000);
		headers['retry-after'] = String(retryAfterSeconds);
	}
	return json({ error: result.error, retryAfterSeconds }, { status: result.status, headers });
}

/**
 * JSON POSTs are not covered by SvelteKit's form CSRF check; a foreign page could still send them with
 * `no-cors` semantics in some browsers, so state-changing swarm APIs check Origin like sockets do.
 */
export function foreignOrigin(request: Request, env: Env): Response | null {
	return isAllowedOrigin(request, env.ALLOWED_ORIGINS)
		? null
		: json({ error: 'Cross-origin request refused.' }, { status: 403 });
}

/**
 * Parses a JSON body with a size cap; null when it is not JSON or too big. A declared Content-Length over
 * the cap is refused before reading; otherwise the body is read as a stream and abandoned as soon as it
 * passes the cap, so a chunked or lying upload cannot make the worker buffer it all.
 */
export async function readJson(request: Request, maxBytes = 4096): Promise<unknown> {
	const declared = Number(request.headers.get('content-length') ?? 0);
	if (!Number.isFinite(declared) || declared > maxBytes) return null;
	if (!request.body) return null;
	const reader = request.body.getReader();
	const parts: Uint8Array[] = [];
	let size = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		size += value.byteLength;
		if (size > maxBytes) {
			await reader.cancel();
			return null;
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
		return JSON.parse(new TextDecoder().decode(bytes));
	} catch {
		return null;
	}
}
