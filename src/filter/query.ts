// The filter language, parsed: terms separated by spaces, all of which must hold (AND), each
// negated by a leading `-`. Fields say what a term is about; a bare word is tried as a syscall
// name, a pid, a comm, then any text of the line (what `/` always took). Parsing is pure and
// apart from evaluation, so the UI (over its stored lines) and a dump (over records) can share it.
//
//   pid:1234          the process or thread 1234
//   comm:nginx        the thread's name (* and ? as in a shell)
//   syscall:connect   the call (globs too: syscall:*stat*)
//   errno:ECONNREFUSED, errno:*   failed with that errno (any errno)
//   dur>10ms, dur<=1s the time in the call (ns, us, ms, s)
//   fd:/var/log/*     a line whose fd arguments or fd return name this (as -y shows them,
//                     without the brackets: fd:pipe:*, fd:TCP:*); only where names are shown
//   -errno:ENOENT     not that
import { syscallByName, syscallByNr } from '../syscalls/table.js';
import { ERRNOS } from '../format/xlat/errno.js';

export type Comparison = '>' | '>=' | '<' | '<=';

export type Term =
  | { kind: 'word'; text: string; nr: number | undefined; id: number | undefined }
  | { kind: 'pid'; id: number }
  | { kind: 'comm'; match: (comm: string) => boolean }
  | { kind: 'syscall'; nrs: ReadonlySet<number> }
  | { kind: 'errno'; errnos: ReadonlySet<number> | 'any' }
  | { kind: 'duration'; op: Comparison; limitNs: number }
  | { kind: 'fd'; match: (name: string) => boolean };

export interface QueryTerm {
  term: Term;
  negated: boolean;
}

/** A term the parser cannot take: the message says which and why, for the prompt. */
export class QueryError extends Error {}

const UNITS: Readonly<Record<string, number>> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9 };
const ERRNO_BY_NAME = new Map([...ERRNOS].map(([n, info]) => [info.name, n]));
/** Every syscall number the table names (for globs over names). */
const ALL_NRS = Array.from({ length: 1024 }, (_, nr) => nr).filter((nr) => syscallByNr(nr));

/** `*` and `?` as a shell takes them, the rest literal. */
export function glob(pattern: string): (s: string) => boolean {
  if (!/[*?]/.test(pattern)) return (s) => s === pattern;
  const re = new RegExp(
    '^' +
      pattern
        .split('')
        .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
        .join('') +
      '$',
  );
  return (s) => re.test(s);
}

function parseTerm(word: string): Term {
  const field = /^([a-z]+):(.*)$/.exec(word);
  if (field) {
    const [, name, value] = field as unknown as [string, string, string];
    if (value === '') throw new QueryError(`${name}: wants a value (${name}:...)`);
    switch (name) {
      case 'pid': {
        if (!/^\d+$/.test(value)) throw new QueryError(`pid: wants a number, not ${value}`);
        return { kind: 'pid', id: Number(value) };
      }
      case 'comm':
        return { kind: 'comm', match: glob(value) };
      case 'syscall': {
        const match = glob(value);
        const nrs = new Set(ALL_NRS.filter((nr) => match(syscallByNr(nr)!.name)));
        if (nrs.size === 0) throw new QueryError(`syscall: no syscall is called ${value}`);
        return { kind: 'syscall', nrs };
      }
      case 'errno': {
        if (value === '*') return { kind: 'errno', errnos: 'any' };
        const match = glob(value.toUpperCase());
        const errnos = new Set([...ERRNO_BY_NAME].filter(([n]) => match(n)).map(([, v]) => v));
        if (errnos.size === 0) throw new QueryError(`errno: no errno is called ${value}`);
        return { kind: 'errno', errnos };
      }
      case 'fd':
        return { kind: 'fd', match: glob(value) };
      default:
        // A word with a colon that names no field is text to look for.
        break;
    }
  }
  const dur = /^dur(>=|<=|>|<)(\d+(?:\.\d+)?)(ns|us|µs|ms|s)$/.exec(word);
  if (dur) {
    const [, op, n, unit] = dur as unknown as [string, Comparison, string, string];
    return { kind: 'duration', op, limitNs: Number(n) * UNITS[unit]! };
  }
  if (word.startsWith('dur') && /^dur[<>]/.test(word)) {
    throw new QueryError(
      `${word}: a duration is a number and a unit: dur>10ms, dur<=2s, dur>500us`,
    );
  }
  return {
    kind: 'word',
    text: word,
    nr: syscallByName(word)?.nr,
    id: /^\d+$/.test(word) ? Number(word) : undefined,
  };
}

/** The terms of `text`; throws a QueryError that names the first term it cannot take. */
export function parseQuery(text: string): QueryTerm[] {
  return text
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '' && w !== '-')
    .map((w) => {
      const negated = w.startsWith('-') && w.length > 1;
      return { term: parseTerm(negated ? w.slice(1) : w), negated };
    });
}

/** Why `text` is not a filter, or undefined when it is one. */
export function queryError(text: string): string | undefined {
  try {
    parseQuery(text);
    return undefined;
  } catch (err) {
    if (err instanceof QueryError) return err.message;
    throw err;
  }
}

/** Whether a duration in ns passes `op` against `limit`. */
export function compare(ns: number, op: Comparison, limit: number): boolean {
  switch (op) {
    case '>':
      return ns > limit;
    case '>=':
      return ns >= limit;
    case '<':
      return ns < limit;
    case '<=':
      return ns <= limit;
  }
}
