/** @jsxImportSource hono/jsx */
import { type FormFields, typed } from "./form-input";
import { Field, type FormState, type FormValues } from "./forms";

/**
 * The postal address fields of a form (rue, code postal, ville, pays) under a prefix
 * (`address`, `landlord.address`, `creditor.address`), read as the service's
 * `PostalAddressInput`: all optional, but a town and a country once any is given.
 */
const PARTS = ["street", "postalCode", "town", "country"] as const;

export const addressFields = (prefix: string): FormFields => Object.fromEntries(PARTS.map((p) => [`${prefix}.${p}`, typed.text]));

export const addressLabels = (prefix: string, whose: string): Record<string, string> => ({
  [`${prefix}.street`]: `Rue (${whose})`,
  [`${prefix}.postalCode`]: `Code postal (${whose})`,
  [`${prefix}.town`]: `Ville (${whose})`,
  [`${prefix}.country`]: `Pays (${whose})`,
});

/** The country shown pre-filled (FR) is no address by itself: without street, postal code or town, the address is left out. */
export function withoutEmptyAddress(values: FormValues, prefix: string): FormValues {
  const given = ["street", "postalCode", "town"].some((p) => String(values[`${prefix}.${p}`] ?? "").trim() !== "");
  if (given) return values;
  const { [`${prefix}.country`]: _country, ...rest } = values;
  return rest;
}

export const AddressFields = ({ form, prefix, legend }: { form: FormState; prefix: string; legend: string }) => (
  <fieldset class="address">
    <legend>{legend}</legend>
    <p class="hint">Facultative ; si elle est saisie, la ville et le pays sont obligatoires (fichiers SEPA, requête MASP 3).</p>
    <Field form={form} name={`${prefix}.street`} optional autocomplete="off" />
    <div class="grid3">
      <Field form={form} name={`${prefix}.postalCode`} optional autocomplete="off" />
      <Field form={form} name={`${prefix}.town`} optional autocomplete="off" />
      <Field form={form} name={`${prefix}.country`} optional autocomplete="off" hint="Code à deux lettres : FR." />
    </div>
  </fieldset>
);
