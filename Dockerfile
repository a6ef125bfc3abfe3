# syntax=docker/dockerfile:1
#
# ferry: one image for every role; the role is the subcommand (`worker`, `run`, `status`, `resume`, …).
#
#   build      node:24-slim, all dependencies, tsc → /app/dist
#   prod-deps  node:24-slim, `npm ci --omit=dev` → /app/node_modules (runtime packages only)
#   runtime    node:24-slim + dist + prod node_modules + bin; non-root (10001), no npm, no compilers
#
# Native code (DuckDB) comes prebuilt from npm (@duckdb/node-bindings-<platform>, glibc: hence a Debian
# base, not Alpine); `--ignore-scripts` keeps install scripts from downloading or compiling anything.
#
#   docker build -t ferry:0.1.0 .
#   docker run --rm ferry:0.1.0 --help
#   docker run --rm --read-only --tmpfs /tmp -v "$PWD/work:/work" ferry:0.1.0 demo

FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY core ./core
COPY formats ./formats
COPY checksums ./checksums
COPY partitioning ./partitioning
COPY profiling ./profiling
COPY connectors ./connectors
COPY transform ./transform
COPY transport ./transport
COPY coordinator ./coordinator
COPY worker ./worker
COPY cli ./cli
COPY bench ./bench
RUN npm run build

FROM node:24-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24-slim AS runtime
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="ferry" \
      org.opencontainers.image.description="Parallel, resumable, verified table migrations between databases and file formats" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="docker.io/library/node:24-slim"
# npm and corepack are not needed at run time; removing them removes their dependencies' CVEs too.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
 && groupadd --system --gid 10001 ferry \
 && useradd --system --uid 10001 --gid 10001 --home-dir /tmp --no-create-home --shell /usr/sbin/nologin ferry \
 && mkdir /work && chown 10001:10001 /work
ENV NODE_ENV=production \
    HOME=/tmp
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
# The working directory holds results/ (run state, reports): mount a volume here, or give --state-dir.
WORKDIR /work
USER 10001:10001
# `ferry worker --health-addr 0.0.0.0:8080` serves GET /healthz and /readyz here.
EXPOSE 8080
# Workers only: other roles (run, status, …) are batch commands and report healthy. The address is the
# worker's --health-addr (default 127.0.0.1:8080); 0.0.0.0 / [::] are probed on loopback.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const a=require('node:fs').readFileSync('/proc/1/cmdline','utf8').split('\\u0000');if(a[a.indexOf('/app/bin/ferry.js')+1]!=='worker')process.exit(0);const i=a.findIndex(x=>x==='--health-addr'||x.startsWith('--health-addr='));const v=i<0?'127.0.0.1:8080':a[i].includes('=')?a[i].slice(14):a[i+1];const h=v.replace(/^(0\\.0\\.0\\.0|\\[::\\]|):/,'127.0.0.1:');fetch('http://'+h+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "/app/bin/ferry.js"]
CMD ["--help"]
