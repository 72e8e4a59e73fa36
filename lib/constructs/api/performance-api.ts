import { join } from 'node:path';
import { Duration, Size, Stack } from 'aws-cdk-lib';
import {
  AuthorizationType,
  EndpointType,
  type IRequestValidator,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Alias, type IFunction, type IVersion } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { ApiThrottle } from '../../config/settings';
import type { EncryptedLogs } from '../observability/encrypted-logs';
import { LIVE_ALIAS } from '../scaling/scalable-targets';
import { type FunctionNetwork, HandlerFunction } from '../shared/handler-function';
import type { TestStorage } from '../storage/test-storage';
import { apiHandlerCheckov } from './handler-checkov';
import { createTestRequestModel } from './request-models';
import {
  accessLogFormat,
  acknowledgeRestApiFindings,
  addJsonGatewayResponses,
  pathParametersOf,
} from './rest-api-conventions';
import { API_BASE_PATH, apiFunctionName, type Operation, pathsOf, ROUTES, type RouteSpec } from './routes';

export interface PerformanceApiProps {
  /** Folder holding the handler entry files (lambdas/entrypoints/lambda). */
  readonly entryDir: string;
  readonly storage: TestStorage;
  /** What create-test starts runs with. */
  readonly runs: RunStarter;
  readonly logs: EncryptedLogs;
  readonly throttle: ApiThrottle;
  /** Environment every handler gets (table, bucket, policy, Powertools). */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * Routes whose function API Gateway invokes through the alias `live` (the ones that get
   * provisioned concurrency); the others invoke the function's latest version. @default none
   */
  readonly aliasedRoutes?: readonly string[];
  /** What each operations handler (metrics, alarms, scaling) gets beyond the shared environment. */
  readonly operations: Readonly<Record<Operation, OperationAccess>>;
  /** The shared cache tier, for the routes that use it (`cache` in routes.ts). @default - not deployed */
  readonly cache?: CacheClientAccess;
}

/** How a handler reaches the cache tier: attached to its network, told where it is, allowed its token. */
export interface CacheClientAccess {
  readonly functionNetwork: FunctionNetwork;
  readonly environment: Readonly<Record<string, string>>;
  grantConnect(grantee: IGrantable): void;
}

/** An operations handler's environment and grants, supplied by the construct that owns the concern. */
export interface OperationAccess {
  /** Variables beyond the shared environment. */
  readonly environment: Readonly<Record<string, string>>;
  /** Grants the handler what the operation needs, acknowledging on it what cdk-nag flags. */
  grant(handler: HandlerFunction): void;
}

/** Starts distributed runs (the LoadTestOrchestrator's state machine). */
export interface RunStarter {
  readonly stateMachineArn: string;
  grantStart(starter: HandlerFunction): void;
}

const STAGE_NAME = 'v1';

/**
 * The `/performance` REST API: every method signed with SigV4 (IAM authorization), a request
 * validator on every method, a JSON model on POST /tests, JSON access logs and ERROR execution
 * logs in encrypted log groups, X-Ray tracing and stage-wide throttling. One Lambda handler per
 * route, each with only the access its route needs (see routes.ts).
 */
export class PerformanceApi extends Construct {
  readonly api: RestApi;
  /** Handlers by route id (`CreateTest`, `GetTest`, …). */
  readonly handlers: ReadonlyMap<string, HandlerFunction>;
  /** The `live` alias of each aliased route, by route id. */
  readonly aliases: ReadonlyMap<string, Alias>;
  private readonly integrations = new Map<string, LambdaIntegration>();
  private readonly validator: IRequestValidator;
  /** The stage every route is deployed to. */
  static readonly STAGE_NAME = STAGE_NAME;

  /** The REST API's name (its `ApiName` metric dimension), known before the API is built. */
  static restApiNameOf(scope: Construct): string {
    return `${Stack.of(scope).stackName}-performance`;
  }

