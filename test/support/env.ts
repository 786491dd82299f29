/** Where the tests find the machine's real services (overridable for other machines). */
export const TEST_ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
/**
 * The least-privilege role the tests' databases are opened as, like the service's
 * (README, Database roles); created by the global set-up when missing. A cluster
 * object shared by every test run on the machine, never dropped.
 */
const TEST_SERVICE_ROLE = process.env.TEST_SERVICE_ROLE ?? "masp_service";
const TEST_SERVICE_PASSWORD = process.env.TEST_SERVICE_PASSWORD ?? "";

/** The URL of database `name`: as the admin (who owns and migrates it) or as the service's role. */
export function databaseUrl(name: string, as: "owner" | "service" = "owner"): string {
  const url = new URL(TEST_ADMIN_URL);
  url.pathname = `/${name}`;
  if (as === "service") {
    url.username = TEST_SERVICE_ROLE;
    url.password = TEST_SERVICE_PASSWORD;
  }
  return url.toString();
}
