// "Choose from library" for the feature image: a dialog with the images of
// the media library; the one chosen is saved as `feature_image: { media_id }`.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Media } from '../api/types';
import { MediaBrowser } from './MediaBrowser';
import '../styles/media.css';

export function FeatureImagePicker(props: { onPick: (media: Media) => void }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <div class="feature-image-actions">
        <button type="button" onClick={() => setOpen(true)} aria-haspopup="dialog">
          Choose from library
        </button>
      </div>
      {open && (
        <PickerDialog
          onClose={() => setOpen(false)}
          onPick={(media) => {
            setOpen(false);
            props.onPick(media);
          }}
        />
      )}
    </>
  );
}

function PickerDialog(props: { onClose: () => void; onPick: (media: Media) => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      class="media-dialog wide"
      aria-labelledby="picker-title"
      data-testid="media-picker"
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
    >
      <div class="dialog-head">
        <h2 id="picker-title">Choose a feature image</h2>
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
      </div>
      <div class="picker-body">
        <MediaBrowser label="Images" type="image" selected={null} onSelect={props.onPick} />
      </div>
    </dialog>
  );
}
