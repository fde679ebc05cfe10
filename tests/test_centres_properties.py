"""Property-based tests: random rows and bytes are reported on, never crash."""

import csv
import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abri.errors import DataFileError
from abri.geo.centres import read_centres

FIELDS = ["id", "name", "capacity", "lon", "lat", "insee", "postcode", "commune", "type", "groups", "departement"]
cell = st.one_of(
    st.text(max_size=12),
    st.from_regex(r"-?[0-9]{1,3}([.,][0-9]{1,4})?", fullmatch=True),
    st.sampled_from(["", "62193", "69123", "2A004", "CAOMI", "hommes", "nan", "inf", "1e308", "-0"]),
)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(rows=st.lists(st.fixed_dictionaries({f: cell for f in FIELDS}), min_size=1, max_size=8), delimiter=st.sampled_from([",", ";"]))
def test_random_rows_are_reported_not_crashed(tmp_path: Path, data_dir: Path, rows: list[dict], delimiter: str) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "random.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    try:
        gdf, report = read_centres(path, data_dir=data_dir)
    except DataFileError:
        return  # a clear file-level message is an acceptable outcome
    assert report.rows_read == len(gdf) + report.rows_rejected
    assert (gdf["capacity"] > 0).all()
    assert gdf["departement"].notna().all()
    assert all(p.row is not None and p.expected for p in report.problems)


@SETTINGS
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".xlsx", ".geojson", ".gpkg"]))
def test_random_bytes_give_a_clear_error_or_a_report(tmp_path: Path, data_dir: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"random{suffix}"
    path.write_bytes(data)
    try:
        gdf, report = read_centres(path, data_dir=data_dir)
    except DataFileError as exc:
        assert str(path) in str(exc)
        return
    assert report.rows_read == len(gdf) + report.rows_rejected
