import { sql } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import type { Db } from "../../db/client";
import { notificationDeliveries } from "../../db/schema/notifications";
import { queryRows, uuidArray } from "../../db/sql";
import { withTransaction } from "../../db/transaction";

export interface DigestSummary {
  asOf: string;
  recipients: number;
  alerts: number;
}

/**
 * The 08:30 digest: per person, the alert mails they chose to receive grouped become
 * one digest delivery (sent like any other), and each becomes `grouped` under it. An
 * item is grouped once, so a second run the same day groups only what came since.
 */
export async function composeDigests(db: Db, asOf: string): Promise<DigestSummary> {
  return withTransaction(db, async (tx) => {
    const items = await queryRows<{ id: string; user_id: string }>(
      tx,
      sql`select id, user_id from notification_deliveries
           where status = 'pending' and mode = 'digest' and kind = 'alert' and channel = 'mail'
           order by user_id, created_at, id for update skip locked`,
    );
    const byUser = new Map<string, typeof items>();
    for (const item of items) byUser.set(item.user_id, [...(byUser.get(item.user_id) ?? []), item]);
    for (const [userId, mine] of byUser) {
      const digestId = uuidv7();
      await tx.insert(notificationDeliveries).values({
        id: digestId,
        deliveryKey: `digest:${userId}:${mine[0]!.id}`,
        channel: "mail",
        kind: "digest",
        event: "digest",
        userId,
        payload: { date: asOf },
      });
      await queryRows(
        tx,
        sql`update notification_deliveries set status = 'grouped', digest_id = ${digestId} where id = any(${uuidArray(mine.map((i) => i.id))}::uuid[])`,
      );
    }
    return { asOf, recipients: byUser.size, alerts: items.length };
  });
}
