"""Each way around the rules that a staff member with psql and their own login once had, tried again in plain SQL
under a real login of the group that did it, and refused by the database."""

from __future__ import annotations

import uuid
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import Engine, exc, text
from sqlalchemy.orm import sessionmaker

from unioncore_desktop.db import permissions
from unioncore_desktop.domain.errors import DomainError, ValidationError
from unioncore_desktop.domain.rules.dues import add_months, month_start
from unioncore_desktop.domain.services import dues as svc
from unioncore_desktop.domain.services import staff
from unioncore_desktop.domain.uow import UnitOfWork
from unioncore_desktop.seed.referral_world import build_world, make_book, make_request


@pytest.fixture
def hall(databases):
    """Two members billed for three months, the oldest closed; a one-worker request on a book of two."""
    name = databases.create()
    owner = databases.engine(name)
    with owner.begin() as conn:
        member = conn.execute(text("""
            INSERT INTO members (card_number, first_name, last_name, classification)
            VALUES ('7000001', 'Pat', 'Quinn', 'journeyman') RETURNING id""")).scalar_one()
        conn.execute(text("INSERT INTO dues_rates (classification, effective_from, amount) "
                          "VALUES ('journeyman', '2000-01-01', 75)"))
        today = conn.execute(text("SELECT uc_hall_today()")).scalar_one()
        world = build_world(conn, code="ATTACK", registrants=2, requests=1, workers=1, referral_date=today)
    uow = UnitOfWork(sessionmaker(owner, expire_on_commit=False))
    this = month_start(today)
    for offset in (-2, -1, 0):
        svc.generate_charges(uow, month=add_months(this, offset))
    svc.close_month(uow, month=add_months(this, -2))
    return {"name": name, "dbs": databases, "owner": owner, "member": member, "today": today, "this": this,
            "closed": add_months(this, -2), "world": world}


def _login(hall, role: str, *, temp: bool = False) -> tuple[str, Engine]:
    """A staff login; `temp` grants it TEMP as a database restored with PostgreSQL's defaults would."""
    login = hall["dbs"].make_staff(hall["name"], role)
    if temp:
        with hall["owner"].begin() as conn:
            conn.execute(text(f'GRANT TEMPORARY ON DATABASE "{hall["name"]}" TO "{login}"'))
    return login, hall["dbs"].engine(hall["name"], login)


def _refused(engine: Engine, statements: list[str], params: dict | None = None) -> BaseException:
    """Runs `statements` in one transaction and returns the driver's error (the last one must fail)."""
    with engine.connect() as conn, pytest.raises(exc.DBAPIError) as info, conn.begin():
        for statement in statements:
            conn.execute(text(statement), params or {})
    return info.value.orig or info.value


# --- class 1: temporary tables shadowing real ones -----------------------------------------------------------

@pytest.mark.parametrize("role", [r.removeprefix("uc_") for r in permissions.GROUPS])
def test_no_staff_login_may_create_a_temporary_table(hall, role):
    _, engine = _login(hall, role)
    error = _refused(engine, ["CREATE TEMP TABLE dues_periods (month date)"])
    assert isinstance(error, psycopg.errors.InsufficientPrivilege)


def test_a_shadowed_month_table_does_not_open_a_closed_month_for_payments(hall):
    _, clerk = _login(hall, "dues_clerk", temp=True)
    error = _refused(clerk, [
        "CREATE TEMP TABLE dues_periods AS SELECT * FROM public.dues_periods",
        "UPDATE dues_periods SET status = 'open'",
        "INSERT INTO payments (member_id, paid_on, amount, method, idempotency_key) "
        "VALUES (:m, :d, 75, 'cash', gen_random_uuid())",
    ], {"m": hall["member"], "d": hall["closed"] + timedelta(days=3)})
    assert "closed" in str(error)


