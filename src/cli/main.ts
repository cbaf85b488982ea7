#!/usr/bin/env node
import { runCli } from "./program.js";

const argv = process.argv.slice(2);
process.exitCode = await runCli(argv.length === 0 ? ["--help"] : argv);
