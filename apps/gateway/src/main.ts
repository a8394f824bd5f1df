import { runService } from '@airlock/runtime';
import { gatewayService } from './service';

runService(gatewayService);
