import { runService } from '@airlock/runtime';
import { terminalService } from './service';

runService(terminalService);
