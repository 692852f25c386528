// The keyboard's rules, without a screen: reduceKey is pure.
import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { NO_KEY, splitKeys } from '../../src/ui/input.js';
import { initialUi, reduceKey, type KeyContext, type UiState } from '../../src/ui/keys.js';

const none: Key = NO_KEY;
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
    expect(prompting.prompt).toEqual({ kind: 'add', text: 'q', selected: false });
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
    expect(typed.state.prompt).toEqual({ kind: 'filter', text: 'open', selected: false });
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

  it('s asks what to write: f or Enter the flight record, v the view, m the filtered lines', () => {
    const what = (s: UiState, ...keys: Array<string | Partial<Key>>) => {
      let state = s;
      let effect;
      for (const k of keys) {
        const step =
          typeof k === 'string'
            ? reduceKey(state, k, none, ctx)
            : reduceKey(state, '', { ...none, ...k }, ctx);
        state = step.state;
        effect = step.effect ?? effect;
      }
      return { state, effect };
    };
    expect(what(initialUi, 's').state.prompt).toEqual({ kind: 'snapshot', filtering: false });
    expect(what(initialUi, 's', 'f').effect).toEqual({ kind: 'snapshot', what: 'record' });
    expect(what(initialUi, 's', { return: true }).effect).toEqual({
      kind: 'snapshot',
      what: 'record',
    });
    expect(what(initialUi, 's', 'v').effect).toEqual({ kind: 'snapshot', what: 'view' });
    expect(what(initialUi, 's', 'c').effect).toEqual({ kind: 'snapshot', what: 'capture' });
    // m only with a filter in use; without one it says what v does instead.
    const noFilter = what(initialUi, 's', 'm');
    expect(noFilter.effect).toBeUndefined();
    expect(noFilter.state.message?.text).toMatch(/no filter in use: v writes every line/);
    const errors = what(initialUi, 'e', 's', 'm');
    expect(errors.effect).toEqual({ kind: 'snapshot', what: 'filtered' });
    // Anything else writes nothing, and says so; the prompt is gone either way.
    const esc = what(initialUi, 's', { escape: true });
    expect(esc.effect).toBeUndefined();
    expect(esc.state.prompt).toBeUndefined();
    expect(esc.state.message?.text).toBe('no snapshot written');
  });

  it('a filter that is none keeps the prompt open, saying why; the filter in use stays', () => {
    const typed = press({ ...initialUi, filter: 'read' }, '/', 'errno:EFOO', { return: true });
    expect(typed.state.filter).toBe('read');
    expect(typed.state.prompt).toMatchObject({ kind: 'filter', text: 'errno:EFOO' });
    expect(typed.state.prompt).toHaveProperty('error', 'errno: no errno is called EFOO');
    // The next edit clears the complaint; a good text is taken.
    const editing = press(typed.state, { backspace: true });
    expect(editing.state.prompt).not.toHaveProperty('error');
    const back = Array.from({ length: 2 }, () => ({ backspace: true }));
    const fixed = press(editing.state, ...back, 'NOENT', { return: true });
    expect(fixed.state.prompt).toBeUndefined();
    expect(fixed.state.filter).toBe('errno:ENOENT');
  });

  it('n hides the usual harmless failures; Esc clears it with the rest', () => {
    const n = press(initialUi, 'n');
    expect(n.state.hideNoise).toBe(true);
    expect(press(n.state, { escape: true }).state.hideNoise).toBe(false);
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

  it('Ctrl-U clears the prompt line, Ctrl-W deletes the word before the cursor', () => {
    const typed = press(initialUi, 'a', '/sys/fs/cgroup/a b  ').state;
    const w = ctrl('w')(typed).state;
    expect(w.prompt).toMatchObject({ text: '/sys/fs/cgroup/a ' });
    expect(ctrl('w')(w).state.prompt).toMatchObject({ text: '' });
    expect(ctrl('w')(ctrl('w')(w).state).state.prompt).toMatchObject({ text: '' });
    expect(ctrl('u')(typed).state.prompt).toMatchObject({ kind: 'add', text: '' });
    // Neither leaves the prompt or quits.
    expect(ctrl('u')(typed).effect).toBeUndefined();
  });

  it('/ reopens with the filter in use selected: typing replaces it, Backspace clears it', () => {
    const filtered = press(initialUi, '/', 'openat', { return: true }).state;
    expect(filtered).toMatchObject({ filter: 'openat', prompt: undefined });
    const again = press(filtered, '/').state;
    expect(again.prompt).toEqual({ kind: 'filter', text: 'openat', selected: true });
    expect(press(again, 'c').state.prompt).toEqual({ kind: 'filter', text: 'c', selected: false });
    expect(press(again, 'close', { return: true }).state.filter).toBe('close');
    expect(press(again, { delete: true }).state.prompt).toMatchObject({ text: '' });
    expect(press(again, { backspace: true }).state.prompt).toMatchObject({ text: '' });
    expect(ctrl('u')(again).state.prompt).toMatchObject({ text: '', selected: false });
    expect(ctrl('w')(again).state.prompt).toMatchObject({ text: '' });
    // Enter keeps it as it was; Esc leaves it.
    expect(press(again, { return: true }).state.filter).toBe('openat');
    expect(press(again, { escape: true }).state.filter).toBe('openat');
  });

  it.each([{ leftArrow: true }, { rightArrow: true }, { end: true }, { home: true }])(
    '/ then %j keeps the old filter to edit',
    (k) => {
      const again = press(initialUi, '/', 'openat', { return: true }, '/').state;
      const kept = press(again, k).state;
      expect(kept.prompt).toEqual({ kind: 'filter', text: 'openat', selected: false });
      expect(press(kept, { delete: true }, 't', { return: true }).state.filter).toBe('openat');
      expect(press(kept, '2', { return: true }).state.filter).toBe('openat2');
    },
  );

  it('an empty filter opens unselected', () => {
    expect(press(initialUi, '/').state.prompt).toEqual({
      kind: 'filter',
      text: '',
      selected: false,
    });
  });
});