  constructor(scope: Construct, id: string, props: PerformanceApiProps) {
    super(scope, id);
    const accessLogs = props.logs.logGroup(this, 'AccessLogs');
    this.api = new RestApi(this, 'Api', {
      restApiName: PerformanceApi.restApiNameOf(this),
      description: 'Throughline performance API: load tests (IAM-signed requests only)',
      endpointTypes: [EndpointType.REGIONAL],
      defaultMethodOptions: { authorizationType: AuthorizationType.IAM },
      minCompressionSize: Size.kibibytes(1),
      // Execution logging needs the regional account setting's CloudWatch role; see the
      // acknowledgement below for why it is the managed-policy role.
      cloudWatchRole: true,
      deployOptions: {
        stageName: STAGE_NAME,
        tracingEnabled: true,
        loggingLevel: MethodLoggingLevel.ERROR,
        // Request bodies can carry credentials for the target; never log them.
        dataTraceEnabled: false,
        metricsEnabled: true,
        throttlingRateLimit: props.throttle.rateLimit,
        throttlingBurstLimit: props.throttle.burstLimit,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: accessLogFormat(),
      },
    });
    // RestApi always adds an `Endpoint` output (the stage root); the stack outputs the /performance URL.
    this.api.node.tryRemoveChild('Endpoint');
    this.preCreateExecutionLogGroup(props.logs);
    acknowledgeRestApiFindings(this.api);

    this.validator = this.api.addRequestValidator('Validator', {
      requestValidatorName: 'body-and-parameters',
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const validator = this.validator;
    const createTestModel = createTestRequestModel(this.api);
    const base = this.api.root.addResource(API_BASE_PATH);
    const handlers = new Map<string, HandlerFunction>();
    const aliases = new Map<string, Alias>();
    const aliased = new Set(props.aliasedRoutes ?? []);
    for (const route of ROUTES) {
      const handler = this.handlerFor(route, props, aliased.has(route.id));
      handlers.set(route.id, handler);
      let target: IFunction = handler.function;
      if (aliased.has(route.id)) {
        // (jsii's optional properties trip exactOptionalPropertyTypes, hence the assertions)
        const alias = new Alias(handler, 'Live', {
          aliasName: LIVE_ALIAS,
          version: handler.function.currentVersion as IVersion,
        });
        aliases.set(route.id, alias);
        target = alias as IFunction;
      }
      // The test-invoke permission only serves the console's "Test" button; leave it out.
      const integration = new LambdaIntegration(target, { allowTestInvoke: false });
      this.integrations.set(route.id, integration);
      for (const path of pathsOf(route)) {
        base.resourceForPath(path).addMethod(route.method, integration, {
          requestValidator: validator,
          requestParameters: pathParametersOf(path),
          ...(route.bodyModel === 'createTest'
            ? { requestModels: { 'application/json': createTestModel } }
            : {}),
        });
      }
    }
    this.handlers = handlers;
    this.aliases = aliases;
    addJsonGatewayResponses(this.api);
  }

  private handlerFor(route: RouteSpec, props: PerformanceApiProps, aliased: boolean): HandlerFunction {
    const operation = route.operation === undefined ? undefined : props.operations[route.operation];
    const cache = route.cache ? props.cache : undefined;
    const handler = new HandlerFunction(this, route.id, {
      entry: join(props.entryDir, route.entry),
      functionName: apiFunctionName(Stack.of(this).stackName, route.id),
      description: `Throughline API: ${route.method} /${API_BASE_PATH}/${route.path} (${route.description})`,
      logs: props.logs,
      environment: {
        ...props.environment,
        ...(route.startsRun ? { THROUGHLINE_STATE_MACHINE_ARN: props.runs.stateMachineArn } : {}),
        ...operation?.environment,
        ...cache?.environment,
      },
      // API Gateway gives up on an integration after 29 s; running longer would only waste money.
      timeout: Duration.seconds(29),
      ...(cache === undefined ? {} : { network: cache.functionNetwork }),
      checkov: apiHandlerCheckov(route, { throttle: props.throttle, aliased, inVpc: cache !== undefined }),
    });
    cache?.grantConnect(handler);
    if (route.tests === 'read') props.storage.grantReadTests(handler);
    // Creating: the idempotency claim and record (Put, in a transaction), the active-test and
    // baseline lookups (index Queries), reconciling stale tests and a failed launch (Update).
    if (route.tests === 'submit')
      props.storage.grantTestItems(handler, ['GetItem', 'PutItem', 'UpdateItem'], { queryIndexes: true });
    // Cancelling reads the record and sets its stop flag (and marks it interrupted if stale).
    if (route.tests === 'flag') props.storage.grantTestItems(handler, ['GetItem', 'UpdateItem']);
    if (route.results === 'read') props.storage.grantReadResults(handler);
    if (route.startsRun) {
      props.runs.grantStart(handler);
      props.storage.grantPutRunSpecs(handler);
    }
    operation?.grant(handler);
    return handler;
  }

  /**
   * API Gateway creates `API-Gateway-Execution-Logs_{api}/{stage}` on first use, unencrypted and
   * kept forever. Creating it first, before the stage, gives it the stack's key and retention.
   */
  private preCreateExecutionLogGroup(logs: EncryptedLogs): void {
    const group = logs.logGroup(
      this,
      'ExecutionLogs',
      `API-Gateway-Execution-Logs_${this.api.restApiId}/${STAGE_NAME}`,
    );
    this.api.deploymentStage.node.addDependency(group);
  }
}
