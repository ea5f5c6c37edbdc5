"""EKS as vpcaudit reads it, on top of moto 5.2.1: managed add-ons (CreateAddon,
DescribeAddon, ListAddons, which moto lacks) in the REST-JSON shapes of the real
API, and clusters that look like EKS's own:

* `resourcesVpcConfig` completed as EKS completes it: the VPC of the subnets, a
  cluster security group EKS creates (`eks-cluster-sg-<name>-<n>`), and the
  endpoint defaults (public, not private, `0.0.0.0/0`);
* node groups without `remoteAccess` unless the request had one (moto invents an
  SSH key for every node group);
* the API server endpoint and CA can be set at creation through the tags
  `vpcaudit-mock:endpoint` and `vpcaudit-mock:certificate-authority` (taken off the
  cluster), so a test can point a cluster at its fake Kubernetes API server.

Installed by patching methods onto moto's EKSResponse/EKSBackend and routes onto
moto's EKS URL map; state lives on moto's per-account, per-region EKSBackend.
"""

import time

from moto.ec2.models import ec2_backends
from moto.eks import urls as eks_urls
from moto.eks.exceptions import InvalidParameterException, ResourceInUseException, ResourceNotFoundException
from moto.eks.models import Cluster, EKSBackend, Nodegroup
from moto.eks.responses import EKSResponse
from moto.core.responses import ActionResult

ENDPOINT_TAG = "vpcaudit-mock:endpoint"
CA_TAG = "vpcaudit-mock:certificate-authority"
ADDON_STATUS = "ACTIVE"
# What EKS installs when the request names no version.
DEFAULT_ADDON_VERSIONS = {
    "vpc-cni": "v1.19.2-eksbuild.1",
    "coredns": "v1.11.4-eksbuild.2",
    "kube-proxy": "v1.31.3-eksbuild.2",
}


def _not_found(message: str, cluster: str, addon: str | None = None):
    return ResourceNotFoundException(
        clusterName=cluster, nodegroupName=None, addonName=addon, message=message
    )


# ---------------------------------------------------------------- clusters

_original_create_cluster = EKSBackend.create_cluster
_original_nodegroup_init = Nodegroup.__init__


def create_cluster(self: EKSBackend, *args, **kwargs) -> Cluster:
    tags = dict(kwargs.get("tags") or {})
    endpoint = tags.pop(ENDPOINT_TAG, None)
    ca = tags.pop(CA_TAG, None)
    kwargs["tags"] = tags
    cluster = _original_create_cluster(self, *args, **kwargs)
    if endpoint:
        cluster.endpoint = endpoint
    if ca:
        cluster.certificate_authority = {"data": ca}
    cluster.resources_vpc_config = _vpc_config(self, cluster.name, cluster.resources_vpc_config or {})
    cluster.vpcaudit_addons = {}
    return cluster


def _vpc_config(backend: EKSBackend, name: str, requested: dict) -> dict:
    """VpcConfigResponse as EKS gives it for a VpcConfigRequest."""
    config = {
        "subnetIds": list(requested.get("subnetIds") or []),
        "securityGroupIds": list(requested.get("securityGroupIds") or []),
        "endpointPublicAccess": requested.get("endpointPublicAccess", True),
        "endpointPrivateAccess": requested.get("endpointPrivateAccess", False),
        "publicAccessCidrs": list(requested.get("publicAccessCidrs") or ["0.0.0.0/0"]),
    }
    ec2 = ec2_backends[backend.account_id][backend.region_name]
    subnets = [s for s in ec2.describe_subnets() if s.id in config["subnetIds"]]
    if subnets:
        vpc_id = subnets[0].vpc_id
        config["vpcId"] = vpc_id
        group = ec2.create_security_group(
            name=f"eks-cluster-sg-{name}-{int(time.time()) % 100000}",
            description="EKS created security group applied to ENI that is attached to "
            "EKS Control Plane master nodes, as well as any managed workloads.",
            vpc_id=vpc_id,
            tags={"aws:eks:cluster-name": name, f"kubernetes.io/cluster/{name}": "owned"},
        )
        config["clusterSecurityGroupId"] = group.id
    return config


