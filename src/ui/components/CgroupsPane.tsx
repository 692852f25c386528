// The recorded cgroups, one row each, the selected one marked.
import { compact, fit, shortenPath } from '../view.js';
import { Lines, type ScreenLine } from './Lines.js';

export interface CgroupRow {
  name: string;
  path: string;
  rate: number;
  recorded: number;
  lost: number;
  /** stale: the recorder stopped answering (counts frozen); not recorded: it came back without it. */
  state: 'recording' | 'live' | 'paused' | 'gone' | 'stale' | 'not recorded';
}

interface Props {
  rows: readonly CgroupRow[];
  selected: number;
  /** Rows available below the header. */
  height: number;
  width: number;
  focused: boolean;
  colour: boolean;
}

const NAME_W = 16;
// name, path, ev/s, recorded, lost, state: fixed columns but the path.
const FIXED = 2 + NAME_W + 1 + 1 + 7 + 1 + 9 + 1 + 7 + 1 + 12;

function columns(mark: string, name: string, p: string, pathW: number, rest: string[]): string {
  const [rate = '', recorded = '', lost = '', state = ''] = rest;
  return (
    `${mark}${fit(name, NAME_W).padEnd(NAME_W)} ${shortenPath(p, pathW).padEnd(pathW)} ` +
    `${rate.padStart(7)} ${recorded.padStart(9)} ${lost.padStart(7)} ${state}`
  );
}

export function CgroupsPane({ rows, selected, height, width, focused, colour }: Props) {
  const pathW = Math.max(8, width - FIXED);
  const header = columns('  ', 'CGROUP', 'PATH', pathW, ['EV/S', 'RECORDED', 'LOST', 'STATE']);
  const lines: ScreenLine[] = [
    { text: fit(header, width).padEnd(width), kind: focused ? 'headerFocused' : 'header' },
  ];
  if (rows.length === 0) {
    lines.push({
      text: fit('  nothing recorded yet: press a to add a cgroup', width),
      kind: 'dim',
    });
  }
  // Scroll so the selected row stays in view.
  const first = Math.max(0, Math.min(selected - height + 1, rows.length - height));
  rows.slice(Math.max(0, first), Math.max(0, first) + height).forEach((r, k) => {
    const i = Math.max(0, first) + k;
    // A rate from before the recorder went away would be a false one.
    const current = r.state !== 'stale' && r.state !== 'not recorded' && r.state !== 'gone';
    const text = columns(i === selected ? '> ' : '  ', r.name, r.path, pathW, [
      current ? compact(r.rate) : '-',
      compact(r.recorded),
      compact(r.lost),
      r.state,
    ]);
    const kind = !current ? 'gone' : i === selected ? 'selected' : 'plain';
    lines.push({ text: fit(text, width), kind });
  });
  while (lines.length < height + 1) lines.push({ text: '', kind: 'plain' });
  return <Lines lines={lines.slice(0, height + 1)} colour={colour} />;
}
