//! The wire protocols (restJson1, awsJson1_0/1_1): how an operation's input becomes an HTTP request.

mod request;

pub use request::{encode_input, input_request, request};
