import type { ProviderLimits } from './config';
import type { CircuitBreaker } from './breaker';
import { isRetryableStatus, retryAfterMs, retryDelay } from './retry';

/**
 * Why the provider could not be used, in words for the person asking; `code` goes to the log. Never
 * carries the provider's own response text (it could echo the request) or anything of the key.
 */
export class ProviderUnavailable extends Error {
	constructor(
		readonly code: 'breaker-open' | 'rate-limited' | 'provider-error' | 'unreachable' | 'timeout' | 'too-large',
		message: string,
		readonly retryAfterMs?: number
	) {
		super(message);
		this.name = 'ProviderUnavailable';
	}
}

/** What one call did on the wire, for its log line. */
export interface CallRecord {
	requests: number;
	lastStatus: number | null;
}

/**
 * The `fetch` the AI SDK's provider uses: the SDK builds the OpenAI-compatible request and parses the
 * streamed answer; this adds what the SDK does not do our way — the circuit breaker sees every attempt,
 * 429/5xx/network errors are retried with bounded backoff honouring Retry-After, each attempt has a
 * timeout until its headers, and a response body is cut at `maxResponseBytes`. (The SDK's own retries
 * are off: maxRetries 0 in the turn.)
 */
export function providerFetch(
	limits: ProviderLimits,
	breaker: CircuitBreaker,
	record: CallRecord,
	sleep: (ms: number, signal?: AbortSignal) => Promise<void> = abortableSleep
): typeof fetch {
	return async (input, init) => {
		const outer = init?.signal ?? undefined;
		for (let retry = 0; ; retry++) {
			const waitMs = breaker.admit();
			if (waitMs > 0) {
				throw new ProviderUnavailable(
					'breaker-open',
					`The assistant's provider is failing, so the assistant is paused. Try again in ${seconds(waitMs)}.`,
					waitMs
				);
			}
			record.requests++;
			let response: Response;
			try {
				response = await withHeaderTimeout(input, init, outer, limits.requestTimeoutMs);
			} catch (error) {
				if (outer?.aborted) throw error;
				breaker.failure();
				const delay = retryDelay(retry + 1, limits, null);
				if (delay === null) throw unreachable(error);
				await sleep(delay, outer);
				continue;
			}
			record.lastStatus = response.status;
			if (response.ok) {
				breaker.success();
				return watched(response, limits);
			}
			if (!isRetryableStatus(response.status)) return response;
			if (response.status !== 429) breaker.failure();
			const asked = retryAfterMs(response.headers);
			const delay = retryDelay(retry + 1, limits, asked);
			if (delay === null) {
				await response.body?.cancel();
				if (response.status === 429) {
					throw new ProviderUnavailable(
						'rate-limited',
						`The assistant's provider is over its rate limit. Try again in ${seconds(asked ?? 60_000)}.`,
						asked ?? undefined
					);
				}
				throw new ProviderUnavailable('provider-error', `The assistant's provider failed (HTTP ${response.status}).`);
			}
			await response.body?.cancel();
			await sleep(delay, outer);
		}
	};
}

/** One attempt, aborted if its headers take longer than `timeoutMs` (the body is the idle timeout's). */
async function withHeaderTimeout(
	input: RequestInfo | URL,
	init: RequestInit | undefined,
	outer: AbortSignal | undefined,
	timeoutMs: number
): Promise<Response> {
	const controller = new AbortController();
	const abort = () => controller.abort(outer?.reason);
	outer?.addEventListener('abort', abort, { once: true });
	const timer = setTimeout(
		() => controller.abort(new ProviderUnavailable('timeout', 'The assistant took too long to start answering.')),
		timeoutMs
	);
	try {
		return await fetch(input, { ...init, signal: controller.signal });
	} catch (error) {
		if (controller.signal.reason instanceof ProviderUnavailable) throw controller.signal.reason;
		throw error;
	} finally {
		clearTimeout(timer);
	}
}

/**
 * The response with its body watched: cut (as an error) once it passes `maxResponseBytes`, and given up
 * when no chunk arrives for `idleTimeoutMs` — a provider that stalls mid-answer ends the stream with
 * our error, which the SDK passes on as the answer's error, instead of hanging the person's request.
 */
function watched(response: Response, limits: ProviderLimits): Response {
	if (!response.body) return response;
	let bytes = 0;
	let timer: ReturnType<typeof setTimeout> | undefined;
	const arm = (controller: TransformStreamDefaultController<Uint8Array>) => {
		clearTimeout(timer);
		timer = setTimeout(() => controller.error(new ProviderUnavailable('timeout', IDLE_MESSAGE)), limits.idleTimeoutMs);
	};
	const body = response.body.pipeThrough(
		new TransformStream<Uint8Array, Uint8Array>({
			start: arm,
			transform(chunk, controller) {
				arm(controller);
				bytes += chunk.byteLength;
				if (bytes > limits.maxResponseBytes) {
					clearTimeout(timer);
					controller.error(new ProviderUnavailable('too-large', 'The answer was longer than this server accepts.'));
					return;
				}
				controller.enqueue(chunk);
			},
			flush: () => clearTimeout(timer)
		})
	);
	return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

export const IDLE_MESSAGE = 'The assistant stopped answering in time, so the answer ends here. Try again.';

function unreachable(error: unknown): ProviderUnavailable {
	if (error instanceof ProviderUnavailable) return error;
	return new ProviderUnavailable('unreachable', "The assistant's provider could not be reached.");
}

function seconds(ms: number): string {
	const s = Math.max(1, Math.ceil(ms / 1000));
	return s === 1 ? '1 second' : `${s} seconds`;
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) return reject(signal.reason);
		const timer = setTimeout(resolve, ms);
		signal?.addEventListener(
			'abort',
			() => {
				clearTimeout(timer);
				reject(signal.reason);
			},
			{ once: true }
		);
	});
}
