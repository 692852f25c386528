// src/wire.ts LAYOUT against the offsets and sizes the addon computes from bpf/traceloop.h itself
// (offsetof/sizeof in native/addon.cc): a layout change that reaches only one side fails here.
import { describe, expect, it } from 'vitest';
import { loadNative } from '../src/native.js';
import * as wire from '../src/wire.js';
import {
  LAYOUT,
  TL_CTRL_FIXED_BYTES,
  TL_MAX_ARGS,
  TL_MAX_PARAMS,
  TL_COMM_LEN,
  enterBytes,
} from '../src/wire.js';
import { ENTER_MAX, EXIT_BYTES, PARAM_HEAD } from './helpers/ring-writer.js';

const addon = loadNative().layout();
const mirror: Readonly<Record<string, number>> = LAYOUT;

/**
 * LAYOUT keys the addon has no counterpart for: nested headers and reserved members. Listed so
 * that a new LAYOUT key the addon does not report is a decision, not an accident; they are
 * checked below against the reported members around them.
 */
const MIRROR_ONLY = [
  'tl_event.h',
  'tl_enter.ev',
  'tl_enter.reserved',
  'tl_exit.ev',
  'tl_ring_enter.ev',
  'tl_comm_slot.reserved',
  'tl_exit.reserved',
  'tl_param.h',
  'tl_lost.h',
  'tl_lost.reserved',
  'tl_capture.reserved',
  'tl_rule.reserved',
  'tl_rule.reserved2',
  'tl_iov_part.reserved',
  'tl_msg_part.reserved',
  'tl_fdsets_part.reserved',
  'tl_dirents_part.reserved',
];

/** Flexible array members: at sizeof(struct), not inside it. */
const FLEXIBLE = ['tl_ring_ctrl.page_start'];

const structOf = (key: string): string =>
  key.startsWith('sizeof(struct ') ? key.slice('sizeof(struct '.length, -1) : key.split('.')[0]!;

describe('wire layout: src/wire.ts against bpf/traceloop.h (through the addon)', () => {
  it('gets offsets and sizes from the addon', () => {
    expect(Object.keys(addon).length).toBeGreaterThanOrEqual(40);
    for (const [key, value] of Object.entries(addon)) {
      expect(key).toMatch(/^(sizeof\(struct tl_\w+\)|tl_\w+\.\w+)$/);
      expect(Number.isInteger(value) && value >= 0, `${key} = ${value}`).toBe(true);
    }
  });

  it.each(Object.keys(addon))('LAYOUT has %s with the header value', (key) => {
    expect(Object.hasOwn(mirror, key), `LAYOUT lacks ${key}`).toBe(true);
    expect(mirror[key], key).toBe(addon[key]);
  });

  it('agrees on every LAYOUT key the addon reports, and knows which it does not', () => {
    const unreported: string[] = [];
    for (const [key, value] of Object.entries(mirror)) {
      if (Object.hasOwn(addon, key)) expect(value, key).toBe(addon[key]);
      else unreported.push(key);
    }
    expect(unreported.sort()).toEqual([...MIRROR_ONLY].sort());
  });

  it('describes the same structs on both sides', () => {
    const structs = (keys: string[]): string[] => [...new Set(keys.map(structOf))].sort();
    expect(structs(Object.keys(mirror))).toEqual(structs(Object.keys(addon)));
    for (const s of structs(Object.keys(addon))) {
      expect(Object.hasOwn(addon, `sizeof(struct ${s})`), `sizeof(struct ${s})`).toBe(true);
    }
  });

  // Members only LAYOUT knows must still fit between the ones the header vouches for.
  it.each([...new Set(Object.keys(mirror).map(structOf))])(
    'lays out struct %s in order, every member inside it',
    (s) => {
      const size = mirror[`sizeof(struct ${s})`]!;
      const members = Object.entries(mirror)
        .filter(([k]) => k.startsWith(`${s}.`))
        .sort(([, a], [, b]) => a - b);
      expect(members.length).toBeGreaterThan(0);
      expect(members[0]![1], `the first member of ${s}`).toBe(0);
      for (let i = 0; i < members.length; i++) {
        const [key, off] = members[i]!;
        if (i + 1 < members.length) {
          expect(off, `${key} before ${members[i + 1]![0]}`).toBeLessThan(members[i + 1]![1]);
        } else if (FLEXIBLE.includes(key)) {
          expect(off, `${key} (flexible) at the end of ${s}`).toBe(size);
        } else {
          expect(off, `${key} inside ${s}`).toBeLessThan(size);
        }
      }
    },
  );

  it('nests tl_hdr and tl_event where their sizes say', () => {
    const hdr = addon['sizeof(struct tl_hdr)']!;
    const ev = addon['sizeof(struct tl_event)']!;
    expect([mirror['tl_event.h'], mirror['tl_param.h'], mirror['tl_lost.h']]).toEqual([0, 0, 0]);
    expect([mirror['tl_enter.ev'], mirror['tl_exit.ev']]).toEqual([0, 0]);
    expect(addon['tl_event.seq']).toBe(hdr);
    expect(addon['tl_param.arg']).toBe(hdr);
    expect(addon['tl_lost.cpu']).toBe(hdr);
    expect(addon['tl_enter.pid']).toBe(ev);
    expect(addon['tl_exit.ret']).toBe(ev);
  });

  it('keeps the derived constants in step with the header', () => {
    expect(TL_CTRL_FIXED_BYTES).toBe(addon['sizeof(struct tl_ring_ctrl)']);
    expect(TL_CTRL_FIXED_BYTES).toBe(addon['tl_ring_ctrl.page_start']);
    expect(enterBytes(TL_MAX_ARGS)).toBe(addon['sizeof(struct tl_enter)']);
    expect(addon['tl_enter.args']! + 8 * TL_MAX_ARGS).toBe(addon['sizeof(struct tl_enter)']);
    expect(addon['tl_enter.args']! - addon['tl_enter.comm']!).toBe(TL_COMM_LEN);
    expect(addon['sizeof(struct tl_rule)']).toBe(
      addon['tl_rule.cap']! + TL_MAX_PARAMS * addon['sizeof(struct tl_capture)']!,
    );
  });

  it('matches the sizes the test ring writer (test/helpers/ring-writer.ts) restates', () => {
    expect(ENTER_MAX).toBe(addon['sizeof(struct tl_enter)']);
    expect(EXIT_BYTES).toBe(addon['sizeof(struct tl_exit)']);
    expect(PARAM_HEAD).toBe(addon['sizeof(struct tl_param)']);
  });
});

