// The terminal UI: a title line, the cgroups pane, the stream pane (or help,
// or a line's details in its place) and the status bar, exactly rows - 1
// lines tall. All keys arrive in the one useInput below and go through the
// pure reducer in keys.ts; the effects it asks for (add, stop, snapshot,
// quit) run here. Events are never React state: the redraw tick reads the
// stores' version counters.
import { Box, Text, useApp, useInput } from 'ink';
import { useRef } from 'react';
import { CgroupsPane, type CgroupRow } from './components/CgroupsPane.js';
import { Header, headerHeight } from './components/Header.js';
import { StatusBar } from './components/StatusBar.js';
import { StreamPane } from './components/StreamPane.js';
import { TextView } from './components/TextView.js';
import { detailLines } from './details.js';
import {
  SUMMARY_SORTS,
  recordSummary,
  summarizeView,
  summaryLines,
  summaryScroll,
  type ViewSummary,
} from './summary-view.js';
import { compileFilter, describeFilter, specOf, type FilterSpec } from './filter.js';
import { helpLines, hintsFor, SNAPSHOT_CHOICES } from './bindings.js';
import { splitKeys } from './input.js';
import { useRedrawTick } from './hooks/useRedrawTick.js';
import { useTerminalSize } from './hooks/useTerminalSize.js';
import { useUiState } from './hooks/useUiState.js';
import { initialUi, reduceKey, type KeyContext, type UiState } from './keys.js';
import type { CgroupView, Session } from './session.js';
import { SELF_QUESTION } from '../targets.js';
import type { LineKind } from './theme.js';
import type { ScreenLine } from './components/Lines.js';
import {
  clamp,
  fit,
  keyHints,
  layout,
  MIN_COLUMNS,
  MIN_ROWS,
  rowOf,
  streamWindow,
  wrapLines,
  type Source,
} from './view.js';

export interface AppProps {
  session: Session;
  colour: boolean;
  /** Redraws per second at most (10-20). */
  fps?: number;
  /** The cgroup shown first (its path): the one `tui --cgroup` named, not the daemon's first. */
  select?: string;
}

export const HELP_LINES = [
  ...helpLines(),
  'Lost events are never hidden (a red LOST line). Any key closes this help.',
];

function stateOf(cg: CgroupView, selected: boolean, paused: boolean): CgroupRow['state'] {
  if (cg.gone) return 'gone';
  if (cg.detached === 'disconnected') return 'stale';
  if (cg.detached) return 'not recorded';
  if (!selected) return 'recording';
  return paused ? 'paused' : 'live';
}

/** The word over the stream: LIVE only when events can still arrive. */
function streamState(
  session: Session,
  cg: CgroupView | undefined,
  paused: boolean,
): { word: string; kind: LineKind } {
  const why = session.connection.lostAt
    ? 'DISCONNECTED'
    : cg?.detached
      ? 'NOT RECORDED'
      : cg?.gone
        ? 'GONE'
        : undefined;
  if (paused) return { word: why ? `PAUSED · ${why}` : 'PAUSED', kind: 'paused' };
  if (why) return { word: why, kind: why === 'GONE' ? 'gone' : 'banner' };
  return { word: 'LIVE', kind: 'live' };
}

/**
 * The header's banner: the daemon does not answer, or came back without some cgroups, or its
 * trigger saved a dump.
 */
function bannerOf(session: Session): ScreenLine | undefined {
  const { lostAt, why } = session.connection;
  if (lostAt) {
    const since = lostAt.toTimeString().slice(0, 8);
    // The same words whatever failed (refused, cut short, no answer in time); a detail after.
    // What matters first, for a narrow terminal: since when, and that it tries again.
    const detail = why.startsWith('no traceloop daemon answers') ? '' : ` (${why})`;
    return {
      text:
        ` DISCONNECTED since ${since} · reconnecting… · no traceloop daemon answers on ` +
        `${session.api.where}${detail} · shown: what arrived before`,
      kind: 'banner',
    };
  }
  const missing = session.cgroups.filter((c) => c.detached === 'not recorded').map((c) => c.name);
  // A dump a trigger saved (serve --dump-dir): said until the next one.
  if (missing.length === 0) {
    return session.notice ? { text: ` ${session.notice}`, kind: 'warning' } : undefined;
  }
  return {
    text: ` not recorded by the daemon on ${session.api.where} (restarted?): ${missing.join(', ')} · a adds again, x drops`,
    kind: 'warning',
  };
}

