// Which capture families this kernel refused (native/loader.cc leaves a
// refused family out instead of failing), and the words every front end
// uses to say so: the dump's header, the UI's header, the daemon's /stats,
// `traceloop --version`. When nothing is left out nothing is said, except
// by --version.
import type { LoadReport } from './native.js';

export interface CapturesLeftOut {
  /** The families left out, named ("iovec, msghdr"), or "" when everything loaded. */
  leftOut: string;
  /** The verifier's words for the first refusal ("tl_sys_enter: ..."), or "". */
  why: string;
}

export const ALL_LOADED: CapturesLeftOut = { leftOut: '', why: '' };

export function capturesOf(report: LoadReport): CapturesLeftOut {
  if (report.leftOut === 0 || report.leftOutNames === '') return ALL_LOADED;
  return { leftOut: report.leftOutNames, why: report.leftOutWhy };
}

/** The family that captures no argument (native/loader.cc names it): what its loss means. */
const NEW_FDS_FAMILY = "new fds' inodes (-y, -yy)";
const NEW_FDS_LOST = "pipes' and sockets' names come from /proc as the lines are printed";

/**
 * `captures left out on this kernel: iovec, msghdr (verifier: ...); their arguments
 * print as addresses`, or undefined when nothing is left out.
 */
export function leftOutText(c: CapturesLeftOut): string | undefined {
  if (c.leftOut === '') return undefined;
  const why = c.why === '' ? '' : ` (verifier: ${c.why})`;
  // (A name may hold ", " itself: look for the one, then at what is left.)
  const newFds = c.leftOut.includes(NEW_FDS_FAMILY);
  const others = c.leftOut
    .replace(NEW_FDS_FAMILY, '')
    .replace(/^, |, $/, '')
    .replace(', , ', ', ');
  const means = [
    others !== '' && 'their arguments print as addresses',
    newFds && NEW_FDS_LOST,
  ].filter((m) => m !== false);
  return `captures left out on this kernel: ${c.leftOut}${why}; ${means.join('; ')}`;
}

/** The dump's comment line under its header: none when nothing is left out. */
export function leftOutComment(c: CapturesLeftOut | undefined): string[] {
  const text = c && leftOutText(c);
  return text ? [`# ${text}`] : [];
}

/**
 * `traceloop --version`'s lines about the BPF side: what loaded, how long it took,
 * and how much of the verifier's budget each program used.
 */
export function loadReportLines(report: LoadReport): string[] {
  const left = leftOutText(capturesOf(report));
  const programs = report.programs.map((p) => `${p.name} ${p.insns}`).join(', ');
  const attempts = report.attempts > 1 ? ` in ${report.attempts} attempts` : '';
  return [
    left ?? 'captures: all loaded',
    `BPF load: ${Math.round(report.loadMs)} ms${attempts}; ` +
      `instructions the verifier processed: ${programs} (limit 1000000 each)`,
  ];
}
