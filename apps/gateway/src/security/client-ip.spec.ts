import { ClientIpResolver } from './client-ip';

describe('ClientIpResolver', () => {
  it('ignores X-Forwarded-For when no proxy is trusted', () => {
    expect(new ClientIpResolver([]).resolve('10.0.0.5', '203.0.113.9')).toBe('10.0.0.5');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    expect(new ClientIpResolver(['10.0.0.0/8']).resolve('192.0.2.1', '203.0.113.9')).toBe('192.0.2.1');
  });

  it('takes the first untrusted hop from the right behind trusted proxies', () => {
    const resolver = new ClientIpResolver(['10.0.0.0/8']);
    expect(resolver.resolve('10.0.0.5', '198.51.100.7, 203.0.113.9, 10.1.1.1')).toBe('203.0.113.9');
  });

  it('treats an IPv4-mapped IPv6 peer as IPv4', () => {
    expect(new ClientIpResolver(['127.0.0.1']).resolve('::ffff:127.0.0.1', '203.0.113.9')).toBe('203.0.113.9');
  });

  it('skips hops that are not addresses', () => {
    expect(new ClientIpResolver(['127.0.0.1']).resolve('127.0.0.1', 'garbage, 203.0.113.9')).toBe('203.0.113.9');
  });

  it('refuses a TRUSTED_PROXIES entry that is not an address', () => {
    expect(() => new ClientIpResolver(['proxy.local'])).toThrow(/TRUSTED_PROXIES/);
  });
});
