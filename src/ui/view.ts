// Pure functions from the data (stores, stats) and the UI state to the
// strings on screen. Nothing here touches React: components only place
// the strings this file builds, one <Text> per line.
import { LAST_HINTS } from './bindings.js';
import type { EntryFilter } from './filter.js';
import { durationOf, type Entry, type StreamStore } from './store.js';

/** Entries in order, oldest first: a live store or the frozen copy of a pause. */
export interface Source {
  readonly length: number;
  at(i: number): Entry;
}

export function arraySource(entries: readonly Entry[]): Source {
  return { length: entries.length, at: (i) => entries[i]! };
}

export interface StreamWindow {
  /** Visible entries, oldest first, at most `height`. */
  rows: Entry[];
  /** Row index of the cursor (paused only). */
  cursorRow: number | undefined;
  /** Lines the view could scroll through (after filtering); undefined while live and filtered. */
  total: number | undefined;
  /** The scroll position actually used (clamped). */
  bottom: number;
  cursor: number;
}

let filterGen = 0;
const gens = new WeakMap<EntryFilter, number>();
function genOf(f: EntryFilter): number {
  let g = gens.get(f);
  if (g === undefined) gens.set(f, (g = ++filterGen));
  return g;
}

function matches(e: Entry, f: EntryFilter, gen: number, store: StreamStore): boolean {
  if (e.matchGen !== gen) {
    e.matched = f(e, store);
    e.matchGen = gen;
  }
  return e.matched;
}

// A paused view scrolls through a frozen source: its filtered list is built once.
const filteredCache = new WeakMap<Source, { gen: number; list: Entry[] }>();
function filtered(src: Source, f: EntryFilter, store: StreamStore): Entry[] {
  const gen = genOf(f);
  const hit = filteredCache.get(src);
  if (hit && hit.gen === gen) return hit.list;
  const list: Entry[] = [];
  for (let i = 0; i < src.length; i++) {
    const e = src.at(i);
    if (matches(e, f, gen, store)) list.push(e);
  }
  filteredCache.set(src, { gen, list });
  return list;
}

/** Every entry of `src` that passes `filter` (all of them without one), oldest first. */
export function sourceEntries(
  src: Source,
  store: StreamStore,
  filter: EntryFilter | undefined,
): Entry[] {
  if (filter) return filtered(src, filter, store);
  const all: Entry[] = [];
  for (let i = 0; i < src.length; i++) all.push(src.at(i));
  return all;
}

/**
 * What the stream pane shows. Live: the newest `height` lines that pass the
 * filter, found by walking back from the newest (each entry is tested once
 * per filter). Paused: a window `bottom` lines up from the end of the frozen
 * list, with the cursor `cursor` lines up from the end.
 */
export function streamWindow(
  src: Source,
  store: StreamStore,
  filter: EntryFilter | undefined,
  height: number,
  paused: boolean,
  cursor: number,
  bottom: number,
): StreamWindow {
  if (height <= 0) return { rows: [], cursorRow: undefined, total: 0, bottom: 0, cursor: 0 };
  if (!paused) {
    const rows: Entry[] = [];
    if (!filter) {
      for (let i = Math.max(0, src.length - height); i < src.length; i++) rows.push(src.at(i));
      return { rows, cursorRow: undefined, total: src.length, bottom: 0, cursor: 0 };
    }
    const gen = genOf(filter);
    for (let i = src.length - 1; i >= 0 && rows.length < height; i--) {
      const e = src.at(i);
      if (matches(e, filter, gen, store)) rows.push(e);
    }
    return { rows: rows.reverse(), cursorRow: undefined, total: undefined, bottom: 0, cursor: 0 };
  }
  const list: Source = filter ? arraySource(filtered(src, filter, store)) : src;
  const total = list.length;
  const c = clamp(cursor, 0, Math.max(0, total - 1));
  let b = clamp(bottom, 0, Math.max(0, total - height));
  if (c < b) b = c;
  if (c > b + height - 1) b = c - height + 1;
  const rows: Entry[] = [];
  for (let i = Math.max(0, total - b - height); i < total - b; i++) rows.push(list.at(i));
  const cursorRow = total === 0 ? undefined : rows.length - 1 - (c - b);
  return { rows, cursorRow, total, bottom: b, cursor: c };
}

export function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}

