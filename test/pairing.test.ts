// The one pairing machine (src/format/pairing.ts): which exit ends which enter, and when a
// held enter becomes an `<unfinished ...>` line. The formatter and the UI's store both ask it.
import { describe, expect, it } from 'vitest';
import { CallPairing, COMPLETE, DROPPED, HELD, JOINED, RESUMED } from '../src/format/pairing.js';
import { syscallByName } from '../src/syscalls/table.js';

const nr = (name: string): number => {
  const d = syscallByName(name);
  if (!d) throw new Error(name);
  return d.nr;
};

function machine(): { p: CallPairing<string>; unfinished: string[] } {
  const unfinished: string[] = [];
  return { p: new CallPairing<string>((e) => unfinished.push(e)), unfinished };
}

describe('CallPairing', () => {
  it('joins an exit that comes right after its enter', () => {
    const { p, unfinished } = machine();
    expect(p.enter(1, nr('read'), 'read#1')).toBe(HELD);
    expect(p.exit(1, nr('read'), false)).toBe(JOINED);
    expect(p.matched).toBe('read#1');
    expect(unfinished).toEqual([]);
  });

  it('shows an enter unfinished when another record comes between, and resumes it', () => {
    const { p, unfinished } = machine();
    p.enter(1, nr('read'), 'read#1');
    p.enter(2, nr('write'), 'write#2');
    expect(unfinished).toEqual(['read#1']);
    expect(p.exit(2, nr('write'), false)).toBe(JOINED);
    expect(p.exit(1, nr('read'), false)).toBe(RESUMED);
    expect(p.matched).toBe('read#1');
  });

  it('pairs rt_sigreturn with its exit whatever number the signal frame restored', () => {
    const { p } = machine();
    p.enter(1, nr('rt_sigreturn'), 'sigreturn');
    expect(p.exit(1, 0xffff, true)).toBe(JOINED);
    expect(p.matched).toBe('sigreturn');
    p.enter(1, nr('rt_sigreturn'), 'again');
    p.interrupt();
    expect(p.exit(1, nr('nanosleep'), false)).toBe(RESUMED);
    expect(p.matched).toBe('again');
  });

  it("drops a new child's first return from clone, fork or vfork", () => {
    const { p } = machine();
    p.enter(1, nr('clone'), 'parent');
    expect(p.exit(2, nr('clone'), true)).toBe(DROPPED); // the child: no enter of its own
    expect(p.holding).toBe(true); // the parent's call is still held back
    expect(p.exit(1, nr('clone'), false)).toBe(JOINED);
    // An exit of 0 from clone whose enter is known is the parent's (pidfd, CLONE_PIDFD...).
    p.enter(3, nr('vfork'), 'v');
    p.interrupt();
    expect(p.exit(3, nr('vfork'), true)).toBe(RESUMED);
  });

  it('completes calls that never return at their enter', () => {
    const { p, unfinished } = machine();
    p.enter(1, nr('read'), 'read');
    expect(p.enter(1, nr('exit_group'), 'exit')).toBe(COMPLETE);
    expect(unfinished).toEqual(['read']);
    expect(p.holding).toBe(false);
  });

  it('forgets a call whose exit was lost when its thread enters the next one', () => {
    const { p } = machine();
    p.enter(1, nr('read'), 'read');
    p.interrupt(); // a lost marker
    p.enter(1, nr('write'), 'write');
    p.interrupt();
    expect(p.exit(1, nr('read'), false)).toBe(RESUMED);
    expect(p.matched).toBeUndefined(); // not the read: the thread moved on
  });

  it('resumes nothing from an exit of another call than the one in flight', () => {
    const { p } = machine();
    p.enter(1, nr('read'), 'read');
    p.interrupt();
    expect(p.exit(1, nr('write'), false)).toBe(RESUMED);
    expect(p.matched).toBeUndefined();
  });
});
