// Code blocks coloured at build time: Prism marks tokens with classes
// (`token keyword`), which global.css colours, so the pages keep a CSP with
// no inline styles and ship no script.
import Prism from 'prismjs';
import loadLanguages from 'prismjs/components/index.js';

/** The languages of the blog's code blocks; any other is left plain. */
const LANGUAGES = ['bash', 'c', 'cpp', 'go', 'json', 'protobuf', 'python', 'rust', 'sql', 'toml', 'typescript', 'yaml'];
loadLanguages(LANGUAGES);

// What Longform's renderer and sanitiser write for text: html5ever's
// serializer also writes a no-break space as `&nbsp;`.
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: '\u00a0', amp: '&' };

/** The text of escaped HTML: what Longform escaped in a code block. */
function unescape(html: string): string {
  return html.replace(/&(lt|gt|quot|#39|nbsp|amp);/g, (_, name: string) => ENTITIES[name] ?? '');
}

/**
 * Longform's sanitised HTML with each `<pre><code class="language-X">`
 * block's text replaced by Prism's tokens; Prism escapes what it emits.
 */
export function highlight(html: string): string {
  return html.replace(
    /<pre><code class="language-([\w+-]+)">([\s\S]*?)<\/code><\/pre>/g,
    (block, language: string, escaped: string) => {
      const grammar = Prism.languages[language];
      if (!grammar) return block;
      const tokens = Prism.highlight(unescape(escaped), grammar, language);
      return `<pre class="language-${language}"><code class="language-${language}">${tokens}</code></pre>`;
    },
  );
}
