// The UI state and what keys set in motion: one reducer step at a time,
// through update(), which also freezes the stream the moment a pause
// begins (before any later batch lands); run() carries out effects (add,
// stop, snapshot, quit) and reports how they went in the status bar.
import { useCallback, useRef, useState } from 'react';
import { UserError } from '../../cgroup.js';
import { initialUi, type Effect, type UiState } from '../keys.js';
import type { CgroupView, Session } from '../session.js';
import { compileFilter, describeFilter, specOf } from '../filter.js';
import type { SelfRecording } from '../../targets.js';
import { clamp, sourceEntries, type Source } from '../view.js';

export interface Frozen {
  /** The row's key (a cgroup's daemon id can change under it). */
  key: number;
  source: Source;
  /** store.total when frozen: what arrived since is the difference. */
  total: number;
}

export function useUiState(session: Session, exit: () => void, first: UiState = initialUi) {
  const [ui, setUi] = useState<UiState>(first);
  // The input handler needs the latest state synchronously (keys can come
  // in one chunk faster than React commits): keep a mirror.
  const uiRef = useRef(ui);
  const frozen = useRef<Frozen | undefined>(undefined);
  const update = useCallback(
    (next: UiState) => {
      const cgs = session.cgroups;
      const cg = cgs[clamp(next.selected, 0, Math.max(0, cgs.length - 1))];
      // Pausing freezes what the stream holds now, before any later batch lands.
      if (next.paused && cg && frozen.current?.key !== cg.key) {
        frozen.current = {
          key: cg.key,
          source: cg.store.freeze(),
          total: cg.store.total,
        };
      }
      if (!next.paused) frozen.current = undefined;
      uiRef.current = next;
      setUi(next);
    },
    [session],
  );

  const say = useCallback(
    (text: string, error = false, keepEnd = false) =>
      update({ ...uiRef.current, message: { text, error, keepEnd } }),
    [update],
  );

  /** The view's lines (the paused one, or the live store's as they are now), filtered or not. */
  const snapshotView = useCallback(
    (what: 'view' | 'filtered', cg: CgroupView) => {
      const ui = uiRef.current;
      const paused = ui.paused && frozen.current?.key === cg.key;
      const src = paused ? frozen.current!.source : cg.store.freeze();
      const spec = specOf(ui);
      const filter = what === 'filtered' ? compileFilter(spec) : undefined;
      try {
        const { file, lines } = session.snapshotView(cg.key, {
          entries: sourceEntries(src, cg.store, filter),
          viewLines: src.length,
          paused,
          filter: filter ? describeFilter(spec) : undefined,
          capacity: cg.store.capacity,
        });
        const which = filter ? 'filtered lines' : paused ? 'paused view' : 'view';
        say(`snapshot of ${cg.name} (${which}: ${lines} lines) written to ${file}`, false, true);
      } catch (err) {
        say(err instanceof UserError ? err.message : `error: ${(err as Error).message}`, true);
      }
    },
    [say, session],
  );

  const run = useCallback(
    (effect: Effect) => {
      const fail = (err: unknown): void =>
        say(err instanceof UserError ? err.message : `error: ${(err as Error).message}`, true);
      const cg = session.cgroups[clamp(uiRef.current.selected, 0, session.cgroups.length - 1)];
      switch (effect.kind) {
        case 'quit':
          exit();
          return;
        case 'add': {
          // The root cgroup or traceloop's own records this UI too: ask first (keys.ts has the y).
          let self: SelfRecording | undefined;
          try {
            self = effect.confirmed ? undefined : session.selfRecording(effect.target);
          } catch (err) {
            fail(err);
            return;
          }
          if (self) {
            const prompt = { kind: 'confirm-self', target: effect.target, self } as const;
            update({ ...uiRef.current, prompt, message: undefined });
            return;
          }
          say(`adding ${effect.target}…`);
          session.add(effect.target).then((added) => {
            update({
              ...uiRef.current,
              selected: session.cgroups.indexOf(added),
              cursor: 0,
              bottom: 0,
              message: { text: `recording ${added.name} (${added.path})`, error: false },
            });
          }, fail);
          return;
        }
        case 'remove':
          if (!cg) return;
          session.remove(cg.key).then(() => {
            const n = session.cgroups.length;
            update({
              ...uiRef.current,
              selected: clamp(uiRef.current.selected, 0, Math.max(0, n - 1)),
              message: { text: `stopped recording ${cg.name}`, error: false },
            });
          }, fail);
          return;
        case 'summarize-record':
          if (!cg) return;
          session.summarizeRecord(cg.key).catch(fail);
          return;
        case 'snapshot':
          if (!cg) return;
          if (effect.what === 'view' || effect.what === 'filtered') {
            snapshotView(effect.what, cg);
            return;
          }
          if (effect.what === 'capture') {
            say(`writing a capture of ${cg.name}…`);
            session
              .snapshotCapture(cg.key)
              .then(
                ({ file, records }) =>
                  say(
                    `capture of ${cg.name} (${records} records, for traceloop view) written to ${file}`,
                    false,
                    true,
                  ),
                fail,
              );
            return;
          }
          say(`writing a snapshot of ${cg.name}…`);
          session
            .snapshot(cg.key)
            .then(
              ({ file, lines, completeFrom }) =>
                say(
                  `snapshot of ${cg.name} (${lines} lines, ` +
                    (completeFrom
                      ? `from ${completeFrom}: older history overwritten in the ring, --ring-pages keeps more`
                      : 'all since recording began') +
                    `) written to ${file}`,
                  false,
                  true,
                ),
              fail,
            );
          return;
      }
    },
    [exit, say, session, snapshotView, update],
  );

  return { ui, uiRef, frozen, update, run };
}
