//! Who may do what. Every write asks here, with the very object it is
//! about to change: a contributor may edit a draft only if it is theirs,
//! an author may publish only their own posts, and so on.

use std::fmt;
use std::str::FromStr;

use crate::error::{FieldError, InvalidKind};
use crate::ids::UserId;
use crate::status::PostStatus;
use crate::user::Role;

/// What an integration token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenScope {
    /// Read every post, drafts included (a preview builder, a search indexer).
    ReadDrafts,
    /// Create, edit and publish content (a publishing pipeline).
    WriteContent,
    /// Read published content through Ghost's Content API (a Ghost
    /// frontend's key): never the editor API.
    Content,
}

impl TokenScope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReadDrafts => "read_drafts",
            Self::WriteContent => "write_content",
            Self::Content => "content",
        }
    }
}

impl FromStr for TokenScope {
    type Err = FieldError;
    fn from_str(raw: &str) -> Result<Self, FieldError> {
        match raw {
            "read_drafts" => Ok(Self::ReadDrafts),
            "write_content" => Ok(Self::WriteContent),
            "content" => Ok(Self::Content),
            _ => {
                Err(FieldError::new("scope", InvalidKind::NotOneOf { allowed: "read_drafts, write_content, content" }))
            }
        }
    }
}

impl fmt::Display for TokenScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whoever is making a request to the editor API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    User { id: UserId, role: Role },
    Integration { scope: TokenScope },
}

/// The facts about a post that decide who may touch it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostFacts {
    pub owner: Option<UserId>,
    pub status: PostStatus,
}

impl Actor {
    fn role(&self) -> Option<Role> {
        match self {
            Self::User { role, .. } => Some(*role),
            Self::Integration { .. } => None,
        }
    }

    fn owns(&self, post: PostFacts) -> bool {
        matches!(self, Self::User { id, .. } if post.owner == Some(*id))
    }

    fn writes_content(&self) -> bool {
        matches!(self, Self::Integration { scope: TokenScope::WriteContent })
    }

    fn at_least(&self, role: Role) -> bool {
        self.role().is_some_and(|r| r >= role)
    }

    /// Every signed-in user and every integration reads the editor's view;
    /// which posts in it, [`Actor::can_read`] and [`Actor::reads_only_own`] say.
    pub fn can_read_drafts(&self) -> bool {
        !matches!(self, Self::Integration { scope: TokenScope::Content })
    }

    /// Contributors and authors see what is published and their own
    /// posts; editors, admins and integrations every post.
    pub fn can_read(&self, post: PostFacts) -> bool {
        !self.reads_only_own() || self.owns(post) || post.status == PostStatus::Published
    }

    /// A post's revisions hold its unpublished text, whatever its status
    /// now: contributors and authors read only their own posts' history.
    pub fn can_read_revisions(&self, post: PostFacts) -> bool {
        !self.reads_only_own() || self.owns(post)
    }

    /// Whether lists of posts show this actor, beside what is published,
    /// only their own posts (contributors and authors).
    pub fn reads_only_own(&self) -> bool {
        matches!(self.role(), Some(Role::Contributor | Role::Author))
    }

    pub fn can_create_posts(&self) -> bool {
        self.role().is_some() || self.writes_content()
    }

    /// Contributors edit their own drafts; authors their own posts; editors,
    /// admins and content pipelines every post.
    pub fn can_edit(&self, post: PostFacts) -> bool {
        match self.role() {
            Some(Role::Contributor) => self.owns(post) && post.status == PostStatus::Draft,
            Some(Role::Author) => self.owns(post),
            Some(Role::Editor | Role::Admin) => true,
            None => self.writes_content(),
        }
    }

    /// Publish, schedule, unpublish: never contributors; authors their own.
    pub fn can_publish(&self, post: PostFacts) -> bool {
        match self.role() {
            Some(Role::Contributor) => false,
            Some(Role::Author) => self.owns(post),
            Some(Role::Editor | Role::Admin) => true,
            None => self.writes_content(),
        }
    }

    /// Moving a post to the trash follows editing rights.
    pub fn can_delete(&self, post: PostFacts) -> bool {
        self.can_edit(post)
    }

    /// Restoring from and purging the trash.
    pub fn can_manage_trash(&self) -> bool {
        self.at_least(Role::Admin)
    }

    /// Creating, renaming and deleting tags, categories and author
    /// profiles; unknown slugs on a post create them only for these actors.
    pub fn can_manage_taxonomy(&self) -> bool {
        self.at_least(Role::Editor) || self.writes_content()
    }

    /// Uploading images and files: anyone who may write a post.
    pub fn can_upload_media(&self) -> bool {
        self.can_create_posts()
    }

    /// Seeing a media item in the editor's lists: contributors and authors
    /// their own uploads, everyone else every one.
    pub fn can_see_media(&self, uploaded_by: Option<UserId>) -> bool {
        !self.reads_only_own() || (uploaded_by.is_some() && self.user_id() == uploaded_by)
    }

