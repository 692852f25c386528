// A scrolled page of text in place of the stream: help, and the details of a line.
import { fit } from '../view.js';
import { Lines, type ScreenLine } from './Lines.js';

interface Props {
  title: string;
  lines: readonly string[];
  scroll: number;
  height: number;
  width: number;
  colour: boolean;
}

export function TextView({ title, lines, scroll, height, width, colour }: Props) {
  const body = lines.slice(scroll, scroll + height - 1);
  const more = lines.length > scroll + height - 1 ? ' (more: ↓ PgDn)' : '';
  const out: ScreenLine[] = [
    { text: fit(title + more, width).padEnd(width), kind: 'headerFocused' },
    ...body.map((t) => ({ text: fit(t, width), kind: 'plain' as const })),
  ];
  while (out.length < height) out.push({ text: '', kind: 'plain' });
  return <Lines lines={out.slice(0, height)} colour={colour} />;
}
