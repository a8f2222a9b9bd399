# calico-gitops agent/worker image. Build: docker build -t calico-gitops .
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY agent ./agent
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
# git for the source mirror; openssh-client for ssh:// repositories.
RUN apt-get update && apt-get install -y --no-install-recommends git openssh-client ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
USER 65532:65532
ENV NODE_ENV=production HOME=/tmp
ENTRYPOINT ["node", "/app/bin/calico-gitops.js"]
CMD ["agent"]