    /// Describing and deleting a media item: what one sees, except for
    /// read-only integrations.
    pub fn can_manage_media(&self, uploaded_by: Option<UserId>) -> bool {
        self.can_see_media(uploaded_by) && (self.role().is_some() || self.writes_content())
    }

    /// Deleting a media item that posts still use: editors and admins.
    pub fn can_force_media_delete(&self) -> bool {
        self.at_least(Role::Editor)
    }

    /// Users, integration tokens and settings.
    pub fn can_administer(&self) -> bool {
        self.at_least(Role::Admin)
    }

    pub fn user_id(&self) -> Option<UserId> {
        match self {
            Self::User { id, .. } => Some(*id),
            Self::Integration { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role) -> (Actor, UserId) {
        let id = UserId::new();
        (Actor::User { id, role }, id)
    }

    #[test]
    fn the_role_matrix() {
        let other = UserId::new();
        for (role, own_draft, own_published, others_draft, publish_own, publish_others, taxonomy, admin) in [
            (Role::Contributor, true, false, false, false, false, false, false),
            (Role::Author, true, true, false, true, false, false, false),
            (Role::Editor, true, true, true, true, true, true, false),
            (Role::Admin, true, true, true, true, true, true, true),
        ] {
            let (actor, me) = user(role);
            let mine = |status| PostFacts { owner: Some(me), status };
            let theirs = PostFacts { owner: Some(other), status: PostStatus::Draft };
            assert_eq!(actor.can_edit(mine(PostStatus::Draft)), own_draft, "{role} edits own draft");
            assert_eq!(actor.can_edit(mine(PostStatus::Published)), own_published, "{role} edits own published");
            assert_eq!(actor.can_edit(theirs), others_draft, "{role} edits another's draft");
            assert_eq!(actor.can_publish(mine(PostStatus::Draft)), publish_own, "{role} publishes own");
            assert_eq!(actor.can_publish(theirs), publish_others, "{role} publishes another's");
            assert_eq!(actor.can_read(theirs), others_draft, "{role} reads another's draft");
            assert_eq!(actor.can_read_revisions(theirs), others_draft, "{role} reads another's revisions");
            let theirs_published = PostFacts { status: PostStatus::Published, ..theirs };
            assert!(actor.can_read(theirs_published), "{role} reads another's published post");
            assert_eq!(actor.can_read_revisions(theirs_published), others_draft, "{role} reads a published history");
            assert!(actor.can_read(mine(PostStatus::Draft)) && actor.can_read_revisions(mine(PostStatus::Scheduled)));
            assert_eq!(actor.can_manage_taxonomy(), taxonomy, "{role} manages taxonomy");
            assert_eq!(actor.can_administer(), admin, "{role} administers");
            assert_eq!(actor.can_manage_trash(), admin, "{role} manages the trash");
            assert!(actor.can_create_posts());
            assert!(actor.can_upload_media() && actor.can_manage_media(Some(me)) && actor.can_see_media(Some(me)));
            assert_eq!(actor.can_manage_media(Some(other)), others_draft, "{role} manages another's upload");
            assert_eq!(actor.can_see_media(Some(other)), others_draft, "{role} sees another's upload");
            assert_eq!(actor.can_manage_media(None), others_draft, "{role} manages a pipeline's upload");
            assert_eq!(actor.can_force_media_delete(), others_draft, "{role} deletes media still in use");
        }
    }

    #[test]
    fn integration_scopes() {
        let post = PostFacts { owner: None, status: PostStatus::Published };
        let reader = Actor::Integration { scope: TokenScope::ReadDrafts };
        let writer = Actor::Integration { scope: TokenScope::WriteContent };
        let content_key = Actor::Integration { scope: TokenScope::Content };
        assert!(!content_key.can_read_drafts() && !content_key.can_create_posts() && !content_key.can_administer());
        assert_eq!("content".parse::<TokenScope>().unwrap(), TokenScope::Content);
        assert!(reader.can_read_drafts() && !reader.can_create_posts() && !reader.can_edit(post));
        let draft = PostFacts { owner: None, status: PostStatus::Draft };
        assert!(reader.can_read(draft) && reader.can_read_revisions(draft) && !reader.reads_only_own());
        assert!(writer.can_create_posts() && writer.can_edit(post) && writer.can_publish(post));
        assert!(!writer.can_administer() && !writer.can_manage_trash());
        assert!(reader.can_see_media(None) && !reader.can_manage_media(None) && !reader.can_upload_media());
        assert!(writer.can_upload_media() && writer.can_manage_media(Some(UserId::new())));
        assert!(!writer.can_force_media_delete());
        assert_eq!("write_content".parse::<TokenScope>().unwrap(), TokenScope::WriteContent);
        assert_eq!("admin".parse::<TokenScope>().unwrap_err().field, "scope");
    }
}
