import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Integration tests load BPF programs and create cgroups: one file at a time.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    // Ink renders nothing but the last frame when it believes it runs in CI
    // (is-in-ci reads CI at import); the UI tests watch frames as they come.
    env: { CI: 'false' },
  },
});
