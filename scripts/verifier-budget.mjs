#!/usr/bin/env node
// The verifier budget (issue #10): loads the BPF programs at the corners of
// the settings (--max-arg-bytes x --ring-pages), reads what the verifier says
// of each program (processed instructions, stack per function, time), and
// checks it against the budget below. Run on the host by
// test/integration/verifier-budget.test.ts and inside every kernel of the
// matrix by scripts/kernels/ (as `node scripts/verifier-budget.mjs --json`).
//
// Usage: node scripts/verifier-budget.mjs [--json] [--corners A:P,A:P...]
//   --json   one JSON object per corner per line (the kernel matrix parses it)
// Exits 1 if a corner fails to load or is over budget.
import os from 'node:os';
import { Recorder } from '../dist/recorder.js';

/** A fifth of the verifier's 1,000,000-instruction limit, per program. */
export const MAX_INSNS = 200_000;
/** The whole call chain's stack, each frame rounded up to 32 bytes as 6.1 counts it; the limit is 512. */
export const MAX_STACK = 384;
/** Every program's verification time, summed, on the host: the load must stay quick. */
export const MAX_LOAD_MS = 300;

export const CORNERS = [];
for (const maxArgBytes of [16, 64, 256, 4096])
  for (const ringPages of [1, 64, 4096]) CORNERS.push({ maxArgBytes, ringPages });

/** The deepest chain counted as 6.1 counts it: the program's frame plus every callee's, each rounded up to 32. */
export function stackAs61(stack) {
  return stack.reduce((sum, s) => sum + Math.ceil(s / 32) * 32, 0);
}

export function loadCorner({ maxArgBytes, ringPages }) {
  const out = { maxArgBytes, ringPages, ok: false, loadMs: 0, programs: [], leftOut: '', error: null };
  let recorder;
  try {
    recorder = Recorder.open({ maxArgBytes, ringPages });
    const r = recorder.loadReport();
    out.loadMs = Math.round(r.loadMs);
    out.programs = r.programs.map((p) => ({
      name: p.name,
      insns: p.insns,
      stack: p.stack,
      stack61: stackAs61(p.stack),
      verifyUs: p.verifyUs,
    }));
    out.leftOut = r.leftOutNames;
    out.ok = true;
  } catch (err) {
    out.error = err.message;
  } finally {
    recorder?.close();
  }
  return out;
}

/** Why a loaded corner is over budget, or [] (host: with the load time). */
export function overBudget(corner, { checkTime = false } = {}) {
  const why = [];
  if (!corner.ok) return [`does not load: ${corner.error}`];
  if (corner.leftOut) why.push(`left out: ${corner.leftOut}`);
  for (const p of corner.programs) {
    if (!(p.insns > 0)) why.push(`${p.name}: the verifier reported no instruction count`);
    if (p.insns > MAX_INSNS) why.push(`${p.name}: ${p.insns} instructions > ${MAX_INSNS}`);
    if (p.stack61 > MAX_STACK) why.push(`${p.name}: stack ${p.stack.join('+')} (${p.stack61} as 6.1 counts) > ${MAX_STACK}`);
  }
  if (checkTime && corner.loadMs > MAX_LOAD_MS) why.push(`load took ${corner.loadMs} ms > ${MAX_LOAD_MS}`);
  return why;
}

function parseCorners(text) {
  return text.split(',').map((c) => {
    const [a, p] = c.split(':').map(Number);
    return { maxArgBytes: a, ringPages: p };
  });
}

async function main() {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const at = args.indexOf('--corners');
  const corners = at >= 0 ? parseCorners(args[at + 1] ?? '') : CORNERS;
  let failed = 0;
  for (const c of corners) {
    const r = loadCorner(c);
    const why = overBudget(r);
    if (why.length) failed++;
    if (json) {
      console.log(JSON.stringify({ ...r, kernel: os.release(), overBudget: why }));
    } else {
      const progs = r.programs.map((p) => `${p.name} ${p.insns} insns, stack ${p.stack.join('+')}, ${p.verifyUs} us`).join('; ');
      console.log(`${String(c.maxArgBytes).padStart(4)} B x ${String(c.ringPages).padStart(4)} pages: ${r.ok ? `${r.loadMs} ms; ${progs}` : r.error}${why.length ? `  OVER: ${why.join('; ')}` : ''}`);
    }
  }
  process.exitCode = failed ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
