import type { Resources } from '../quota/quota';

/** The sizes a person picks from in the portal; the gRPC API still takes any resources. */
export const SIZES = {
  small: { cpuMillis: 1_000, memoryMib: 2_048, diskGib: 10 },
  medium: { cpuMillis: 2_000, memoryMib: 4_096, diskGib: 20 },
  large: { cpuMillis: 4_000, memoryMib: 8_192, diskGib: 50 },
} as const satisfies Record<string, Resources>;

export type SizeId = keyof typeof SIZES;
export const SIZE_IDS = Object.keys(SIZES) as SizeId[];

/** The size whose resources these are exactly; null for resources chosen otherwise (gRPC callers). */
export function sizeOf(resources: Resources): SizeId | null {
  return SIZE_IDS.find((id) => SIZES[id].cpuMillis === resources.cpuMillis && SIZES[id].memoryMib === resources.memoryMib && SIZES[id].diskGib === resources.diskGib) ?? null;
}
