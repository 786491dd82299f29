/** @jsxImportSource hono/jsx */
import type { Context } from "hono";
import type { Child, FC } from "hono/jsx";
import type { Refusal } from "./messages";

export const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(s);

export type FormValues = Record<string, string | string[]>;

/** What a form page shows: the values typed, the French errors per field, and the labels that name them. */
export interface FormState {
  values: FormValues;
  errors: Record<string, string>;
  labels: Record<string, string>;
  summary?: string;
}

/** The posted fields, trimmed; checkbox groups as lists. The CSRF token is not a value. */
export async function readForm(c: Context): Promise<FormValues> {
  const body = await c.req.parseBody({ all: true });
  const values: FormValues = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === "_csrf") continue;
    if (Array.isArray(value)) values[key] = value.filter((v): v is string => typeof v === "string").map((v) => v.trim());
    else if (typeof value === "string") values[key] = value.trim();
  }
  return values;
}

export const withRefusal = (state: FormState, r: Refusal): FormState => ({ ...state, summary: r.summary, errors: { ...state.errors, ...r.fields } });

/** Integer cents → `1234,56`, the way a form field shows an amount to edit. */
export const centsToInput = (cents: bigint | number): string => {
  const c = BigInt(cents);
  const abs = c < 0n ? -c : c;
  return `${c < 0n ? "-" : ""}${abs / 100n},${String(abs % 100n).padStart(2, "0")}`;
};

const idOf = (name: string) => `f-${name.replace(/[^A-Za-z0-9]/g, "-")}`;
const fieldValue = (form: FormState, name: string) => {
  const v = form.values[name];
  return Array.isArray(v) ? (v[0] ?? "") : (v ?? "");
};

/** The error summary at the top of a refused form: focused, read out, each error links to its field. */
export const ErrorSummary: FC<{ form: FormState }> = ({ form }) => {
  const entries = Object.entries(form.errors);
  if (!form.summary && entries.length === 0) return null;
  return (
    <div class="error" role="alert" tabindex={-1} id="erreurs" aria-labelledby="erreurs-titre" autofocus>
      <p id="erreurs-titre">
        <strong>{form.summary ?? "La saisie est incomplète ou incorrecte."}</strong>
      </p>
      {entries.length ? (
        <ul>
          {entries.map(([name, message]) => (
            <li>
              <a href={`#${idOf(name)}`}>{form.labels[name] ?? name}</a> : {message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
};

interface FieldProps {
  form: FormState;
  name: string;
  type?: string;
  hint?: string;
  optional?: boolean;
  inputmode?: "decimal" | "numeric" | "email" | "tel" | "text";
  autocomplete?: string;
  placeholder?: string;
  value?: string;
  /** The id of a <datalist> of suggestions. */
  list?: string;
}

const Label: FC<{ form: FormState; name: string; optional?: boolean }> = ({ form, name, optional }) => (
  <label for={idOf(name)}>
    {form.labels[name] ?? name}
    {optional ? <span class="muted"> (facultatif)</span> : null}
  </label>
);

const Help: FC<{ id: string; hint?: string; error?: string }> = ({ id, hint, error }) => (
  <>
    {hint ? (
      <p class="hint" id={`${id}-aide`}>
        {hint}
      </p>
    ) : null}
    {error ? (
      <p class="field-error" id={`${id}-erreur`}>
        {error}
      </p>
    ) : null}
  </>
);

const described = (id: string, hint?: string, error?: string) => [hint ? `${id}-aide` : "", error ? `${id}-erreur` : ""].filter(Boolean).join(" ") || undefined;

interface ControlAttributes {
  id: string;
  name: string;
  required: boolean;
  "aria-invalid"?: "true";
  "aria-describedby"?: string;
}

/** One field's label, hint and error around its control, and the attributes that tie them together for screen readers. */
const Framed: FC<FieldProps & { control: (attributes: ControlAttributes) => Child }> = ({ form, name, hint, optional, control }) => {
  const id = idOf(name);
  const error = form.errors[name];
  return (
    <div class={error ? "field invalid" : "field"}>
      <Label form={form} name={name} optional={optional} />
      <Help id={id} hint={hint} error={error} />
      {control({ id, name, required: !optional, "aria-invalid": error ? "true" : undefined, "aria-describedby": described(id, hint, error) })}
    </div>
  );
};

export const Field: FC<FieldProps> = (props) => (
  <Framed
    {...props}
    control={(a) => (
      <input
        {...a}
        type={props.type ?? "text"}
        value={props.value ?? fieldValue(props.form, props.name)}
        inputmode={props.inputmode}
        autocomplete={props.autocomplete ?? "off"}
        placeholder={props.placeholder}
        list={props.list}
      />
    )}
  />
);

export const SelectField: FC<FieldProps & { options: readonly (readonly [string, string])[] }> = (props) => {
  const current = fieldValue(props.form, props.name);
  return (
    <Framed
      {...props}
      control={(a) => (
        <select {...a}>
          {props.options.map(([value, label]) => (
            <option value={value} selected={value === current}>
              {label}
            </option>
          ))}
        </select>
      )}
    />
  );
};

export const TextArea: FC<FieldProps & { rows?: number }> = (props) => (
  <Framed
    {...props}
    control={(a) => (
      <textarea {...a} rows={props.rows ?? 3}>
        {fieldValue(props.form, props.name)}
      </textarea>
    )}
  />
);

export const Checkbox: FC<{ form: FormState; name: string; hint?: string }> = ({ form, name, hint }) => {
  const id = idOf(name);
  const error = form.errors[name];
  return (
    <div class={error ? "field invalid check" : "field check"}>
      <input
        id={id}
        name={name}
        type="checkbox"
        checked={fieldValue(form, name) === "on"}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={described(id, hint, error)}
      />
      <label for={id}>{form.labels[name] ?? name}</label>
      <Help id={id} hint={hint} error={error} />
    </div>
  );
};

/** A group of checkboxes under one legend (a list of codes). */
export const CheckboxGroup: FC<{ form: FormState; name: string; hint?: string; options: readonly { value: string; label: Child }[] }> = ({
  form,
  name,
  hint,
  options,
}) => {
  const id = idOf(name);
  const error = form.errors[name];
  const selected = new Set(Array.isArray(form.values[name]) ? (form.values[name] as string[]) : form.values[name] ? [form.values[name] as string] : []);
  return (
    <fieldset id={id} class={error ? "invalid" : undefined} aria-describedby={described(id, hint, error)} tabindex={-1}>
      <legend>{form.labels[name] ?? name}</legend>
      <Help id={id} hint={hint} error={error} />
      <div class="checks">
        {options.map((o, i) => (
          <div class="check">
            <input id={`${id}-${i}`} type="checkbox" name={name} value={o.value} checked={selected.has(o.value)} />
            <label for={`${id}-${i}`}>{o.label}</label>
          </div>
        ))}
      </div>
    </fieldset>
  );
};
