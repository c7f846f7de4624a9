"""Member list, search and detail reads."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.errors import NotFound
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

# Search picks its statement by the shape of what was typed, so that at a million members every page comes from
# index range scans read in index order under a LIMIT, never from ranking every match:
#  - one name word: surname prefix (an exact surname sorts first), then first-name prefix, then - only when those
#    fill less than a page - names within a typing slip of the word ("gracia", "smiht"); each from a btree on
#    (last_key, first_key, id) or (first_key, last_key, id) with text_pattern_ops, where a prefix is one range
#    (~>=~ ... ~<~) read in byte order (ORDER BY ... USING ~<~);
#  - no name words (digits): card number prefix, then the first phone's digits from the area code or from the
#    local number; digits from inside a number ("0101") or a mobile number are searched anywhere in both phones
#    (trigram index) only when those found nothing, or less than a page for seven digits or more, which few
#    numbers contain (fewer digits from inside numbers would match a large share of all members);
#  - several words: every name word must match a first or last name through the vocabulary of names in use
#    (name_terms); without digits two of the words must be a first name and a surname, in either order, which
#    keeps the candidates few; these are ranked by how close the whole name is.
# The page's members, each read by its key once the page is chosen: a join over the candidates would let the
# planner, which expects a few hundred of them, hash the whole members table (a sequential scan per search).
# OFFSET 0 keeps the subquery from being flattened back into that join.
PAGE_MEMBERS = f"CROSS JOIN LATERAL (SELECT {LIST_COLUMNS} FROM members AS m WHERE m.id = h.id OFFSET 0) AS m"

NAME_WORD = re.compile(r"^[a-z][a-z'.-]*$")
PHONE, PHONE_LOCAL = "split_part(m.phone_digits, '|', 1)", "right(split_part(m.phone_digits, '|', 1), 7)"
STATUS = "(CAST(:status AS text) IS NULL OR m.status = :status)"


def _prefix(column: str, lo: str = ":lo", hi: str = ":hi") -> str:
    return f"{column} ~>=~ {lo} AND {column} ~<~ {hi}"


# Names in use that a word may mean: names it begins (one index range), the word with two neighbouring letters
# swapped, and names within its edit budget (every name in use is measured: a few milliseconds per 100,000 names).
def _terms_near(w: str, k: str) -> str:
    return f"SELECT term FROM name_terms WHERE {k} > 0 AND levenshtein_less_equal(term, {w}, {k}) <= {k}"


NAME_WORD_CTE = f"""t{{i}} AS MATERIALIZED (
        SELECT term FROM name_terms WHERE {_prefix("term", ":lo{i}", ":hi{i}")}
        UNION SELECT term FROM name_terms WHERE term = ANY(CAST(:v{{i}} AS text[]))
        UNION {_terms_near(":p{i}", ":k{i}")})"""

BY_LAST = "ORDER BY m.last_key USING ~<~, m.first_key USING ~<~, m.id LIMIT :limit"
BY_FIRST = "ORDER BY m.first_key USING ~<~, m.last_key USING ~<~, m.id LIMIT :limit"

# One name word; each hit carries (score, k1, k2) and is shown in that order. A part is read only while the better
# parts before it have found less than a page: what comes after a full page is never shown.
ONE_NAME_SQL = f"""
    WITH by_last AS MATERIALIZED (
        SELECT m.id, CASE WHEN m.last_key = :w THEN 6 ELSE 5 END AS score, m.last_key AS k1, m.first_key AS k2
        FROM members AS m
        WHERE {_prefix("m.last_key")} AND {STATUS}
        {BY_LAST}
    ), by_first AS MATERIALIZED (
        SELECT m.id, CASE WHEN m.first_key = :w THEN 4 ELSE 3 END AS score, m.first_key AS k1, m.last_key AS k2
        FROM members AS m
        WHERE (SELECT count(*) FROM by_last) < :limit
          AND {_prefix("m.first_key")} AND NOT ({_prefix("m.last_key")}) AND {STATUS}
        {BY_FIRST}
    ), near AS MATERIALIZED (
        SELECT term FROM (SELECT term FROM name_terms WHERE term = ANY(CAST(:swaps AS text[]))
                          UNION {_terms_near(":w", ":k")}) AS t
        WHERE (SELECT count(*) FROM by_last) + (SELECT count(*) FROM by_first) < :limit
          AND NOT ({_prefix("term")})
    ), near_last AS MATERIALIZED (
        SELECT m.id, 2 AS score, m.last_key AS k1, m.first_key AS k2
        FROM members AS m
        WHERE m.last_key = ANY(ARRAY(SELECT term FROM near)) AND {STATUS}
        {BY_LAST}
    ), near_first AS MATERIALIZED (
        SELECT m.id, 1 AS score, m.first_key AS k1, m.last_key AS k2
        FROM members AS m
        WHERE m.first_key = ANY(ARRAY(SELECT term FROM near)) AND m.last_key <> ALL(ARRAY(SELECT term FROM near))
          AND {STATUS}
        {BY_FIRST}
    )
    SELECT {{columns}}, h.score AS rank
    FROM (SELECT * FROM by_last UNION ALL SELECT * FROM by_first
          UNION ALL SELECT * FROM near_last UNION ALL SELECT * FROM near_first
          ORDER BY score DESC, k1 USING ~<~, k2 USING ~<~, id
          LIMIT :limit) AS h
    {{members}}
    ORDER BY h.score DESC, h.k1 USING ~<~, h.k2 USING ~<~, h.id
