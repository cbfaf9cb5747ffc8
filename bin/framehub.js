#!/usr/bin/env node
// Runs the compiled CLI (build with `npm run build`).
import('../dist/src/main.js');
