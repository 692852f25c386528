// The verifier budget (issue #10): every program loads at every corner of the settings, far from
// the verifier's limits, with a cost that does not depend on the settings. A change that eats the
// margin fails here on the day it is made. The same loads run inside Debian's 6.1 and 6.12
// kernels in `npm run test:kernels` (scripts/kernels/); this file checks the host's kernel and
// writes its table into bench/results.md.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CORNERS,
  loadCorner,
  markdown,
  MAX_INSNS,
  MAX_LOAD_MS,
  MAX_STACK,
  overBudget,
  stackAs61,
  writeResults,
  type CornerResult,
} from '../../scripts/verifier-budget.mjs';
import { Recorder } from '../../src/recorder.js';
import { requireRootAndBpf } from '../helpers/system.js';

describe('stackAs61', () => {
  it('rounds each frame up to 32 and counts the program, put_compound and the deepest callback', () => {
    expect(stackAs61([168, 40, 8, 32, 24, 8])).toBe(192 + 64 + 32);
    expect(stackAs61([168, 16])).toBe(192 + 32);
    // 6.12 refused the old programs with "combined stack size of 3 calls is 528" (240+192+96);
    // 6.1, rounding 240 up to 256, counts 544.
    expect(stackAs61([240, 192, 8, 96, 24, 8])).toBe(256 + 192 + 96);
  });
});

describe('the verifier budget on this kernel', () => {
  const results: CornerResult[] = [];

  afterAll(() => {
    if (results.length === CORNERS.length) {
      writeResults(
        markdown(results, 'npm test   # test/integration/verifier-budget.test.ts, as root'),
      );
    }
  });

  it.each(CORNERS)(
    'loads with --max-arg-bytes $maxArgBytes and --ring-pages $ringPages within budget',
    (corner) => {
      requireRootAndBpf();
      const r = loadCorner(corner);
      results.push(r);
      expect(r.error).toBeNull();
      expect(r.programs.map((p) => p.name).sort()).toEqual([
        'tl_cgroup_move',
        'tl_proc_exit',
        'tl_proc_signal',
        'tl_sys_enter',
        'tl_sys_exit',
      ]);
      for (const p of r.programs) {
        // tl_cgroup_move is one atomic add: a handful of instructions.
        expect(p.insns, `${p.name} processed instructions`).toBeGreaterThan(
          p.name === 'tl_cgroup_move' ? 2 : 100,
        );
        expect(p.insns, `${p.name} processed instructions`).toBeLessThanOrEqual(MAX_INSNS);
        expect(stackAs61(p.stack), `${p.name} stack ${p.stack.join('+')}`).toBeLessThanOrEqual(
          MAX_STACK,
        );
      }
      expect(r.leftOut).toBe('');
      expect(overBudget(r)).toEqual([]);
    },
  );

  it('costs the verifier the same at every corner (within 5%)', () => {
    expect(results).toHaveLength(CORNERS.length);
    for (const name of [
      'tl_sys_enter',
      'tl_sys_exit',
      'tl_cgroup_move',
      'tl_proc_exit',
      'tl_proc_signal',
    ]) {
      const counts = results.map((r) => r.programs.find((p) => p.name === name)?.insns ?? 0);
      expect(
        Math.max(...counts) / Math.min(...counts),
        `${name}: ${counts.join(', ')}`,
      ).toBeLessThanOrEqual(1.05);
    }
  });

  it(`loads within ${MAX_LOAD_MS} ms (the median over the corners: one load is noisy on a shared host)`, () => {
    const ms = results.map((r) => r.loadMs).sort((a, b) => a - b);
    expect(ms[Math.floor(ms.length / 2)]).toBeLessThanOrEqual(MAX_LOAD_MS);
  });
});

describe('a kernel that refuses a capture family', () => {
  const refuse = (families: string, fn: () => void): void => {
    process.env.TRACELOOP_TEST_REFUSE = families;
    try {
      fn();
    } finally {
      delete process.env.TRACELOOP_TEST_REFUSE;
    }
  };

  it('loads the core and every family it takes, and says which it left out', () => {
    requireRootAndBpf();
    refuse('iovec,fdsets', () => {
      const recorder = Recorder.open();
      try {
        const r = recorder.loadReport();
        expect(r.leftOutNames).toBe('iovec, select fd sets');
        expect(r.leftOutWhy).toMatch(/refused for the test/);
        // full, core, then each of the seven families on top of what loaded
        expect(r.attempts).toBe(9);
        expect(r.families & r.leftOut).toBe(0);
        expect(r.programs.every((p) => p.insns > 0)).toBe(true);
      } finally {
        recorder.close();
      }
    });
  });

  it('when even the core is refused, says which program and what to do, in one line', () => {
    requireRootAndBpf();
    refuse('core', () => {
      expect(() => Recorder.open()).toThrow(
        /^the kernel's BPF verifier refused tl_sys_(enter|exit): refused for the test .*TRACELOOP_DEBUG=1/,
      );
    });
  });
});

describe('the oldest kernel supported', () => {
  const CLI = path.resolve('dist/cli.js');
  // setarch --uname-2.6 makes uname(2) report a 2.6 release: a kernel far older than 6.1.
  const onOldKernel = (env: NodeJS.ProcessEnv) =>
    spawnSync(
      'setarch',
      ['x86_64', '--uname-2.6', process.execPath, CLI, 'run', '-o', '/dev/null', '--', 'true'],
      {
        encoding: 'utf8',
        env: { ...process.env, ...env },
      },
    );

  it('is checked at start-up, with one line that names it and how to try anyway', () => {
    requireRootAndBpf();
    const r = onOldKernel({});
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(
      /^traceloop: this kernel is 2\.6\.\S+; traceloop supports Linux 6\.1 and newer .*TRACELOOP_ANY_KERNEL=1/,
    );
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('TRACELOOP_ANY_KERNEL=1 tries anyway', () => {
    requireRootAndBpf();
    const r = onOldKernel({ TRACELOOP_ANY_KERNEL: '1' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
