import { runService } from '@airlock/runtime';
import { ragService } from './service';

runService(ragService);
