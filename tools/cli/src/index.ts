// What other packages (the benchmarks) use of the CLI: a mesh of their own and a dev token for it. The
// command line itself is main.ts.
export { issueDevTokenAt, type DevTokenRequest } from './commands';
export { operatorCredentials, operatorTls, startMesh, stopMesh, type MeshInfo, type MeshOptions } from './mesh';
