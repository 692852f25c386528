// The one way text reaches the screen: one <Text> per line, the string
// built beforehand and cut to the width, so Ink has nothing to wrap or
// measure twice and a line can never grow the frame.
import { Text } from 'ink';
import { styleOf, type LineKind } from '../theme.js';

export interface ScreenLine {
  text: string;
  kind: LineKind;
  /** Characters [from, to) shown reversed: a prompt's selected text. */
  mark?: { from: number; to: number };
}

export function Lines({ lines, colour }: { lines: readonly ScreenLine[]; colour: boolean }) {
  return (
    <>
      {lines.map((l, i) =>
        l.mark && l.mark.to > l.mark.from ? (
          <Text key={i} {...styleOf(l.kind, colour)}>
            {l.text.slice(0, l.mark.from)}
            <Text inverse>{l.text.slice(l.mark.from, l.mark.to)}</Text>
            {l.text.slice(l.mark.to)}
          </Text>
        ) : (
          <Text key={i} {...styleOf(l.kind, colour)}>
            {l.text === '' ? ' ' : l.text}
          </Text>
        ),
      )}
    </>
  );
}
