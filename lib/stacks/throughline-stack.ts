import { Stack, type StackProps } from 'aws-cdk-lib';
import type { IRestApi } from 'aws-cdk-lib/aws-apigateway';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { policyJson } from '../config/load-settings';
import type { ThroughlineSettings } from '../config/settings';
import { PerformanceApi } from '../constructs/api/performance-api';
import { apiFunctionName, kebabOf, ROUTES } from '../constructs/api/routes';
import {
  invalidateCacheAccess,
  reachCacheRouteServices,
  withPlatformCache,
} from '../constructs/cache/cache-access';
import { CacheTier } from '../constructs/cache/cache-tier';
import { CdnInvalidation } from '../constructs/cache/cdn-invalidation';
import { ResultsCdn } from '../constructs/cache/results-cdn';
import { LoadTestOrchestrator } from '../constructs/load-test/load-test-orchestrator';
import { RUN_FUNCTIONS, type RunFunctionName } from '../constructs/load-test/run-functions';
import { AlarmNaming } from '../constructs/observability/alarm-naming';
import { AlarmNotifications } from '../constructs/observability/alarm-notifications';
import { alarmRouting } from '../constructs/observability/alarm-routing';
import { EncryptedLogs } from '../constructs/observability/encrypted-logs';
import type { MonitoredFunction } from '../constructs/observability/function-alarms';
import { monitoredJson, monitoredResources } from '../constructs/observability/monitored-resources';
import { ObservabilityAccess } from '../constructs/observability/observability-access';
import { PlatformAlarms } from '../constructs/observability/platform-alarms';
import { PlatformDashboard } from '../constructs/observability/platform-dashboard';
import { ApiConcurrencyScaling } from '../constructs/scaling/api-concurrency-scaling';
import { RegisteredTargetScaling } from '../constructs/scaling/registered-target-scaling';
import { type ScalableTargetSpec, scalableTargetSpecs } from '../constructs/scaling/scalable-targets';
import { ScalingAccess } from '../constructs/scaling/scaling-access';
import { TestStorage } from '../constructs/storage/test-storage';
import { LAMBDA_ENTRY_DIR } from '../project-paths';
import { addPlatformOutputs } from './platform-outputs';

export interface ThroughlineStackProps extends StackProps {
  readonly settings: ThroughlineSettings;
}

/** Composes the platform's constructs; each concern lives in its own construct under lib/constructs. */
export class ThroughlineStack extends Stack {
  readonly storage: TestStorage;
  readonly orchestrator: LoadTestOrchestrator;
  readonly api: PerformanceApi;
  readonly alarmNotifications: AlarmNotifications;
  readonly alarms: PlatformAlarms;
  readonly dashboard: PlatformDashboard;
  readonly apiScaling: ApiConcurrencyScaling;
  readonly targetScaling: RegisteredTargetScaling;
  /** Every scalable target (THROUGHLINE_SCALABLE_TARGETS). */
  readonly scalableTargets: readonly ScalableTargetSpec[];
  readonly alarmNaming: AlarmNaming;
  /** The shared cache tier (ElastiCache for Valkey), when `cache.enabled`. */
  readonly cache?: CacheTier;
  /** CloudFront in front of the API for finished results, when `cache.cdn.enabled`. */
  readonly cdn?: ResultsCdn;
  /** The CDN invalidation queue and worker, when `cache.cdn.enabled`. */
  readonly invalidations?: CdnInvalidation;

