import { runService } from '@airlock/runtime';
import { usageService } from './service';

runService(usageService);
