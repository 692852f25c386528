#!/usr/bin/env node
// The kernel matrix's results (scripts/kernels/run.sh calls this): reads each
// guest's console log for its TLRESULT lines (scripts/kernels/guest-init.sh),
// prints a table per kernel, optionally writes docs/kernels.md, and exits 1
// with one line per failure (kernel, test, log) if any guest did not finish,
// any corner did not load or was over budget, or a recording was wrong.
//
// Usage: node scripts/kernels/report.mjs --runs RUNS.tsv --host HOST.jsonl
//          --host-rc N --host-release R [--revision REV] [--boots-ms MS]
//          [--parallel 0|1] [--docs docs/kernels.md]
// RUNS.tsv: NAME<TAB>PACKAGE=VERSION<TAB>LOG<TAB>QEMU-EXIT<TAB>MS, one kernel a line.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BEGIN = '<!-- kernel-matrix: begin (npm run test:kernels writes this section) -->';
const END = '<!-- kernel-matrix: end -->';

function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined)
      throw new Error(`bad argument ${argv[i]}`);
    opts[argv[i].slice(2)] = argv[i + 1];
  }
  for (const need of ['runs', 'host', 'host-rc', 'host-release'])
    if (opts[need] === undefined) throw new Error(`--${need} is required`);
  return opts;
}

const rel = (p) => path.relative(process.cwd(), p) || p;
const n = (v) => v.toLocaleString('en-US');
const oneLine = (s, max = 240) => {
  const t = String(s ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  return t.length > max ? `${t.slice(0, max - 3)}...` : t;
};
const cornerName = (c) => `${c.maxArgBytes} x ${c.ringPages}`;

/** What a corner's result says is wrong, [] if nothing. */
function cornerProblems(c) {
  if (!c.ok) return [`refused: ${oneLine(c.error)}`];
  return (c.overBudget ?? []).map((w) => `over budget: ${oneLine(w)}`);
}

/** A guest's results, from its console log. */
function readGuest({ name, pkg, log, qemuExit, ms }) {
  const g = { name, pkg, log, qemuExit, ms, corners: [], problems: [], done: false };
  const text = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    // Not anchored: the firmware's escape sequences can precede the first line.
    const at = line.indexOf('TLRESULT ');
    if (at >= 0) {
      let r;
      try {
        r = JSON.parse(line.slice(at + 'TLRESULT '.length));
      } catch {
        g.problems.push(`result line ${i + 1} is not JSON (a kernel message in the middle?)`);
        return;
      }
      if (r.test === 'kernel') g.kernel = r;
      else if (r.test === 'load') g.corners.push(r);
      else if (r.test === 'load-exit') g.loadExit = r;
      else if (r.test === 'smoke') g.smoke = r;
      else if (r.test === 'smoke-4096') g.smoke4096 = r;
      else if (r.test === 'ia32') g.ia32 = r;
    } else if (/(^|[^A-Za-z])TLDONE\s*$/.test(line)) {
      g.done = true;
    }
  });
  g.release = g.kernel?.release ?? '?';

  if (!g.done) {
    // The guest's last words, not qemu's own ("terminating on signal 15").
    const last =
      lines.filter((l) => l.trim() && !l.startsWith('qemu-system-')).at(-1) ?? '(nothing)';
    const how =
      qemuExit === 124 ? `timed out after ${(ms / 1000).toFixed(0)} s` : `qemu exit ${qemuExit}`;
    g.problems.push(
      `the guest did not reach TLDONE (${how}; last console line: ${oneLine(last, 160)})`,
    );
  }
  for (const c of g.corners)
    for (const p of cornerProblems(c)) g.problems.push(`load ${cornerName(c)}: ${p}`);
  if (g.done && g.corners.length === 0)
    g.problems.push(
      `load: no corner reported a result (verifier-budget.mjs exited ${g.loadExit?.code ?? '?'}; its stderr is in the log)`,
    );
  const cornerFailed = g.corners.some((c) => cornerProblems(c).length > 0);
  if (g.loadExit && g.loadExit.code !== 0 && !cornerFailed)
    g.problems.push(`load: verifier-budget.mjs exited ${g.loadExit.code}`);
  for (const [test, r] of [
    ['smoke', g.smoke],
    ['smoke --max-arg-bytes 4096', g.smoke4096],
    ['ia32 (int 0x80)', g.ia32],
  ]) {
    if (r && !r.ok) g.problems.push(`${test}: ${oneLine(r.why)}`);
    else if (!r && g.done) g.problems.push(`${test}: no result`);
  }
  return g;
}

