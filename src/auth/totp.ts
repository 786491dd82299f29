import { generateSecret, generateURI, verify } from "otplib";

/**
 * The optional second factor: TOTP (RFC 6238) through otplib, the defaults every
 * authenticator app reads (SHA-1, 6 digits, 30 s). One step of clock drift is accepted
 * either way.
 */
const ISSUER = "Registre MASP 2";

export const newTotpSecret = (): string => generateSecret();

/** What an authenticator app scans or reads: `otpauth://totp/…`. */
export const totpUri = (secret: string, email: string): string => generateURI({ issuer: ISSUER, label: email, secret });

export async function totpCodeValid(secret: string, code: string, now: Date = new Date()): Promise<boolean> {
  const token = code.replace(/\s/g, "");
  if (!/^\d{6}$/.test(token)) return false;
  try {
    return (await verify({ secret, token, epoch: Math.floor(now.getTime() / 1000), epochTolerance: 30 })).valid;
  } catch {
    return false;
  }
}
