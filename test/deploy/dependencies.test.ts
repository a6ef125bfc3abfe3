import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Dependency hygiene (RELIABILITY S14): every installed package comes pinned from the lock file with an
 * integrity hash, and no package runs an install script (which could fetch a binary at install time) except
 * the allow-listed dev tools below. `scripts/audit.sh` (run by `npm test`) checks the advisories.
 */
const root = resolve(import.meta.dirname, '../..');
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
  lockfileVersion: number;
  packages: Record<string, { version?: string; resolved?: string; integrity?: string; dev?: boolean; hasInstallScript?: boolean; link?: boolean }>;
};

/** Install scripts known not to download anything, with why. Production dependencies may have none. */
const ALLOWED_INSTALL_SCRIPTS: Record<string, string> = {
  // Dev only (vitest's bundler). Its postinstall checks the platform binary, which comes from the optional
  // @esbuild/<platform> package in the lock file; npm 11 does not even run it unless approved.
  'node_modules/esbuild': 'dev',
};

describe('dependencies', () => {
  const packages = Object.entries(lock.packages).filter(([path]) => path !== '');

  it('are locked: every package from the registry, with an integrity hash', () => {
    expect(lock.lockfileVersion).toBeGreaterThanOrEqual(3);
    // (This npm leaves `resolved` out for the default registry; a git, file or other URL would be recorded.)
    const loose = packages
      .filter(([, p]) => !p.link)
      .filter(
        ([, p]) =>
          (p.resolved !== undefined && !p.resolved.startsWith('https://registry.npmjs.org/')) ||
          !p.integrity?.startsWith('sha512-'),
      );
    expect(loose.map(([path]) => path)).toEqual([]);
  });

  it('run no install script, except allow-listed dev tools', () => {
    const scripted = packages.filter(([, p]) => p.hasInstallScript);
    for (const [path, p] of scripted) {
      expect(ALLOWED_INSTALL_SCRIPTS[path], `${path} runs an install script`).toBeDefined();
      expect(p.dev, `${path} is a production dependency with an install script`).toBe(true);
    }
  });

  it('npm is told not to run install scripts at all', () => {
    const npmrc = readFileSync(join(root, '.npmrc'), 'utf8');
    expect(npmrc).toMatch(/^ignore-scripts=true$/m);
    expect(npmrc).toMatch(/^engine-strict=true$/m);
  });
});
