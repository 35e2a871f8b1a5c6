import { defineConfig } from 'vitest/config';
import { routellmWeb } from './src/vite/index.ts';

export default defineConfig({
  // 'mpa': a missing model file is a 404, not index.html with status 200.
  appType: 'mpa',
  // The package's own plugin, as apps use it; models/ and routers/ are in this repository's public/ folder.
  plugins: [routellmWeb({ assets: false })],
  server: {
    // Outputs written while the server runs (caches, reports) must not reload open pages mid-test.
    watch: { ignored: ['**/.cache/**', '**/eval-results/**', '**/bench-results/**', '**/test-results/**'] },
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
