// Validates Kubernetes objects (a JSON array on stdin) against the Kubernetes schema with kubernetes-models, the
// library the workspace driver validates its manifests with. A separate ES module because kubernetes-models
// exports only under the "import" condition, which jest's CommonJS runtime cannot resolve.
// Prints a JSON array of `{ object, error }`, one per object that failed; exits 0 either way.
import process from 'node:process';
import { text } from 'node:stream/consumers';

const objects = JSON.parse(await text(process.stdin));
const failures = [];
for (const object of objects) {
  const name = `${object.kind}/${object.metadata?.name}`;
  // `apps/v1` → kubernetes-models/apps/v1/Deployment; `v1` → kubernetes-models/v1/Service.
  const modulePath = `kubernetes-models/${object.apiVersion}/${object.kind}`;
  try {
    const Model = (await import(modulePath))[object.kind];
    if (typeof Model !== 'function') throw new Error(`${modulePath} has no model ${object.kind}`);
    new Model(object).validate();
  } catch (error) {
    failures.push({ object: name, error: error instanceof Error ? error.message : String(error) });
  }
}
process.stdout.write(JSON.stringify(failures));
