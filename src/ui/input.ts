// Keys that arrive together. Over SSH a paste, a held key or a fast typist
// reaches us as one read: Ink splits escape sequences out of it but hands
// the rest to useInput as one `input` with no key recognised ("kkkkk",
// "connect\r", seven DELs). The reducer reads one key at a time, so such a
// chunk is cut here into the keys Ink would have reported had each come on
// its own.
import type { Key } from 'ink';

export interface KeyPress {
  input: string;
  key: Key;
}

/** A key with no modifier or special key set: what a plain character is. */
export const NO_KEY: Key = {
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

/** What Ink reports for one character read alone (its parse-keypress rules). */
export function keyOfChar(ch: string): KeyPress {
  const code = ch.codePointAt(0) ?? 0;
  // Enter sends CR; a pasted line ends in LF: both submit.
  if (ch === '\r' || ch === '\n') return { input: '\r', key: { ...NO_KEY, return: true } };
  if (ch === '\t') return { input: '', key: { ...NO_KEY, tab: true } };
  // The Backspace key sends DEL on nearly every terminal; Ink calls that `delete`.
  if (ch === '\x7f') return { input: '', key: { ...NO_KEY, delete: true } };
  if (ch === '\b') return { input: '', key: { ...NO_KEY, backspace: true } };
  if (ch === '\x1b') return { input: '', key: { ...NO_KEY, escape: true, meta: true } };
  if (code >= 1 && code <= 26) {
    return { input: String.fromCharCode(code + 96), key: { ...NO_KEY, ctrl: true } };
  }
  return { input: ch, key: { ...NO_KEY, shift: /^[A-Z]$/.test(ch) } };
}

/** True when Ink recognised something in the read: an arrow, a modifier, Enter... */
function recognised(key: Key): boolean {
  return (Object.keys(NO_KEY) as (keyof Key)[]).some((k) => k !== 'shift' && key[k] === true);
}

/**
 * The keys in one useInput call, in order. A recognised key, or a single
 * character, is passed on as Ink gave it (a lone LF becomes Enter, as in a
 * chunk); an unrecognised run of characters is split into one key each.
 */
export function splitKeys(input: string, key: Key): KeyPress[] {
  if (recognised(key)) return [{ input, key }];
  const chars = Array.from(input);
  if (chars.length === 1 && input === '\n') return [keyOfChar(input)];
  if (chars.length <= 1) return [{ input, key }];
  return chars.map(keyOfChar);
}
