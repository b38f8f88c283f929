import {
	parseJsonEventStream,
	readUIMessageStream,
	uiMessageChunkSchema,
	type UIMessage,
	type UIMessageChunk
} from 'ai';
import { SvelteMap } from 'svelte/reactivity';
import { z } from 'zod';

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
		const parts = [{ type: 'text', text: question }];
		this.messages.push({ id: `local-${this.messages.length}`, role: 'user', userId: this.userId, parts });
		try {
			const response = await fetch(`/workspace/${encodeURIComponent(this.workspaceId)}/assistant/chat`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ question })
			});
			if (!response.ok || !response.body) {
				this.messages.pop();
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

	private async read(body: ReadableStream<Uint8Array>) {
		const chunks = parseJsonEventStream({ stream: body, schema: uiMessageChunkSchema }).pipeThrough(
			new TransformStream<{ success: boolean; value?: UIMessageChunk }, UIMessageChunk>({
				transform: (result, controller) => void (result.success && result.value && controller.enqueue(result.value))
			})
		);
		const index = this.messages.length;
		let notice: string | undefined;
		const stream = readUIMessageStream({ stream: chunks, onError: (e) => (notice = (e as Error).message) });
		for await (const message of stream as AsyncIterable<UIMessage>) {
			this.messages[index] = { id: message.id, role: 'assistant', userId: this.userId, parts: message.parts, notice };
			for (const part of message.parts) this.noteAction(part);
		}
		if (notice) {
			const last = this.messages[index] ?? { id: `failed-${index}`, role: 'assistant', userId: this.userId, parts: [] };
			this.messages[index] = { ...last, notice };
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
