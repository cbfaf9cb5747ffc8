#!/usr/bin/env -S node --max-semi-space-size=1
// Runs the compiled CLI (build with `npm run build`); the flag is src/nodeFlags.ts's.
import('../dist/src/main.js');
