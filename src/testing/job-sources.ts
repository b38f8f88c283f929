/**
 * Job module sources for the transpiler's tests. Each call of `freshJob` differs (a random comment), so
 * it is a cache miss whatever earlier tests stored: the auxiliary transpiler worker's KV and counters
 * are shared by every test file.
 */
export function freshJob(body = 'return chunk * 2;'): string {
	return [
		`// run ${crypto.randomUUID()}`,
		'export function split(input: { n: number }): number[] {',
		'\treturn Array.from({ length: input.n }, (_, i) => i);',
		'}',
		`export function run(chunk: number): number {`,
		`\t${body}`,
		'}',
		'export function merge(results: number[]): number {',
		'\treturn results.reduce((sum, x) => sum + x, 0);',
		'}',
		''
	].join('\n');
}
