/** @jsxImportSource hono/jsx */
import { confirmTotpEnrolment, startTotpEnrolment } from "../../../services/users/second-factor";
import { ErrorSummary, Field, type FormState, readForm, withRefusal } from "../forms";
import { refusal } from "../messages";
import { CsrfField, render, type UiApp, type UiContext, type UiDeps } from "../session";

const LABELS = { code: "Code à 6 chiffres affiché par l'application" };

async function EnrolmentPage({ c, form }: { c: UiContext; form: FormState }) {
  const enrolment = await startTotpEnrolment(c.get("ctx"));
  if (enrolment.enabled)
    return (
      <>
        <h1>Double authentification</h1>
        <p class="notice" role="status">
          La double authentification est active : chaque connexion demande le code de votre application.
        </p>
        <p>
          <a href="/">Retour au tableau de bord</a>
        </p>
      </>
    );
  return (
    <>
      <h1>Activer la double authentification</h1>
      <p>
        Ajoutez ce compte dans votre application d'authentification (FreeOTP, Aegis, Google Authenticator…) avec la clé ci-dessous ou le lien
        <code>otpauth://</code>, puis saisissez le code qu'elle affiche.
      </p>
      <dl>
        <dt>Clé secrète</dt>
        <dd>
          <code id="totp-secret">{enrolment.secret}</code>
        </dd>
        <dt>Lien</dt>
        <dd>
          <code id="totp-uri">{enrolment.uri}</code>
        </dd>
      </dl>
      <ErrorSummary form={form} />
      <form method="post" action="/securite/totp" class="narrow">
        <CsrfField c={c} />
        <Field form={form} name="code" inputmode="numeric" autocomplete="one-time-code" value="" />
        <p>
          <button type="submit">Activer</button>
        </p>
      </form>
    </>
  );
}

const blank = (): FormState => ({ values: {}, errors: {}, labels: LABELS });

/** TOTP enrolment of the signed-in user; required before anything else for admin and finance when `MFA_REQUIRED=on`. */
export function secondFactorRoutes(ui: UiApp, deps: UiDeps) {
  ui.get("/securite/totp", async (c) => render(c, "Double authentification", await EnrolmentPage({ c, form: blank() })));
  ui.post("/securite/totp", async (c) => {
    const f = await readForm(c);
    try {
      await confirmTotpEnrolment({ ctx: c.get("ctx"), code: typeof f.code === "string" ? f.code : "", now: deps.now() });
    } catch (error) {
      return render(c, "Double authentification", await EnrolmentPage({ c, form: withRefusal(blank(), refusal(error)) }), 422);
    }
    return c.redirect("/securite/totp");
  });
}
