import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import type { Construct } from 'constructs';

/**
 * The cdk-nag packs that check the whole app: AWS Solutions, HIPAA Security and NIST 800-53 rev 5. A finding
 * fails synthesis unless it is fixed or acknowledged, next to its construct, with a reason.
 */
export const addNagPacks = (app: App): void => {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new HIPAASecurityChecks(app),
    new NIST80053R5Checks(app),
  );
};

/** The packs whose rules of one name check the same thing; a waiver of such a rule is given for each. */
const compliancePacks = ['HIPAA.Security', 'NIST.800.53.R5'] as const;

/** Acknowledges a rule of the HIPAA Security and NIST 800-53 rev 5 packs on a construct, with one reason. */
export const acknowledgeCompliance = (scope: Construct, rule: string, reason: string): void => {
  for (const pack of compliancePacks) Validations.of(scope).acknowledge({ id: `${pack}-${rule}`, reason });
};
