"""Fair mutations: a seller applies and withdraws (``SellerMutation``, acting through its
memberships or its API token); an organiser's member waitlists, rejects, assigns and releases
booths, lays out a zone's booths (in bulk, moved, blocked or held) and records booth fees paid
(a signed-in member only: an API token is a seller's, never an organiser's). Each calls one
service; refusals come back as ``errors``."""

from __future__ import annotations

import graphene
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from graphql_relay import to_global_id

from core.graphql.types import enum_value
from core.models import Province
from marketplace.fairs.errors import FairError
from marketplace.fairs.graphql.types import (
    ApplicationStatusEnum,
    BoothStatusEnum,
    FairStatusEnum,
    FairType,
    FairZone,
    ZoneKindEnum,
)
from marketplace.fairs.models import (
    Booth,
    BoothAssignment,
    ExhibitorApplication,
    Fair,
    ProgrammeItem,
    Zone,
)
from marketplace.fairs.permissions import organisers_for_user
from marketplace.fairs.selectors import fairs_taking_applications
from marketplace.fairs.services import (
    application_reject,
    application_submit,
    application_update,
    application_waitlist,
    application_withdraw,
    booth_assign,
    booth_block,
    booth_fee_mark_paid,
    booth_merge,
    booth_move,
    booth_release,
    booths_create_bulk,
    fair_create,
    fair_transition,
    fair_update,
    programme_item_add,
    programme_item_remove,
    zone_create,
    zone_update,
)
from marketplace.places.models import PointOfSale
from sellers.errors import PermissionDenied
from sellers.graphql.acting import id_or_error, own_object
from sellers.graphql.mutations import SellerMutation
from sellers.models import Business


class ApplicationPayloadMixin:
    application_id = graphene.ID(description="The application's ID (ExhibitorApplication).")
    status = graphene.Field(ApplicationStatusEnum)

    @classmethod
    def answer(cls, application):
        return cls(
            application_id=to_global_id("ExhibitorApplication", application.pk),
            status=enum_value(application.status),
        )


def _fair(global_id):
    pk = id_or_error(global_id, FairType, field="fair")
    fair = fairs_taking_applications().filter(pk=pk).first()
    if fair is None:
        raise FairError(
            _("Applications to this fair are closed."), code="window_closed", field="fair"
        )
    return fair


class FairApply(ApplicationPayloadMixin, SellerMutation):
    """Apply to a fair for a business you manage, with products on sale that it will bring."""

    class Arguments:
        business = graphene.ID(required=True)
        fair = graphene.ID(required=True)
        offers = graphene.List(graphene.NonNull(graphene.ID), required=True)
        booths_wanted = graphene.Int(default_value=1)
        preferred_zone = graphene.ID()
        note = graphene.String(default_value="")

    @classmethod
    def perform_mutation(
        cls, root, info, business, fair, offers, booths_wanted=1, preferred_zone=None, note=""
    ):
        seller = own_object(
            info, Business.objects.all(), business, "Business", through="pk", field="business"
        )
        fair = _fair(fair)
        zone = None
        if preferred_zone:
            pk = id_or_error(preferred_zone, "FairZone", field="preferred_zone")
            zone = Zone.objects.filter(pk=pk, fair=fair).first()
            if zone is None:
                raise FairError(
                    _("That zone belongs to another fair."), code="invalid", field="preferred_zone"
                )
        application = application_submit(
            fair=fair,
            seller=seller,
            actor=info.context.user,
            offer_ids=[id_or_error(o, "Offer", field="offers") for o in offers],
            booths_wanted=booths_wanted,
            preferred_zone=zone,
            note=note,
            language=get_language() or "vi",
        )
        return cls.answer(application)


class FairApplicationWithdraw(ApplicationPayloadMixin, SellerMutation):
    class Arguments:
        application = graphene.ID(required=True)

    @classmethod
    def perform_mutation(cls, root, info, application):
        found = own_object(
            info,
            ExhibitorApplication.objects.select_related("fair"),
            application,
            "ExhibitorApplication",
            through="seller",
            field="application",
        )
        return cls.answer(application_withdraw(application=found, actor=info.context.user))


