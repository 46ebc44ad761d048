// The API's shapes, each taken from openapi.d.ts (generated from
// openapi.yaml by `npm run types`), so that a change of the contract the
// app does not follow is a type error, not a bug in a browser.
import type { components, paths } from './openapi';

type Schemas = components['schemas'];

/** Every path of the contract, as written there ("/api/v1/admin/posts/{id}"). */
export type ApiPath = keyof paths;

/** A path's `{name}` parameters (never, for a path that has none). */
export type PathParams<P extends ApiPath> = NonNullable<paths[P]['parameters']['path']>;

interface JsonContent {
  content: { 'application/json': unknown };
}
/** The JSON of an answer or a request body; a type error when it has none. */
type Json<R extends JsonContent> = R['content']['application/json'];

export type Role = Schemas['Role'];
export type PostStatus = Schemas['PostStatus'];

export type AdminPost = Schemas['AdminPost'];
export type AdminPostEnvelope = Schemas['AdminPostEnvelope'];
export type AdminTerm = Schemas['AdminTerm'];
export type AdminAuthor = Schemas['AdminAuthor'];

/** The writable fields: absent keeps a value, null clears it. */
export type PostFields = Schemas['PostFields'];
export type NewPostFields = Schemas['NewPostFields'];

export type LoginRequest = Json<paths['/api/v1/auth/login']['post']['requestBody']>;
export type Tokens = Json<paths['/api/v1/auth/login']['post']['responses'][200]>;
export type RefreshedTokens = Json<paths['/api/v1/auth/refresh']['post']['responses'][200]>;
export type CurrentUser = Json<paths['/api/v1/auth/me']['get']['responses'][200]>;
/** The signed-in account, as /auth/me describes it. */
export type User = CurrentUser['user'];

export type PostQuery = NonNullable<paths['/api/v1/admin/posts']['get']['parameters']['query']>;
export type PostPage = Json<paths['/api/v1/admin/posts']['get']['responses'][200]>;
export type ScheduleRequest = Json<paths['/api/v1/admin/posts/{id}/schedule']['post']['requestBody']>;

export type RenderRequest = Json<paths['/api/v1/admin/render']['post']['requestBody']>;
export type Rendered = Json<paths['/api/v1/admin/render']['post']['responses'][200]>;

/** The lists of terms the editor suggests, by the path's last word. */
export interface TermLists {
  tags: Json<paths['/api/v1/admin/tags']['get']['responses'][200]>['tags'];
  categories: Json<paths['/api/v1/admin/categories']['get']['responses'][200]>['categories'];
  authors: Json<paths['/api/v1/admin/authors']['get']['responses'][200]>['authors'];
}
/** A tag, category or author profile as a choice in a field. */
export type TermChoice = Pick<AdminTerm | AdminAuthor, 'slug' | 'name'>;

/**
 * An RFC 9457 problem document. Partial: a body that is not the API's
 * (a proxy's error page, say) still has to be shown.
 */
export type Problem = Partial<Schemas['Problem']>;

export type Media = Schemas['Media'];
export type MediaUse = Schemas['MediaUse'];
export type MediaQuery = NonNullable<paths['/api/v1/admin/media']['get']['parameters']['query']>;
export type MediaPage = Json<paths['/api/v1/admin/media']['get']['responses'][200]>;
/** One item as GET /media/{id} gives it: with the posts that use it. */
export type MediaDetail = Json<paths['/api/v1/admin/media/{id}']['get']['responses'][200]>['media'];
export type MediaChanges = Json<paths['/api/v1/admin/media/{id}']['patch']['requestBody']>;
export type Uploaded = Json<paths['/api/v1/admin/media']['post']['responses'][201]>;

export type Revision = Schemas['Revision'];
export type RevisionList = Json<paths['/api/v1/admin/posts/{id}/revisions']['get']['responses'][200]>;
export type AdminUsers = Json<paths['/api/v1/admin/users']['get']['responses'][200]>;
