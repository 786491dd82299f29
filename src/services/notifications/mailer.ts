import { createTransport } from "nodemailer";
import { v7 as uuidv7 } from "uuid";
import type { Tx } from "../../db/client";
import { outboundMails } from "../../db/schema/notifications";
import type { MailText } from "./mail-text";

interface OutgoingMail extends MailText {
  deliveryId: string;
  /** `<delivery-id@host>`: the same on every attempt, so a mail resent after a crash is folded by the client. */
  messageId: string;
  to: string;
}

/**
 * Where mails go: an SMTP server (SMTP_URL), or the database for the admins'
 * *Courriels* page. `send` gets the delivery's transaction: the database mailer writes
 * in it, so a kept mail exists exactly when its delivery is marked sent.
 */
export interface Mailer {
  readonly kind: "smtp" | "database";
  send(tx: Tx, mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** `smtp://host:port` (STARTTLS when the server offers it) or `smtps://` (TLS from the start), as nodemailer reads the URL. */
export function smtpMailer(url: string, from: string): Mailer {
  const transport = createTransport({ url, connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 60_000 } as never);
  return {
    kind: "smtp",
    async send(_tx, mail) {
      await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, messageId: mail.messageId });
    },
    close: () => transport.close(),
  };
}

export function databaseMailer(): Mailer {
  return {
    kind: "database",
    async send(tx, mail) {
      await tx
        .insert(outboundMails)
        .values({ id: uuidv7(), deliveryId: mail.deliveryId, messageId: mail.messageId, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html })
        .onConflictDoNothing();
    },
    close: () => {},
  };
}

/** The host of PUBLIC_URL names the Message-IDs. */
export const messageIdFor = (deliveryId: string, publicUrl: string) => `<${deliveryId}@${new URL(publicUrl).hostname || "masp.invalid"}>`;
