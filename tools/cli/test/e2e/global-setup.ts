import { nameSharedMesh } from './shared-mesh';

export default function globalSetup(): void {
  nameSharedMesh();
}
