import type { Command } from 'commander';
import { RunDirectory } from '../coordinator/index.js';
import {
  describeSettings,
  type Endpoint,
  FerryError,
  type PartialSettings,
  resolveSettings,
  type Settings,
  type SettingsFlags,
} from '../core/index.js';
import type { MigrationSettings } from './local-run.js';

/** The options commander parsed for a command, plus the command itself (to tell typed flags from defaults). */
export type CommandOptions = Record<string, unknown> & { json?: boolean; out?: string };

const FLAG_NAMES: readonly (keyof SettingsFlags)[] = [
  'config',
  'from',
  'to',
  'targetSchema',
  'tables',
  'mode',
  'workers',
  'partitionRows',
  'partitionBytes',
  'batchRows',
  'stateDir',
  'reportsDir',
  'runId',
  'verify',
  'logLevel',
  'natsUrl',
  'onError',
];

/**
 * Only the flags the user typed: commander fills in defaults (e.g. `verify: true` for `--no-verify`), which
 * must not beat the environment or the config file.
 */
export function typedFlags(cmd: Command): SettingsFlags {
  const flags: Record<string, unknown> = {};
  const opts = cmd.opts();
  for (const name of FLAG_NAMES) {
    if (cmd.getOptionValueSource(name) === 'cli' && opts[name] !== undefined) flags[name] = opts[name];
  }
  // The CLI spells it `--nats URL` (as operators expect); the settings key is nats.url.
  if (cmd.getOptionValueSource('nats') === 'cli' && opts.nats !== undefined) flags.natsUrl = opts.nats;
  return flags as SettingsFlags;
}

/**
 * Settings for a command that moves or compares data; source (and target) are required.
 * With `--print-config` it prints them (redacted, with their origins) and returns undefined: the command stops.
 */
export function migrationSettings(cmd: Command): MigrationSettings {
  const settings = resolveSettings({ flags: typedFlags(cmd) });
  if (cmd.opts().printConfig) {
    process.stdout.write(
      `${JSON.stringify({ settings: describeSettings(settings), origins: settings.origins }, null, 2)}\n`,
    );
    throw new PrintedConfig();
  }
  return settings;
}

/**
 * Settings for a command that only reads a source (`ferry profile`): the source is required, a target is not.
 * With `--print-config` it prints them like {@link migrationSettings} and stops the command.
 */
export function sourceSettings(cmd: Command): PartialSettings & { readonly source: Endpoint } {
  const settings = resolveSettings({ flags: typedFlags(cmd), endpoints: 'optional' });
  if (cmd.opts().printConfig) {
    process.stdout.write(
      `${JSON.stringify({ settings: describeSettings(settings), origins: settings.origins }, null, 2)}\n`,
    );
    throw new PrintedConfig();
  }
  const { source } = settings;
  if (!source) {
    throw new FerryError('CONFIG', 'no source given', {
      configPath: 'source.url',
      hint: 'set source.url in the config file, --from URL or FERRY_FROM',
    });
  }
  return { ...settings, source };
}

/** Thrown after `--print-config` printed the settings: the command ends with status 0. */
export class PrintedConfig extends Error {}

/** The state directory a command without endpoints uses (flag > env > config file > default). */
export function stateDirOf(cmd: Command): string {
  return resolveSettings({ flags: typedFlags(cmd), endpoints: 'optional' }).stateDir;
}

/** A recorded display URL without its `***` password, so a password can come from the environment again. */
export function withoutMaskedPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*):\*\*\*@/i, '$1@');
}

/**
 * Settings to resume a run: the endpoints recorded at its start (no credentials are recorded: passwords
 * come again from FERRY_*_PASSWORD(_FILE) or the config file), overridden by any flag given now.
 */
export function resumeSettings(runId: string, cmd: Command): MigrationSettings {
  const flags = typedFlags(cmd);
  const base = resolveSettings({ flags, endpoints: 'optional' });
  const info = new RunDirectory(base.stateDir, runId).snapshot().info;
  if (!info)
    throw new FerryError('NOT_FOUND', `run ${runId} has no start record in ${base.stateDir}`, { run: runId });
  const resolved: Settings = resolveSettings({
    flags: {
      ...flags,
      from: flags.from ?? withoutMaskedPassword(info.source),
      to: flags.to ?? withoutMaskedPassword(info.target),
      runId,
    },
  });
  for (const side of ['source', 'target'] as const) {
    const recorded = side === 'source' ? info.source : info.target;
    if (/:\*\*\*@/.test(recorded) && !resolved[side].password) {
      const env = side === 'source' ? 'FERRY_SOURCE_PASSWORD' : 'FERRY_TARGET_PASSWORD';
      throw new FerryError(
        'CONFIG',
        `run ${runId} was started with a ${side} password, which ferry never records`,
        {
          run: runId,
          hint: `give it again: ${env}_FILE=FILE (or ${env}, or --${side === 'source' ? 'from' : 'to'} URL, or the config file)`,
        },
      );
    }
  }
  return { ...resolved, verify: info.verify };
}

/** Parses a positive integer flag value or throws a USAGE error naming the flag. */
export function positiveInt(value: unknown, flag: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new FerryError('USAGE', `${flag} must be a positive integer, got "${String(value)}"`);
  }
  return n;
}
