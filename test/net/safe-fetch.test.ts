import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import http from 'node:http';
import { type AddressInfo, isIP, type LookupFunction, Socket, type TcpSocketConnectOpts } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FetchRefused } from '../../src/platform/net/fetch-refused.js';
import { type Resolver, type SafeFetchOptions, safeFetch } from '../../src/platform/net/safe-fetch.js';

// Only ever 127.0.0.1 is dialled. Every refusal test asserts that no socket was even created, using the
// channel net.connect publishes on, so a refusal that "worked" because nothing listened would fail here.
let socketsOpened = 0;
const onSocket = () => {
  socketsOpened++;
};

const LOOPBACK = new Set(['127.0.0.1', '::1']);

/**
 * A network jail for this file: should safeFetch ever regress, the refusal tests must fail here rather than
 * send packets to 169.254.169.254 or the LAN. Every socket may only dial loopback, checked on the literal
 * host or on each address a lookup hands back.
 */
const realConnect = Socket.prototype.connect;
function jailToLoopback(): void {
  Socket.prototype.connect = function (this: Socket, ...args: unknown[]) {
    // net.connect passes its normalised [options, callback] array (tagged with a private symbol) as one argument.
    const holder = (Array.isArray(args[0]) ? args[0] : args) as unknown[];
    const opts = holder[0] as TcpSocketConnectOpts;
    if (typeof opts !== 'object' || opts === null || !('port' in opts))
      throw new Error('jail: unexpected connect');
    const host = opts.host ?? 'localhost';
    if (isIP(host) && !LOOPBACK.has(host)) throw new Error(`jail: refused to dial ${host}`);
    const lookup = opts.lookup;
    if (!isIP(host)) {
      if (!lookup) throw new Error(`jail: refused to resolve ${host} with real DNS`);
      const jailed: LookupFunction = (name, o, cb) =>
        lookup(name, o, (err, address, family) => {
          const all = Array.isArray(address) ? address.map((a) => a.address) : [address];
          if (!err && all.some((a) => !LOOPBACK.has(a)))
            return cb(new Error('jail: non-loopback address'), '', 4);
          cb(err, address, family);
        });
      holder[0] = { ...opts, lookup: jailed };
    }
    return (realConnect as (...a: unknown[]) => Socket).apply(this, args);
  } as typeof Socket.prototype.connect;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

async function listen(handler: Handler): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

let main: { server: http.Server; port: number };
let other: { server: http.Server; port: number };
let base: string;
let allow: string[];

/** Throws if consulted, proving literal addresses are never sent to DNS. */
const noDns: Resolver = async (host) => {
  throw new Error(`unexpected DNS lookup of ${host}`);
};

const routes: Record<string, Handler> = {
  '/hello': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('hello');
  },
  '/host': (req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' }).end(req.headers.host);
  },
  '/to-other': (_req, res) => {
    res.writeHead(302, { location: `http://127.0.0.1:${other.port}/hello` }).end();
  },
  '/to-metadata': (_req, res) => {
    res.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
  },
  '/relative': (_req, res) => {
    res.writeHead(307, { location: '/hello' }).end();
  },
  '/big-declared': (_req, res) => {
    res.writeHead(200, { 'content-length': '1000000' });
    res.write('x'.repeat(100));
    // Never finished: the client must give up on the header alone.
  },
  '/chunked-forever': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const timer = setInterval(() => {
      if (!res.write(Buffer.alloc(16 * 1024, 1))) return;
    }, 1);
    res.on('close', () => clearInterval(timer));
  },
  '/silent': () => {
    // Accepts the request and never answers.
  },
  '/missing': (_req, res) => {
    res.writeHead(404).end('nope');
  },
};

beforeAll(async () => {
  jailToLoopback();
  subscribe('net.client.socket', onSocket);
  main = await listen((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const loop = /^\/loop\/(\d+)$/.exec(url.pathname);
    if (loop) return void res.writeHead(302, { location: `/loop/${Number(loop[1]) + 1}` }).end();
    const route = routes[url.pathname];
    if (route) return route(req, res);
    res.writeHead(404).end();
  });
  other = await listen((_req, res) => res.end('other'));
  base = `http://127.0.0.1:${main.port}`;
  allow = [`127.0.0.1:${main.port}`];
});

