//! Spec files: the model, the loader with located diagnostics, and the validator of values against members.

mod diagnostic;
mod fixtures;
mod loader;
mod model;
mod pattern;
mod raw;
pub mod template;
pub mod validate;

pub use diagnostic::{LoadError, Problem};
pub use fixtures::Fixtures;
pub use loader::{EMBEDDED, embedded, load_paths, load_sources};
pub use model::*;
pub use pattern::Pattern;
