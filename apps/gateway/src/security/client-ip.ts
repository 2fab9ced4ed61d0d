import { BlockList, isIP } from 'node:net';

/**
 * Resolves the client address of a request. X-Forwarded-For is believed only hop by hop from the
 * right while the sender of each hop is a trusted proxy, so a client cannot pick its own address.
 */
export class ClientIpResolver {
  private readonly trusted = new BlockList();
  private readonly trustsAnyone: boolean;

  constructor(trustedProxies: readonly string[]) {
    for (const entry of trustedProxies) this.trust(entry);
    this.trustsAnyone = trustedProxies.length > 0;
  }

  resolve(peerAddress: string | undefined, forwardedFor: string | string[] | undefined): string {
    let client = normalize(peerAddress ?? 'unknown');
    if (!this.trustsAnyone || forwardedFor === undefined) return client;

    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
      .split(',')
      .map((hop) => normalize(hop.trim()))
      .filter((hop) => isIP(hop) !== 0);
    while (this.isTrusted(client) && hops.length > 0) {
      client = hops.pop() ?? client;
    }
    return client;
  }

  private isTrusted(address: string): boolean {
    const family = isIP(address);
    if (family === 0) return false;
    return this.trusted.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }

  private trust(entry: string): void {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address);
    if (family === 0) throw new Error(`TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR range`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) this.trusted.addAddress(address, type);
    else this.trusted.addSubnet(address, Number(prefix), type);
  }
}

/** IPv4 clients of a dual-stack socket appear as `::ffff:a.b.c.d`; treat them as plain IPv4. */
function normalize(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
