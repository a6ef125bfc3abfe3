import { describe, expect, it } from 'vitest';
import { parseEndpoint } from '../../core/index.js';
import { connectionOptions, parseMysqlParams } from './options.js';

const options = (url: string) => {
  const e = parseEndpoint(url);
  return connectionOptions(e, parseMysqlParams(e), false);
};

describe('MySQL TLS options', () => {
  it('defaults to verify-full off loopback, checking the host name', () => {
    expect(options('mysql://u@db.example.com/app').ssl).toMatchObject({ rejectUnauthorized: true, verifyIdentity: true });
    expect(options('mysql://u@127.0.0.1/app').ssl).toBeUndefined();
  });

  it('refuses verify-full at an IP address, whose name mysql2 cannot check', () => {
    expect(() => options('mysql://u@10.0.0.5/app')).toThrow(/verify-full cannot check the server's name at the IP address 10\.0\.0\.5/);
    expect(() => options('mysql://u@[2001:db8::5]/app?sslmode=verify-full')).toThrow(/IP address/);
    expect(options('mysql://u@10.0.0.5/app?sslmode=verify-ca').ssl).toMatchObject({ rejectUnauthorized: true, verifyIdentity: false });
  });
});
