import type { Logger } from "pino";
import type { Principal } from "../auth/tokens";

export type AppEnv = {
  Variables: {
    requestId: string;
    logger: Logger;
    principal: Principal;
  };
};
