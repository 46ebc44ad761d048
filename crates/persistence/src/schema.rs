//! Diesel's view of the tables, identical on both backends (the migration
//! test checks that the two migrated schemas agree).

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        name -> Text,
        role -> Text,
        password_hash -> Text,
        disabled -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    authors (id) {
        id -> Text,
        slug -> Text,
        name -> Text,
        bio -> Nullable<Text>,
        avatar_url -> Nullable<Text>,
        website -> Nullable<Text>,
        links -> Text,
        user_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        public -> Bool,
        version -> BigInt,
    }
}

diesel::table! {
    categories (id) {
        id -> Text,
        slug -> Text,
        name -> Text,
        description -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        public -> Bool,
        version -> BigInt,
    }
}

diesel::table! {
    tags (id) {
        id -> Text,
        slug -> Text,
        name -> Text,
        description -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        public -> Bool,
        version -> BigInt,
    }
}

diesel::table! {
    posts (id) {
        id -> Text,
        slug -> Text,
        title -> Text,
        summary -> Text,
        custom_summary -> Bool,
        markdown -> Text,
        html -> Text,
        toc -> Text,
        word_count -> Integer,
        reading_time_minutes -> Integer,
        feature_image_url -> Nullable<Text>,
        feature_image_alt -> Nullable<Text>,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
        category_id -> Nullable<Text>,
        featured -> Bool,
        canonical_url -> Nullable<Text>,
        meta_title -> Nullable<Text>,
        meta_description -> Nullable<Text>,
        version -> BigInt,
        owner_id -> Nullable<Text>,
        deleted_at -> Nullable<Timestamp>,
        feature_image_media -> Nullable<Text>,
    }
}

diesel::table! {
    post_tags (post_id, tag_id) {
        post_id -> Text,
        tag_id -> Text,
        position -> Integer,
    }
}

diesel::table! {
    post_authors (post_id, author_id) {
        post_id -> Text,
        author_id -> Text,
        position -> Integer,
    }
}

diesel::table! {
    post_listings (kind, key, post_id) {
        kind -> Text,
        key -> Text,
        post_id -> Text,
        published_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        session_id -> Text,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Text,
        name -> Text,
        token_hash -> Text,
        scope -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        version -> BigInt,
    }
}

diesel::table! {
    revisions (id) {
        id -> Text,
        post_id -> Text,
        number -> Integer,
        user_id -> Nullable<Text>,
        created_at -> Timestamp,
        title -> Text,
        markdown -> Text,
        metadata -> Text,
        updated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    idempotency_keys (owner, key) {
        owner -> Text,
        key -> Text,
        request_hash -> Text,
        status -> Integer,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    changes (seq) {
        seq -> BigInt,
        post_id -> Text,
        kind -> Text,
        slug -> Text,
        status -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Text,
        url -> Text,
        events -> Text,
        secret -> Text,
        description -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
        disabled_reason -> Nullable<Text>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        webhook_id -> Text,
        event -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> BigInt,
        delivery_id -> Text,
        attempted_at -> Timestamp,
        duration_ms -> Integer,
        response_status -> Nullable<Integer>,
        error -> Nullable<Text>,
    }
}

diesel::table! {
    listing_counts (kind, key) {
        kind -> Text,
        key -> Text,
        posts -> BigInt,
    }
}

diesel::table! {
    post_states (post_id) {
        post_id -> Text,
        state -> Text,
    }
}

diesel::table! {
    public_changes (id) {
        id -> BigInt,
        generation -> BigInt,
    }
}

diesel::table! {
    media_blobs (sha256) {
        sha256 -> Text,
        content_type -> Text,
        bytes -> BigInt,
        width -> Nullable<Integer>,
        height -> Nullable<Integer>,
        has_location -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    media_renditions (sha256, width, format) {
        sha256 -> Text,
        width -> Integer,
        format -> Text,
        height -> Integer,
        bytes -> BigInt,
    }
}

diesel::table! {
    media (id) {
        id -> Text,
        sha256 -> Text,
        filename -> Text,
        alt -> Nullable<Text>,
        caption -> Nullable<Text>,
        uploaded_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    post_media (post_id, media_id) {
        post_id -> Text,
        media_id -> Text,
    }
}

diesel::joinable!(authors -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(revisions -> posts (post_id));
diesel::joinable!(post_listings -> posts (post_id));
diesel::joinable!(posts -> categories (category_id));
diesel::joinable!(post_tags -> posts (post_id));
diesel::joinable!(post_tags -> tags (tag_id));
diesel::joinable!(post_authors -> posts (post_id));
diesel::joinable!(post_authors -> authors (author_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));
diesel::joinable!(media -> media_blobs (sha256));
diesel::joinable!(media -> users (uploaded_by));
diesel::joinable!(media_renditions -> media_blobs (sha256));
diesel::joinable!(post_media -> posts (post_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    authors,
    categories,
    tags,
    posts,
    post_tags,
    post_authors,
    post_listings,
    sessions,
    refresh_tokens,
    api_tokens,
    revisions,
    idempotency_keys,
    settings,
    changes,
    webhooks,
    webhook_deliveries,
    webhook_attempts,
    post_states,
    listing_counts,
    media_blobs,
    media_renditions,
    media,
    post_media
);
