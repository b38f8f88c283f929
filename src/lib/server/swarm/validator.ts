import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import { canonicalJson } from '$lib/protocol/canonical-json';
import { CUSTOM_JOB_OUTPUT_MAX_BYTES, type ChunkOutput } from '$lib/protocol/swarm-jobs';
import type { ChunkRow } from './job-store';
import type { Replica, VoteStore } from './vote-store';

/** Replicas one chunk may have in all (k plus re-issues): bounds the results held per chunk. */
export function maxReplicas(k: number): number {
	return k + 4;
}

export type Verdict =
	/** Fewer than k results agree yet and replicas are still out. */
	| { kind: 'waiting' }
	/** k results agree: the chunk is decided. `open`: replicas still out, to be dropped on their devices. */
	| { kind: 'accepted'; done: number; winners: string[]; losers: string[]; open: Replica[] }
	/** Every replica reported but no k agree: `issued` more replicas go to devices that have not computed it. */
	| { kind: 'disagreement'; versions: number; issued: number }
	/** The chunk used up maxReplicas(k) without k agreeing results, or the job's outputs outgrew their cap. */
	| { kind: 'unresolvable'; reason: string };

const utf8 = new TextEncoder();

/** The server's own digest of a result: SHA-256 of its canonical JSON (a device-sent hash is never trusted). */
export function resultDigest(output: ChunkOutput): string {
	return encodeHexLowerCase(sha256(utf8.encode(canonicalJson(output))));
}

/** How a result is stored: a tile's pixels as they are (tiles are sent on as-is), anything else canonical. */
function storedForm(output: ChunkOutput): string {
	if (output.kind === 'mandelbrot') return output.pixels;
	return canonicalJson(output.kind === 'custom' ? output.value : output);
}

/**
 * The vote on a chunk's results (BOINC's validator): each reported result is digested by the server,
 * the chunk is accepted once k results share a digest, and a disagreement with nothing left out issues
 * as many more replicas as the leading result lacks. Built-in jobs have k = 1: their one result, already
 * checked by jobs.ts, is accepted at once.
 */
export class Validator {
	constructor(private readonly votes: VoteStore) {}

	report(chunk: ChunkRow, k: number, output: ChunkOutput, contribution: number, now: number): Verdict {
		const digest = resultDigest(output);
		const stored = storedForm(output);
		this.votes.report(chunk, digest, stored);
		const replicas = this.votes.replicas(chunk.jobSeq, chunk.unit);
		const reported = replicas.filter((r) => r.status === 'reported');
		const tally = new Map<string, number>();
		for (const r of reported) tally.set(r.digest!, (tally.get(r.digest!) ?? 0) + 1);
		const [leader, votes] = [...tally].sort((a, b) => b[1] - a[1])[0];
		const open = replicas.filter((r) => r.status === 'pending' || r.status === 'assigned');
		if (votes >= k) {
			const bytes = utf8.encode(stored).byteLength;
			if (this.votes.outputBytes(chunk.jobSeq) + bytes > CUSTOM_JOB_OUTPUT_MAX_BYTES) {
				return { kind: 'unresolvable', reason: `its results outgrew ${CUSTOM_JOB_OUTPUT_MAX_BYTES / 2 ** 20} MiB` };
			}
			// The replica that just reported holds the leader's output when it agrees; else the first agreeing one.
			const keep = digest === leader ? chunk.idx : reported.find((r) => r.digest === leader)!.idx;
			const done = this.votes.accept(chunk.jobSeq, chunk.unit, leader, keep, contribution, bytes, now);
			const side = (agree: boolean) =>
				reported.filter((r) => (r.digest === leader) === agree && r.deviceId).map((r) => r.deviceId!);
			return { kind: 'accepted', done, winners: k > 1 ? side(true) : [], losers: side(false), open };
		}
		if (open.length > 0) return { kind: 'waiting' };
		const issued = k - votes;
		if (replicas.length + issued > maxReplicas(k)) {
			return { kind: 'unresolvable', reason: `no ${k} of ${replicas.length} results agreed` };
		}
		this.votes.reissue(chunk.jobSeq, chunk.unit, issued);
		return { kind: 'disagreement', versions: tally.size, issued };
	}
}
