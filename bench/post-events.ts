import http from 'node:http';

/**
 * POSTs one batch of events (`body`, JSON) to /v5/events at `url` over `agent`; resolves with how many
 * were accepted, and fails unless the answer is 200 with all `expected` accepted.
 */
export function postEvents(
  agent: http.Agent,
  url: URL,
  token: string,
  body: string,
  expected: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => {
          if (res.statusCode !== 200)
            return reject(new Error(`POST /v5/events: ${res.statusCode} ${text.slice(0, 300)}`));
          const r = JSON.parse(text) as { accepted: number; rejected: unknown[] };
          if (r.accepted !== expected)
            return reject(new Error(`accepted ${r.accepted}: ${JSON.stringify(r.rejected.slice(0, 3))}`));
          resolve(r.accepted);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
