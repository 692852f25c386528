#!/usr/bin/env node
// Generates src/syscalls/generated/<arch>.ts: one row per syscall number, with the argument
// names and C types the kernel itself declares.
//
//   node scripts/gen-syscalls.mjs [--arch x86_64] [--allow-missing-tracefs]
//
// Sources, both from the machine it runs on:
// - numbers and names: the uapi header (asm/unistd_64.h). These are the numbers userspace
//   uses, so they are the table's backbone; nothing is invented here.
// - arguments: tracefs format files, events/syscalls/sys_enter_<name>/format, whose fields
//   after the common ones are the SYSCALL_DEFINE parameters with their C types. Syscalls the
//   running kernel lacks (not built, or removed long ago) have no format file; they keep
//   `args: null`, meaning "signature unknown", which callers print generically.
//
// tracefs is not mounted by default. As root: mount -t tracefs tracefs /sys/kernel/tracing
//
// The output is formatted with the project's prettier config, so regenerating a committed
// file on an unchanged machine produces no diff.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Per-architecture inputs. `renames` maps a tracefs event name to the name userspace (and
 * strace) knows: the kernel's SYSCALL_DEFINE name differs from the __NR_ name where an old
 * ABI was replaced under the same number.
 */
export const ARCHES = {
  x86_64: {
    unistd: '/usr/include/x86_64-linux-gnu/asm/unistd_64.h',
    renames: {
      newstat: 'stat',
      newlstat: 'lstat',
      newfstat: 'fstat',
      newuname: 'uname',
      sendfile64: 'sendfile',
      umount: 'umount2',
    },
  },
};

const TRACEFS_ROOTS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];

/** `#define __NR_name 123` lines → [{ nr, name }] in number order. */
export function parseUnistd(text) {
  const rows = [];
  for (const m of text.matchAll(/^#define\s+__NR_(\w+)\s+(\d+)\s*$/gm)) {
    rows.push({ nr: Number(m[2]), name: m[1] });
  }
  rows.sort((a, b) => a.nr - b.nr);
  return rows;
}

/**
 * The SYSCALL_DEFINE parameters of one tracefs format file, in order. Fields at offsets
 * below 16 are the common header and __syscall_nr; every parameter is 8 bytes after that.
 */
export function parseFormat(text) {
  const args = [];
  for (const m of text.matchAll(/^\s*field:([^;]+);\s*offset:(\d+);/gm)) {
    const decl = m[1].trim();
    if (Number(m[2]) < 16 || decl.endsWith('__syscall_nr')) continue;
    // "const char * filename" → type "const char *", name "filename".
    const nm = /^(.*?)\s*\b(\w+)$/.exec(decl);
    if (!nm) throw new Error(`cannot parse tracefs field '${decl}'`);
    const type = nm[1].replace(/\s+/g, ' ').replace(/\s*\*\s*/g, ' *');
    args.push({ name: nm[2], type: type.trim() });
  }
  return args;
}

/** The events/syscalls directory of a mounted tracefs, or undefined. */
export function findTracefsSyscalls() {
  for (const root of TRACEFS_ROOTS) {
    const dir = path.join(root, 'events', 'syscalls');
    if (fs.existsSync(dir)) return dir;
  }
  return undefined;
}

/** tracefs name → args, for every sys_enter_* event, under the userspace name. */
export function readTracefs(dir, renames) {
  const byName = new Map();
  for (const entry of fs.readdirSync(dir)) {
    const m = /^sys_enter_(\w+)$/.exec(entry);
    if (!m) continue;
    const text = fs.readFileSync(path.join(dir, entry, 'format'), 'utf8');
    byName.set(renames[m[1]] ?? m[1], parseFormat(text));
  }
  return byName;
}

export function generate(arch, { allowMissingTracefs = false } = {}) {
  const spec = ARCHES[arch];
  if (!spec) throw new Error(`unknown arch '${arch}' (known: ${Object.keys(ARCHES).join(', ')})`);
  const numbers = parseUnistd(fs.readFileSync(spec.unistd, 'utf8'));
  const tracefsDir = findTracefsSyscalls();
  if (!tracefsDir && !allowMissingTracefs) {
    throw new Error(
      'tracefs is not mounted: run `mount -t tracefs tracefs /sys/kernel/tracing` as root ' +
        '(or pass --allow-missing-tracefs to emit a table without argument names)',
    );
  }
  const tracefs = tracefsDir ? readTracefs(tracefsDir, spec.renames) : new Map();
  const known = new Set(numbers.map((r) => r.name));
  const rows = numbers.map(({ nr, name }) => ({ nr, name, args: tracefs.get(name) ?? null }));
  return {
    rows,
    kernel: os.release(),
    unistd: spec.unistd,
    lacking: rows.filter((r) => r.args === null).map((r) => r.name),
    newer: [...tracefs.keys()].filter((n) => !known.has(n)).sort(),
  };
}

function wrapList(label, names) {
  if (names.length === 0) return [`// ${label}: none.`];
  const lines = [`// ${label}:`];
  let line = '//  ';
  for (const n of names) {
    if (line.length + n.length + 1 > 98) {
      lines.push(line);
      line = '//  ';
    }
    line += ` ${n}`;
  }
  lines.push(line);
  return lines;
}

export function render(arch, result) {
  const constName = `SYSCALLS_${arch.toUpperCase()}`;
  const head = [
    `// Generated by scripts/gen-syscalls.mjs --arch ${arch}. Do not edit: regenerate.`,
    `// Numbers and names: ${result.unistd}.`,
    `// Arguments: tracefs format files of Linux ${result.kernel}.`,
    `// A row with \`args: null\` has no sys_enter event on that kernel.`,
    ...wrapList('Without tracefs event on that kernel', result.lacking),
    ...wrapList('In tracefs but not in the header (numbers unknown here, so absent)', result.newer),
    `import type { SyscallDef } from '../types.js';`,
    '',
    `export const ${constName}: readonly SyscallDef[] = ${JSON.stringify(result.rows)};`,
    '',
  ];
  return head.join('\n');
}

async function formatWithPrettier(text, file) {
  const prettier = await import('prettier');
  // The project's settings, in case no config file is found above `file`.
  const defaults = { singleQuote: true, printWidth: 100, trailingComma: 'all' };
  const config = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(text, { ...defaults, ...config, filepath: file });
}

async function main(argv) {
  let arch = 'x86_64';
  let allowMissingTracefs = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--arch') arch = argv[++i] ?? '';
    else if (argv[i] === '--allow-missing-tracefs') allowMissingTracefs = true;
    else throw new Error(`unknown argument '${argv[i]}'`);
  }
  const result = generate(arch, { allowMissingTracefs });
  const out = path.join(repoRoot, 'src', 'syscalls', 'generated', `${arch}.ts`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, await formatWithPrettier(render(arch, result), out));
  console.log(
    `${path.relative(repoRoot, out)}: ${result.rows.length} syscalls, ` +
      `${result.lacking.length} without tracefs event, ${result.newer.length} newer than the header`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(`gen-syscalls: ${err.message}`);
    process.exit(1);
  });
}
