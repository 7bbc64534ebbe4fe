# Courtside for containers (see docs/deploying.md). It expects DATABASE_URL, a Stripe key and
# SMTP_URL from its environment: the embedded PostgreSQL and the Stripe emulator are for one machine.
FROM node:20-bookworm-slim

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && mkdir -p /app/.data && chown node:node /app/.data

USER node
ENV HOST=0.0.0.0 PORT=3000
EXPOSE 3000
# node itself, not npm start: SIGTERM must reach Courtside for it to drain and exit cleanly.
CMD ["node", "dist/src/main.js"]
