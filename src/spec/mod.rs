//! Spec files: the model, the loader with located diagnostics, and the validator of values against members.

mod diagnostic;

mod loader;
mod lower;
mod model;
mod overlay;

mod raw;
mod reference;
mod schema;
mod starter;
pub mod template;
pub mod validate;

pub use crate::model::Pattern;
pub use crate::model::fixtures::Fixtures;
pub use diagnostic::{LoadError, Problem};
pub use loader::{EMBEDDED, embedded, load_paths, load_sources};
pub use lower::lower;
pub use model::*;
pub use overlay::overlay;
pub use reference::reference_markdown;
pub use starter::starter;

/// The model of the embedded spec files.
pub fn embedded_model() -> Result<crate::model::Model, LoadError> {
    Ok(lower(&embedded()?))
}
