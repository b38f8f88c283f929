import type { LoggedEvent, PendingEvent } from '$lib/protocol/workspace-messages';
import { PULL_PAGE_MAX_BYTES, PULL_PAGE_MAX_EVENTS } from '$lib/protocol/workspace-messages';
import type { WorkspaceEvent } from '$lib/protocol/workspace-events';
import type { ServerPayload } from '$lib/protocol/channel';
import type { WorkspaceChannel } from '$lib/protocol/workspace-channel';
import { hasColumn, migrateSchema, type SchemaStep } from '$lib/server/realtime/sql-schema';

/**
 * A workspace's append-only event log in its Durable Object's SQLite. The object is the single writer,
 * so sequence numbers are simply the next integer; every row also records the head it was appended to
 * (`parent`), which client and client sequence proposed it (unique: a retried push finds its rows), who
 * pushed it and when. The backend id names this log: it changes only when the log is reset, which is
 * how a client holding a cursor into an older log finds out.
 */

/** Room for the frame envelope ({"type":"events","backendId":…,"head":…}) inside the page byte budget. */
const PAGE_ENVELOPE_BYTES = 1_024;
/**
 * A client id not seen for this long is forgotten (its `clients` row, not its events): every page load
 * makes a new client id, so without pruning the table grows by one row per visit forever. 30 days is far
 * beyond any offline stretch worth resuming; a returning client's stored events still dedupe by the
 * events table's (client_id, client_seq) key.
 */
export const CLIENT_IDLE_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * The log's tables, as migrateSchema steps (append-only). The first step is what constructors ran
 * before versioned schemas existed, so it is idempotent: an object created before holds these tables
 * (maybe without `last_seen`, added after the first release) and no `_schema` row yet.
 */
const EVENT_LOG_SCHEMA: readonly SchemaStep[] = [
	(sql) => {
		sql.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
		sql.exec(`CREATE TABLE IF NOT EXISTS events (
			seq INTEGER PRIMARY KEY,
			parent INTEGER NOT NULL,
			client_id TEXT NOT NULL,
			client_seq INTEGER NOT NULL,
			user_id TEXT NOT NULL,
			name TEXT NOT NULL,
			args TEXT NOT NULL,
			client_at INTEGER NOT NULL,
			server_at INTEGER NOT NULL,
			UNIQUE (client_id, client_seq)
		)`);
		// Binds a client id to the user who first pushed with it, so nobody can pre-empt another
		// client's (client id, client seq) pairs and have its real edits dropped as "duplicates".
		sql.exec(`CREATE TABLE IF NOT EXISTS clients (
			client_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, last_client_seq INTEGER NOT NULL
		)`);
		// Added in place after the first release: logs created before it get the column (0 = seen long ago).
		if (!hasColumn(sql, 'clients', 'last_seen')) {
			sql.exec(`ALTER TABLE clients ADD COLUMN last_seen INTEGER NOT NULL DEFAULT 0`);
		}
		sql.exec(`CREATE INDEX IF NOT EXISTS clients_last_seen ON clients (last_seen)`);
	},
	// The docs and tasks that exist in the log's current state, as text ids (doc:<id>, task:<id>), so a
	// text can be opened only for one of them without scanning the log; filled from the log once here.
	`CREATE TABLE live_items (item_id TEXT PRIMARY KEY) WITHOUT ROWID`,
	`INSERT INTO live_items (item_id)
	 SELECT item_id FROM (
		SELECT substr(name, 1, instr(name, '.') - 1) || ':' || json_extract(args, '$.id') AS item_id, name,
			ROW_NUMBER() OVER (PARTITION BY substr(name, 1, instr(name, '.') - 1), json_extract(args, '$.id')
				ORDER BY seq DESC) AS latest
		FROM events WHERE name IN ('doc.created', 'doc.deleted', 'task.created', 'task.deleted'))
	 WHERE latest = 1 AND name LIKE '%.created'`,
	// Each event's logged JSON, written once at append (loggedJson), so a pull page is its rows' text joined
	// by commas: SQLite building the JSON for every row of every pull was nine tenths of a catch-up's server
	// CPU (bench:workspace). Rows logged before this step get the JSON SQLite built for them until now.
	`ALTER TABLE events ADD COLUMN json TEXT NOT NULL DEFAULT ''`,
	`UPDATE events SET json = json_object('seq', seq, 'parent', parent, 'clientId', client_id,
		'clientSeq', client_seq, 'userId', user_id, 'name', name, 'args', json(args), 'at', client_at,
		'serverAt', server_at)`
];

