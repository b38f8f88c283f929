/// <reference types="@cloudflare/vitest-plugin/types" />
declare namespace Cloudflare {
	interface Env {
		TEST_MIGRATIONS: import('cloudflare:test').D1Migration[];
		/** Replays a randomised test's run (seeded-random.ts); empty picks a fresh seed. */
		TEST_SEED?: string;
	}
}
