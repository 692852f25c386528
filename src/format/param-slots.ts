// A ReadonlyMap of a call's params by argument that the line formatter fills anew for every
// call instead of allocating a Map: a call has at most a few params (TL_MAX_PARAMS per
// record), so two short arrays searched in order beat a hash table, and reusing them leaves
// nothing for the garbage collector. Decoders see it only through ArgContext, as the
// ReadonlyMap they always got, iterating in insertion order like a Map.
import type { Param } from '../wire.js';

export class ParamSlots implements ReadonlyMap<number, Param> {
  private readonly args: number[] = [];
  private readonly params: Param[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  clear(): void {
    // Drop the references so that the batch buffers the params view can be freed.
    for (let i = 0; i < this.count; i++) this.params[i] = undefined as unknown as Param;
    this.count = 0;
  }

  /** Like Map.set: a key already there keeps its place and takes the new value. */
  set(arg: number, param: Param): void {
    for (let i = 0; i < this.count; i++) {
      if (this.args[i] === arg) {
        this.params[i] = param;
        return;
      }
    }
    this.args[this.count] = arg;
    this.params[this.count] = param;
    this.count++;
  }

  get(arg: number): Param | undefined {
    for (let i = 0; i < this.count; i++) if (this.args[i] === arg) return this.params[i];
    return undefined;
  }

  has(arg: number): boolean {
    for (let i = 0; i < this.count; i++) if (this.args[i] === arg) return true;
    return false;
  }

  forEach(fn: (value: Param, key: number, map: ReadonlyMap<number, Param>) => void): void {
    for (let i = 0; i < this.count; i++) fn(this.params[i] as Param, this.args[i] as number, this);
  }

  // Iteration is for decoders that want it (none of the built-in ones): a Map of a copy.
  private snapshot(): Map<number, Param> {
    const m = new Map<number, Param>();
    for (let i = 0; i < this.count; i++) m.set(this.args[i] as number, this.params[i] as Param);
    return m;
  }

  entries(): ReturnType<Map<number, Param>['entries']> {
    return this.snapshot().entries();
  }

  keys(): ReturnType<Map<number, Param>['keys']> {
    return this.snapshot().keys();
  }

  values(): ReturnType<Map<number, Param>['values']> {
    return this.snapshot().values();
  }

  [Symbol.iterator](): ReturnType<Map<number, Param>['entries']> {
    return this.snapshot().entries();
  }
}
