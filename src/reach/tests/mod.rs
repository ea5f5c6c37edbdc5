//! One test per clause of the AWS semantics the engine reproduces.

mod classes;
mod codes;
mod dns;
mod egress_transit;
mod firewall;
mod group_scope;
mod lateral;
mod load_balancer;
mod model;
mod nacl;
mod path;
mod route;
mod security_group;
