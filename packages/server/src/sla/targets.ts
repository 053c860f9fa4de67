// Which target applies to a ticket: the organization's contract-specific one for its severity, else the policy's.
import { SlaTargetSpec } from './cycle';
import { SlaClock } from './vocabulary';

export interface PolicyLevel {
  severity: string;
  targetSeconds: number;
  clock: SlaClock;
}

export interface TargetOverride {
  severity: string;
  targetSeconds: number;
  clock: SlaClock;
}

export function targetFor(severity: string, policy: PolicyLevel[], overrides: TargetOverride[]): SlaTargetSpec {
  const override = overrides.find((candidate) => candidate.severity === severity);
  if (override) return { seconds: override.targetSeconds, clock: override.clock };
  const level = policy.find((candidate) => candidate.severity === severity);
  if (!level) throw new Error(`The policy has no target for ${severity}.`);
  return { seconds: level.targetSeconds, clock: level.clock };
}