/** An event that creates or deletes a doc or task, as the text id it concerns and whether it exists after. */
function itemChange(event: WorkspaceEvent): { itemId: string; exists: boolean } | null {
	const match = /^(doc|task)\.(created|deleted)$/.exec(event.name);
	if (!match) return null;
	return { itemId: `${match[1]}:${(event.args as { id: string }).id}`, exists: match[2] === 'created' };
}

interface EventRow extends Record<string, SqlStorageValue> {
	seq: number;
	parent: number;
	client_id: string;
	client_seq: number;
	user_id: string;
	name: string;
	args: string;
	client_at: number;
	server_at: number;
	json: string;
}

/**
 * A logged event as the JSON its pull pages carry: the LoggedEvent's keys, in the order `read()` gives
 * them, with `argsJson` (the args as stored) embedded as is rather than parsed and serialized again.
 */
function loggedJson(event: LoggedEvent, argsJson: string): string {
	const { seq, parent, clientId, clientSeq, userId, name, at, serverAt } = event;
	const text = JSON.stringify;
	return `{"seq":${seq},"parent":${parent},"clientId":${text(clientId)},"clientSeq":${clientSeq},"userId":${text(userId)},"name":${text(name)},"args":${argsJson},"at":${at},"serverAt":${serverAt}}`;
}

/**
 * One pull page as JSON text: `eventsJson` is the page's events, comma-separated JSON objects of the
 * LoggedEvent shape, ready to sit inside the `events` frame's array (see pageJson).
 */
export interface PullPage {
	eventsJson: string;
	/** How many events the page holds, and the seq of its last one (null for an empty page). */
	count: number;
	lastSeq: number | null;
	/** True when events after the page's last one exist. */
	more: boolean;
}

/** The `events` frame's fields besides the events themselves. */
export type PageEnvelope = Omit<ServerPayload<WorkspaceChannel, 'events'>, 'events'>;

/** The `events` frame's payload JSON for one page: the envelope's fields, then the page's events. */
export function pageJson(envelope: PageEnvelope, page: PullPage): string {
	return `${JSON.stringify(envelope).slice(0, -1)},"events":[${page.eventsJson}]}`;
}

/**
 * The next PULL_PAGE_MAX_EVENTS events after a seq as one row, joined by SQLite from their stored JSON
 * (loggedJson), with their UTF-8 size (commas included), count, last seq, and the log's head: one row
 * crossing into JavaScript per page, where a row per event cost the object four times as much.
 */
const PAGE_SQL = `SELECT group_concat(json, ',' ORDER BY seq) AS json, COUNT(*) AS count, MAX(seq) AS last_seq,
		SUM(length(CAST(json AS BLOB)) + 1) AS bytes, (SELECT MAX(seq) FROM events) AS head
	FROM (SELECT seq, json FROM events WHERE seq > ? ORDER BY seq LIMIT ?)`;
/** The same events one row each, for a page that its byte limit cuts short. */
const PAGE_ROWS_SQL = `SELECT seq, json, length(CAST(json AS BLOB)) AS bytes FROM events
	WHERE seq > ? ORDER BY seq LIMIT ?`;

export class EventLog {
	constructor(
		private readonly storage: DurableObjectStorage,
		private readonly sql: SqlStorage = storage.sql
	) {
		migrateSchema(storage, 'event-log', EVENT_LOG_SCHEMA);
		if (this.meta('backend_id') === null) this.setMeta('backend_id', crypto.randomUUID());
		this.currentBackendId = this.meta('backend_id')!;
	}

