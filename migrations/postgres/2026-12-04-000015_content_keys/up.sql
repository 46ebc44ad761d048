-- Content keys: integration tokens that read published content through
-- Ghost's Content API (/ghost/api/content/), and nothing else.
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_scope_check;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scope_check CHECK (scope IN ('read_drafts', 'write_content', 'content'));
