// Run by `npm run deploy:pages` before it deploys: refuses unless JWT_SECRET is set on both the Pages
// project and the murmur-realtime worker (required-secrets.mjs says why). Secrets are not in any config
// file, so this asks Cloudflare through wrangler (the deploy needs the same login anyway).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { experimental_readRawConfig as readRawConfig } from 'wrangler';
import { missingSecrets, pagesSecretNames, REQUIRED_SECRETS, workerSecretNames } from './required-secrets.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const project = readRawConfig({ config: `${here}wrangler.toml` }).rawConfig.name;
const wrangler = (args) =>
	execFileSync('npx', ['wrangler', ...args], {
		cwd: here,
		encoding: 'utf8',
		env: { ...process.env, FORCE_COLOR: '0' },
		stdio: ['ignore', 'pipe', 'pipe']
	});

const places = [
	{
		name: 'the murmur-realtime worker',
		list: () => workerSecretNames(wrangler(['secret', 'list', '--format', 'json', '-c', 'wrangler.realtime.toml'])),
		put: (secret) => `npx wrangler secret put ${secret} -c deploy/pages/wrangler.realtime.toml`
	},
	{
		name: 'the Pages project',
		list: () => pagesSecretNames(wrangler(['pages', 'secret', 'list', '--project-name', project])),
		put: (secret) => `(cd deploy/pages && npx wrangler pages secret put ${secret} --project-name ${project})`
	}
];

const problems = [];
for (const place of places) {
	let names;
	try {
		names = place.list();
	} catch (error) {
		// A first deploy: the worker or project does not exist yet, so it has no secrets either.
		// wrangler colours its errors even with FORCE_COLOR=0.
		const lines = stripVTControlCharacters(String(error.stderr || error.message)).split('\n');
		const detail = lines.find((line) => /error|✘/i.test(line))?.trim() ?? 'wrangler failed';
		problems.push(`could not list the secrets of ${place.name} (${detail}); is it created and are you logged in?`);
		names = [];
	}
	for (const secret of missingSecrets(names))
		problems.push(`${secret} is not set on ${place.name}: ${place.put(secret)}`);
}
if (problems.length) {
	console.error(
		`pages: refusing to deploy: ${REQUIRED_SECRETS.join(', ')} must be set, to the same value, on both workers ` +
			'(the realtime worker never generates a signing secret, so it would refuse every socket ticket):\n  - ' +
			problems.join('\n  - ') +
			'\n  A value: `openssl rand -hex 32`.'
	);
	process.exit(1);
}
console.log(`pages: ${REQUIRED_SECRETS.join(', ')} set on the Pages project and the murmur-realtime worker`);