	/** Kept in memory: only `reset` changes it, and a pull's burst asks before every page. */
	private currentBackendId: string;

	get backendId(): string {
		return this.currentBackendId;
	}

	get head(): number {
		return Number(this.sql.exec<{ head: number | null }>(`SELECT MAX(seq) AS head FROM events`).one().head ?? 0);
	}

	meta(key: string): string | null {
		const rows = this.sql.exec<{ value: string }>(`SELECT value FROM meta WHERE key = ?`, key).toArray();
		return rows[0]?.value ?? null;
	}

	setMeta(key: string, value: string): void {
		this.sql.exec(
			`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
			key,
			value
		);
	}

	/** The user a client id belongs to, or null for a client never seen. */
	clientOwner(clientId: string): { userId: string; lastClientSeq: number } | null {
		const rows = this.sql
			.exec<{ user_id: string; last_client_seq: number }>(
				`SELECT user_id, last_client_seq FROM clients WHERE client_id = ?`,
				clientId
			)
			.toArray();
		return rows[0] ? { userId: rows[0].user_id, lastClientSeq: rows[0].last_client_seq } : null;
	}

	/**
	 * What an earlier push stored under this (client id, client seq): its seq and its content (name and
	 * args exactly as stored, JSON), or null. The content lets a retry be told from a different event
	 * reusing the pair.
	 */
	stored(clientId: string, clientSeq: number): { seq: number; name: string; args: string } | null {
		const rows = this.sql
			.exec<{ seq: number; name: string; args: string }>(
				`SELECT seq, name, args FROM events WHERE client_id = ? AND client_seq = ?`,
				clientId,
				clientSeq
			)
			.toArray();
		return rows[0] ?? null;
	}

	/** The content of an event as `stored` returns it, for comparing a retry with the original. */
	static content(event: WorkspaceEvent): { name: string; args: string } {
		return { name: event.name, args: JSON.stringify(event.args) };
	}

	/**
	 * Appends events after the current head in one transaction (all or nothing) and returns them as
	 * logged. Callers have checked the parent, ordering and ownership.
	 */
	append(events: PendingEvent[], userId: string): LoggedEvent[] {
		return this.storage.transactionSync(() => {
			let parent = this.head;
			const serverAt = Date.now();
			const logged: LoggedEvent[] = [];
			for (const event of events) {
				const seq = parent + 1;
				const { name, args } = EventLog.content(event);
				const entry = { ...event, seq, parent, userId, serverAt } as LoggedEvent;
				this.sql.exec(
					`INSERT INTO events (seq, parent, client_id, client_seq, user_id, name, args, client_at, server_at, json)
					 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
					seq,
					parent,
					event.clientId,
					event.clientSeq,
					userId,
					name,
					args,
					event.at,
					serverAt,
					loggedJson(entry, args)
				);
				this.sql.exec(
					`INSERT INTO clients (client_id, user_id, last_client_seq, last_seen) VALUES (?, ?, ?, ?)
					 ON CONFLICT (client_id) DO UPDATE SET
					   last_client_seq = MAX(last_client_seq, excluded.last_client_seq), last_seen = excluded.last_seen`,
					event.clientId,
					userId,
					event.clientSeq,
					serverAt
				);
				const change = itemChange(event);
				if (change?.exists) this.sql.exec(`INSERT OR IGNORE INTO live_items (item_id) VALUES (?)`, change.itemId);
				else if (change) this.sql.exec(`DELETE FROM live_items WHERE item_id = ?`, change.itemId);
				logged.push(entry);
				parent = seq;
			}
			return logged;
		});
	}

	/**
	 * Events after `cursor`, at most PULL_PAGE_MAX_EVENTS and PULL_PAGE_MAX_BYTES of JSON per page
	 * (always at least one event, which the push size cap keeps far below the byte limit). The page is
	 * the events' stored JSON, joined: parsing each event and serializing it again, then SQLite building
	 * each event's JSON from its columns, were each most of what a 10,000-event catch-up cost the object.
	 */
	page(cursor: number): PullPage {
		const joined = this.sql
			.exec<{ json: string | null; count: number; last_seq: number | null; bytes: number | null; head: number }>(
				PAGE_SQL,
				cursor,
				PULL_PAGE_MAX_EVENTS
			)
			.one();
		if (joined.json === null || joined.last_seq === null)
			return { eventsJson: '', count: 0, lastSeq: null, more: false };
		if (PAGE_ENVELOPE_BYTES + joined.bytes! <= PULL_PAGE_MAX_BYTES) {
			const { json, count, last_seq: lastSeq, head } = joined;
			return { eventsJson: json, count, lastSeq, more: head > lastSeq };
		}
		return this.pageCutByBytes(cursor);
	}

	/** A page of large events (long doc bodies): as many as fit PULL_PAGE_MAX_BYTES, the first always. */
	private pageCutByBytes(cursor: number): PullPage {
		const rows = this.sql
			.exec<{ seq: number; json: string; bytes: number }>(PAGE_ROWS_SQL, cursor, PULL_PAGE_MAX_EVENTS + 1)
			.toArray();
		const parts: string[] = [];
		let bytes = PAGE_ENVELOPE_BYTES;
		let lastSeq: number | null = null;
		for (const row of rows.slice(0, PULL_PAGE_MAX_EVENTS)) {
			// +1 for the comma between array items.
			if (parts.length > 0 && bytes + row.bytes + 1 > PULL_PAGE_MAX_BYTES) break;
			parts.push(row.json);
			bytes += row.bytes + 1;
			lastSeq = row.seq;
		}
		return { eventsJson: parts.join(','), count: parts.length, lastSeq, more: rows.length > parts.length };
	}

	/** Forgets client ids that pushed nothing for CLIENT_IDLE_MS before `now`; returns how many. */
	/**
	 * The doc's latest whole-field body (`doc.created` or `doc.bodySet`), or null: what a doc written
	 * before docs became Yjs texts holds, migrated into its text on first load. A scan of the log, run once
	 * per doc (after it the text has its own snapshot).
	 */
	/** Whether the doc or task a text id names (doc:<id>, task:<id>) exists in the log's current state. */
	itemExists(textId: string): boolean {
		return this.sql.exec(`SELECT 1 FROM live_items WHERE item_id = ?`, textId).toArray().length > 0;
	}

	lastDocBody(docId: string): string | null {
		const row = this.sql
			.exec<{ body: string | null }>(
				`SELECT json_extract(args, '$.body') AS body FROM events
				 WHERE name IN ('doc.created', 'doc.bodySet') AND json_extract(args, '$.id') = ?
				 ORDER BY seq DESC LIMIT 1`,
				docId
			)
			.toArray()[0];
		return typeof row?.body === 'string' ? row.body : null;
	}

	pruneIdleClients(now = Date.now()): number {
		return this.sql.exec(`DELETE FROM clients WHERE last_seen < ? RETURNING client_id`, now - CLIENT_IDLE_MS).toArray()
			.length;
	}

	/** Every event after `cursor` (tests and service reads; bounded by `limit`). */
	read(cursor = 0, limit = 10_000): LoggedEvent[] {
		return this.sql
			.exec<EventRow>(`SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?`, cursor, limit)
			.toArray()
			.map(toLogged);
	}

	/** Starts a new, empty log under a new backend id (operator action; clients detect it and start over). */
	reset(): string {
		const backendId = crypto.randomUUID();
		this.storage.transactionSync(() => {
			this.sql.exec(`DELETE FROM events`);
			this.sql.exec(`DELETE FROM clients`);
			this.sql.exec(`DELETE FROM live_items`);
			this.setMeta('backend_id', backendId);
		});
		this.currentBackendId = backendId;
		return backendId;
	}
}

function toLogged(row: EventRow): LoggedEvent {
	return {
		seq: row.seq,
		parent: row.parent,
		clientId: row.client_id,
		clientSeq: row.client_seq,
		userId: row.user_id,
		name: row.name,
		args: JSON.parse(row.args),
		at: row.client_at,
		serverAt: row.server_at
	} as LoggedEvent & WorkspaceEvent;
}
