//! `vpcaudit diff`: two inventories compared, resource by resource, and the effect
//! of the changes on what the checks find.