def test_a_shadowed_payment_does_not_let_a_dollar_pay_225(hall):
    _, clerk = _login(hall, "dues_clerk", temp=True)
    with clerk.begin() as conn:
        payment = conn.execute(text("INSERT INTO payments (member_id, amount, method, idempotency_key) "
                                    "VALUES (:m, 1, 'cash', gen_random_uuid()) RETURNING id"),
                               {"m": hall["member"]}).scalar_one()
    error = _refused(clerk, [
        "CREATE TEMP TABLE payments AS SELECT * FROM public.payments",
        "UPDATE payments SET amount = 1000",
        "CREATE TEMP TABLE dues_charges AS SELECT * FROM public.dues_charges",
        "UPDATE dues_charges SET amount = 1000",
        "INSERT INTO payment_allocations (payment_id, member_id, charge_id, amount, allocated_on) "
        "SELECT :p, member_id, id, 225, CURRENT_DATE FROM public.dues_charges WHERE member_id = :m "
        "ORDER BY period DESC LIMIT 1",
    ], {"p": payment, "m": hall["member"]})
    assert isinstance(error, psycopg.errors.CheckViolation), error
    with hall["owner"].connect() as conn:
        assert conn.execute(text("SELECT coalesce(sum(amount), 0) FROM payment_allocations "
                                 "WHERE payment_id = :p"), {"p": payment}).scalar_one() <= 1


def test_a_shadowed_payment_table_does_not_balance_a_batch(hall):
    _, clerk = _login(hall, "dues_clerk", temp=True)
    uow = UnitOfWork(sessionmaker(clerk, expire_on_commit=False))
    batch = svc.open_batch(uow, deposit_on=hall["today"], deposit_total="1000")
    svc.post_payment(uow, idempotency_key=uuid.uuid4(), member_id=hall["member"], amount="75", method="cash",
                     batch_id=batch.id)
    error = _refused(clerk, [
        "CREATE TEMP TABLE payments AS SELECT * FROM public.payments",
        "UPDATE payments SET amount = 1000",
        "UPDATE payment_batches SET status = 'closed', closed_at = now(), version = version + 1 WHERE id = :b",
    ], {"b": batch.id})
    assert getattr(error, "diag", None) is not None and error.diag.constraint_name == "ck_payment_batches_balanced"


def test_a_shadowed_request_does_not_take_a_second_dispatch(hall):
    world = hall["world"]
    _, dispatcher = _login(hall, "dispatcher", temp=True)
    insert = ("INSERT INTO dispatches (request_id, member_id, registration_id, book_id, employer_id, "
              "idempotency_key, dispatch_date, by_name, via_bid, short_call) "
              "SELECT :r, :m, :g, :b, :e, gen_random_uuid(), :d, true, false, false")
    params = {"r": world.request_ids[0], "b": world.book_id, "e": world.employer_id, "d": hall["today"]}
    with dispatcher.begin() as conn:
        conn.execute(text(insert), {**params, "m": world.member_ids[0], "g": world.registration_ids[0]})
    error = _refused(dispatcher, [
        "CREATE TEMP TABLE labor_requests AS SELECT * FROM public.labor_requests",
        "UPDATE labor_requests SET status = 'open', workers_dispatched = 0",
        insert,
    ], {**params, "m": world.member_ids[1], "g": world.registration_ids[1]})
    assert getattr(error, "diag", None) is not None
    assert error.diag.constraint_name == "ck_labor_requests_not_overfilled"
    with hall["owner"].connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM dispatches WHERE request_id = :r"),
                            {"r": world.request_ids[0]}).scalar_one() == 1


def test_shadowed_settings_do_not_let_a_manager_change_rules_in_force(hall):
    book = hall["world"].book_id
    with hall["owner"].begin() as conn:  # settings in force since three days ago (the owner writes history)
        rules = conn.execute(text("INSERT INTO book_rules (book_id, effective_from) VALUES (:b, :d) RETURNING id"),
                             {"b": book, "d": hall["today"] - timedelta(days=3)}).scalar_one()
    _, manager = _login(hall, "manager", temp=True)
    error = _refused(manager, [
        "CREATE TEMP TABLE app_settings AS SELECT * FROM public.app_settings",
        # a week behind: the hall's today would fall before the settings took effect
        "UPDATE app_settings SET value = 'XXX+167' WHERE key = 'time_zone'",
        "UPDATE book_rules SET resign_days = 5, version = version + 1 WHERE id = :r",
    ], {"r": rules})
    assert getattr(error, "diag", None) is not None
    assert error.diag.constraint_name == "ck_book_rules_in_force_unchanged"


