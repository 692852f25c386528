// Every key, in one pure function: (state, key, what the screen holds) →
// the next state and at most one effect for the app to carry out. Keeping
// it pure lets the tests drive the whole keyboard without a terminal, and
// keeps the rules in one place to read.
import type { Key } from 'ink';
import type { SelfRecording } from '../targets.js';
import { bindingOf, SNAPSHOT_CHOICES, type Command } from './bindings.js';
import { queryError } from '../filter/query.js';
import { uiOnlyError } from './filter.js';
import { SUMMARY_SORTS } from './summary-view.js';
import { clamp } from './view.js';

export type Focus = 'cgroups' | 'stream';
export interface TextPrompt {
  kind: 'add' | 'filter';
  text: string;
  /**
   * The whole text is selected (shown reversed): `/` reopens with the filter
   * in use, so typing replaces it; an arrow, Home or End keeps it to edit.
   */
  selected: boolean;
  /** Why Enter did not take the text (a filter term it cannot parse); gone on the next edit. */
  error?: string;
}
/** Recording `target` records traceloop too (the root cgroup, or its own): y records it anyway. */
export interface SelfPrompt {
  kind: 'confirm-self';
  target: string;
  self: SelfRecording;
}
/**
 * What `s` writes: the whole flight record (what the kernel's rings hold now, reaching further
 * back than the screen), the lines the view holds (the paused view, or the newest kept lines),
 * or only those the filter shows.
 */
export type SnapshotKind = 'record' | 'capture' | 'view' | 'filtered';
export type Prompt =
  TextPrompt | SelfPrompt | { kind: 'confirm-remove' } | { kind: 'snapshot'; filtering: boolean };

export interface Message {
  text: string;
  error: boolean;
  /** Too long for the line: cut the middle, not the end (a path's file name). */
  keepEnd?: boolean;
}

export interface UiState {
  focus: Focus;
  /** Index into the cgroups list. */
  selected: number;
  paused: boolean;
  /** Paused: the cursor's line, counted up from the newest (0). */
  cursor: number;
  /** Paused: lines between the newest and the bottom row. */
  bottom: number;
  filter: string;
  errorsOnly: boolean;
  /** Hide the usual harmless failures (src/filter/noise.ts). */
  hideNoise: boolean;
  overlay: 'none' | 'help' | 'details' | 'summary';
  /**
   * The summary's cursor row and sort (SUMMARY_SORTS), which opening it is (counted anew each),
   * and what it counts: the lines the view holds, or the cgroup's whole flight record.
   */
  summary: { cursor: number; sort: number; opened: number; record: boolean };
  detailScroll: number;
  prompt: Prompt | undefined;
  message: Message | undefined;
}

export const initialUi: UiState = {
  focus: 'stream',
  selected: 0,
  paused: false,
  cursor: 0,
  bottom: 0,
  filter: '',
  errorsOnly: false,
  hideNoise: false,
  overlay: 'none',
  summary: { cursor: 0, sort: 0, opened: 0, record: false },
  detailScroll: 0,
  prompt: undefined,
  message: undefined,
};

/** What the screen holds now, for moves that depend on it. */
export interface KeyContext {
  cgroups: number;
  /** Lines the paused stream can scroll through (after filtering). */
  lines: number;
  /** Stream rows on screen: a page. */
  page: number;
  /** Lines of the open details view. */
  detailLines: number;
  /** The summary's syscall names, in the order shown. */
  summaryNames?: readonly string[];
  /** The stream names fds (strace -y): `fd:` can filter it. */
  fdNames?: boolean;
}

export type Effect =
  | { kind: 'quit' }
  /** confirmed: the user said yes to recording traceloop itself (the root or its own cgroup). */
  | { kind: 'add'; target: string; confirmed?: boolean }
  | { kind: 'remove' }
  | { kind: 'snapshot'; what: SnapshotKind }
  /** Count the selected cgroup's whole flight record for the summary view. */
  | { kind: 'summarize-record' };

export interface Step {
  state: UiState;
  effect?: Effect;
}

export function reduceKey(s: UiState, input: string, key: Key, ctx: KeyContext): Step {
  // Ctrl-C always quits: raw mode turned it into a key, nothing else will.
  if (key.ctrl && input === 'c') return { state: s, effect: { kind: 'quit' } };
  if (s.prompt) return promptKey(s, s.prompt, input, key, ctx);
  if (s.overlay === 'help') return { state: { ...s, overlay: 'none' } };
  if (s.overlay === 'details') return detailsKey(s, input, key, ctx);
  if (s.overlay === 'summary') return summaryKey(s, input, key, ctx);

  // A key press replaces the last message: it was read, or it is stale.
  const t: UiState = { ...s, message: undefined };
  const binding = bindingOf(input, key);
  if (!binding) return { state: s };
  return COMMANDS[binding.command](t, ctx, s);
}

/**
 * What each command of the table (bindings.ts) does: `t` is the state with the last message
 * gone, `s` the state as it was (a key that does nothing leaves even the message).
 */
