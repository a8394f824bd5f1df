import { runService } from '@airlock/runtime';
import { auditService } from './service';

runService(auditService);
