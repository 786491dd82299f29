import { openSync, readFileSync, rmSync, writeSync, closeSync } from "node:fs";
import { join } from "node:path";

export class DatabaseBusyError extends Error {
  constructor(dir: string, pid: number) {
    super(`the embedded database ${dir} is open in another process (pid ${pid}); stop it first (the embedded PGlite serves one process), or set DATABASE_URL to a PostgreSQL server (if pid ${pid} is not the service, remove ${join(dir, "masp.lock")})`);
    this.name = "DatabaseBusyError";
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * PGlite keeps its database in one process's memory and writes its directory behind
 * it: a second process opening the same directory (the CLI while the service runs)
 * would not see the other's writes and could overwrite them. A lock file holding the
 * owner's pid refuses that; a lock left by a process that died is taken over.
 */
export function lockPgliteDir(dir: string): () => void {
  const path = join(dir, "masp.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(readFileSync(path, "utf8").trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) throw new DatabaseBusyError(dir, owner);
      rmSync(path, { force: true });
    }
  }
  throw new Error(`could not lock ${path}`);
}
