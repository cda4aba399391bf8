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

/**
 * The name cdk-nag gives a resolved IAM resource in a finding (`AwsSolutions-IAM5[Resource::<name>]`): literals as
 * they are, `Ref` as `<id>`, `Fn::GetAtt` as `<id.attribute>`, an imported value by its export name, joins
 * concatenated. Only the shapes the house function's grants resolve to.
 */
export const nagResourceName = (value: unknown): string => {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const [[fn, argument] = []] = Object.entries(value);
    if (fn === 'Ref' && typeof argument === 'string') return `<${argument}>`;
    if (fn === 'Fn::GetAtt' && Array.isArray(argument)) return `<${argument.join('.')}>`;
    if (fn === 'Fn::ImportValue') return nagResourceName(argument);
    if (fn === 'Fn::Join' && Array.isArray(argument) && Array.isArray(argument[1]))
      return (argument[1] as unknown[]).map(nagResourceName).join(String(argument[0]));
  }
  throw new Error(`no cdk-nag name for ${JSON.stringify(value)}`);
};
