import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config";

/** The error loadConfig throws for `env`, so its message and issues can be inspected. */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe("loadConfig", () => {
  it("applies the defaults to an empty environment", () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.HOST).toBe("0.0.0.0");
    expect(config.QUEUE_PREFIX).toBe("masp");
    expect(config.SCHEDULER).toBe("on");
    expect(config.REDIS_URL).toBe("redis://127.0.0.1:6379");
    expect(config.LOG_LEVEL).toBe("info");
    expect(config.PGLITE_DIR).toBe("./data/pglite");
    expect(config.DB_POOL_MAX).toBe(10);
    expect(config.SHUTDOWN_TIMEOUT_MS).toBe(20_000);
    expect(config.BUSINESS_TZ).toBe("Europe/Paris");
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it("treats an empty DATABASE_URL as unset: the embedded database", () => {
    expect(loadConfig({ DATABASE_URL: "" }).DATABASE_URL).toBeUndefined();
  });

  it("keeps a postgres:// or postgresql:// DATABASE_URL", () => {
    expect(loadConfig({ DATABASE_URL: "postgres://u@h:5432/db" }).DATABASE_URL).toBe("postgres://u@h:5432/db");
    expect(loadConfig({ DATABASE_URL: "postgresql://u@h/db" }).DATABASE_URL).toBe("postgresql://u@h/db");
  });

  it("keeps DATABASE_OWNER_URL beside the service's DATABASE_URL (README, Database roles)", () => {
    const config = loadConfig({ DATABASE_URL: "postgres://masp_service:pw@h/db", DATABASE_OWNER_URL: "postgres://masp_owner:pw@h/db" });
    expect(config.DATABASE_OWNER_URL).toBe("postgres://masp_owner:pw@h/db");
    expect(loadConfig({ DATABASE_URL: "postgres://u@h/db", DATABASE_OWNER_URL: "" }).DATABASE_OWNER_URL).toBeUndefined();
  });

  it("refuses DATABASE_OWNER_URL without DATABASE_URL, or with a DATABASE_URL that names no role, without printing a password", () => {
    const alone = configError({ DATABASE_OWNER_URL: "postgres://masp_owner:hunter2@h/db" });
    expect(alone.message).toContain("DATABASE_OWNER_URL");
    expect(alone.message).not.toContain("hunter2");
    const anonymous = configError({ DATABASE_URL: "postgres://h/db", DATABASE_OWNER_URL: "postgres://masp_owner:hunter2@h/db" });
    expect(anonymous.issues).toEqual([expect.stringMatching(/^DATABASE_URL: must name the service's role/)]);
    expect(configError({ DATABASE_URL: "postgres://u@h/db", DATABASE_OWNER_URL: "mysql://x" }).message).toContain("DATABASE_OWNER_URL");
  });

  it("coerces numeric variables and accepts valid values", () => {
    const config = loadConfig({
      PORT: "8080",
      DB_POOL_MAX: "25",
      SHUTDOWN_TIMEOUT_MS: "5000",
      SCHEDULER: "off",
      LOG_LEVEL: "debug",
      QUEUE_PREFIX: "test-proc_1.a",
      REDIS_URL: "rediss://cache:6380",
    });
    expect(config).toMatchObject({
      PORT: 8080,
      DB_POOL_MAX: 25,
      SHUTDOWN_TIMEOUT_MS: 5000,
      SCHEDULER: "off",
      LOG_LEVEL: "debug",
      QUEUE_PREFIX: "test-proc_1.a",
      REDIS_URL: "rediss://cache:6380",
    });
  });

  it("ignores variables it does not know", () => {
    const config = loadConfig({ PATH: "/usr/bin", HOME: "/root" });
    expect(config).not.toHaveProperty("PATH");
  });

  it.each([
    ["PORT", "abc"],
    ["PORT", "70000"],
    ["PORT", "-1"],
    ["PORT", "3000.5"],
    ["SCHEDULER", "maybe"],
    ["LOG_LEVEL", "loud"],
    ["DATABASE_URL", "mysql://x"],
    ["QUEUE_PREFIX", "has space"],
    ["QUEUE_PREFIX", "a:b"],
    ["REDIS_URL", "http://127.0.0.1:6379"],
    ["DB_POOL_MAX", "0"],
    ["SHUTDOWN_TIMEOUT_MS", "10"],
    ["BUSINESS_TZ", "UTC"],
    ["NODE_ENV", "staging"],
    ["HOST", ""],
  ])("%s=%j throws a ConfigError naming the variable", (name, value) => {
    const error = configError({ [name]: value });
    expect(error.name).toBe("ConfigError");
    expect(error.message).toContain(`${name}:`);
    expect(error.issues.some((issue) => issue.startsWith(`${name}:`))).toBe(true);
  });

  it("reports every bad variable at once", () => {
    const error = configError({ PORT: "abc", SCHEDULER: "maybe", LOG_LEVEL: "loud" });
    expect(error.issues).toHaveLength(3);
    for (const name of ["PORT", "SCHEDULER", "LOG_LEVEL"]) expect(error.message).toContain(`${name}:`);
  });

  it("returns a frozen object", () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { PORT: number }).PORT = 1;
    }).toThrow(TypeError);
    expect(config.PORT).toBe(3000);
  });

  it("reads process.env when given no argument", () => {
    const saved = process.env.QUEUE_PREFIX;
    process.env.QUEUE_PREFIX = "from-process-env";
    try {
      expect(loadConfig().QUEUE_PREFIX).toBe("from-process-env");
    } finally {
      if (saved === undefined) delete process.env.QUEUE_PREFIX;
      else process.env.QUEUE_PREFIX = saved;
    }
  });
});
