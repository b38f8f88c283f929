// One checkout's browser modules for bench:workspace's catch-up section: this branch, or a reference
// commit's build (workspace-reference.ts), each loaded from its own src/lib (app-loader.ts) with its own
// codec, so each side of a comparison runs its own client code.
import { registerCheckout } from './app-loader.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- two checkouts' modules, loaded by URL */
export type Frame = { type: string; seq: number; payload: any };
export type Wire = {
	encodeClient(type: string, payload: unknown, seq?: number): Uint8Array;
	decodeServer(data: ArrayBuffer): Frame;
};

/** One checkout's browser modules and codec, loaded from its own directory. */
export interface Checkout {
	label: string;
	wire: Wire;
	codec: { decode(frame: ArrayBuffer): { payload: Uint8Array } };
	version: number;
	pushMaxEvents: number;
	SyncEngine: any;
	EngineWire: any;
	MemoryPendingStore: any;
	/** The page's token for reconnects (workspace-token.ts); null in a checkout older than it (a fresh token per connect). */
	WorkspaceToken: any;
}

export async function loadCheckout(label: string, dir: URL): Promise<Checkout> {
	const lib = registerCheckout(dir);
	const load = (path: string) => import(new URL(path, lib).href);
	const [channel, contract, engine, engineWire, store, messages] = await Promise.all([
		load('protocol/channel.ts'),
		load('protocol/workspace-channel.ts'),
		load('workspace/sync-engine.ts'),
		load('workspace/engine-wire.ts'),
		load('workspace/pending-store.ts'),
		load('protocol/workspace-messages.ts')
	]);
	const token = await load('workspace/workspace-token.ts').catch(() => null);
	const { loadNodeCodec } = await import(new URL('wasm/node/load-codec-node.ts', dir).href);
	const { codec } = loadNodeCodec();
	return {
		label,
		wire: new channel.ChannelWire(contract.workspaceChannel, codec),
		codec,
		version: contract.workspaceChannel.version,
		pushMaxEvents: messages.PUSH_MAX_EVENTS,
		SyncEngine: engine.SyncEngine,
		EngineWire: engineWire.EngineWire,
		MemoryPendingStore: store.MemoryPendingStore,
		WorkspaceToken: token?.WorkspaceToken ?? null
	};
}
/* eslint-enable @typescript-eslint/no-explicit-any */
