import { mkdirSync, writeFileSync } from 'node:fs';

/**
 * Where the main e2e server's assistant points (playwright.config.ts passes these to wrangler dev): a
 * local OpenAI-compatible server that e2e/assistant.test.ts starts on E2E_PORT + 20. The key is a test
 * value given as a secret (an env file, which wrangler lists as hidden — a `--var` it would print), and
 * the test looks for it in every response and in wrangler's captured output.
 */
export const E2E_PORT = Number(process.env.E2E_PORT ?? 8787);
export const LLM_PORT = E2E_PORT + 20;
export const LLM_MODEL = 'e2e-model';
export const LLM_KEY = 'sk-e2e-key-that-must-never-leave-the-worker';
/** serve.mjs tees wrangler's stdout and stderr here. */
export const WRANGLER_LOG = `.wrangler/e2e-${E2E_PORT}.log`;

/** wrangler dev arguments for the assistant: its endpoint and model as vars, its key as a secret. */
export function llmArgs(): string {
	const secrets = `.wrangler/e2e-${E2E_PORT}-secrets.env`;
	mkdirSync('.wrangler', { recursive: true });
	writeFileSync(secrets, `LLM_API_KEY=${LLM_KEY}\n`);
	return `--var LLM_BASE_URL:http://127.0.0.1:${LLM_PORT}/v1 --var LLM_MODEL:${LLM_MODEL} --env-file ${secrets}`;
}
