// The key table drives the reducer, `?` and the status bar; the README must name the same keys.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BINDINGS,
  bindingOf,
  helpLines,
  hintsFor,
  PROMPT_KEYS,
  SNAPSHOT_CHOICES,
} from '../../src/ui/bindings.js';
import { NO_KEY } from '../../src/ui/input.js';

/** The README's paragraph on the UI's keys: from "In the UI" to the end of its sentence on q. */
function readmeKeys(): Set<string> {
  const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const from = readme.indexOf('In the UI (');
  const to = readme.indexOf('quits.', from);
  expect(
    [from, to].every((i) => i >= 0),
    'the README keeps its keys paragraph',
  ).toBe(true);
  const bold = [...readme.slice(from, to).matchAll(/\*\*([^*]+)\*\*/g)].map((m) => m[1]!);
  return new Set(bold.flatMap((b) => b.split(/\s+/)));
}

describe('the key table', () => {
  it('the README names every key of the table, and no other', () => {
    const table = new Set([
      ...BINDINGS.flatMap((b) => b.keys),
      ...PROMPT_KEYS.flatMap((p) => p.keys),
      ...SNAPSHOT_CHOICES.map((c) => c.key),
    ]);
    expect([...readmeKeys()].sort()).toEqual([...table].sort());
  });

  it('no two bindings answer the same key', () => {
    const samples: [string, Partial<typeof NO_KEY>][] = [
      ...'qkjgGen/saxc? '.split('').map((c): [string, Partial<typeof NO_KEY>] => [c, {}]),
      ['s', { ctrl: true }],
      ['q', { ctrl: true }],
      ['', { upArrow: true }],
      ['', { downArrow: true }],
      ['', { pageUp: true }],
      ['', { pageDown: true }],
      ['', { home: true }],
      ['', { end: true }],
      ['', { tab: true }],
      ['', { return: true }],
      ['', { escape: true }],
    ];
    for (const [input, over] of samples) {
      const key = { ...NO_KEY, ...over };
      const hits = BINDINGS.filter((b) => b.test(input, key)).map((b) => b.command);
      expect(hits, JSON.stringify([input, over])).toHaveLength(1);
      expect(bindingOf(input, key)?.command).toBe(hits[0]);
    }
    // A control key is never its letter: Ctrl-S pauses, it does not snapshot.
    expect(bindingOf('s', { ...NO_KEY, ctrl: true })?.command).toBe('pause');
    expect(bindingOf('x', { ...NO_KEY, ctrl: true })).toBeUndefined();
  });

  it('the help fits 80 columns, and the hints keep their order of importance', () => {
    for (const line of helpLines()) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(hintsFor('live')).toEqual([
      '^S pause',
      '/ filter',
      'e errors',
      's snapshot',
      'a add',
      'x stop',
      'Tab pane',
    ]);
    expect(hintsFor('paused')).toEqual([
      '^Q continue',
      '↑↓ scroll',
      'Enter details',
      '/ filter',
      'e errors',
      'n noise',
      's snapshot',
      'c summary',
    ]);
    expect(hintsFor('empty')).toEqual(['a add']);
  });
});
