import { drizzle } from 'drizzle-orm/d1';
import * as schema from './schema';

export type Db = ReturnType<typeof drizzle<typeof schema>>;

const instances = new WeakMap<D1Database, Db>();

/**
 * The directory database (D1), one drizzle instance per binding: making one walks the whole schema to
 * build its relational config (extractTablesRelationalConfig), which showed in every request's profile
 * when it was made per request. It holds nothing per request (a query is built per call), so it is shared.
 */
export function getDb(env: Pick<Env, 'DB'>) {
	let db = instances.get(env.DB);
	if (!db) instances.set(env.DB, (db = drizzle(env.DB, { schema })));
	return db;
}

export { schema };