def test_a_shadowed_remittance_does_not_unfreeze_its_posted_lines(hall):
    _, clerk = _login(hall, "dues_clerk", temp=True)
    with hall["owner"].begin() as conn:
        employer = conn.execute(text("INSERT INTO employers (name) VALUES ('Harbor Electric') RETURNING id")
                                ).scalar_one()
    with clerk.begin() as conn:
        remittance = conn.execute(text("""
            INSERT INTO remittances (employer_id, period, check_number, check_amount, source_filename)
            VALUES (:e, :p, '8812', 75, 'harbor.xlsx') RETURNING id"""), {"e": employer, "p": hall["this"]}
        ).scalar_one()
        conn.execute(text("INSERT INTO remittance_lines (remittance_id, line_no, card_number, name, amount, "
                          "member_id, match_status) VALUES (:r, 1, '7000001', 'QUINN PAT', 75, :m, 'matched')"),
                     {"r": remittance, "m": hall["member"]})
        conn.execute(text("UPDATE remittances SET status = 'posted', version = version + 1 WHERE id = :r"),
                     {"r": remittance})
    shadow = ["CREATE TEMP TABLE remittances AS SELECT * FROM public.remittances",
              "UPDATE remittances SET status = 'draft'"]
    for attack in ("UPDATE public.remittance_lines SET amount = 1, version = version + 1",
                   "DELETE FROM public.remittance_lines"):
        assert "posted" in str(_refused(clerk, [*shadow, attack]))
    with hall["owner"].connect() as conn:
        assert conn.execute(text("SELECT amount FROM remittance_lines WHERE remittance_id = :r"),
                            {"r": remittance}).scalar_one() == 75


def _past_request(hall, *, expire: bool) -> int:
    """A one-worker request whose start day was yesterday, on a book that expires requests or one that does not."""
    with hall["owner"].begin() as conn:
        book = make_book(conn, f"EXPIRE_{'ON' if expire else 'OFF'}", expire_unfilled=expire)
        return make_request(conn, book, hall["world"].employer_id, referral_date=hall["today"] - timedelta(days=1))


def _request_status(hall, request_id: int) -> str:
    with hall["owner"].connect() as conn:
        return conn.execute(text("SELECT status FROM labor_requests WHERE id = :r"), {"r": request_id}).scalar_one()


@pytest.mark.parametrize("role", ["dues_clerk", "admin"])
def test_only_dispatchers_and_managers_may_expire_requests(hall, role):
    due = _past_request(hall, expire=True)
    _, engine = _login(hall, role)
    error = _refused(engine, ["SELECT * FROM uc_expire_requests()"])
    assert isinstance(error, psycopg.errors.InsufficientPrivilege)
    assert _request_status(hall, due) == "open"


def test_a_manager_expires_through_the_function_only_and_the_audit_names_them(hall):
    due = _past_request(hall, expire=True)
    login, manager = _login(hall, "manager")
    error = _refused(manager, ["UPDATE labor_requests SET status = 'expired', expired_at = now(), "
                               "expiry_reason = 'x', version = version + 1 WHERE id = :r"], {"r": due})
    assert isinstance(error, psycopg.errors.InsufficientPrivilege)
    with manager.begin() as conn:
        assert conn.execute(text("SELECT o_request_id FROM uc_expire_requests()")).scalars().all() == [due]
    with hall["owner"].connect() as conn:
        assert conn.execute(text("SELECT db_user FROM audit_log WHERE table_name = 'labor_requests' "
                                 "AND row_key = :r AND action = 'UPDATE'"), {"r": str(due)}).scalar_one() == login


def test_shadowed_book_rules_do_not_expire_requests_of_a_book_that_keeps_them(hall):
    kept = _past_request(hall, expire=False)
    _, dispatcher = _login(hall, "dispatcher", temp=True)
    with dispatcher.begin() as conn:
        conn.execute(text("CREATE TEMP TABLE book_rules AS SELECT * FROM public.book_rules"))
        conn.execute(text("UPDATE book_rules SET expire_unfilled = true"))
        assert conn.execute(text("SELECT * FROM uc_expire_requests()")).all() == []
    assert _request_status(hall, kept) == "open"


