# MASP ledger service. TypeScript runs directly under tsx (a runtime dependency),
# so there is no build stage: install production dependencies, copy the source, run.
FROM node:20-bookworm-slim

ENV NODE_ENV=production \
    PORT=3000

WORKDIR /app

# Dependencies first, so source edits do not invalidate the npm layer.
# tsx is in "dependencies", so dev dependencies (vitest, typescript, drizzle-kit) are left out.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
    && npm cache clean --force

COPY --chown=node:node . .

# PGlite fallback (no DATABASE_URL) writes under ./data; the node user must own it.
RUN mkdir -p /app/data && chown node:node /app/data

USER node

EXPOSE 3000

# Slim images have no curl: use Node's built-in fetch.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# API and BullMQ workers in one process; compose runs them separately
# with `npm run start:api` and `npm run start:worker`.
CMD ["npm", "start"]
