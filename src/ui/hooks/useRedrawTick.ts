// Redraws on a fixed tick when the data changed, never per event: events
// live outside React (src/ui/store.ts) and a React commit re-lays out the
// whole frame, so at 200k events/s one commit per event would be the cost.
import { useEffect, useRef, useState } from 'react';

/** Re-renders at most `fps` times a second, when `version()` changed. */
export function useRedrawTick(version: () => number, fps: number): void {
  const [, setTick] = useState(0);
  const versionRef = useRef(version);
  versionRef.current = version;
  useEffect(() => {
    let last = versionRef.current();
    const timer = setInterval(
      () => {
        const v = versionRef.current();
        if (v !== last) {
          last = v;
          setTick((t) => t + 1);
        }
      },
      Math.round(1000 / fps),
    );
    return () => clearInterval(timer);
  }, [fps]);
}
