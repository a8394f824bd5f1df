import { z } from '@airlock/config';
import { checkRuleSet, type RuleSetSpec } from '@airlock/dlp-engine';

const action = z.enum(['allow', 'mask', 'block', 'pseudonymize']);

/**
 * The bundle's `dlp` section: the built-in pack on/off, per-rule overrides of the pack, and custom rules as
 * data (the engine's RuleDefinition, each with positive/negative examples). Beyond its shape, the section is
 * checked by compiling it with the engine, so a bundle whose rules do not compile or whose examples do not
 * behave as declared stops the boot, naming every problem.
 */
export const dlpSection = z
  .strictObject({
    builtinPack: z.boolean(),
    overrides: z
      .array(z.strictObject({ ruleId: z.string().min(1), disabled: z.boolean().optional(), action: action.optional() }))
      .default([]),
    customRules: z.array(z.record(z.string(), z.unknown())).default([]),
    // Vendors' documented example values never reported; absent: the engine's default list.
    allowList: z.array(z.string()).optional(),
  })
  .superRefine((section, ctx) => {
    const checked = checkRuleSet(section);
    if (!checked.ok) for (const message of checked.problems) ctx.addIssue({ code: 'custom', message });
  })
  .transform((section) => section as unknown as RuleSetSpec);
