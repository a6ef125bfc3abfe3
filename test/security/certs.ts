import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Test PKI made with openssl in `dir`: `ca.crt` (the right CA), `wrong-ca.crt` (a CA that signed nothing here),
 * `server.crt`/`server.key` signed by ca.crt for the DNS name `localhost` only (so 127.0.0.1 is a wrong host
 * name), `wrong-name.crt`/`.key` signed by ca.crt for `not-this-host.invalid` only, and `client.crt`/`client.key`
 * (CN ferry-client) signed by ca.crt. Keys are mode 0600.
 */
export interface TestPki {
  dir: string;
  ca: string;
  wrongCa: string;
  serverCert: string;
  serverKey: string;
  wrongNameCert: string;
  wrongNameKey: string;
  clientCert: string;
  clientKey: string;
  /** A server certificate naming only the IP address 127.0.0.1. */
  ipServerCert: string;
  ipServerKey: string;
}

export function makeTestPki(dir: string): TestPki {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const ca = (name: string, cn: string) =>
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${cn}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
    );
  const leaf = (name: string, cn: string, ext: string) => {
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${cn}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
    );
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    );
  };
  ca('ca', 'ferry security test CA');
  ca('wrong-ca', 'ferry security wrong CA');
  leaf('server', 'localhost', 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n');
  leaf(
    'wrong-name',
    'not-this-host.invalid',
    'subjectAltName=DNS:not-this-host.invalid\nextendedKeyUsage=serverAuth\n',
  );
  leaf('client', 'ferry-client', 'extendedKeyUsage=clientAuth\n');
  leaf('ip-server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  execFileSync('chmod', ['600', 'ca.key', 'wrong-ca.key', 'server.key', 'wrong-name.key', 'client.key', 'ip-server.key'], {
    cwd: dir,
  });
  return {
    dir,
    ca: join(dir, 'ca.crt'),
    wrongCa: join(dir, 'wrong-ca.crt'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
    wrongNameCert: join(dir, 'wrong-name.crt'),
    wrongNameKey: join(dir, 'wrong-name.key'),
    clientCert: join(dir, 'client.crt'),
    ipServerCert: join(dir, 'ip-server.crt'),
    ipServerKey: join(dir, 'ip-server.key'),
    clientKey: join(dir, 'client.key'),
  };
}
