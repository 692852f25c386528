// Types for the parts of gen-syscalls.mjs that tests import.
export function parseUnistd(text: string): Array<{ nr: number; name: string }>;
export function parseFormat(text: string): Array<{ name: string; type: string }>;
