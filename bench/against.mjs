// BENCH_AGAINST=<git revision>: an earlier gw, built from that revision's own files, runs as one more
// target in the same interleaved rounds as this checkout's gw, so a change's cost is a same-run ratio
// (each round's gw CPU per request over the earlier gw's) rather than two runs minutes apart on a shared
// machine. The build is kept under .bench-out/against-<commit>/ and reused.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const run = (/** @type {string} */ cmd, /** @type {string[]} */ args, /** @type {string} */ cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, CI: 'true' } });

/**
 * The folder of a built gw at `revision` (a commit, tag or branch of this repository).
 * @param {string} root this checkout
 * @param {string} out the bench's output folder
 * @param {string} revision
 * @returns {{ dir: string, commit: string }}
 */
export function buildAgainst(root, out, revision) {
  const commit = execFileSync('git', ['rev-parse', '--verify', `${revision}^{commit}`], { cwd: root, encoding: 'utf8' }).trim();
  const dir = join(out, `against-${commit.slice(0, 12)}`);
  if (existsSync(join(dir, 'packages/cli/dist/bin.js'))) return { dir, commit };
  console.log(`building gw at ${revision} (${commit.slice(0, 12)}) in ${dir} …`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // The revision's files as committed: `git archive` needs no worktree bookkeeping in .git.
  execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C "${dir}"`], { cwd: root, stdio: 'inherit' });
  run('npx', ['-y', 'pnpm@10', 'install', '--frozen-lockfile', '--prefer-offline'], dir);
  run('npx', ['-y', 'pnpm@10', 'run', 'build'], dir);
  return { dir, commit };
}
