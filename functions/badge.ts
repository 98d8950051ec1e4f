import { app } from '@azure/functions';
import { httpFunction } from '../src/app/functionRegistry';

// GET /api/badge.svg: a status badge (anonymous: it shows only the days left).
const fn = httpFunction('badge');
app.http(fn.name, { route: fn.route, methods: fn.methods, authLevel: fn.authLevel, handler: fn.handler });

// An ES module to esbuild, which otherwise wraps a file without exports as CommonJS and keeps all it imports.
export {};
