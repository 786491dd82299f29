import type { Logger } from "pino";
import type { TokenResolver } from "../auth/tokens";
import type { Db } from "../db/client";

export type QueueState = "ok" | "disabled" | "error";

/** What the HTTP layer needs from the outside world; tests build their own. */
export interface AppDeps {
  db: Db;
  logger: Logger;
  resolveToken: TokenResolver;
  queueState: () => Promise<QueueState>;
  /** Today's business date; tests inject a fixed one. */
  today?: () => string;
}
