ALTER TABLE api_tokens DROP COLUMN version;
ALTER TABLE webhooks DROP COLUMN disabled_reason;
ALTER TABLE webhooks DROP COLUMN version;
