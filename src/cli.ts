import { parseArgs } from "node:util";
import { createToken, ROLES, type Role } from "./auth/tokens";
import { openMigratedDatabase } from "./bootstrap";
import { ConfigError, loadConfig } from "./config";
import { createLogger, describeError } from "./logger";

const USAGE = `usage:
  npm run cli -- tokens:create --role <${ROLES.join("|")}> --name <label>
      creates an API token; prints it once, on the last line`;

/** Administrative commands. Logs go to stderr, so stdout's last line is the result. */
async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL, process.stderr as never);
  switch (command) {
    case "tokens:create": {
      const { values } = parseArgs({ args: rest, options: { role: { type: "string" }, name: { type: "string" } } });
      if (!values.role || !ROLES.includes(values.role as Role)) throw new Error(`--role must be one of ${ROLES.join(", ")}\n${USAGE}`);
      if (!values.name || !/^[\w .@-]{1,100}$/.test(values.name)) throw new Error(`--name is required (letters, digits, space . @ - _)\n${USAGE}`);
      const database = await openMigratedDatabase(config, logger);
      try {
        const { id, token } = await createToken(database.db, { role: values.role as Role, name: values.name });
        process.stdout.write(`created ${values.role} token "${values.name}" (id ${id}); it is shown only once:\n${token}\n`);
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
