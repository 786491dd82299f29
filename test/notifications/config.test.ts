import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config";

describe("alert delivery configuration", () => {
  it("keeps mails in the database by default, with links to localhost", () => {
    const config = loadConfig({});
    expect(config.SMTP_URL).toBeUndefined();
    expect(config.PUBLIC_URL).toBe("http://localhost:3000");
    expect(config.NOTIFICATIONS_POLL_MS).toBe(5_000);
    expect(loadConfig({ SMTP_URL: "" }).SMTP_URL).toBeUndefined();
  });

  it("takes smtp:// and smtps:// URLs only, and an http(s) PUBLIC_URL", () => {
    expect(loadConfig({ SMTP_URL: "smtps://user:pw@mail.cd53.example:465" }).SMTP_URL).toBe("smtps://user:pw@mail.cd53.example:465");
    expect(loadConfig({ SMTP_URL: "smtp://127.0.0.1:1025" }).SMTP_URL).toBe("smtp://127.0.0.1:1025");
    for (const env of [{ SMTP_URL: "http://mail.example" }, { SMTP_URL: "mail.example:25" }, { PUBLIC_URL: "masp.example" }, { NOTIFICATIONS_POLL_MS: "10" }]) {
      expect(() => loadConfig(env), JSON.stringify(env)).toThrow(/Invalid configuration/);
    }
  });
});
