// Every key of the main view, once: which keys, what they do (the reducer in keys.ts looks the
// command up here), the words of the `?` help, and the status bar's hints. A test checks that
// the README names the same keys, so the three cannot drift apart again.
import type { Key } from 'ink';
import { noiseText } from '../filter/noise.js';

/** What a key asks of the main view; keys.ts carries each one out. */
export type Command =
  | 'pause'
  | 'resume'
  | 'toggle-pause'
  | 'up'
  | 'down'
  | 'page-up'
  | 'page-down'
  | 'oldest'
  | 'newest'
  | 'focus'
  | 'details'
  | 'filter'
  | 'errors'
  | 'noise'
  | 'clear-filter'
  | 'snapshot'
  | 'summary'
  | 'add'
  | 'stop'
  | 'help'
  | 'quit';

/** Where a hint shows: the live stream, the paused one, no cgroup yet. */
export type HintState = 'live' | 'paused' | 'empty';

export interface Binding {
  command: Command;
  /** The keys as the help and the README name them (`Ctrl-S`, `↑`, `k`). */
  keys: readonly string[];
  /** Whether a key press is one of `keys`. */
  test: (input: string, key: Key) => boolean;
  /** What it does, as `?` says it. */
  help: string;
  /** Its status-bar hint, and where it shows; hints show in table order, the last give way first. */
  hint?: { text: string; when: readonly HintState[] };
}

const char =
  (c: string) =>
  (input: string, key: Key): boolean =>
    input === c && !key.ctrl && !key.meta;
const ctrl =
  (c: string) =>
  (input: string, key: Key): boolean =>
    key.ctrl && input === c;
const special =
  (name: keyof Key) =>
  (_input: string, key: Key): boolean =>
    key[name] === true;
const either =
  (...tests: ((input: string, key: Key) => boolean)[]) =>
  (input: string, key: Key): boolean =>
    tests.some((t) => t(input, key));

/**
 * The main view's keys, in the order they are tried and the help lists them. Ctrl-C is not
 * here: it quits from anywhere, a prompt or the details included (keys.ts, first thing).
 */
export const BINDINGS: readonly Binding[] = [
  {
    command: 'pause',
    keys: ['Ctrl-S'],
    test: ctrl('s'),
    help: 'pause (recording goes on)',
    hint: { text: '^S pause', when: ['live'] },
  },
  {
    command: 'resume',
    keys: ['Ctrl-Q'],
    test: ctrl('q'),
    help: 'continue (LIVE)',
    hint: { text: '^Q continue', when: ['paused'] },
  },
  { command: 'toggle-pause', keys: ['space'], test: char(' '), help: 'pause / continue' },
  {
    command: 'up',
    keys: ['↑', 'k'],
    test: either(special('upArrow'), char('k')),
    help: 'up (pausing the stream)',
    hint: { text: '↑↓ scroll', when: ['paused'] },
  },
  {
    command: 'down',
    keys: ['↓', 'j'],
    test: either(special('downArrow'), char('j')),
    help: 'down',
  },
  { command: 'page-up', keys: ['PgUp'], test: special('pageUp'), help: 'a page up' },
  { command: 'page-down', keys: ['PgDn'], test: special('pageDown'), help: 'a page down' },
  {
    command: 'oldest',
    keys: ['g', 'Home'],
    test: either(char('g'), special('home')),
    help: 'the oldest line',
  },
  {
    command: 'newest',
    keys: ['G', 'End'],
    test: either(char('G'), special('end')),
    help: 'the newest line',
  },
  {
    command: 'details',
    keys: ['Enter'],
    test: special('return'),
    help: 'a line in full, hex dump',
    hint: { text: 'Enter details', when: ['paused'] },
  },
  {
    command: 'filter',
    keys: ['/'],
    test: char('/'),
    help: 'filter: words (a syscall, pid, comm, any text) or terms (below)',
    hint: { text: '/ filter', when: ['live', 'paused'] },
  },
  {
    command: 'errors',
    keys: ['e'],
    test: char('e'),
    help: 'only failed calls',
    hint: { text: 'e errors', when: ['live', 'paused'] },
  },
  {
    command: 'noise',
    keys: ['n'],
    test: char('n'),
    help: 'hide usual failures',
    hint: { text: 'n noise', when: ['paused'] },
  },
  {
    command: 'snapshot',
    keys: ['s'],
    test: char('s'),
    help: 'snapshot: f flight record, c capture file, v view, m filtered',
    hint: { text: 's snapshot', when: ['live', 'paused'] },
  },
  {
    command: 'add',
    keys: ['a'],
    test: char('a'),
    help: 'record another cgroup: a path, a pid or a systemd unit',
    hint: { text: 'a add', when: ['live', 'empty'] },
  },
  {
    command: 'summary',
    keys: ['c'],
    test: char('c'),
    help: 'strace -c summary',
    hint: { text: 'c summary', when: ['paused'] },
  },
  {
    command: 'stop',
    keys: ['x'],
    test: char('x'),
    help: 'stop recording (asks)',
    hint: { text: 'x stop', when: ['live'] },
  },
  {
    command: 'focus',
    keys: ['Tab'],
    test: special('tab'),
    help: 'cgroups / stream pane',
    hint: { text: 'Tab pane', when: ['live'] },
  },
  { command: 'clear-filter', keys: ['Esc'], test: special('escape'), help: 'clear the filter' },
  { command: 'help', keys: ['?'], test: char('?'), help: 'this help' },
  { command: 'quit', keys: ['q', 'Ctrl-C'], test: char('q'), help: 'quit' },
];

