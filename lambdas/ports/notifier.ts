/** Sends an operational notice to the people who run the platform (SNS topic on AWS, the log locally). */
export interface Notifier {
  /** Subject ≤ 100 characters; message plain text. Resolves once the notice is accepted. */
  publish(subject: string, message: string): Promise<void>;
}
