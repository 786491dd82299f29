import type { Hono } from "hono";
import type { Logger } from "pino";
import type { LoginThrottle } from "../auth/login-throttle";
import type { TokenResolver } from "../auth/tokens";
import type { Db } from "../db/client";
import type { JobName, JobPayload, JobSummary, QueueState } from "../jobs/catalog";
import type { RequestLimits } from "./limits";

/** What the HTTP layer needs from the outside world; tests build their own. */
export interface AppDeps {
  db: Db;
  logger: Logger;
  resolveToken: TokenResolver;
  queueState: () => Promise<QueueState>;
  /** Runs a job for a business date (through the queue, or in process) and returns its summary. */
  runJob?: (name: JobName, payload: JobPayload) => Promise<JobSummary>;
  /** The queue dashboard (bull-board) to mount at /admin/queues, when jobs run on Redis. */
  queueDashboard?: Hono;
  /** Session cookies marked Secure (behind HTTPS). */
  secureCookies?: boolean;
  /** Body size and time limits by default (limits.ts lists the routes that need more). */
  limits?: RequestLimits;
  /** Today's business date; tests inject a fixed one. */
  today?: () => string;
  /** The clock of the sessions' idle expiry and of TOTP codes; tests inject their own. */
  now?: () => Date;
  /** Sign-in throttling (on Redis when jobs run there); default: in memory. */
  loginThrottle?: LoginThrottle;
  /** `MFA_REQUIRED=on`: admin and finance staff must sign in with a TOTP code. */
  mfaRequired?: boolean;
  /** `FOUR_EYES_THRESHOLD_CENTS`: a one-off payment above it waits for a second person. */
  fourEyesThresholdCents?: bigint;
}
