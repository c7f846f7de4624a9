"""A small hall for the books screen tests: the demo books, a few members qualified for them, registrations in
all states the list shows, and logins for each staff role."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Engine, text

from unioncore_desktop.db.connection import HallConnection, connect
from unioncore_desktop.db.profile import ConnectionProfile
from unioncore_desktop.seed.books import insert_books

WIRE = {"WIRE_SEATTLE": 1, "WIRE_BREMERTON": 1, "WIRE_PT_ANGELES": 1}


@dataclass
class BooksHall:
    name: str
    databases: object
    admin: Engine
    books: dict[str, int]
    today: date
    members: dict[str, int] = field(default_factory=dict)
    registrations: dict[str, int] = field(default_factory=dict)
    halls: list[HallConnection] = field(default_factory=list)

    def login(self, role: str, full_name: str | None = None) -> HallConnection:
        user = self.databases.make_staff(self.name, role, full_name or f"Test {role.title()}")
        hall = connect(ConnectionProfile.from_url(self.databases.server.url(self.name, user)))
        self.halls.append(hall)
        return hall

    def add_member(self, key: str, card: str, first: str, last: str, qualified: dict[str, int]) -> int:
        with self.admin.begin() as conn:
            member_id = conn.execute(text(
                "INSERT INTO members (card_number, first_name, last_name, classification, city) "
                "VALUES (:c, :f, :l, 'journeyman', 'Seattle') RETURNING id"),
                {"c": card, "f": first, "l": last}).scalar_one()
            for code, tier in qualified.items():
                conn.execute(text("INSERT INTO member_qualified_books (member_id, book_code, tier) "
                                  "VALUES (:m, :b, :t)"), {"m": member_id, "b": code, "t": tier})
        self.members[key] = member_id
        return member_id

    def register(self, key: str, member: str, book: str, *, tier: int = 1, apn: str, **values) -> int:
        row = {"tier": tier, "apn": Decimal(apn), "status": "registered",
               "resign_due_on": self.today + timedelta(days=20), **values}
        columns = ", ".join(row)
        with self.admin.begin() as conn:
            registration_id = conn.execute(text(
                f"INSERT INTO registrations (member_id, book_id, {columns}) "
                f"VALUES (:member_id, :book_id, {', '.join(':' + k for k in row)}) RETURNING id"),
                {"member_id": self.members[member], "book_id": self.books[book], **row}).scalar_one()
        self.registrations[key] = registration_id
        return registration_id

    def registration(self, registration_id: int) -> dict:
        with self.admin.connect() as conn:
            return dict(conn.execute(text("SELECT * FROM registrations WHERE id = :id"),
                                     {"id": registration_id}).mappings().one())

    def close(self) -> None:
        for hall in self.halls:
            hall.close()


def build_hall(databases) -> BooksHall:
    """WIRE SEATTLE: three in tier 1 (one exempt, one overdue), one in tier 2; spare members to sign on."""
    name = databases.create()
    admin = databases.engine(name)
    with admin.begin() as conn:
        books = insert_books(conn)
        today = conn.execute(text("SELECT uc_hall_today()")).scalar_one()
    hall = BooksHall(name, databases, admin, books, today)
    hall.add_member("ada", "7000101", "Ada", "Lovelace", WIRE)
    hall.add_member("ben", "7000102", "Ben", "Okafor", WIRE)
    hall.add_member("cyd", "7000103", "Cyd", "Charisse", WIRE)
    hall.add_member("dee", "7000104", "Dee", "Tran", {"WIRE_SEATTLE": 2})
    hall.add_member("quinn", "7464416", "Pat", "Quinn", {**WIRE, "TRADESHOW": 1})
    hall.add_member("rosa", "7000106", "Rosa", "Parks", WIRE)
    hall.register("ada", "ada", "WIRE_SEATTLE", apn="45880.01", last_resign_on=today - timedelta(days=10))
    hall.register("ben", "ben", "WIRE_SEATTLE", apn="45880.02", exemption_reason="medical",
                  exemption_start=today - timedelta(days=3), resign_due_on=None)
    hall.register("cyd", "cyd", "WIRE_SEATTLE", apn="45901.05", resign_due_on=today - timedelta(days=2))
    hall.register("dee", "dee", "WIRE_SEATTLE", tier=2, apn="45700.01")
    hall.register("ada_bremerton", "ada", "WIRE_BREMERTON", apn="45880.01")
    return hall