export function App({ session, colour, fps = 10, select }: AppProps) {
  const { exit } = useApp();
  const { columns, rows } = useTerminalSize();
  const { ui, uiRef, frozen, update, run } = useUiState(session, exit, {
    ...initialUi,
    selected: Math.max(
      0,
      session.cgroups.findIndex((c) => c.path === select),
    ),
  });
  const ctxRef = useRef<KeyContext>({ cgroups: 0, lines: 0, page: 1, detailLines: 0 });
  const detailsRef = useRef<string[]>([]);
  const summaryRef = useRef<{ key: string; view: ViewSummary; at: Date; what: 'view' | 'record' }>(
    undefined,
  );
  const detailsWidth = useRef(0);

  const cgroups = session.cgroups;
  const selected = clamp(ui.selected, 0, Math.max(0, cgroups.length - 1));
  const current: CgroupView | undefined = cgroups[selected];

  useRedrawTick(() => {
    const store = session.cgroups[clamp(uiRef.current.selected, 0, session.cgroups.length - 1)];
    return session.version * 1_000_003 + (store?.store.version ?? 0);
  }, fps);

  useInput((input, key) => {
    // One read can hold many keys (a paste, a held key over SSH): one step each, in order.
    for (const k of splitKeys(input, key)) {
      const step = reduceKey(uiRef.current, k.input, k.key, ctxRef.current);
      if (step.state !== uiRef.current) update(step.state);
      if (step.effect) run(step.effect);
      if (step.effect?.kind === 'quit') return;
    }
  });

  const filterSpec = specOf(ui);
  const filter = useFilter(filterSpec);

  if (columns < MIN_COLUMNS || rows < MIN_ROWS) {
    return (
      <Text>{fit(`terminal too small: traceloop needs ${MIN_COLUMNS}x${MIN_ROWS}`, columns)}</Text>
    );
  }

  const banner = bannerOf(session);
  const { cgroupRows, streamRows } = layout(
    rows,
    cgroups.length,
    headerHeight(session.captures, banner),
  );
  const cgroupList: CgroupRow[] = cgroups.map((cg, i) => ({
    name: cg.name,
    path: cg.path,
    rate: cg.rate,
    recorded: cg.recorded,
    lost: cg.lost,
    state: stateOf(cg, i === selected, ui.paused),
  }));

  // The stream: the frozen copy while paused, the live store otherwise.
  const store = current?.store;
  const fz = ui.paused && frozen.current?.key === current?.key ? frozen.current : undefined;
  const src: Source | undefined = fz?.source ?? store;
  const win =
    store && src
      ? streamWindow(src, store, filter, streamRows, ui.paused, ui.cursor, ui.bottom)
      : undefined;
  const streamLines =
    store && win
      ? win.rows.map((e) => ({ ...rowOf(store, e), lost: e.isLost, failed: e.failed }))
      : [];

  // What the stream header says besides LIVE / PAUSED.
  const info: string[] = [];
  if (fz && store) {
    const since = store.total - fz.total;
    info.push(`${since} new event${since === 1 ? '' : 's'} since pause`);
    if (win?.total) info.push(`line ${win.total - win.cursor} of ${win.total}`);
  } else if (store) {
    info.push(`${store.total} events`);
  }
  const filterText = describeFilter(filterSpec);
  if (filterText) info.push(filterText);

  // Details of the line under the cursor, built once when opened.
  const cursorEntry = win && win.cursorRow !== undefined ? win.rows[win.cursorRow] : undefined;
  if (ui.overlay === 'details' && store && cursorEntry) {
    if (
      detailsRef.current.length === 0 ||
      ui.detailScroll === 0 ||
      detailsWidth.current !== columns
    ) {
      // Wrapped, not cut: "a line in full" means the whole path, however long.
      detailsRef.current = wrapLines(detailLines(store, cursorEntry), columns);
      detailsWidth.current = columns;
    }
  } else {
    detailsRef.current = [];
  }

  // The summary of what the view holds, counted once per opening (r counts again).
  // The flight record's is counted by the session (a read of the rings): shown once it is there.
  const sort = SUMMARY_SORTS[ui.summary.sort] ?? 'time';
  const fromRecord = session.recordSummary;
  const summaryKey = ui.summary.record
    ? `record:${fromRecord?.key}:${fromRecord?.at.getTime()}:${ui.summary.sort}`
    : `${current?.key}:${ui.summary.opened}:${ui.summary.sort}`;
  if (ui.overlay === 'summary' && summaryRef.current?.key !== summaryKey) {
    if (!ui.summary.record && src) {
      summaryRef.current = {
        key: summaryKey,
        view: summarizeView(src, sort),
        at: new Date(),
        what: 'view',
      };
    } else if (ui.summary.record && fromRecord && fromRecord.key === current?.key) {
      const view = recordSummary(fromRecord.summary, fromRecord.records, sort);
      summaryRef.current = { key: summaryKey, view, at: fromRecord.at, what: 'record' };
    }
  }
  const summary =
    ui.overlay === 'summary' && summaryRef.current?.key === summaryKey
      ? summaryRef.current
      : undefined;
  const summaryTitle = summary
    ? summary.what === 'record'
      ? ` summary of the flight record (${summary.view.lines} records) at `
      : ` summary of ${summary.view.lines} lines${fz ? ' (paused view)' : ''} at `
    : '';

  ctxRef.current = {
    summaryNames: summary?.view.rows.map((r) => r.name) ?? [],
    cgroups: cgroups.length,
    // Live and filtered, the total is not counted: the rows on screen are there to open.
    lines: win?.total ?? win?.rows.length ?? 0,
    page: Math.max(1, streamRows),
    detailLines: detailsRef.current.length,
    fdNames: current?.store.namesFds ?? false,
  };

  const state = streamState(session, current, ui.paused);
  const status = statusLine(ui, current, cgroups.length, columns, state.word);

  return (
    <Box flexDirection="column" width={columns}>
      <Header
        where={session.api.where}
        cgroups={cgroups.length}
        captures={session.captures}
        banner={banner}
        width={columns}
        colour={colour}
      />
      <CgroupsPane
        rows={cgroupList}
        selected={selected}
        height={cgroupRows}
        width={columns}
        focused={ui.focus === 'cgroups'}
        colour={colour}
      />
      {ui.overlay === 'help' ? (
        <TextView
          title=" help"
          lines={HELP_LINES}
          scroll={0}
          height={streamRows + 2}
          width={columns}
          colour={colour}
        />
      ) : ui.overlay === 'summary' && !summary ? (
        <TextView
          title=" summary · counting the flight record… · Esc"
          lines={[]}
          scroll={0}
          height={streamRows + 2}
          width={columns}
          colour={colour}
        />
      ) : summary ? (
        <TextView
          title={
            summaryTitle +
            `${summary.at.toTimeString().slice(0, 8)} · by ${SUMMARY_SORTS[ui.summary.sort]} ` +
            `(Tab) · f ${summary.what === 'record' ? 'the view' : 'flight record'} · Enter filters · r · Esc`
          }
          lines={summaryLines(summary.view, ui.summary.cursor)}
          scroll={summaryScroll(ui.summary.cursor, streamRows + 2)}
          height={streamRows + 2}
          width={columns}
          colour={colour}
        />
      ) : ui.overlay === 'details' && detailsRef.current.length > 0 ? (
        <TextView
          title=" details · Esc closes · ↑↓ PgUp PgDn scroll"
          lines={detailsRef.current}
          scroll={ui.detailScroll}
          height={streamRows + 2}
          width={columns}
          colour={colour}
        />
      ) : (
        <StreamPane
          title={` ${current?.name ?? 'no cgroup'}`}
          state={state.word}
          stateKind={state.kind}
          info={info.join(' · ')}
          rows={streamLines}
          cursorRow={win?.cursorRow}
          height={streamRows}
          width={columns}
          focused={ui.focus === 'stream'}
          colour={colour}
          empty={
            current
              ? filterText
                ? '  no line matches the filter (Esc clears it)'
                : '  waiting for syscalls…'
              : '  press a to record a cgroup (a path, a pid or a systemd unit)'
          }
        />
      )}
      <StatusBar {...status} width={columns} colour={colour} />
    </Box>
  );
}

