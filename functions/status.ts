import { app } from '@azure/functions';
import { httpFunction } from '../src/app/functionRegistry';

// GET /api/status: the last recorded check, time left recomputed now; ?refresh=true checks first.
const fn = httpFunction('status');
app.http(fn.name, { route: fn.route, methods: fn.methods, authLevel: fn.authLevel, handler: fn.handler });

// An ES module to esbuild, which otherwise wraps a file without exports as CommonJS and keeps all it imports.
export {};
