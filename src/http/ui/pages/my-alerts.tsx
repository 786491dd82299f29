/** @jsxImportSource hono/jsx */
import { ALL_ALERT_TYPES, type AlertKind } from "../../../domain/finance-alerts";
import { DELIVERY_MODES, type DeliveryMode } from "../../../domain/notifications";
import {
  AbsenceInput,
  NotificationPreferencesInput,
  readNotificationSettings,
  setAbsence,
  setNotificationPreferences,
} from "../../../services/notifications/preferences";
import { listUsers } from "../../../services/users/users";
import { Notice } from "../components";
import { parseForm, typed } from "../form-input";
import { ALERT_LABELS, frDate } from "../format";
import { ErrorSummary, Field, type FormState, type FormValues, readForm, SelectField, withRefusal } from "../forms";
import { refusal } from "../messages";
import { CsrfField, render, type UiApp, type UiContext } from "../session";

const TITLE = "Mes alertes par courriel";
const MODE_LABELS: Record<DeliveryMode, string> = { immediate: "immédiat", digest: "récapitulatif quotidien (8 h 30)" };
/** A finance member gets an alert type only when they ask for it: "none" is leaving the type out. */
const NONE = "aucun";
const CHOSEN_TYPES = ALL_ALERT_TYPES.filter((t) => t !== "masp3_trigger");
const PREFERENCE_FIELDS = Object.fromEntries(CHOSEN_TYPES.map((t) => [t, typed.choice]));
const ABSENCE_LABELS = { from: "Du", to: "Au (inclus)", substituteId: "Remplaçant" };
const ABSENCE_FIELDS = { from: typed.date, to: typed.date, substituteId: typed.choice };
const DONE: Record<string, string> = { preferences: "Préférences enregistrées.", absence: "Absence enregistrée." };

const idOf = (name: string) => `f-${name.replace(/[^A-Za-z0-9]/g, "-")}`;
const blank = (labels: Record<string, string>): FormState => ({ values: {}, errors: {}, labels });

interface PageState {
  preferences: FormState;
  absence: FormState;
}

/** One alert type's choice: radios under its French label; the MASP 3 trigger shown but not changeable. */
function ModeChoice({ type, form, withNone }: { type: AlertKind; form: FormState; withNone: boolean }) {
  const id = idOf(type);
  const fixed = type === "masp3_trigger";
  const current = fixed ? "immediate" : ((form.values[type] as string | undefined) ?? (withNone ? NONE : "immediate"));
  const options: [string, string][] = [
    ...DELIVERY_MODES.map((m): [string, string] => [m, MODE_LABELS[m]]),
    ...(withNone ? [[NONE, "pas de courriel"] as [string, string]] : []),
  ];
  const error = form.errors[type];
  return (
    <fieldset id={id} class={error ? "invalid" : undefined} tabindex={-1} aria-describedby={fixed ? `${id}-aide` : error ? `${id}-erreur` : undefined}>
      <legend>{ALERT_LABELS[type]}</legend>
      {fixed ? (
        <p class="hint" id={`${id}-aide`}>
          Toujours immédiat : le Département doit être prévenu sans délai (L.271-5).
        </p>
      ) : null}
      {error ? (
        <p class="field-error" id={`${id}-erreur`}>
          {error}
        </p>
      ) : null}
      <div class="checks">
        {(fixed ? options.slice(0, 1) : options).map(([value, label]) => (
          <div class="check">
            <input id={`${id}-${value}`} type="radio" name={type} value={value} checked={value === current} disabled={fixed} />
            <label for={`${id}-${value}`}>{label}</label>
          </div>
        ))}
      </div>
    </fieldset>
  );
}

type Settings = Awaited<ReturnType<typeof readNotificationSettings>>;
type Colleagues = Awaited<ReturnType<typeof listUsers>>;