def test_an_expired_request_always_says_when_and_why(hall):
    due = _past_request(hall, expire=False)
    _, dispatcher = _login(hall, "dispatcher")
    error = _refused(dispatcher, ["UPDATE labor_requests SET status = 'expired', version = version + 1 "
                                  "WHERE id = :r"], {"r": due})
    assert getattr(error, "diag", None) is not None
    assert error.diag.constraint_name == "ck_labor_requests_expiry_recorded"


# --- class 2: SECURITY DEFINER trigger functions run from a login's own table --------------------------------

DEFINER_TRIGGERS = ["uc_audit('id')", "uc_payments_before_insert()", "uc_member_name_terms()",
                    "uc_book_open_guard()"]


@pytest.mark.parametrize("function", DEFINER_TRIGGERS)
def test_no_login_can_attach_a_definer_trigger_function_to_its_own_table(hall, function):
    _, engine = _login(hall, "dispatcher", temp=True)
    error = _refused(engine, [
        "CREATE TEMP TABLE members (id int, member_id int, status text, paid_on date, first_name text, "
        "last_name text)",
        f"CREATE TRIGGER forge AFTER INSERT ON members FOR EACH ROW EXECUTE FUNCTION {function}",
    ])
    assert isinstance(error, psycopg.errors.InsufficientPrivilege)


def test_every_security_definer_function_is_listed_above_or_callable_only_by_its_group(hall):
    with hall["owner"].connect() as conn:
        definers = set(conn.execute(text("""
            SELECT p.proname FROM pg_proc AS p WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef
        """)).scalars())
    triggers = {f.split("(")[0] for f in DEFINER_TRIGGERS}
    assert triggers <= definers
    assert all(not permissions.FUNCTIONS[name] for name in triggers)  # no group may call them


# --- class 3: staff administration only for the app's own staff logins --------------------------------------

@pytest.mark.parametrize("target", [*permissions.GROUPS, "postgres", "owner", "foreign"])
def test_staff_administration_never_touches_a_role_that_is_not_a_staff_login(hall, target):
    _, engine = _login(hall, "admin")
    with hall["owner"].connect() as conn:
        owner = conn.execute(text("SELECT current_user")).scalar_one()
    if target == "owner":
        target = owner
    if target == "foreign":
        target = f"x_{uuid.uuid4().hex[:8]}"
        with hall["owner"].begin() as conn:
            conn.execute(text(f'CREATE ROLE "{target}" LOGIN'))
        hall["dbs"].server.roles_created.append(target)
    calls = [
        ("SELECT uc_create_staff(:t, 'X', ARRAY['admin'], NULL)", {}),
        ("SELECT uc_set_staff_roles(:t, ARRAY['admin'])", {}),
        ("SELECT uc_deactivate_staff(:t)", {}),
        ("SELECT uc_reactivate_staff(:t)", {}),
    ]
    for statement, extra in calls:
        error = _refused(engine, [statement], {"t": target, **extra})
        assert isinstance(error, (psycopg.errors.InsufficientPrivilege, psycopg.errors.RaiseException)), statement
    with hall["owner"].connect() as conn:
        row = conn.execute(text("SELECT rolcanlogin, rolsuper FROM pg_roles WHERE rolname = :t"), {"t": target}).one()
        if target in permissions.GROUPS:
            assert row.rolcanlogin is False
        elif not row.rolsuper:
            assert not conn.execute(text("SELECT pg_has_role(:t, 'uc_admin', 'MEMBER')"), {"t": target}).scalar_one()


