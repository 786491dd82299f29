import { eq } from "drizzle-orm";
import { hashPassword } from "../../src/auth/passwords";
import type { Db } from "../../src/db/client";
import { users } from "../../src/db/schema/users";
import type { Role } from "../../src/domain/roles";
import { systemContext } from "../../src/services/context";
import { CreateUserInput, createUser } from "../../src/services/users/users";
import type { TestApp } from "./app";

export const STAFF_PASSWORD = "mot-de-passe-1";

/** A staff member who can sign in with `STAFF_PASSWORD`. */
export async function staffUser(db: Db, email: string, role: Role, displayName: string): Promise<string> {
  const user = await createUser({ ctx: systemContext(db), data: CreateUserInput.parse({ email, role, displayName }) });
  await db
    .update(users)
    .set({ passwordHash: await hashPassword(STAFF_PASSWORD) })
    .where(eq(users.id, user.id));
  return user.id;
}

export interface UiPage {
  status: number;
  html: string;
  location: string | null;
}

/**
 * A signed-in browser without the browser: keeps the session cookie and the page's
 * CSRF token, and posts forms the way a browser does (urlencoded, repeated keys for
 * checkbox groups).
 */
export async function uiSession(app: TestApp, email: string) {
  const login = await app.request("/connexion", { method: "POST", body: new URLSearchParams({ email, password: STAFF_PASSWORD }) });
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
  if (login.status !== 302 || !cookie.startsWith("masp_session=")) throw new Error(`login of ${email} failed: ${login.status}`);
  const read = async (res: Response): Promise<UiPage> => ({ status: res.status, html: await res.text(), location: res.headers.get("location") });
  const get = async (path: string) => read(await app.request(path, { headers: { cookie } }));
  const csrf = (await get("/")).html.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? "";
  const post = async (path: string, fields: Record<string, string | string[]>, options: { csrf?: string } = {}) => {
    const body = new URLSearchParams({ _csrf: options.csrf ?? csrf });
    for (const [k, v] of Object.entries(fields)) for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
    return read(await app.request(path, { method: "POST", headers: { cookie }, body }));
  };
  return { cookie, csrf, get, post };
}
