import lockfile from "proper-lockfile";

/** A lock older than this with no heartbeat belongs to a process that died: it is taken over. */
const STALE_MS = 10_000;

class DatabaseBusyError extends Error {
  constructor(dir: string) {
    super(
      `the embedded database ${dir} is open in another process (the service?); stop it first (the embedded PGlite serves one process), or set DATABASE_URL to a PostgreSQL server. A lock left by a process that died expires ${STALE_MS / 1000} s after it.`,
    );
    this.name = "DatabaseBusyError";
  }
}

/**
 * PGlite keeps its database in one process's memory and writes its directory behind
 * it: a second process opening the same directory (the CLI while the service runs)
 * would not see the other's writes and could overwrite them. proper-lockfile holds
 * `<dir>.lock` (an atomic mkdir, kept fresh by a heartbeat), so the second process is
 * refused, and a crashed owner's lock goes stale on its own, across containers too.
 */
export function lockPgliteDir(dir: string): () => void {
  try {
    return lockfile.lockSync(dir, {
      stale: STALE_MS,
      realpath: false,
      // Losing the lock (the heartbeat blocked past the stale delay) is worth a warning, not a crash.
      onCompromised: (error) => process.emitWarning(`embedded database lock lost: ${error.message}`),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ELOCKED") throw new DatabaseBusyError(dir);
    throw error;
  }
}