// `05:52:44.123456 cpu#1 4242 [comm] openat(...) = 3`, as src/format writes it.
const CALL_LINE = /^(\S+) cpu#(\d+) (\d+) \[(.*?)\] (.*)$/s;
const LOST_LINE = /^(?:(\S+) )?(?:cpu#(\d+)|all CPUs) (.*)$/s;
const TIME_W = 15;
const COMM_W = 12;
/** The time in the call: `75us`, `12.3ms`, `1.23s`; blank while it has not returned. */
const DUR_W = 6;
const CPU_NONE = 4294967295; // the end-of-stream marker belongs to no CPU
/** Where a line's result starts: `) = ` after the arguments (no return value prints one). */
const RESULT_AT = ') = ';

// The first column marks failed calls: colour is not the only sign (NO_COLOR, the cursor row).
export const FAILED_MARK = '!';
export const STREAM_HEADER = ` ${'TIME'.padEnd(TIME_W)} CPU ${'PID'.padEnd(7)} ${'COMM'.padEnd(COMM_W)} CALL`;
/** The duration column's title, in the header row's `dur`. */
export const DUR_HEADER = 'DUR';
/**
 * Terminals this wide show the duration column; narrower ones keep its columns for the call
 * and the result (at 80, `= -1 ECONNREFUSED` must stay whole).
 */
export const DUR_MIN_WIDTH = 100;
export const RESULT_HEADER = 'RESULT';
/** The columns before the call: mark, time, cpu, pid, comm. */
const PREFIX_W = 1 + TIME_W + 1 + 3 + 1 + 7 + 1 + COMM_W + 1;
/** The call keeps at least this much of itself (its name and first argument) beside a result. */
const MIN_CALL_W = 16;

/** Control characters would move the cursor: never let one reach the terminal. */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x1f\x7f-\x9f]/g, '?');
}

/** A stream row: its columns up to the arguments, and the result (`= -1 ENOENT (...)`) apart. */
export interface RowText {
  text: string;
  /** `= 3`, `= -1 ECONNREFUSED (Connection refused)`; '' for lines without one. */
  result: string;
  /** The time in the call (`12.3ms`, '' for none), shown after the comm on wide terminals. */
  dur?: string;
}

/**
 * `call(args) = ret` → `call(args)` and `= ret`. Only a line with a result
 * (an exit, or a call that never returns) is split, at its last `) = `:
 * what follows the arguments never holds one, while a quoted argument may.
 */
export function splitResult(call: string, hasExit: boolean): RowText {
  if (!hasExit && !call.endsWith(') = ?')) return { text: call, result: '' };
  const at = call.lastIndexOf(RESULT_AT);
  if (at < 0) return { text: call, result: '' };
  return { text: call.slice(0, at + 1), result: call.slice(at + 2) };
}

/** One stream row in columns: mark, time, cpu, pid, comm, call; the result apart (built once). */
export function rowOf(store: StreamStore, e: Entry): RowText {
  if (e.row !== undefined) return e.row;
  const text = printable(store.textOf(e));
  let row: RowText = { text, result: '' };
  if (e.isLost) {
    const m = LOST_LINE.exec(text);
    if (m) {
      const cpu = m[2] === undefined || Number(m[2]) === CPU_NONE ? '-' : m[2];
      row.text = ` ${(m[1] ?? '').padEnd(TIME_W)} ${cpu.padStart(3)} ${''.padEnd(7)} ${''.padEnd(COMM_W)} ${m[3]!}`;
      row.dur = '';
    }
  } else {
    const m = CALL_LINE.exec(text);
    if (m) {
      const comm = m[4]!.length > COMM_W ? m[4]!.slice(0, COMM_W - 1) + '~' : m[4]!;
      const call = splitResult(m[5]!, e.exit !== undefined);
      const mark = e.failed ? FAILED_MARK : ' ';
      row = {
        text: `${mark}${m[1]!.padEnd(TIME_W)} ${m[2]!.padStart(3)} ${m[3]!.padEnd(7)} ${comm.padEnd(COMM_W)} ${call.text}`,
        dur: shortDuration(durationOf(e)),
        result: call.result,
      };
    }
  }
  e.row = row;
  return row;
}

/** `75us`, `12.3ms`, `1.23s`: a duration in at most six characters ('' for none). */
export function shortDuration(ns: number | undefined): string {
  if (ns === undefined || ns < 0) return '';
  if (ns < 1e4) return `${(ns / 1e3).toFixed(1)}us`;
  if (ns < 1e6) return `${Math.round(ns / 1e3)}us`;
  if (ns < 1e8) return `${(ns / 1e6).toFixed(1)}ms`;
  if (ns < 1e9) return `${Math.round(ns / 1e6)}ms`;
  if (ns < 1e11) return `${(ns / 1e9).toFixed(ns < 1e10 ? 2 : 1)}s`;
  return `${Math.round(ns / 1e9)}s`;
}