"""

# Digits: a card number or a phone, each part read only while the better parts found less than a page; a member
# found two ways keeps the better score.
NUMBER_SQL = f"""
    WITH cards AS MATERIALIZED (
        SELECT m.id, CASE WHEN m.card_number = :card THEN 10 ELSE 8 END AS score, m.card_number::text AS k
        FROM members AS m
        WHERE {_prefix("m.card_number", ":card", ":card_hi")} AND {STATUS}
        ORDER BY m.card_number USING ~<~ LIMIT :limit
    ), phones AS MATERIALIZED (
        SELECT m.id, 7 AS score, {PHONE} AS k
        FROM members AS m
        WHERE length(:digits) >= 4 AND (SELECT count(*) FROM cards) < :limit
          AND {_prefix(PHONE, ":digits", ":digits_hi")} AND {STATUS}
        ORDER BY {PHONE} USING ~<~, m.id LIMIT :limit
    ), locals AS MATERIALIZED (
        SELECT m.id, 6 AS score, {PHONE_LOCAL} AS k
        FROM members AS m
        WHERE length(:digits) >= 4 AND (SELECT count(*) FROM cards) + (SELECT count(*) FROM phones) < :limit
          AND {_prefix(PHONE_LOCAL, ":digits", ":digits_hi")} AND {STATUS}
        ORDER BY {PHONE_LOCAL} USING ~<~, m.id LIMIT :limit
    ), found AS MATERIALIZED (
        SELECT (SELECT count(*) FROM cards) + (SELECT count(*) FROM phones) + (SELECT count(*) FROM locals) AS n
    ), anywhere AS MATERIALIZED (
        SELECT m.id, 5 AS score, m.phone_digits AS k
        FROM members AS m
        WHERE length(:digits) >= 4
          AND (SELECT n = 0 OR (n < :limit AND length(:digits) >= 7) FROM found)
          AND m.phone_digits LIKE '%' || :digits || '%' AND {STATUS}
        LIMIT :limit
    )
    SELECT {{columns}}, h.score AS rank
    FROM (SELECT * FROM (SELECT DISTINCT ON (id) *
                         FROM (SELECT * FROM cards UNION ALL SELECT * FROM phones
                               UNION ALL SELECT * FROM locals UNION ALL SELECT * FROM anywhere) AS u
                         ORDER BY id, score DESC) AS best
          ORDER BY score DESC, k USING ~<~, id
          LIMIT :limit) AS h
    {{members}}
    ORDER BY h.score DESC, h.k USING ~<~, h.id
"""

# A surname matching one word and a first name another: one descent of a name index per pair of terms, read without
# the table, where matching each word on its own would intersect two large sets ("j s").
NAME_PAIR_SQL = f"""
    SELECT m.id, m.first_key, m.last_key FROM members AS m
    WHERE m.last_key = ANY(ARRAY(SELECT term FROM t{{last}})) AND m.first_key = ANY(ARRAY(SELECT term FROM t{{first}}))
      AND {STATUS}{{rest}}"""


def _name_pairs(names: list[str], matches: list[str]) -> str:
    """Members whose surname matches one of the words and first name another (each distinct pair of words once),
    and every other word one of the two (`matches[i]` is word i's condition)."""
    pairs = {(names[a], names[b]): (a, b) for a in range(len(names)) for b in range(len(names)) if a != b}
    def others(a: int, b: int) -> str:
        return "".join(f" AND {match}" for i, match in enumerate(matches) if i not in (a, b))
    return "\n    UNION".join(NAME_PAIR_SQL.format(last=a, first=b, rest=others(a, b)) for a, b in pairs.values())


NOTHING_SQL = "SELECT {columns}, 0.0 AS rank FROM members AS m{beside} WHERE false"


def _swaps(word: str) -> list[str]:
    """The word with each pair of neighbouring letters swapped: the commonest typing slip."""
    return sorted({word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)} - {word})


def _edit_budget(word: str) -> int:
    return 0 if len(word) <= 3 else 1 if len(word) <= 6 else 2


