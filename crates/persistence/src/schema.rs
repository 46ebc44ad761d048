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

diesel::joinable!(authors -> users (user_id));
diesel::joinable!(post_listings -> posts (post_id));
diesel::joinable!(posts -> categories (category_id));
diesel::joinable!(post_tags -> posts (post_id));
diesel::joinable!(post_tags -> tags (tag_id));
diesel::joinable!(post_authors -> posts (post_id));
diesel::joinable!(post_authors -> authors (author_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    authors,
    categories,
    tags,
    posts,
    post_tags,
    post_authors,
    post_listings
);
