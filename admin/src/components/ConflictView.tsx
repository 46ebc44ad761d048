// Shown when a save answers 412: their version and mine side by side with
// the differences marked, and three explicit ways out. Nothing is
// overwritten until the writer picks one.
import { useState } from 'preact/hooks';
import type { AdminPost } from '../api/types';
import { diffRows, type Piece } from '../editor/diff';
import type { Draft } from '../editor/draft';
import { formatTime } from '../format';

interface Props {
  theirs: AdminPost;
  mine: Draft;
  onKeepMine: () => void;
  onTakeTheirs: () => void;
  onSaveMerged: (markdown: string) => void;
}

function Pieces(props: { pieces: Piece[] }) {
  return (
    <>
      {props.pieces.map((p) =>
        p.kind === 'removed' ? (
          <mark class="only-theirs">{p.text}</mark>
        ) : p.kind === 'added' ? (
          <mark class="only-mine">{p.text}</mark>
        ) : (
          <span>{p.text}</span>
        ),
      )}
    </>
  );
}

export function ConflictView(props: Props) {
  const { theirs, mine } = props;
  const [merging, setMerging] = useState(false);
  const [merged, setMerged] = useState(mine.markdown);
  const rows = diffRows(theirs.markdown, mine.markdown);
  const titleDiffers = theirs.title !== mine.title;

  return (
    <section class="conflict" data-testid="conflict-view" aria-labelledby="conflict-title">
      <h2 id="conflict-title">Someone else saved this post while you were writing</h2>
      <p>
        The server has version {theirs.version}, saved {formatTime(theirs.updated_at)}. Your text has not been saved over theirs, and
        theirs has not replaced yours. Choose what to keep.
      </p>
      {titleDiffers && (
        <p class="conflict-titles">
          Title — theirs: <mark class="only-theirs">{theirs.title}</mark> yours: <mark class="only-mine">{mine.title}</mark>
        </p>
      )}
      <div class="actions">
        <button type="button" class="primary" onClick={props.onKeepMine}>
          Keep mine
        </button>
        <button type="button" onClick={props.onTakeTheirs}>
          Take theirs
        </button>
        <button type="button" onClick={() => setMerging(true)} disabled={merging}>
          Merge by hand
        </button>
      </div>
      {merging ? (
        <div class="merge">
          <label class="merge-mine">
            Merged text (starts as yours; edit it to keep what you need from theirs)
            <textarea data-testid="merge-text" value={merged} onInput={(e) => setMerged(e.currentTarget.value)} spellcheck />
          </label>
          <div class="merge-theirs">
            <h3>Theirs</h3>
            <pre data-testid="conflict-theirs-text">{theirs.markdown}</pre>
          </div>
          <div class="actions">
            <button type="button" class="primary" onClick={() => props.onSaveMerged(merged)}>
              Save merged text
            </button>
            <button type="button" onClick={() => setMerging(false)}>
              Back to the differences
            </button>
          </div>
        </div>
      ) : (
        <p class="legend muted small">
          <mark class="only-theirs">Only in theirs</mark> <mark class="only-mine">Only in yours</mark>
        </p>
      )}
      {!merging && (
        <div class="diff" role="table" aria-label="Differences between their version and yours" tabIndex={0}>
          <div class="diff-row diff-head" role="row">
            <div role="columnheader">Theirs (version {theirs.version})</div>
            <div role="columnheader">Yours (not saved)</div>
          </div>
          {rows.map((row) => (
            <div class={`diff-row ${row.kind}`} role="row">
              <pre role="cell" data-testid="conflict-theirs">
                <Pieces pieces={row.theirs} />
              </pre>
              <pre role="cell" data-testid="conflict-mine">
                <Pieces pieces={row.mine} />
              </pre>
            </div>
          ))}
        </div>
      )}
    </section>
  );
}
