// D1's HTTP protocol, as workerd's D1 client (`cloudflare-internal:d1-api`) speaks it when the app calls
// prepare().all()/first()/raw()/run(), batch() or exec(): POST /query or /execute with one `{ sql, params }`
// or an array of them, `?resultsFormat=ROWS_AND_COLUMNS` (rows as arrays) or anything else (rows as objects).
// Errors are answered as `{ success: false, error }`, which the client throws as `D1_ERROR: <message>`.
//
// The binding's props name the database: `service = (name = "stores", entrypoint = "D1Service",
// props = (json = "{\"database\": \"murmur\"}"))`; each database is one D1Store object.
import { WorkerEntrypoint } from 'cloudflare:workers';

export class D1Service extends WorkerEntrypoint {
	async fetch(request) {
		const url = new URL(request.url);
		if (request.method !== 'POST' || (url.pathname !== '/query' && url.pathname !== '/execute')) {
			return Response.json({ success: false, error: 'Not found' }, { status: 404 });
		}
		const rowsAndColumns = url.searchParams.get('resultsFormat') === 'ROWS_AND_COLUMNS';
		try {
			const body = await request.json();
			const queries = Array.isArray(body) ? body : [body];
			const results = await this.#database().run(queries);
			return Response.json(
				results.map(({ columns, rows, meta }) => ({
					success: true,
					results: rowsAndColumns ? { columns, rows } : toObjects(columns, rows),
					meta
				}))
			);
		} catch (error) {
			return Response.json({ success: false, error: String(error?.message ?? error) });
		}
	}

	#database() {
		const name = this.ctx.props?.database;
		if (typeof name !== 'string') throw new Error('No database: props must be {"database": "<name>"}.');
		return this.env.D1_STORE.get(this.env.D1_STORE.idFromName(name));
	}
}

function toObjects(columns, rows) {
	return rows.map((row) => Object.fromEntries(columns.map((column, i) => [column, row[i]])));
}
