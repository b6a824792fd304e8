# Maestro server image: opa is built from source in its own stage (pinned, like scripts/bootstrap-opa.sh),
# the app runs on Node 24 with type stripping (no build step), as the unprivileged user `node`.
FROM golang:1.26-bookworm AS opa
ARG OPA_VERSION=v1.22.0
RUN GOBIN=/out go install github.com/open-policy-agent/opa@${OPA_VERSION}

FROM node:24-bookworm-slim AS app
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# The "node" devDependency only matters on hosts whose system Node is older; the image has Node 24. No production
# dependency has an install script.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=opa /out/opa /app/.tools/bin/opa
COPY . .
# /data holds the signing keys (0600) and the embedded store: owned by `node` before VOLUME declares it, so a
# fresh named volume starts writable (tests/container/container-start.test.ts runs this path unprivileged).
RUN sh scripts/container/prepare-data.sh /data node:node
ENV MAESTRO_HOST=0.0.0.0 MAESTRO_DATA_DIR=/data
VOLUME /data
EXPOSE 8787
USER node
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["node", "scripts/container/healthcheck.ts"]
CMD ["sh", "scripts/container/start.sh"]
