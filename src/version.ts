// `traceloop --version`: ours, libbpf's (vendored, linked into the addon)
// and the kernel's, since all three decide what a recording can hold; then
// what this kernel takes of the BPF side, found by loading it once.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadReportLines } from './captures.js';
import { loadNative } from './native.js';
import { Recorder } from './recorder.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function versionText(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    version: string;
  };
  const native = loadNative().versions();
  return [
    `traceloop ${pkg.version}`,
    `libbpf ${native.libbpf} (vendored, static)`,
    `kernel ${native.kernel}`,
    ...bpfLines(),
  ].join('\n');
}

/** Loads the programs (and detaches them at once); says in one line why not, if it cannot. */
function bpfLines(): string[] {
  let recorder: Recorder;
  try {
    recorder = Recorder.open();
  } catch (err) {
    return [`captures: not checked, the BPF programs did not load: ${(err as Error).message}`];
  }
  try {
    return loadReportLines(recorder.loadReport());
  } catch (err) {
    return [`captures: not checked: ${(err as Error).message}`];
  } finally {
    recorder.close();
  }
}
