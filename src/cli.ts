import { parseArgs } from "node:util";
import { eq } from "drizzle-orm";
import { generatePassword, hashPassword } from "./auth/passwords";
import { createToken, ROLES, type Role } from "./auth/tokens";
import { openMigratedDatabase } from "./bootstrap";
import { ConfigError, loadConfig } from "./config";
import { users } from "./db/schema/users";
import { createLogger, describeError } from "./logger";
import { cliSource, traceAccess } from "./services/audit/access-log";
import { type ServiceContext, systemContext } from "./services/context";
import { CreateUserInput, createUser, findUserByEmail } from "./services/users/users";

const USAGE = `usage:
  npm run cli -- tokens:create --role <${ROLES.join("|")}> --name <label> [--user <email>]
      creates an API token (acting for a staff member with --user); prints it once, on the last line
  npm run cli -- users:create --email <email> --role <${ROLES.join("|")}> [--name <display name>]
      creates a staff member who can log in to the web UI; prints a one-time password on the last line`;

/** Who runs a command, for the access traces: the operating-system account and machine. */
const cliContext = (db: ServiceContext["db"]): ServiceContext => ({ ...systemContext(db, "cli"), source: cliSource() });

/** Administrative commands. Logs go to stderr, so stdout's last line is the result. */
async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL, process.stderr as never);
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
      const database = await openMigratedDatabase(config, logger);
      try {
        const email = values.email ?? "";
        const user = await createUser({
          ctx: systemContext(database.db, "cli"),
          // The command line is an edge: its arguments are validated here, once.
          data: CreateUserInput.parse({ email, role: values.role, displayName: values.name ?? email.split("@")[0] ?? "" }),
        });
        const password = generatePassword();
        await database.db
          .update(users)
          .set({ passwordHash: await hashPassword(password) })
          .where(eq(users.id, user.id));
        process.stdout.write(`created ${user.role} ${user.email} (id ${user.id}); one-time password, shown only once:\n${password}\n`);
      } finally {
        await database.close();
      }
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
