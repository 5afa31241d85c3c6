//! `conform`: a property-based conformance test harness for AWS APIs and the emulators that stand in for them.
#![warn(missing_docs)]

pub mod case;
pub mod check;
pub mod cli;
pub mod client;
pub mod credentials;
pub mod emulator;
pub mod engine;
pub mod exit;
pub mod frontend;
pub mod generate;
pub mod model;
pub mod oracle;
pub mod protocol;
pub mod redact;
pub mod report;
pub mod safety;
pub mod scenario;
pub mod sigv4;
pub mod snapshot;
pub mod spec;
