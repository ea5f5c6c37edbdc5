"""vpcaudit's extensions to moto 5.2.1: request log, fault injection, EC2
pagination shim and extra Network Firewall APIs. See ../server.py."""
