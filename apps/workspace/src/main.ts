import { runService } from '@airlock/runtime';
import { workspaceService } from './service';

runService(workspaceService);
