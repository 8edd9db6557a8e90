//! JSON Schemas (OpenAPI 3.1) of values both APIs show, built from the domain's own lists so that
//! the contract (docs/openapi.json) names exactly what the code accepts and answers. The answer
//! types use them through `#[schema(schema_with = ...)]`.

use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};

use crate::domain::{InvitationStatus, Language};

/// A UI language code: one of [`Language::ALL`] (`en`, `fi`, `sv`).
pub fn language() -> Object {
    one_of(
        Language::ALL.map(Language::code),
        "The interview's UI language (its interface and emails, not its questions).",
    )
}

/// An invitation status code: one of [`InvitationStatus::ALL`] (the lifecycle in docs/api.md).
pub fn invitation_status() -> Object {
    one_of(
        InvitationStatus::ALL.map(InvitationStatus::code),
        "Where the invitation is in its lifecycle (docs/api.md, \"Statuses\").",
    )
}

/// A string that is one of `codes`.
fn one_of<const N: usize>(codes: [&str; N], description: &str) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(codes))
        .description(Some(description))
        .build()
}

/// A ULID (26 characters of Crockford's base32): the ids of invitations and video interviews.
pub fn ulid() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(ULID_PATTERN))
        .examples(["01KAWXK4D2T6Y9B3C5E7G8H1J2"])
        .build()
}

/// A ULID, or `null` (an id the record may not have).
pub fn optional_ulid() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .pattern(Some(ULID_PATTERN))
        .examples(["01KAWXK4D2T6Y9B3C5E7G8H1J2"])
        .build()
}

/// The ECMA-262 pattern of a ULID as this service writes them (upper case).
pub const ULID_PATTERN: &str = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$";
