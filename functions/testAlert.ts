import { app } from '@azure/functions';
import { httpFunction } from '../src/app/functionRegistry';

// POST /api/test-alert: a test alert on every configured channel now; answers each channel's outcome.
const fn = httpFunction('testAlert');
app.http(fn.name, { route: fn.route, methods: fn.methods, authLevel: fn.authLevel, handler: fn.handler });

// An ES module to esbuild, which otherwise wraps a file without exports as CommonJS and keeps all it imports.
export {};
