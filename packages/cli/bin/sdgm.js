#!/usr/bin/env node
// The `sdgm` command. Sources are TypeScript; tsx (an npm dependency, no download) runs them.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/main.ts");
await main(process.argv);
