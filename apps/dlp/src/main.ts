import { runService } from '@airlock/runtime';
import { dlpService } from './service';

runService(dlpService);