def nodegroup_init(self: Nodegroup, *args, **kwargs) -> None:
    remote_access = kwargs.get("remote_access")
    _original_nodegroup_init(self, *args, **kwargs)
    if not remote_access:
        self.remote_access = None


# ---------------------------------------------------------------- add-ons


def _cluster(backend: EKSBackend, name: str) -> Cluster:
    cluster = backend.clusters.get(name)
    if cluster is None:
        raise _not_found(f"No cluster found for name: {name}.", name)
    if not hasattr(cluster, "vpcaudit_addons"):
        cluster.vpcaudit_addons = {}
    return cluster


def create_addon(self: EKSResponse) -> ActionResult:
    cluster_name = self._get_param("name")
    addon_name = self._get_param("addonName")
    cluster = _cluster(self.eks_backend, cluster_name)
    if not addon_name:
        raise InvalidParameterException(
            clusterName=cluster_name, nodegroupName=None, addonName=None,
            message="addonName is required",
        )
    if addon_name in cluster.vpcaudit_addons:
        raise ResourceInUseException(
            clusterName=cluster_name, nodegroupName=None, addonName=addon_name,
            message=f"Addon already exists with name: {addon_name}",
        )
    now = time.time()
    addon = {
        "addonName": addon_name,
        "clusterName": cluster_name,
        "status": ADDON_STATUS,
        "addonVersion": self._get_param("addonVersion")
        or DEFAULT_ADDON_VERSIONS.get(addon_name, "v1.0.0-eksbuild.1"),
        "health": {"issues": []},
        "addonArn": cluster.arn.replace(":cluster/", ":addon/", 1) + f"/{addon_name}/"
        + self.eks_backend.account_id[:8] + "-0000-0000-0000-000000000000",
        "createdAt": now,
        "modifiedAt": now,
        "tags": self._get_param("tags") or {},
    }
    for key in ("serviceAccountRoleArn", "configurationValues"):
        value = self._get_param(key)
        if value is not None:
            addon[key] = value
    cluster.vpcaudit_addons[addon_name] = addon
    return ActionResult({"addon": addon})


def describe_addon(self: EKSResponse) -> ActionResult:
    cluster_name = self._get_param("name")
    addon_name = self._get_param("addonName")
    cluster = _cluster(self.eks_backend, cluster_name)
    addon = cluster.vpcaudit_addons.get(addon_name)
    if addon is None:
        raise _not_found(f"No addon: {addon_name} found in cluster: {cluster_name}",
                         cluster_name, addon_name)
    return ActionResult({"addon": addon})


def list_addons(self: EKSResponse) -> ActionResult:
    cluster_name = self._get_param("name")
    cluster = _cluster(self.eks_backend, cluster_name)
    max_results = self._get_int_param("maxResults", 100)
    if not 1 <= max_results <= 100:
        raise InvalidParameterException(
            clusterName=cluster_name, nodegroupName=None, addonName=None,
            message="maxResults must be between 1 and 100",
        )
    names = sorted(cluster.vpcaudit_addons)
    token = self._get_param("nextToken")
    start = names.index(token) if token in names else 0
    end = start + max_results
    result = {"addons": names[start:end]}
    if end < len(names):
        result["nextToken"] = names[end]
    return ActionResult(result)


def install() -> None:
    EKSBackend.create_cluster = create_cluster
    Nodegroup.__init__ = nodegroup_init
    for fn in (create_addon, describe_addon, list_addons):
        setattr(EKSResponse, fn.__name__, fn)
    base = "{0}/clusters/(?P<name>[^/]+)/addons"
    eks_urls.url_paths[base + "$"] = eks_urls.response.dispatch
    eks_urls.url_paths[base + "/(?P<addonName>[^/]+)$"] = eks_urls.response.dispatch
