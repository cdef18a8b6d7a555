#!/usr/bin/env node
// The bundled CLI; build it with `npm run build -w @internal/openbao-backup-executor`.
require('../dist/executor.js');
