import {
	parseJsonEventStream,
	readUIMessageStream,
	uiMessageChunkSchema,
	type UIMessage,
	type UIMessageChunk
} from 'ai';
import { SvelteMap } from 'svelte/reactivity';
import { z } from 'zod';
import { randomId } from '$lib/random-id';
import type { AssistantNews } from '../workspace-client.svelte';

/** A message of the workspace's conversation as the panel shows it (stored or streaming). */
export interface PanelMessage {
	id: string;
	role: 'user' | 'assistant';
	/** Who asked (for an answer: whose question it answers). */
	userId: string;
	parts: unknown[];
	/** Why a streamed answer ended early (a stored one carries it as a data-notice part). */
	notice?: string;
}

export type ActionStatus = 'pending' | 'applied' | 'cancelled' | 'undone' | 'failed';
export type Decision = 'confirm' | 'cancel' | 'undo';

const apiError = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
const outcome = z.object({
	actionId: z.string(),
	status: z.enum(['pending', 'applied', 'cancelled', 'undone', 'failed'])
});

/**
 * The panel's conversation: the stored messages, then each question's answer as it streams from the
 * assistant route (the AI SDK's UI message stream, parsed by the SDK's own reader: text deltas and tool
 * parts accumulate into one message). Actions' statuses live in a Map keyed by server-made ids.
 * Every member's panel is also told over the workspace socket of each message stored and each action
 * resolved (`news`); messages are kept by id, so the asker's own streamed copy is replaced, never doubled.
 */
export class AssistantChat {
	messages: PanelMessage[] = $state([]);
	readonly statuses = new SvelteMap<string, ActionStatus>();
	busy = $state(false);
	/** A refusal of the question itself (budget, off, invalid), in the server's words. */
	error: string | null = $state(null);

	constructor(
		private readonly workspaceId: string,
		private readonly userId: string,
		stored: PanelMessage[],
		actions: [string, ActionStatus][]
	) {
		this.messages = stored;
		for (const [id, status] of actions) this.statuses.set(id, status);
	}

	async ask(question: string): Promise<boolean> {
		if (this.busy) return false;
		this.busy = true;
		this.error = null;
		const id = randomId(); // the stored question keeps it: its broadcast copy replaces this one
		this.put({ id, role: 'user', userId: this.userId, parts: [{ type: 'text', text: question }] });
		try {
			const response = await fetch(`/workspace/${encodeURIComponent(this.workspaceId)}/assistant/chat`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ question, id })
			});
			if (!response.ok || !response.body) {
				this.messages = this.messages.filter((m) => m.id !== id);
				this.error = await errorOf(response);
				return false;
			}
			await this.read(response.body);
			return true;
		} catch {
			this.error = 'The assistant could not be reached. Check your connection and try again.';
			return false;
		} finally {
			this.busy = false;
		}
	}

	/** Confirms, cancels or undoes an action of this person's; returns the error words on refusal. */
	async resolve(actionId: string, decision: Decision): Promise<string | null> {
		const response = await fetch(
			`/workspace/${encodeURIComponent(this.workspaceId)}/assistant/actions/${encodeURIComponent(actionId)}`,
			{ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ decision }) }
		);
		if (!response.ok) return errorOf(response);
		const result = outcome.safeParse(await response.json());
		if (result.success) this.statuses.set(result.data.actionId, result.data.status);
		return null;
	}

	/** What the workspace socket said: a message stored (anyone's, this person's included), an action resolved. */
	news(news: AssistantNews) {
		if (news.type === 'assistant-action') return void this.statuses.set(news.payload.actionId, news.payload.status);
		const { id, role, userId, parts } = news.payload.message;
		this.put({ id, role, userId, parts });
		for (const part of parts) this.noteAction(part);
	}

	/** Adds a message, or replaces the one with its id where it stands. */
	private put(message: PanelMessage) {
		const at = this.messages.findIndex((m) => m.id === message.id);
		if (at === -1) this.messages.push(message);
		else this.messages[at] = message;
	}

	private async read(body: ReadableStream<Uint8Array>) {
		const chunks = parseJsonEventStream({ stream: body, schema: uiMessageChunkSchema }).pipeThrough(
			new TransformStream<{ success: boolean; value?: UIMessageChunk }, UIMessageChunk>({
				transform: (result, controller) => void (result.success && result.value && controller.enqueue(result.value))
			})
		);
		let notice: string | undefined;
		let id: string | null = null;
		const stream = readUIMessageStream({ stream: chunks, onError: (e) => (notice = (e as Error).message) });
		for await (const message of stream as AsyncIterable<UIMessage>) {
			id = message.id;
			this.put({ id, role: 'assistant', userId: this.userId, parts: message.parts, notice });
			for (const part of message.parts) this.noteAction(part);
		}
		if (notice) {
			const last = this.messages.find((m) => m.id === id) ?? {
				id: `failed-${randomId()}`,
				role: 'assistant' as const,
				userId: this.userId,
				parts: []
			};
			this.put({ ...last, notice });
		}
	}

	/** A tool part that started an action: its status is the tool's answer until someone resolves it. */
	private noteAction(part: unknown) {
		const output =
			(part as { state?: string; output?: unknown }).state === 'output-available'
				? (part as { output: unknown }).output
				: null;
		const result = outcome.safeParse(output);
		if (result.success && !this.statuses.has(result.data.actionId)) {
			this.statuses.set(result.data.actionId, result.data.status);
		}
	}
}

async function errorOf(response: Response): Promise<string> {
	const body = apiError.safeParse(await response.json().catch(() => null));
	return body.success ? body.data.error.message : `The assistant refused (HTTP ${response.status}).`;
}
