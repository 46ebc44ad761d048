// Builds the editor into crates/api/assets/admin, which the server embeds
// and serves at /admin. The output is committed and CI rebuilds it and
// diffs, so nothing here may depend on the time or the machine.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/admin/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: '../crates/api/assets/admin',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    // The polyfill would be an inline script, which the CSP refuses.
    modulePreload: { polyfill: false },
  },
});
