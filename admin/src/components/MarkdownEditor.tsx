// CodeMirror 6 for the body: Markdown with highlighted fenced code, line
// wrapping, undo history; its <style> elements carry the page's CSP nonce.
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { markdown, markdownLanguage } from '@codemirror/lang-markdown';
import { defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { languages } from '@codemirror/language-data';
import { EditorState } from '@codemirror/state';
import { EditorView, drawSelection, keymap, placeholder } from '@codemirror/view';
import { useEffect, useRef } from 'preact/hooks';
import { nonce } from '../auth';

interface Props {
  value: string;
  /** Replace the text with `value` when this changes (not on every keystroke). */
  revision: number;
  onChange: (text: string) => void;
  onSave: () => void;
  /**
   * Files dropped or pasted into the text, with the position they landed
   * at and a way to insert text there later (after an upload).
   */
  onFiles?: (files: File[], at: number, insert: (at: number, text: string) => number) => void;
}

export function MarkdownEditor(props: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const callbacks = useRef(props);
  callbacks.current = props;

  useEffect(() => {
    const state = EditorState.create({
      doc: props.value,
      extensions: [
        history(),
        drawSelection(),
        keymap.of([
          { key: 'Mod-s', preventDefault: true, run: () => (callbacks.current.onSave(), true) },
          ...defaultKeymap,
          ...historyKeymap,
        ]),
        markdown({ base: markdownLanguage, codeLanguages: languages }),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        EditorView.lineWrapping,
        EditorView.cspNonce.of(nonce),
        EditorView.contentAttributes.of({ 'aria-label': 'Body (Markdown)', 'data-testid': 'markdown-editor' }),
        placeholder('Write in Markdown…'),
        EditorView.domEventHandlers({
          drop(event, v) {
            const files = [...(event.dataTransfer?.files ?? [])];
            if (files.length === 0 || !callbacks.current.onFiles) return false;
            event.preventDefault();
            const at = v.posAtCoords({ x: event.clientX, y: event.clientY }) ?? v.state.selection.main.head;
            callbacks.current.onFiles(files, at, insertAt);
            return true;
          },
          paste(event, v) {
            const files = [...(event.clipboardData?.files ?? [])];
            if (files.length === 0 || !callbacks.current.onFiles) return false;
            event.preventDefault();
            callbacks.current.onFiles(files, v.state.selection.main.head, insertAt);
            return true;
          },
        }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) callbacks.current.onChange(update.state.doc.toString());
        }),
      ],
    });
    view.current = new EditorView({ state, parent: host.current as HTMLElement });
    return () => view.current?.destroy();
  }, []);

  /** Inserts at `at` (kept inside the text, which may have changed), focused after it. */
  function insertAt(at: number, text: string): number {
    const v = view.current;
    if (!v) return at;
    const from = Math.min(at, v.state.doc.length);
    if (text !== '') v.dispatch({ changes: { from, insert: text }, selection: { anchor: from + text.length }, userEvent: 'input.drop' });
    v.focus();
    return from + text.length;
  }

  useEffect(() => {
    const v = view.current;
    if (!v || v.state.doc.toString() === props.value) return;
    v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: props.value } });
  }, [props.revision]);

  return <div class="markdown-editor" ref={host} />;
}
