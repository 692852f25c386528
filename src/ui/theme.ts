// What each kind of line looks like, with and without colour. NO_COLOR
// (https://no-color.org) turns colours off; emphasis that is not colour
// (inverse, bold) stays, so a lost marker still stands out.
export type LineKind =
  | 'plain'
  | 'title'
  | 'header'
  | 'headerFocused'
  | 'lost'
  | 'failed'
  | 'cursor'
  | 'selected'
  | 'gone'
  | 'live'
  | 'paused'
  | 'error'
  | 'message'
  | 'warning'
  | 'banner'
  | 'dim';

export interface LineStyle {
  color?: string;
  bold?: boolean;
  inverse?: boolean;
  dimColor?: boolean;
}

const COLOURED: Record<LineKind, LineStyle> = {
  plain: {},
  title: { bold: true, color: 'cyan' },
  header: { bold: true },
  headerFocused: { bold: true, inverse: true },
  lost: { bold: true, color: 'red' },
  failed: { color: 'yellow' },
  cursor: { inverse: true },
  selected: { bold: true, color: 'cyan' },
  gone: { dimColor: true },
  live: { bold: true, color: 'green' },
  paused: { bold: true, inverse: true, color: 'yellow' },
  error: { bold: true, color: 'red' },
  message: { color: 'green' },
  warning: { bold: true, color: 'yellow' },
  banner: { bold: true, inverse: true, color: 'red' },
  dim: { dimColor: true },
};

const PLAIN: Record<LineKind, LineStyle> = {
  ...Object.fromEntries(Object.keys(COLOURED).map((k) => [k, {}])),
  title: { bold: true },
  header: { bold: true },
  headerFocused: { bold: true, inverse: true },
  lost: { bold: true, inverse: true },
  cursor: { inverse: true },
  selected: { bold: true },
  paused: { bold: true, inverse: true },
  error: { bold: true },
  warning: { bold: true },
  banner: { bold: true, inverse: true },
} as Record<LineKind, LineStyle>;

export function styleOf(kind: LineKind, colour: boolean): LineStyle {
  return (colour ? COLOURED : PLAIN)[kind];
}

/** NO_COLOR set to anything non-empty turns colour off. */
export function colourWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return !env['NO_COLOR'];
}
