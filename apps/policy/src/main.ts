import { runService } from '@airlock/runtime';
import { policyService } from './service';

runService(policyService);
