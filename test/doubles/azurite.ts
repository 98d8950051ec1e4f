import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

// Resolved through node_modules, so it works from test/ and from the compiled dist/ alike.
const AZURITE_TABLE = join(dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'table', 'main.js');
const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface RunningAzurite {
  port: number;
  connectionString: string;
  stop(): Promise<void>;
}

/** A port the OS just gave out and released: Azurite cannot report one it picked itself. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function startOnce(port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    // --silent: no access log, which nobody reads and which would otherwise flow for the whole run.
    const child = spawn(process.execPath, [AZURITE_TABLE, '--inMemoryPersistence', '--skipApiVersionCheck', '--disableTelemetry', '--silent', '--tableHost', '127.0.0.1', '--tablePort', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Only the start-up output is kept (for the error message); once started, nothing is read.
    let output = '';
    const stopListening = () => {
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.stdout?.resume();
      child.stderr?.resume();
    };
    const timer = setTimeout(() => {
      stopListening();
      child.kill();
      reject(new Error(`Azurite did not start within 30 s: ${output}`));
    }, 30_000);
    function onData(chunk: Buffer): void {
      output = (output + chunk.toString()).slice(-4096);
      if (output.includes('successfully started')) {
        clearTimeout(timer);
        stopListening();
        resolve(child);
      }
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited (${code}) before starting: ${output}`));
    });
  });
}

/** Starts Azurite's table service in memory on a free loopback port, retrying if the port was taken. */
export async function startAzurite(): Promise<RunningAzurite> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      const child = await startOnce(port);
      child.removeAllListeners('exit');
      return {
        port,
        connectionString: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${ACCOUNT_KEY};TableEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`,
        stop: () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      };
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
