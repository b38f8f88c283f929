import type { TestProject } from 'vitest/node';
import { startLlmServer, type LlmServer } from '../../e2e/support/llm-server';

/**
 * Starts the local OpenAI-compatible server once per vitest run; workerd specs reach it over the
 * loopback with fetch, at the URL they get from `inject('llmUrl')`.
 */
let server: LlmServer | null = null;

export async function setup(project: TestProject) {
	server = await startLlmServer(Number(process.env.LLM_TEST_PORT ?? 0)); // vitest.config.ts chose it
	project.provide('llmUrl', server.url);
}

export async function teardown() {
	await server?.close();
}

declare module 'vitest' {
	export interface ProvidedContext {
		llmUrl: string;
	}
}