afterAll(async () => {
  Socket.prototype.connect = realConnect;
  unsubscribe('net.client.socket', onSocket);
  main.server.closeAllConnections();
  other.server.closeAllConnections();
  await Promise.all([main, other].map(({ server }) => new Promise((r) => server.close(r))));
});

beforeEach(() => {
  socketsOpened = 0;
});

const opts = (extra: Partial<SafeFetchOptions> = {}): SafeFetchOptions => ({
  timeoutMs: 2000,
  maxBytes: 64 * 1024,
  ...extra,
});

async function refusal(url: string, o: SafeFetchOptions): Promise<FetchRefused> {
  const err = await safeFetch(url, o).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FetchRefused);
  return err as FetchRefused;
}

describe('the test network jail', () => {
  it('refuses to dial anything but loopback (192.0.2.1 is TEST-NET, unroutable even if it leaked)', async () => {
    expect(() => new Socket().connect({ host: '192.0.2.1', port: 9 })).toThrow(
      'jail: refused to dial 192.0.2.1',
    );
    const lookup: LookupFunction = (_n, _o, cb) => cb(null, [{ address: '192.0.2.1', family: 4 }]);
    const socket = new Socket();
    const failed = new Promise<Error>((resolve) => socket.once('error', resolve));
    socket.connect({ host: 'jail.test', port: 9, lookup });
    expect((await failed).message).toBe('jail: non-loopback address');
  });
});

