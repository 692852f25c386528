// What the integration tests need from the real system: root and BPF (or a
// clear failure saying so), scratch cgroups, workloads placed in them, and
// a look at which BPF programs are loaded.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ScratchCgroup } from '../../src/cgroup.js';

/** Fails loudly, never skips: CI runs as root with CAP_BPF. */
export function requireRootAndBpf(): void {
  if (process.getuid?.() !== 0) {
    throw new Error('integration tests need root (CAP_BPF, CAP_PERFMON): run `sudo npm test`');
  }
  if (!fs.existsSync('/sys/kernel/btf/vmlinux')) {
    throw new Error('integration tests need a kernel with BTF (/sys/kernel/btf/vmlinux)');
  }
}

export function scratchCgroup(label: string): ScratchCgroup {
  return new ScratchCgroup(`test-${label}`);
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
  pid: number;
}

/**
 * Runs a shell script inside `cgroupPath`: the shell joins the cgroup
 * first, so everything the script does is recorded.
 */
export function runInCgroup(cgroupPath: string, script: string, cpu?: number): Promise<Finished> {
  const pin = cpu === undefined ? '' : `taskset -pc ${cpu} $$ >/dev/null && `;
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/bash', [
      '-c',
      `echo $$ > "$0/cgroup.procs" && ${pin}${script}`,
      cgroupPath,
    ]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr, pid: child.pid ?? 0 }));
  });
}

/**
 * The BPF programs process `pid` holds open (the fdinfo of each of its fds names a prog_id):
 * which programs are this process's, whatever else is loaded on the machine.
 */
export function programsOfPid(pid: number): number[] {
  const ids = new Set<number>();
  let fds: string[] = [];
  try {
    fds = fs.readdirSync(`/proc/${pid}/fdinfo`);
  } catch {
    return [];
  }
  for (const fd of fds) {
    try {
      const m = /^prog_id:\s+(\d+)$/m.exec(fs.readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
      if (m) ids.add(Number(m[1]));
    } catch {
      // closed meanwhile
    }
  }
  return [...ids].sort((a, b) => a - b);
}

/**
 * The BPF programs one traceloop loads: sys_enter, sys_exit, the cgroup-move counter (a call is
 * completed in place only if no task moved since its enter), the process-end program and the
 * signal-delivery program.
 */
export const OUR_PROGRAMS = 5;

/** The children of process `parent` (traceloop renames itself, so look by parent, not by name). */
export function childrenOf(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // the fields after `(comm)`: state, then ppid
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) {
        pids.push(Number(entry));
      }
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/**
 * Ids of the loaded BPF programs named like ours. Compare sets of ids, not
 * counts: another traceloop on the machine may hold programs of its own.
 */
export function ourBpfPrograms(): number[] {
  const out = execFileSync('bpftool', ['prog', 'show', '--json'], { encoding: 'utf8' });
  const progs = JSON.parse(out) as Array<{ id: number; name?: string }>;
  return progs.filter((p) => /^tl_(sys|proc|cgroup)_/.test(p.name ?? '')).map((p) => p.id);
}

/** A fresh directory under the OS temp dir, `traceloop-TAG-` and a random suffix. */
export function tempDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `traceloop-${tag}-`));
}

/** A unique file path under the OS temp dir, removed by the caller. */
export function uniquePath(tag: string): string {
  return path.join(os.tmpdir(), `traceloop-${tag}-${process.pid}-${Date.now().toString(36)}`);
}

export const CLI = path.resolve(import.meta.dirname, '../../dist/cli.js');

/** Runs the CLI with `args` to its end: `input` on its stdin, the environment plus `env`. */
export function cli(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}) {
  return spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    input: opts.input ?? '',
    env: { ...process.env, ...opts.env },
  });
}

/**
 * Waits until none of `ids` is loaded. The kernel frees a program after an
 * RCU grace period once its last fd and link are gone: a few hundred ms.
 */
export async function programsGone(ids: number[], timeoutMs = 5000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = ourBpfPrograms().filter((id) => ids.includes(id));
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A CLI process started by a test: what it printed so far, and its exit. */
export interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts the CLI with `args`, the environment plus `env`, without waiting for it. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): Running {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}
