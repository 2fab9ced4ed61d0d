import { renderBanner } from './banner';

describe('renderBanner', () => {
  const credentials = { apiKey: 'generated-key-1234', secret: 'generated-secret-5678', generated: true };

  it('shows credentials Convene generated under DATA_DIR, and signs the curl line with them', () => {
    const banner = renderBanner('http://127.0.0.1:8000', { ...credentials, source: 'data-dir' }, '/srv/data');

    expect(banner).toContain('Webhook key     generated-key-1234');
    expect(banner).toContain('generated-secret-5678   (kept in /srv/data/webhook-credentials.json)');
    expect(banner).toContain("-hmac 'generated-secret-5678'");
    expect(banner).toContain("-H 'X-API-Key: generated-key-1234'");
  });

  it('never prints credentials set in the environment, and has the curl line read them from the shell', () => {
    const banner = renderBanner('http://127.0.0.1:8000', { ...credentials, source: 'environment' }, '/srv/data');

    expect(banner).not.toContain('generated-key-1234');
    expect(banner).not.toContain('generated-secret-5678');
    expect(banner).toContain('from WEBHOOK_API_KEY (not printed)');
    expect(banner).toContain('-hmac "$WEBHOOK_SECRET_KEY"');
    expect(banner).toContain('-H "X-API-Key: ${WEBHOOK_API_KEY%%,*}"');
  });
});
