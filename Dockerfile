# One image for the hotline's processes: bin/api.ts, bin/worker.ts (and bin/demo-data.ts).
# Node 24, the current LTS; the code also runs on Node 20.19+ (package.json engines).
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# Chromium and CJK fonts print the HTML report to PDF (api/report-pdf.ts, CHROMIUM_PATH)
RUN apt-get update && apt-get install -y --no-install-recommends chromium fonts-noto-cjk && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# applied to node_modules by the postinstall script (patch-package)
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY . .
# the API keeps citizens' photos here (PHOTO_DIR; a volume in docker-compose.yml, which takes
# this directory's owner when first mounted), writable by the user the processes run as
RUN mkdir -p /var/lib/hotline/photos && chown node:node /var/lib/hotline/photos
USER node
EXPOSE 3000 9091 9464
# node with tsx's loader directly, not through npm: SIGTERM reaches the process, which stops cleanly
CMD ["node", "--import", "tsx", "bin/api.ts"]
