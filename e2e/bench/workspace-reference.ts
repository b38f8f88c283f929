// A built copy of another commit of this repository, for benchmarks that compare today's code with a
// reference in one run (BENCH_REFERENCE=main): `git archive` of the commit into a directory of its own
// under the system's temp dir, the same node_modules, `npm run build` there. Kept per commit, so only the
// first run of a reference pays for its build; its servers run from that directory (startLocalServer's
// `cwd`) and its browser modules are loaded from there (app-loader.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repo = new URL('../../', import.meta.url).pathname;
const BUILT_MARK = '.bench-reference-built';

/** The commit `rev` names, built once into its own directory; returns the directory and the commit. */
export function referenceCheckout(rev: string): { dir: string; commit: string } {
	const commit = execFileSync('git', ['-C', repo, 'rev-parse', '--verify', `${rev}^{commit}`], {
		encoding: 'utf8'
	}).trim();
	const dir = join(tmpdir(), 'murmur-bench-reference', commit);
	if (existsSync(join(dir, BUILT_MARK))) return { dir, commit };
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(dir, { recursive: true });
	const archive = spawnSync('git', ['-C', repo, 'archive', commit], { maxBuffer: 1 << 30 });
	if (archive.status !== 0) throw new Error(`git archive ${commit} failed: ${archive.stderr}`);
	const untar = spawnSync('tar', ['-x', '-C', dir], { input: archive.stdout });
	if (untar.status !== 0) throw new Error(`unpacking ${commit} failed: ${untar.stderr}`);
	symlinkSync(realpathSync(join(repo, 'node_modules')), join(dir, 'node_modules'));
	console.log(`building the reference ${rev} (${commit.slice(0, 8)}) in ${dir} …`);
	const build = spawnSync('npm', ['run', 'build'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
	if (build.status !== 0) throw new Error(`npm run build of the reference ${commit} failed`);
	writeFileSync(join(dir, BUILT_MARK), `${new Date().toISOString()}\n`);
	return { dir, commit };
}
