// The top of the screen: the title line; under it a banner while the
// daemon does not answer (or came back without some cgroups); and only when
// this kernel refused some capture families, a line saying which (their
// arguments show as addresses, so a reader must know why).
import type { CapturesLeftOut } from '../../captures.js';
import { fit } from '../view.js';
import { Lines, type ScreenLine } from './Lines.js';

interface Props {
  /** Where the recording happens: 'in-process' or the daemon's socket. */
  where: string;
  cgroups: number;
  captures: CapturesLeftOut;
  /** A line that must not be missed: the daemon stopped answering, or came back without some. */
  banner?: ScreenLine | undefined;
  width: number;
  colour: boolean;
}

/** The header's lines, cut to `width`: one, or two when captures are left out. */
export function headerLines({
  where,
  cgroups,
  captures,
  banner,
  width,
}: Omit<Props, 'colour'>): ScreenLine[] {
  const title = ` traceloop · syscall flight recorder · ${where} · ${cgroups} cgroup${cgroups === 1 ? '' : 's'} · ? help`;
  const lines: ScreenLine[] = [{ text: fit(title, width), kind: 'title' }];
  if (banner) lines.push({ ...banner, text: fit(banner.text, width).padEnd(width) });
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
export function headerHeight(captures: CapturesLeftOut, banner?: ScreenLine): number {
  return 1 + (banner ? 1 : 0) + (captures.leftOut === '' ? 0 : 1);
}

export function Header({ colour, ...props }: Props) {
  return <Lines lines={headerLines(props)} colour={colour} />;
}
