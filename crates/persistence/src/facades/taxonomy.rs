//! The taxonomy repository: tags, categories and author profiles, with
//! their published post counts.

use std::collections::HashMap;

use longform_domain::{Author, AuthorId, Category, CategoryId, NewAuthor, NewTerm, Slug, Tag, TagId, is_public};
use tracing::instrument;

use crate::commands::taxonomy as command;
use crate::error::StoreError;
use crate::model::{AuthorChanges, Counted, Term, TermChanges, TermKind};
use crate::read;
use crate::store::Store;

pub struct Taxonomy<'a>(&'a Store);

impl Store {
    pub fn taxonomy(&self) -> Taxonomy<'_> {
        Taxonomy(self)
    }
}

/// Every one, by slug, with its published post count (two statements),
/// and one by slug with its count: for the editor, public or not. The
/// public site reads only `public_*`, which leave out what is not public.
macro_rules! counted_reads {
    ($list:ident, $one:ident, $public_list:ident, $public_one:ident, $all:path, $by_slug:path, $ty:ty, $kind:literal) => {
        #[instrument(level = "debug", skip_all)]
        pub async fn $list(&self) -> Result<Vec<Counted<$ty>>, StoreError> {
            self.0
                .read(|c| {
                    let counts = read::listings::published_counts(c, $kind)?;
                    Ok($all(c)?
                        .into_iter()
                        .map(|item| {
                            let published_posts = counts.get(&item.id.to_string()).copied().unwrap_or(0);
                            Counted { item, published_posts }
                        })
                        .collect())
                })
                .await
        }

        #[instrument(level = "debug", skip_all, fields(slug = %slug))]
        pub async fn $one(&self, slug: Slug) -> Result<Option<Counted<$ty>>, StoreError> {
            self.0
                .read(move |c| {
                    let Some(item) = $by_slug(c, &slug)? else { return Ok(None) };
                    let published_posts = read::listings::published_count(c, $kind, &item.id.to_string())?;
                    Ok(Some(Counted { item, published_posts }))
                })
                .await
        }

        /// The public ones: with a published post, or made public.
        pub async fn $public_list(&self) -> Result<Vec<Counted<$ty>>, StoreError> {
            let mut all = self.$list().await?;
            all.retain(|t| is_public(t.item.public, t.published_posts));
            Ok(all)
        }

        /// One if it is public; `None` when it does not exist or is not public.
        pub async fn $public_one(&self, slug: Slug) -> Result<Option<Counted<$ty>>, StoreError> {
            Ok(self.$one(slug).await?.filter(|t| is_public(t.item.public, t.published_posts)))
        }
    };
}

impl Taxonomy<'_> {
    counted_reads!(
        tags_counted,
        tag_counted,
        public_tags,
        public_tag,
        read::taxonomy::all_tags,
        read::taxonomy::tag_by_slug,
        Tag,
        "tag"
    );
    counted_reads!(
        categories_counted,
        category_counted,
        public_categories,
        public_category,
        read::taxonomy::all_categories,
        read::taxonomy::category_by_slug,
        Category,
        "category"
    );
    counted_reads!(
        authors_counted,
        author_counted,
        public_authors,
        public_author,
        read::taxonomy::all_authors,
        read::taxonomy::author_by_slug,
        Author,
        "author"
    );

    /// Published post counts of every tag, category or author (`kind`:
    /// "tag", "category", "author"), by id, in one statement.
    #[instrument(level = "debug", skip_all, fields(kind))]
    pub async fn published_counts(&self, kind: &'static str) -> Result<HashMap<String, i64>, StoreError> {
        self.0.read(move |c| read::listings::published_counts(c, kind)).await
    }

    pub async fn tag_by_id(&self, id: TagId) -> Result<Option<Tag>, StoreError> {
        self.0.read(move |c| Ok(read::taxonomy::tags_by_ids(c, &[id])?.remove(&id))).await
    }

    pub async fn category_by_id(&self, id: CategoryId) -> Result<Option<Category>, StoreError> {
        self.0.read(move |c| Ok(read::taxonomy::categories_by_ids(c, &[id])?.remove(&id))).await
    }

    pub async fn author_by_id(&self, id: AuthorId) -> Result<Option<Author>, StoreError> {
        self.0.read(move |c| Ok(read::taxonomy::authors_by_ids(c, &[id])?.remove(&id))).await
    }

    pub async fn tags(&self) -> Result<Vec<Tag>, StoreError> {
        self.0.read(read::taxonomy::all_tags).await
    }

    pub async fn categories(&self) -> Result<Vec<Category>, StoreError> {
        self.0.read(read::taxonomy::all_categories).await
    }

    pub async fn authors(&self) -> Result<Vec<Author>, StoreError> {
        self.0.read(read::taxonomy::all_authors).await
    }

    #[instrument(level = "debug", skip_all, fields(slug = %new.slug))]
    pub async fn create_tag(&self, new: NewTerm) -> Result<Tag, StoreError> {
        self.0.write(move |c| command::insert_tag(c, &new)).await
    }

    #[instrument(level = "debug", skip_all, fields(slug = %new.slug))]
    pub async fn create_category(&self, new: NewTerm) -> Result<Category, StoreError> {
        self.0.write(move |c| command::insert_category(c, &new)).await
    }

    #[instrument(level = "debug", skip_all, fields(kind = kind.singular(), slug = %new.slug))]
    pub async fn create_term(&self, kind: TermKind, new: NewTerm) -> Result<Term, StoreError> {
        self.0.write(move |c| command::create_term(c, kind, &new)).await
    }

    #[instrument(level = "debug", skip_all, fields(kind = kind.singular(), slug = %current))]
    pub async fn update_term(
        &self,
        kind: TermKind,
        current: Slug,
        changes: TermChanges,
        expected: Option<i64>,
    ) -> Result<Term, StoreError> {
        self.0.write(move |c| command::update_term(c, kind, &current, &changes, expected)).await
    }

    #[instrument(level = "debug", skip_all, fields(kind = kind.singular(), slug = %slug))]
    pub async fn delete_term(&self, kind: TermKind, slug: Slug, expected: Option<i64>) -> Result<(), StoreError> {
        self.0.write(move |c| command::delete_term(c, kind, &slug, expected)).await
    }

    #[instrument(level = "debug", skip_all, fields(slug = %new.slug))]
    pub async fn create_author(&self, new: NewAuthor) -> Result<Author, StoreError> {
        self.0.write(move |c| command::insert_author(c, &new)).await
    }

    #[instrument(level = "debug", skip_all, fields(slug = %current))]
    pub async fn update_author(
        &self,
        current: Slug,
        changes: AuthorChanges,
        expected: Option<i64>,
    ) -> Result<Author, StoreError> {
        self.0.write(move |c| command::update_author(c, &current, &changes, expected)).await
    }

    #[instrument(level = "debug", skip_all, fields(slug = %slug))]
    pub async fn delete_author(&self, slug: Slug, expected: Option<i64>) -> Result<(), StoreError> {
        self.0.write(move |c| command::delete_author(c, &slug, expected)).await
    }
}
