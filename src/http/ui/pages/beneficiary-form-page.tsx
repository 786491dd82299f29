/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { ErrorSummary, type FormState } from "../forms";
import { CsrfField, render, type UiContext } from "../session";

/**
 * A form about the page's beneficiary (`withBeneficiary`): breadcrumbs back to the
 * fiche, the title with the person's name, the error summary, the CSRF token, and
 * the submit button with a way back.
 */
export function renderBeneficiaryForm(
  c: UiContext,
  page: { crumb: string; title: string; action: string; submit: string; form: FormState; intro?: Child; status?: 200 | 422 },
  fields: Child,
) {
  const b = c.get("beneficiary");
  const fiche = `/beneficiaires/${b.id}`;
  return render(
    c,
    page.title,
    <>
      <p class="crumbs">
        <a href="/beneficiaires">Bénéficiaires</a> › <a href={fiche}>{b.lastName}</a> › {page.crumb}
      </p>
      <h1>
        {page.title} — {b.firstName} {b.lastName}
      </h1>
      {page.intro}
      <ErrorSummary form={page.form} />
      <form method="post" action={`${fiche}/${page.action}`} novalidate>
        <CsrfField c={c} />
        {fields}
        <p class="actions">
          <button type="submit">{page.submit}</button> <a href={fiche}>Annuler</a>
        </p>
      </form>
    </>,
    page.status ?? 200,
  );
}