/** The host's corners (verifier-budget.mjs --json run directly). */
function readHost(file, rc, release) {
  const h = { name: 'host', release, corners: [], problems: [], log: file };
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      h.corners.push(JSON.parse(line));
    } catch {
      h.problems.push(`unparseable line: ${oneLine(line, 80)}`);
    }
  }
  for (const c of h.corners)
    for (const p of cornerProblems(c)) h.problems.push(`load ${cornerName(c)}: ${p}`);
  if (h.corners.length === 0) {
    const err = file.replace(/\.jsonl$/, '.err');
    const why = fs.existsSync(err) ? fs.readFileSync(err, 'utf8').trim().split('\n').at(-1) : '';
    h.problems.push(
      `load: no corner reported a result (exit ${rc}${why ? `: ${oneLine(why)}` : ''})`,
    );
  } else if (rc !== 0 && h.problems.length === 0) {
    h.problems.push(`load: verifier-budget.mjs exited ${rc}`);
  }
  return h;
}

const programNames = (all) => [
  ...new Set(all.flatMap((k) => k.corners.flatMap((c) => c.programs.map((p) => p.name)))),
];
const stackText = (p) => `${p.stack.join('+')} (${p.stack61})`;
const smokeText = (r) =>
  !r ? '–' : r.ok ? `ok, ${r.seconds} s` : `FAILED: ${oneLine(r.why, 120)}`;
/** Text for a markdown table cell: a pipe would end the cell. */
const cell = (s) => String(s).replace(/\|/g, '\\|');

/** A kernel's results as plain text for the terminal. */
function printKernel(k, names) {
  const head = k.name === 'host' ? `host ${k.release}` : `${k.name} ${k.release} (${k.pkg})`;
  const timing =
    k.name === 'host'
      ? ''
      : `: /init at ${k.kernel?.bootSeconds ?? '?'} s, ${(k.ms / 1000).toFixed(1)} s in all`;
  console.log(`\n${head}${timing}`);
  const rows = [['corner', 'loads', ...names.flatMap((p) => [`${p} insns`, 'stack']), 'load ms']];
  for (const c of k.corners) {
    const why = cornerProblems(c);
    rows.push([
      cornerName(c),
      !c.ok ? 'REFUSED' : why.length ? 'OVER' : 'ok',
      ...names.flatMap((name) => {
        const p = c.programs.find((q) => q.name === name);
        return p ? [n(p.insns), stackText(p)] : ['–', '–'];
      }),
      c.ok ? String(c.loadMs) : '–',
    ]);
  }
  if (k.corners.length === 0) rows.push(['(no corner reported a result)']);
  const width = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const r of rows) console.log(`  ${r.map((text, i) => text.padEnd(width[i])).join('  ')}`);
  if (k.name !== 'host') {
    console.log(`  smoke (run -o, sh -c echo): ${smokeText(k.smoke)}`);
    console.log(`  smoke (run --max-arg-bytes 4096 /bin/true): ${smokeText(k.smoke4096)}`);
    console.log(`  ia32 (run -o, int80: int 0x80 calls): ${smokeText(k.ia32)}`);
  }
  for (const p of k.problems) console.log(`  FAILED: ${p}`);
}

