// Checks the self-hosted D1/KV/R2 stand-ins and the transpiler worker inside workerd (conformance.capnp):
// the conformance checks, migrations applied once and tracked, and data (a cached transpile too) surviving
// a restart of the process. Part of `npm run test:selfhost`, after `npm run selfhost:assemble`. Exits
// non-zero on any failure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkerdProcess, freePort } from './workerd-process.mjs';

const dataDir = mkdtempSync(join(tmpdir(), 'murmur-stores-'));
const server = new WorkerdProcess({
	config: 'deploy/workerd/test/conformance.capnp',
	port: await freePort(),
	directories: { data: dataDir },
	readyPath: '/migrations'
});
const failures = [];
const get = async (path) => (await fetch(server.origin + path)).json();
const expect = (name, actual, expected) => {
	const ok = JSON.stringify(actual) === JSON.stringify(expected);
	console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}`);
	if (!ok) failures.push(`${name}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
};

try {
	await server.start();
	for (const result of [...(await get('/check')), ...(await get('/queue/check'))]) {
		console.log(`${result.ok ? 'ok  ' : 'FAIL'} ${result.name}`);
		if (!result.ok) failures.push(`${result.name}: ${result.detail}`);
	}
	const fixture = ['0000_fixture.sql', '0001_seed.sql'];
	expect('migrations: applied in order and recorded', await get('/migrations'), {
		applied: fixture,
		notes: ['seeded by a migration']
	});
	await get('/persist/write');
	// A queue message still waiting on disk when the process stops is delivered by the next one.
	const queued = await get('/queue/persist/send?tag=persist');
	expect('queue: the delayed message is not delivered before the restart', queued.delivered, []);
	await server.restart();
	expect('migrations: not applied again after a restart', await get('/migrations'), {
		applied: fixture,
		notes: ['seeded by a migration', 'written before restart']
	});
	expect('restart: D1, KV and R2 data and the transpile cache survive', await get('/persist/read'), {
		transpiler: { ok: true, cached: true, transpiles: 0 },
		notes: ['seeded by a migration', 'written before restart'],
		kv: { value: 'kv survives', metadata: { n: 1 } },
		r2: { size: 2 * 1024 * 1024 + 5, contentType: 'application/x-test', intact: true }
	});
	const deadline = Date.now() + 15_000;
	let after = await get('/queue/persist/read?tag=persist');
	while (after.delivered.length === 0 && Date.now() < deadline) {
		await new Promise((resolve) => setTimeout(resolve, 100));
		after = await get('/queue/persist/read?tag=persist');
	}
	expect(
		'restart: a queued message survives and is delivered once, by the new process',
		after.delivered.map((d) => ({
			attempts: d.attempts,
			byNewProcess: d.boot === after.boot && d.boot !== queued.boot
		})),
		[{ attempts: 1, byNewProcess: true }]
	);
} catch (error) {
	failures.push(String(error?.stack ?? error));
} finally {
	await server.stop();
	rmSync(dataDir, { recursive: true, force: true });
}

if (failures.length) {
	console.error(
		`\n${failures.length} self-host store or transpiler check(s) failed:\n${failures.join('\n')}\n\nworkerd output:\n${server.output}`
	);
	process.exit(1);
}
console.log('\nself-host stores: all checks passed');
