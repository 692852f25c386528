// What the kernel side is told, pinned byte for byte: the `rules` map (one struct tl_rule per
// syscall number) and the keyed_rules entries (ioctl/prctl/fcntl captures by selector). A change
// that reorganises where the capture tables live must leave both exactly as they were; a change
// meant to capture something new updates these digests in the same commit, saying why.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildKeyedRules, buildRules, keyedRules } from '../src/syscalls/rules.js';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('encoded rules', () => {
  it('rules map: unchanged', () => {
    const b = buildRules();
    expect(b.length).toBe(16384);
    // Issue #15: socket, accept, accept4, socketpair, pipe and pipe2 record the inodes of the
    // fds they make (TL_CAP_NEW_FDS); accept's addrlen, in and out, takes one slot (INOUT).
    expect(sha256(b)).toBe('5dd10b009fbdea12464e46f89e7d5daaaf9f35aa31eab820a01de9665345b673');
  });

  it('keyed_rules: unchanged', () => {
    const b = buildKeyedRules();
    expect(keyedRules()).toHaveLength(94);
    expect(b.length).toBe(1504);
    expect(sha256(b)).toBe('77a179257472734c0ad0e4ff77ebc1a1c975b2f83b5fa30a20e7a4814f29756f');
  });
});
