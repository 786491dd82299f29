import type { TestApp } from "../support/app";

/** A peer address for the requests of a test (what sign-in throttling counts per address). */
const fromAddress = (address: string) => ({ incoming: { socket: { remoteAddress: address, remotePort: 40000, remoteFamily: "IPv4" } } });

export interface Browser {
  status: number;
  location: string | null;
  html: string;
}

/**
 * A browser that follows nothing: it keeps the session cookie it is given at sign-in
 * and reads each page's CSRF token, so a test can walk the gates (TOTP code, new
 * password, enrolment) one answer at a time.
 */
export function browser(app: TestApp, address = "192.0.2.10") {
  let cookie = "";
  const read = async (res: Response): Promise<Browser> => {
    const set = res.headers.get("set-cookie");
    if (set?.startsWith("masp_session=")) cookie = set.split(";")[0]!;
    return { status: res.status, location: res.headers.get("location"), html: await res.text() };
  };
  const get = async (path: string) => read(await app.request(path, { headers: { cookie } }, fromAddress(address)));
  const csrfOf = async (path: string) => /name="_csrf" value="([^"]+)"/.exec((await get(path)).html)?.[1] ?? "";
  return {
    get,
    get cookie() {
      return cookie;
    },
    async login(email: string, password: string) {
      return read(await app.request("/connexion", { method: "POST", body: new URLSearchParams({ email, password }) }, fromAddress(address)));
    },
    /** Posts a form of the page at `formPage` (its CSRF token read there first). */
    async post(path: string, fields: Record<string, string>, formPage = path) {
      const body = new URLSearchParams({ _csrf: await csrfOf(formPage), ...fields });
      return read(await app.request(path, { method: "POST", headers: { cookie }, body }, fromAddress(address)));
    },
  };
}
