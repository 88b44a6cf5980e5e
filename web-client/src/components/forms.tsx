// Labelled form controls. Each shows its error right under it, marks itself aria-invalid and
// points aria-describedby at the hint and the error, so screen readers read both.
import {
  useEffect,
  useId,
  type ChangeEvent,
  type InputHTMLAttributes,
  type ReactNode,
  type RefObject,
} from 'react';

interface FieldShellProps {
  id: string;
  label: string;
  hint?: ReactNode;
  error?: string;
  required?: boolean;
  children: (describedBy: string | undefined) => ReactNode;
}

function FieldShell({ id, label, hint, error, required, children }: FieldShellProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <div className="label-row">
        <label htmlFor={id}>{label}</label>
        {/* Outside the label so the control's accessible name is just the label;
            screen readers learn "required" from aria-required. */}
        {required ? (
          <span className="required-mark" aria-hidden="true">
            *
          </span>
        ) : null}
      </div>
      {hint ? (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {children(describedBy)}
      {error ? (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value' | 'id'> & {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  hint?: ReactNode;
};

export function TextField({ label, value, onChange, error, hint, required, ...rest }: InputProps) {
  const id = useId();
  return (
    <FieldShell id={id} label={label} hint={hint} error={error} required={required}>
      {(describedBy) => (
        <input
          id={id}
          value={value}
          onChange={(e: ChangeEvent<HTMLInputElement>) => onChange(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          aria-required={required ? true : undefined}
          {...rest}
        />
      )}
    </FieldShell>
  );
}

export function TextAreaField({
  label,
  value,
  onChange,
  error,
  hint,
  required,
  name,
  rows = 4,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  hint?: ReactNode;
  required?: boolean;
  name?: string;
  rows?: number;
}) {
  const id = useId();
  return (
    <FieldShell id={id} label={label} hint={hint} error={error} required={required}>
      {(describedBy) => (
        <textarea
          id={id}
          name={name}
          rows={rows}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          aria-required={required ? true : undefined}
        />
      )}
    </FieldShell>
  );
}

export interface Option {
  value: string;
  label: string;
}

export function SelectField({
  label,
  value,
  onChange,
  options,
  error,
  hint,
  required,
  name,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: readonly Option[];
  error?: string;
  hint?: ReactNode;
  required?: boolean;
  name?: string;
}) {
  const id = useId();
  return (
    <FieldShell id={id} label={label} hint={hint} error={error} required={required}>
      {(describedBy) => (
        <select
          id={id}
          name={name}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          aria-required={required ? true : undefined}
        >
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </FieldShell>
  );
}

/** A form-level error (role=alert, announced at once). Renders nothing without a message. */
export function FormError({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <div className="alert alert-error" role="alert">
      {message}
    </div>
  );
}

/**
 * A polite status region that is always in the DOM (empty, it takes no space), so screen
 * readers announce its text when it changes; a region inserted together with its text, or
 * one that was display:none, is often not announced.
 */
export function StatusMessage({ message, className }: { message: string | null | undefined; className?: string }) {
  return (
    <div role="status" className={message ? `alert alert-success ${className ?? ''}` : 'status-empty'}>
      {message ?? ''}
    </div>
  );
}

/**
 * Moves focus to the first invalid control inside `root` (in a radio group, to its chosen or
 * first radio). Returns false when there is none.
 */
export function focusFirstInvalid(root: HTMLElement | null | undefined): boolean {
  let el = root?.querySelector<HTMLElement>('[aria-invalid="true"]') ?? null;
  if (el instanceof HTMLFieldSetElement) el = el.querySelector<HTMLElement>('input:checked') ?? el.querySelector('input');
  if (!el) return false;
  el.focus();
  return true;
}

/** After a failed submit, moves focus to the first invalid control of the form. */
export function useFocusFirstInvalid(
  formRef: RefObject<HTMLFormElement | null>,
  errors: Record<string, string>,
): void {
  useEffect(() => {
    if (Object.keys(errors).length === 0) return;
    focusFirstInvalid(formRef.current);
  }, [errors, formRef]);
}

/** One checkbox with its label beside it, and an optional hint under it. */
export function CheckboxField({
  label,
  checked,
  onChange,
  hint,
  name,
  disabled,
}: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  hint?: ReactNode;
  name?: string;
  disabled?: boolean;
}) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className="field checkbox-field">
      <input
        id={id}
        type="checkbox"
        name={name}
        checked={checked}
        disabled={disabled}
        onChange={(e) => onChange(e.target.checked)}
        aria-describedby={hintId}
      />
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

interface GroupShellProps {
  id: string;
  legend: string;
  hint?: ReactNode;
  error?: string;
  required?: boolean;
  radio?: boolean;
  children: ReactNode;
}

/**
 * A fieldset whose legend names a group of radios or checkboxes. A radio group is a
 * `radiogroup`, so it can say it is required and invalid; a checkbox group says so on its
 * boxes. The hint and the error are linked with aria-describedby.
 */
function GroupShell({ id, legend, hint, error, required, radio, children }: GroupShellProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <fieldset
      className={error ? 'choice-group field-invalid' : 'choice-group'}
      role={radio ? 'radiogroup' : undefined}
      aria-describedby={describedBy}
      aria-required={radio && required ? true : undefined}
      aria-invalid={radio && error ? true : undefined}
    >
      <legend>
        {legend}
        {required ? (
          <span className="required-mark" aria-hidden="true">
            {' '}
            *
          </span>
        ) : null}
      </legend>
      {hint ? (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {children}
      {error ? (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

/** Radio buttons for one of a few options. */
export function RadioGroupField({
  legend,
  value,
  onChange,
  options,
  error,
  hint,
  required,
}: {
  legend: string;
  value: string;
  onChange: (value: string) => void;
  options: readonly Option[];
  error?: string;
  hint?: ReactNode;
  required?: boolean;
}) {
  const id = useId();
  return (
    <GroupShell id={id} legend={legend} hint={hint} error={error} required={required} radio>
      <ul className="choice-list">
        {options.map((o, i) => (
          <li key={o.value}>
            <input
              id={`${id}-${i}`}
              type="radio"
              name={id}
              value={o.value}
              checked={value === o.value}
              onChange={() => onChange(o.value)}
            />
            <label htmlFor={`${id}-${i}`}>{o.label}</label>
          </li>
        ))}
      </ul>
    </GroupShell>
  );
}

/** Checkboxes for any number of options. */
export function CheckboxGroupField({
  legend,
  values,
  onChange,
  options,
  error,
  hint,
  required,
}: {
  legend: string;
  values: readonly string[];
  onChange: (values: string[]) => void;
  options: readonly Option[];
  error?: string;
  hint?: ReactNode;
  required?: boolean;
}) {
  const id = useId();
  function toggle(value: string, on: boolean) {
    const next = on ? [...values, value] : values.filter((v) => v !== value);
    // Keep the options' order, whatever order they were ticked in.
    onChange(options.map((o) => o.value).filter((v) => next.includes(v)));
  }
  return (
    <GroupShell id={id} legend={legend} hint={hint} error={error} required={required}>
      <ul className="checkbox-list">
        {options.map((o, i) => (
          <li key={o.value}>
            <input
              id={`${id}-${i}`}
              type="checkbox"
              checked={values.includes(o.value)}
              onChange={(e) => toggle(o.value, e.target.checked)}
              aria-invalid={error ? true : undefined}
            />
            <label htmlFor={`${id}-${i}`}>{o.label}</label>
          </li>
        ))}
      </ul>
    </GroupShell>
  );
}
