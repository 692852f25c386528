// The keyboard's rules, without a screen: reduceKey is pure.
import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { initialUi, reduceKey, type KeyContext, type UiState } from '../../src/ui/keys.js';

const none: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};
const ctx: KeyContext = { cgroups: 2, lines: 100, page: 10, detailLines: 30 };

/** Presses keys in order: strings are typed input, objects are special keys. */
function press(s: UiState, ...keys: Array<string | Partial<Key>>) {
  let state = s;
  const effects: string[] = [];
  for (const k of keys) {
    const step =
      typeof k === 'string'
        ? reduceKey(state, k, none, ctx)
        : reduceKey(state, k.ctrl ? 's' : '', { ...none, ...k }, ctx);
    state = step.state;
    if (step.effect) effects.push(step.effect.kind);
  }
  return { state, effects };
}
const ctrl = (c: string) => (s: UiState) => reduceKey(s, c, { ...none, ctrl: true }, ctx);

describe('reduceKey', () => {
  it('Ctrl-S pauses, Ctrl-Q continues from the newest line, space toggles', () => {
    const paused = ctrl('s')(initialUi).state;
    expect(paused.paused).toBe(true);
    const scrolled = press(paused, 'k', 'k', 'k').state;
    expect(scrolled.cursor).toBe(3);
    const live = ctrl('q')(scrolled).state;
    expect(live).toMatchObject({ paused: false, cursor: 0, bottom: 0 });
    expect(press(initialUi, ' ').state.paused).toBe(true);
    expect(press(initialUi, ' ', ' ').state.paused).toBe(false);
  });

  it('Ctrl-C and q quit; Ctrl-C even inside a prompt', () => {
    expect(ctrl('c')(initialUi).effect?.kind).toBe('quit');
    expect(press(initialUi, 'q').effects).toEqual(['quit']);
    const prompting = press(initialUi, 'a', 'q').state;
    expect(prompting.prompt).toEqual({ kind: 'add', text: 'q' });
    expect(ctrl('c')(prompting).effect?.kind).toBe('quit');
  });

  it('scrolling back pauses; paging and g/G stay inside the list', () => {
    const { state } = press(initialUi, { pageUp: true }, { pageUp: true });
    expect(state).toMatchObject({ paused: true, cursor: 20, bottom: 20 });
    expect(press(state, 'g').state.cursor).toBe(99);
    expect(press(state, 'g', 'k').state.cursor).toBe(99);
    expect(press(state, 'G').state).toMatchObject({ cursor: 0, bottom: 0, paused: true });
    expect(press(initialUi, 'j').state.paused).toBe(false); // nothing newer than live
  });

  it('the cgroups pane moves the selection and resets the scroll', () => {
    const { state } = press(initialUi, { tab: true }, 'j', 'j', 'j');
    expect(state).toMatchObject({ focus: 'cgroups', selected: 1 });
    expect(press(state, 'k').state.selected).toBe(0);
  });

  it('prompts: typing, backspace, Esc cancels, Enter submits', () => {
    const typed = press(initialUi, '/', 'o', 'p', 'x', { backspace: true }, 'e', 'n');
    expect(typed.state.prompt).toEqual({ kind: 'filter', text: 'open' });
    expect(press(typed.state, { escape: true }).state).toMatchObject({
      prompt: undefined,
      filter: '',
    });
    expect(press(typed.state, { return: true }).state).toMatchObject({ filter: 'open' });
    const add = press(initialUi, 'a', '/sys/fs/cgroup/x', { return: true });
    expect(add.effects).toEqual(['add']);
    expect(press(initialUi, 'a', { return: true }).effects).toEqual([]);
  });

  it('x asks first; only y stops recording', () => {
    expect(press(initialUi, 'x', 'y').effects).toEqual(['remove']);
    const no = press(initialUi, 'x', 'n');
    expect(no.effects).toEqual([]);
    expect(no.state.message?.text).toBe('still recording');
    expect(reduceKey(initialUi, 'x', none, { ...ctx, cgroups: 0 }).state.message?.error).toBe(true);
  });

  it('e and Esc: failed calls only, then everything again', () => {
    const e = press(initialUi, 'e').state;
    expect(e.errorsOnly).toBe(true);
    expect(press(e, { escape: true }).state.errorsOnly).toBe(false);
  });

  it('Enter opens details (pausing); its scroll is clamped; Esc closes', () => {
    const open = press(initialUi, { return: true }).state;
    expect(open).toMatchObject({ overlay: 'details', paused: true });
    const down = press(open, { pageDown: true }, { pageDown: true }, { pageDown: true }).state;
    expect(down.detailScroll).toBe(20); // 30 lines, a page of 10
    expect(press(down, { escape: true }).state.overlay).toBe('none');
  });
});
