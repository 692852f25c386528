// The bottom line: a prompt being typed, a message, or the keys that matter now.
import { fit } from '../view.js';
import type { LineKind } from '../theme.js';
import { Lines } from './Lines.js';

interface Props {
  text: string;
  kind: LineKind;
  width: number;
  colour: boolean;
}

export function StatusBar({ text, kind, width, colour }: Props) {
  return <Lines lines={[{ text: fit(text, width), kind }]} colour={colour} />;
}
