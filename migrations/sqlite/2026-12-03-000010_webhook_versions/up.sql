-- Webhooks and integration tokens carry a version, as posts do, so that a
-- change or deletion names the version it was made against (If-Match) and
-- two admins cannot both win a race. A webhook that the deliverer turned
-- off (its receiver answered 410 Gone) says why.
ALTER TABLE webhooks ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE webhooks ADD COLUMN disabled_reason TEXT;
ALTER TABLE api_tokens ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
