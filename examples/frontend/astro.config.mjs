// @ts-check
// A static site: every page is built from Longform's GraphQL API at build
// time, so the result is plain files that any web server can serve.
import { defineConfig } from 'astro/config';

export default defineConfig({
  output: 'static',
  trailingSlash: 'always',
  build: {
    format: 'directory',
    // Styles in a file, never in a <style> element: the pages' CSP allows
    // no inline style and no script at all.
    inlineStylesheets: 'never',
  },
  devToolbar: { enabled: false },
});
