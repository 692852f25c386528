// A real `traceloop serve` process for the integration tests, on a socket of its own under a
// temp dir (never /run/traceloop.socket), curl, and the fixture every test file uses to start
// daemons, scratch cgroups and temp dirs and to release them when its tests end, even after a
// failure.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { ScratchCgroup } from '../../src/cgroup.js';
import { requireRootAndBpf, scratchCgroup, spawnCli, tempDir } from './system.js';
import { until } from './wait.js';

export interface DaemonProcess {
  child: ChildProcess;
  pid: number;
  socket: string;
  dir: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts a daemon and waits until it says it serves (or exits). */
export async function startDaemon(
  dir: string,
  extra: string[] = [],
  socket = path.join(dir, 'tl.sock'),
  env: NodeJS.ProcessEnv = {},
): Promise<DaemonProcess> {
  const r = spawnCli(['serve', '--socket', socket, ...extra], env);
  let done = false;
  void r.exited.then(() => (done = true));
  await until('the daemon to serve', () => done || r.stderr().includes('serving on'), 20_000);
  return { child: r.child, pid: r.child.pid!, socket, dir, stderr: r.stderr, exited: r.exited };
}

/** Stops a daemon we started (by its pid), if it still runs. */
export async function stopDaemon(d: DaemonProcess): Promise<void> {
  if (d.child.exitCode === null && d.child.signalCode === null) {
    d.child.kill('SIGTERM');
    const t = setTimeout(() => d.child.kill('SIGKILL'), 8000);
    await d.exited;
    clearTimeout(t);
  }
}

export interface CurlAnswer {
  status: number;
  body: string;
}

/** `curl --unix-socket SOCK URL` (plus `args`), asynchronously: status and body. */
export function curl(socket: string, url: string, args: string[] = []): Promise<CurlAnswer> {
  return new Promise((resolve, reject) => {
    const c = spawn('curl', [
      '-sS',
      '--max-time',
      '20',
      '-w',
      '\n%{http_code}',
      '--unix-socket',
      socket,
      ...args,
      url,
    ]);
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('error', reject);
    c.on('exit', () => {
      const nl = out.lastIndexOf('\n');
      const status = Number(out.slice(nl + 1));
      if (!status) reject(new Error(`curl ${url}: ${err.trim() || 'no answer'}`));
      else resolve({ status, body: out.slice(0, nl) });
    });
  });
}

/** Sends raw bytes to the socket and returns whatever comes back before it closes (or `ms`). */
export function rawExchange(socket: string, bytes: Buffer | string, ms = 3000): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ path: socket });
    let out = '';
    const t = setTimeout(() => s.destroy(), ms);
    s.on('connect', () => s.write(bytes));
    s.on('data', (d: Buffer) => (out += d.toString('latin1')));
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(t);
      resolve(out);
    });
  });
}

export const URL = 'http://localhost';

/**
 * What a describe block started, released when it ends: steps it deferred (the last first), then
 * its daemons stopped, its scratch cgroups removed (their processes killed), its temp dirs deleted.
 */
export class Fixture {
  private readonly steps: Array<() => unknown> = [];
  private readonly daemons: DaemonProcess[] = [];
  private readonly cgroups: ScratchCgroup[] = [];
  private readonly dirs: string[] = [];

  /** A fresh temp dir. */
  dir(tag: string): string {
    const d = tempDir(tag);
    this.dirs.push(d);
    return d;
  }

  /** A fresh scratch cgroup. */
  cgroup(label: string): ScratchCgroup {
    const c = scratchCgroup(label);
    this.cgroups.push(c);
    return c;
  }

  /** A daemon serving on `socket` (tl.sock in `dir`, a fresh temp dir by default), once it says so. */
  async daemon(
    o: {
      tag?: string;
      dir?: string;
      args?: string[];
      socket?: string;
      env?: NodeJS.ProcessEnv;
    } = {},
  ): Promise<DaemonProcess> {
    const d = await startDaemon(o.dir ?? this.dir(o.tag ?? 'serve'), o.args, o.socket, o.env);
    this.daemons.push(d);
    return d;
  }

  /** Runs `step` when the fixture is released, before the daemons stop. */
  defer(step: () => unknown): void {
    this.steps.push(step);
  }

  async release(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) await step();
    for (const d of this.daemons.splice(0)) await stopDaemon(d);
    for (const c of this.cgroups.splice(0)) await c.remove('kill');
    for (const d of this.dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  }
}

/**
 * The fixture of the enclosing describe block: root and BPF checked before its tests, released
 * after all of them (or after each one, `{ each: true }`).
 */
export function useFixture(o: { each?: boolean } = {}): Fixture {
  const f = new Fixture();
  beforeAll(() => requireRootAndBpf());
  if (o.each) afterEach(() => f.release());
  else afterAll(() => f.release());
  return f;
}

/** One daemon shared by the tests of a describe block. */
export interface SharedDaemon {
  /** The daemon, started before the block's tests. */
  readonly d: DaemonProcess;
  /** GET `target` (path and query) from it, with curl's `args`. */
  get(target: string, args?: string[]): Promise<CurlAnswer>;
  /** A scratch cgroup, removed with the rest. */
  cgroup(label: string): ScratchCgroup;
  readonly fixture: Fixture;
}

/** A daemon started with `args` (and `env`) before the tests of the enclosing describe block. */
export function useDaemon(tag: string, args: string[] = [], env?: NodeJS.ProcessEnv): SharedDaemon {
  const fixture = useFixture();
  let started: DaemonProcess | undefined;
  beforeAll(async () => {
    started = await fixture.daemon({ tag, args, env });
  });
  const daemon = (): DaemonProcess => {
    if (!started) throw new Error(`the ${tag} daemon did not start`);
    return started;
  };
  return {
    get d() {
      return daemon();
    },
    get: (target, args = []) => curl(daemon().socket, URL + target, args),
    cgroup: (label) => fixture.cgroup(label),
    fixture,
  };
}
