import { app } from '@azure/functions';
import { httpFunction } from '../src/app/functionRegistry';

// POST /api/notify/signed: the notify function for posts signed with NOTIFY_SIGNING_SECRET
// (Standard Webhooks); anonymous to the host because the handler verifies the signature itself.
const fn = httpFunction('notifySigned');
app.http(fn.name, { route: fn.route, methods: fn.methods, authLevel: fn.authLevel, handler: fn.handler });

// An ES module to esbuild, which otherwise wraps a file without exports as CommonJS and keeps all it imports.
export {};
