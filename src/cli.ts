import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { onAccessChange, redisAnnouncer } from "./auth/token-cache";
import { createToken, ROLES, type Role } from "./auth/tokens";
import { openMigratedDatabase } from "./bootstrap";
import { ConfigError, loadConfig } from "./config";
import { createLogger, describeError } from "./logger";
import { cliSource, traceAccess } from "./services/audit/access-log";
import { type ServiceContext, systemContext } from "./services/context";
import { listTokens, revokeToken, TokenRef } from "./services/users/api-tokens";
import { resetPassword } from "./services/users/passwords";
import { disableUser, enableUser } from "./services/users/user-access";
import { CreateUserInput, createUser, findUserByEmail } from "./services/users/users";

const USAGE = `usage:
  npm run cli -- tokens:create --role <${ROLES.join("|")}> --name <label> [--user <email>]
      creates an API token (acting for a staff member with --user); prints it once, on the last line
  npm run cli -- users:create --email <email> --role <${ROLES.join("|")}> [--name <display name>]
      creates a staff member who can log in to the web UI; prints a one-time password on the last line
  npm run cli -- users:disable --email <email>
      disables a staff member: their sessions end and their API tokens are refused at once
  npm run cli -- users:enable --email <email>
  npm run cli -- users:reset-password --email <email>
      issues a new one-time password (printed on the last line; to be changed at sign-in)
  npm run cli -- tokens:list [--user <email>]
  npm run cli -- tokens:revoke --id <token id>
      revokes an API token for good, at once`;

/** Who runs a command, for the access traces: the operating-system account and machine. */
const cliContext = (db: ServiceContext["db"]): ServiceContext => ({ ...systemContext(db, "cli"), source: cliSource() });

/** Administrative commands. Logs go to stderr, so stdout's last line is the result. */
async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL, process.stderr as never);
  /** Opens the migrated database for one command, acting as `cli` in the audit. */
  const withDatabase = async (work: (ctx: ServiceContext) => Promise<void>) => {
    const database = await openMigratedDatabase(config, logger);
    // The API processes cache tokens when they share Redis: a revocation or a disable made here is announced to them.
    // Lazy: a command that takes no access away never connects.
    const redis =
      database.driver === "postgres"
        ? new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2_000, retryStrategy: () => null })
        : undefined;
    if (redis) onAccessChange(database.db, redisAnnouncer(redis, config.QUEUE_PREFIX, logger));
    try {
      await work(cliContext(database.db));
    } finally {
      redis?.disconnect();
      await database.close();
    }
  };
  switch (command) {
    case "tokens:create": {
      const { values } = parseArgs({ args: rest, options: { role: { type: "string" }, name: { type: "string" }, user: { type: "string" } } });
      if (!values.role || !ROLES.includes(values.role as Role)) throw new Error(`--role must be one of ${ROLES.join(", ")}\n${USAGE}`);
      if (!values.name || !/^[\w .@-]{1,100}$/.test(values.name)) throw new Error(`--name is required (letters, digits, space . @ - _)\n${USAGE}`);
      const database = await openMigratedDatabase(config, logger);
      try {
        let userId: string | undefined;
        if (values.user) {
          const user = await findUserByEmail(systemContext(database.db, "cli"), values.user);
          if (!user) throw new Error(`no staff member with e-mail ${values.user}`);
          if (user.role !== values.role) throw new Error(`${values.user} is ${user.role}, not ${values.role}`);
          userId = user.id;
        }
        const { id, token } = await createToken(database.db, { role: values.role as Role, name: values.name, userId });
        await traceAccess(cliContext(database.db), { action: "token.created", details: { createdTokenId: id, role: values.role, forUserId: userId } });
        process.stdout.write(`created ${values.role} token "${values.name}" (id ${id}); it is shown only once:\n${token}\n`);
      } finally {
        await database.close();
      }
      return;
    }
    case "users:create": {
      const { values } = parseArgs({ args: rest, options: { email: { type: "string" }, role: { type: "string" }, name: { type: "string" } } });
      await withDatabase(async (ctx) => {
        const email = values.email ?? "";
        const user = await createUser({
          ctx,
          // The command line is an edge: its arguments are validated here, once.
          data: CreateUserInput.parse({ email, role: values.role, displayName: values.name ?? email.split("@")[0] ?? "" }),
        });
        const { password } = await resetPassword({ ctx, data: { userId: user.id } });
        process.stdout.write(`created ${user.role} ${user.email} (id ${user.id}); one-time password, shown only once:\n${password}\n`);
      });
      return;
    }
    case "users:disable":
    case "users:enable":
    case "users:reset-password": {
      const { values } = parseArgs({ args: rest, options: { email: { type: "string" } } });
      if (!values.email) throw new Error(`--email is required\n${USAGE}`);
      const email = values.email;
      await withDatabase(async (ctx) => {
        const user = await findUserByEmail(ctx, email);
        if (!user) throw new Error(`no staff member with e-mail ${email}`);
        const data = { userId: user.id };
        if (command === "users:disable") {
          await disableUser({ ctx, data });
          process.stdout.write(`disabled ${user.email} (id ${user.id}): sessions ended, API tokens refused\n`);
        } else if (command === "users:enable") {
          await enableUser({ ctx, data });
          process.stdout.write(`re-enabled ${user.email} (id ${user.id})\n`);
        } else {
          const { password } = await resetPassword({ ctx, data });
          process.stdout.write(`new one-time password for ${user.email}, shown only once (to be changed at sign-in):\n${password}\n`);
        }
      });
      return;
    }
    case "tokens:list": {
      const { values } = parseArgs({ args: rest, options: { user: { type: "string" } } });
      await withDatabase(async (ctx) => {
        const user = values.user ? await findUserByEmail(ctx, values.user) : undefined;
        if (values.user && !user) throw new Error(`no staff member with e-mail ${values.user}`);
        for (const t of await listTokens({ ctx, userId: user?.id })) {
          const state = t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : t.active ? "active" : "suspended (user disabled)";
          process.stdout.write(`${t.id}\t${t.role}\t${t.name}\t${t.userEmail ?? "-"}\t${t.createdAt.toISOString()}\t${state}\n`);
        }
      });
      return;
    }
    case "tokens:revoke": {
      const { values } = parseArgs({ args: rest, options: { id: { type: "string" } } });
      const ref = TokenRef.safeParse({ tokenId: values.id });
      if (!ref.success) throw new Error(`--id must be a token id (tokens:list shows them)\n${USAGE}`);
      await withDatabase(async (ctx) => {
        await revokeToken({ ctx, data: ref.data });
        process.stdout.write(`revoked token ${ref.data.tokenId}\n`);
      });
      return;
    }
    default:
      throw new Error(USAGE);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : describeError(error));
  process.exit(error instanceof ConfigError ? 78 : 1);
});
