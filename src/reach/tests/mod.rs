//! One test per clause of the AWS semantics the engine reproduces.

mod classes;
mod dns;
mod firewall;
mod group_scope;
mod lateral;
mod model;
mod nacl;
mod path;
mod route;
mod security_group;