def _after_prefix(prefix: str) -> str:
    """The least string (byte order) above every string starting with `prefix`: the end of its range."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def search_shape(query: str) -> str:
    """Which statement a normalized query runs: "name" (one name word), "number" (no name words), "nothing"
    (nothing searchable) or "words" (several words)."""
    words = query.split()
    names = [w for w in words if NAME_WORD.match(w)]
    if not names:
        return "number" if re.sub(r"[^0-9a-z]", "", query) else "nothing"
    return "name" if len(words) == 1 else "words"


def build_search(query: str, *, status: str | None = None, limit: int = 0,
                 beside: str | None = None) -> tuple[str, dict[str, object]]:
    """The search SQL and its parameters for a non-empty, normalized query (public so the benchmark runs the very
    same statement through raw psycopg).

    `beside` is read for each member of the page in the same statement (`SELECT {beside}`, the member being `m`,
    e.g. "standing FROM member_standing WHERE member_id = m.id"); its columns come between the member's and rank.
    A member it finds no row for is left out."""
    params: dict[str, object] = {"status": status, "limit": limit or SEARCH_LIMIT}
    columns = f"{LIST_COLUMNS}, b.*" if beside else LIST_COLUMNS
    join = f"\n    CROSS JOIN LATERAL (SELECT {beside} OFFSET 0) AS b" if beside else ""
    shape = search_shape(query)
    if shape == "name":
        params.update({"w": query, "lo": query, "hi": _after_prefix(query), "swaps": _swaps(query),
                       "k": _edit_budget(query)})
        return ONE_NAME_SQL.format(columns=columns, members=PAGE_MEMBERS + join), params
    if shape == "number":
        card = re.sub(r"[^0-9a-z]", "", query).upper()
        digits = re.sub(r"\D", "", query)
        params.update({"card": card, "card_hi": _after_prefix(card), "digits": digits,
                       "digits_hi": _after_prefix(digits) if digits else ""})
        return NUMBER_SQL.format(columns=columns, members=PAGE_MEMBERS + join), params
    if shape == "nothing":
        return NOTHING_SQL.format(columns=columns, beside=join), params
    return _words_search(query, params, columns, join)


def _words_search(query: str, params: dict[str, object], columns: str = LIST_COLUMNS,
                  beside: str = "") -> tuple[str, dict[str, object]]:
    """Several words: each name word matches a first or last name through the vocabulary, other words a card
    number prefix or phone digits; the matches are few, so they are ranked by how close the whole name is."""
    words = query.split()
    names = [w for w in words if NAME_WORD.match(w)][:4]
    other = "".join(w for w in words if w not in names)
    params["q"] = query
    ctes: list[str] = []
    conditions: list[str] = []
    scores: list[str] = []
    for i, word in enumerate(names):
        params.update({f"p{i}": word, f"lo{i}": word, f"hi{i}": _after_prefix(word), f"v{i}": _swaps(word),
                       f"k{i}": _edit_budget(word)})
        ctes.append(NAME_WORD_CTE.format(i=i))
        # ANY(ARRAY(...)) is computed once, so both name indexes are used (IN (SELECT ...) would scan members)
        conditions.append(f"(m.first_key = ANY(ARRAY(SELECT term FROM t{i}))"
                          f" OR m.last_key = ANY(ARRAY(SELECT term FROM t{i})))")
        # a surname matched outranks a first name matched the same way
        scores.append(f"""CASE WHEN m.last_key = :p{i} THEN 3.2 WHEN m.first_key = :p{i} THEN 3
                   WHEN m.last_key ^@ :p{i} OR m.last_key = ANY(CAST(:v{i} AS text[])) THEN 2.2
                   WHEN m.first_key ^@ :p{i} OR m.first_key = ANY(CAST(:v{i} AS text[])) THEN 2
                   ELSE 1 END""")
    source = "members AS m"
    if other:
        card = re.sub(r"[^0-9a-z]", "", other).upper()
        digits = re.sub(r"\D", "", other)
        params.update({"card": card, "card_like": like_escape(card), "digits": digits})
        conditions.append("false" if not card else "(m.card_number LIKE :card_like || '%' ESCAPE '\\'"
                          " OR (length(:digits) >= 4 AND m.phone_digits LIKE '%' || :digits || '%'))")
        scores.append("CASE WHEN m.card_number = :card THEN 10 WHEN m.card_number LIKE :card_like || '%' ESCAPE '\\'"
                      " THEN 5 ELSE 1 END")
    if not other:
        source, conditions = f"({_name_pairs(names, conditions)}) AS m", ["true"]  # narrowed by status already
    else:
        conditions.append(STATUS)
    # Rank cheaply first (how well each word matched), keep the best few hundred, and only then spend edit
    # distance on the order among them.
    sql = f"""
        WITH {', '.join(ctes)}
        SELECT {columns},
               c.score + greatest(0, 1 - least(levenshtein(:q, m.first_key || ' ' || m.last_key),
                                              levenshtein(:q, m.last_key || ' ' || m.first_key))::float
                                         / greatest(length(:q), length(m.first_key) + length(m.last_key) + 1)) AS rank
        FROM (
            SELECT m.id, {' + '.join(scores)} AS score
            FROM {source}
            WHERE {' AND '.join(conditions)}
            ORDER BY score DESC, m.last_key, m.first_key, m.id
            LIMIT 500
        ) AS c
        CROSS JOIN LATERAL (SELECT {LIST_COLUMNS}, m.first_key, m.last_key FROM members AS m
                            WHERE m.id = c.id OFFSET 0) AS m{beside}
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
    from unioncore_desktop.domain.models import Member  # the ORM models load with the first record read

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
