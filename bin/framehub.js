#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=1 --optimize-for-size
// Runs the compiled CLI (build with `npm run build`); the variable and flags are src/nodeFlags.ts's.
import('../dist/src/main.js');
