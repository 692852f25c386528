// The filter language over formatted lines (dumps, `run`, the daemon's /dump): each line with
// the record it is about and its call's enter (LineFormatter.owners and .enters). The same
// terms as the UI's (src/ui/filter.ts), read from records instead of stored columns.
import type { LineFormatter } from '../format/index.js';
import type { EnterRecord, WireRecord } from '../wire.js';
import { TL_NR_PROC_END } from '../wire.js';
import { compare, parseQuery, type Term } from './query.js';

export type LineFilter = (
  line: string,
  owner: WireRecord,
  enter: EnterRecord | undefined,
  /** The fd names the line shows (LineFormatter.fdNames), if any. */
  fdNames?: readonly string[],
) => boolean;

const MAX_ERRNO = 4095n;

/** `[comm]` of a call line: `05:52:44.123456 cpu#1 4242 [comm] ...`. */
const LINE_COMM = /^\S+ cpu#\d+ \d+ \[(.*?)\] /;

function matchTerm(
  t: Term,
  line: string,
  owner: WireRecord,
  enter: EnterRecord | undefined,
  fdNames: readonly string[] | undefined,
): boolean {
  if (owner.kind === 'lost') return true;
  const nr = enter?.nr ?? owner.nr;
  const exit = owner.kind === 'exit' ? owner : undefined;
  const comm = (): string | undefined => enter?.comm ?? LINE_COMM.exec(line)?.[1];
  switch (t.kind) {
    case 'word':
      if (t.nr !== undefined) return nr === t.nr;
      if (t.id !== undefined) return owner.tid === t.id || owner.pid === t.id;
      return comm() === t.text || line.includes(t.text);
    case 'pid':
      return owner.tid === t.id || owner.pid === t.id;
    case 'comm': {
      const c = comm();
      return c !== undefined && t.match(c);
    }
    case 'syscall':
      return t.nrs.has(nr);
    case 'errno': {
      if (!exit || exit.nr === TL_NR_PROC_END || exit.ret >= 0n || exit.ret < -MAX_ERRNO)
        return false;
      return t.errnos === 'any' || t.errnos.has(Number(-exit.ret));
    }
    case 'duration':
      return !!exit && !!enter && compare(Number(exit.ts - enter.ts), t.op, t.limitNs);
    case 'fd':
      return fdNames !== undefined && fdNames.some(t.match);
  }
}

/** Whether the filter reads lines' fd names (an `fd:` term): the formatter must note them. */
export function readsFdNames(text: string | undefined): boolean {
  return text !== undefined && parseQuery(text).some(({ term }) => term.kind === 'fd');
}

/** A filter for `text` (undefined when it keeps everything); throws its QueryError. */
export function compileLineFilter(text: string): LineFilter | undefined {
  const terms = parseQuery(text);
  if (terms.length === 0) return undefined;
  return (line, owner, enter, fdNames) => {
    if (owner.kind === 'lost') return true; // a gap is never filtered away
    for (const { term, negated } of terms) {
      if (matchTerm(term, line, owner, enter, fdNames) === negated) return false;
    }
    return true;
  };
}

/** The lines the formatter just returned that pass `filter`. */
export function keepLines(
  lines: string[],
  formatter: LineFormatter,
  filter?: LineFilter,
): string[] {
  if (!filter) return lines;
  const owners = formatter.owners;
  const enters = formatter.enters;
  const fdNames = formatter.fdNames;
  return lines.filter((line, i) => filter(line, owners[i]!, enters[i], fdNames[i]));
}
