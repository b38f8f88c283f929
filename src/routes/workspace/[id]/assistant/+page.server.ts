import { error } from '@sveltejs/kit';
import { NOT_CONFIGURED_HELP, providerConfig } from '$lib/server/assistant/config';
import { callAssistant } from '$lib/server/assistant/workspace-bridge';
import { DEMO_WORKSPACE_ID } from '$lib/server/workspace/directory';
import type { PageServerLoad } from './$types';

/** The conversation so far (membership was checked by the layout) and whether the assistant is on. */
export const load: PageServerLoad = async ({ params, platform, parent }) => {
	await parent();
	if (params.id === DEMO_WORKSPACE_ID) error(404, 'The assistant needs an account.');
	const env = platform!.env;
	const on = providerConfig(env) !== null;
	const { messages, actions } = await callAssistant(env, params.id, 'history');
	return { assistant: { on, help: on ? null : NOT_CONFIGURED_HELP, messages, actions } };
};
