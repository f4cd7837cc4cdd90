import { lookup as dnsLookup } from 'node:dns/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { FetchRefused } from './fetch-refused.js';
import { isBlockedAddress } from './ip-ranges.js';

/** One address a host name resolves to. */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to every address it has; injectable so tests never touch real DNS. */
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

/** The system resolver (getaddrinfo, so /etc/hosts counts), returning every address. */
export const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** Options for safeFetch. */
export interface SafeFetchOptions {
  /** Budget for the whole fetch: every DNS lookup, redirect hop and the body. */
  timeoutMs: number;
  maxBytes: number;
  /** Redirects followed before giving up (default 3). */
  maxRedirects?: number;
  /** `host` or `host:port` entries exempt from the private-address check (tests, trusted internal hosts). */
  allowHosts?: readonly string[];
  accept?: string;
  signal?: AbortSignal;
  resolve?: Resolver;
}

/** A successful (2xx) response, read in full. */
export interface SafeFetchResult {
  status: number;
  contentType: string | undefined;
  body: Buffer;
  finalUrl: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const USER_AGENT = 'Corkboard/0.1 (+https://github.com/corkboard; image fetcher)';

/** A URL vetted for connection: the exact address to dial, and the name to present in Host and SNI. */
interface Target {
  url: URL;
  hostname: string;
  address: string;
  family: number;
}

function displayHost(url: URL): string {
  return url.hostname;
}

function isAllowListed(url: URL, allowHosts: readonly string[]): boolean {
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return allowHosts.some((entry) => {
    const e = entry.toLowerCase();
    return e === host || e === `${host}:${port}`;
  });
}

/** Rejects as soon as the signal fires; dns.lookup cannot be cancelled, only abandoned. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Checks scheme and every resolved address, and picks the one address this hop will connect to. */
async function vet(url: URL, opts: SafeFetchOptions, signal: AbortSignal): Promise<Target> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FetchRefused('scheme', displayHost(url));
  }
  // WHATWG URL has already turned 2130706433, 0x7f000001 and 0177.0.0.1 into dotted IPv4.
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const allowed = isAllowListed(url, opts.allowHosts ?? []);
  const family = isIP(hostname);
  if (family !== 0) {
    if (!allowed && isBlockedAddress(hostname)) throw new FetchRefused('private-address', hostname);
    return { url, hostname, address: hostname, family };
  }
  const bare = hostname.toLowerCase().replace(/\.$/, '');
  // RFC 6761: *.localhost is loopback whatever a resolver says.
  if (!allowed && (bare === 'localhost' || bare.endsWith('.localhost'))) {
    throw new FetchRefused('private-address', hostname);
  }
  let addresses: readonly ResolvedAddress[];
  try {
    addresses = await raceAbort((opts.resolve ?? systemResolver)(hostname), signal);
  } catch (err) {
    if (signal.aborted) throw err;
    throw new FetchRefused('dns', hostname, { cause: err });
  }
  const first = addresses[0];
  if (first === undefined) throw new FetchRefused('dns', hostname);
  // One bad address refuses the host: with round-robin DNS any of them could be the one dialled.
  if (!allowed && addresses.some((a) => isBlockedAddress(a.address))) {
    throw new FetchRefused('private-address', hostname);
  }
  return { url, hostname, address: first.address, family: first.family };
}

/** Hands the socket the already-checked address, so a second DNS answer (rebinding) is never asked for. */
function pinnedLookup(address: string, family: number): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

function send(target: Target, opts: SafeFetchOptions, signal: AbortSignal): Promise<IncomingMessage> {
  const { url } = target;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request({
      protocol: url.protocol,
      hostname: target.hostname,
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers: {
        accept: opts.accept ?? '*/*',
        // No compression: maxBytes must bound what we hold, and gzip bombs are not our problem to inflate.
        'accept-encoding': 'identity',
        'user-agent': USER_AGENT,
      },
      // A fresh socket per hop: a pooled one may have been dialled for another vetted address.
      agent: false,
      lookup: pinnedLookup(target.address, target.family),
      signal,
    });
    req.once('response', resolve);
    req.once('error', reject);
    req.end();
  });
}

async function readBody(res: IncomingMessage, host: string, maxBytes: number): Promise<Buffer> {
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.destroy();
    throw new FetchRefused('too-large', host);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      res.destroy();
      throw new FetchRefused('too-large', host);
    }
    chunks.push(chunk);
  }
  // Never take a short body for a whole one: a body cut by the deadline or a dropped connection ends the
  // loop early on some paths (an aborted message that does not error), and a length-delimited body that
  // came up short is incomplete whatever the stream said.
  if (!res.complete || (Number.isFinite(declared) && size !== declared)) {
    res.destroy();
    throw new FetchRefused('incomplete', host);
  }
  return Buffer.concat(chunks, size);
}

async function fetchHops(url: URL, opts: SafeFetchOptions, signal: AbortSignal): Promise<SafeFetchResult> {
  const maxRedirects = opts.maxRedirects ?? 3;
  let current = url;
  for (let hop = 0; ; hop++) {
    const target = await vet(current, opts, signal);
    const res = await send(target, opts, signal);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (REDIRECTS.has(status) && location !== undefined) {
      res.destroy();
      if (hop >= maxRedirects) throw new FetchRefused('redirects', displayHost(url));
      try {
        current = new URL(location, current);
      } catch {
        throw new FetchRefused('invalid-url', displayHost(current));
      }
      continue;
    }
    if (status < 200 || status > 299) {
      res.destroy();
      throw new FetchRefused('status', displayHost(current), { status });
    }
    const body = await readBody(res, displayHost(current), opts.maxBytes);
    // A body that raced the deadline is not trusted even if it looks whole.
    if (signal.aborted) throw signal.reason;
    return { status, contentType: res.headers['content-type'], body, finalUrl: current.href };
  }
}

/**
 * GETs a user-supplied http(s) URL without letting it reach this machine or its private networks:
 * every hop's host is resolved once, refused if any address is private or reserved, and the socket is
 * pinned to the checked address. Throws FetchRefused (or the caller's signal's reason).
 */
export async function safeFetch(url: string, opts: SafeFetchOptions): Promise<SafeFetchResult> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FetchRefused('invalid-url', '');
  }
  const deadline = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;
  try {
    return await fetchHops(parsed, opts, signal);
  } catch (err) {
    if (err instanceof FetchRefused) throw err;
    if (opts.signal?.aborted) throw opts.signal.reason;
    if (deadline.aborted) throw new FetchRefused('timeout', displayHost(parsed), { cause: err });
    throw new FetchRefused('network', displayHost(parsed), { cause: err });
  }
}
