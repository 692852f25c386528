// The bottom line: a prompt being typed, a message, or the keys that matter now.
import { fit, fitMiddle } from '../view.js';
import type { LineKind } from '../theme.js';
import { Lines } from './Lines.js';

interface Props {
  text: string;
  kind: LineKind;
  keepEnd?: boolean;
  /** Characters shown reversed (a selected prompt text), if still on the line once cut. */
  mark?: { from: number; to: number };
  width: number;
  colour: boolean;
}

export function StatusBar({ text, kind, keepEnd, mark, width, colour }: Props) {
  const cut = keepEnd ? fitMiddle(text, width) : fit(text, width);
  const shown =
    mark && !keepEnd ? { from: mark.from, to: Math.min(mark.to, cut.length) } : undefined;
  return <Lines lines={[{ text: cut, kind, ...(shown ? { mark: shown } : {}) }]} colour={colour} />;
}
