"""``manage.py evaluate_recommendations``: the JSON schema, a known answer, clear errors."""

import json
import math

import pytest
from django.core.management import CommandError, call_command

HEADER = "member_number,date,item\n"
MODEL_NAMES = {"popularity", "item_to_item", "personal", "ease", "als"}
METRICS = {"recall@10", "ndcg@10", "coverage", "seconds"}


def write(path, rows):
    path.write_text(HEADER + "".join(f"{m},{d},{i}\n" for m, d, i in rows), encoding="utf-8")
    return path


@pytest.fixture
def train_and_test(tmp_path):
    # Train: 'milk' has 3 buyers, 'bread' 2, 'jam' 1 -> popularity ranks milk, bread, jam.
    train = write(
        tmp_path / "train.csv",
        [
            (1, "2015-01-01", "milk"),
            (2, "2015-01-02", "milk"),
            (3, "2015-01-03", "milk"),
            (1, "2015-01-01", "bread"),
            (2, "2015-01-02", "bread"),
            (3, "2015-01-03", "jam"),
        ],
    )
    # Test: customer 9 (new) buys 'bread', the second-ranked item; 'tea' never appears in
    # training, so no model can recommend it.
    test = write(tmp_path / "test.csv", [(9, "2015-11-01", "bread"), (9, "2015-11-01", "tea")])
    return train, test


ROW_METRICS = {"recall@10", "ndcg@10", "coverage", "diversity"}


def run_json(*args) -> dict:
    from io import StringIO

    out = StringIO()
    call_command("evaluate_recommendations", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_json_schema_and_known_popularity_scores(train_and_test):
    train, test = train_and_test
    result = run_json("--train", str(train), "--test", str(test))

    assert set(result) == {"served", "models", "rows"}
    assert set(result["rows"]) == {"buy_again", "new_for_you", "bought_together"}
    for row in result["rows"].values():
        assert set(row) >= ROW_METRICS
        assert set(row["baseline"]) >= ROW_METRICS
    assert result["served"] in result["models"]
    assert set(result["models"]) == MODEL_NAMES
    for scores in result["models"].values():
        assert set(scores) == METRICS
        assert all(isinstance(value, float) for value in scores.values())

    popularity = result["models"]["popularity"]
    # 1 of the 2 items bought is recommended (bread, at rank 2).
    assert popularity["recall@10"] == pytest.approx(0.5)
    # DCG = 1/log2(3); the ideal list has both hits at ranks 1 and 2.
    assert popularity["ndcg@10"] == pytest.approx((1 / math.log2(3)) / (1 + 1 / math.log2(3)))
    # milk, bread and jam shown, out of 4 known items (tea included).
    assert popularity["coverage"] == pytest.approx(3 / 4)
    # The new customer gets the popularity fallback from the personal list too.
    assert result["models"]["personal"]["recall@10"] == pytest.approx(0.5)


def test_date_split_on_a_csv(tmp_path):
    csv_path = write(
        tmp_path / "all.csv",
        [
            (1, "2015-09-01", "milk"),
            (2, "2015-09-02", "milk"),
            (2, "2015-09-02", "bread"),
            (1, "2015-10-05", "milk"),
        ],
    )
    result = run_json("--csv", str(csv_path))
    assert result["models"]["popularity"]["recall@10"] == pytest.approx(1.0)
    assert result["models"]["popularity"]["ndcg@10"] == pytest.approx(1.0)


def test_default_csv_is_the_demo_data(settings, tmp_path):
    settings.DEMO_CSV_PATH = write(
        tmp_path / "demo.csv", [(1, "2015-01-01", "milk"), (1, "2015-12-01", "milk")]
    )
    result = run_json()
    assert result["models"]["popularity"]["recall@10"] == pytest.approx(1.0)


def test_table_output_names_the_served_model(train_and_test):
    from io import StringIO

    train, test = train_and_test
    out = StringIO()
    call_command("evaluate_recommendations", "--train", str(train), "--test", str(test), stdout=out)
    assert "popularity" in out.getvalue()
    assert "<- served" in out.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("member,day,product\n1,2015-01-01,milk\n", "missing column(s) member_number, date, item"),
        (HEADER + "1,01/02/2015,milk\n", "train.csv:2: date '01/02/2015' is not YYYY-MM-DD"),
        (HEADER + "1,2015-01-01,\n", "train.csv:2: empty member_number or item"),
        (HEADER, "no purchase lines"),
    ],
)
def test_bad_csv_gives_a_clear_error(tmp_path, train_and_test, content, message):
    _train, test = train_and_test
    bad = tmp_path / "train.csv"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("evaluate_recommendations", "--train", str(bad), "--test", str(test))


def test_binary_file_gives_a_clear_error(tmp_path, train_and_test):
    _train, test = train_and_test
    bad = tmp_path / "train.csv"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(CommandError, match="not a UTF-8 text file"):
        call_command("evaluate_recommendations", "--train", str(bad), "--test", str(test))


def test_missing_file(tmp_path):
    with pytest.raises(CommandError, match="nope.csv: no such file"):
        call_command("evaluate_recommendations", "--csv", str(tmp_path / "nope.csv"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--train", "a.csv"], "--train and --test go together"),
        (["--test", "b.csv"], "--train and --test go together"),
        (["--csv", "x.csv", "--train", "a.csv", "--test", "b.csv"], "not both"),
        (["--cutoff", "yesterday"], "is not a date"),
    ],
)
def test_bad_arguments(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("evaluate_recommendations", *args)


def test_split_with_an_empty_side(tmp_path):
    only_old = write(tmp_path / "old.csv", [(1, "2015-01-01", "milk")])
    with pytest.raises(CommandError, match="test part of the split is empty"):
        call_command("evaluate_recommendations", "--csv", str(only_old))


def test_each_served_row_beats_its_baseline_on_the_groceries_date_split(settings):
    """The default run: the demo CSV, split on 2015-10-01 (a few seconds)."""
    rows = run_json("--csv", str(settings.DEMO_CSV_PATH))["rows"]
    for name, row in rows.items():
        assert row["ndcg@10"] > row["baseline"]["ndcg@10"], name
        assert row["evaluated"] > 100, name
    assert rows["new_for_you"]["diversity"] > rows["new_for_you"]["baseline"]["diversity"]
    assert rows["bought_together"]["coverage"] > rows["bought_together"]["baseline"]["coverage"]
