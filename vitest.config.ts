import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    // set-up opens a database, migrates it and compiles the agreement: seconds, more on a busy machine
    hookTimeout: 60_000,
  },
});
