/** @jsxImportSource hono/jsx */
import type { Child, FC } from "hono/jsx";
import { type Action, may } from "../../auth/permissions";
import type { SessionUser } from "../../auth/sessions";
import { FAVICON, STYLESHEETS } from "./assets";
import { ROLE_LABELS } from "./format";

/** Each link with the action its page needs (none: every signed-in user). */
const NAV: [string, string, Action | null][] = [
  ["/", "Tableau de bord", null],
  ["/beneficiaires", "Bénéficiaires", null],
  ["/versements/nouveau", "Saisie d'un versement", "credit.record"],
  ["/virements", "Virements", "operations.view"],
  ["/alertes", "Alertes", null],
  ["/propositions", "Propositions", "proposal.list"],
  ["/traitements", "Traitements", "operations.view"],
  ["/utilisateurs", "Utilisateurs", "user.manage"],
  ["/payeurs", "Payeurs", "banking.manage"],
  ["/journal", "Journal", "audit.read"],
  ["/courriels", "Courriels", "delivery.manage"],
  ["/webhooks", "Webhooks", "delivery.manage"],
  ["/banque", "Banque", "operations.view"],
];

export const Page: FC<{ title: string; user?: SessionUser; csrf?: string; path?: string; children?: Child }> = ({ title, user, csrf, path, children }) => (
  <html lang="fr">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{title} — Registre MASP 2</title>
      <link rel="icon" type="image/svg+xml" href={FAVICON} />
      <link rel="stylesheet" href={STYLESHEETS.app} />
    </head>
    <body>
      <a class="skip" href="#contenu">
        Aller au contenu
      </a>
      <header class="top">
        <span class="brand">Registre MASP 2</span>
        {user ? (
          <nav aria-label="Navigation principale">
            {NAV.filter(([, , action]) => !action || may(user.role, action)).map(([href, label]) => (
              <a href={href} aria-current={path === href || (href !== "/" && path?.startsWith(href)) ? "page" : undefined}>
                {label}
              </a>
            ))}
          </nav>
        ) : null}
        {user ? (
          <span class="me">
            <span>
              {user.displayName} <span class="role">({ROLE_LABELS[user.role] ?? user.role})</span>
            </span>
            <a href="/mes-alertes">Mes alertes par courriel</a>
            <a href="/mot-de-passe">Mot de passe</a>
            <form method="post" action="/deconnexion" class="inline">
              <input type="hidden" name="_csrf" value={csrf} />
              <button class="secondary" type="submit">
                Se déconnecter
              </button>
            </form>
          </span>
        ) : null}
      </header>
      <main id="contenu" tabindex={-1}>
        {children}
      </main>
    </body>
  </html>
);

export const Badge: FC<{ value: string; label: string }> = ({ value, label }) => <span class={`badge b-${value}`}>{label}</span>;
