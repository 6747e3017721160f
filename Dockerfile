# One image for both processes of the hotline: `npm run start:api` and `npm run start:worker`.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# applied to node_modules by the postinstall script (patch-package)
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY . .
USER node
EXPOSE 3000
CMD ["npm", "run", "start:api"]
