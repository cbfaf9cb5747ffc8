# syntax=docker/dockerfile:1
# framehub image: a build stage compiles the TypeScript, the runtime stage holds only the
# production dependencies, the compiled server, the pages (read from src/web at run time)
# and the sample frames (for `framehub camera`). test/dockerfile.test.ts performs these
# steps outside Docker on every test run, so keep RUN lines to npm/npx commands there;
# .ci/run also runs that test in a Debian 13 root under Node 24, the image's platform.
# Debian 13 (glibc 2.41) + Node 24: the native uWebSockets.js build btc-vision 20.57 loads
# (it needs glibc >= 2.38); the server logs the build it runs and never uses a JS fallback.
#
#   docker build -t framehub .
#   docker run -p 8080:8080 -p 9464:9464 -v framehub-data:/data \
#     -e FRAMEHUB_PUBLIC_URL=https://cams.example.com framehub
# See docs/deploy.md (and deploy/docker-compose.yml for framehub + Prometheus + Grafana).

# ---- build: TypeScript -> dist/ ----
FROM node:24-trixie-slim AS build
WORKDIR /app
# --ignore-scripts: the lockfile's native modules (uWebSockets.js, lmdb, msgpackr-extract)
# ship prebuilt binaries and need no install script; package.json's allowScripts allows
# none either (.npmrc strict-allow-scripts; the flag keeps that true whatever npm the image has).
COPY package.json package-lock.json .npmrc ./
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

# ---- runtime ----
FROM node:24-trixie-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# The npm cache is a build cache mount: it speeds up rebuilds and never lands in the image.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts
COPY --from=build /app/dist/src ./dist/src
COPY src/web ./src/web
COPY assets ./assets
COPY bin ./bin

# The LMDB control store lives in the volume; the server runs as the image's `node` user.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
ENV FRAMEHUB_DATA_DIR=/data \
    MALLOC_ARENA_MAX=2 \
    PORT=8080 \
    HOST=0.0.0.0 \
    FRAMEHUB_METRICS_PORT=9464
USER node

# 8080: cameras, viewers, API, pages. 9464: Prometheus /metrics.
EXPOSE 8080 9464
# No curl in the slim image: Node's fetch. Plain HTTP: with FRAMEHUB_TLS_CERT set in the
# container, override this (or terminate TLS in front, docs/deploy.md).
HEALTHCHECK --interval=15s --timeout=5s --retries=3 \
    CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# SIGTERM (docker stop) shuts down cleanly: cameras and viewers are closed, LMDB flushed.
STOPSIGNAL SIGTERM
CMD ["node", "--max-semi-space-size=1", "--optimize-for-size", "dist/src/main.js"]