def desk_object(info, queryset, type_name: str, global_id, *, field: str, refusal: str):
    """The object of ``queryset`` named by ``global_id`` if one of the user's organisers runs its
    fair (drafts included); the same refusal for another organiser's and for none."""
    pk = id_or_error(global_id, type_name, field=field)
    path = "organiser__in" if queryset.model is Fair else "fair__organiser__in"
    found = queryset.filter(pk=pk, **{path: organisers_for_user(user=info.context.user)}).first()
    if found is None:
        raise PermissionDenied(refusal, field=field)
    return found


class OrganiserDeskMutation(SellerMutation):
    """A change by an organiser's member, signed in (API tokens act for sellers only). Objects
    are found among the fairs of the user's organisers; another organiser's and a missing one
    get the same refusal, and the service checks the role."""

    class Meta:
        abstract = True

    @classmethod
    def check_permissions(cls, info, **data) -> bool:
        if getattr(info.context, "api_token", None) is not None:
            return False
        return super().check_permissions(info, **data)

    @staticmethod
    def find_booth(info, global_id, *, field: str = "booth") -> Booth:
        return desk_object(
            info,
            Booth.objects.select_related("fair__organiser", "zone"),
            "FairBooth",
            global_id,
            field=field,
            refusal=_("There is no such booth among your organisers' fairs."),
        )

    @staticmethod
    def find_zone(info, global_id, *, field: str = "zone") -> Zone:
        return desk_object(
            info,
            Zone.objects.select_related("fair__organiser"),
            "FairZone",
            global_id,
            field=field,
            refusal=_("There is no such zone among your organisers' fairs."),
        )

    @classmethod
    def live_assignment(cls, info, global_id) -> BoothAssignment:
        """The booth's live assignment: releasing and fees name the booth the map shows."""
        booth = cls.find_booth(info, global_id)
        found = (
            BoothAssignment.objects.filter(booth=booth, released_at__isnull=True)
            .select_related("booth__fair__organiser", "application__seller")
            .first()
        )
        if found is None:
            raise FairError(
                _("Booth %(code)s is not assigned.") % {"code": booth.code},
                code="not_assigned",
                field="booth",
            )
        return found


class OrganiserMutation(ApplicationPayloadMixin, OrganiserDeskMutation):
    """A decision of an organiser's member on an application."""

    class Meta:
        abstract = True

    @staticmethod
    def application(info, global_id) -> ExhibitorApplication:
        """The application if its fair's organiser is one of the user's; the same refusal for
        another organiser's and for no application at all."""
        return desk_object(
            info,
            ExhibitorApplication.objects.select_related("fair__organiser", "seller"),
            "ExhibitorApplication",
            global_id,
            field="application",
            refusal=_("There is no such application among your organisers' fairs."),
        )


class FairApplicationWaitlist(OrganiserMutation):
    class Arguments:
        application = graphene.ID(required=True)

    @classmethod
    def perform_mutation(cls, root, info, application):
        found = cls.application(info, application)
        return cls.answer(application_waitlist(application=found, actor=info.context.user))


class FairApplicationReject(OrganiserMutation):
    class Arguments:
        application = graphene.ID(required=True)
        reason = graphene.String(required=True, description="Told to the seller.")

    @classmethod
    def perform_mutation(cls, root, info, application, reason):
        found = cls.application(info, application)
        return cls.answer(
            application_reject(application=found, actor=info.context.user, reason=reason)
        )


class FairBoothAssign(OrganiserMutation):
    """Accept an application on a free booth of its fair (or give it another booth)."""

    class Arguments:
        application = graphene.ID(required=True)
        booth = graphene.ID(required=True)

    booth_code = graphene.String()

    @classmethod
    def perform_mutation(cls, root, info, application, booth):
        found = cls.application(info, application)
        pk = id_or_error(booth, "FairBooth", field="booth")
        target = Booth.objects.filter(pk=pk, fair_id=found.fair_id).first()
        if target is None:
            raise FairError(_("That booth belongs to another fair."), code="invalid", field="booth")
        assignment = booth_assign(application=found, booth=target, actor=info.context.user)
        result = cls.answer(assignment.application)
        result.booth_code = target.code
        return result


