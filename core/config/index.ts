/** core/config: the config file schema, settings resolution (flag > environment > file > default) and the config reference. */
export { type ConfigPath, formatConfigPath } from './config-path.js';
export { renderConfigDocs } from './config-docs.js';
export { describeSettings } from './describe-settings.js';
export { SETTING_TWINS, type SettingTwin, type SettingsFlags } from './env-twins.js';
export { type EnvLike, interpolate, readEnv } from './interpolate.js';
export { generateRunId } from './run-id.js';
export {
  type ConfigDocMeta,
  type ConfigFile,
  type ConfigFileInput,
  ConfigSchema,
  LOG_LEVELS,
  type LogLevel,
  NatsSchema,
  ON_ERROR,
  type OnError,
  RUN_ID_PATTERN,
  SourceSchema,
  TableEntrySchema,
  TableObjectSchema,
  TargetSchema,
  WRITE_MODES,
} from './schema.js';
export { describeConfigKey } from './schema-walk.js';
export { checkPrivateFile, readSecretFile, type SecretFileRef } from './secret-file.js';
export {
  type NatsSettings,
  type PartialSettings,
  type ResolveOptions,
  resolveSettings,
  type Settings,
  type SettingsBase,
  type TableSettings,
} from './settings.js';
export { closestKey } from './suggest.js';
