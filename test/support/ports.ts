import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Where outgoing connections take their local ports (Linux's default when unreadable). */
function ephemeralRangeStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/);
    return Number(low) || 32768;
  } catch {
    return 32768;
  }
}

const LOWEST = 15000;
const HIGHEST = ephemeralRangeStart() - 1;

/**
 * A port free on 127.0.0.1 now, for a server about to listen (and perhaps listen again after a
 * restart). Chosen below the ephemeral range: a port the system hands out (`listen(0)`) can be
 * taken meanwhile as the local port of any outgoing connection, and suites that open thousands
 * of them (O4) made other suites' servers fail with EADDRINUSE.
 */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 100; tries++) {
    const port = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST + 1));
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port in ${LOWEST}-${HIGHEST}`);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
