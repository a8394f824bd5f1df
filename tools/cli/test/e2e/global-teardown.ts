import { stopSharedMesh } from './shared-mesh';

export default function globalTeardown(): Promise<void> {
  return stopSharedMesh();
}