describe('the constants of bpf/traceloop.h', () => {
  const header = loadNative().constants();
  const mirrored: Readonly<Record<string, unknown>> = wire;
  /** Header constants TypeScript has no use for: kernel-side limits and the cgroup pre-filter. */
  const NATIVE_ONLY = ['TL_FILTER_BITS', 'TL_PATH_MAX'];

  it('has every value the same in src/wire.ts', () => {
    const differ = Object.entries(header)
      .filter(([name]) => !NATIVE_ONLY.includes(name))
      .filter(([name, value]) => mirrored[name] !== value)
      .map(([name, value]) => `${name}: header ${value}, wire.ts ${String(mirrored[name])}`);
    expect(differ).toEqual([]);
  });

  it('is reported whole by the addon (a new constant is a decision for both sides)', () => {
    expect(Object.keys(header).length).toBeGreaterThan(55);
    const tsOnly = Object.keys(wire).filter(
      (k) => /^TL_[A-Z0-9_]+$/.test(k) && typeof mirrored[k] === 'number' && !(k in header),
    );
    expect(tsOnly).toEqual([]);
  });
});

describe('the capture kind sets the programs test with bit masks (TL_KINDS_* in bpf/traceloop.h)', () => {
  const kinds = loadNative().kindSets();

  it('compound: every kind of a family but TL_CAP_KEYED, and nothing else', () => {
    const differ = kinds
      .filter((k) => k.compound !== (k.family !== 0 && k.family !== wire.TL_FAM_KEYED))
      .map((k) => `kind ${k.kind}: compound ${k.compound}, family ${k.family}`);
    expect(differ).toEqual([]);
    expect(kinds.filter((k) => k.compound).length).toBe(10);
  });

  it('without a pointer: the fd sets of select (either end) and the new fds, only', () => {
    expect(kinds.filter((k) => k.withoutPointer).map((k) => k.kind)).toEqual([
      wire.TL_CAP_FDSETS,
      wire.TL_CAP_FDSETS_EXIT,
      wire.TL_CAP_NEW_FDS,
    ]);
  });
});
