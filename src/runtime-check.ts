/**
 * Dials is built for Node 24 (its SQLite driver crashes on other majors), and the project brings
 * that Node with it: `npm start` uses it. Anything else stops here with a clear word.
 */
const major = Number(process.versions.node.split('.')[0]);
if (major !== 24) {
  process.stderr.write(
    `Dials needs Node.js 24, but this is Node.js ${process.version}.\n` +
      'Start it with "npm start" (which uses the Node 24 that "npm install" brought along), or install Node.js 24.\n',
  );
  process.exit(1);
}
