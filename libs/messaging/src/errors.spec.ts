import { databaseUnavailable, PermanentError } from './errors';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('databaseUnavailable', () => {
  it.each([
    ['a server starting up (57P03)', withCode('the database system is starting up', '57P03')],
    ['an administrator shutdown (57P01)', withCode('terminating connection due to administrator command', '57P01')],
    ['a connection failure (class 08)', withCode('connection failure', '08006')],
    ['a refused socket', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
    ['a pool that cannot connect', new Error('timeout exceeded when trying to connect')],
  ])('says yes for %s', (_condition, error) => {
    expect(databaseUnavailable(error)).toBe(true);
  });

  it('finds the cause inside a TypeORM QueryFailedError-like wrapper and an Error cause', () => {
    const driverError = withCode('the database system is shutting down', '57P02');
    const wrapped = Object.assign(new Error('query failed'), { driverError });

    expect(databaseUnavailable(wrapped)).toBe(true);
    expect(databaseUnavailable(new Error('handler failed', { cause: wrapped }))).toBe(true);
  });

  it.each([
    ['a unique violation (23505)', withCode('duplicate key value violates unique constraint', '23505')],
    ['a serialization failure (40001)', withCode('could not serialize access', '40001')],
    ['a permanent handler error', new PermanentError('PAYLOAD.INVALID', 'bad payload')],
    ['something that is not an Error', 'ECONNREFUSED'],
  ])('says no for %s', (_condition, error) => {
    expect(databaseUnavailable(error)).toBe(false);
  });
});