def test_staff_roles_deactivation_and_passwords_are_audited_with_who_did_them(hall):
    admin, engine = _login(hall, "admin")
    uow = UnitOfWork(sessionmaker(engine))
    login = f"t_new_{uuid.uuid4().hex[:8]}"
    hall["dbs"].server.roles_created.append(login)
    staff.add_staff(uow, login=login, full_name="New Person", roles=["dispatcher"], password="correct horse")
    staff.set_roles(uow, login=login, roles=["dispatcher", "dues_clerk"])
    staff.reset_password(uow, login=login, new_password="battery staple")
    staff.deactivate(uow, login=login)
    staff.reactivate(uow, login=login)
    with hall["owner"].connect() as conn:
        rows = conn.execute(text("""
            SELECT db_user, changed_fields, new_values FROM audit_log
            WHERE table_name = 'staff' AND row_key = (SELECT id::text FROM staff WHERE login = :l) ORDER BY id
        """), {"l": login}).all()
        password = conn.execute(text("SELECT rolpassword FROM pg_authid WHERE rolname = :l"), {"l": login}).scalar()
    assert {r.db_user for r in rows} == {admin}
    assert [r.new_values.get("roles") for r in rows if r.changed_fields == ["roles"]] == [
        ["dispatcher"], ["dispatcher", "dues_clerk"]]
    assert [r.new_values for r in rows if r.changed_fields == ["password"]] == [{"password": "reset"}]
    assert [r.new_values["active"] for r in rows if r.changed_fields == ["active"]] == [False, True]
    assert password.startswith("SCRAM-SHA-256$")


def test_plain_text_passwords_and_the_last_admin_are_refused(hall):
    admin, engine = _login(hall, "admin")
    error = _refused(engine, ["SELECT uc_create_staff('t_plain_pw', 'Plain', ARRAY['dispatcher'], 'secret123')"])
    assert "SCRAM-SHA-256" in str(error)
    with pytest.raises(DomainError, match="active admin must remain"):
        staff.set_roles(UnitOfWork(sessionmaker(engine)), login=admin, roles=["dispatcher"])
    with pytest.raises(ValidationError, match="at least 8"):
        staff.change_own_password(UnitOfWork(sessionmaker(engine)), new_password="short")


def test_a_staff_member_changes_only_their_own_password(hall):
    login, engine = _login(hall, "dispatcher")
    other, _ = _login(hall, "dispatcher")
    staff.change_own_password(UnitOfWork(sessionmaker(engine)), new_password="a long new secret")
    error = _refused(engine, [f"ALTER ROLE \"{other}\" PASSWORD 'x'"])
    assert isinstance(error, psycopg.errors.InsufficientPrivilege)
    with hall["owner"].connect() as conn:
        assert conn.execute(text("SELECT rolpassword FROM pg_authid WHERE rolname = :l"),
                            {"l": login}).scalar().startswith("SCRAM-SHA-256$")
        assert conn.execute(text("SELECT db_user FROM audit_log WHERE changed_fields = ARRAY['password'] "
                                 "AND row_key = (SELECT id::text FROM staff WHERE login = :l)"),
                            {"l": login}).scalar_one() == login


# --- class 4: each group holds only its own rights ----------------------------------------------------------

REFUSED = {
    "admin": ["UPDATE dues_adjustments SET status = 'approved', version = version + 1",
              "UPDATE dues_periods SET status = 'closed', version = version + 1",
              "UPDATE book_rules SET resign_days = 40, version = version + 1",
              "UPDATE app_settings SET value = 'X', version = version + 1 WHERE key = 'hall_name'",
              "INSERT INTO members (card_number, first_name, last_name, classification) "
              "VALUES ('7999999', 'A', 'B', 'journeyman')",
              "SELECT 1 FROM payments"],
    "manager": ["INSERT INTO payments (member_id, amount, method, idempotency_key) "
                "SELECT id, 1, 'cash', gen_random_uuid() FROM members LIMIT 1",
                "INSERT INTO labor_requests (number) VALUES ('X1')",
                "UPDATE registrations SET apn = 1, version = version + 1",
                "UPDATE staff SET full_name = 'X', version = version + 1"],
    "dispatcher": ["SELECT balance FROM dues_member_standing",
                   "SELECT 1 FROM audit_log",
                   "UPDATE members SET notes = 'x', version = version + 1",
                   "SELECT uc_post_payment(gen_random_uuid(), 1, 1, 'cash', NULL, NULL, NULL)"],
    "dues_clerk": ["SELECT 1 FROM audit_log",
                   "UPDATE members SET phone = '555', version = version + 1",
                   "INSERT INTO registration_activity (registration_id, member_id, book_id, action) "
                   "VALUES (1, 1, 1, 'sign_on')"],
}


