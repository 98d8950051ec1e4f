import { app } from '@azure/functions';
import { httpFunction } from '../src/app/functionRegistry';

// POST /api/notify: one alert event, delivered once to each configured channel.
const notify = httpFunction('notify');
app.http(notify.name, { route: notify.route, methods: notify.methods, authLevel: notify.authLevel, handler: notify.handler });

// An ES module to esbuild, which otherwise wraps a file without exports as CommonJS and keeps all it imports.
export {};
