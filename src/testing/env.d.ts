/// <reference types="@cloudflare/vitest-plugin/types" />
declare namespace Cloudflare {
	interface Env {
		TEST_MIGRATIONS: import('cloudflare:test').D1Migration[];
		/** Replays a randomised test's run (seeded-random.ts); empty picks a fresh seed. */
		TEST_SEED?: string;
		/** A D1 database without our tables (vitest.config.ts), where every index write fails. */
		UNMIGRATED_DB: D1Database;
	}
}
