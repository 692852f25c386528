// Whether a terminal UI can run here. Kept apart from the Ink code so the
// check costs no import of Ink and React.

/** Both ends a TTY and raw mode available (Ink's isRawModeSupported). */
export function haveTerminal(
  stdin: NodeJS.ReadStream = process.stdin,
  stdout: NodeJS.WriteStream = process.stdout,
): boolean {
  return Boolean(stdin.isTTY && stdout.isTTY && typeof stdin.setRawMode === 'function');
}
