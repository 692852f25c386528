// What `/` and `e` keep on screen. A term is tried as the cheap things
// first (a syscall name, a pid, a comm: read from the record header, no
// decoding) and only then as a substring of the decoded line, so filtering
// a busy stream by `openat` never decodes the other calls.
//
// Lost markers always pass: a filter must never hide that events are missing.
import { syscallByName } from '../syscalls/table.js';
import { LAYOUT, TL_COMM_LEN } from '../wire.js';
import type { Entry, StreamStore } from './store.js';

export interface FilterSpec {
  text: string;
  errorsOnly: boolean;
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

/** undefined when everything passes. */
export function compileFilter(spec: FilterSpec): EntryFilter | undefined {
  const text = spec.text.trim();
  if (text === '' && !spec.errorsOnly) return undefined;
  let term: EntryFilter = () => true;
  if (text !== '') {
    const nr = syscallByName(text)?.nr;
    if (nr !== undefined) {
      term = (e) => e.nr === nr;
    } else if (/^\d+$/.test(text)) {
      const id = Number(text);
      term = (e) => e.pid === id || e.tid === id;
    } else {
      term = (e, store) => commOf(e) === text || store.textOf(e).includes(text);
    }
  }
  if (!spec.errorsOnly) return (e, store) => e.isLost || term(e, store);
  return (e, store) => e.isLost || (e.failed && term(e, store));
}

/** The status bar's words for a filter. */
export function describeFilter(spec: FilterSpec): string {
  const parts: string[] = [];
  if (spec.text.trim() !== '') parts.push(`filter "${spec.text.trim()}"`);
  if (spec.errorsOnly) parts.push('failed calls only');
  return parts.join(', ');
}
