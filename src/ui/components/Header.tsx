// The top of the screen: the title line, and under it, only when this
// kernel refused some capture families, a line saying which (their
// arguments show as addresses, so a reader must know why).
import type { CapturesLeftOut } from '../../captures.js';
import { fit } from '../view.js';
import { Lines, type ScreenLine } from './Lines.js';

interface Props {
  /** Where the recording happens: 'in-process' or the daemon's socket. */
  where: string;
  cgroups: number;
  captures: CapturesLeftOut;
  width: number;
  colour: boolean;
}

/** The header's lines, cut to `width`: one, or two when captures are left out. */
export function headerLines({
  where,
  cgroups,
  captures,
  width,
}: Omit<Props, 'colour'>): ScreenLine[] {
  const title = ` traceloop · syscall flight recorder · ${where} · ${cgroups} cgroup${cgroups === 1 ? '' : 's'} · ? help`;
  const lines: ScreenLine[] = [{ text: fit(title, width), kind: 'title' }];
  if (captures.leftOut !== '') {
    // What was left out first: a narrow terminal cuts the verifier's words, not the families.
    const why = captures.why === '' ? '' : ` · verifier: ${captures.why}`;
    lines.push({
      text: fit(
        ` captures left out on this kernel: ${captures.leftOut} (shown as addresses)${why}`,
        width,
      ),
      kind: 'warning',
    });
  }
  return lines;
}

/** Lines the header takes: layout() leaves them out of the panes. */
export function headerHeight(captures: CapturesLeftOut): number {
  return captures.leftOut === '' ? 1 : 2;
}

export function Header({ colour, ...props }: Props) {
  return <Lines lines={headerLines(props)} colour={colour} />;
}
