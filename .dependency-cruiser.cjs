// The pipeline's direction, folder by folder: each folder may import only from the folders
// listed for it (and its own). Test code (tests, fixtures, *.testing.ts, test/support) may
// import anything; production code may never import test code.
const LAYERS = {
  cli: ['*'],
  server: ['pipeline', 'match', 'vulndb', 'policy', 'registry', 'sbom', 'report', 'events', 'core'],
  runtime: ['engine', 'events', 'core'],
  assure: ['pipeline', 'signing', 'policy', 'registry', 'image', 'report', 'sbom', 'core'],
  pipeline: ['scan', 'match', 'vulndb', 'checks', 'report', 'policy', 'analysis', 'image', 'sbom', 'core'],
  policy: ['registry', 'core'],
  report: ['checks', 'sbom', 'core'],
  scan: ['ecosystems', 'os', 'checks', 'analysis', 'image', 'sbom', 'core'],
  match: ['vulndb', 'ecosystems', 'versions', 'core'],
  vulndb: ['ecosystems', 'versions', 'core'],
  checks: ['analysis', 'image', 'engine', 'core'],
  os: ['analysis', 'core'],
  ecosystems: ['analysis', 'versions', 'image', 'core'],
  analysis: ['image', 'core'],
  image: ['registry', 'engine', 'core'],
  versions: ['core'],
  engine: ['core'],
  events: ['core'],
  registry: ['core'],
  signing: ['core'],
  sbom: ['core'],
  core: [],
};

// The allowed arrows must themselves form no cycle, or the rules would permit one.
(function assertAcyclic() {
  const state = new Map();
  const visit = (folder, path) => {
    if (state.get(folder) === 'done') return;
    if (state.get(folder) === 'open') throw new Error(`LAYERS has a cycle: ${[...path, folder].join(' -> ')}`);
    state.set(folder, 'open');
    for (const below of LAYERS[folder] ?? []) if (below !== '*') visit(below, [...path, folder]);
    state.set(folder, 'done');
  };
  for (const folder of Object.keys(LAYERS)) visit(folder, []);
})();

const TEST_CODE = String.raw`(\.test\.ts$|/fixtures/|\.testing\.ts$|^test/)`;

const layerRules = Object.entries(LAYERS)
  .filter(([, allowed]) => !allowed.includes('*'))
  .map(([folder, allowed]) => ({
    name: `layer-${folder}`,
    comment: `src/${folder} may import only from: ${[folder, ...allowed].join(', ')}`,
    severity: 'error',
    from: { path: `^src/${folder}/`, pathNot: TEST_CODE },
    to: { path: '^src/', pathNot: `^src/(${[folder, ...allowed].join('|')})/` },
  }));

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'No import cycles, between files or (through them) between folders.',
      severity: 'error',
      from: { pathNot: TEST_CODE },
      to: { circular: true, viaOnly: { pathNot: TEST_CODE } },
    },
    {
      name: 'no-test-code-in-production',
      comment: 'Production code never imports tests, fixtures or test support.',
      severity: 'error',
      from: { path: '^src/', pathNot: TEST_CODE },
      to: { path: TEST_CODE },
    },
    {
      name: 'known-folders-only',
      comment: 'Every folder under src/ has a place in the layering (.dependency-cruiser.cjs).',
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/(${Object.keys(LAYERS).join('|')})/|${TEST_CODE}` },
      to: {},
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|^native/|node_modules)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
