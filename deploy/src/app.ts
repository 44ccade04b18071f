import { mkdirSync } from 'node:fs';
import { baseStackName } from '@lambdaflex/state';
import { App } from 'aws-cdk-lib';
import { CONTROL_STACK_NAME, controlStackId } from './naming';
import { REQUIRE_SETTINGS_CONTEXT, readControlTargets, readSettings, type ControlTarget, type DeploySettings } from './settings';
import { BaseStack, type BaseStackProps } from './stacks/base-stack';
import { ControlStack } from './stacks/control-stack';
import { writeTierTemplate } from './tier-template';

/** Where the app writes and what it packages. */
export interface LambdaFlexAppOptions {
  /** The cloud assembly directory; the tier template is written there too. */
  outdir: string;
  /** The reconciler bundle directory (holds `handler.js`). */
  reconcilerCodePath: string;
  /** Environment variables to read settings from when CDK context has none. */
  env: NodeJS.ProcessEnv;
  /** CDK context, as `--context` or cdk.json would give it (tests; the CLI passes its own through the environment). */
  context?: Record<string, unknown>;
}

/** The app and what it was built from. */
export interface LambdaFlexApp {
  app: App;
  settings: DeploySettings;
  /** The accounts and regions given a control stack each; empty: one stack, for the caller's account and region. */
  controlTargets: ControlTarget[];
  /** The control stacks: one, or one per target. */
  controlStacks: ControlStack[];
  tierTemplatePath: string;
}

/**
 * Builds the deployable app: the control stack and one service's base stack (`cdk deploy --all` deploys
 * both), after writing the tier template beside them as plain JSON. The tier stack is not in this app:
 * only the reconciler deploys it. By default every stack is environment-agnostic, so synthesis needs no
 * AWS account or credentials; `cdk deploy` targets the account and region of the caller's credentials.
 * With `controlTargets`, there is one control stack per listed account and region instead, each pinned
 * to it (docs/fleet.md); the base stack still goes where the caller's credentials point.
 * @throws SettingsError when the settings are incomplete or invalid.
 */
export function createLambdaFlexApp(options: LambdaFlexAppOptions): LambdaFlexApp {
  mkdirSync(options.outdir, { recursive: true });
  const tierTemplatePath = writeTierTemplate(options.outdir);

  const app = new App({ outdir: options.outdir, context: options.context });
  const fromContextOrEnv = (source: { context: string; env: string }): string | undefined => {
    const value: unknown = app.node.tryGetContext(source.context);
    if (value === undefined) return options.env[source.env];
    // cdk.json may hold a setting as JSON (the environment as an object): read it as the JSON it is.
    return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
  };
  const required = String(app.node.tryGetContext(REQUIRE_SETTINGS_CONTEXT)) === 'true';
  const settings = readSettings(fromContextOrEnv, required);
  const controlTargets = readControlTargets(fromContextOrEnv);

  const control = {
    reconcilerCodePath: options.reconcilerCodePath,
    tierTemplatePath,
    hostedZoneIds: settings.hostedZoneIds,
  };
  const controlStacks = controlTargets.length
    ? controlTargets.map((env) => new ControlStack(app, controlStackId(env), { ...control, env, stackName: CONTROL_STACK_NAME }))
    : [new ControlStack(app, CONTROL_STACK_NAME, control)];
  new BaseStack(app, baseStackName(settings.service), baseStackProps(settings));
  return { app, settings, controlTargets, controlStacks, tierTemplatePath };
}

/** A service's base stack as its settings describe it. */
export function baseStackProps(settings: DeploySettings): BaseStackProps {
  return {
    service: settings.service,
    domainName: settings.domainName,
    hostedZoneId: settings.hostedZoneId,
    imageRepositoryName: settings.imageRepository,
    imageTagOrDigest: settings.imageTag,
    imageRegistry: settings.imageRegistry,
    apiThrottle: settings.apiThrottle,
    containerPort: settings.containerPort,
    healthCheckPath: settings.healthPath,
    lambdaMemoryMiB: settings.lambdaMemoryMiB,
    lambdaTimeoutSeconds: settings.lambdaTimeoutSeconds,
    environment: settings.environment,
    petsTable: settings.petsTable,
  };
}
