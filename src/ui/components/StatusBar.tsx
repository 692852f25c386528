// The bottom line: a prompt being typed, a message, or the keys that matter now.
import { fit, fitMiddle } from '../view.js';
import type { LineKind } from '../theme.js';
import { Lines } from './Lines.js';

interface Props {
  text: string;
  kind: LineKind;
  keepEnd?: boolean;
  width: number;
  colour: boolean;
}

export function StatusBar({ text, kind, keepEnd, width, colour }: Props) {
  const cut = keepEnd ? fitMiddle(text, width) : fit(text, width);
  return <Lines lines={[{ text: cut, kind }]} colour={colour} />;
}
