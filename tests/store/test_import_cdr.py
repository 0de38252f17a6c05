"""``wallboard store import-cdr``: Asterisk's CDR table in a real PostgreSQL server, filled
here with the records of scripted calls, becomes the call log and the calls by day of the
days before the recorder began, the same in a SQLite and a PostgreSQL store; a second run
adds nothing."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest
from sqlalchemy import insert, select

from tests.store.cli import wallboard
from tests.store.test_recorder import running
from tests.support.postgres import fresh_database
from wallboard.core.clock import ManualClock
from wallboard.core.events import Snapshot
from wallboard.core.models import CallType, Employee, SipAccount
from wallboard.core.profile import Period, build_profile
from wallboard.store import open_store, queries, schema
from wallboard.store.db import set_meta

WARSAW = ZoneInfo("Europe/Warsaw")
FIRST_RECORDED = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
"""The recorder began at 08:00 in Warsaw on 27 November."""
_names = itertools.count(1)

CDR_TABLE = """
CREATE TABLE {name} (
    acctid      BIGSERIAL PRIMARY KEY,
    calldate    {calldate} NOT NULL DEFAULT now(),
    clid        VARCHAR(80) NOT NULL DEFAULT '',
    src         VARCHAR(80) NOT NULL DEFAULT '',
    dst         VARCHAR(80) NOT NULL DEFAULT '',
    dcontext    VARCHAR(80) NOT NULL DEFAULT '',
    channel     VARCHAR(80) NOT NULL DEFAULT '',
    dstchannel  VARCHAR(80) NOT NULL DEFAULT '',
    lastapp     VARCHAR(80) NOT NULL DEFAULT '',
    lastdata    VARCHAR(80) NOT NULL DEFAULT '',
    duration    BIGINT NOT NULL DEFAULT 0,
    billsec     BIGINT NOT NULL DEFAULT 0,
    disposition VARCHAR(45) NOT NULL DEFAULT '',
    amaflags    BIGINT NOT NULL DEFAULT 0,
    accountcode VARCHAR(20) NOT NULL DEFAULT '',
    uniqueid    VARCHAR(150) NOT NULL DEFAULT '',
    userfield   VARCHAR(255) NOT NULL DEFAULT '',
    peeraccount VARCHAR(20) NOT NULL DEFAULT '',
    linkedid    VARCHAR(150) NOT NULL DEFAULT '',
    sequence    INTEGER NOT NULL DEFAULT 0
)"""
"""The table cdr_pgsql writes (Asterisk 12 and later: linkedid, peeraccount, sequence)."""

TRUNK = "PJSIP/trunk-0000"
# calldate, src, dst, dcontext, channel, dstchannel, lastapp, duration, billsec,
# disposition, uniqueid, linkedid, userfield
RECORDS = [
    # 1. incoming; a ring group rings Anna's desk phone and Piotr's, Anna answers after 20 s
    ("2026-11-26 09:00:00+01", "+48501234567", "221002030", "from-trunk", TRUNK + "0001",
     "PJSIP/1001-00000002", "Dial", 200, 180, "ANSWERED", "1764144000.1", "1764144000.1", ""),
    ("2026-11-26 09:00:00+01", "+48501234567", "221002030", "from-trunk", TRUNK + "0001",
     "PJSIP/1002-00000003", "Dial", 20, 0, "NO ANSWER", "1764144000.1", "1764144000.1", ""),
    # 2. incoming, rings Piotr 12 s: missed
    ("2026-11-26 10:00:00+01", "+48600100200", "221002030", "from-trunk", TRUNK + "0005",
     "PJSIP/1002-00000006", "Dial", 12, 0, "NO ANSWER", "1764147600.5", "1764147600.5", ""),
    # 3. incoming, rings Anna's softphone 4 s: a short ring, not missed
    ("2026-11-26 11:00:00+01", "+48600300400", "221002030", "from-trunk", TRUNK + "0008",
     "PJSIP/1011-00000009", "Dial", 4, 0, "NO ANSWER", "1764151200.8", "1764151200.8", ""),
    # 4. outgoing: Piotr calls a client, answered after 5 s
    ("2026-11-26 12:00:00+01", "1002", "0501234999", "from-internal", "PJSIP/1002-0000000a",
     TRUNK + "000b", "Dial", 65, 60, "ANSWERED", "1764154800.10", "1764154800.10", ""),
    # 5. incoming to Anna, transferred to Piotr a minute later: Piotr's call, answered once
    ("2026-11-26 13:00:00+01", "+48700500600", "221002030", "from-trunk", TRUNK + "000c",
     "PJSIP/1001-0000000d", "Dial", 65, 60, "ANSWERED", "1764158400.12", "1764158400.12", ""),
    ("2026-11-26 13:01:00+01", "+48700500600", "221002030", "from-trunk", TRUNK + "000c",
     "PJSIP/1002-0000000e", "Dial", 120, 110, "ANSWERED", "1764158400.12", "1764158400.12",
     ""),
    # 6. a callback (the dialplan set CDR(userfield)): Anna's phone first, then the client
    ("2026-11-26 14:00:00+01", "1001", "0441112233", "from-internal", "PJSIP/1001-0000000f",
     TRUNK + "0010", "Dial", 100, 90, "ANSWERED", "1764162000.15", "1764162000.15",
     "callback"),
    # 7. answered on a phone nobody mapped: skipped
    ("2026-11-26 15:00:00+01", "+48600700800", "221002030", "from-trunk", TRUNK + "0011",
     "PJSIP/1050-00000012", "Dial", 40, 30, "ANSWERED", "1764165600.17", "1764165600.17", ""),
    # 8. in an ignored context: skipped
    ("2026-11-26 15:30:00+01", "+48600900100", "*97", "voicemail", TRUNK + "0013",
     "PJSIP/1001-00000013", "VoiceMailMain", 30, 30, "ANSWERED", "1764167400.19",
     "1764167400.19", ""),
    # 9. the IVR answers (no party B), then Anna's phone rings 8 s: not answered, missed
    ("2026-11-26 16:00:00+01", "+48601000200", "221002030", "from-trunk", TRUNK + "0014",
     "", "BackGround", 25, 25, "ANSWERED", "1764169200.20", "1764169200.20", ""),
    ("2026-11-26 16:00:25+01", "+48601000200", "221002030", "from-trunk", TRUNK + "0014",
     "PJSIP/1001-00000015", "Dial", 8, 0, "NO ANSWER", "1764169200.20", "1764169200.20", ""),
    # 10. live when the recorder began: the store has it already
    ("2026-11-27 07:59:50+01", "+48601100300", "221002030", "from-trunk", TRUNK + "001e",
     "PJSIP/1002-0000001f", "Dial", 300, 290, "ANSWERED", "1764226790.30", "1764226790.30",
     ""),
    # 11. after the recorder began, 12. before --since: not read
    ("2026-11-27 08:30:00+01", "+48601200400", "221002030", "from-trunk", TRUNK + "0020",
     "PJSIP/1001-00000021", "Dial", 60, 50, "ANSWERED", "1764228600.32", "1764228600.32", ""),
    ("2026-11-24 12:00:00+01", "+48601300500", "221002030", "from-trunk", TRUNK + "0022",
     "PJSIP/1001-00000023", "Dial", 60, 50, "ANSWERED", "1763982000.34", "1763982000.34", ""),
    # 13. an older record without a linkedid: a call of its own, by uniqueid
    ("2026-11-25 10:00:00+01", "+48601400600", "221002030", "from-trunk", TRUNK + "0028",
     "PJSIP/1001-00000029", "Dial", 30, 25, "ANSWERED", "1764061200.40", "", ""),
]


def utc(day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=UTC)


# (id, manager, type, client, business number, started, answered, ended, missed)
EXPECTED = [
    ("1764061200.40", "e1", CallType.INCOMING, "+48601400600", "221002030",
     utc(25, 9, 0), utc(25, 9, 0, 5), utc(25, 9, 0, 30), False),
    ("1764144000.1", "e1", CallType.INCOMING, "+48501234567", "221002030",
     utc(26, 8, 0), utc(26, 8, 0, 20), utc(26, 8, 3, 20), False),
    ("1764147600.5", "e2", CallType.INCOMING, "+48600100200", "221002030",
     utc(26, 9, 0), None, utc(26, 9, 0, 12), True),
    ("1764151200.8", "e1", CallType.INCOMING, "+48600300400", "221002030",
     utc(26, 10, 0), None, utc(26, 10, 0, 4), False),
    ("1764154800.10", "e2", CallType.OUTGOING, "0501234999", "",
     utc(26, 11, 0), utc(26, 11, 0, 5), utc(26, 11, 1, 5), False),
    ("1764158400.12", "e2", CallType.INCOMING, "+48700500600", "221002030",
     utc(26, 12, 0), utc(26, 12, 0, 5), utc(26, 12, 3, 0), False),
    ("1764162000.15", "e1", CallType.CALLBACK, "0441112233", "",
     utc(26, 13, 0), utc(26, 13, 0, 10), utc(26, 13, 1, 40), False),
    ("1764169200.20", "e1", CallType.INCOMING, "+48601000200", "221002030",
     utc(26, 15, 0), None, utc(26, 15, 0, 33), True),
    ("1764226790.30", "e2", CallType.INCOMING, "live caller", "",
     utc(27, 6, 59, 50), utc(27, 7, 0, 0), utc(27, 7, 4, 50), False),
]


def cdr_database(postgres: str, records: list[tuple[object, ...]], *, table: str = "cdr",
                 calldate: str = "TIMESTAMP WITH TIME ZONE") -> str:
    url = fresh_database(postgres, f"asterisk{next(_names)}")
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("SET TIME ZONE 'UTC'")
        connection.execute(CDR_TABLE.format(name=table, calldate=calldate))  # type: ignore[arg-type]
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} (calldate, src, dst, dcontext, channel, dstchannel, "  # type: ignore[arg-type]
                "lastapp, duration, billsec, disposition, uniqueid, linkedid, userfield, clid) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '')", records)
    return url


def config_file(tmp_path: Path) -> Path:
    staff = tmp_path / "staff.csv"
    staff.write_text("id,name,department,endpoint\ne2,Piotr Wójcik,Support,PJSIP/1002\n")
    config = tmp_path / "config.toml"
    config.write_text(f"""\
