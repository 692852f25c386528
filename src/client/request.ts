// One request to the daemon over its unix socket, answered as status and
// body. Errors the user can act on (no daemon, permission) come back as
// UserError with one line.
import http from 'node:http';
import { UserError } from '../cgroup.js';

export interface Answer {
  status: number;
  body: Buffer;
  type: string;
}

export function query(params: Record<string, string | number | undefined>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length > 0 ? '?' + parts.join('&') : '';
}

export function describeConnectError(socketPath: string, err: NodeJS.ErrnoException): UserError {
  if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') {
    return new UserError(
      `no traceloop daemon answers on ${socketPath}: start one with 'traceloop serve'`,
    );
  }
  if (err.code === 'EACCES' || err.code === 'EPERM') {
    return new UserError(
      `permission denied on ${socketPath}: run as root or as a member of its --socket-group`,
    );
  }
  return new UserError(`${socketPath}: ${err.message}`);
}

export function request(socketPath: string, target: string, timeoutMs = 30_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath, path: target, method: 'GET', timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => reject(new UserError(`${socketPath}: ${err.message}`)));
        res.on('end', () => {
          if (!res.complete) {
            reject(new UserError(`the daemon cut its answer to ${target.split('?')[0]} short`));
            return;
          }
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks),
            type: String(res.headers['content-type'] ?? ''),
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => reject(describeConnectError(socketPath, err)));
    req.end();
  });
}

/** The body as text if the status is 2xx; otherwise a UserError with the daemon's reason. */
export async function ask(socketPath: string, target: string, timeoutMs?: number): Promise<Answer> {
  const a = await request(socketPath, target, timeoutMs);
  if (a.status < 200 || a.status >= 300) {
    throw new UserError(a.body.toString('utf8').trim() || `the daemon answered ${a.status}`);
  }
  return a;
}

/** True if a traceloop daemon answers /healthz on `socketPath`. */
export async function daemonAnswers(socketPath: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const a = await request(socketPath, '/healthz', timeoutMs);
    return a.status === 200;
  } catch {
    return false;
  }
}
