// The import graph of src/: no cycles, and the data that feeds the kernel (src/syscalls/) does
// not depend on the presentation layer (src/format/). Imports are read as text: `import … from
// './x.js'` and `export … from './x.js'`, type-only ones included (a type import still ties
// the two modules together for a reader).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(__dirname, '../src');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'";]*?\bfrom\s*'(\.[^']+)'/g;

/** Each module's relative imports, as paths under src/ (the .js of an import is its .ts/.tsx). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(SRC)) {
    const text = fs.readFileSync(file, 'utf8');
    const deps: string[] = [];
    for (const m of text.matchAll(IMPORT)) {
      const target = path.resolve(path.dirname(file), m[1] as string).replace(/\.js$/, '');
      const resolved = ['.ts', '.tsx'].map((x) => target + x).find((p) => fs.existsSync(p));
      if (resolved) deps.push(path.relative(SRC, resolved));
    }
    graph.set(path.relative(SRC, file), deps);
  }
  return graph;
}

/** The strongly connected components of more than one module (Tarjan), or a self-import. */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('import graph of src/', () => {
  const graph = importGraph();

  it('is read (the pattern finds the imports)', () => {
    expect(graph.get('format/records.ts')).toContain('format/pairing.ts');
    expect(graph.get('syscalls/rules.ts')).toContain('wire.ts');
  });

  it('has no cycle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('keeps src/syscalls/ (what the kernel side is told) free of src/format/', () => {
    const upward = [...graph].flatMap(([from, deps]) =>
      from.startsWith('syscalls/')
        ? deps.filter((d) => d.startsWith('format/')).map((d) => `${from} -> ${d}`)
        : [],
    );
    expect(upward).toEqual([]);
  });
});
