#!/usr/bin/env node
// The bundled launcher; build it with `npm run build -w @internal/openbao-backup-sandbox`.
const { main } = require('../dist/sandbox.js');

main(process.argv.slice(2)).then(
  code => {
    process.exitCode = code;
  },
  error => {
    process.stderr.write(`sandbox: ${error.message}\n`);
    process.exitCode = 1;
  },
);
