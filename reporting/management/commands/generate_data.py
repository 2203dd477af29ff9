"""Generate a realistic large data set: for benchmarks and for trying the product at size.

At `--scale 1` every list gets about 5,000 rows (applications, doors knocked on, survey
responses, rounds, signals, outbox mails, audit entries, accounts, meeting invitees), spread
over several clients and their programmes, in every state, dated over the last two years.
`--large-tenant-signals` gives one client (the first) a very large number of signals on top,
for the portal's signal list at the size of a large housing corporation.

Not idempotent by design, but safe: everything it makes is named with `--prefix`, and it
refuses to run when data with that prefix is already there. Run it again with another prefix
to add a second set next to the first.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django_scopes import scopes_disabled

from programmes.models import Organisation
from reporting.generate import PASSWORD, TOTP_SECRET, Generator

ROWS_AT_SCALE_1 = 5_000


def _shares(total: int, parts: int) -> list[int]:
    """`total` split over `parts` as evenly as whole numbers allow."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


class Command(BaseCommand):
    help = (
        "Generate a large, realistic data set (about 5,000 rows of every list at --scale 1) "
        "across several clients and programmes. Refuses to run twice with the same --prefix; "
        "give another --prefix to add a second set."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Rows per list are 5,000 times this (0.01 gives 50; at most 100).",
        )
        parser.add_argument(
            "--tenants", type=int, default=5, help="Number of clients (1 to 500; default 5)."
        )
        parser.add_argument(
            "--programmes-per-tenant",
            type=int,
            default=3,
            help="Programmes of each client (1 to 100; default 3).",
        )
        parser.add_argument(
            "--large-tenant-signals",
            "--signals-per-tenant",
            dest="large_tenant_signals",
            type=int,
            default=0,
            help="Extra signals for ONE client, the first (e.g. 1000000 with --tenants 20); the "
            "other clients keep their share of --scale. Uses COPY on PostgreSQL.",
        )
        parser.add_argument(
            "--prefix",
            default="gen",
            help="Names the generated slugs and e-mail addresses (default 'gen'). The command "
            "refuses to run when this prefix was used before on this database.",
        )
        parser.add_argument("--seed", type=int, default=12, help="Random seed (default 12).")

    def handle(self, *args, scale, tenants, programmes_per_tenant, large_tenant_signals, prefix,
               seed, **options):  # fmt: skip
        if not 0 < scale <= 100:
            raise CommandError("--scale must be above 0 and at most 100.")
        if not 1 <= tenants <= 500 or not 1 <= programmes_per_tenant <= 100:
            raise CommandError("--tenants must be 1 to 500, --programmes-per-tenant 1 to 100.")
        if not 0 <= large_tenant_signals <= 20_000_000:
            raise CommandError("--large-tenant-signals must be 0 to 20,000,000.")
        if not prefix.isascii() or not prefix.replace("-", "").isalnum() or len(prefix) > 20:
            raise CommandError("--prefix must be letters, digits and dashes (at most 20).")
        started = time.monotonic()
        # A management command runs outside any request, so no tenant scope is active; the
        # generator writes rows of every tenant, each carrying its own organisation, so the
        # scope check is switched off here, for this command only.
        with scopes_disabled():
            if Organisation.objects.filter(slug=f"{prefix}-bureau").exists():
                raise CommandError(
                    f"Data with the prefix '{prefix}' is already there: give another --prefix "
                    "to add a second set."
                )
            with transaction.atomic():
                gen = self.generate(
                    Generator(prefix=prefix, seed=seed),
                    per_list=max(1, round(ROWS_AT_SCALE_1 * scale)),
                    tenants=tenants,
                    programmes_per_tenant=programmes_per_tenant,
                    large=large_tenant_signals,
                )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh statistics, so the planner sees the new size
        for label, n in sorted(gen.made.items()):
            self.stdout.write(f"{label:32} {n:>10,}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Done in {time.monotonic() - started:.1f} s. Log in as {prefix}-admin@example.org "
                f"(or {prefix}-leider1@example.org) with password {PASSWORD}; TOTP secret "
                f"{TOTP_SECRET}."
            )
        )

    def generate(self, gen, *, per_list, tenants, programmes_per_tenant, large):
        consultancy, admin, leaders = gen.consultancy()
        clients = gen.tenants(consultancy, tenants, leaders=leaders)
        n_programmes = tenants * programmes_per_tenant
        # Accounts: the consultancy's four and three staff per client; the rest are team members.
        team_total = max(3 * n_programmes, per_list - 4 - 3 * tenants)
        shares = {
            "applications": _shares(per_list, n_programmes),
            "doors": _shares(per_list, n_programmes),
            "responses": _shares(per_list, n_programmes),
            "rounds": _shares(per_list, n_programmes),
            "signals": _shares(per_list, n_programmes),
            "outbox": _shares(per_list, n_programmes),
            "invitees": _shares(per_list, n_programmes),
            "team": _shares(team_total, n_programmes),
        }
        audit = _shares(per_list, tenants)
        large_shares = _shares(large, programmes_per_tenant)
        k = 0
        for t, tenant in enumerate(clients):
            self.stdout.write(f"{tenant.organisation.name}...")
            for p, programme in enumerate(
                gen.programmes(tenant, programmes_per_tenant, leaders=leaders)
            ):
                kit = gen.equip(programme, actor=leaders[k % len(leaders)])
                team = gen.team(programme, shares["team"][k])
                gen.applications(programme, shares["applications"][k], city=tenant.city)
                gen.door_visits(programme, shares["doors"][k], city=tenant.city, by=team)
                gen.survey_responses(
                    kit["survey"], kit["questions"], shares["responses"][k], city=tenant.city
                )
                rounds = gen.rounds(programme, shares["rounds"][k], walkers=team)
                extra = large_shares[p] if t == 0 else 0
                gen.signals(
                    programme,
                    shares["signals"][k] + extra,
                    categories=kit["categories"],
                    city=tenant.city,
                    rounds=rounds,
                    reporters=team,
                )
                gen.outbox(programme, shares["outbox"][k])
                gen.invitees(programme, shares["invitees"][k])
                k += 1
            gen.audit(tenant.organisation, audit[t], actors=[admin, *leaders, *tenant.staff])
        return gen