/**
 * A result in at most `width` characters: whole, else without its last
 * parenthesis (`= -1 ECONNREFUSED (Connection refused)` → `= -1 ECONNREFUSED`),
 * else cut at the end (the value and the errno name come first).
 */
export function shortenResult(result: string, width: number): string {
  if (result.length <= width) return result;
  const bare = result.replace(/ \([^()]*(?:\([^()]*\)[^()]*)*\)$/, '');
  return bare.length <= width ? bare : fit(bare, width);
}

/**
 * A stream row at the terminal's width: the result right-aligned at the
 * edge, the call cut (`…`) to make room for it, never the other way round;
 * the result gives up its explanation only when the call would keep less
 * than its first few characters.
 */
export function fitRow(row: RowText, width: number): string {
  if (width >= DUR_MIN_WIDTH && row.dur !== undefined) {
    const text =
      row.text.slice(0, PREFIX_W) + row.dur.padStart(DUR_W) + ' ' + row.text.slice(PREFIX_W);
    return fitRow({ text, result: row.result }, width);
  }
  if (row.result === '') return fit(row.text, width);
  const keep = Math.min(row.text.length, PREFIX_W + MIN_CALL_W);
  const result = shortenResult(row.result, Math.max(1, width - keep - 1));
  const room = width - result.length - 1;
  if (room <= 0) return fit(result, width);
  const left = row.text.length <= room ? row.text.padEnd(room) : fit(row.text, room);
  return `${left} ${result}`;
}

/**
 * Long lines wrapped at the width instead of cut (the details view: a path
 * must be read whole). Cut at exact columns, so the pieces of a path join
 * back into it when copied.
 */
export function wrapLines(lines: readonly string[], width: number): string[] {
  if (width <= 0) return [];
  const out: string[] = [];
  for (const line of lines) {
    if (line.length <= width) out.push(line);
    else for (let at = 0; at < line.length; at += width) out.push(line.slice(at, at + width));
  }
  return out;
}

/**
 * The status bar's key hints at the width: `hints` are in the order they
 * matter, and the last ones give way first, so `? help  q quit` stays.
 */
export function keyHints(lead: string, hints: readonly string[], width: number): string {
  const shown = [...hints];
  const line = (): string => lead + [...shown, ...LAST_HINTS].join('  ');
  while (shown.length > 0 && line().length > width) shown.pop();
  return line();
}

/** Cuts a line to the terminal's width: a wrapped line would make the frame taller. */
export function fit(s: string, width: number): string {
  if (width <= 0) return '';
  return s.length <= width ? s : s.slice(0, Math.max(0, width - 1)) + '…';
}

/** Cuts the middle out of a line that is too long, keeping its start and its end. */
export function fitMiddle(s: string, width: number): string {
  if (s.length <= width) return s;
  if (width < 10) return fit(s, width);
  const head = Math.floor((width - 1) / 3);
  return s.slice(0, head) + '…' + s.slice(s.length - (width - 1 - head));
}

/** `…/traceloop/demo-1/service` of a path, at most `width` characters. */
export function shortenPath(p: string, width: number): string {
  if (p.length <= width) return p;
  if (width <= 1) return '…'.slice(0, width);
  return '…' + p.slice(p.length - width + 1);
}

/** 1234567 → `1.2M`: counts in a narrow column. */
export function compact(n: number): string {
  if (n < 10_000) return String(Math.round(n));
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 100_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(n < 100_000_000 ? 1 : 0)}M`;
}

/** How many rows each part of the screen gets; the sum is rows - 1. */
export interface Layout {
  cgroupRows: number;
  streamRows: number;
}

/**
 * Splits the terminal: the header (a title line, and one more when capture
 * families are left out), the cgroups pane (header + up to a quarter of the
 * screen), the stream pane (header + rows), the status bar.
 * The frame is one line shorter than the terminal: Ink clears the whole
 * screen, scrollback included, on every frame as tall as the terminal.
 */
export const MIN_ROWS = 10;
export const MIN_COLUMNS = 40;

export function layout(rows: number, cgroups: number, headerRows = 1): Layout {
  const frame = Math.max(1, rows - 1);
  const fixed = headerRows + 4; // header, cgroups header, stream state and column titles, status bar
  const cgroupRows = clamp(cgroups, 1, Math.max(1, Math.floor(frame / 4)));
  const streamRows = Math.max(0, frame - fixed - cgroupRows);
  return { cgroupRows, streamRows };
}
