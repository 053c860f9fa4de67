# The Escalate server image: `docker build .`, or `docker compose up --build` (docker-compose.yml).
# packages/server/test/dockerfile-replay.test.ts replays this file without Docker (each COPY, each RUN) and starts the
# result, so keep to FROM, WORKDIR, COPY [--from] [--chown], RUN [--mount=type=cache], ENV, USER, EXPOSE, HEALTHCHECK
# and CMD; anything else makes the replay stop and say so.

# Build: every workspace's dependencies, dev ones included, then `npm run build` at the root: the server (tsc, its
# migrations included), the SDK, and the wall screen (Vite) that the server serves at /dashboard.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# Manifests before sources: the `npm ci` layer is rebuilt only when one of them changes, not on every source edit.
# Every workspace's manifest, since `npm ci` installs the whole lock file's tree.
COPY package.json package-lock.json ./
COPY packages/server/package.json packages/server/
COPY packages/sdk/package.json packages/sdk/
COPY packages/dashboard/package.json packages/dashboard/
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY packages/server/tsconfig.json packages/server/tsconfig.build.json packages/server/
COPY packages/server/src packages/server/src
COPY packages/sdk/tsconfig.json packages/sdk/tsconfig.esm.json packages/sdk/tsconfig.cjs.json packages/sdk/
COPY packages/sdk/scripts packages/sdk/scripts
COPY packages/sdk/src packages/sdk/src
COPY packages/dashboard/tsconfig.json packages/dashboard/vite.config.ts packages/dashboard/index.html packages/dashboard/
COPY packages/dashboard/src packages/dashboard/src
RUN npm run build

# Runtime: production dependencies only, the built server and the built wall screen; no sources, no compilers.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/server/package.json packages/server/
COPY packages/sdk/package.json packages/sdk/
COPY packages/dashboard/package.json packages/dashboard/
# --omit=optional leaves out the embedded PostgreSQL's binaries (60 MB): the image runs on DATABASE_URL, and without it
# says so at start. The playground's assets (graphiql, react's UMD files) are production dependencies of the server.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --omit=optional --no-audit --no-fund
COPY --from=build /app/packages/server/dist packages/server/dist
COPY --from=build /app/packages/dashboard/dist packages/dashboard/dist
# The image's own `node` user: the code stays root's, read-only to the process. Nothing is written at run time with
# DATABASE_URL and AUTH_JWT_SECRET set (both required: NODE_ENV=production refuses to start without a secret).
USER node
ENV PORT=4000
EXPOSE 4000
# /readyz: 200 once the database answers, 503 while the server drains after SIGTERM (so a proxy stops sending here).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# Exec form, no shell and no init: node is PID 1 and gets SIGTERM itself. The server handles SIGTERM and SIGINT
# (src/lifecycle.ts): it drains requests, closes WebSockets with 1001, finishes the SLA timer's and the outbox's work in
# hand and exits 0 within 9 s, inside `docker stop`'s default 10 s. It starts no child processes on DATABASE_URL, so
# there are no zombies for an init to reap.
CMD ["node", "packages/server/dist/main.js"]
