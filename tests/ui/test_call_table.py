"""The live table's repaints (wallboard/ui/widgets/call_table.py), read back from what the
widget has painted (its cached lines), so a cell that was not repainted shows its old text.
"""

from __future__ import annotations

from textual.geometry import Region

from tests.ui.conftest import wait_for_calls
from tests.ui.scripted import EMPLOYEES, scripted_app
from wallboard.core.events import EmployeeUpserted
from wallboard.ui.widgets.call_table import CallTable


def painted(table: CallTable, rows: int = 8) -> list[str]:
    """The header and the first ``rows`` rows as last painted."""
    return [strip.text for strip in table.render_lines(Region(0, 0, table.size.width, rows + 1))]


async def test_the_tick_repaints_the_durations_and_keeps_the_rest_of_each_row():
    app, _ = scripted_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        await pilot.pause(0.1)
        table = app.board.table
        before = painted(table)
        assert before[1].startswith("  1:01:40     0:09 ● talking  ↘ in")  # c108, cursor
        assert before[2].startswith("     5:00     0:05 ‖ on hold  ↘ in")  # c105
        assert before[5].startswith("        –   ! 0:40 ◔ ringing  ↘ in")  # c101, late
        assert before[8].startswith("        –     0:12 ◔ ringing  ↗ out")  # c103
        app.clock.advance(1)
        app.board.next_frame()  # the tick reads the clock once for its frame
        app.board.tick()
        await pilot.pause(0.1)
        after = painted(table)
        assert after[1].startswith("  1:01:41     0:09 ● talking")
        assert after[2].startswith("     5:01     0:05 ‖ on hold")
        assert after[5].startswith("        –   ! 0:41 ◔ ringing")
        assert after[8].startswith("        –     0:13 ◔ ringing")
        assert after[0] == before[0]
        assert [line[18:] for line in after] == [line[18:] for line in before]


async def test_a_renamed_manager_is_repainted_on_the_rows_of_their_calls():
    app, source = scripted_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        await pilot.pause(0.1)
        table = app.board.table
        assert sum("Cid Novak " in line for line in painted(table)) == 3
        cid = next(e for e in EMPLOYEES if e.id == "e3")
        source.push(EmployeeUpserted(employee=cid.model_copy(update={"name": "Cid Rowe"})))
        for _ in range(40):
            await pilot.pause(0.05)
            if sum("Cid Rowe" in line for line in painted(table)) == 3:
                break
        lines = painted(table)
        assert sum("Cid Rowe" in line for line in lines) == 3  # c108, c106, c103
        assert not any("Cid Novak" in line for line in lines)


def test_a_cut_cell_ends_after_a_whole_word_and_a_name_keeps_what_fits():
    from wallboard.ui.widgets.call_table import fit

    assert fit("Cancellations (overflow)", 22) == "Cancellations…" + " " * 8
    assert fit("Website widget", 12) == "Website…    "
    assert fit("Supercalifragilistic", 8) == "Superca…"  # one word: cut where it must be
    assert fit("Anastasiia Bilotserkivska", 20, words=False) == "Anastasiia Bilotser…"
    assert fit("Main line", 12, right=True) == "   Main line"


def test_the_calls_still_ringing_are_counted():
    from datetime import UTC, datetime, timedelta

    from wallboard.core.models import Call, CallStatus, CallType
    from wallboard.ui.widgets.call_table import ringing

    start = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)

    def call(n: int, status: CallStatus) -> Call:
        answered = None if status is CallStatus.RINGING else start + timedelta(seconds=5)
        return Call(id=f"c{n}", type=CallType.INCOMING, status=status, created_at=start,
                    answered_at=answered)

    calls = [call(1, CallStatus.RINGING), call(2, CallStatus.TALKING),
             call(3, CallStatus.ON_HOLD), call(4, CallStatus.RINGING)]
    assert ringing(calls) == 2
    assert ringing(calls[1:3]) == 0
    assert ringing([]) == 0


async def test_a_row_that_moves_up_is_sent_only_as_far_as_its_text():
    """A call that ends moves the rows under it up a line: each of those lines is sent to
    the terminal from its left edge to the end of the longer text (the line's old one or
    its new one), not across the blank rest of the line."""
    from wallboard.core.events import CallEnded

    app, source = scripted_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        await pilot.pause(0.1)
        table = app.board.table
        before = painted(table)
        requested: list[Region] = []
        refresh = table.refresh

        def spy(*regions: Region, **kwargs: object) -> object:
            requested.extend(regions)
            return refresh(*regions, **kwargs)

        table.refresh = spy  # type: ignore[method-assign]
        source.push(CallEnded(call_id="c105"))  # the second row: the six under it move up
        for _ in range(40):
            await pilot.pause(0.05)
            if not any("0:05 ‖ on hold" in line for line in painted(table)):
                break
        after = painted(table)
        assert before[2].startswith("     5:00     0:05 ‖ on hold")
        moved = {r.y: r for r in requested if 2 <= r.y <= 8 and r.height == 1}
        assert sorted(moved) == [2, 3, 4, 5, 6, 7, 8]
        trimmed = 0
        for y, region in moved.items():
            assert region.x == 0
            if "!" in before[y][:18] + after[y][:18]:  # a late row is marked across the line
                assert region.width == table.size.width
                continue
            ink = max(len(before[y].rstrip()), len(after[y].rstrip()))
            assert ink <= region.width < table.size.width, (y, region, before[y], after[y])
            trimmed += 1
        assert trimmed == 5  # c101, late, moved from line 5 to 4: that one and line 5