/** Presses whatever one read held, split into keys as the app does. */
function chunk(s: UiState, input: string, key: Key = none) {
  let state = s;
  const effects: string[] = [];
  for (const k of splitKeys(input, key)) {
    const step = reduceKey(state, k.input, k.key, ctx);
    state = step.state;
    if (step.effect) effects.push(step.effect.kind);
  }
  return { state, effects };
}

describe('splitKeys: keys that arrive in one read', () => {
  it('passes a single key, or one Ink recognised, as it came', () => {
    expect(splitKeys('k', none)).toEqual([{ input: 'k', key: none }]);
    const up = { ...none, upArrow: true };
    expect(splitKeys('', up)).toEqual([{ input: '', key: up }]);
    const ctrlS = { ...none, ctrl: true };
    expect(splitKeys('s', ctrlS)).toEqual([{ input: 's', key: ctrlS }]);
    expect(splitKeys('', none)).toEqual([{ input: '', key: none }]);
  });

  it('splits a run of characters into the keys each would have been alone', () => {
    const keys = splitKeys('a\r\x7f\b\t\x15\x17 Z\n', none);
    expect(keys.map((k) => k.input)).toEqual(['a', '\r', '', '', '', 'u', 'w', ' ', 'Z', '\r']);
    expect(keys[1]!.key.return).toBe(true);
    expect(keys[2]!.key.delete).toBe(true);
    expect(keys[3]!.key.backspace).toBe(true);
    expect(keys[4]!.key.tab).toBe(true);
    expect(keys[5]!.key.ctrl).toBe(true);
    expect(keys[6]!.key.ctrl).toBe(true);
    expect(keys[8]!.key.shift).toBe(true);
    expect(keys[9]!.key.return).toBe(true); // a pasted line's LF submits as Enter does
    expect(splitKeys('é😀x', none).map((k) => k.input)).toEqual(['é', '😀', 'x']);
  });

  it('a pasted "connect\\r" after / applies the filter and closes the prompt', () => {
    const open = chunk(initialUi, '/').state;
    const { state } = chunk(open, 'connect\r');
    expect(state).toMatchObject({ filter: 'connect', prompt: undefined });
    // "/connect\r" in one read does the same.
    expect(chunk(initialUi, '/connect\r').state).toMatchObject({ filter: 'connect' });
  });

  it('seven DELs in one read delete seven characters', () => {
    const typed = chunk(initialUi, '/abcdefghij').state;
    expect(chunk(typed, '\x7f'.repeat(7)).state.prompt).toMatchObject({ text: 'abc' });
    expect(chunk(typed, '\b'.repeat(7)).state.prompt).toMatchObject({ text: 'abc' });
  });

  it('ten k in one read scroll ten lines; Ctrl-U in a chunk clears the prompt', () => {
    expect(chunk(initialUi, 'k'.repeat(10)).state).toMatchObject({ paused: true, cursor: 10 });
    expect(chunk(initialUi, 'a/sys/x\x15/y').state.prompt).toMatchObject({ text: '/y' });
  });

  it('q in the middle of a chunk quits (the app stops there)', () => {
    expect(chunk(initialUi, 'kkq').effects).toEqual(['quit']);
  });
});

describe('recording traceloop itself is asked about (#14.9)', () => {
  const asking: UiState = {
    ...initialUi,
    prompt: { kind: 'confirm-self', target: '1', self: 'root' },
  };

  it('y adds it, confirmed (not asked again)', () => {
    const step = reduceKey(asking, 'y', none, ctx);
    expect(step.effect).toEqual({ kind: 'add', target: '1', confirmed: true });
    expect(step.state.prompt).toBeUndefined();
  });

  it('anything else (n, Enter, Esc) records nothing and says so', () => {
    for (const k of ['n', { return: true }, { escape: true }] as const) {
      const { state, effects } = press(asking, k);
      expect(effects).toEqual([]);
      expect(state).toMatchObject({ prompt: undefined, message: { text: '1 not recorded' } });
    }
  });
});
