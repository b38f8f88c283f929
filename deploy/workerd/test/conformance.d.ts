export interface CheckResult {
	name: string;
	ok: boolean;
	detail?: string;
}

export function checkStores(
	env: { DB: D1Database; KV: KVNamespace; R2: R2Bucket },
	tag?: string
): Promise<CheckResult[]>;

export function pattern(length: number): Uint8Array;
