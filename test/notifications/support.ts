import { setTimeout as sleep } from "node:timers/promises";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { v7 as uuidv7 } from "uuid";
import type { Db } from "../../src/db/client";
import { beneficiaries } from "../../src/db/schema/beneficiaries";
import { alerts } from "../../src/db/schema/jobs";
import type { AlertKind } from "../../src/domain/finance-alerts";

interface ReceivedMail {
  envelopeTo: string[];
  raw: string;
  parsed: ParsedMail;
}

/**
 * A real SMTP server on a free port (the `smtp-server` package): it keeps each mail it
 * accepts; `refuse` answers the next RCPT TO commands with a 451, `hang` makes the next
 * DATA never answered (a server that took the message but never said so).
 */
export async function startSmtp() {
  const mails: ReceivedMail[] = [];
  const state = { refuse: 0, hang: 0, dataStarted: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (state.refuse > 0) {
        state.refuse--;
        const error = Object.assign(new Error("Try again later"), { responseCode: 451 });
        return callback(error);
      }
      callback();
    },
    onData(stream, session, callback) {
      state.dataStarted++;
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        if (state.hang > 0) {
          state.hang--;
          return; // never answered
        }
        const raw = Buffer.concat(chunks).toString("utf8");
        void simpleParser(raw).then((parsed) => {
          mails.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), raw, parsed });
          callback();
        });
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function waitFor<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 20_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(50)) {
    const value = await probe();
    if (value) return value;
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The fixtures' personal data: the mails must name the person by first name and initial only. */
export const PERSON = { firstName: "Camille", lastName: "Delacroix", cafNumber: "1234567", iban: "FR7630006000011234567890189" };

export async function insertBeneficiary(db: Db, caseworkerId: string | null, person: Partial<typeof PERSON> = {}): Promise<string> {
  const id = uuidv7();
  const p = { ...PERSON, ...person };
  await db
    .insert(beneficiaries)
    .values({ id, firstName: p.firstName, lastName: p.lastName, birthDate: "1980-04-02", cafNumber: p.cafNumber, iban: p.iban, caseworkerId });
  return id;
}

const period = (month: string, due: number, paid: number) => ({ period: month, dueDate: `${month}-05`, due, paid, creditsReceived: paid });

/** An alert as the unpaid-rent check writes it (the outbox does not care who writes). */
export async function raiseAlert(
  db: Db,
  beneficiaryId: string,
  type: AlertKind = "unpaid_rent",
  months: string[] = ["2026-01"],
  audience: "caseworker" | "finance" = "caseworker",
  evidence?: Record<string, unknown>,
): Promise<string> {
  const id = uuidv7();
  await db.insert(alerts).values({
    id,
    beneficiaryId,
    type,
    audience,
    episode: audience === "finance" ? uuidv7() : months[0]!,
    periods: months,
    evidence: evidence ?? { asOf: "2026-03-06", rentEnvelope: 0, periods: months.map((m) => period(m, 50000, 12000)) },
  });
  return id;
}

export const rentEvidence = (months: string[]) => ({ asOf: "2026-03-06", rentEnvelope: 0, periods: months.map((m) => period(m, 50000, 12000)) });