  constructor(scope: Construct, id: string, props: ThroughlineStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const { monitoring, scaling } = settings;

    const logs = new EncryptedLogs(this, 'Logs', {
      // The schema only admits values CloudWatch Logs accepts, which are exactly RetentionDays'.
      retention: settings.logRetentionDays as RetentionDays,
      removalPolicy: settings.removalPolicy,
    });
    this.storage = new TestStorage(this, 'Storage', {
      removalPolicy: settings.removalPolicy,
      resultsRetentionDays: settings.resultsRetentionDays,
      accessLogRetentionDays: settings.logRetentionDays,
    });
    const runtime = {
      POWERTOOLS_SERVICE_NAME: 'throughline',
      POWERTOOLS_METRICS_NAMESPACE: 'Throughline',
      NODE_OPTIONS: '--enable-source-maps',
    };
    const environment = {
      THROUGHLINE_TABLE_NAME: this.storage.table.tableName,
      THROUGHLINE_RESULTS_BUCKET: this.storage.resultsBucket.bucketName,
      THROUGHLINE_POLICY: policyJson(settings),
      ...runtime,
    };
    this.alarmNaming = new AlarmNaming(this.stackName);
    this.alarmNotifications = new AlarmNotifications(this, 'AlarmNotifications', {
      emails: [...monitoring.emails, ...(settings.alarmEmail === undefined ? [] : [settings.alarmEmail])],
      webhook: monitoring.webhook.enabled,
      naming: this.alarmNaming,
      removalPolicy: settings.removalPolicy,
      logs,
      entryDir: LAMBDA_ENTRY_DIR,
      environment: runtime,
    });
    const { cache: cacheSettings } = settings;
    if (cacheSettings.enabled)
      this.cache = new CacheTier(this, 'Cache', {
        settings: cacheSettings,
        logs,
        removalPolicy: settings.removalPolicy,
      });
    // The queue comes before its producers (aggregate-run, POST /cache/invalidations); its worker
    // after the distribution it invalidates.
    if (cacheSettings.cdn.enabled) this.invalidations = new CdnInvalidation(this, 'CdnInvalidation');
    const { cache, invalidations } = this;
    this.orchestrator = new LoadTestOrchestrator(this, 'LoadTest', {
      settings,
      logs,
      storage: this.storage,
      entryDir: LAMBDA_ENTRY_DIR,
      environment,
      cdn:
        invalidations === undefined
          ? undefined
          : {
              environment: {
                ...invalidations.environment,
                ...ResultsCdn.publisherEnvironment(cacheSettings.cdn),
              },
              grantSend: (grantee) => invalidations.grantSend(grantee),
            },
    });

    const functionName = (routeId: string) => apiFunctionName(this.stackName, routeId);
    this.scalableTargets = scalableTargetSpecs(settings, functionName);
    const runHandlers = Object.entries(this.orchestrator.functions.handlers);
    const { notifier } = this.alarmNotifications;
    // Named, not referenced: the metrics function is behind the API the distribution (and so the
    // worker) depends on.
    const workerName = functionName(INVALIDATION_WORKER_ID);
    const monitored = monitoredResources(
      {
        functionNames: [
          ...ROUTES.map((r) => functionName(r.id)),
          ...runHandlers.map(([, h]) => h.function.functionName),
          ...(notifier === undefined ? [] : [notifier.function.functionName]),
          ...(invalidations === undefined ? [] : [workerName]),
        ],
        apiName: PerformanceApi.restApiNameOf(this),
        apiStage: PerformanceApi.STAGE_NAME,
        stateMachineArn: this.orchestrator.stateMachineArn,
        tableName: this.storage.table.tableName,
      },
      monitoring.targets,
    );
    this.api = new PerformanceApi(this, 'PerformanceApi', {
      entryDir: LAMBDA_ENTRY_DIR,
      storage: this.storage,
      runs: this.orchestrator,
      logs,
      throttle: settings.apiThrottle,
      environment,
      aliasedRoutes: scaling.api.routes,
      operations: {
        ...new ObservabilityAccess({
          monitoredJson: monitoredJson(this, monitored),
          naming: this.alarmNaming,
        }).operations(),
        ...new ScalingAccess({
          specs: this.scalableTargets,
          storage: this.storage,
          notifications: this.alarmNotifications,
        }).operations(),
        invalidateCache: invalidateCacheAccess(invalidations),
      },
      ...(cache === undefined ? {} : { cache }),
    });
    if (cache !== undefined)
      reachCacheRouteServices(cache.network, ROUTES, { storage: this.storage, invalidations });
    if (invalidations !== undefined) {
      this.cdn = new ResultsCdn(this, 'Cdn', {
        api: this.api,
        storage: this.storage,
        settings: cacheSettings.cdn,
        logs,
        entryDir: LAMBDA_ENTRY_DIR,
        environment: runtime,
        accessLogsBucket: this.storage.accessLogsBucket,
        logRetentionDays: settings.logRetentionDays,
        removalPolicy: settings.removalPolicy,
      });
      invalidations.startWorker({
        distribution: this.cdn.distribution,
        entryDir: LAMBDA_ENTRY_DIR,
        logs,
        environment: runtime,
        functionName: workerName,
      });
    }
    this.apiScaling = new ApiConcurrencyScaling(this, 'ApiScaling', {
      aliases: this.api.aliases,
      settings: scaling.api,
    });
    this.targetScaling = new RegisteredTargetScaling(this, 'TargetScaling', {
      settings: scaling,
      specs: this.scalableTargets,
    });

    const functions: MonitoredFunction[] = [
      ...[...this.api.handlers].map(([routeId, handler]) => ({ label: kebabOf(routeId), handler })),
      ...runHandlers.map(([name, handler]) => ({
        label: kebabOf(name),
        handler,
        ...RUN_FUNCTIONS[name as RunFunctionName],
      })),
      ...(notifier === undefined ? [] : [{ label: 'notify-alarm', handler: notifier }]),
      ...(invalidations?.worker === undefined
        ? []
        : [{ label: kebabOf(INVALIDATION_WORKER_ID), handler: invalidations.worker }]),
    ];
    const watched = withPlatformCache(monitoring.targets, cache?.cluster);
    this.alarms = new PlatformAlarms(this, 'Alarms', {
      naming: this.alarmNaming,
      routing: alarmRouting(monitoring.notify, this.alarmNotifications.topic),
      thresholds: monitoring.thresholds,
      // (jsii's optional properties trip exactOptionalPropertyTypes, hence the assertion)
      api: this.api.api as IRestApi & { readonly restApiName: string },
      apiStage: PerformanceApi.STAGE_NAME,
      functions,
      stateMachine: this.orchestrator.stateMachine,
      targets: watched,
      customAlarms: [
        ...(invalidations === undefined ? [] : [invalidations.deadLetterAlarm]),
        ...(this.alarmNotifications.deadLetterAlarm === undefined
          ? []
          : [this.alarmNotifications.deadLetterAlarm]),
      ],
    });
    this.dashboard = new PlatformDashboard(this, 'Dashboard', {
      apiName: this.api.api.restApiName,
      apiStage: PerformanceApi.STAGE_NAME,
      functions: functions.map(({ label, handler }) => ({ label, fn: handler.function })),
      stateMachine: this.orchestrator.stateMachine,
      alarms: [this.alarms.composite, ...this.alarms.alarms],
      targets: watched,
    });
    addPlatformOutputs(this, this);
  }
}

/** The invalidation worker's part of its function name (`<stack>-cdn-invalidator`). */
const INVALIDATION_WORKER_ID = 'CdnInvalidator';
