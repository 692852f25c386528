// Stop signals, handled in one place for the whole process. The handlers
// stay installed from start to exit, so a signal never falls through to
// the default action halfway (which would cut a dump without a word): the
// first asks to stop, a second interrupts what stopping does (a long
// dump), a third exits at once.
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

let received = 0;
const listeners = new Set<(signal: NodeJS.Signals) => void>();

export function installStopSignals(): void {
  for (const s of SIGNALS) {
    process.on(s, () => {
      received++;
      if (received >= 3) process.exit(130);
      for (const l of [...listeners]) l(s);
    });
  }
}

/** How many stop signals arrived so far. */
export function stopSignalsReceived(): number {
  return received;
}

/** Calls `cb` on every stop signal until the returned function is called. */
export function onStopSignal(cb: (signal: NodeJS.Signals) => void): () => void {
  listeners.add(cb);
  return () => listeners.delete(cb);
}
