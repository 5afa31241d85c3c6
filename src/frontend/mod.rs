//! Frontends: where models come from. [`botocore`] reads AWS's published service models (`service-2.json(.gz)`).
//!
//! A caller finds a set of models once ([`botocore::Models::locate`]), lists them cheaply
//! ([`botocore::Models::catalog`]) and loads only the services it needs ([`botocore::Models::load`]).

pub mod botocore;
