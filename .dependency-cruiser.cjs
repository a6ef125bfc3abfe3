/**
 * The dependency rules of ARCHITECTURE.md ("Folders"): each module imports only the modules to its left,
 * only through their index.ts, and nothing is circular. `npm test` fails on a violation.
 */
const allowed = {
  core: [],
  formats: ['core'],
  checksums: ['core', 'formats'],
  partitioning: ['core'],
  profiling: ['core', 'formats'],
  connectors: ['core', 'formats', 'checksums'],
  transform: ['core', 'formats'],
  transport: ['core'],
  coordinator: ['core', 'formats', 'checksums', 'partitioning', 'profiling', 'connectors', 'transform', 'transport'],
  worker: ['core', 'formats', 'checksums', 'partitioning', 'profiling', 'connectors', 'transform', 'transport'],
  cli: ['core', 'formats', 'checksums', 'partitioning', 'profiling', 'connectors', 'transform', 'transport', 'coordinator', 'worker'],
};
const modules = Object.keys(allowed);

module.exports = {
  forbidden: [
    ...modules.map((from) => ({
      name: `${from}-imports`,
      comment: `${from}/ may import only: ${allowed[from].join(', ') || 'nothing of ours'}`,
      severity: 'error',
      from: { path: `^${from}/` },
      to: { path: `^(${modules.filter((m) => m !== from && !allowed[from].includes(m)).join('|')})/` },
    })),
    {
      name: 'index-only',
      comment: 'another module is imported only through its index.ts (formats/duckdb and formats/pg-copy are entries too)',
      severity: 'error',
      from: { path: `^(${modules.join('|')})/` },
      to: {
        path: `^(${modules.join('|')})/`,
        pathNot: ['^$1/', '^[a-z-]+/index\\.ts$', '^formats/duckdb/index\\.ts$', '^formats/pg-copy/index\\.ts$'],
      },
    },
    {
      name: 'connector-isolation',
      comment: 'a connector never imports another connector',
      severity: 'error',
      from: { path: '^connectors/([a-z]+)/' },
      to: { path: '^connectors/', pathNot: ['^connectors/$1/'] },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|\\.test\\.ts$)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
