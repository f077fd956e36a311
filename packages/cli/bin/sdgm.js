#!/usr/bin/env node
// The `sdgm` command. Sources are TypeScript; ./register.js makes them (and a user's model module) loadable.
import "./register.js";

const { main } = await import("../src/main.ts");
await main(process.argv);
