import { readableOnTerminal } from './log-format';

describe('readableOnTerminal', () => {
  it('chooses readable lines on a terminal when LOG_FORMAT is unset', () => {
    expect(readableOnTerminal({ PORT: '8000' }, true)).toEqual({ PORT: '8000', LOG_FORMAT: 'pretty' });
  });

  it('keeps JSON when the output is piped or collected', () => {
    expect(readableOnTerminal({ PORT: '8000' }, false)).toEqual({ PORT: '8000' });
  });

  it('keeps whatever LOG_FORMAT says, on a terminal too', () => {
    expect(readableOnTerminal({ LOG_FORMAT: 'json' }, true)).toEqual({ LOG_FORMAT: 'json' });
  });
});
