//! Interface endpoints: an ENI using an AWS service through the endpoint's ENIs.
//!
//! The endpoint's DNS name (and its private DNS name) resolves to every endpoint ENI,
//! one per chosen subnet, so a client may be handed any of them: each is a
//! connection of its own, and one in another AZ crosses AZs.

use crate::inventory::{Inventory, PortRange};

use super::super::model::Model;
use super::super::sets::ServicePoint;
use super::super::verdict::Evaluation;
use super::private::eni_to_eni_with;
use super::DEFAULT_EPHEMERAL;

/// One endpoint ENI a client may connect to.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointLeg {
    pub endpoint_eni: String,
    pub availability_zone: Option<String>,
    /// In the client's own AZ.
    pub same_az: bool,
    pub evaluation: Evaluation,
}

/// Whether `eni` can open `service` to each ENI of interface endpoint
/// `endpoint_id`, with the client on the Linux default ephemeral ports.
pub fn eni_to_interface_endpoint(
    model: &Model,
    inv: &Inventory,
    eni: &str,
    endpoint_id: &str,
    service: ServicePoint,
) -> Result<Vec<EndpointLeg>, String> {
    eni_to_interface_endpoint_with(model, inv, eni, endpoint_id, service, DEFAULT_EPHEMERAL)
}

/// [`eni_to_interface_endpoint`] with the client's ephemeral port range.
pub fn eni_to_interface_endpoint_with(
    model: &Model,
    inv: &Inventory,
    eni: &str,
    endpoint_id: &str,
    service: ServicePoint,
    ephemeral: PortRange,
) -> Result<Vec<EndpointLeg>, String> {
    let (rm, client) = model.locate_eni(eni)?;
    let ri = super::region_inventory(inv, rm)?;
    let vpce = ri
        .vpc_endpoints
        .iter()
        .find(|v| v.id == endpoint_id)
        .ok_or_else(|| {
            format!(
                "{endpoint_id} is not in the inventory of {}/{}",
                rm.account_id, rm.region
            )
        })?;
    if !vpce.endpoint_type.eq_ignore_ascii_case("interface") {
        return Err(format!(
            "{endpoint_id} is a {} endpoint, not an interface endpoint",
            vpce.endpoint_type
        ));
    }
    if vpce.network_interface_ids.is_empty() {
        return Err(format!("{endpoint_id} has no network interfaces"));
    }
    let az_of_subnet = |subnet: &str| rm.subnet(subnet).map(|s| s.availability_zone.to_string());
    let client_az = az_of_subnet(&client.subnet_id);
    Ok(vpce
        .network_interface_ids
        .iter()
        .map(|id| {
            let availability_zone = rm.eni(id).and_then(|e| {
                e.availability_zone
                    .clone()
                    .or_else(|| az_of_subnet(&e.subnet_id))
            });
            EndpointLeg {
                endpoint_eni: id.clone(),
                same_az: availability_zone.is_some() && availability_zone == client_az,
                availability_zone,
                evaluation: eni_to_eni_with(model, inv, eni, id, service, ephemeral),
            }
        })
        .collect())
}
