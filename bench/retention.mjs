// How much history a MiB of ring holds: bytes per syscall (enter + exit +
// captured arguments) for a few real workloads, recorded with the default
// settings. Prints a markdown section; bench/run.sh appends it to
// bench/results.md.
//
// usage: node bench/retention.mjs CGROUP_PARENT
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Recorder } from '../dist/recorder.js';
import { parseRecords } from '../dist/wire.js';

const [parent] = process.argv.slice(2);
if (!parent) throw new Error('usage: retention.mjs CGROUP_PARENT');
const workloads = {
  'getppid loop (no arguments)': `/usr/bin/python3 -c 'import os\nfor i in range(20000): os.getppid()'`,
  'write(fd, 64 B) loop': `/usr/bin/python3 -c 'import os\nfd = os.open("/dev/null", os.O_WRONLY)\nfor i in range(20000): os.write(fd, b"x" * 64)'`,
  'ls -laR /usr/share/doc': 'ls -laR /usr/share/doc > /dev/null',
};
const rows = [];
for (const [label, cmd] of Object.entries(workloads)) {
  const dir = path.join(parent, 'retention');
  fs.mkdirSync(dir, { recursive: true });
  const recorder = Recorder.open({ ringPages: 4096 }); // 16 MiB per CPU: nothing overwritten
  try {
    const { id } = recorder.add(dir);
    execFileSync('/bin/sh', [
      '-c',
      `echo $$ > "$0/cgroup.procs" && exec /bin/sh -c "$1"`,
      dir,
      cmd,
    ]);
    const cpus = recorder.stats(id);
    const bytes = cpus.reduce((s, c) => s + c.headBytes, 0);
    const records = parseRecords(recorder.snapshot(id).records);
    const enters = records.filter((r) => r.kind === 'enter').length;
    const lost = records.reduce((s, r) => s + (r.kind === 'lost' ? Number(r.count) : 0), 0);
    rows.push({ label, enters, bytes, lost });
  } finally {
    recorder.close();
    fs.rmdirSync(dir);
  }
}
console.log(`
## Retention: syscalls per MiB of ring

\`\`\`sh
node bench/retention.mjs <cgroup2>/traceloop-bench   # run by bench/run.sh
\`\`\`

Bytes written into the rings per syscall (enter + exit records + captured arguments, pads included),
default capture settings. The original traceloop writes 112 B per enter and per exit record (about
4,600 argument-less syscalls per MiB); Inspektor Gadget's gadget 176 B.

| workload | syscalls | bytes per syscall | syscalls per MiB |
|---|---:|---:|---:|
${rows
  .map(
    (r) =>
      `| ${r.label} | ${r.enters} | ${(r.bytes / r.enters).toFixed(0)} | ${Math.round((1 << 20) / (r.bytes / r.enters))} |` +
      (r.lost ? ` (${r.lost} lost!)` : ''),
  )
  .join('\n')}
`);
