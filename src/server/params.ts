// Request parameters of the daemon's HTTP API, checked before anything else
// sees them. Everything here is pure (no file system, no recorder), so the
// unit tests in test/server/ can throw every bad input at it.

/** A request the daemon refuses: `status` and a one-line plain-text reason. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const MAX_NAME = 128;
export const MAX_PATH = 4096;
/** Longest request target (path and query string) the daemon reads. */
export const MAX_TARGET = 8192;
/** Largest urlencoded form body (POST), as the original's r.FormValue accepted. */
export const MAX_BODY = 8192;

export type Params = ReadonlyMap<string, string>;

/**
 * Decodes a query string or urlencoded body. A parameter given twice is an
 * error (which one would count?), and so is one that does not decode.
 */
export function parseForm(text: string): Map<string, string> {
  const out = new Map<string, string>();
  if (text === '') return out;
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
    } catch {
      throw new HttpError(400, `bad percent-encoding in parameter '${printable(rawKey)}'`);
    }
    if (out.has(key)) throw new HttpError(400, `parameter '${printable(key)}' given twice`);
    out.set(key, value);
  }
  return out;
}

/** Splits a request target into its path and parameters. */
export function parseTarget(target: string): { path: string; params: Map<string, string> } {
  if (target.length > MAX_TARGET) {
    throw new HttpError(414, `request target longer than ${MAX_TARGET} bytes`);
  }
  if (!target.startsWith('/')) throw new HttpError(400, 'the request target must start with /');
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  return { path, params: parseForm(q < 0 ? '' : target.slice(q + 1)) };
}

/** Rejects parameters an endpoint does not know, so a typo is not silently ignored. */
export function onlyParams(params: Params, allowed: readonly string[]): void {
  for (const key of params.keys()) {
    if (!allowed.includes(key)) {
      const known = allowed.length > 0 ? allowed.join(', ') : 'none';
      throw new HttpError(
        400,
        `unknown parameter '${printable(key)}' (this endpoint takes: ${known})`,
      );
    }
  }
}

function required(params: Params, key: string): string {
  const v = params.get(key);
  if (v === undefined) throw new HttpError(400, `missing parameter '${key}'`);
  if (v === '') throw new HttpError(400, `parameter '${key}' is empty`);
  return v;
}

/**
 * A registration id: a decimal number as /add printed it, so no leading zeros (`000000000`
 * is not another spelling of 0: one id, one spelling).
 */
export function parseId(params: Params, key = 'id'): number {
  const v = required(params, key);
  if (!/^(0|[1-9]\d{0,8})$/.test(v)) {
    throw new HttpError(
      400,
      `parameter '${key}' must be a number as /add printed it, got '${printable(v)}'`,
    );
  }
  return Number(v);
}

const NAME_RE = /^[A-Za-z0-9_.:@+\\-]+$/;

/** A cgroup's name: letters, digits and `_ . : @ + - \` (systemd unit names fit), not all digits. */
export function checkName(v: string, key = 'name'): string {
  if (v === '') throw new HttpError(400, `parameter '${key}' is empty`);
  if (v.length > MAX_NAME)
    throw new HttpError(400, `parameter '${key}' is longer than ${MAX_NAME} characters`);
  if (!NAME_RE.test(v)) {
    throw new HttpError(
      400,
      `parameter '${key}' may hold only letters, digits and _ . : @ + - \\, got '${printable(v)}'`,
    );
  }
  if (/^\d+$/.test(v))
    throw new HttpError(400, `parameter '${key}' cannot be all digits (it would read as an id)`);
  return v;
}

export function parseName(params: Params, key = 'name'): string {
  return checkName(required(params, key), key);
}

/** An optional name: undefined when absent. */
export function optionalName(params: Params, key = 'name'): string | undefined {
  return params.has(key) ? parseName(params, key) : undefined;
}

/**
 * A cgroup path as the client wrote it: absolute, no `.` or `..` component,
 * no NUL or control characters, bounded. Where it really leads (symlinks) is
 * checked against the cgroup2 mount by the caller.
 */
export function parseCgroupPath(params: Params, key: string): string {
  const v = required(params, key);
  if (v.length > MAX_PATH)
    throw new HttpError(400, `parameter '${key}' is longer than ${MAX_PATH} bytes`);
  if (hasControl(v)) throw new HttpError(400, `parameter '${key}' holds control characters`);
  if (!v.startsWith('/'))
    throw new HttpError(400, `parameter '${key}' must be an absolute path, got '${printable(v)}'`);
  if (v.split('/').some((c) => c === '..' || c === '.')) {
    throw new HttpError(400, `parameter '${key}' may not contain '.' or '..' components`);
  }
  return v;
}

export type DumpFormat = 'text' | 'jsonl' | 'raw';

/** `fds=`: fd names as strace -y (`y`, the default), -yy (`yy`: live streams), or none (`off`). */
export type FdNames = 'off' | 'y' | 'yy';

export function parseFormat<T extends string>(
  params: Params,
  allowed: readonly T[],
  fallback: T,
): T {
  const v = params.get('format');
  if (v === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(v)) {
    throw new HttpError(
      400,
      `parameter 'format' must be one of ${allowed.join(', ')}, got '${printable(v)}'`,
    );
  }
  return v as T;
}

function hasControl(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const code = v.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** A value safe to echo in a one-line reason: control characters escaped, cut at 80. */
export function printable(v: string): string {
  const cut = v.length > 80 ? v.slice(0, 80) + '...' : v;
  let out = '';
  for (const c of cut) {
    const code = c.charCodeAt(0);
    out +=
      code < 0x20 || (code >= 0x7f && code <= 0x9f)
        ? `\\x${code.toString(16).padStart(2, '0')}`
        : c;
  }
  return out;
}

/** `3h`, `90m`, `30s`, `500ms` or plain seconds, to milliseconds. */
export function parseDuration(v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(v.trim());
  if (!m) throw new Error(`not a duration: '${v}' (write e.g. 3h, 90m, 30s)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 's'];
  return Number(m[1]) * unit!;
}
