import { app } from '@azure/functions';
import { httpFunction } from '../src/app/functionRegistry';

// GET /api/dashboard: one self-contained page for people.
const fn = httpFunction('dashboard');
app.http(fn.name, { route: fn.route, methods: fn.methods, authLevel: fn.authLevel, handler: fn.handler });

// An ES module to esbuild, which otherwise wraps a file without exports as CommonJS and keeps all it imports.
export {};
