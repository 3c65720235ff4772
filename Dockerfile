# One image for every Liaowang service; docker-compose picks the service with `command`.
FROM node:20-bookworm
RUN npm install -g pnpm@9.15.9 && apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV npm_config_yes=true
COPY . .
RUN pnpm install --frozen-lockfile
# every service runs from its compiled JavaScript (dist/ beside src/; docker-compose.yml runs services/<name>/dist/main.js)
RUN pnpm -s build
ENV NODE_ENV=production