class FairBoothRelease(OrganiserDeskMutation):
    """Take an assigned booth back. Unless `offerToWaitlist` is false it goes at once to the
    first application on the waitlist (in the order they were waitlisted)."""

    class Arguments:
        booth = graphene.ID(required=True)
        offer_to_waitlist = graphene.Boolean(default_value=True)

    booth_code = graphene.String()
    released_application_id = graphene.ID(description="The application that had the booth.")
    given_to_application_id = graphene.ID(
        description="The waitlisted application the booth went to, if any."
    )

    @classmethod
    def perform_mutation(cls, root, info, booth, offer_to_waitlist=True):
        assignment = cls.live_assignment(info, booth)
        given = booth_release(
            assignment=assignment, actor=info.context.user, offer_to_waitlist=offer_to_waitlist
        )
        return cls(
            booth_code=assignment.booth.code,
            released_application_id=to_global_id("ExhibitorApplication", assignment.application_id),
            given_to_application_id=(
                to_global_id("ExhibitorApplication", given.application_id) if given else None
            ),
        )


class FairBoothFeePaid(OrganiserDeskMutation):
    """Record that the fee of an assigned booth was paid some other way than by a transfer
    with its reference: the booth no longer expires unpaid."""

    class Arguments:
        booth = graphene.ID(required=True)

    booth_code = graphene.String()
    amount = graphene.Int(description="The fee paid, in whole đồng.")
    paid_at = graphene.DateTime()

    @classmethod
    def perform_mutation(cls, root, info, booth):
        assignment = cls.live_assignment(info, booth)
        paid = booth_fee_mark_paid(assignment=assignment, actor=info.context.user)
        return cls(booth_code=assignment.booth.code, amount=paid.amount_due, paid_at=paid.paid_at)


class FairBoothsCreate(OrganiserDeskMutation):
    """Lay out a zone's booths in bulk: "A-01 to A-40, 3 × 3 m, a row of 20" is prefix A,
    first 1, last 40, width 3, depth 3, perRow 20, from (x, y) on the floor plan's metre grid.
    The price defaults to the fair's booth fee. Refused if a code exists or a booth overlaps."""

    class Arguments:
        zone = graphene.ID(required=True)
        prefix = graphene.String(required=True)
        first = graphene.Int(required=True)
        last = graphene.Int(required=True)
        width = graphene.Int(required=True)
        depth = graphene.Int(required=True)
        per_row = graphene.Int(required=True)
        x = graphene.Int(default_value=0)
        y = graphene.Int(default_value=0)
        price = graphene.Int(description="Whole đồng per booth.")

    booth_codes = graphene.List(graphene.NonNull(graphene.String))

    @classmethod
    def perform_mutation(cls, root, info, zone, **layout):
        found = cls.find_zone(info, zone)
        booths = booths_create_bulk(zone=found, actor=info.context.user, **layout)
        return cls(booth_codes=[b.code for b in booths])


class FairBoothMove(OrganiserDeskMutation):
    """Move a booth on the floor plan (and into another zone of its fair) before the fair
    opens. Refused if it would overlap another booth."""

    class Arguments:
        booth = graphene.ID(required=True)
        x = graphene.Int(required=True)
        y = graphene.Int(required=True)
        zone = graphene.ID()

    booth_code = graphene.String()
    x = graphene.Int()
    y = graphene.Int()
    zone = graphene.String(description="The zone's name.")

    @classmethod
    def perform_mutation(cls, root, info, booth, x, y, zone=None):
        found = cls.find_booth(info, booth)
        target = cls.find_zone(info, zone) if zone else None
        moved = booth_move(booth=found, actor=info.context.user, x=x, y=y, zone=target)
        return cls(booth_code=moved.code, x=moved.x, y=moved.y, zone=moved.zone.name)


