export * from "./ledger";
export * from "./auth";
