import { describe, expect, it } from 'vitest';
import { missingSecrets, pagesSecretNames, workerSecretNames } from './required-secrets.mjs';

// wrangler 4's output, as `wrangler secret list --format json` and `wrangler pages secret list` print it.
const pagesListing = (...names: string[]) =>
	[
		'The "production" environment of your Pages project "murmur" has access to the following secrets:',
		...names.map((name) => `  - ${name}: Value Encrypted`)
	].join('\n');

describe('the Pages deploy secret check', () => {
	it('finds JWT_SECRET in both listings', () => {
		const worker = workerSecretNames(JSON.stringify([{ name: 'JWT_SECRET', type: 'secret_text' }]));
		expect(missingSecrets(worker)).toEqual([]);
		expect(missingSecrets(pagesSecretNames(pagesListing('SERVER_BYPASS_TOKEN', 'JWT_SECRET')))).toEqual([]);
	});

	it('names JWT_SECRET when a listing lacks it, or the project has no secrets at all', () => {
		expect(missingSecrets(workerSecretNames('[]'))).toEqual(['JWT_SECRET']);
		expect(missingSecrets(pagesSecretNames(pagesListing('SERVER_BYPASS_TOKEN')))).toEqual(['JWT_SECRET']);
		expect(missingSecrets(pagesSecretNames(pagesListing()))).toEqual(['JWT_SECRET']);
		// The project's name in the header line is not a secret.
		expect(missingSecrets(pagesSecretNames(pagesListing().replace('murmur', 'JWT_SECRET')))).toEqual(['JWT_SECRET']);
	});
});