/** One compiled filter per spec: its identity keys the match caches. */
function useFilter(spec: FilterSpec) {
  const ref = useRef<{ key: string; f: ReturnType<typeof compileFilter> }>(undefined);
  const key = `${spec.errorsOnly ? 1 : 0}${spec.hideNoise ? 1 : 0}:${spec.text}`;
  if (ref.current?.key !== key) ref.current = { key, f: compileFilter(spec) };
  return ref.current.f;
}

function statusLine(
  ui: UiState,
  cg: CgroupView | undefined,
  count: number,
  width: number,
  state: string,
): { text: string; kind: LineKind; keepEnd?: boolean; mark?: { from: number; to: number } } {
  const p = ui.prompt;
  if (p?.kind === 'confirm-self') {
    return { text: ` ${SELF_QUESTION[p.self]} y/N`, kind: 'error' };
  }
  if (p?.kind === 'snapshot') {
    // The flight record first: it reaches furthest back, and Enter takes it.
    const choices = SNAPSHOT_CHOICES.filter((c) => p.filtering || !('onlyFiltering' in c)).map(
      (c) => `${c.key} ${ui.paused && 'paused' in c ? c.paused : c.label}`,
    );
    return {
      text: fit(` snapshot: ${choices.join(' · ')} · Esc none`, width),
      kind: 'header',
    };
  }
  if (p && p.kind !== 'confirm-remove') {
    const label =
      p.kind === 'add'
        ? ' add cgroup (path, pid or unit): '
        : ' filter (syscall, pid, comm or text; empty clears): ';
    if (p.error) return { text: `${label}${p.text}█  ${p.error}`, kind: 'error' };
    // A selected text is shown reversed, without the cursor: the next key replaces it.
    if (p.selected) {
      const mark = { from: label.length, to: label.length + p.text.length };
      return { text: label + p.text, kind: 'header', mark };
    }
    return { text: `${label}${p.text}█`, kind: 'header' };
  }
  if (p?.kind === 'confirm-remove') {
    return {
      text: ` stop recording ${cg?.name ?? '?'}? its record is dropped. y/n`,
      kind: 'error',
    };
  }
  if (ui.message) {
    const kind = ui.message.error ? 'error' : 'message';
    return { text: ` ${ui.message.text}`, kind, keepEnd: ui.message.keepEnd ?? false };
  }
  const hints = hintsFor(count === 0 ? 'empty' : ui.paused ? 'paused' : 'live');
  return { text: keyHints(` ${state} · `, hints, width), kind: 'dim' };
}
