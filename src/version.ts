// `traceloop --version`: ours, libbpf's (vendored, linked into the addon)
// and the kernel's, since all three decide what a recording can hold.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNative } from './native.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function versionText(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    version: string;
  };
  const native = loadNative().versions();
  return `traceloop ${pkg.version}\nlibbpf ${native.libbpf} (vendored, static)\nkernel ${native.kernel}`;
}
