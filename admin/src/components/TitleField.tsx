// The post's title: one line of text that wraps instead of scrolling out
// of sight, so a long title stays readable while it is written.
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';

interface Props {
  value: string;
  invalid: boolean;
  focus: boolean;
  onChange: (title: string) => void;
}

const sizesItself = typeof CSS !== 'undefined' && CSS.supports('field-sizing', 'content');

export function TitleField(props: Props) {
  const ref = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (props.focus) ref.current?.focus();
  }, [props.focus]);

  // Where the browser cannot size the field to its text, grow it by hand.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || sizesItself) return;
    el.style.height = 'auto';
    el.style.height = `${el.scrollHeight}px`;
  }, [props.value]);

  return (
    <label class="title-field">
      <span class="visually-hidden">Title</span>
      <textarea
        ref={ref}
        class="title-input"
        name="title"
        rows={1}
        placeholder="Title"
        aria-label="Title"
        value={props.value}
        aria-invalid={props.invalid ? true : undefined}
        // A title is one line: Enter adds no line break, a pasted one becomes a space.
        onKeyDown={(e) => e.key === 'Enter' && e.preventDefault()}
        onInput={(e) => props.onChange(e.currentTarget.value.replace(/[\r\n]+/g, ' '))}
      />
    </label>
  );
}