function MyAlertsPage({ c, state, settings, colleagues }: { c: UiContext; state: PageState; settings: Settings; colleagues: Colleagues }) {
  const { user } = c.get("session");
  const substitutes = colleagues.filter((u) => u.id !== user.id);
  const withNone = user.role !== "caseworker";
  const preferences = { ...state.preferences, values: { ...settings.preferences, ...state.preferences.values } };
  const absenceForm = Object.keys(state.absence.values).length || !settings.absence ? state.absence : { ...state.absence, values: { ...settings.absence } };
  const current = settings.absence;
  const substituteName = current ? (colleagues.find((u) => u.id === current.substituteId)?.displayName ?? "un autre membre de l'équipe") : "";
  const done = DONE[c.req.query("fait") ?? ""];
  return (
    <>
      <h1>{TITLE}</h1>
      <Notice text={done} />
      <section aria-labelledby="h-modes">
        <h2 id="h-modes">Mode de réception par type d'alerte</h2>
        <p>
          Immédiat : un courriel à chaque alerte. Récapitulatif quotidien : un seul courriel à 8 h 30 (heure de Paris) avec les alertes de la veille.
          {withNone ? " Pas de courriel : ce type d'alerte ne vous est pas envoyé." : ""}
        </p>
        <ErrorSummary form={preferences} />
        <form method="post" action="/mes-alertes" class="narrow">
          <CsrfField c={c} />
          {ALL_ALERT_TYPES.map((type) => (
            <ModeChoice type={type} form={preferences} withNone={withNone} />
          ))}
          <p>
            <button type="submit">Enregistrer mes préférences</button>
          </p>
        </form>
      </section>
      <section aria-labelledby="h-absence">
        <h2 id="h-absence">Absence</h2>
        <p>
          {current
            ? `Absence déclarée du ${frDate(current.from)} au ${frDate(current.to)} : vos alertes vont à ${substituteName}. Une nouvelle déclaration la remplace.`
            : "Aucune absence déclarée. Pendant une absence, vos alertes vont au remplaçant choisi."}
        </p>
        <ErrorSummary form={absenceForm} />
        <form method="post" action="/mes-alertes/absence" class="narrow">
          <CsrfField c={c} />
          <Field form={absenceForm} name="from" type="date" />
          <Field form={absenceForm} name="to" type="date" />
          <SelectField
            form={absenceForm}
            name="substituteId"
            hint="Un membre actif de l'équipe ayant le même rôle que vous."
            options={[["", "— choisir —"], ...substitutes.map((u): [string, string] => [u.id, u.displayName])]}
          />
          <p>
            <button type="submit">Déclarer l'absence</button>
          </p>
        </form>
      </section>
    </>
  );
}

async function show(c: UiContext, state: Partial<PageState>, status: 200 | 422 = 200) {
  const ctx = c.get("ctx");
  const { user } = c.get("session");
  const [settings, colleagues] = await Promise.all([readNotificationSettings({ ctx, userId: user.id }), listUsers({ ctx, role: user.role })]);
  const full = { preferences: blank(ALERT_LABELS), absence: blank(ABSENCE_LABELS), ...state };
  return render(c, TITLE, <MyAlertsPage c={c} state={full} settings={settings} colleagues={colleagues} />, status);
}

/** The posted choices, "none" left out (a type not listed is not sent to a finance member). */
const chosen = (values: FormValues): FormValues => Object.fromEntries(Object.entries(values).filter(([, v]) => v !== NONE));

/** Every signed-in user chooses here how their own alerts reach them, and declares an absence. */
export function myAlertRoutes(ui: UiApp) {
  ui.get("/mes-alertes", (c) => show(c, {}));
  ui.post("/mes-alertes", async (c) => {
    const ctx = c.get("ctx");
    const userId = c.get("session").user.id;
    const values = await readForm(c);
    const form: FormState = { ...blank(ALERT_LABELS), values };
    const parsed = parseForm(NotificationPreferencesInput, chosen(values), PREFERENCE_FIELDS);
    if (!parsed.ok) return show(c, { preferences: { ...form, errors: parsed.errors } }, 422);
    try {
      // The MASP 3 trigger is not on the form (always immediate): what is recorded for it stays.
      const { preferences } = await readNotificationSettings({ ctx, userId });
      const masp3 = preferences.masp3_trigger ? { masp3_trigger: preferences.masp3_trigger } : {};
      await setNotificationPreferences({ ctx, userId, data: { ...parsed.data, ...masp3 } });
    } catch (error) {
      return show(c, { preferences: withRefusal(form, refusal(error)) }, 422);
    }
    return c.redirect("/mes-alertes?fait=preferences");
  });
  ui.post("/mes-alertes/absence", async (c) => {
    const values = await readForm(c);
    const form: FormState = { ...blank(ABSENCE_LABELS), values };
    const parsed = parseForm(AbsenceInput, values, ABSENCE_FIELDS);
    if (!parsed.ok) return show(c, { absence: { ...form, errors: parsed.errors } }, 422);
    try {
      await setAbsence({ ctx: c.get("ctx"), userId: c.get("session").user.id, data: parsed.data });
    } catch (error) {
      return show(c, { absence: withRefusal(form, refusal(error)) }, 422);
    }
    return c.redirect("/mes-alertes?fait=absence");
  });
}
