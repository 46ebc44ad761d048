// Tags or authors as a list of slugs: type one and press Enter (or a
// comma); known ones are suggested; a new one is created on save when the
// role may manage taxonomy, else the API's 400 is shown under the field.
import { useState } from 'preact/hooks';
import type { TermChoice } from '../api/types';
import { slugify } from '../format';

interface Props {
  id: string;
  label: string;
  values: string[];
  known: TermChoice[];
  error: string | null;
  onChange: (values: string[]) => void;
}

export function SlugListInput(props: Props) {
  const [text, setText] = useState('');
  const names = new Map(props.known.map((t) => [t.slug, t.name]));

  function add(raw: string) {
    const known = props.known.find((t) => t.name.toLowerCase() === raw.trim().toLowerCase());
    const slug = known?.slug ?? slugify(raw);
    setText('');
    if (slug && !props.values.includes(slug)) props.onChange([...props.values, slug]);
  }

  function onKeyDown(event: KeyboardEvent) {
    if ((event.key === 'Enter' || event.key === ',') && text.trim() !== '') {
      event.preventDefault();
      add(text);
    } else if (event.key === 'Backspace' && text === '' && props.values.length > 0) {
      props.onChange(props.values.slice(0, -1));
    }
  }

  const errorId = `${props.id}-error`;
  return (
    <div class="field slug-list">
      <label for={props.id}>{props.label}</label>
      <ul class="chips" aria-label={`${props.label}, in order`}>
        {props.values.map((slug) => (
          <li class={names.has(slug) ? 'chip' : 'chip new'}>
            <span>{names.get(slug) ?? slug}</span>
            {!names.has(slug) && <span class="muted small"> (new)</span>}
            <button type="button" aria-label={`Remove ${props.label.toLowerCase()} ${slug}`} onClick={() => props.onChange(props.values.filter((v) => v !== slug))}>
              ×
            </button>
          </li>
        ))}
      </ul>
      <input
        id={props.id}
        list={`${props.id}-known`}
        value={text}
        placeholder="Type and press Enter"
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? errorId : undefined}
        onInput={(e) => {
          const value = e.currentTarget.value;
          // Picking a suggestion from the list (not typing) adds it at once.
          const picked = !(e instanceof InputEvent) || e.inputType === 'insertReplacementText';
          if (picked && props.known.some((t) => t.slug === value)) add(value);
          else setText(value);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => text.trim() !== '' && add(text)}
      />
      <datalist id={`${props.id}-known`}>
        {props.known.map((t) => (
          <option value={t.slug}>{t.name}</option>
        ))}
      </datalist>
      {props.error && (
        <p class="field-error" id={errorId} role="alert">
          {props.error}
        </p>
      )}
    </div>
  );
}
