// Bearer tokens for the mutating endpoints. On loopback with no token configured the service is
// open (a developer's `npm start`); beyond loopback a token is mandatory (startService refuses to
// listen without one), and once a token is configured it is required on every POST, PUT, PATCH
// and DELETE wherever the server listens. Reads stay open: they change nothing, and health
// checks, Prometheus and the inspection endpoint are scraped by tools without credentials.
//
// The comparison hashes both sides first, so it takes the same time whatever the length or the
// first differing byte of the guess (timingSafeEqual alone throws on different lengths).

import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { fail } from './envelope.ts';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Whether `host` (as given to listen) accepts connections from this machine only. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

export class ApiTokenRequiredError extends Error {
  override readonly name = 'ApiTokenRequiredError';
  readonly code = 'API_TOKEN_REQUIRED';
}

/** Refuses a configuration that would expose the mutating endpoints without a token. */
export function checkExposure(host: string, token: string | undefined): void {
  if (!isLoopback(host) && (token === undefined || token === '')) {
    throw new ApiTokenRequiredError(`listening on ${host} (beyond loopback) needs DELTRAN_API_TOKEN: every mutating endpoint would be open to the network`);
  }
  if (token !== undefined && token !== '' && token.length < 16) {
    throw new ApiTokenRequiredError('DELTRAN_API_TOKEN must be at least 16 characters');
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Installs the check; with no token (loopback development) it installs nothing. */
export function installBearerAuth(app: FastifyInstance, token: string | undefined): void {
  if (token === undefined || token === '') return;
  const expected = digest(token);
  app.addHook('onRequest', async (req, reply) => {
    if (!MUTATING.has(req.method)) return;
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match === null || !timingSafeEqual(digest(match[1]!), expected)) {
      reply.header('www-authenticate', 'Bearer realm="deltran"');
      return fail(reply, 401, 'UNAUTHORIZED', match === null ? 'a bearer token is required (Authorization: Bearer <DELTRAN_API_TOKEN>)' : 'the bearer token is not valid', 'Authorization');
    }
  });
}