describe('safeFetch against a local server', () => {
  it('refuses the local server when it is not allow-listed, before connecting', async () => {
    const err = await refusal(`${base}/hello`, opts());
    expect(err.reason).toBe('private-address');
    expect(err.message).toBe('127.0.0.1 is a private or reserved address and cannot be fetched.');
    expect(socketsOpened).toBe(0);
  });

  it('fetches from an allow-listed host:port', async () => {
    const res = await safeFetch(`${base}/hello`, opts({ allowHosts: allow }));
    expect(res).toMatchObject({ status: 200, contentType: 'text/plain', finalUrl: `${base}/hello` });
    expect(res.body.toString()).toBe('hello');
  });

  it('allow-listing a host on one port does not allow its other ports', async () => {
    const err = await refusal(`http://127.0.0.1:${other.port}/`, opts({ allowHosts: allow }));
    expect(err.reason).toBe('private-address');
    expect(socketsOpened).toBe(0);
  });

  it('connects to the address it checked and keeps the name in the Host header', async () => {
    const calls: string[] = [];
    const resolve: Resolver = async (host) => {
      calls.push(host);
      return [{ address: '127.0.0.1', family: 4 }];
    };
    const url = `http://images.test:${main.port}/host`;
    const res = await safeFetch(url, opts({ resolve, allowHosts: [`images.test:${main.port}`] }));
    expect(res.body.toString()).toBe(`images.test:${main.port}`);
    // One lookup, done by us: the socket never asks DNS again, so a rebinding answer is never seen.
    expect(calls).toEqual(['images.test']);
  });

  it('follows a relative redirect on the same allowed host', async () => {
    const res = await safeFetch(`${base}/relative`, opts({ allowHosts: allow }));
    expect(res.body.toString()).toBe('hello');
    expect(res.finalUrl).toBe(`${base}/hello`);
  });

  it('refuses a redirect to a private address that is not allowed, before connecting to it', async () => {
    const err = await refusal(`${base}/to-other`, opts({ allowHosts: allow }));
    expect(err.reason).toBe('private-address');
    expect(socketsOpened).toBe(1);
  });

  it('refuses a redirect to the metadata address', async () => {
    const err = await refusal(`${base}/to-metadata`, opts({ allowHosts: allow, resolve: noDns }));
    expect(err.reason).toBe('private-address');
    expect(err.host).toBe('169.254.169.254');
    expect(socketsOpened).toBe(1);
  });

  it('refuses too many redirects (3 by default)', async () => {
    const err = await refusal(`${base}/loop/0`, opts({ allowHosts: allow }));
    expect(err.reason).toBe('redirects');
    expect(socketsOpened).toBe(4);
  });

  it('follows exactly maxRedirects hops and no more', async () => {
    const err = await refusal(`${base}/loop/0`, opts({ allowHosts: allow, maxRedirects: 1 }));
    expect(err.reason).toBe('redirects');
    expect(socketsOpened).toBe(2);
  });

  it('refuses a declared Content-Length over the limit', async () => {
    const err = await refusal(`${base}/big-declared`, opts({ allowHosts: allow, maxBytes: 1000 }));
    expect(err.reason).toBe('too-large');
  });

  it('aborts a chunked body once it grows past the limit', async () => {
    const started = Date.now();
    const err = await refusal(`${base}/chunked-forever`, opts({ allowHosts: allow, maxBytes: 100_000 }));
    expect(err.reason).toBe('too-large');
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('gives up on a server that never answers', async () => {
    const started = Date.now();
    const err = await refusal(`${base}/silent`, opts({ allowHosts: allow, timeoutMs: 150 }));
    expect(err.reason).toBe('timeout');
    expect(err.transient).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses a non-2xx final status', async () => {
    const err = await refusal(`${base}/missing`, opts({ allowHosts: allow }));
    expect(err).toMatchObject({ reason: 'status', status: 404, transient: false });
  });

  it('passes the caller abort reason through', async () => {
    const controller = new AbortController();
    const pending = safeFetch(`${base}/silent`, opts({ allowHosts: allow, signal: controller.signal }));
    setTimeout(() => controller.abort(new Error('shutting down')), 20);
    await expect(pending).rejects.toThrow('shutting down');
  });
});

describe('safeFetch refusals that never open a socket', () => {
  afterEach(() => {
    expect(socketsOpened).toBe(0);
  });

  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[fe80::1]/',
    'http://0.0.0.0/',
    'http://10.1.2.3/',
    'http://192.168.0.1:8080/',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://0177.0.0.1/',
    'http://127.1/',
    'https://100.64.1.1/',
  ])('refuses %s as a private address without DNS', async (url) => {
    const err = await refusal(url, opts({ resolve: noDns }));
    expect(err.reason).toBe('private-address');
  });

  it.each(['http://localhost/', 'http://LOCALHOST./', 'http://api.localhost:3000/'])(
    'refuses %s without asking DNS',
    async (url) => {
      const err = await refusal(url, opts({ resolve: noDns }));
      expect(err.reason).toBe('private-address');
    },
  );

  it.each(['ftp://example.com/a.jpg', 'file:///etc/passwd', 'data:image/png;base64,AAAA', 'gopher://x/'])(
    'refuses the scheme of %s',
    async (url) => {
      const err = await refusal(url, opts({ resolve: noDns }));
      expect(err.reason).toBe('scheme');
    },
  );

  it('refuses a malformed URL', async () => {
    expect((await refusal('http://', opts())).reason).toBe('invalid-url');
  });

  it('refuses a name whose DNS answer is private', async () => {
    const resolve: Resolver = async (host) =>
      host === 'evil.example' ? [{ address: '10.0.0.1', family: 4 }] : [];
    const err = await refusal('http://evil.example/cat.jpg', opts({ resolve }));
    expect(err.reason).toBe('private-address');
    expect(err.message).toBe('evil.example is a private or reserved address and cannot be fetched.');
  });

  it('refuses a name if any one of its addresses is private', async () => {
    const resolve: Resolver = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '::ffff:169.254.169.254', family: 6 },
    ];
    expect((await refusal('https://mixed.example/', opts({ resolve }))).reason).toBe('private-address');
  });

  it('reports a name that does not resolve as dns, without the resolver detail', async () => {
    const resolve: Resolver = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.example at 10.9.8.7'), {
        code: 'ENOTFOUND',
      });
    };
    const err = await refusal('http://nowhere.example/', opts({ resolve }));
    expect(err).toMatchObject({ reason: 'dns', message: 'nowhere.example could not be resolved.' });
    expect(err.transient).toBe(true);
  });

  it('times out a resolver that hangs', async () => {
    const resolve: Resolver = () => new Promise(() => {});
    const err = await refusal('http://slow.example/', opts({ resolve, timeoutMs: 50 }));
    expect(err.reason).toBe('timeout');
  });
});
