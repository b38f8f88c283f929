/**
 * D1 answers "no such table" when `drizzle/` migrations were never applied to this database. The
 * message names the fix, because the raw error does not.
 */
export const MIGRATION_FIX =
	'Apply the migrations: `npm run db:migrate:local` locally (npm start does it), or `wrangler d1 migrations apply DB --remote` on Cloudflare.';

export function isMissingSchema(error: unknown): boolean {
	const text = error instanceof Error ? `${error.message} ${String(error.cause ?? '')}` : String(error);
	return /no such (table|column)/i.test(text);
}
