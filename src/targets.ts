// What the user may name to record: a cgroup2 directory, a process (its
// cgroup), or a systemd unit (the cgroup systemd made for it). Each resolves
// to a checked cgroup2 directory, or fails with one line saying why. One set
// of rules for every front end: the UI's `a`, `tui --pid/--unit`, `add`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cgroup2Mount, cgroupName, cgroupOfPid, resolveCgroupDir, UserError } from './cgroup.js';

export interface Target {
  path: string;
  name: string;
}

export function resolvePath(p: string): Target {
  const dir = resolveCgroupDir(p);
  return { path: dir, name: cgroupName(dir) };
}

export function resolvePid(pid: number): Target {
  if (!Number.isInteger(pid) || pid <= 0) throw new UserError(`${pid}: not a process id`);
  const dir = resolveCgroupDir(cgroupOfPid(pid));
  return { path: dir, name: cgroupName(dir) };
}

/**
 * A unit's cgroup: <mount>/system.slice/NAME first (no systemd needed on the
 * machine that answers), else what `systemctl show -p ControlGroup` says.
 */
export function resolveUnit(unit: string, mount = cgroup2Mount()): Target {
  const names = /\.[a-z]+$/.test(unit) ? [unit] : [`${unit}.service`, unit];
  for (const n of names) {
    const dir = path.join(mount, 'system.slice', n);
    if (fs.existsSync(dir)) return { path: resolveCgroupDir(dir, mount), name: n };
  }
  const asked = spawnSync('systemctl', ['show', '-p', 'ControlGroup', '--value', names[0]!], {
    encoding: 'utf8',
    timeout: 5000,
  });
  const cg = asked.error ? '' : asked.stdout.trim();
  if (cg !== '') return { path: resolveCgroupDir(path.join(mount, cg), mount), name: names[0]! };
  const how = asked.error ? '' : ' nor does systemctl know it';
  throw new UserError(
    `no systemd unit '${unit}': no ${path.join(mount, 'system.slice', names[0]!)}${how}`,
  );
}

/** Whatever the `a` prompt got: a pid (digits), a path (has a slash), else a unit. */
export function resolveTarget(text: string): Target {
  const t = text.trim();
  if (t === '') throw new UserError('give a cgroup path, a pid or a systemd unit');
  if (/^\d+$/.test(t)) return resolvePid(Number(t));
  if (t.includes('/') || t.startsWith('.')) return resolvePath(t);
  return resolveUnit(t);
}

/**
 * Recording these records the tracer too: the root cgroup holds every
 * process (the terminal, tmux, traceloop), and traceloop's own cgroup holds
 * the UI, which then records its own reads and writes. Both are asked about
 * (the UI) or need --yes (flags) rather than happen by a slip of `a 1`.
 */
export type SelfRecording = 'root' | 'own';

export interface SelfPaths {
  /** The cgroup2 mount: the root cgroup. */
  root: string;
  /** The cgroup traceloop runs in. */
  own: string;
}

export function selfPaths(): SelfPaths {
  const root = cgroup2Mount();
  let own = root;
  try {
    own = resolveCgroupDir(cgroupOfPid(process.pid, root), root);
  } catch {
    // no cgroup2 line for us (v1 only): only the root is known
  }
  return { root, own };
}

export function selfRecording(
  dir: string,
  self: SelfPaths = selfPaths(),
): SelfRecording | undefined {
  if (dir === self.root) return 'root';
  if (dir === self.own) return 'own';
  return undefined;
}

/** The question the UI asks before recording it (y/N follows). */
export const SELF_QUESTION: Record<SelfRecording, string> = {
  root: 'record the root cgroup (every process on the machine)?',
  own: "record traceloop's own cgroup (the UI records itself)?",
};
