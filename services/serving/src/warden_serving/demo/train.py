"""Trains the demo models. Run by the MLServer venv's python (`python train.py <out dir> <schema json>`), so the
pickles are written by the same scikit-learn / XGBoost versions that serve them. Uses only data shipped with
scikit-learn (iris, digits) or generated here (income, movie reviews: no download is possible).

Reference datasets for the detectors and explainers go to `<out dir>/reference/<name>.npy` (rows as served).
"""

import json
import sys
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_digits, load_iris
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler


def iris(out: Path) -> None:
    from xgboost import XGBClassifier  # here: the data generators below are also used by tests without XGBoost

    x, y = load_iris(return_X_y=True)
    (out / "iris-sklearn").mkdir(parents=True, exist_ok=True)
    joblib.dump(LogisticRegression(max_iter=1000).fit(x, y), out / "iris-sklearn" / "model.joblib")
    (out / "iris-xgboost").mkdir(parents=True, exist_ok=True)
    model = XGBClassifier(n_estimators=20, max_depth=3, objective="multi:softprob", random_state=0).fit(x, y)
    model.save_model(out / "iris-xgboost" / "model.json")


def income_data(schema: dict[str, Any], rows: int, seed: int = 0) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Census-like rows: plausible marginals, income driven by education, age, hours, gains and marriage."""
    rng = np.random.default_rng(seed)
    cats = {f["name"]: f.get("n_categories") for f in schema["requests"]}
    age = rng.integers(17, 80, rows)
    columns = {
        "Age": age,
        "Workclass": rng.choice(cats["Workclass"], rows, p=[0.05, 0.03, 0.06, 0.01, 0.7, 0.03, 0.08, 0.03, 0.01]),
        "Education": rng.choice(cats["Education"], rows, p=[0.08, 0.17, 0.01, 0.13, 0.53, 0.06, 0.02]),
        "Marital Status": rng.choice(cats["Marital Status"], rows, p=[0.47, 0.33, 0.17, 0.03]),
        "Occupation": rng.integers(0, cats["Occupation"], rows),
        "Relationship": rng.integers(0, cats["Relationship"], rows),
        "Race": rng.choice(cats["Race"], rows, p=[0.01, 0.03, 0.1, 0.01, 0.85]),
        "Sex": rng.choice(2, rows, p=[0.33, 0.67]),
        "Capital Gain": np.where(rng.random(rows) < 0.08, rng.integers(1000, 20000, rows), 0),
        "Capital Loss": np.where(rng.random(rows) < 0.05, rng.integers(200, 2500, rows), 0),
        "Hours per week": np.clip(rng.normal(40, 12, rows).round(), 1, 99).astype(int),
        "Country": rng.choice(
            cats["Country"], rows, p=[0.02, 0.02, 0.01, 0.02, 0.02, 0.04, 0.01, 0.02, 0.01, 0.82, 0.01]
        ),
    }
    edu_boost = np.array([0.6, 1.4, 2.2, -1.2, 0.0, 1.8, 2.2])[columns["Education"]]
    married = (columns["Marital Status"] == 0) * 1.3
    logit = (
        -4.2
        + edu_boost
        + married
        + 0.035 * (np.minimum(age, 60) - 17)
        + 0.03 * (columns["Hours per week"] - 40)
        + (columns["Capital Gain"] > 5000) * 2.5
        + 0.3 * columns["Sex"]
    )
    label = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    x = np.column_stack([columns[f["name"]] for f in schema["requests"]]).astype(float)
    return x, label


def income(out: Path, schema: dict[str, Any]) -> None:
    categorical = [i for i, f in enumerate(schema["requests"]) if f["type"] == "CATEGORICAL"]
    numeric = [i for i, f in enumerate(schema["requests"]) if f["type"] != "CATEGORICAL"]
    pipeline = Pipeline([
        ("encode", ColumnTransformer([
            ("categorical", OneHotEncoder(handle_unknown="ignore"), categorical),
            ("numeric", StandardScaler(), numeric),
        ])),
        ("classify", LogisticRegression(max_iter=2000)),
    ])  # fmt: skip
    x, y = income_data(schema, 30000)
    target = out / "income-sklearn"
    target.mkdir(parents=True, exist_ok=True)
    joblib.dump(pipeline.fit(x, y), target / "model.joblib")
    (target / "prediction-schema.json").write_text(json.dumps(schema, indent=2))
    np.savetxt(target / "sample-rows.csv", x[:200], delimiter=",", fmt="%g")
    reference, _ = income_data(schema, 1000, seed=1)
    np.save(out / "reference" / "income.npy", reference)


def digits(out: Path) -> None:
    """8x8 digit images served as rows of 64 floats (pixel intensities 0-16, row-major): detectors read them as
    plain feature rows, the image explainer reshapes them to 8x8."""
    x, y = load_digits(return_X_y=True)
    target = out / "digits-sklearn"
    target.mkdir(parents=True, exist_ok=True)
    joblib.dump(LogisticRegression(max_iter=3000).fit(x, y), target / "model.joblib")
    np.save(out / "reference" / "digits.npy", x[:500])


POSITIVE = ("good", "great", "wonderful", "brilliant", "excellent", "moving", "funny", "superb", "enjoyable", "fine")
NEGATIVE = ("bad", "awful", "boring", "terrible", "dull", "poor", "weak", "horrible", "worst", "stupid")
NEUTRAL = (
    "this", "film", "movie", "has", "the", "actors", "plot", "story", "a", "was", "with", "cast", "script", "and",
    "director", "ending", "music", "scenes", "is", "it", "had", "its", "of", "characters",
)  # fmt: skip


def reviews(rows: int, seed: int = 0) -> tuple[list[str], np.ndarray[Any, Any]]:
    """Short generated movie reviews: neutral filler plus one or two sentiment words that decide the label."""
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for _ in range(rows):
        label = int(rng.random() < 0.5)
        words = list(rng.choice(NEUTRAL, rng.integers(3, 8)))
        for _ in range(rng.integers(1, 3)):
            words.insert(int(rng.integers(0, len(words) + 1)), str(rng.choice(POSITIVE if label else NEGATIVE)))
        texts.append(" ".join(words))
        labels.append(label)
    return texts, np.array(labels)


def sentiment(out: Path) -> None:
    """TF-IDF + logistic regression over raw strings (1 = positive). The first step flattens the input, so a
    column of strings (`[["text"], ...]`, shape n x 1) works as well as a plain list of them (shape n)."""
    texts, labels = reviews(4000)
    pipeline = Pipeline([
        ("flatten", FunctionTransformer(np.ravel)),
        ("tfidf", TfidfVectorizer()),
        ("classify", LogisticRegression(max_iter=1000)),
    ])  # fmt: skip
    target = out / "text-sentiment"
    target.mkdir(parents=True, exist_ok=True)
    joblib.dump(pipeline.fit(np.array(texts), labels), target / "model.joblib")
    np.save(out / "reference" / "text.npy", np.array(reviews(300, seed=1)[0]))


if __name__ == "__main__":
    destination = Path(sys.argv[1])
    income_schema = json.loads(Path(sys.argv[2]).read_text())
    (destination / "reference").mkdir(parents=True, exist_ok=True)
    iris(destination)
    income(destination, income_schema)
    digits(destination)
    sentiment(destination)
    print(json.dumps({"ok": True}))
