import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnv } from '#libs/config';
import { SchedulingSettings } from './scheduling-settings';

function configWith(provider: string | null): string {
  const path = join(mkdtempSync(join(tmpdir(), 'scheduling-settings-')), 'alert_authorities.yaml');
  writeFileSync(path, provider ? `integrations:\n  calendar_provider: ${provider}\n` : 'roles: {}\n');
  return path;
}

const SLOTIFY_ENV = { SLOTIFY_API_URL: 'https://api.slotify.test/', SLOTIFY_API_KEY: 'key' };

describe('SchedulingSettings.fromEnv', () => {
  it('uses Slotify when the configuration is silent and its credentials are set', () => {
    const settings = SchedulingSettings.fromEnv(loadEnv({ ...SLOTIFY_ENV, AUTHORITIES_CONFIG: configWith(null) }));

    expect(settings.slotify).toMatchObject({ url: 'https://api.slotify.test', apiKey: 'key' });
  });

  it('keeps the built-in calendar when the configuration says builtin, credentials or not', () => {
    const settings = SchedulingSettings.fromEnv(loadEnv({ ...SLOTIFY_ENV, AUTHORITIES_CONFIG: configWith('builtin') }));

    expect(settings.slotify).toBeNull();
  });

  it('refuses to start when the configuration asks for Slotify without credentials', () => {
    expect(() => SchedulingSettings.fromEnv(loadEnv({ AUTHORITIES_CONFIG: configWith('slotify') }))).toThrow(
      /integrations\.calendar_provider/,
    );
  });

  it('derives meeting links and a default organizer from PUBLIC_URL', () => {
    const settings = SchedulingSettings.fromEnv(
      loadEnv({ PUBLIC_URL: 'https://convene.example.org/', AUTHORITIES_CONFIG: configWith(null) }),
    );

    expect(settings.publicUrl).toBe('https://convene.example.org');
    expect(settings.organizer).toEqual({ name: 'Convene', email: 'convene@convene.example.org' });
  });
});
