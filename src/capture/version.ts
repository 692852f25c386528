// traceloop's own version, as package.json says it, for a capture's header (src/version.ts
// says more, and loads the addon to say it: a capture's reader and writer must not need it).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function traceloopVersion(): string {
  if (cached !== undefined) return cached;
  // src/capture/ and dist/capture/ are both two levels below package.json.
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      version?: unknown;
    };
    cached = typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    cached = 'unknown';
  }
  return cached;
}