[ui]
timezone = "Europe/Warsaw"

[source]
kind = "ari"
url = "http://127.0.0.1:8088"
project = "acme"
callback_contexts = ["callback-out"]
ignore_contexts = ["voicemail"]
employees_csv = "{staff}"

[[source.employees]]
id = "e1"
name = "Anna Nowak"
endpoints = ["PJSIP/1001", "PJSIP/1011"]
""")
    return config


def a_store_the_recorder_began(store_url: str) -> None:
    """First recorded at 08:00 in Warsaw on the 27th, with the call live then."""
    store = open_store(store_url)
    try:
        store.run(lambda c: set_meta(c, "first_recorded_us", str(schema.us(FIRST_RECORDED))))
        store.run(lambda c: c.execute(insert(schema.calls).values(
            id="1764226790.30", type="incoming", status="talking", employee_id="e2",
            client_number="live caller", business_number="", project="acme",
            created_us=schema.us(utc(27, 6, 59, 50)), answered_us=schema.us(utc(27, 7, 0)),
            ended_us=schema.us(utc(27, 7, 4, 50)), origin="live")))
    finally:
        store.close()


def stored_calls(store_url: str) -> list[tuple[object, ...]]:
    store = open_store(store_url)
    try:
        log = store.run(lambda c: queries.call_log(c, None, utc(20, 0, 0), utc(28, 0, 0)))
        origins = dict(store.run(lambda c: c.execute(
            select(schema.calls.c.id, schema.calls.c.origin)).all()))
        projects = set(store.run(lambda c: c.execute(
            select(schema.calls.c.project)).scalars()))
    finally:
        store.close()
    assert projects == {"acme"}
    assert {k: v for k, v in origins.items() if v != "cdr"} == {"1764226790.30": "live"}
    return [(r.id, r.employee_id, r.type, r.client_number, r.business_number, r.started_at,
             r.answered_at, r.ended_at, r.missed) for r in log]


async def test_cdr_records_become_the_call_log_and_calls_by_day(
        store_url: str, postgres: str, tmp_path: Path):
    a_store_the_recorder_began(store_url)
    cdr = cdr_database(postgres, RECORDS)
    config = config_file(tmp_path)
    where = cdr.replace("postgresql://wallboard@", "postgresql://")
    command = ("store", "import-cdr", "--url", cdr, "--since", "2026-11-25", "--store",
               store_url)

    first = wallboard(*command, config=config)
    assert (first.returncode, first.stdout) == (0, ""), first.stderr
    assert first.stderr == (
        "Imported 8 new calls (1 already in the store; 1 reached no mapped endpoint; 1 in "
        f"ignored contexts) from 14 CDR records of {where} table cdr, 2026-11-25 00:00 to "
        "2026-11-27 08:00.\n")
    assert stored_calls(store_url) == EXPECTED

    again = wallboard(*command, config=config)
    assert again.returncode == 0, again.stderr
    assert again.stderr.startswith("Imported 0 new calls (9 already in the store; ")
    assert stored_calls(store_url) == EXPECTED

    # the profile's calls by day, with the recorder running on the store as after a start
    now = utc(27, 10, 0)
    people = (Employee(id="e1", name="Anna Nowak", accounts=(SipAccount(id="PJSIP/1001"),)),
              Employee(id="e2", name="Piotr Wójcik", accounts=(SipAccount(id="PJSIP/1002"),)))
    async with running(store_url, ManualClock(now), Snapshot(employees=people)) as run:
        days = {}
        for employee in ("e1", "e2"):
            history = await run.service.history(employee, utc(20, 23, 0), now)
            profile = build_profile(history, Period.LAST_7_DAYS, now, WARSAW)
            days[employee] = [(d.day.day, d.answered, d.missed, d.short_rings)
                              for d in profile.days if d.answered or d.missed or d.short_rings]
    assert days == {"e1": [(25, 1, 0, 0), (26, 2, 1, 1)],
                    "e2": [(26, 2, 1, 0), (27, 1, 0, 0)]}


def test_a_calldate_without_a_zone_is_the_pbx_s_wall_clock(postgres: str, tmp_path: Path):
    local = [("2026-11-26 17:00:00", "+48601500700", "221002030", "from-trunk", TRUNK + "0030",
              "PJSIP/1001-00000031", "Dial", 50, 41, "ANSWERED", "1764172800.48",
              "1764172800.48", "")]
    cdr = cdr_database(postgres, local, table="cdr_odbc",
                       calldate="TIMESTAMP WITHOUT TIME ZONE")
    store_url = str(tmp_path / "history.sqlite3")
    a_store_the_recorder_began(store_url)
    done = wallboard("store", "import-cdr", "--url", cdr, "--since", "2026-11-26", "--table",
                     "cdr_odbc", "--timezone", "Asia/Tokyo", "--store", store_url,
                     config=config_file(tmp_path))
    assert done.returncode == 0, done.stderr
    assert stored_calls(store_url)[0] == (
        "1764172800.48", "e1", CallType.INCOMING, "+48601500700", "221002030",
        utc(26, 8, 0), utc(26, 8, 0, 9), utc(26, 8, 0, 50), False)  # 17:00 in Tokyo


@pytest.fixture
def cdr_url(postgres: str) -> str:
    return cdr_database(postgres, RECORDS[:1])


def test_bad_imports_are_one_line_and_exit_2(cdr_url: str, tmp_path: Path):
    config = config_file(tmp_path)
    store = str(tmp_path / "history.sqlite3")
    no_map = tmp_path / "nomap.toml"
    no_map.write_text('[source]\nkind = "ari"\nurl = "http://127.0.0.1:8088"\n')
    demo = tmp_path / "demo.toml"
    demo.write_text('[source]\nkind = "demo"\n')
    base = cdr_url.rsplit("/", 1)[0].replace("postgresql://wallboard@", "postgresql://")
    secret = cdr_url.replace("wallboard@", "wallboard:s3cret-pass@").rsplit(":", 1)[0] + ":1/x"
    cases = [
        (config, ("--url", cdr_url, "--since", "2026-11-25", "--table", "calls"),
         f"The CDR database {base}/{cdr_url.rsplit('/', 1)[1]} has no table 'calls'; name "
         "it with --table."),
        (config, ("--url", secret, "--since", "2026-11-25"),
         "Cannot read the CDR database postgresql://127.0.0.1:1/x: connection failed: "
         "connection to server at \"127.0.0.1\", port 1 failed: Connection refused."),
        (config, ("--url", "mysql://asterisk:s3cret-pass@pbx/asteriskcdrdb", "--since",
                  "2026-11-25"),
         "Cannot use the CDR database mysql://pbx/asteriskcdrdb: its driver (MySQLdb) is not "
         "installed; wallboard reads PostgreSQL and SQLite CDR databases."),
        (config, ("--url", str(tmp_path / "cdr.db"), "--since", "2026-11-25"),
         f"There is no CDR database at {tmp_path / 'cdr.db'}."),
        (config, ("--url", cdr_url, "--since", "25/11/2026"),
         "--since 25/11/2026: not a date; use 2026-11-30 or 2026-11-30T08:00 (local time), "
         "or add an offset."),
        (config, ("--url", cdr_url, "--since", "2026-11-25", "--timezone", "Mars/Olympus"),
         "--timezone: 'Mars/Olympus' is not a known time zone; use an IANA name such as "
         "Europe/Warsaw."),
        (no_map, ("--url", cdr_url, "--since", "2026-11-25"),
         "The endpoint map is empty: add [[source.employees]] with endpoints or employees_csv "
         "to the [source] section, so calls can be given to managers."),
        (demo, ("--url", cdr_url, "--since", "2026-11-25"),
         "import-cdr gives calls to managers through the ARI source's endpoint map: set "
         "[source] kind = \"ari\" with [[source.employees]] or employees_csv in the config "
         "(--config PATH)."),
    ]
    for used, args, said in cases:
        result = wallboard("store", "import-cdr", *args, "--store", store, config=used)
        assert (result.returncode, result.stdout, result.stderr) == (
            2, "", f"wallboard store: {said}\n"), args

    with psycopg.connect(cdr_url, autocommit=True) as connection:
        connection.execute("ALTER TABLE cdr DROP COLUMN linkedid")
    result = wallboard("store", "import-cdr", "--url", cdr_url, "--since", "2026-11-25",
                       "--store", store, config=config)
    assert (result.returncode, result.stderr) == (2, (
        f"wallboard store: The table 'cdr' of {base}/{cdr_url.rsplit('/', 1)[1]} is not an "
        "Asterisk CDR table: it has no column linkedid.\n"))


@pytest.mark.parametrize(("channel", "endpoint"), [
    ("PJSIP/1001-0000002a", "PJSIP/1001"),
    ("SIP/1001-0a1b2c3d", "SIP/1001"),
    ("PJSIP/trunk-provider-00000001", "PJSIP/trunk-provider"),
    ("DAHDI/1-1", "DAHDI/1"),
    ("PJSIP/1001", "PJSIP/1001"),
    ("Local/1001@from-queue-00000001;2", ""),
    ("", ""),
])
def test_a_channel_name_names_its_endpoint(channel: str, endpoint: str):
    from wallboard.store.cdr_calls import endpoint as endpoint_of

    assert endpoint_of(channel) == endpoint
