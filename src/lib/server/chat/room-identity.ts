import { migrateSchema, type SchemaStep } from '$lib/server/realtime/sql-schema';

const ROOM_ID_SCHEMA: readonly SchemaStep[] = ['CREATE TABLE room_identity (room_id TEXT NOT NULL)'];

/**
 * A ChatRoom's D1 room id: the name the object was made under (chatRoomStub), which the search index
 * needs to say whose message it is. The runtime gives it as `ctx.id.name` only to an object reached from
 * its own worker; through a `script_name` binding (the Pages shape: the app's stub, the realtime worker's
 * object) the id arrives without its name. So it is learned from the first request that names the room —
 * a socket's path `/chat/<room>/ws` (both upgrade ways) or postMessage's argument — accepted only when
 * that name maps to this very object, and kept in the room's storage for every later wake-up.
 */
export class RoomIdentity {
	private roomId: string | null;

	constructor(
		private readonly storage: DurableObjectStorage,
		private readonly id: DurableObjectId,
		private readonly namespace: DurableObjectNamespace
	) {
		migrateSchema(storage, 'chat-room-identity', ROOM_ID_SCHEMA);
		const stored = storage.sql.exec<{ room_id: string }>('SELECT room_id FROM room_identity').toArray()[0];
		this.roomId = stored?.room_id ?? id.name ?? null;
	}

	/** The room id, or null while no request has named it (an object only ever reached by RPC without one). */
	get(): string | null {
		return this.roomId;
	}

	/** Takes `name` as the room id if none is known yet and it is this object's name. */
	learn(name: string | null | undefined) {
		if (this.roomId !== null || !name || !this.isNamed(name)) return;
		this.roomId = name;
		this.storage.sql.exec('INSERT INTO room_identity (room_id) VALUES (?)', name);
	}

	/** Whether `name` is the name this object was made under (chatRoomStub). */
	isNamed(name: string): boolean {
		return this.namespace.idFromName(name).equals(this.id);
	}

	/** The room id a socket's path names: `/chat/<room>/ws` (the app's route and the ticket route alike). */
	static fromSocketPath(url: string): string | null {
		const match = /^\/chat\/([^/]+)\/ws$/.exec(new URL(url).pathname);
		if (!match) return null;
		try {
			return decodeURIComponent(match[1]!);
		} catch {
			return null;
		}
	}
}
