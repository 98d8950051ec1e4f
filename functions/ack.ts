import { app } from '@azure/functions';
import { httpFunction } from '../src/app/functionRegistry';

// POST /api/ack {"id": "...", "by": "...", "note": "..."}: a person acknowledges an open incident.
const fn = httpFunction('ack');
app.http(fn.name, { route: fn.route, methods: fn.methods, authLevel: fn.authLevel, handler: fn.handler });

// An ES module to esbuild, which otherwise wraps a file without exports as CommonJS and keeps all it imports.
export {};