@pytest.mark.parametrize("role", sorted(REFUSED))
def test_a_group_never_holds_another_groups_rights(hall, role):
    _, engine = _login(hall, role)
    for statement in REFUSED[role]:
        error = _refused(engine, [statement])
        assert isinstance(error, psycopg.errors.InsufficientPrivilege), statement


def test_audit_rows_reach_each_reader_only_for_tables_they_may_read(hall):
    _, clerk = _login(hall, "dues_clerk")
    svc.post_payment(UnitOfWork(sessionmaker(clerk)), idempotency_key=uuid.uuid4(), member_id=hall["member"],
                     amount="75", method="check", reference="1234")
    _, dispatcher = _login(hall, "dispatcher")
    with dispatcher.connect() as conn:
        tables = set(conn.execute(text("SELECT DISTINCT table_name FROM audit_trail")).scalars())
        assert "payments" not in tables and "members" in tables
        # a reader's own condition never runs on rows the view holds back: on a payment's row this cast would
        # fail with the payment's date in the message
        assert conn.execute(text("SELECT count(*) FROM audit_trail "
                                 "WHERE (new_values ->> 'paid_on')::int = 0")).scalar_one() == 0
    with clerk.connect() as conn:
        assert "payments" in set(conn.execute(text("SELECT DISTINCT table_name FROM audit_trail")).scalars())


SETUP_WRITES = {
    "app_settings": "UPDATE app_settings SET value = 'Not our hall', version = version + 1 WHERE key = 'hall_name'",
    "offices": "INSERT INTO offices (code, name) VALUES ('ROGUE', 'Rogue office')",
    "holidays": "INSERT INTO holidays (day, name) VALUES (DATE '2031-03-03', 'Day off')",
    "contract_codes": "INSERT INTO contract_codes (code, description) VALUES ('ROGUE', 'Rogue agreement')",
}


@pytest.mark.parametrize("role", ["admin", "dispatcher", "dues_clerk"])
def test_only_a_manager_sets_the_hall_up(hall, role):
    """The admin runs staff and the server, never the hall's set-up (domain §6); neither does a dispatcher or a
    clerk, whatever they send. A manager's same statements go through and are audited under their login."""
    _, engine = _login(hall, role)
    for table, statement in SETUP_WRITES.items():
        error = _refused(engine, [statement])
        assert isinstance(error, psycopg.errors.InsufficientPrivilege), table
    manager, engine = _login(hall, "manager")
    with engine.begin() as conn:
        for statement in SETUP_WRITES.values():
            conn.execute(text(statement))
    with hall["owner"].connect() as conn:
        audited = set(conn.execute(text("SELECT table_name FROM audit_log WHERE db_user = :u"),
                                   {"u": manager}).scalars())
    assert audited == set(SETUP_WRITES)


# --- class: the dispatch profile is the manager's ------------------------------------------------------------

@pytest.mark.parametrize("statement", [
    "INSERT INTO member_skills (member_id, name) VALUES (:m, 'Cable splicing')",
    "UPDATE member_skills SET expires_on = NULL WHERE member_id = :m",
    "INSERT INTO member_qualified_books (member_id, book_code, tier) VALUES (:m, 'ATTACK', 1)",
    "DELETE FROM member_exclusions WHERE member_id = :m",
])
def test_a_dispatcher_cannot_give_a_member_a_certification_a_book_or_lift_an_exclusion(hall, statement):
    """Domain §6: a dispatcher keeps contact details; a certification the walk checks, a book a member may sign
    and an exclusion are the manager's (0020 took skills back from dispatchers)."""
    _, dispatcher = _login(hall, "dispatcher")
    error = _refused(dispatcher, [statement], {"m": hall["member"]})
    assert isinstance(error, psycopg.errors.InsufficientPrivilege)
