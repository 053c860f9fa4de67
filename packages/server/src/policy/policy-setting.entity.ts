import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

export enum PolicySettingKey {
  ESCALATIONS_EMAIL = 'ESCALATIONS_EMAIL',
  SUPPORT_QUEUE_EMAIL = 'SUPPORT_QUEUE_EMAIL',
}

/** A value of the policy an admin has set; absent keys fall back to the configuration (and the seed). */
@Entity({ tableName: 'policy_setting' })
export class PolicySetting {
  @PrimaryKey({ type: 'string', length: 50 })
  key!: PolicySettingKey;

  @Property({ type: 'string', length: 254 })
  value!: string;

  @Property({ type: 'datetime' })
  updatedAt!: Date;
}
