// Where cgroup2 lives on this host, and the scratch cgroups `traceloop run`
// and the tests make. Never assume /sys/fs/cgroup: hybrid hosts mount
// cgroup2 at /sys/fs/cgroup/unified.
import fs from 'node:fs';
import path from 'node:path';

/** A failure the user can act on: the CLI prints `message` alone. */
export class UserError extends Error {}

/** Mount point of the cgroup2 hierarchy, from /proc/self/mountinfo. */
export function cgroup2Mount(mountinfo = fs.readFileSync('/proc/self/mountinfo', 'utf8')): string {
  for (const line of mountinfo.split('\n')) {
    // `36 25 0:30 / /sys/fs/cgroup rw,... shared:9 - cgroup2 cgroup2 rw`
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    if (right.split(' ')[0] !== 'cgroup2') continue;
    const mountPoint = left.split(' ')[4];
    if (mountPoint) return unescapeMountinfo(mountPoint);
  }
  throw new UserError(
    'no cgroup2 hierarchy is mounted (see /proc/self/mountinfo): mount one with ' +
      "'mount -t cgroup2 none /sys/fs/cgroup'",
  );
}

// mountinfo escapes space, tab, newline and backslash as octal.
function unescapeMountinfo(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** The cgroup2 path of a process, from /proc/PID/cgroup (the `0::` line). */
export function cgroupOfPid(pid: number, mount = cgroup2Mount()): string {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  } catch {
    throw new UserError(`no process with pid ${pid}`);
  }
  const line = text.split('\n').find((l) => l.startsWith('0::'));
  if (!line) throw new UserError(`process ${pid} is in no cgroup2 cgroup (cgroup v1 only?)`);
  return path.join(mount, line.slice(3));
}

/**
 * Checks that `p` names a directory of the cgroup2 hierarchy and returns
 * its canonical path. Symlinks are resolved first, so a link cannot point
 * the recorder outside the hierarchy.
 */
export function resolveCgroupDir(p: string, mount = cgroup2Mount()): string {
  let real: string;
  try {
    real = fs.realpathSync(p);
  } catch {
    throw new UserError(`${p}: no such cgroup directory (cgroup2 is mounted at ${mount})`);
  }
  const rel = path.relative(mount, real);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new UserError(`${p}: not inside the cgroup2 hierarchy at ${mount}`);
  }
  if (!fs.statSync(real).isDirectory()) {
    throw new UserError(`${p}: not a cgroup directory`);
  }
  return real;
}

/** True while the cgroup directory is still there (a stopped service removes it). */
export function cgroupExists(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** A short name for a cgroup path: its last component. */
export function cgroupName(p: string): string {
  return path.basename(p) || p;
}

/**
 * A fresh leaf cgroup under `<mount>/traceloop/`, removed by `remove()`.
 * The parent stays empty of processes, as cgroup2 requires of inner nodes.
 */
export class ScratchCgroup {
  readonly path: string;

  constructor(label: string, mount = cgroup2Mount()) {
    const parent = path.join(mount, 'traceloop');
    try {
      fs.mkdirSync(parent, { recursive: true });
      this.path = fs.mkdtempSync(path.join(parent, `${label}-${process.pid}-`));
    } catch (err) {
      // With CAP_BPF and CAP_PERFMON but not root, BPF loads and this is what fails.
      const e = err as NodeJS.ErrnoException;
      const hint = e.code === 'EACCES' || e.code === 'EPERM' ? ': run as root' : '';
      throw new UserError(`cannot create a cgroup under ${parent}: ${e.message}${hint}`);
    }
  }

  /**
   * Removes the cgroup. Processes still in it (a daemon CMD left behind) are
   * moved to our own cgroup, or killed with `leftovers: 'kill'` (tests, demo).
   */
  async remove(leftovers: 'move' | 'kill' = 'move', timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        fs.rmdirSync(this.path);
        break;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') break;
        if (code !== 'EBUSY' || Date.now() > deadline) {
          throw new UserError(`cannot remove cgroup ${this.path}: ${(err as Error).message}`);
        }
        this.evict(leftovers);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    // The shared parent goes too once the last scratch cgroup is gone.
    try {
      fs.rmdirSync(path.dirname(this.path));
    } catch {
      // still in use by another traceloop, or already gone
    }
  }

  private evict(how: 'move' | 'kill'): void {
    try {
      if (how === 'kill') {
        fs.writeFileSync(path.join(this.path, 'cgroup.kill'), '1');
        return;
      }
      const home = path.join(cgroupOfPid(process.pid), 'cgroup.procs');
      const pids = fs.readFileSync(path.join(this.path, 'cgroup.procs'), 'utf8').split('\n');
      for (const pid of pids.filter(Boolean)) fs.writeFileSync(home, pid);
    } catch {
      // raced with the process exiting; the next rmdir tells
    }
  }
}
