"""Factories for fairs (tests/fairs): approved organisers with a member, fairs, zones, booths."""

import datetime

import factory
from django.utils import timezone

from marketplace.fairs.models import Booth, Fair, FairStatus, Organiser, OrganiserMembership, Zone
from tests.factories import UserFactory, province


class OrganiserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organiser

    name = factory.Sequence(lambda n: f"Sở Công Thương số {n}")
    slug = factory.Sequence(lambda n: f"so-cong-thuong-{n}")
    kind = "department"
    province = factory.LazyFunction(lambda: province("22"))
    approved_at = factory.LazyFunction(timezone.now)


def organiser_member(organiser=None, role: str = "manager"):
    """(organiser, user) with ``role`` in an approved organiser."""
    organiser = organiser or OrganiserFactory()
    user = UserFactory()
    OrganiserMembership.objects.create(user=user, organiser=organiser, role=role)
    return organiser, user


class FairFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fair

    name = factory.Sequence(lambda n: f"Hội chợ OCOP số {n}")
    slug = factory.Sequence(lambda n: f"hoi-cho-ocop-{n}")
    organiser = factory.SubFactory(OrganiserFactory)
    venue_name = "Cung Quy hoạch, Hội chợ và Triển lãm tỉnh"
    venue_address = "Trần Quốc Nghiễn, Hạ Long"
    province = factory.LazyFunction(lambda: province("22"))
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    ends_on = factory.LazyAttribute(lambda f: f.starts_on + datetime.timedelta(days=5))
    opens_at = datetime.time(8, 0)
    closes_at = datetime.time(22, 0)
    applications_close_on = factory.LazyAttribute(
        lambda f: f.starts_on - datetime.timedelta(days=10)
    )
    booth_fee = 2_000_000
    status = FairStatus.APPLICATIONS_OPEN


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Zone

    fair = factory.SubFactory(FairFactory)
    name = factory.Sequence(lambda n: f"Khu {n}")
    kind = "locality"
    colour = "#1565c0"


class BoothFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Booth

    zone = factory.SubFactory(ZoneFactory)
    fair = factory.LazyAttribute(lambda b: b.zone.fair)
    code = factory.Sequence(lambda n: f"A-{n + 1:03d}")
    area_m2 = 9
    price = 2_000_000
    x = factory.Sequence(lambda n: (n % 50) * 3)
    y = factory.Sequence(lambda n: (n // 50) * 3)
    width = 3
    height = 3
