import { runService } from '@airlock/runtime';
import { identityService } from './service';

runService(identityService);
