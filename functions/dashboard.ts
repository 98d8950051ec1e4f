import { app } from '@azure/functions';
import { httpFunction } from '../src/app/functionDefinitions';

// GET /api/dashboard: one self-contained page for people.
const fn = httpFunction('dashboard');
app.http(fn.name, { route: fn.route, methods: fn.methods, authLevel: fn.authLevel, handler: fn.handler });
