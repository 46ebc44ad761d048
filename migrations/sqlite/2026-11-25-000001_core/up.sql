-- The core content model. Ids are UUID text; times are UTC. Constraint names
-- match the PostgreSQL migration so errors map to the same field names.

CREATE TABLE users (
    id TEXT NOT NULL PRIMARY KEY,
    email TEXT NOT NULL CONSTRAINT users_email_key UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CONSTRAINT users_role_check CHECK (role IN ('contributor', 'author', 'editor', 'admin')),
    password_hash TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE authors (
    id TEXT NOT NULL PRIMARY KEY,
    slug TEXT NOT NULL CONSTRAINT authors_slug_key UNIQUE,
    name TEXT NOT NULL,
    bio TEXT,
    avatar_url TEXT,
    website TEXT,
    links TEXT NOT NULL DEFAULT '[]',
    user_id TEXT CONSTRAINT authors_user_id_key UNIQUE REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE categories (
    id TEXT NOT NULL PRIMARY KEY,
    slug TEXT NOT NULL CONSTRAINT categories_slug_key UNIQUE,
    name TEXT NOT NULL,
    description TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE tags (
    id TEXT NOT NULL PRIMARY KEY,
    slug TEXT NOT NULL CONSTRAINT tags_slug_key UNIQUE,
    name TEXT NOT NULL,
    description TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE posts (
    id TEXT NOT NULL PRIMARY KEY,
    slug TEXT NOT NULL CONSTRAINT posts_slug_key UNIQUE,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    custom_summary BOOLEAN NOT NULL DEFAULT FALSE,
    markdown TEXT NOT NULL,
    html TEXT NOT NULL,
    toc TEXT NOT NULL DEFAULT '[]',
    word_count INTEGER NOT NULL,
    reading_time_minutes INTEGER NOT NULL,
    feature_image_url TEXT,
    feature_image_alt TEXT,
    status TEXT NOT NULL CONSTRAINT posts_status_check CHECK (status IN ('draft', 'scheduled', 'published', 'archived')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    published_at TIMESTAMP,
    category_id TEXT REFERENCES categories (id) ON DELETE SET NULL,
    featured BOOLEAN NOT NULL DEFAULT FALSE,
    canonical_url TEXT,
    meta_title TEXT,
    meta_description TEXT,
    version BIGINT NOT NULL DEFAULT 1
);

CREATE INDEX posts_status_idx ON posts (status, published_at);

CREATE TABLE post_tags (
    post_id TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag_id TEXT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    CONSTRAINT post_tags_pkey PRIMARY KEY (post_id, tag_id)
);
CREATE INDEX post_tags_tag_idx ON post_tags (tag_id);

CREATE TABLE post_authors (
    post_id TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    author_id TEXT NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    CONSTRAINT post_authors_pkey PRIMARY KEY (post_id, author_id)
);
CREATE INDEX post_authors_author_idx ON post_authors (author_id);

-- Every public listing of published posts, newest first: the whole blog
-- (kind 'all'), one tag, category or author (kind 'tag', 'category',
-- 'author', key = its id), featured posts. A published post has one row per
-- listing it appears in, kept in step with the post in the same
-- transaction; drafts have none. A page of any listing is then one range of
-- one index, keyset-paginated on (published_at, post_id), whatever the size
-- of the blog.
CREATE TABLE post_listings (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    post_id TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    published_at TIMESTAMP NOT NULL,
    CONSTRAINT post_listings_pkey PRIMARY KEY (kind, key, post_id)
);
CREATE INDEX post_listings_order_idx ON post_listings (kind, key, published_at DESC, post_id DESC);
CREATE INDEX post_listings_post_idx ON post_listings (post_id);
