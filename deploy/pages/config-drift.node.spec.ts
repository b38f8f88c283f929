import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { experimental_readRawConfig as readRawConfig } from 'wrangler';
import { describe, expect, it } from 'vitest';
import { pagesConfigDrift, realtimeConfigDrift } from './config-drift.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => ({
	path: join(root, path),
	config: readRawConfig({ config: join(root, path) }).rawConfig
});
const main = read('wrangler.toml');
const pages = read('deploy/pages/wrangler.toml');
const realtime = read('deploy/pages/wrangler.realtime.toml');

/** The parts of a raw wrangler config these tests edit. */
interface Config {
	compatibility_date?: string;
	compatibility_flags?: string[];
	vars: Record<string, string>;
	durable_objects: { bindings: { name: string; class_name: string; script_name?: string }[] };
	migrations: object[];
	kv_namespaces: { binding: string; id: string }[];
	d1_databases: { database_id: string }[];
	services?: { binding: string; service: string }[];
	queues?: {
		producers?: { binding: string; queue: string }[];
		consumers?: { queue: string; max_batch_size?: number }[];
	};
}

/** A deep copy of a config with one change, as a person editing one file but not the other would make. */
function drifted(located: ReturnType<typeof read>, edit: (config: Config) => void) {
	const config = structuredClone(located.config) as Config;
	edit(config);
	return { path: located.path, config };
}

describe('the Pages shape configs', () => {
	it('are in step with wrangler.toml as checked in', () => {
		expect(pagesConfigDrift(main, pages)).toEqual([]);
		expect(realtimeConfigDrift(main, realtime)).toEqual([]);
	});

	it('refuse a binding added to wrangler.toml but not to the Pages project or the realtime worker', () => {
		const grown = drifted(main, (c) => {
			c.durable_objects.bindings.push({ name: 'BOARD', class_name: 'Board' });
			c.kv_namespaces.push({ binding: 'CACHE', id: 'abc' });
		});
		expect(pagesConfigDrift(grown, pages)).toEqual([
			'Durable Object binding BOARD is missing',
			'kv_namespaces binding CACHE is missing'
		]);
		expect(realtimeConfigDrift(grown, realtime)).toEqual([
			'Durable Object binding BOARD is missing',
			'kv_namespaces binding CACHE is missing'
		]);
	});

	it('refuse a Pages DO binding that does not name the realtime worker, and migrations on Pages', () => {
		const wrong = drifted(pages, (c) => {
			c.durable_objects.bindings[0].script_name = 'murmur';
			c.migrations = main.config.migrations;
		});
		expect(pagesConfigDrift(main, wrong)).toEqual([
			'Durable Object binding CHAT_ROOM needs script_name = "murmur-realtime"',
			'has [[migrations]]: the murmur-realtime worker owns the Durable Object migrations'
		]);
	});

	it('refuse drifted migrations, compatibility settings and D1 ids', () => {
		const wrongRealtime = drifted(realtime, (c) => {
			c.migrations.push({ tag: 'v2', renamed_classes: [{ from: 'RelayRoom', to: 'Relay' }] });
			c.compatibility_date = '2026-12-01';
			c.compatibility_flags = [];
		});
		expect(realtimeConfigDrift(main, wrongRealtime)).toEqual([
			'compatibility_date "2026-12-01" differs from wrangler.toml\'s "2026-11-01"',
			"compatibility_flags [] differ from wrangler.toml's [no_web_socket_compression,nodejs_als]",
			'[[migrations]] differ from wrangler.toml: both shapes must create and rename the same classes'
		]);
		const wrongPages = drifted(pages, (c) => {
			c.d1_databases[0].database_id = 'another';
			c.vars.EXTRA = '1';
		});
		const problems = pagesConfigDrift(main, wrongPages);
		expect(problems).toContain('var EXTRA is not in wrangler.toml');
		expect(problems.some((p) => p.startsWith('d1_databases binding DB is '))).toBe(true);
	});

	it('refuse a Pages project without the transpiler binding, or bound to another worker', () => {
		const unbound = drifted(pages, (c) => delete c.services);
		expect(pagesConfigDrift(main, unbound)).toEqual(['service binding TRANSPILER is missing']);
		const elsewhere = drifted(pages, (c) => (c.services = [{ binding: 'TRANSPILER', service: 'murmur' }]));
		expect(pagesConfigDrift(main, elsewhere)).toEqual([
			'service binding TRANSPILER names "murmur", wrangler.toml\'s names "murmur-transpiler"'
		]);
		// The realtime worker may leave it out, but not bind the name to something else.
		const wrongRealtime = drifted(realtime, (c) => (c.services = [{ binding: 'TRANSPILER', service: 'other' }]));
		expect(realtimeConfigDrift(main, wrongRealtime)).toEqual([
			'service binding TRANSPILER names "other", wrangler.toml\'s names "murmur-transpiler"'
		]);
	});

	it('refuse a realtime worker without the chat queue or its D1, and queues on the Pages project', () => {
		const noQueue = drifted(realtime, (c) => {
			c.queues = { consumers: [{ ...c.queues!.consumers![0]!, max_batch_size: 10 }] };
			c.d1_databases = [];
		});
		expect(realtimeConfigDrift(main, noQueue)).toEqual([
			'queue producer CHAT_INDEX is missing',
			'queue consumer murmur-chat-index is {"max_batch_size":10,"max_batch_timeout":1,"max_retries":10,"queue":"murmur-chat-index"}, wrangler.toml\'s is {"max_batch_size":100,"max_batch_timeout":1,"max_retries":10,"queue":"murmur-chat-index"}',
			'has no d1_databases binding, but its queue consumer writes the D1 search index'
		]);
		const queuedPages = drifted(pages, (c) => {
			c.queues = structuredClone((realtime.config as Config).queues);
		});
		expect(pagesConfigDrift(main, queuedPages)).toEqual([
			'has [[queues.consumers]]: Pages cannot consume a queue; the murmur-realtime worker does',
			'has [[queues.producers]]: the ChatRoom sends, and it lives in the murmur-realtime worker'
		]);
	});
});