class FairBoothBlock(OrganiserDeskMutation):
    """Block a booth (a pillar, a fire exit), hold it for a locality cluster (`heldFor`), or
    free it again (`blocked: false` without `heldFor`). An assigned booth is released first."""

    class Arguments:
        booth = graphene.ID(required=True)
        blocked = graphene.Boolean(required=True)
        held_for = graphene.String(default_value="")

    booth_code = graphene.String()
    status = graphene.Field(BoothStatusEnum)

    @classmethod
    def perform_mutation(cls, root, info, booth, blocked, held_for=""):
        found = cls.find_booth(info, booth)
        changed = booth_block(
            booth=found, actor=info.context.user, blocked=blocked, held_for=held_for
        )
        return cls(booth_code=changed.code, status=enum_value(changed.status))


# --- the programme: certificates announced at a fair ----------------------------------------


class FairProgrammeItemAdd(OrganiserDeskMutation):
    """Add an item to the programme of one of your organisers' fairs ("39 products recognised
    ★4 at the opening") with the registry certificates announced at it, by their numbers."""

    class Arguments:
        fair = graphene.ID(required=True)
        title = graphene.String(required=True)
        day = graphene.Date(description="One of the fair's days, if the item has a day.")
        certificates = graphene.List(
            graphene.NonNull(graphene.String),
            default_value=[],
            description="Numbers of the registry certificates announced.",
        )

    item_id = graphene.ID(description="The programme item's ID (FairProgrammeItem).")
    certificate_numbers = graphene.List(graphene.NonNull(graphene.String))

    @classmethod
    def perform_mutation(cls, root, info, fair, title, day=None, certificates=()):
        found = _desk_fair(info, fair)
        item = programme_item_add(
            fair=found,
            actor=info.context.user,
            title=title,
            day=day,
            certificate_numbers=certificates,
        )
        return cls(
            item_id=to_global_id("FairProgrammeItem", item.pk),
            certificate_numbers=sorted(c.number for c in item.certificates.all()),
        )


class FairProgrammeItemRemove(OrganiserDeskMutation):
    """Take an item, and the certificates announced at it, off a fair's programme."""

    class Arguments:
        item = graphene.ID(required=True)

    removed_item_id = graphene.ID()

    @classmethod
    def perform_mutation(cls, root, info, item):
        found = desk_object(
            info,
            ProgrammeItem.objects.select_related("fair__organiser"),
            "FairProgrammeItem",
            item,
            field="item",
            refusal=_("There is no such programme item among your organisers' fairs."),
        )
        programme_item_remove(item=found, actor=info.context.user)
        return cls(removed_item_id=item)


# --- organiser desk: fairs, zones, merging booths; a seller edits its application ---------


def _desk_province(value: str | None) -> Province | None:
    value = (value or "").strip()
    if not value:
        return None
    found = Province.objects.filter(Q(slug=value) | Q(code=value.zfill(2))).first()
    if found is None:
        raise FairError(
            _("There is no province “%(province)s”.") % {"province": value},
            code="not_found",
            field="province",
        )
    return found


class FairFields:
    """What fairCreate and fairUpdate take; on update, what is left out stays as it is."""

    name = graphene.String()
    venue_point = graphene.ID(
        description="A point of sale of kind fair and exhibition centre: the venue's name, "
        "address, coordinates and province are then the point's."
    )
    venue_name = graphene.String()
    venue_address = graphene.String()
    province = graphene.String(description="The current province, by slug or code.")
    latitude = graphene.Decimal()
    longitude = graphene.Decimal()
    starts_on = graphene.Date()
    ends_on = graphene.Date()
    opens_at = graphene.Time(description="Daily opening time.")
    closes_at = graphene.Time(description="Daily closing time.")
    closed_days = graphene.List(graphene.NonNull(graphene.Date), description="E.g. Tết.")
    description_vi = graphene.String()
    description_en = graphene.String()
    applications_open_on = graphene.Date()
    applications_close_on = graphene.Date()
    booth_fee = graphene.Int(description="Per standard booth, in whole đồng.")
    payment_days = graphene.Int(description="Days an exhibitor has to pay its booth fee.")
    partners = graphene.List(graphene.NonNull(graphene.String))
    rules = graphene.String()


