import { createHash } from 'node:crypto';
import { ArnFormat, type Stack } from 'aws-cdk-lib';

/** CloudWatch allows alarm names of up to 255 characters. */
const MAX_ALARM_NAME = 255;

/**
 * Every alarm of the stack is named `<stack name>/<what>`, e.g. `Throughline/api-latency-p99`.
 * Stack names cannot contain "/", so the prefix matches this stack's alarms and no other stack's
 * (not even one named `Throughline-staging`): list-alarms reads exactly these (THROUGHLINE_ALARM_PREFIX)
 * and its IAM grant is scoped to them.
 */
export class AlarmNaming {
  readonly prefix: string;

  constructor(stackName: string) {
    this.prefix = `${stackName}/`;
  }

  /** The full name of an alarm; names too long for CloudWatch keep their start and gain a hash. */
  name(what: string): string {
    const name = `${this.prefix}${what}`;
    if (name.length <= MAX_ALARM_NAME) return name;
    const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
    return `${name.slice(0, MAX_ALARM_NAME - 9)}-${hash}`;
  }

  /** The ARN pattern of every alarm of this stack (for IAM). */
  arnPattern(scope: Stack): string {
    return scope.formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: `${this.prefix}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }
}

/** `GetTest` → `get-test`; other names lose what alarm names and ids should not carry. */
export const slug = (name: string): string =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
