"""Member list, search and detail reads."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.errors import NotFound
from unioncore_desktop.domain.models import Member
from unioncore_desktop.domain.queries.text_search import like_escape, normalize_query


@dataclass(frozen=True, slots=True)
class MemberListRow:
    """One line of the members screen and the roster report."""

    id: int
    card_number: str
    last_name: str
    first_name: str
    middle_name: str | None
    classification: str
    status: str
    card_type: str
    home_local: str | None
    phone: str | None
    city: str | None
    initiation_date: date | None
    rank: float = 0.0  # search relevance, 0 when listing without a search

    @property
    def display_name(self) -> str:
        middle = f" {self.middle_name[0]}." if self.middle_name else ""
        return f"{self.last_name}, {self.first_name}{middle}"


@dataclass(frozen=True, slots=True)
class QualifiedBookRow:
    book_code: str
    tier: int


@dataclass(frozen=True, slots=True)
class SkillRow:
    name: str
    number: str | None
    expires_on: date | None


@dataclass(frozen=True, slots=True)
class MemberDetail:
    """Everything the member form shows; `version` is what a save must match."""

    id: int
    version: int
    card_number: str
    first_name: str
    middle_name: str | None
    last_name: str
    suffix: str | None
    address_line1: str | None
    address_line2: str | None
    city: str | None
    state: str | None
    postal_code: str | None
    phone: str | None
    mobile_phone: str | None
    email: str | None
    date_of_birth: date | None
    initiation_date: date | None
    classification: str
    status: str
    card_type: str
    home_local: str | None
    ssn_last4: str | None
    notes: str | None
    qualified_books: tuple[QualifiedBookRow, ...] = ()
    skills: tuple[SkillRow, ...] = ()


@dataclass(frozen=True, slots=True)
class EmploymentRow:
    id: int
    employer_name: str
    worksite_name: str | None
    job_class: str | None
    started_on: date
    ended_on: date | None
    termination_reason: str | None
    days_worked: int | None
    hours_worked: Decimal | None
    source: str


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """One changed field in the member's history: old -> new, who, when."""

    changed_at: datetime
    changed_by: str
    action: str
    area: str
    field: str
    old: str
    new: str


LIST_COLUMNS = """m.id, m.card_number, m.last_name, m.first_name, m.middle_name, m.classification, m.status,
                  m.card_type, m.home_local, m.phone, m.city, m.initiation_date"""

# Typo-tolerant search in two steps. Each word of the query is first matched against the small vocabulary of
# names in use (name_terms): exactly, as a prefix, with two neighbouring letters swapped ("jonh"), or within a
# short edit distance ("smth"). Members are then found by exact name through btree indexes, so a common name
# costs no more than a rare one. Words with digits match card number prefixes or phone digits.
NAME_WORD = re.compile(r"^[a-z][a-z'.-]*$")

NAME_WORD_CTE = """t{i} AS MATERIALIZED (
        SELECT term FROM name_terms
        WHERE term LIKE :l{i} || '%' ESCAPE '\\' OR term = ANY(CAST(:v{i} AS text[]))
           OR (:k{i} > 0 AND levenshtein_less_equal(term, :p{i}, :k{i}) <= :k{i}))"""


def _swaps(word: str) -> list[str]:
    """The word with each pair of neighbouring letters swapped: the commonest typing slip."""
    return sorted({word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)} - {word})


def _edit_budget(word: str) -> int:
    return 0 if len(word) <= 3 else 1 if len(word) <= 6 else 2


def build_search(query: str, *, status: str | None = None, limit: int = 0) -> tuple[str, dict[str, object]]:
    """The search SQL and its parameters for a non-empty, normalized query (public so the benchmark runs the very
    same statement through raw psycopg)."""
    words = query.split()
    names = [w for w in words if NAME_WORD.match(w)][:4]
    other = "".join(w for w in words if w not in names)
    params: dict[str, object] = {"status": status, "limit": limit or SEARCH_LIMIT, "q": query}
    ctes: list[str] = []
    conditions: list[str] = []
    scores: list[str] = []
    for i, word in enumerate(names):
        params.update({f"p{i}": word, f"l{i}": like_escape(word), f"v{i}": _swaps(word), f"k{i}": _edit_budget(word)})
        ctes.append(NAME_WORD_CTE.format(i=i))
        # ANY(ARRAY(...)) is computed once, so both name indexes are used (IN (SELECT ...) would scan members)
        conditions.append(f"(m.first_key = ANY(ARRAY(SELECT term FROM t{i}))"
                          f" OR m.last_key = ANY(ARRAY(SELECT term FROM t{i})))")
        scores.append(f"""CASE WHEN :p{i} IN (m.first_key, m.last_key) THEN 3
                   WHEN m.first_key LIKE :l{i} || '%' ESCAPE '\\' OR m.last_key LIKE :l{i} || '%' ESCAPE '\\'
                     OR m.first_key = ANY(CAST(:v{i} AS text[])) OR m.last_key = ANY(CAST(:v{i} AS text[])) THEN 2
                   ELSE 1 END""")
    if other or not names:
        card = re.sub(r"[^0-9a-z]", "", other).upper()
        digits = re.sub(r"\D", "", other)
        params.update({"card": card, "card_like": like_escape(card), "digits": digits})
        conditions.append("false" if not card else "(m.card_number LIKE :card_like || '%' ESCAPE '\\'"
                          " OR (length(:digits) >= 4 AND m.phone_digits LIKE '%' || :digits || '%'))")
        scores.append("CASE WHEN m.card_number = :card THEN 10 WHEN m.card_number LIKE :card_like || '%' ESCAPE '\\'"
                      " THEN 5 ELSE 1 END")
    with_clause = f"WITH {', '.join(ctes)}" if ctes else ""
    # Rank cheaply first (how well each word matched), keep the best few hundred, and only then spend edit
    # distance on the order among them: a one-letter query matches thousands of members.
    sql = f"""
        {with_clause}
        SELECT {LIST_COLUMNS},
               c.score + greatest(0, 1 - least(levenshtein(:q, m.first_key || ' ' || m.last_key),
                                              levenshtein(:q, m.last_key || ' ' || m.first_key))::float
                                         / greatest(length(:q), length(m.first_key) + length(m.last_key) + 1)) AS rank
        FROM (
            SELECT m.id, {' + '.join(scores)} AS score
            FROM members AS m
            WHERE {' AND '.join(conditions)}
              AND (CAST(:status AS text) IS NULL OR m.status = :status)
            ORDER BY score DESC, m.last_name, m.first_name, m.id
            LIMIT 500
        ) AS c
        JOIN members AS m USING (id)
        ORDER BY rank DESC, m.last_name, m.first_name, m.id
        LIMIT :limit
    """
    return sql, params


