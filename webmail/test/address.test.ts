import { describe, expect, it } from 'vitest';
import { displayName, formatAddress, formatAddressList, isValidEmail, parseAddress, parseAddressList } from '../src/mail/address';

describe('address parsing', () => {
  it('reads bare addresses and name-addr forms', () => {
    expect(parseAddress('bob@example.com')).toEqual({ email: 'bob@example.com' });
    expect(parseAddress('Mario Rossi <mario@example.it>')).toEqual({ name: 'Mario Rossi', email: 'mario@example.it' });
    expect(parseAddress('"Rossi, Mario" <mario@example.it>')).toEqual({ name: 'Rossi, Mario', email: 'mario@example.it' });
    expect(parseAddress('<only@example.com>')).toEqual({ email: 'only@example.com' });
    expect(parseAddress('not an address')).toBeNull();
    expect(parseAddress('Bob <bob@>')).toBeNull();
  });

  it('splits lists on commas and semicolons outside quotes, drops duplicates, keeps what is not an address', () => {
    const parsed = parseAddressList('"Rossi, Mario" <mario@example.it>, bob@example.com; Bob <BOB@example.com>, oops, ,');
    expect(parsed.addresses).toEqual([{ name: 'Rossi, Mario', email: 'mario@example.it' }, { email: 'bob@example.com' }]);
    expect(parsed.invalid).toEqual(['oops']);
  });

  it('handles escaped quotes in names', () => {
    expect(parseAddressList('"The \\"Boss\\", Esq" <boss@example.com>').addresses).toEqual([
      { name: 'The "Boss", Esq', email: 'boss@example.com' },
    ]);
  });

  it('validates addresses', () => {
    expect(isValidEmail('a.b+c@sub.example.co.uk')).toBe(true);
    expect(isValidEmail('root@localhost')).toBe(true);
    expect(isValidEmail('a@b')).toBe(false);
    expect(isValidEmail('a b@example.com')).toBe(false);
    expect(isValidEmail('<a@example.com>')).toBe(false);
  });
});

describe('address formatting', () => {
  it('quotes names with specials and round-trips through the parser', () => {
    const address = { name: 'Rossi, Mario', email: 'mario@example.it' };
    expect(formatAddress(address)).toBe('"Rossi, Mario" <mario@example.it>');
    expect(parseAddress(formatAddress(address))).toEqual(address);
    expect(formatAddress({ name: 'Anna', email: 'anna@example.it' })).toBe('Anna <anna@example.it>');
    expect(formatAddress({ name: null, email: 'x@example.it' })).toBe('x@example.it');
    expect(formatAddressList([{ email: 'a@x.it' }, { name: 'B', email: 'b@x.it' }])).toBe('a@x.it, B <b@x.it>');
  });

  it('shows the name or else the address', () => {
    expect(displayName({ name: ' ', email: 'x@example.it' })).toBe('x@example.it');
    expect(displayName({ name: 'Xena', email: 'x@example.it' })).toBe('Xena');
    expect(displayName(null)).toBe('');
  });
});
