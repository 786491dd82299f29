/** @jsxImportSource hono/jsx */
import type { Context, Hono, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { LoginThrottle } from "../../auth/login-throttle";
import { type Action, may } from "../../auth/permissions";
import { resolveSession, type Session, type SessionGate, sessionGate } from "../../auth/sessions";
import type { readBeneficiary } from "../../services/beneficiaries/read-beneficiary";
import type { ServiceContext } from "../../services/context";
import { clientAddress } from "../client-address";
import type { AppDeps } from "../deps";
import { Page } from "./layout";

export const SESSION_COOKIE = "masp_session";
/** The paths the UI owns; the API, the docs, the queue dashboard and unknown paths keep their own answers. */
const UI_PATH =
  /^\/(beneficiaires|mesures|versements|paiements|virements|alertes|traitements|propositions|journal|courriels|webhooks|utilisateurs|payeurs|mot-de-passe|mes-alertes|securite|deconnexion|banque)?(\/|$)/;

/** The beneficiary a page is about, loaded once (within the caseload) by `withBeneficiary`. */
type PageBeneficiary = Awaited<ReturnType<typeof readBeneficiary>>;
export type UiEnv = { Variables: { session: Session; ctx: ServiceContext; beneficiary: PageBeneficiary } };
export type UiApp = Hono<UiEnv>;
export type UiContext = Context<UiEnv>;
export interface UiDeps extends AppDeps {
  today: () => string;
  now: () => Date;
  loginThrottle: LoginThrottle;
}

/** The session of the request's cookie, whatever it still has to do (`sessionGate`). */
export async function sessionOf(c: Context, deps: Pick<AppDeps, "db" | "now">): Promise<Session | null> {
  const token = getCookie(c, SESSION_COOKIE);
  return token ? resolveSession(deps.db, token, deps.now?.() ?? new Date()) : null;
}

/** Where a gated session is sent, and the paths it may still open there. */
const GATE_PAGES: Record<Exclude<SessionGate, null>, { page: string; open: string[] }> = {
  totp: { page: "/connexion/code", open: ["/deconnexion"] },
  password: { page: "/mot-de-passe", open: ["/mot-de-passe", "/deconnexion"] },
  enrol: { page: "/securite/totp", open: ["/securite/totp", "/mot-de-passe", "/deconnexion"] },
};

/**
 * Every UI page needs a session (otherwise: the login page) and every POST its
 * synchronizer CSRF token; the service context carries the user's role, so the
 * caseload filter of the services applies to every page.
 */
export function requireSession(deps: UiDeps): MiddlewareHandler<UiEnv> {
  return async (c, next) => {
    if (!UI_PATH.test(c.req.path)) return next();
    const session = await sessionOf(c, deps);
    if (!session) return c.redirect("/connexion");
    // A one-time password to replace, a TOTP code or enrolment due: nothing else opens before.
    const gate = sessionGate(session, deps.mfaRequired ?? false);
    if (gate && !GATE_PAGES[gate].open.includes(c.req.path)) return c.redirect(GATE_PAGES[gate].page);
    if (c.req.method === "POST") {
      const body = await c.req.parseBody();
      if (body._csrf !== session.csrfToken) return c.text("Jeton CSRF invalide : rechargez la page.", 403);
    }
    c.set("session", session);
    c.set("ctx", {
      db: deps.db,
      actor: `user:${session.user.email}`,
      role: session.user.role,
      userId: session.user.id,
      source: clientAddress(c),
      requestId: c.get("requestId" as never),
      today: deps.today,
      ...(deps.fourEyesThresholdCents === undefined ? {} : { fourEyesThresholdCents: deps.fourEyesThresholdCents }),
    });
    await next();
  };
}

/** A full page in the layout, for the signed-in user. */
export function render(c: UiContext, title: string, body: unknown, status: 200 | 201 | 403 | 404 | 409 | 422 = 200) {
  const { user, csrfToken } = c.get("session");
  return c.html(
    "<!doctype html>" +
      (
        <Page title={title} user={user} csrf={csrfToken} path={c.req.path}>
          {body as never}
        </Page>
      ).toString(),
    status,
  );
}

export const CsrfField = ({ c }: { c: UiContext }) => <input type="hidden" name="_csrf" value={c.get("session").csrfToken} />;

/** Whether the signed-in user may do the action: the same answer as the API's `allow` (`PERMISSIONS`). */
export const can = (c: UiContext, action: Action) => may(c.get("session").user.role, action);

/** Who the forms that change a file are for, in a refusal (a manager approves, never writes alone). */
export const WRITERS = "aux personnes qui tiennent les dossiers (un cadre valide les propositions, il ne saisit pas)";

/** Pages of an action the user may not do answer 403 (caseworkers do not handle money). */
export const permit =
  (action: Action, who?: string): MiddlewareHandler<UiEnv> =>
  async (c, next) =>
    can(c, action) ? next() : forbidden(c, who);

const forbidden = (c: UiContext, who = "au service financier") =>
  render(
    c,
    "Accès refusé",
    <>
      <h1>Accès refusé</h1>
      <p class="error" role="alert">
        Cette page est réservée {who}.
      </p>
      <p>
        <a href="/">Retour au tableau de bord</a>
      </p>
    </>,
    403,
  );
