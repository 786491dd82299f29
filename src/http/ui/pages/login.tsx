/** @jsxImportSource hono/jsx */
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { login, logout, SESSION_HOURS } from "../../../auth/sessions";
import { isStorableText } from "../../../services/schemas";
import { requestSite } from "../../middleware/request-site";
import { readForm } from "../forms";
import { Page } from "../layout";
import { SESSION_COOKIE, type UiApp, type UiDeps } from "../session";

const LoginPage = ({ error, email }: { error?: string; email?: string }) => (
  <Page title="Connexion">
    <h1>Connexion</h1>
    {error ? (
      <p class="error" role="alert">
        {error}
      </p>
    ) : null}
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

const page = (props: { error?: string; email?: string }) => `<!doctype html>${(<LoginPage {...props} />).toString()}`;

/** The only UI route reachable without a session. */
export function loginRoutes(ui: UiApp, deps: UiDeps, options: { secureCookies: boolean }) {
  ui.get("/connexion", (c) => c.html(page({})));
  ui.post("/connexion", async (c) => {
    // No session yet, so no CSRF token: a login posted from another site (to sign someone in as the attacker) is refused by origin.
    if (requestSite(c.req.raw) === "cross-site") return c.text("Connexion refusée : formulaire envoyé depuis un autre site.", 403);
    const f = await readForm(c);
    // An address PostgreSQL could not even compare (a NUL…) names nobody: the same answer as a wrong one.
    const email = typeof f.email === "string" && isStorableText(f.email) ? f.email : "";
    const result = await login(deps.db, email, typeof f.password === "string" ? f.password : "");
    if (!result) return c.html(page({ error: "E-mail ou mot de passe incorrect.", email }), 401);
    setCookie(c, SESSION_COOKIE, result.token, { httpOnly: true, sameSite: "Lax", secure: options.secureCookies, path: "/", maxAge: SESSION_HOURS * 3600 });
    return c.redirect("/");
  });
}

/** Behind the session middleware: logging out is a form like any other, with its CSRF token. */
export function logoutRoutes(ui: UiApp, deps: UiDeps) {
  ui.post("/deconnexion", async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (token) await logout(deps.db, token);
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.redirect("/connexion");
  });
}