LIST_SQL = text(f"""
    SELECT {LIST_COLUMNS}, 0.0 AS rank
    FROM members AS m
    WHERE CAST(:status AS text) IS NULL OR m.status = :status
    ORDER BY m.last_name, m.first_name, m.id
    LIMIT :limit
""")

SEARCH_LIMIT = 200
LIST_LIMIT = 20_000


def search_members(session: Session, query: str = "", *, status: str | None = None,
                   limit: int | None = None) -> list[MemberListRow]:
    """Members matching `query` (card number, names, phone; misspellings tolerated), best first.

    An empty query lists everyone (optionally by status) in name order.
    """
    q = normalize_query(query)
    if not q:
        result = session.execute(LIST_SQL, {"status": status, "limit": limit or LIST_LIMIT})
    else:
        sql, params = build_search(q, status=status, limit=limit or SEARCH_LIMIT)
        result = session.execute(text(sql), params)
    # the row's column count is unknown to mypy, which so counts it against the keyword fields
    return [MemberListRow(*row[:-1], rank=float(row[-1])) for row in result]  # type: ignore[misc]


def count_members(session: Session) -> int:
    count: int = session.execute(text("SELECT count(*) FROM members")).scalar_one()
    return count


def member_detail(session: Session, member_id: int) -> MemberDetail:
    member = session.get(Member, member_id)
    if member is None:
        raise NotFound("That member no longer exists.")
    return MemberDetail(
        **{name: getattr(member, name) for name in MemberDetail.__slots__
           if name not in ("qualified_books", "skills")},
        qualified_books=tuple(QualifiedBookRow(q.book_code, q.tier) for q in member.qualified_books),
        skills=tuple(SkillRow(s.name, s.number, s.expires_on) for s in member.skills),
    )


def employment_history(session: Session, member_id: int) -> list[EmploymentRow]:
    rows = session.execute(text("""
        SELECT h.id, e.name, w.name, h.job_class, h.started_on, h.ended_on, h.termination_reason,
               h.days_worked, h.hours_worked, h.source
        FROM employment_history AS h
        JOIN employers AS e ON e.id = h.employer_id
        LEFT JOIN worksites AS w ON w.id = h.worksite_id
        WHERE h.member_id = :member_id
        ORDER BY h.started_on DESC, h.id DESC
    """), {"member_id": member_id})
    return [EmploymentRow(*row) for row in rows]


_AREAS = {"members": "Member", "member_qualified_books": "Qualified book", "member_skills": "Skill",
          "member_exclusions": "Exclusion", "employment_history": "Employment"}
_HIDDEN_FIELDS = {"id", "member_id", "version", "created_at", "updated_at", "search_text", "phone_digits",
                  "first_key", "last_key"}


def change_history(session: Session, member_id: int) -> list[ChangeRow]:
    """Field-level history from the audit log, newest first, with staff names where known."""
    rows = session.execute(text("""
        SELECT a.changed_at, coalesce(s.full_name, a.db_user), a.action, a.table_name,
               a.changed_fields, a.old_values, a.new_values
        FROM audit_trail AS a
        LEFT JOIN staff AS s ON s.login = a.db_user
        WHERE a.member_id = :member_id
        ORDER BY a.changed_at DESC, a.id DESC
        LIMIT 2000
    """), {"member_id": member_id})
    changes: list[ChangeRow] = []
    for changed_at, who, action, table, fields, old, new in rows:
        for field in fields:
            if field in _HIDDEN_FIELDS:
                continue
            changes.append(ChangeRow(
                changed_at=changed_at, changed_by=who, action=action.lower(), area=_AREAS.get(table, table),
                field=field, old=_text((old or {}).get(field)), new=_text((new or {}).get(field))))
    return changes


def _text(value: object) -> str:
    return "" if value is None else str(value)
