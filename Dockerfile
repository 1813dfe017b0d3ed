# One image for the worker and the API (the command picks which). Built from the compiled TypeScript.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# The API and worker, then the web console (dist/web, served by the API at /).
RUN npx tsc -p tsconfig.json \
 && npx tsc -p web/tsconfig.json && npx tsc -p web/tsconfig.node.json && npx vite build --config web/vite.config.mts \
 && npm prune --omit=dev

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/db/migrations ./db/migrations
# `npm run migrate` and `npm run admin` go through the bootstrap, which runs dist/ in an image.
COPY --from=build /app/scripts/bootstrap.cjs /app/scripts/node-runtime.cjs ./scripts/
COPY package.json ./
USER node
EXPOSE 3000
CMD ["node", "--max-semi-space-size=16", "dist/api/main.js"]
