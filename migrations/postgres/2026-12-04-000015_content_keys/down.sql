DELETE FROM api_tokens WHERE scope = 'content';
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_scope_check;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scope_check CHECK (scope IN ('read_drafts', 'write_content'));
