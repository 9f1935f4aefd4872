//! The Salesforce simulator's building blocks, independent of HTTP.
//!
//! Layout:
//! - [`ids`]: 15/18-character record ids, the case checksum, id generation.
//! - [`schema`]: object and field descriptions ([`schema::ObjectSchema`]) and the standard objects
//!   the project touches ([`schema::standard_objects`]).
//! - [`soql`]: the SOQL engine: parse a query, check it against the schemas and evaluate it
//!   against any store that implements [`soql::Dataset`], returning rows in the REST shape.

pub mod ids;
pub mod schema;
pub mod soql;
