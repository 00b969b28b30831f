// A one-time secret shown to copy (an invite link, a new API token): a read-only field, selected
// on focus, and a Copy button that says whether it worked.
import { useRef, useState } from 'preact/hooks';

/** A one-time secret to copy: a read-only field and a Copy button. */
export function CopyField({ id, label, value }: { id: string; label: string; value: string }) {
  const [copied, setCopied] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const copy = () => {
    const element = input.current!;
    element.focus();
    element.select();
    const fallback = () => setCopied(document.execCommand('copy') ? 'Copied.' : 'Select the text and copy it yourself (Ctrl+C or ⌘C).');
    if (navigator.clipboard) navigator.clipboard.writeText(value).then(() => setCopied('Copied.'), fallback);
    else fallback();
  };
  return (
    <div class="copy-field">
      <label for={id}>{label}</label>
      <div class="copy-row">
        <input id={id} ref={input} readOnly value={value} spellcheck={false} onFocus={(event) => event.currentTarget.select()} />
        <button type="button" onClick={copy}>
          Copy<span class="visually-hidden"> {label}</span>
        </button>
      </div>
      <small role="status" class="ok">
        {copied}
      </small>
    </div>
  );
}

