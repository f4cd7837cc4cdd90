import { isIP } from 'node:net';

type Range = readonly [prefix: readonly number[], bits: number];

/**
 * IPv4 ranges that are not globally routable (RFC 6890 and friends). Everything outside them may be
 * fetched; inside them sit this machine, the LAN, the cloud metadata service and addresses that some
 * stacks silently treat as "this host" (0.0.0.0/8).
 */
const V4_BLOCKED: readonly Range[] = [
  [[0, 0, 0, 0], 8], // "this network"; 0.0.0.0 connects to localhost on Linux
  [[10, 0, 0, 0], 8],
  [[100, 64, 0, 0], 10], // CGNAT, often the provider's internal network
  [[127, 0, 0, 0], 8],
  [[169, 254, 0, 0], 16], // link-local, incl. 169.254.169.254 metadata
  [[172, 16, 0, 0], 12],
  [[192, 0, 0, 0], 24],
  [[192, 0, 2, 0], 24],
  [[192, 88, 99, 0], 24],
  [[192, 168, 0, 0], 16],
  [[198, 18, 0, 0], 15],
  [[198, 51, 100, 0], 24],
  [[203, 0, 113, 0], 24],
  [[224, 0, 0, 0], 4], // multicast
  [[240, 0, 0, 0], 4], // reserved, incl. 255.255.255.255 broadcast
];

/**
 * IPv6 is checked the other way round: only global unicast (2000::/3) can pass, which already excludes
 * ::, ::1, fc00::/7, fe80::/10, fec0::/10 and ff00::/8. These global-looking blocks are refused too.
 */
const V6_BLOCKED_GLOBAL: readonly Range[] = [
  [[0x20, 0x01, 0x00, 0x00], 23], // IETF protocol assignments, incl. Teredo (hides an IPv4 address)
  [[0x20, 0x01, 0x0d, 0xb8], 32], // documentation
  [[0x3f, 0xff, 0x00, 0x00], 20], // documentation
];

function inRange(bytes: readonly number[], [prefix, bits]: Range): boolean {
  for (let i = 0; i * 8 < bits; i++) {
    const take = Math.min(8, bits - i * 8);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

function parseV4(address: string): number[] {
  return address.split('.').map(Number);
}

/** Expands an IPv6 address (any textual form, incl. a dotted IPv4 tail) into its 16 bytes. */
function parseV6(address: string): number[] {
  let text = address;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    tail.push(...parseV4(text.slice(lastColon + 1)));
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head = '', rest] = text.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => Number.parseInt(g, 16)));
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const words = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = words.flatMap((w) => [w >> 8, w & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

function v4Blocked(bytes: readonly number[]): boolean {
  return V4_BLOCKED.some((r) => inRange(bytes, r));
}

function v6Blocked(bytes: readonly number[]): boolean {
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  // ::ffff:a.b.c.d (mapped) and 64:ff9b::a.b.c.d (NAT64) reach the embedded IPv4 address.
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return v4Blocked(bytes.slice(12));
  if (inRange(bytes, [[0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], 96])) {
    return v4Blocked(bytes.slice(12));
  }
  // 6to4 routes to the IPv4 address in bytes 2..5.
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return v4Blocked(bytes.slice(2, 6));
  if (!inRange(bytes, [[0x20], 3])) return true;
  return V6_BLOCKED_GLOBAL.some((r) => inRange(bytes, r));
}

/**
 * True when an IP address (v4 or v6, optionally with a %zone) must not be fetched from: loopback,
 * private, link-local, CGNAT, multicast, reserved, or an IPv6 form that embeds such an IPv4 address.
 * Anything that is not a valid IP address counts as blocked, so a parsing gap fails closed.
 */
export function isBlockedAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 4) return v4Blocked(parseV4(bare));
  if (family === 6) return v6Blocked(parseV6(bare));
  return true;
}
