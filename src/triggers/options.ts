// `--dump-dir DIR --dump-on TRIGGERS --dump-tail T --dump-rate N --dump-dir-max BYTES`, as
// `serve` and `cgroups` take them: checked whole before anything is recorded, each bad value
// one line (a UserError).
import { UserError } from '../cgroup.js';
import { ERRNOS } from '../format/xlat/errno.js';
import { parseDuration } from '../server/params.js';
import { TL_TRIG_ERRNO_BITS } from '../wire.js';

export type TriggerKind = 'crash' | 'exit' | 'errno' | 'gone';
export const TRIGGER_KINDS: readonly TriggerKind[] = ['crash', 'exit', 'errno', 'gone'];

export interface TriggerOptions {
  dumpDir?: string;
  dumpOn?: string;
  dumpTail?: string;
  dumpRate?: number;
  dumpDirMax?: string;
}

export interface TriggerSettings {
  dir: string;
  kinds: ReadonlySet<TriggerKind>;
  /** errno numbers that are triggers (with `errno=`). */
  errnos: readonly number[];
  /** How long after the trigger the record is taken, ms. */
  tailMs: number;
  /** Dumps per cgroup and trigger kind per minute at most. */
  perMinute: number;
  /** Bytes of our files DIR may hold; the oldest are deleted first. */
  dirMaxBytes: number;
}

export const DEFAULT_DUMP_ON = 'crash';
export const DEFAULT_TAIL = '200ms';
export const DEFAULT_RATE = 4;
export const DEFAULT_DIR_MAX = '256M';
/** Longer tails would keep a crashed service's record waiting past what the ring holds. */
const MAX_TAIL_MS = 60_000;

const ERRNO_BY_NAME = new Map([...ERRNOS].map(([n, e]) => [e.name, n]));

/** The settings, or undefined when no --dump-* option was given. */
export function triggerSettings(o: TriggerOptions): TriggerSettings | undefined {
  const given = [o.dumpOn, o.dumpTail, o.dumpRate, o.dumpDirMax].some((v) => v !== undefined);
  if (o.dumpDir === undefined) {
    if (given)
      throw new UserError(
        '--dump-on, --dump-tail, --dump-rate and --dump-dir-max need --dump-dir DIR',
      );
    return undefined;
  }
  if (o.dumpDir.trim() === '') throw new UserError('--dump-dir: give a directory');
  const { kinds, errnos } = parseDumpOn(o.dumpOn ?? DEFAULT_DUMP_ON);
  let tailMs: number;
  try {
    tailMs = parseDuration(o.dumpTail ?? DEFAULT_TAIL);
  } catch (err) {
    throw new UserError(`--dump-tail: ${(err as Error).message}`);
  }
  if (tailMs > MAX_TAIL_MS) throw new UserError(`--dump-tail: at most 60s, got ${o.dumpTail}`);
  const perMinute = o.dumpRate ?? DEFAULT_RATE;
  if (!Number.isInteger(perMinute) || perMinute < 1) {
    throw new UserError(
      `--dump-rate: dumps per cgroup and trigger per minute, a positive integer, got ${perMinute}`,
    );
  }
  return {
    dir: o.dumpDir,
    kinds,
    errnos,
    tailMs,
    perMinute,
    dirMaxBytes: parseBytes(o.dumpDirMax ?? DEFAULT_DIR_MAX),
  };
}

/**
 * `crash,exit,errno=ECONNREFUSED,ETIMEDOUT,gone`: a comma list of kinds; after `errno=`, the
 * items that are errno names are more errnos.
 */
export function parseDumpOn(text: string): { kinds: Set<TriggerKind>; errnos: number[] } {
  const kinds = new Set<TriggerKind>();
  const errnos: number[] = [];
  let inErrnos = false;
  for (const raw of text.split(',')) {
    const item = raw.trim();
    const eq = item.indexOf('=');
    const name = eq < 0 ? item : item.slice(0, eq);
    if (eq >= 0 && name === 'errno') {
      kinds.add('errno');
      inErrnos = true;
      errnos.push(errnoNumber(item.slice(eq + 1)));
    } else if (eq < 0 && (TRIGGER_KINDS as readonly string[]).includes(name) && name !== 'errno') {
      kinds.add(name as TriggerKind);
      inErrnos = false;
    } else if (eq < 0 && inErrnos && /^E[A-Z0-9]+$/.test(item)) {
      errnos.push(errnoNumber(item));
    } else {
      throw new UserError(
        `--dump-on: unknown trigger '${item}' (give crash, exit, errno=NAME[,NAME...], gone)`,
      );
    }
  }
  return { kinds, errnos: [...new Set(errnos)] };
}

function errnoNumber(name: string): number {
  const n = ERRNO_BY_NAME.get(name.trim());
  if (n === undefined)
    throw new UserError(`--dump-on: unknown errno '${name}' (e.g. errno=ECONNREFUSED)`);
  if (n >= TL_TRIG_ERRNO_BITS) {
    throw new UserError(
      `--dump-on: ${name} is kernel-internal (${n}): only errnos below ${TL_TRIG_ERRNO_BITS} can trigger`,
    );
  }
  return n;
}

const UNITS: Record<string, number> = { '': 1, K: 1 << 10, M: 1 << 20, G: 1 << 30, T: 2 ** 40 };

/** `1048576`, `512K`, `64M`, `2G` (powers of 1024; a trailing `B`/`iB` is allowed). */
export function parseBytes(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i.exec(text.trim());
  const n = m ? Math.floor(Number(m[1]) * UNITS[m[2]!.toUpperCase()]!) : NaN;
  if (!m || !Number.isSafeInteger(n) || n < 4096) {
    throw new UserError(`--dump-dir-max: bytes, at least 4K, e.g. 512M or 2G, got '${text}'`);
  }
  return n;
}
