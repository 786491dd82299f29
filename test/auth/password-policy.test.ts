import { describe, expect, it } from "vitest";
import { LOGIN_THROTTLE, waitAfterFailures } from "../../src/auth/login-throttle";
import { PASSWORD_ISSUE_FR, passwordIssues } from "../../src/auth/password-policy";

const who = { email: "camille.martin@asso.example", displayName: "Camille Martin-Lefèvre" };

describe("password policy (CNIL délibération 2022-100, 80 bits)", () => {
  it.each([
    ["12 characters of the four kinds", "Rq7!vLp2#xZa"],
    ["14 characters of three kinds", "Rq7vLp2xZa9TwK"],
    ["a passphrase of 7 words", "le chat dort sous la table verte"],
  ])("accepts %s", (_, password) => {
    expect(passwordIssues(password, who)).toEqual([]);
  });

  it.each([
    ["11 characters of the four kinds", "Rq7!vLp2#xZ", "password_too_weak"],
    ["13 characters without a special one", "Rq7vLp2xZa9Tw", "password_too_weak"],
    ["14 characters without a digit", "RqxvLpaxZaeTwK", "password_too_weak"],
    ["6 words", "le chat dort sous la table", "password_too_weak"],
    ["the e-mail's local part", "camille.martin!X9aa", "password_contains_identity"],
    ["a part of the name, whatever its accents and case", "LEFEVRE-2026-Qz!x", "password_contains_identity"],
    ["a password longer than 128 characters", `Aa1!${"x".repeat(130)}`, "password_too_long"],
  ])("refuses %s", (_, password, code) => {
    expect(passwordIssues(password, who)).toContain(code);
  });

  it("explains each refusal in French", () => {
    expect(PASSWORD_ISSUE_FR.password_too_weak).toMatch(/au moins 12 caractères/);
    expect(PASSWORD_ISSUE_FR.password_contains_identity).toMatch(/ni votre adresse e-mail ni votre nom/);
  });
});

describe("sign-in throttling policy", () => {
  it("waits longer after each failure from its threshold, then locks", () => {
    const waits = Array.from({ length: 11 }, (_, i) => waitAfterFailures(i, LOGIN_THROTTLE.account, LOGIN_THROTTLE));
    expect(waits).toEqual([0, 0, 0, 1, 2, 4, 8, 16, 32, 60, LOGIN_THROTTLE.lockSeconds]);
  });
});
