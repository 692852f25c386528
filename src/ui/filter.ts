// What `/`, `e` and `n` keep on screen: the filter language's terms
// (src/filter/query.ts), failed calls only, the usual harmless failures
// hidden. Terms read the record headers (syscall, pid, comm, errno,
// duration: no decoding); only a bare word that names none of those is
// looked for in the decoded line, so filtering a busy stream by `openat`
// never decodes the other calls.
//
// Lost markers always pass: a filter must never hide that events are missing.
import { isNoise } from '../filter/noise.js';
import { compare, parseQuery, type Term } from '../filter/query.js';
import { LAYOUT, TL_COMM_LEN } from '../wire.js';
import { durationOf, errnoOf, type Entry, type StreamStore } from './store.js';

export interface FilterSpec {
  text: string;
  errorsOnly: boolean;
  /** Hide the usual harmless failures (src/filter/noise.ts). */
  hideNoise?: boolean;
}

export type EntryFilter = (e: Entry, store: StreamStore) => boolean;

const COMM = LAYOUT['tl_enter.comm'];

function commOf(e: Entry): string | undefined {
  if (!e.enter) return undefined;
  const { buf, start } = e.enter;
  const bytes = buf.subarray(start + COMM, start + COMM + TL_COMM_LEN);
  const nul = bytes.indexOf(0);
  return bytes.toString('utf8', 0, nul < 0 ? bytes.length : nul);
}

/** One term over one line: header reads first, the decoded text only for a bare word. */
function matchTerm(t: Term, e: Entry, store: StreamStore): boolean {
  switch (t.kind) {
    case 'word':
      if (t.nr !== undefined) return e.nr === t.nr;
      if (t.id !== undefined) return e.pid === t.id || e.tid === t.id;
      return commOf(e) === t.text || store.textOf(e).includes(t.text);
    case 'pid':
      return e.pid === t.id || e.tid === t.id;
    case 'comm': {
      const comm = commOf(e);
      return comm !== undefined && t.match(comm);
    }
    case 'syscall':
      return t.nrs.has(e.nr);
    case 'errno': {
      const errno = errnoOf(e);
      return errno !== undefined && (t.errnos === 'any' || t.errnos.has(errno));
    }
    case 'duration': {
      const ns = durationOf(e);
      return ns !== undefined && compare(ns, t.op, t.limitNs);
    }
    case 'fd': {
      // The names the line shows (decoding it: only lines other terms kept get this far).
      const names = store.fdNamesOf(e);
      return names !== undefined && names.some(t.match);
    }
  }
}

/**
 * undefined when everything passes. The text is the filter language of src/filter/query.ts
 * (a text that is none throws its QueryError: the prompt checks before it applies one).
 */
export function compileFilter(spec: FilterSpec): EntryFilter | undefined {
  const terms = parseQuery(spec.text);
  const noise = spec.hideNoise ?? false;
  if (terms.length === 0 && !spec.errorsOnly && !noise) return undefined;
  return (e, store) => {
    if (e.isLost) return true;
    if (spec.errorsOnly && !e.failed) return false;
    if (noise && e.failed && isNoise(e.nr, errnoOf(e))) return false;
    for (const { term, negated } of terms) {
      if (matchTerm(term, e, store) === negated) return false;
    }
    return true;
  };
}

/**
 * Why a filter the language takes is no filter for the stream, or undefined: `fd:` needs fd
 * names, which the stream shows unless `tui --no-decode-fds` turned them off.
 */
export function uiOnlyError(text: string, fdNames: boolean): string | undefined {
  return !fdNames && parseQuery(text).some(({ term }) => term.kind === 'fd')
    ? 'fd: fd names are off (tui --no-decode-fds): the stream shows fds bare'
    : undefined;
}

/** What the UI state asks the stream to keep. */
export function specOf(ui: {
  filter: string;
  errorsOnly: boolean;
  hideNoise: boolean;
}): FilterSpec {
  return { text: ui.filter, errorsOnly: ui.errorsOnly, hideNoise: ui.hideNoise };
}

/** The status bar's words for a filter. */
export function describeFilter(spec: FilterSpec): string {
  const parts: string[] = [];
  if (spec.text.trim() !== '') parts.push(`filter "${spec.text.trim()}"`);
  if (spec.errorsOnly) parts.push('failed calls only');
  if (spec.hideNoise) parts.push('noise hidden');
  return parts.join(', ');
}
