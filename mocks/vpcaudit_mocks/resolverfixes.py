"""Fixes to moto 5.2.1's Route 53 Resolver (endpoints, rules, query logging).

moto appends a dot to every resolver rule's domain name, so `example.com.` reads
back as `example.com..` and the root `.` as `..`; AWS adds the trailing dot only
when it is missing.
"""

from moto.route53resolver.models import ResolverRule

_original_init = ResolverRule.__init__


def _init(self, *args, **kwargs) -> None:
    _original_init(self, *args, **kwargs)
    # moto wrote `domain_name + "."`: keep one trailing dot.
    if self.domain_name.endswith(".."):
        self.domain_name = self.domain_name[:-1]


def install() -> None:
    if ResolverRule.__init__ is not _init:
        ResolverRule.__init__ = _init
