/** @jsxImportSource hono/jsx */

import { DomainError, NotFoundError } from "../../../domain/errors";
import { listTokens, revokeToken, TokenRef } from "../../../services/users/api-tokens";
import { resetPassword } from "../../../services/users/passwords";
import { disableUser, enableUser, UserRef } from "../../../services/users/user-access";
import { listStaff } from "../../../services/users/users";
import { Notice } from "../components";
import { ROLE_LABELS } from "../format";
import { refusal } from "../messages";
import { CsrfField, permit, render, type UiApp, type UiContext } from "../session";

const DONE: Record<string, string> = {
  desactive: "Compte désactivé : ses sessions sont fermées et ses jetons d'API refusés.",
  reactive: "Compte réactivé.",
  revoque: "Jeton révoqué.",
};

const frDateTime = (d: Date | null) => (d ? d.toLocaleString("fr-FR", { timeZone: "Europe/Paris", dateStyle: "short", timeStyle: "short" }) : "—");

const ActionButton = ({ c, action, label }: { c: UiContext; action: string; label: string }) => (
  <form method="post" action={action} class="inline">
    <CsrfField c={c} />
    <button type="submit" class="secondary">
      {label}
    </button>
  </form>
);

async function StaffPage({ c, notice, error, password }: { c: UiContext; notice?: string; error?: string; password?: { email: string; value: string } }) {
  const ctx = c.get("ctx");
  const [staff, tokens] = await Promise.all([listStaff(ctx), listTokens({ ctx })]);
  return (
    <>
      <h1>Utilisateurs</h1>
      <Notice text={notice} />
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {password ? (
        <div class="notice" role="status">
          <p>Mot de passe provisoire de {password.email}, affiché une seule fois (à changer à la première connexion) :</p>
          <p>
            <code id="mot-de-passe-provisoire">{password.value}</code>
          </p>
        </div>
      ) : null}
      <table>
        <caption class="sr-only">Comptes du personnel</caption>
        <thead>
          <tr>
            <th>Nom</th>
            <th>E-mail</th>
            <th>Rôle</th>
            <th>État</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {staff.map((u) => (
            <tr>
              <td>{u.displayName}</td>
              <td>{u.email}</td>
              <td>{ROLE_LABELS[u.role] ?? u.role}</td>
              <td>
                {u.disabled ? `désactivé le ${frDateTime(u.disabledAt)}` : "actif"}
                {u.mustChangePassword ? ", mot de passe provisoire" : ""}
                {u.totpEnabled ? ", double authentification" : ""}
              </td>
              <td>
                {u.disabled ? (
                  <ActionButton c={c} action={`/utilisateurs/${u.id}/reactiver`} label="Réactiver" />
                ) : u.id !== ctx.userId ? (
                  <ActionButton c={c} action={`/utilisateurs/${u.id}/desactiver`} label="Désactiver" />
                ) : null}{" "}
                <ActionButton c={c} action={`/utilisateurs/${u.id}/mot-de-passe`} label="Réinitialiser le mot de passe" />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Jetons d'API</h2>
      <table>
        <caption class="sr-only">Jetons d'API</caption>
        <thead>
          <tr>
            <th>Libellé</th>
            <th>Rôle</th>
            <th>Pour</th>
            <th>Créé le</th>
            <th>État</th>
            <th>Action</th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((t) => (
            <tr>
              <td>{t.name}</td>
              <td>{ROLE_LABELS[t.role] ?? t.role}</td>
              <td>{t.userEmail ?? "—"}</td>
              <td>{frDateTime(t.createdAt)}</td>
              <td>{t.revokedAt ? `révoqué le ${frDateTime(t.revokedAt)}` : t.active ? "actif" : "suspendu (compte désactivé)"}</td>
              <td>{t.revokedAt ? null : <ActionButton c={c} action={`/utilisateurs/jetons/${t.id}/revoquer`} label="Révoquer" />}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

const notFound = () => new NotFoundError("staff account or token", "(malformed id)");
const statusOf = (error: unknown) =>
  error instanceof DomainError && error.code === "not_found" ? 404 : error instanceof DomainError && error.code === "conflict" ? 409 : 422;

const REFUSED = { conflict: "Vous ne pouvez pas désactiver votre propre compte.", not_found: "Ce compte n'existe pas." } as const;

/** Administrators: disable and re-enable staff, reset a password, revoke API tokens. */
export function staffRoutes(ui: UiApp) {
  ui.get("/utilisateurs", permit("user.manage", "aux administrateurs"), async (c) => {
    const done = c.req.query("fait");
    return render(c, "Utilisateurs", await StaffPage({ c, notice: done ? DONE[done] : undefined }));
  });
  const act = (path: string, done: string, verb: (c: UiContext, id: string) => Promise<unknown>) =>
    ui.post(path, permit("user.manage", "aux administrateurs"), async (c) => {
      try {
        await verb(c, c.req.param("id") ?? "");
      } catch (error) {
        const summary = refusal(error, REFUSED).summary;
        return render(c, "Utilisateurs", await StaffPage({ c, error: summary }), statusOf(error));
      }
      return c.redirect(`/utilisateurs?fait=${done}`);
    });
  const userRef = (id: string) => UserRef.safeParse({ userId: id });
  act("/utilisateurs/:id/desactiver", "desactive", (c, id) => {
    const ref = userRef(id);
    return ref.success ? disableUser({ ctx: c.get("ctx"), data: ref.data }) : Promise.reject(notFound());
  });
  act("/utilisateurs/:id/reactiver", "reactive", (c, id) => {
    const ref = userRef(id);
    return ref.success ? enableUser({ ctx: c.get("ctx"), data: ref.data }) : Promise.reject(notFound());
  });
  act("/utilisateurs/jetons/:id/revoquer", "revoque", (c, id) => {
    const ref = TokenRef.safeParse({ tokenId: id });
    return ref.success ? revokeToken({ ctx: c.get("ctx"), data: ref.data }) : Promise.reject(notFound());
  });
  ui.post("/utilisateurs/:id/mot-de-passe", permit("user.manage", "aux administrateurs"), async (c) => {
    const ref = userRef(c.req.param("id"));
    try {
      if (!ref.success) throw notFound();
      const reset = await resetPassword({ ctx: c.get("ctx"), data: ref.data });
      return render(c, "Utilisateurs", await StaffPage({ c, password: { email: reset.email, value: reset.password } }));
    } catch (error) {
      const summary = refusal(error, REFUSED).summary;
      return render(c, "Utilisateurs", await StaffPage({ c, error: summary }), statusOf(error));
    }
  });
}
