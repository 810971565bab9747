/** The namespace's custom search attributes (registered on the server, see docs/architecture.md). */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const TenantIdAttribute = defineSearchAttributeKey('TenantId', SearchAttributeType.KEYWORD);
export const PlanAttribute = defineSearchAttributeKey('Plan', SearchAttributeType.KEYWORD);
export const AuditIdAttribute = defineSearchAttributeKey('AuditId', SearchAttributeType.KEYWORD);
export const TenantParkedAttribute = defineSearchAttributeKey('TenantParked', SearchAttributeType.BOOL);
