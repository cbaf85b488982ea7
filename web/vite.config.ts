import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/**
 * The web app, built into dist/web (served by `baton serve`). `npm run dev:web` serves it with
 * hot reload and sends /api to a running Baton (BATON_API, default http://127.0.0.1:4000), so
 * the session cookie stays first-party.
 */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: "../dist/web",
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    port: 5173,
    proxy: { "/api": { target: process.env.BATON_API ?? "http://127.0.0.1:4000" } },
  },
});
