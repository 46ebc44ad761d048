// The live preview: the render endpoint's HTML (what the public API will
// serve) in a sandboxed iframe, with the table of contents and counts.
import { useEffect, useState } from 'preact/hooks';
import { errorText } from '../api/client';
import { renderMarkdown } from '../api/posts';
import type { Rendered } from '../api/types';
import { nonce } from '../auth';
import previewCss from '../styles/preview.css?raw';

export const PREVIEW_DEBOUNCE_MS = 300;

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** The iframe inherits the page's CSP: its one <style> carries the nonce. */
function previewDocument(title: string, html: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><style nonce="${escapeHtml(nonce)}">${previewCss}</style></head><body><article><h1 class="preview-title">${escapeHtml(title)}</h1>${html}</article></body></html>`;
}

export function usePreview(markdown: string): { rendered: Rendered | null; error: string | null } {
  const [rendered, setRendered] = useState<Rendered | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      renderMarkdown(markdown).then(
        (result) => {
          if (!live) return;
          setRendered(result);
          setError(null);
        },
        (e: unknown) => live && setError(errorText(e)),
      );
    }, PREVIEW_DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [markdown]);
  return { rendered, error };
}

export function Preview(props: { title: string; rendered: Rendered | null; error: string | null }) {
  const { rendered, error } = props;
  return (
    <section class="preview" aria-label="Preview">
      <div class="preview-stats" data-testid="preview-stats" aria-live="polite">
        {rendered ? (
          <>
            <span data-testid="word-count">{rendered.word_count} words</span>
            <span data-testid="reading-time">{rendered.reading_time_minutes} min read</span>
          </>
        ) : (
          <span>Rendering…</span>
        )}
        {error && (
          <span class="error" role="alert">
            Preview failed: {error}
          </span>
        )}
      </div>
      <iframe
        class="preview-frame"
        title="Preview"
        sandbox=""
        data-testid="preview-frame"
        srcdoc={previewDocument(props.title, rendered?.html ?? '')}
      />
    </section>
  );
}

export function TableOfContents(props: { rendered: Rendered | null }) {
  const toc = props.rendered?.toc ?? [];
  return (
    <nav class="toc" aria-label="Table of contents" data-testid="toc">
      <h2>Contents</h2>
      {toc.length === 0 ? (
        <p class="muted small">Headings appear here.</p>
      ) : (
        <ol>
          {toc.map((entry) => (
            <li class={`toc-level-${entry.level}`}>{entry.text}</li>
          ))}
        </ol>
      )}
    </nav>
  );
}
