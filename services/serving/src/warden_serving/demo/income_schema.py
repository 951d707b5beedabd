"""The income classifier's features (the seed's census demo, 12 columns) and its ML prediction schema (protocols.md §7).

Category codes follow the seed's examples: `[53, 4, 0, 2, 8, 4, 2, 0, 0, 0, 60, 9]` is a 53-year-old private-sector
Separated Female working 60 hours in the United States.
"""

from __future__ import annotations

from typing import Any

FEATURES = (
    "Age", "Workclass", "Education", "Marital Status", "Occupation", "Relationship",
    "Race", "Sex", "Capital Gain", "Capital Loss", "Hours per week", "Country",
)  # fmt: skip

CATEGORY_MAP: dict[str, list[str]] = {
    "Workclass": [
        "?", "Federal-gov", "Local-gov", "Never-worked", "Private", "Self-emp-inc", "Self-emp-not-inc",
        "State-gov", "Without-pay",
    ],
    "Education": ["Associates", "Bachelors", "Doctorate", "Dropout", "High School grad", "Masters", "Prof-School"],
    "Marital Status": ["Married", "Never-Married", "Separated", "Widowed"],
    "Occupation": [
        "?", "Admin", "Blue-Collar", "Military", "Other", "Professional", "Sales", "Service", "White-Collar",
    ],
    "Relationship": ["Husband", "Not-in-family", "Other-relative", "Own-child", "Unmarried", "Wife"],
    "Race": ["Amer-Indian-Eskimo", "Asian-Pac-Islander", "Black", "Other", "White"],
    "Sex": ["Female", "Male"],
    "Country": [
        "?", "British-Commonwealth", "China", "Euro_1", "Euro_2", "Latin-America", "Other", "SE-Asia",
        "South-America", "United-States", "Yugoslavia",
    ],
}  # fmt: skip

CLASSES = ("<=$50K", ">$50K")


def prediction_schema() -> dict[str, Any]:
    requests: list[dict[str, Any]] = []
    for name in FEATURES:
        categories = CATEGORY_MAP.get(name)
        if categories is None:
            requests.append({"name": name, "type": "REAL", "data_type": "FLOAT"})
        else:
            requests.append({
                "name": name, "type": "CATEGORICAL", "data_type": "INT", "n_categories": len(categories),
                "category_map": {str(i): label for i, label in enumerate(categories)},
            })  # fmt: skip
    responses = [{"name": "Income", "type": "PROBA", "schema": [{"name": label} for label in CLASSES]}]
    return {"requests": requests, "responses": responses}
