#!/usr/bin/env node
// Entry point and bootstrap. Plain JavaScript on purpose: it must run on whatever `node`
// the machine has (even an end-of-life one) to provision the toolchain, then re-exec the
// TypeScript CLI under Node >= 22.12.
import { bootstrap } from "../harness/bootstrap/bootstrap.mjs";

const code = await bootstrap(process.argv.slice(2));
process.exitCode = code;
