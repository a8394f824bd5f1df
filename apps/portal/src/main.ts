import { runService } from '@airlock/runtime';
import { portalService } from './service';

runService(portalService);
