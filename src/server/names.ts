// Names the daemon gives by itself: after a cgroup's directory when /add names none, and to
// the kept record of a service that registered again under its old name. Every by-name
// endpoint takes one name and acts on the one cgroup that has it, so a given name must never
// be given twice (issue #13: "x-4" named two cgroups, close-by-name closed the wrong one) and
// must pass the same check as a name a client sends (at most 128 characters). Pure: the daemon
// passes what is taken.
import { MAX_NAME } from './params.js';

/** `base` made a valid name: characters outside the name set become `_`, all digits get a prefix. */
export function nameOf(base: string): string {
  const safe = base.replace(/[^A-Za-z0-9_.:@+\\-]/g, '_') || 'cgroup';
  return /^\d+$/.test(safe) ? `cgroup-${safe}` : safe;
}

/**
 * A name for registration `id` built on `base` (and ending in `tag`) that `taken` does not
 * hold: `base` itself if free, else `base-ID`, then `base-ID-2`, ... (a directory may itself be
 * called `x-4`). The stem is cut so that tag and suffix fit in MAX_NAME characters.
 */
export function freeName(
  base: string,
  id: number,
  taken: (name: string) => boolean,
  tag = '',
): string {
  const stem = nameOf(base);
  const fit = (suffix: string): string => stem.slice(0, MAX_NAME - suffix.length) + suffix;
  const plain = fit(tag);
  if (!taken(plain)) return plain;
  for (let n = 1; ; n++) {
    const candidate = fit(n === 1 ? `${tag}-${id}` : `${tag}-${id}-${n}`);
    if (!taken(candidate)) return candidate;
  }
}
