// A real `traceloop serve` process for the integration tests, on a socket
// of its own under a temp dir (never /run/traceloop.socket), and curl.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CLI } from '../helpers/system.js';

export interface DaemonProcess {
  child: ChildProcess;
  pid: number;
  socket: string;
  dir: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

export function tempDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `traceloop-${tag}-`));
}

export async function until(
  what: string,
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Starts a daemon and waits until it says it serves (or exits). */
export async function startDaemon(
  dir: string,
  extra: string[] = [],
  socket = path.join(dir, 'tl.sock'),
  env: NodeJS.ProcessEnv = process.env,
): Promise<DaemonProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', '--socket', socket, ...extra], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env,
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  await until('the daemon to serve', () => done || err.includes('serving on'), 20_000);
  return { child, pid: child.pid!, socket, dir, stderr: () => err, exited };
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
