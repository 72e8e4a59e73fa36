/** Structured logging port (Powertools Logger on AWS, JSON lines locally). */
export interface Log {
  info(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}
