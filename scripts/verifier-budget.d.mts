// Types for the parts of verifier-budget.mjs that tests import.
export const MAX_INSNS: number;
export const MAX_STACK: number;
export const MAX_LOAD_MS: number;
export interface Corner {
  maxArgBytes: number;
  ringPages: number;
}
export interface CornerResult extends Corner {
  ok: boolean;
  loadMs: number;
  programs: { name: string; insns: number; stack: number[]; stack61: number; verifyUs: number }[];
  leftOut: string;
  error: string | null;
}
export const CORNERS: Corner[];
export function stackAs61(stack: number[]): number;
export function loadCorner(corner: Corner): CornerResult;
export function overBudget(corner: CornerResult, options?: { checkTime?: boolean }): string[];
export function markdown(corners: CornerResult[], command: string): string;
export function writeResults(section: string): void;
