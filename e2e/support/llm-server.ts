import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { LlmStep, RecordedRequest } from '../../src/testing/llm-script';

/**
 * A local OpenAI-compatible endpoint for tests (there is no internet here), faithful to the parts of
 * the protocol Murmur uses: POST /v1/chat/completions with `stream: true` answers server-sent events of
 * `chat.completion.chunk` objects — content deltas, `tool_calls` deltas (id, name, then the arguments
 * in pieces), a finish_reason, a usage chunk (stream_options.include_usage) and `data: [DONE]`; errors
 * are OpenAI's `{ error: { message, type, code } }` bodies with their status and `Retry-After`.
 *
 * Scriptable per test through its own endpoints, keyed by the request's model so tests running at once
 * do not take each other's steps: POST /_script { model, steps } queues answers, GET /_requests?model=
 * lists what arrived (path, authorization header, body). A model with nothing queued answers "OK".
 */
export interface LlmServer {
	url: string;
	port: number;
	close(): Promise<void>;
}

export async function startLlmServer(port = 0): Promise<LlmServer> {
	const queues = new Map<string, LlmStep[]>();
	const requests: RecordedRequest[] = [];
	const open = new Set<ServerResponse>();
	const server: Server = createServer(async (req, res) => {
		try {
			await handle(req, res);
		} catch (error) {
			res
				.writeHead(500, { 'content-type': 'application/json' })
				.end(JSON.stringify({ error: { message: String(error) } }));
		}
	});

	async function handle(req: IncomingMessage, res: ServerResponse) {
		const url = new URL(req.url ?? '/', 'http://localhost');
		if (req.method === 'POST' && url.pathname === '/_script') {
			const { model, steps } = JSON.parse(await readBody(req)) as { model: string; steps: LlmStep[] };
			queues.set(model, [...(queues.get(model) ?? []), ...steps]);
			return json(res, 200, { queued: queues.get(model)!.length });
		}
		if (req.method === 'GET' && url.pathname === '/_requests') {
			const model = url.searchParams.get('model');
			return json(
				res,
				200,
				requests.filter((r) => model === null || r.body.model === model)
			);
		}
		if (req.method === 'POST' && url.pathname.endsWith('/chat/completions')) {
			const body = JSON.parse(await readBody(req)) as RecordedRequest['body'];
			requests.push({ path: url.pathname, authorization: req.headers.authorization ?? null, body, at: Date.now() });
			const step = queues.get(String(body.model))?.shift() ?? { text: ['OK'] };
			return answer(res, body, step);
		}
		json(res, 404, { error: { message: 'Not found', type: 'invalid_request_error' } });
	}

	async function answer(res: ServerResponse, body: RecordedRequest['body'], step: LlmStep) {
		if ('status' in step) {
			const headers: Record<string, string> = { 'content-type': 'application/json' };
			if (step.retryAfter !== undefined) headers['retry-after'] = step.retryAfter;
			res.writeHead(step.status, headers);
			const type = step.status === 429 ? 'rate_limit_exceeded' : 'server_error';
			return res.end(
				JSON.stringify({ error: { message: step.message ?? `scripted ${step.status}`, type, code: type } })
			);
		}
		const id = `chatcmpl-${Math.random().toString(36).slice(2)}`;
		const chunk = (delta: object, finish: string | null = null, extra: object = {}) => ({
			id,
			object: 'chat.completion.chunk',
			created: Math.floor(Date.now() / 1000),
			model: body.model,
			choices: [{ index: 0, delta, finish_reason: finish }],
			...extra
		});
		res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
		open.add(res);
		res.on('close', () => open.delete(res));
		const send = (data: object | string) =>
			res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
		send(chunk({ role: 'assistant', content: '' }));
		let finish = 'stop';
		let completion = 0;
		if ('toolCalls' in step) {
			finish = 'tool_calls';
			step.toolCalls.forEach((call, index) => {
				const args = JSON.stringify(call.arguments);
				const callId = `call_${index}_${Math.random().toString(36).slice(2, 8)}`;
				send(
					chunk({ tool_calls: [{ index, id: callId, type: 'function', function: { name: call.name, arguments: '' } }] })
				);
				// The arguments arrive in pieces, as real providers stream them.
				for (let i = 0; i < args.length; i += 16) {
					send(chunk({ tool_calls: [{ index, function: { arguments: args.slice(i, i + 16) } }] }));
				}
				completion += Math.ceil(args.length / 4);
			});
		} else {
			for (const [i, piece] of step.text.entries()) {
				if (step.stallAfter !== undefined && i >= step.stallAfter) return; // silent from here: the client must give up
				if (step.delayMs) await new Promise((r) => setTimeout(r, step.delayMs));
				if (res.destroyed) return;
				send(chunk({ content: piece }));
				completion++;
			}
		}
		send(chunk({}, finish));
		const usage = 'text' in step && step.usage ? step.usage : { prompt: 42, completion };
		send({
			id,
			object: 'chat.completion.chunk',
			created: Math.floor(Date.now() / 1000),
			model: body.model,
			choices: [],
			usage: {
				prompt_tokens: usage.prompt,
				completion_tokens: usage.completion,
				total_tokens: usage.prompt + usage.completion
			}
		});
		send('[DONE]');
		res.end();
	}

	await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
	const address = server.address();
	const actualPort = typeof address === 'object' && address ? address.port : port;
	return {
		url: `http://127.0.0.1:${actualPort}`,
		port: actualPort,
		close: () =>
			new Promise((resolve) => {
				for (const res of open) res.destroy();
				server.close(() => resolve());
			})
	};
}

function readBody(req: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		let data = '';
		req.setEncoding('utf8');
		req.on('data', (c: string) => (data += c));
		req.on('end', () => resolve(data));
		req.on('error', reject);
	});
}

function json(res: ServerResponse, status: number, body: unknown) {
	res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