/** The results as the section of docs/kernels.md. */
function markdown(kernels, host, names, opts) {
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const all = [...kernels, host];
  const lines = [
    '## Results',
    '',
    `Written by \`npm run test:kernels\` on ${when} UTC, traceloop ${opts.revision ?? 'unknown'}.`,
    'The host row comes from `node scripts/verifier-budget.mjs --json` run directly on the machine',
    'that ran the matrix; the others from the same script inside each kernel, booted in qemu (TCG',
    'emulation: load times are about 10x what the same kernel takes on hardware).',
    '',
    '### Loading, at each corner of the settings',
    '',
    '"insns": instructions the verifier processed for the program with every function it calls;',
    '"stack": bytes per function (the program, `put_compound`, the `bpf_loop` callbacks) and, in',
    'parentheses, the whole chain as 6.1 counts it (each frame rounded up to 32 bytes; the limit is 512).',
    '',
    `| kernel | --max-arg-bytes | --ring-pages | loads | ${names.map((p) => `${p} insns | ${p} stack`).join(' | ')} | load ms |`,
    `|---|---:|---:|---|${names.map(() => '---:|---|').join('')}---:|`,
  ];
  for (const k of all) {
    const label = k.name === 'host' ? `host: ${k.release}` : `${k.name}: ${k.release}`;
    if (k.corners.length === 0) {
      lines.push(
        `| ${label} | – | – | **no result** | ${names.map(() => '– | –').join(' | ')} | – |`,
      );
      continue;
    }
    for (const c of k.corners) {
      const why = cornerProblems(c);
      const loads = why.length ? `**${cell(why.join('; '))}**` : 'yes';
      const cells = names.map((name) => {
        const p = c.programs.find((q) => q.name === name);
        return p ? `${n(p.insns)} | ${stackText(p)}` : '– | –';
      });
      lines.push(
        `| ${label} | ${c.maxArgBytes} | ${c.ringPages} | ${loads} | ${cells.join(' | ')} | ${c.ok ? c.loadMs : '–'} |`,
      );
    }
  }
  lines.push(
    '',
    '### Recording',
    '',
    '"smoke": `traceloop run -o FILE -- /bin/sh -c \'echo traceloop-smoke > FILE\'`, the dump checked for',
    'the execve, the write, the exit and the accounting line (recorded = shown + lost on every CPU);',
    '"4096": `traceloop run --max-arg-bytes 4096 -- /bin/true`; "ia32": `traceloop run -o FILE --',
    'int80` (test/integration/corpus/int80.c), the dump checked for its `int $0x80` getpid as `[ia32]',
    'syscall_20(0x11, 0x22, 0x33, ...) = PID`, its x86_64 getpid, no x86_64 decoding of the ia32 calls and',
    'the accounting line (the host of `npm test` may lack ia32 emulation). On the host, `npm test`',
    'records with the CLI too.',
    '',
    '| kernel | package | boot to /init | smoke | 4096 | ia32 | whole guest |',
    '|---|---|---:|---|---|---|---:|',
  );
  for (const k of kernels) {
    lines.push(
      `| ${k.name}: ${k.release} | ${k.pkg} | ${k.kernel ? `${k.kernel.bootSeconds} s` : '–'} | ${cell(smokeText(k.smoke))} | ${cell(smokeText(k.smoke4096))} | ${cell(smokeText(k.ia32))} | ${(k.ms / 1000).toFixed(1)} s |`,
    );
  }
  if (opts['boots-ms'])
    lines.push(
      '',
      `The guests ran ${opts.parallel === '1' ? 'together' : 'one after another'}: ${(Number(opts['boots-ms']) / 1000).toFixed(1)} s for all of them.`,
    );
  return lines.join('\n') + '\n';
}

const INTRO = `# Kernels

Which kernels traceloop's BPF programs load on, and what each kernel's verifier says of them.
\`npm run test:kernels\` (scripts/kernels/run.sh; CI runs it after \`npm test\`) fetches Debian's
kernels from Debian's archive (scripts/kernels/fetch.sh: the newest 6.1 of Debian 12 and 6.12 of
Debian 13, cloud flavour), boots each in qemu with an initramfs holding this build, node and busybox
(scripts/kernels/initramfs.sh, scripts/kernels/guest-init.sh), and fails if a corner of the
settings does not load or is over the verifier budget (scripts/verifier-budget.mjs), or if a real
recording inside the guest is wrong. The console logs are kept in vendor/kernels/logs/.

`;

function writeDocs(file, section) {
  const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : INTRO;
  const block = `${BEGIN}\n\n${section}\n${END}\n`;
  const at = old.indexOf(BEGIN);
  const end = old.indexOf(END);
  const next =
    at >= 0 && end > at
      ? old.slice(0, at) + block + old.slice(end + END.length + 1)
      : `${old.trimEnd()}\n\n${block}`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, next);
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const kernels = fs
    .readFileSync(opts.runs, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name, pkg, log, qemuExit, ms] = line.split('\t');
      return readGuest({ name, pkg, log, qemuExit: Number(qemuExit), ms: Number(ms) });
    });
  const host = readHost(opts.host, Number(opts['host-rc']), opts['host-release']);
  const names = programNames([...kernels, host]);

  for (const k of kernels) printKernel(k, names);
  printKernel(host, names);
  console.log('');

  if (opts.docs) {
    writeDocs(path.resolve(ROOT, opts.docs), markdown(kernels, host, names, opts));
    console.log(`kernels: wrote ${opts.docs}`);
  }

  const failures = [...kernels, host].flatMap((k) =>
    k.problems.map(
      (p) =>
        `kernels: FAILED: ${k.name === 'host' ? `host ${k.release}` : `${k.name} (${k.release})`}: ${p} (log: ${rel(k.log)})`,
    ),
  );
  for (const f of failures) console.error(f);
  if (failures.length === 0)
    console.log(
      `kernels: ok: ${[...kernels.map((k) => `${k.name} (${k.release})`), `host (${host.release})`].join(', ')}`,
    );
  process.exitCode = failures.length ? 1 : 0;
}

main();
