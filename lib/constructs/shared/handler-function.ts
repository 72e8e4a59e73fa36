import { type Duration, Validations } from 'aws-cdk-lib';
import { type IGrantable, type IPrincipal, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { LOCK_FILE, PROJECT_ROOT } from '../../project-paths';
import type { EncryptedLogs } from '../observability/encrypted-logs';

/** Bundles are ESM; CommonJS dependencies inside them still call `require`, so give them one. */
export const REQUIRE_SHIM =
  "import { createRequire as __throughlineCreateRequire } from 'node:module'; " +
  'const require = __throughlineCreateRequire(import.meta.url);';

export interface HandlerFunctionProps {
  /** Absolute path of the TypeScript entry file; it must export `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly logs: EncryptedLogs;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeout: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default - none: draws on the account's unreserved pool */
  readonly reservedConcurrentExecutions?: number;
  /** Retries of a failed asynchronous invocation. @default 2 (Lambda's default) */
  readonly retryAttempts?: number;
  /** How long an asynchronous event may wait for a free instance. @default 6 hours (Lambda's default) */
  readonly maxEventAge?: Duration;
}

/**
 * One Lambda handler the Throughline way: Node.js 22 on Graviton, ESM bundled locally with esbuild,
 * X-Ray tracing, its own encrypted log group, and a role that starts with nothing but writing to
 * that log group and sending traces (no AWSLambdaBasicExecutionRole, which allows every log group).
 *
 * Everything is bundled, the AWS SDK included (`externalModules: []`): the function then runs the
 * exact SDK version from package-lock.json that local mode and the contract tests run against,
 * rather than whatever version the nodejs22.x runtime ships that month; tree-shaken and minified
 * it is also what AWS advises for cold starts. The price is size: about 1.2 MB per bundle with the
 * DynamoDB and S3 clients in it, well within Lambda's limits.
 */
export class HandlerFunction extends Construct implements IGrantable {
  readonly function: NodejsFunction;
  readonly role: Role;
  /** The entry file the function is bundled from. */
  readonly entry: string;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    this.entry = props.entry;
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Throughline ${id}: execution role`,
    });
    const logGroup = props.logs.logGroup(this, 'Logs');
    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: LOCK_FILE,
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      role: this.role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      tracing: Tracing.ACTIVE,
      environment: { ...props.environment },
      ...(props.reservedConcurrentExecutions === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
      ...(props.retryAttempts === undefined ? {} : { retryAttempts: props.retryAttempts }),
      ...(props.maxEventAge === undefined ? {} : { maxEventAge: props.maxEventAge }),
      bundling: {
        format: OutputFormat.ESM,
        // Prefer packages' ESM builds (better tree shaking); `exports` maps still take precedence.
        mainFields: ['module', 'main'],
        banner: REQUIRE_SHIM,
        externalModules: [],
        minify: true,
        sourceMap: true,
        // Stack traces need the mappings, not a second copy of every source file.
        sourcesContent: false,
        forceDockerBundling: false,
      },
    });
    logGroup.grantWrite(this.role);
    this.acknowledge(
      'AwsSolutions-L1',
      'The runtime is pinned to nodejs22.x by design (DESIGN.md §4): the handlers are built and tested for ' +
        'Node 22 (bundles target node22), and Node 22 is a supported LTS line; moving to a newer runtime is a ' +
        'deliberate, tested change rather than one a lint rule should make.',
    );
    this.acknowledge(
      'AwsSolutions-IAM5[Resource::*]',
      'Tracing.ACTIVE grants xray:PutTraceSegments and xray:PutTelemetryRecords, which support no ' +
        'resource-level permissions (https://docs.aws.amazon.com/xray/latest/devguide/security_iam_service-with-iam.html).',
    );
  }

  get grantPrincipal(): IPrincipal {
    return this.role;
  }

  /** Acknowledges a cdk-nag finding on this handler (its role and policy included), with the reason. */
  acknowledge(id: string, reason: string): void {
    Validations.of(this).acknowledge({ id, reason });
  }
}