/** Keys of a text prompt (`/`, `a`), said once in the help. */
export const PROMPT_KEYS: readonly { keys: readonly string[]; help: string }[] = [
  { keys: ['Ctrl-U'], help: 'clears the line' },
  { keys: ['Ctrl-W'], help: 'deletes a word' },
  { keys: ['Esc'], help: 'cancels' },
];

/** The answers to `s` (Enter takes the first): what the snapshot holds. */
export const SNAPSHOT_CHOICES = [
  { key: 'f', what: 'record', label: 'flight record' },
  { key: 'c', what: 'capture', label: 'capture' },
  { key: 'v', what: 'view', label: 'view', paused: 'paused view' },
  { key: 'm', what: 'filtered', label: 'filtered', onlyFiltering: true },
] as const;

/** The binding a key press asks for in the main view, if any. */
export function bindingOf(input: string, key: Key): Binding | undefined {
  return BINDINGS.find((b) => b.test(input, key));
}

/** Always in the status bar: how to learn the rest, and how to leave. */
export const LAST_HINTS = ['? help', 'q quit'];

/** The status bar's hints for a state, most useful first. */
export function hintsFor(state: HintState): string[] {
  return BINDINGS.flatMap((b) => (b.hint?.when.includes(state) ? [b.hint.text] : []));
}

const KEY_COLUMN = 14;

/** The filter language in one line (src/filter/query.ts has it all). */
const FILTER_TERMS = 'pid:N comm:X syscall:X errno:X|* dur>10ms fd:/x/*  -term: not';

/** Words to lines of at most `width`. */
function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}
const HALF = 40;

/**
 * The `?` help: a line per binding, two to a line where both fit in half of 80 columns, so
 * the whole table fits an 80x24 terminal.
 */
export function helpLines(): string[] {
  const cells = BINDINGS.map((b) => b.keys.join(' ').padEnd(KEY_COLUMN - 1) + ' ' + b.help);
  const lines: string[] = [];
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!;
    const next = cells[i + 1];
    if (cell.length < HALF && next !== undefined && next.length <= HALF) {
      lines.push(cell.padEnd(HALF) + next);
      i++;
    } else {
      lines.push(cell);
    }
  }
  const prompt = PROMPT_KEYS.map((p) => `${p.keys.join(' ')} ${p.help}`).join(', ');
  lines.push(`${'(prompts)'.padEnd(KEY_COLUMN)}${prompt}`);
  lines.push(`${'(filter)'.padEnd(KEY_COLUMN)}${FILTER_TERMS}`);
  lines.push(...wrapWords(`(noise, n) ${noiseText()}`, 78));
  return lines;
}