const COMMANDS: Record<Command, (t: UiState, ctx: KeyContext, s: UiState) => Step> = {
  pause: (t) => ({ state: pause(t) }),
  resume: (t) => ({ state: resume(t) }),
  'toggle-pause': (t) => ({ state: t.paused ? resume(t) : pause(t) }),
  quit: (_t, _ctx, s) => ({ state: s, effect: { kind: 'quit' } }),
  focus: (t) => ({ state: { ...t, focus: t.focus === 'cgroups' ? 'stream' : 'cgroups' } }),
  help: (t) => ({ state: { ...t, overlay: 'help' } }),
  summary: (t) => ({
    state: {
      ...t,
      overlay: 'summary',
      summary: { ...t.summary, cursor: 0, opened: t.summary.opened + 1 },
    },
    ...(t.summary.record ? { effect: { kind: 'summarize-record' } as const } : {}),
  }),
  add: (t) => ({ state: { ...t, prompt: { kind: 'add', text: '', selected: false } } }),
  filter: (t) => ({
    state: { ...t, prompt: { kind: 'filter', text: t.filter, selected: t.filter !== '' } },
  }),
  errors: (t) => ({ state: { ...rewind(t), errorsOnly: !t.errorsOnly } }),
  noise: (t) => ({ state: { ...rewind(t), hideNoise: !t.hideNoise } }),
  'clear-filter': (t, _ctx, s) =>
    t.filter !== '' || t.errorsOnly || t.hideNoise
      ? { state: { ...rewind(t), filter: '', errorsOnly: false, hideNoise: false } }
      : { state: s },
  stop: (t, ctx) =>
    ctx.cgroups === 0
      ? { state: { ...t, message: none('no cgroup to stop') } }
      : { state: { ...t, prompt: { kind: 'confirm-remove' } } },
  snapshot: (t, ctx) => {
    if (ctx.cgroups === 0) return { state: { ...t, message: none('no cgroup to snapshot') } };
    const filtering = t.filter !== '' || t.errorsOnly || t.hideNoise;
    return { state: { ...t, prompt: { kind: 'snapshot', filtering } } };
  },
  details: (t, ctx) => {
    if (t.focus === 'cgroups') return { state: { ...t, focus: 'stream' } };
    if (ctx.lines === 0 && !t.paused) return { state: t };
    return { state: { ...pause(t), overlay: 'details', detailScroll: 0 } };
  },
  // In the cgroups pane, ↑↓ move the selection; in the stream, moving back in time freezes the
  // view first (like less +F).
  up: (t, ctx) =>
    t.focus === 'cgroups' ? select(t, ctx, -1) : move(t, ctx, t.cursor + 1, t.bottom),
  down: (t, ctx) => {
    if (t.focus === 'cgroups') return select(t, ctx, 1);
    return t.paused ? move(t, ctx, t.cursor - 1, t.bottom) : { state: t };
  },
  'page-up': (t, ctx) => move(t, ctx, t.cursor + ctx.page, t.bottom + ctx.page),
  'page-down': (t, ctx) =>
    t.paused ? move(t, ctx, t.cursor - ctx.page, t.bottom - ctx.page) : { state: t },
  oldest: (t, ctx) => {
    const last = Math.max(0, ctx.lines - 1);
    return move(t, ctx, last, last);
  },
  newest: (t, ctx) => (t.paused ? move(t, ctx, 0, 0) : { state: t }),
};

function select(t: UiState, ctx: KeyContext, by: number): Step {
  const selected = clamp(t.selected + by, 0, Math.max(0, ctx.cgroups - 1));
  return { state: selected === t.selected ? t : { ...rewind(t), selected } };
}

/** The stream's cursor and scroll to these, paused, kept inside the list. */
function move(t: UiState, ctx: KeyContext, cursor: number, bottom: number): Step {
  const p = pause(t);
  const last = Math.max(0, ctx.lines - 1);
  return { state: { ...p, cursor: clamp(cursor, 0, last), bottom: Math.max(0, bottom) } };
}

function none(text: string): Message {
  return { text, error: true };
}

function pause(s: UiState): UiState {
  return s.paused ? s : { ...s, paused: true, cursor: 0, bottom: 0 };
}

function resume(s: UiState): UiState {
  return { ...s, paused: false, cursor: 0, bottom: 0 };
}

/** A new list to scroll (other cgroup, other filter): back to its newest line. */
function rewind(s: UiState): UiState {
  return { ...s, cursor: 0, bottom: 0 };
}

