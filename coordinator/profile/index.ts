/** coordinator/profile/: `ferry profile` — read a source in parallel partitions and report what is in it. */
export type { CandidateKey, ConfiguredForeignKey, RequiredColumn } from './profile-tables.js';
export { type ProfileSourceOptions, profileSource } from './profile-source.js';
export { profileHtml } from './render-html.js';
export { plural, profileMarkdown } from './render-markdown.js';
export type { ProfileBatchFn } from './table-work.js';
export { type ProfileFiles, writeProfile } from './write-profile.js';
