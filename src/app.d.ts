// See https://svelte.dev/docs/kit/types#app.d.ts
import type { SessionUser, Session } from '$lib/server/auth/session';

declare global {
	namespace App {
		interface Error {
			message: string;
			/** What an operator should do about it, e.g. "run npm run db:migrate:local". */
			fix?: string;
		}
		interface Locals {
			user: SessionUser | null;
			session: Session | null;
		}
		interface Platform {
			env: Env;
			ctx: ExecutionContext;
			caches: CacheStorage;
			cf?: IncomingRequestCfProperties;
		}
	}
}

export {};
