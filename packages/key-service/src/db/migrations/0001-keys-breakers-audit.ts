/**
 * Encrypted tenant keys, the fleet breaker and the audit log. Only ciphertext is stored: the
 * plaintext key never appears in SQL text or rows. tenant_keys keeps one row per (tenant, provider)
 * whose key_version only grows, so a breaker row of an old version can never be reused by a new key.
 */
export const keysBreakersAudit = `
CREATE TABLE tenant_keys (
  tenant_id    text        NOT NULL,
  provider     text        NOT NULL CHECK (provider IN ('openai', 'anthropic')),
  key_version  integer     NOT NULL CHECK (key_version >= 0),
  kek_version  integer,
  wrapped_dek  bytea,
  nonce        bytea,
  ciphertext   bytea,
  auth_tag     bytea,
  fingerprint  text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  deleted_at   timestamptz,
  PRIMARY KEY (tenant_id, provider),
  CONSTRAINT tenant_keys_envelope_complete CHECK (
    (deleted_at IS NULL AND kek_version IS NOT NULL AND wrapped_dek IS NOT NULL AND nonce IS NOT NULL
       AND ciphertext IS NOT NULL AND auth_tag IS NOT NULL AND fingerprint IS NOT NULL)
    OR (deleted_at IS NOT NULL AND wrapped_dek IS NULL AND nonce IS NULL AND ciphertext IS NULL AND auth_tag IS NULL)
  )
);
CREATE INDEX tenant_keys_kek_version ON tenant_keys (kek_version) WHERE deleted_at IS NULL;

CREATE TABLE key_breakers (
  tenant_id    text        NOT NULL,
  provider     text        NOT NULL,
  key_version  integer     NOT NULL,
  state        text        NOT NULL DEFAULT 'closed' CHECK (state IN ('closed', 'open', 'half_open')),
  reason       text        CHECK (reason IN ('auth_failure', 'quota_exhausted', 'rate_limited')),
  failures     integer     NOT NULL DEFAULT 0,
  trips        integer     NOT NULL DEFAULT 0,
  opened_at    timestamptz,
  reopen_at    timestamptz,
  probe_until  timestamptz,
  probe_owner  text,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, provider, key_version),
  CONSTRAINT key_breakers_reason_when_open CHECK ((state = 'closed') = (reason IS NULL))
);
CREATE INDEX key_breakers_not_closed ON key_breakers (provider) WHERE state <> 'closed';

CREATE TABLE audit_log (
  id           bigserial   PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT now(),
  actor        text        NOT NULL,
  action       text        NOT NULL,
  tenant_id    text,
  provider     text,
  key_version  integer,
  outcome      text        NOT NULL,
  request_id   text
);
CREATE INDEX audit_log_tenant_at ON audit_log (tenant_id, at);
`;
