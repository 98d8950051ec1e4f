import { app } from '@azure/functions';
import { httpFunction } from '../src/app/functionRegistry';

// GET /api/metrics: every watched credential in Prometheus text format, from storage.
const fn = httpFunction('metrics');
app.http(fn.name, { route: fn.route, methods: fn.methods, authLevel: fn.authLevel, handler: fn.handler });

// An ES module to esbuild, which otherwise wraps a file without exports as CommonJS and keeps all it imports.
export {};
