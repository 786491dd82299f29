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

/**
 * The RFC 6238 time step a code matches, or null. A code of a step at or before
 * `afterStep` (the last one accepted) is refused: a code opens one sign-in, once.
 */
export async function totpCodeStep(secret: string, code: string, now: Date, afterStep: number | null): Promise<number | null> {
  const token = code.replace(/\s/g, "");
  if (!/^\d{6}$/.test(token)) return null;
  try {
    const result = await verify({ secret, token, epoch: Math.floor(now.getTime() / 1000), epochTolerance: 30, afterTimeStep: afterStep ?? undefined });
    return result.valid && "timeStep" in result ? result.timeStep : null;
  } catch {
    return null;
  }
}
