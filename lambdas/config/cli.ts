import type { Env } from './parse';

/** What the CLI itself reads from the environment (the local server's settings are config/local.ts). */
export interface CliConfig {
  /** Where `throughline demo` writes its reports (under the data folder). */
  readonly dataDir: string;
  /** The signing region when neither --region nor an execute-api host name gives one. */
  readonly awsRegion: string | undefined;
}

export function cliConfig(env: Env = process.env): CliConfig {
  return {
    dataDir: env.THROUGHLINE_DATA_DIR || '.throughline',
    awsRegion: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
  };
}
