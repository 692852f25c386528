// The terminal's size, following resizes (an SSH client's window, tmux
// resize-window). Ink re-lays out on resize but does not tell components.
import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

export interface Size {
  columns: number;
  rows: number;
}

const read = (s: NodeJS.WriteStream): Size => ({ columns: s.columns || 80, rows: s.rows || 24 });

export function useTerminalSize(): Size {
  const { stdout } = useStdout();
  const [size, setSize] = useState<Size>(() => read(stdout));
  useEffect(() => {
    const onResize = (): void => setSize(read(stdout));
    stdout.on('resize', onResize);
    onResize();
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}
