/** @jsxImportSource hono/jsx */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Refusal } from "../../../auth/login-throttle";
import { checkPassword, confirmTotp, logout, openSession, resolveSession, SESSION_HOURS } from "../../../auth/sessions";
import { isStorableText } from "../../../services/schemas";
import { clientAddress } from "../../client-address";
import { requestSite } from "../../middleware/request-site";
import { readForm } from "../forms";
import { Page } from "../layout";
import { SESSION_COOKIE, type UiApp, type UiDeps } from "../session";
import { traceSignIn, traceSignOut } from "../sign-in-traces";

const WRONG = "E-mail ou mot de passe incorrect.";

const ErrorLine = ({ error }: { error?: string }) =>
  error ? (
    <p class="error" role="alert">
      {error}
    </p>
  ) : null;

const LoginPage = ({ error, email }: { error?: string; email?: string }) => (
  <Page title="Connexion">
    <h1>Connexion</h1>
    <ErrorLine error={error} />
    <form method="post" action="/connexion" class="narrow">
      <label for="email">Adresse e-mail</label>
      <input id="email" name="email" type="email" autocomplete="username" value={email ?? ""} required />
      <label for="password">Mot de passe</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required />
      <p>
        <button type="submit">Se connecter</button>
      </p>
    </form>
  </Page>
);

const CodePage = ({ error, csrf }: { error?: string; csrf: string }) => (
  <Page title="Code de vérification">
    <h1>Code de vérification</h1>
    <ErrorLine error={error} />
    <form method="post" action="/connexion/code" class="narrow">
      <input type="hidden" name="_csrf" value={csrf} />
      <label for="code">Code à 6 chiffres de votre application d'authentification</label>
      <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" required />
      <p>
        <button type="submit">Valider</button>
      </p>
    </form>
  </Page>
);

const html = (page: unknown) => `<!doctype html>${String(page)}`;

/** The same sentence whatever the e-mail: a lock says nothing of whether the account exists. */
const throttled = (r: Refusal) =>
  r.locked
    ? `Trop de tentatives : la connexion est bloquée pendant ${Math.ceil(r.retryAfterSeconds / 60)} min. Réessayez ensuite.`
    : `Trop de tentatives : patientez ${r.retryAfterSeconds} s avant de réessayer.`;

/** The sign-in pages, reachable without a (complete) session: e-mail and password, then the TOTP code if enrolled. */
export function loginRoutes(ui: UiApp, deps: UiDeps, options: { secureCookies: boolean }) {
  const setSessionCookie = (c: Context, token: string) =>
    setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: "Lax", secure: options.secureCookies, path: "/", maxAge: SESSION_HOURS * 3600 });

  ui.get("/connexion", (c) => c.html(html(<LoginPage />)));
  ui.post("/connexion", async (c) => {
    // No session yet, so no CSRF token: a login posted from another site (to sign someone in as the attacker) is refused by origin.
    if (requestSite(c.req.raw) === "cross-site") return c.text("Connexion refusée : formulaire envoyé depuis un autre site.", 403);
    const f = await readForm(c);
    // An address PostgreSQL could not even compare (a NUL…) names nobody: the same answer as a wrong one.
    const email = typeof f.email === "string" && isStorableText(f.email) ? f.email.slice(0, 320) : "";
    const keys = { email, address: clientAddress(c) ?? "unknown" };
    const refusal = await deps.loginThrottle.check(keys);
    if (refusal) {
      c.header("Retry-After", String(refusal.retryAfterSeconds));
      return c.html(html(<LoginPage error={throttled(refusal)} email={email} />), 429);
    }
    const user = await checkPassword(deps.db, email, typeof f.password === "string" ? f.password : "");
    await traceSignIn(c, deps.db, email, user ?? undefined);
    if (!user) {
      await deps.loginThrottle.failed(keys);
      return c.html(html(<LoginPage error={WRONG} email={email} />), 401);
    }
    const { token, awaitingTotp } = await openSession(deps.db, user, deps.now());
    // With a second factor the count is cleared only once the code is right.
    if (!awaitingTotp) await deps.loginThrottle.succeeded(keys);
    setSessionCookie(c, token);
    return c.redirect(awaitingTotp ? "/connexion/code" : "/");
  });

  ui.get("/connexion/code", async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    const session = token ? await resolveSession(deps.db, token, deps.now()) : null;
    if (!session) return c.redirect("/connexion");
    if (!session.awaitingTotp) return c.redirect("/");
    return c.html(html(<CodePage csrf={session.csrfToken} />));
  });
  ui.post("/connexion/code", async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    const session = token ? await resolveSession(deps.db, token, deps.now()) : null;
    if (!token || !session?.awaitingTotp) return c.redirect("/connexion");
    const f = await readForm(c);
    const body = await c.req.parseBody();
    if (body._csrf !== session.csrfToken) return c.text("Jeton CSRF invalide : rechargez la page.", 403);
    const keys = { email: session.user.email, address: clientAddress(c) ?? "unknown" };
    const refusal = await deps.loginThrottle.check(keys);
    if (refusal) {
      c.header("Retry-After", String(refusal.retryAfterSeconds));
      return c.html(html(<CodePage csrf={session.csrfToken} error={throttled(refusal)} />), 429);
    }
    if (!(await confirmTotp(deps.db, token, typeof f.code === "string" ? f.code : "", deps.now()))) {
      await deps.loginThrottle.failed(keys);
      return c.html(html(<CodePage csrf={session.csrfToken} error="Code incorrect ou expiré." />), 401);
    }
    await deps.loginThrottle.succeeded(keys);
    return c.redirect("/");
  });
}

/** Behind the session middleware: logging out is a form like any other, with its CSRF token. */
export function logoutRoutes(ui: UiApp, deps: UiDeps) {
  ui.post("/deconnexion", async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    await traceSignOut(c);
    if (token) await logout(deps.db, token);
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.redirect("/connexion");
  });
}
