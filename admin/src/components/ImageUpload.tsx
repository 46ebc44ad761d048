// Images dropped or pasted into the text: each file uploads at once (with
// its progress) while a dialog asks for its alt text; "Insert" puts
// `![alt](/media/ID/NAME)` where it was dropped. A refused upload says why
// (the API's problem detail) and the text stays as it was.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, errorText } from '../api/client';
import { mediaMarkdown, mediaPath, updateMedia, uploadMedia, type Upload } from '../api/media';
import type { Media } from '../api/types';
import '../styles/media.css';

/** Puts text at a position of the document; gives the position after it. */
export type Inserter = (at: number, text: string) => number;

interface Pending {
  files: File[];
  at: number;
  insert: Inserter;
  /** Whether something was inserted before at this drop (a separator then). */
  inserted: boolean;
}

/** The drop and paste handler for MarkdownEditor, and the dialog to render. */
export function useImageUploads(): { onFiles: (files: File[], at: number, insert: Inserter) => void; dialog: preact.JSX.Element | null } {
  // The files waiting, first the one whose dialog is open; a second drop
  // while it is open waits its turn.
  const queue = useRef<Pending | null>(null);
  const [turn, setTurn] = useState(0);
  const [, setQueued] = useState(0);
  const onFiles = (files: File[], at: number, insert: Inserter) => {
    const current = queue.current;
    queue.current = current ? { ...current, files: [...current.files, ...files] } : { files, at, insert, inserted: false };
    if (current) setQueued((n) => n + 1);
    else setTurn((n) => n + 1);
  };
  const next = (insertedText: string | null) => {
    const current = queue.current;
    if (!current) return;
    let { at, inserted } = current;
    if (insertedText !== null) {
      at = current.insert(at, (inserted ? '\n\n' : '') + insertedText);
      inserted = true;
    } else {
      current.insert(at, '');
    }
    const files = current.files.slice(1);
    queue.current = files.length > 0 ? { ...current, files, at, inserted } : null;
    setTurn((n) => n + 1);
  };
  const file = queue.current?.files[0];
  const dialog = file ? <UploadDialog key={turn} file={file} onClose={next} /> : null;
  return { onFiles, dialog };
}

type Phase = { name: 'uploading'; sent: number } | { name: 'uploaded'; media: Media } | { name: 'failed'; message: string };

function UploadDialog(props: { file: File; onClose: (markdown: string | null) => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const upload = useRef<Upload | null>(null);
  const [phase, setPhase] = useState<Phase>({ name: 'uploading', sent: 0 });
  const [alt, setAlt] = useState('');
  const [inserting, setInserting] = useState(false);
  const [preview, setPreview] = useState<string | null>(null);
  const isImage = props.file.type.startsWith('image/') || /\.(png|jpe?g|gif|webp|avif|svg)$/i.test(props.file.name);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    const url = props.file.type.startsWith('image/') ? URL.createObjectURL(props.file) : null;
    setPreview(url);
    const started = uploadMedia(props.file, {}, (sent) => setPhase((p) => (p.name === 'uploading' ? { name: 'uploading', sent } : p)));
    upload.current = started;
    started.promise.then(
      (media) => setPhase({ name: 'uploaded', media }),
      (e: unknown) => {
        if (e instanceof DOMException && e.name === 'AbortError') return;
        setPhase({ name: 'failed', message: uploadError(e) });
      },
    );
    return () => {
      if (url) URL.revokeObjectURL(url);
      dialog?.close();
    };
  }, []);

  const cancel = () => {
    upload.current?.abort();
    props.onClose(null);
  };

  const insert = async (event: Event) => {
    event.preventDefault();
    if (phase.name === 'failed') return props.onClose(null);
    setInserting(true);
    let media: Media;
    try {
      media = phase.name === 'uploaded' ? phase.media : await (upload.current as Upload).promise;
    } catch {
      setInserting(false);
      return; // the failure shows in the dialog
    }
    const text = alt.trim();
    if (text !== '' && media.content_type.startsWith('image/')) {
      // The library keeps the alt text too; the Markdown has it either way.
      await updateMedia(media.id, media.version, { alt: text }).catch(() => undefined);
    }
    const markdown = media.content_type.startsWith('image/') ? mediaMarkdown(media, text) : `[${media.filename}](${mediaPath(media)})`;
    props.onClose(markdown);
  };

  const percent = phase.name === 'uploading' ? Math.round(phase.sent * 100) : 100;
  return (
    <dialog ref={ref} class="media-dialog" aria-labelledby="upload-title" data-testid="upload-dialog" onCancel={(e) => (e.preventDefault(), cancel())}>
      <h2 id="upload-title">{isImage ? 'Insert an image' : 'Insert a file'}</h2>
      <form onSubmit={(e) => void insert(e)}>
        <p class="hint">{props.file.name}</p>
        {preview && phase.name !== 'failed' && <img class="upload-preview" src={preview} alt="" />}
        {phase.name === 'failed' ? (
          <p class="error" role="alert" data-testid="upload-error">
            Not uploaded: {phase.message}
          </p>
        ) : (
          <div>
            <progress max={100} value={percent} aria-label="Upload progress" />
            <p class="hint" role="status">
              {phase.name === 'uploading' ? `Uploading… ${percent}%` : 'Uploaded.'}
            </p>
          </div>
        )}
        {phase.name !== 'failed' && isImage && (
          <div class="field">
            <label for="upload-alt">Alt text</label>
            <input id="upload-alt" value={alt} maxLength={1000} autoFocus onInput={(e) => setAlt(e.currentTarget.value)} aria-describedby="upload-alt-hint" />
            <p class={alt.trim() === '' ? 'hint warn' : 'hint'} id="upload-alt-hint">
              Describe what the image shows for people who cannot see it. You may leave it empty, but it is better not to.
            </p>
          </div>
        )}
        <div class="actions">
          {phase.name === 'failed' ? (
            <button type="submit" class="primary">
              Close
            </button>
          ) : (
            <>
              <button type="button" onClick={cancel}>
                Cancel
              </button>
              <button type="submit" class="primary" disabled={inserting}>
                {inserting && phase.name === 'uploading' ? 'Inserting when uploaded…' : isImage ? 'Insert image' : 'Insert link'}
              </button>
            </>
          )}
        </div>
      </form>
    </dialog>
  );
}

/** The problem's detail, said plainly for the refusals a writer can meet. */
function uploadError(error: unknown): string {
  if (error instanceof ApiError) {
    const detail = errorText(error);
    return error.status === 415 ? `${detail} (Longform keeps JPEG, PNG, GIF, WebP, AVIF, SVG and PDF files.)` : detail;
  }
  return errorText(error);
}
