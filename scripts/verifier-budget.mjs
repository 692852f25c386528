#!/usr/bin/env node
// The verifier budget (issue #10): loads the BPF programs at the corners of
// the settings (--max-arg-bytes x --ring-pages), reads what the verifier says
// of each program (processed instructions, stack per function, time), and
// checks it against the budget below. Run on the host by
// test/integration/verifier-budget.test.ts and inside every kernel of the
// matrix by scripts/kernels/ (as `node scripts/verifier-budget.mjs --json`).
//
// Usage: node scripts/verifier-budget.mjs [--json | --write-results] [--corners A:P,A:P...]
//   --json            one JSON object per corner per line (the kernel matrix parses it)
//   --write-results   the table into its section of bench/results.md
// Exits 1 if a corner fails to load or is over budget.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Recorder } from '../dist/recorder.js';

const RESULTS = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'bench',
  'results.md',
);
const BEGIN = '<!-- verifier-budget: begin (scripts/verifier-budget.mjs --write-results) -->';
const END = '<!-- verifier-budget: end -->';

/** A fifth of the verifier's 1,000,000-instruction limit, per program. */
export const MAX_INSNS = 200_000;
/** The whole call chain's stack, each frame rounded up to 32 bytes as 6.1 counts it; the limit is 512. */
export const MAX_STACK = 384;
/** The whole load (open to loaded, every attempt) on the host, ms: the median over the corners is held to it. */
export const MAX_LOAD_MS = 300;

export const CORNERS = [];
for (const maxArgBytes of [16, 64, 256, 4096])
  for (const ringPages of [1, 64, 4096]) CORNERS.push({ maxArgBytes, ringPages });

/**
 * The call chain's stack as 6.1 counts it (each frame rounded up to 32; the limit is 512): the
 * program, put_compound (the global function it calls) and the deepest bpf_loop callback, which
 * the verifier lists in that order ("stack depth 168+40+8+32+24+8").
 */
export function stackAs61(stack) {
  const frame = (s) => Math.ceil(Math.max(s, 1) / 32) * 32;
  const [main = 0, compound = 0, ...callbacks] = stack;
  return (
    frame(main) + (stack.length > 1 ? frame(compound) : 0) + Math.max(0, ...callbacks.map(frame))
  );
}

export function loadCorner({ maxArgBytes, ringPages }) {
  const out = {
    maxArgBytes,
    ringPages,
    ok: false,
    loadMs: 0,
    programs: [],
    leftOut: '',
    error: null,
  };
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
    if (p.stack61 > MAX_STACK)
      why.push(`${p.name}: stack ${p.stack.join('+')} (${p.stack61} as 6.1 counts) > ${MAX_STACK}`);
  }
  if (checkTime && corner.loadMs > MAX_LOAD_MS)
    why.push(`load took ${corner.loadMs} ms > ${MAX_LOAD_MS}`);
  return why;
}

const n = (v) => v.toLocaleString('en-US');

/** The corners as a markdown section for bench/results.md. */
export function markdown(corners, command) {
  const names = [...new Set(corners.flatMap((c) => c.programs.map((p) => p.name)))];
  const lines = [
    '## Verifier budget',
    '',
    '```sh',
    command,
    '```',
    '',
    `Kernel ${os.release()}, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC. What the kernel's verifier says of`,
    'each program (log level 4: processed instructions, the program with every function it calls; stack',
    `per function). Budget per program: ${n(MAX_INSNS)} instructions (a fifth of the limit), ${MAX_STACK} bytes of stack`,
    'counted as 6.1 counts it (each frame rounded up to 32; summed over every function, an upper bound',
    `of the deepest chain), and the load within ${MAX_LOAD_MS} ms on this host. The other kernels: docs/kernels.md.`,
    '',
    `| --max-arg-bytes | --ring-pages | ${names.map((p) => `${p} insns | stack`).join(' | ')} | load ms | |`,
    `|---:|---:|${names.map(() => '---:|---|').join('')}---:|---|`,
  ];
  for (const c of corners) {
    const cells = names.map((name) => {
      const p = c.programs.find((q) => q.name === name);
      return p ? `${n(p.insns)} | ${p.stack.join('+')} (${p.stack61})` : '– | –';
    });
    const why = overBudget(c, { checkTime: true });
    lines.push(
      `| ${c.maxArgBytes} | ${c.ringPages} | ${cells.join(' | ')} | ${c.ok ? c.loadMs : '–'} | ${why.length ? `**${why.join('; ')}**` : 'within budget'} |`,
    );
  }
  return lines.join('\n') + '\n';
}

/** Replaces (or appends) the verifier section of bench/results.md. */
export function writeResults(section) {
  const old = fs.existsSync(RESULTS) ? fs.readFileSync(RESULTS, 'utf8') : '';
  const block = `${BEGIN}\n${section}${END}\n`;
  const at = old.indexOf(BEGIN);
  const end = old.indexOf(END);
  const next =
    at >= 0 && end > at
      ? old.slice(0, at) + block + old.slice(end + END.length + 1)
      : `${old.trimEnd()}\n\n${block}`;
  fs.writeFileSync(RESULTS, next);
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
  const results = [];
  for (const c of corners) {
    const r = loadCorner(c);
    results.push(r);
    const why = overBudget(r);
    if (why.length) failed++;
    if (json) {
      console.log(JSON.stringify({ ...r, kernel: os.release(), overBudget: why }));
    } else {
      const progs = r.programs
        .map((p) => `${p.name} ${p.insns} insns, stack ${p.stack.join('+')}, ${p.verifyUs} us`)
        .join('; ');
      console.log(
        `${String(c.maxArgBytes).padStart(4)} B x ${String(c.ringPages).padStart(4)} pages: ${r.ok ? `${r.loadMs} ms; ${progs}` : r.error}${why.length ? `  OVER: ${why.join('; ')}` : ''}`,
      );
    }
  }
  if (args.includes('--write-results')) {
    writeResults(markdown(results, `node scripts/verifier-budget.mjs --write-results   # as root`));
  }
  process.exitCode = failed ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