def _fair_fields(data: dict) -> dict:
    fields = {key: value for key, value in data.items() if value is not None}
    if "province" in fields:
        fields["province"] = _desk_province(fields["province"])
    if "venue_point" in fields:
        pk = id_or_error(fields["venue_point"], "PointOfSale", field="venue_point")
        point = PointOfSale.objects.select_related("location__province").filter(pk=pk).first()
        if point is None:
            raise FairError(
                _("There is no such point of sale."), code="not_found", field="venue_point"
            )
        fields["venue_point"] = point
    if "closed_days" in fields:
        fields["closed_days"] = [day.isoformat() for day in fields["closed_days"]]
    return fields


class FairPayloadMixin:
    fair_id = graphene.ID(description="The fair's ID (Fair).")
    slug = graphene.String()
    status = graphene.Field(FairStatusEnum)

    @classmethod
    def answer_fair(cls, fair):
        return cls(
            fair_id=to_global_id("Fair", fair.pk), slug=fair.slug, status=enum_value(fair.status)
        )


def _desk_fair(info, global_id) -> Fair:
    """The fair if one of the user's organisers runs it (drafts included); the same refusal for
    another organiser's and for none."""
    return desk_object(
        info,
        Fair.objects.select_related("organiser", "venue_point"),
        "Fair",
        global_id,
        field="fair",
        refusal=_("There is no such fair among your organisers' fairs."),
    )


class FairCreate(FairPayloadMixin, OrganiserDeskMutation):
    """A new fair of one of your organisers, as a draft (publish it with fairTransition)."""

    class Arguments(FairFields):
        organiser = graphene.ID(required=True, description="The organiser (FairOrganiser).")
        name = graphene.String(required=True)

    @classmethod
    def perform_mutation(cls, root, info, organiser, **data):
        pk = id_or_error(organiser, "FairOrganiser", field="organiser")
        found = organisers_for_user(user=info.context.user).filter(pk=pk).first()
        if found is None:
            raise PermissionDenied(_("There is no such organiser among yours."), field="organiser")
        fair = fair_create(organiser=found, actor=info.context.user, **_fair_fields(data))
        return cls.answer_fair(fair)


class FairUpdate(FairPayloadMixin, OrganiserDeskMutation):
    """Change a fair's details until it is finished or cancelled."""

    class Arguments(FairFields):
        fair = graphene.ID(required=True)

    @classmethod
    def perform_mutation(cls, root, info, fair, **data):
        found = _desk_fair(info, fair)
        fields = _fair_fields(data)
        if "venue_name" in fields or "venue_address" in fields:
            # Typing a venue of its own leaves the point of sale (one home for the venue).
            fields.setdefault("venue_point", None)
        updated = fair_update(fair=found, actor=info.context.user, **fields)
        return cls.answer_fair(updated)


class FairTransition(FairPayloadMixin, OrganiserDeskMutation):
    """Move a fair along its life cycle: publish, open or close applications, open the doors
    (RUNNING), finish, or cancel with a reason told to every exhibitor."""

    class Arguments:
        fair = graphene.ID(required=True)
        to = graphene.Argument(FairStatusEnum, required=True)
        reason = graphene.String(default_value="", description="Required to cancel.")

    @classmethod
    def perform_mutation(cls, root, info, fair, to, reason=""):
        found = _desk_fair(info, fair)
        moved = fair_transition(
            fair=found, to=enum_value(to), actor=info.context.user, reason=reason
        )
        return cls.answer_fair(moved)


class ZonePayloadMixin:
    zone = graphene.Field(FairZone)

    @classmethod
    def answer_zone(cls, zone):
        return cls(zone=zone)


class FairZoneCreate(ZonePayloadMixin, OrganiserDeskMutation):
    """A zone of a fair (before it opens): its booths are laid out with fairBoothsCreate."""

    class Arguments:
        fair = graphene.ID(required=True)
        name = graphene.String(required=True)
        kind = graphene.Argument(ZoneKindEnum, required=True)
        colour = graphene.String(default_value="#2e7d32", description="#RRGGBB.")

    @classmethod
    def perform_mutation(cls, root, info, fair, name, kind, colour="#2e7d32"):
        found = _desk_fair(info, fair)
        zone = zone_create(
            fair=found, actor=info.context.user, name=name, kind=enum_value(kind), colour=colour
        )
        return cls.answer_zone(zone)


