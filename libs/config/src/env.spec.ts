import { describeEnv, EnvValidationError, loadEnv } from './env';

describe('loadEnv', () => {
  it('applies the documented defaults when nothing is set', () => {
    const env = loadEnv({});

    expect(env.CONVENE_MODE).toBe('embedded');
    expect(env.PORT).toBe(8000);
    expect(env.HOST).toBe('127.0.0.1');
    expect(env.AUTHORITIES_CONFIG).toBe('config/alert_authorities.yaml');
    expect(env.publicUrl).toBe('http://localhost:8000');
  });

  it('splits comma-separated webhook keys for rotation', () => {
    const env = loadEnv({ WEBHOOK_API_KEY: ' old-key , new-key ,' });

    expect(env.webhookApiKeys).toEqual(['old-key', 'new-key']);
  });

  it('names the bad key and not its value', () => {
    const attempt = () => loadEnv({ PORT: 'eighty', OPENAI_BASE_URL: 'not a url' });

    expect(attempt).toThrow(EnvValidationError);
    expect(attempt).toThrow(/PORT/);
    expect(attempt).toThrow(/OPENAI_BASE_URL/);
    expect(attempt).not.toThrow(/eighty/);
  });

  it('refuses distributed mode without webhook keys, database and brokers', () => {
    const attempt = () => loadEnv({ CONVENE_MODE: 'distributed' });

    expect(attempt).toThrow(/WEBHOOK_API_KEY.*WEBHOOK_SECRET_KEY.*DATABASE_URL.*KAFKA_BROKERS/);
  });

  it('never exposes a secret when described for logs', () => {
    const env = loadEnv({ WEBHOOK_SECRET_KEY: 'hunter2', OPENAI_API_KEY: 'sk-abc' });

    const described = JSON.stringify(describeEnv(env));

    expect(described).not.toContain('hunter2');
    expect(described).not.toContain('sk-abc');
    expect(describeEnv(env).WEBHOOK_SECRET_KEY).toBe('[set]');
  });
});
