// V8 flags the server runs with. Small young generations: every thread's heap keeps up to
// three semi-spaces of new space, and the frame path's short-lived garbage does not need
// more. Measured on the 600-camera fleet bench: RSS 185 MB -> 145 MB at the same CPU per
// frame. `npm start`, bin/framehub.js and bench/ pass them on the command line; main.ts
// also sets them at run time (for the worker isolates) when they were not passed.
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=1'];
