/** A labelled form field with its hint and error message. */
import { type ReactNode, useId } from 'react';

/** Props of {@link Field}. */
export interface FieldProps {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  children: (id: string, describedBy: string | undefined) => ReactNode;
}

/** Renders a label, the control built by `children(id)`, a hint and an error. */
export function Field({ label, hint, error, children }: FieldProps) {
  const id = useId();
  const describedBy = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children(id, describedBy)}
      {hint && !error && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={`${id}-error`} className="field-error" role="alert">
          {error}
        </small>
      )}
    </div>
  );
}

/** A text input field bound to `value`. */
export function TextField({
  label,
  value,
  onChange,
  error,
  hint,
  type = 'text',
  name,
  placeholder,
  multiline,
  autoComplete,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: ReactNode;
  type?: string;
  name?: string;
  placeholder?: string;
  multiline?: boolean;
  autoComplete?: string;
}) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(id, describedBy) =>
        multiline ? (
          <textarea id={id} name={name} value={value} placeholder={placeholder} aria-describedby={describedBy} aria-invalid={error ? true : undefined} rows={3} onChange={(e) => onChange(e.target.value)} />
        ) : (
          <input
            id={id}
            name={name}
            type={type}
            value={value}
            placeholder={placeholder}
            autoComplete={autoComplete}
            aria-describedby={describedBy}
            aria-invalid={error ? true : undefined}
            onChange={(e) => onChange(e.target.value)}
          />
        )
      }
    </Field>
  );
}

/** A select field. */
export function SelectField<T extends string>({ label, value, onChange, options, name, hint }: { label: string; value: T; onChange: (value: T) => void; options: Array<[T, string]>; name?: string; hint?: ReactNode }) {
  return (
    <Field label={label} hint={hint}>
      {(id, describedBy) => (
        <select id={id} name={name} value={value} aria-describedby={describedBy} onChange={(e) => onChange(e.target.value as T)}>
          {options.map(([v, text]) => (
            <option key={v} value={v}>
              {text}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
