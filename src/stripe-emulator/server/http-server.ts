import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ControlRoutes } from '../control/control-routes';
import type { HostedPages } from '../hosted-pages/hosted-pages';
import { messagePage } from '../hosted-pages/page-templates';
import type { ApiPipeline } from './api-pipeline';
import { sendHtml, sendJson } from './http-io';

export interface EmulatorSurfaces {
  api: ApiPipeline;
  pages: HostedPages;
  control: ControlRoutes;
  log: (line: string) => void;
  /** Keeps what a request changed (see StateFolder); the API surface calls it before answering. */
  persist: (changed: boolean) => void;
  /** Whether a request's Host header names this emulator (loopback, or its public URL's host). */
  servesHost: (host: string | undefined) => boolean;
}

/** One port, three surfaces: the API under `/v1`, test controls under `/_emulator`, pages elsewhere. */
export function requestListener(surfaces: EmulatorSurfaces) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    void route(surfaces, req, res).catch((error: unknown) => {
      surfaces.log(`emulator failed on ${req.method} ${req.url}: ${String(error)}`);
      if (!res.headersSent) sendJson(res, 500, { error: { message: 'Stripe emulator failure' } });
      else res.destroy();
    });
  };
}

async function route(surfaces: EmulatorSurfaces, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://emulator.invalid');
  // Any test key is accepted here: a web page that points its own name at 127.0.0.1 (DNS
  // rebinding) must not reach the API, the controls or the pay buttons through a browser.
  if (!surfaces.servesHost(req.headers.host)) {
    req.resume();
    return sendHtml(res, 421, messagePage('Wrong host', 'This server answers for localhost.'));
  }
  if (url.pathname.startsWith('/v1/')) return surfaces.api.handle(req, res, url);
  if (url.pathname.startsWith('/_emulator/')) {
    await surfaces.control.handle(req, res, url);
    return surfaces.persist(req.method !== 'GET');
  }
  if (await surfaces.pages.handle(req, res, url)) return surfaces.persist(req.method !== 'GET');
  req.resume();
  sendHtml(res, 404, messagePage('Not found', 'There is nothing at this address.'));
}
