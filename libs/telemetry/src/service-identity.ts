export const SERVICE_IDENTITY = Symbol('SERVICE_IDENTITY');

export interface ServiceIdentity {
  /** `gateway`, `analysis` …, or `convene` for the all-in-one process. */
  name: string;
  version: string;
}
