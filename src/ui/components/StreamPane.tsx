// The selected cgroup's stream: a state line (LIVE, PAUSED with what
// arrived since, DISCONNECTED when the daemon went away), the column titles, then the visible rows, each with its
// result right-aligned at the edge (fitRow cuts the arguments, not it).
import { DUR_HEADER, fit, fitRow, RESULT_HEADER, STREAM_HEADER, type RowText } from '../view.js';
import type { LineKind } from '../theme.js';
import { Lines, type ScreenLine } from './Lines.js';

export interface StreamRow extends RowText {
  lost: boolean;
  failed: boolean;
}

interface Props {
  title: string;
  /** LIVE, PAUSED, DISCONNECTED, ...: what the rows are, in a word or two. */
  state: string;
  stateKind: LineKind;
  /** Right of the state word: counts, filter. */
  info: string;
  rows: readonly StreamRow[];
  cursorRow: number | undefined;
  height: number;
  width: number;
  focused: boolean;
  colour: boolean;
  /** Shown when there are no rows. */
  empty: string;
}

export function StreamPane(p: Props) {
  const head = fit(`${p.title}  ${p.state}  ${p.info}`, p.width).padEnd(p.width);
  const lines: ScreenLine[] = [
    { text: head, kind: p.stateKind },
    {
      text: fitRow({ text: STREAM_HEADER, result: RESULT_HEADER, dur: DUR_HEADER }, p.width),
      kind: p.focused ? 'headerFocused' : 'header',
    },
  ];
  p.rows.forEach((r, i) => {
    const kind: LineKind =
      i === p.cursorRow ? 'cursor' : r.lost ? 'lost' : r.failed ? 'failed' : 'plain';
    const text = fitRow(r, p.width);
    lines.push({ text: kind === 'cursor' ? text.padEnd(p.width) : text, kind });
  });
  if (p.rows.length === 0 && p.height > 0) lines.push({ text: fit(p.empty, p.width), kind: 'dim' });
  while (lines.length < p.height + 2) lines.push({ text: '', kind: 'plain' });
  return <Lines lines={lines.slice(0, p.height + 2)} colour={p.colour} />;
}
