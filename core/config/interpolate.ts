// biome-ignore-all lint/suspicious/noTemplateCurlyInString: config values hold literal ${VAR} references
import { isAbsolute, resolve } from 'node:path';
import { FerryError } from '../errors.js';
import { readSecretFile } from './secret-file.js';

/** The environment as ferry reads it: `process.env` or a test's plain object. */
export type EnvLike = Readonly<Record<string, string | undefined>>;

/**
 * Reads variable `name`, or the file named by `name_FILE` (a 0600 file, one trailing newline dropped) — the
 * usual way to hand a container a secret without putting it in its environment. Both set is an error.
 * @param emptyIsUnset treat `NAME=` as unset (for `FERRY_…` twins, where an empty line in `.env` means "not set").
 */
export function readEnv(env: EnvLike, name: string, cwd: string, emptyIsUnset = false): string | undefined {
  const direct = env[name];
  const file = env[`${name}_FILE`];
  const hasDirect = direct !== undefined && !(emptyIsUnset && direct === '');
  if (file !== undefined && file !== '') {
    if (hasDirect) {
      throw new FerryError('CONFIG', `both ${name} and ${name}_FILE are set`, {
        hint: `unset one of them; ${name}_FILE is the safer way to pass a secret`,
      });
    }
    return readSecretFile({
      file: isAbsolute(file) ? file : resolve(cwd, file),
      namedBy: `environment variable ${name}_FILE`,
    });
  }
  return hasDirect ? direct : undefined;
}

/** Where an interpolated string sits, for messages. */
export interface InterpolationSite {
  /** Formatted config path, e.g. `source.url`. */
  configPath: string;
  /** A person's pointer to the place, e.g. `config/settings.yaml line 4`. */
  location: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Replaces each `${NAME}` in `text` by the variable's value (`lookup`, which also honours `NAME_FILE`).
 * `$${` writes a literal `${`. A variable that is not set is an error naming it and the config path:
 * ferry never substitutes an empty string for a missing variable.
 */
export function interpolate(
  text: string,
  lookup: (name: string) => string | undefined,
  site: InterpolationSite,
): string {
  if (!text.includes('${')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      out += '${';
      i += 3;
      continue;
    }
    if (text.startsWith('${', i)) {
      const end = text.indexOf('}', i + 2);
      if (end < 0) {
        throw new FerryError(
          'CONFIG',
          `${site.location}: ${site.configPath} has "\${" without a closing "}"`,
          {
            configPath: site.configPath,
            hint: 'write ${NAME} for a variable, or $${ for a literal ${',
          },
        );
      }
      const name = text.slice(i + 2, end);
      if (!NAME.test(name)) {
        throw new FerryError(
          'CONFIG',
          `${site.location}: ${site.configPath} refers to "\${${name}}", which is not a variable name`,
          { configPath: site.configPath, hint: 'names are letters, digits and _, e.g. ${SOURCE_PASSWORD}' },
        );
      }
      const value = lookup(name);
      if (value === undefined) {
        throw new FerryError(
          'CONFIG',
          `${site.location}: ${site.configPath} uses \${${name}}, but environment variable ${name} is not set`,
          {
            configPath: site.configPath,
            hint: `set ${name} (or ${name}_FILE naming a chmod 600 file), or write $\${${name}} for a literal text`,
          },
        );
      }
      out += value;
      i = end + 1;
      continue;
    }
    out += text[i];
    i++;
  }
  return out;
}
