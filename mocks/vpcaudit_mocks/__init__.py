"""vpcaudit's extensions to moto 5.2.1: request log, fault injection, EC2
pagination shim, extra Network Firewall APIs and Route 53 Resolver DNS
Firewall. See ../server.py."""