class FairZoneUpdate(ZonePayloadMixin, OrganiserDeskMutation):
    """Rename, recolour, reorder a zone or change its kind before the fair opens."""

    class Arguments:
        zone = graphene.ID(required=True)
        name = graphene.String()
        kind = graphene.Argument(ZoneKindEnum)
        colour = graphene.String(description="#RRGGBB.")
        position = graphene.Int(description="Order among the fair's zones.")

    @classmethod
    def perform_mutation(cls, root, info, zone, kind=None, **data):
        found = cls.find_zone(info, zone)
        if kind is not None:
            data["kind"] = enum_value(kind)
        return cls.answer_zone(zone_update(zone=found, actor=info.context.user, **data))


class FairBoothMerge(OrganiserDeskMutation):
    """Merge neighbouring available booths of one zone into the first of them by code: it
    takes the rectangle they fill, their area and their price; the others are deleted."""

    class Arguments:
        booths = graphene.List(graphene.NonNull(graphene.ID), required=True)

    booth_code = graphene.String()
    x = graphene.Int()
    y = graphene.Int()
    width = graphene.Int()
    height = graphene.Int()

    @classmethod
    def perform_mutation(cls, root, info, booths):
        found = [cls.find_booth(info, global_id, field="booths") for global_id in booths]
        merged = booth_merge(booths=found, actor=info.context.user)
        return cls(
            booth_code=merged.code,
            x=merged.x,
            y=merged.y,
            width=merged.width,
            height=merged.height,
        )


class FairApplicationUpdate(ApplicationPayloadMixin, SellerMutation):
    """Edit your application while applications are open and no booth is assigned; what is
    left out stays as it is."""

    class Arguments:
        application = graphene.ID(required=True)
        offers = graphene.List(graphene.NonNull(graphene.ID))
        booths_wanted = graphene.Int()
        preferred_zone = graphene.ID()
        note = graphene.String()

    @classmethod
    def perform_mutation(
        cls, root, info, application, offers=None, booths_wanted=None, preferred_zone=None,
        note=None,
    ):  # fmt: skip
        found = own_object(
            info,
            ExhibitorApplication.objects.select_related("fair"),
            application,
            "ExhibitorApplication",
            through="seller",
            field="application",
        )
        zone = None
        if preferred_zone:
            pk = id_or_error(preferred_zone, "FairZone", field="preferred_zone")
            zone = Zone.objects.filter(pk=pk, fair_id=found.fair_id).first()
            if zone is None:
                raise FairError(
                    _("That zone belongs to another fair."), code="invalid", field="preferred_zone"
                )
        offer_ids = None
        if offers is not None:
            offer_ids = [id_or_error(o, "Offer", field="offers") for o in offers]
        updated = application_update(
            application=found,
            actor=info.context.user,
            offer_ids=offer_ids,
            booths_wanted=booths_wanted,
            preferred_zone=zone,
            note=note,
        )
        return cls.answer(updated)


class Mutation(graphene.ObjectType):
    fair_apply = FairApply.Field()
    fair_application_withdraw = FairApplicationWithdraw.Field()
    fair_application_waitlist = FairApplicationWaitlist.Field()
    fair_application_reject = FairApplicationReject.Field()
    fair_booth_assign = FairBoothAssign.Field()
    fair_booth_release = FairBoothRelease.Field()
    fair_booth_fee_paid = FairBoothFeePaid.Field()
    fair_booths_create = FairBoothsCreate.Field()
    fair_booth_move = FairBoothMove.Field()
    fair_booth_block = FairBoothBlock.Field()
    fair_programme_item_add = FairProgrammeItemAdd.Field()
    fair_programme_item_remove = FairProgrammeItemRemove.Field()

    fair_create = FairCreate.Field()
    fair_update = FairUpdate.Field()
    fair_transition = FairTransition.Field()
    fair_zone_create = FairZoneCreate.Field()
    fair_zone_update = FairZoneUpdate.Field()
    fair_booth_merge = FairBoothMerge.Field()
    fair_application_update = FairApplicationUpdate.Field()