function promptKey(s: UiState, p: Prompt, input: string, key: Key, ctx: KeyContext): Step {
  if (p.kind === 'confirm-remove') {
    const state = { ...s, prompt: undefined };
    if (input === 'y' || input === 'Y') return { state, effect: { kind: 'remove' } };
    return { state: { ...state, message: { text: 'still recording', error: false } } };
  }
  if (p.kind === 'snapshot') return snapshotKey(s, p.filtering, input, key);
  if (p.kind === 'confirm-self') {
    // No by default: anything but y leaves the machine (or the UI) unrecorded.
    const state = { ...s, prompt: undefined };
    if (input === 'y' || input === 'Y') {
      return { state, effect: { kind: 'add', target: p.target, confirmed: true } };
    }
    return { state: { ...state, message: { text: `${p.target} not recorded`, error: false } } };
  }
  if (key.escape) return { state: { ...s, prompt: undefined } };
  if (key.return) {
    const state: UiState = { ...s, prompt: undefined };
    if (p.kind === 'filter') {
      // A text that is no filter keeps the prompt open, saying why (the filter in use stays).
      const error = queryError(p.text) ?? uiOnlyError(p.text, ctx.fdNames ?? false);
      if (error) return { state: { ...s, prompt: { ...p, selected: false, error } } };
      return { state: { ...rewind(state), filter: p.text.trim() } };
    }
    if (p.text.trim() === '') return { state };
    return { state, effect: { kind: 'add', target: p.text.trim() } };
  }
  const edit = (text: string): Step => ({
    state: { ...s, prompt: { kind: p.kind, text, selected: false } },
  });
  // A selected text goes whole, whichever way it is deleted.
  if (key.backspace || key.delete) return edit(p.selected ? '' : dropLast(p.text));
  if (key.ctrl && input === 'u') return edit('');
  if (key.ctrl && input === 'w') return edit(p.selected ? '' : p.text.replace(/\S*\s*$/, ''));
  if (key.leftArrow || key.rightArrow || key.home || key.end) return edit(p.text);
  if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow) return { state: s };
  // Keep printable characters only (a paste can carry anything).
  // eslint-disable-next-line no-control-regex
  const text = input.replace(/[\x00-\x1f\x7f]/g, '');
  if (text === '') return { state: s };
  return edit(p.selected ? text : p.text + text);
}

/** The snapshot prompt's answer (bindings.ts): Enter takes the first, the flight record. */
function snapshotKey(s: UiState, filtering: boolean, input: string, key: Key): Step {
  const state = { ...s, prompt: undefined };
  const choice = key.return ? SNAPSHOT_CHOICES[0] : SNAPSHOT_CHOICES.find((c) => c.key === input);
  if (choice && (filtering || !('onlyFiltering' in choice))) {
    return { state, effect: { kind: 'snapshot', what: choice.what } };
  }
  if (choice) {
    return {
      state: { ...state, message: none('no filter in use: v writes every line of the view') },
    };
  }
  return { state: { ...state, message: { text: 'no snapshot written', error: false } } };
}

/** The text without its last character (a whole code point, not half an emoji). */
function dropLast(text: string): string {
  return Array.from(text).slice(0, -1).join('');
}

/**
 * The summary: ↑↓ choose a syscall, Tab changes the sort, r counts again, Enter filters the
 * stream to the syscall under the cursor, Esc (or c, q) closes.
 */
function summaryKey(s: UiState, input: string, key: Key, ctx: KeyContext): Step {
  const names = ctx.summaryNames ?? [];
  const at = (cursor: number): Step => ({
    state: {
      ...s,
      summary: { ...s.summary, cursor: clamp(cursor, 0, Math.max(0, names.length - 1)) },
    },
  });
  if (key.escape || input === 'q' || input === 'c') return { state: { ...s, overlay: 'none' } };
  if (key.upArrow || input === 'k') return at(s.summary.cursor - 1);
  if (key.downArrow || input === 'j') return at(s.summary.cursor + 1);
  if (key.pageUp) return at(s.summary.cursor - ctx.page);
  if (key.pageDown) return at(s.summary.cursor + ctx.page);
  if (key.tab) {
    const sort = (s.summary.sort + 1) % SUMMARY_SORTS.length;
    return { state: { ...s, summary: { ...s.summary, sort, cursor: 0 } } };
  }
  if (input === 'r' || input === 'f') {
    // f: the other source (the view's lines, the flight record); r: the same, counted again.
    const record = input === 'f' ? !s.summary.record : s.summary.record;
    const summary = { ...s.summary, record, cursor: 0, opened: s.summary.opened + 1 };
    return {
      state: { ...s, summary },
      ...(record ? { effect: { kind: 'summarize-record' } as const } : {}),
    };
  }
  if (key.return) {
    const name = names[s.summary.cursor];
    if (name === undefined) return { state: { ...s, overlay: 'none' } };
    return {
      state: { ...rewind(s), overlay: 'none', filter: `syscall:${name}`, message: undefined },
    };
  }
  return { state: s };
}

function detailsKey(s: UiState, input: string, key: Key, ctx: KeyContext): Step {
  const max = Math.max(0, ctx.detailLines - ctx.page);
  const to = (n: number): Step => ({ state: { ...s, detailScroll: clamp(n, 0, max) } });
  if (key.escape || key.return || input === 'q') return { state: { ...s, overlay: 'none' } };
  if (key.upArrow || input === 'k') return to(s.detailScroll - 1);
  if (key.downArrow || input === 'j') return to(s.detailScroll + 1);
  if (key.pageUp) return to(s.detailScroll - ctx.page);
  if (key.pageDown || input === ' ') return to(s.detailScroll + ctx.page);
  if (input === 'g' || key.home) return to(0);
  if (input === 'G' || key.end) return to(max);
  return { state: s };
}
