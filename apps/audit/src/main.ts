import { runService } from '@airlock/runtime';
import { auditServiceFor } from './service';

runService(auditServiceFor(process.env));
