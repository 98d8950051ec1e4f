import { app } from '@azure/functions';
import { httpFunction } from '../src/app/functionRegistry';

// GET/POST /api/silences, DELETE /api/silences/{id}: hold back repeating alerts until a date.
const fn = httpFunction('silences');
app.http(fn.name, { route: fn.route, methods: fn.methods, authLevel: fn.authLevel, handler: fn.handler });

// An ES module to esbuild, which otherwise wraps a file without exports as CommonJS and keeps all it imports.
export {};
